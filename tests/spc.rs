//! `carepath spc` (issue 15, items 1 and 2) on an extract in the full published episode layout
//! written here. A&E attendances are scripted per council and month so that each council's
//! monthly series is a planned one (stable, an outlier, a shift, a trend, two of three beyond
//! 2 sigma); the expected means, limits and signals are computed by hand in the comments below
//! (never by carepath's code), and the series themselves are checked against independent DuckDB
//! queries over the raw CSVs. Emergency stays with delayed discharges in one council give the
//! admissions and bed-day series (spread over months day by day in the independent query) and
//! the small counts the disclosure gate must withhold.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// People per council (place); person `i` lives in place `i % 5`.
const PER_PLACE: usize = 30;

/// The 24 months of 2019/20 and 2020/21.
fn months() -> Vec<String> {
    (0..24).map(|k| format!("{}-{:02}", 2019 + (k + 3) / 12, (k + 3) % 12 + 1)).collect()
}

/// Planned A&E attendances per month (index 0 = April 2019) of each place (council):
/// base: 20 in even months, 24 in odd months.
/// - place 0 (council 14): the base (stable).
/// - place 1 (17): month 6 is 50 (an outlier).
/// - place 2 (29): +10 from month 12 (April 2020) on (a shift; with a change there, two stable halves).
/// - place 3 (28): months 8..=13 are 17 18 19 20 21 22 (a trend of six rising).
/// - place 4 (01): months 10 and 12 are 32 (two of three beyond 2 sigma).
fn planned(place: usize) -> Vec<u64> {
    let mut v: Vec<u64> = (0..24).map(|k| if k % 2 == 0 { 20 } else { 24 }).collect();
    match place {
        1 => v[6] = 50,
        2 => v.iter_mut().skip(12).for_each(|x| *x += 10),
        3 => {
            for (j, x) in (17..=22).enumerate() {
                v[8 + j] = x;
            }
        }
        4 => {
            v[10] = 32;
            v[12] = 32;
        }
        _ => {}
    }
    v
}

const LCA: [&str; 5] = ["14", "17", "29", "28", "01"];

fn person(place: usize, n: usize) -> Who {
    Who::new(place + 5 * (n % PER_PLACE))
}

/// Emergency stays of council 14's people: 15 stays from 28 May 2019, three days apart, 6 to 20
/// days long (some crossing a month end), every third with a delayed discharge inside it (from
/// day 3 of the stay to its end), every fourth of two episodes of one CIJ; and one elective stay
/// (never counted).
fn stays() -> Vec<(Who, String, String, bool, Option<String>)> {
    let mut out = Vec::new();
    for j in 0..15usize {
        let a = plus("2019-05-28", 3 * j as i64);
        let d = plus(&a, 6 + (j as i64 % 15));
        let dd = (j % 3 == 0).then(|| plus(&a, 3));
        out.push((person(0, j), a, d, j % 4 == 0, dd));
    }
    out
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut by_year: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let ms = months();
    for place in 0..5 {
        for (k, count) in planned(place).iter().enumerate() {
            for n in 0..*count as usize {
                let w = person(place, k * 7 + n);
                let d = format!("{}-{:02}", ms[k], 1 + n % 28);
                by_year.entry(fy(&d)).or_default().push(episode(&w, &fy(&d), "AE2", &d, &d, true));
            }
        }
    }
    let mut cij_row = |w: &Who, recid: &str, k1: &str, k2: &str, a: &str, d: &str, marker: &str, emergency: bool| {
        let mut r = episode(w, &fy(k1), recid, k1, k2, true);
        for (k, v) in [("cij_marker", marker), ("cij_start_date", a), ("cij_end_date", d)] {
            r.insert(k.into(), v.into());
        }
        if recid == "01B" {
            let (pt, adm) = if emergency { ("0", "33") } else { ("1", "11") };
            for (k, v) in [("ipdc", "I"), ("cij_pattype_code", pt), ("cij_admtype", adm), ("tadm", adm)] {
                r.insert(k.into(), v.into());
            }
        }
        by_year.entry(fy(k1)).or_default().push(r);
    };
    for (w, a, d, two, dd) in stays() {
        if two {
            let m = plus(&a, 4);
            cij_row(&w, "01B", &a, &m, &a, &d, "1", true);
            cij_row(&w, "01B", &m, &d, &a, &d, "1", true);
        } else {
            cij_row(&w, "01B", &a, &d, &a, &d, "1", true);
        }
        if let Some(s) = dd {
            cij_row(&w, "DD", &s, &d, &a, &d, "1", false);
        }
    }
    let w = person(0, 29);
    cij_row(&w, "01B", "2019-06-10", "2019-06-14", "2019-06-10", "2019-06-14", "2", false);
    // every fifth stay is a PPA as the file states it (`cij_ppa` on each of its rows)
    for (j, (w, a, ..)) in stays().iter().enumerate() {
        for r in by_year.get_mut("1920").unwrap().iter_mut() {
            if r.get("anon_chi") == Some(&w.anon()) && r.get("cij_start_date") == Some(a) && r.get("recid").map(String::as_str) == Some("01B") {
                r.insert("cij_ppa".into(), if j % 5 == 0 { "1" } else { "0" }.into());
            }
        }
    }
    // care homes: 14 people of council 14 admitted 20 days apart from 10 June 2019, half
    // discharged after 45 days, half still there (an open stay runs to the end of its year)
    for j in 0..14usize {
        let w = person(0, j + 15);
        let a = plus("2019-06-10", 20 * j as i64);
        let end = if j % 2 == 0 { plus(&a, 45) } else { String::new() };
        by_year.entry(fy(&a)).or_default().push(episode(&w, &fy(&a), "CH", &a, &end, true));
    }
    for (y, rows) in &by_year {
        write_episodes(dir, y, rows);
    }
    dir.to_path_buf()
}

fn fixture() -> &'static Loaded {
    static F: OnceLock<Loaded> = OnceLock::new();
    F.get_or_init(|| load_extract(write_extract))
}

fn spc(args: &[&str]) -> Value {
    fixture().json("spc", args)
}

/// period -> value of a series' points (None where withheld).
fn values(points: &Value) -> BTreeMap<String, Option<f64>> {
    points.as_array().unwrap().iter().map(|p| (p["period"].as_str().unwrap().to_string(), p["value"].as_f64())).collect()
}

/// Independent: `select` (month, n) over the raw episode rows of both years.
fn by_month(sql_body: &str) -> BTreeMap<String, u64> {
    let f = fixture();
    let union = ["1920", "2021"].iter().map(|y| format!("SELECT * FROM {}", raw(&f.dir, &format!("source-episode-file-{y}.csv")))).collect::<Vec<_>>().join(" UNION ALL BY NAME ");
    let c = duckdb::Connection::open_in_memory().unwrap();
    let sql = format!("WITH raw AS ({union}) {sql_body}");
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next().unwrap() {
        out.insert(r.get::<_, String>(0).unwrap(), r.get::<_, i64>(1).unwrap() as u64);
    }
    out
}

/// Every month of the chart, zeros where `m` has none.
fn full(m: &BTreeMap<String, u64>) -> BTreeMap<String, Option<f64>> {
    months().into_iter().map(|k| (k.clone(), Some(*m.get(&k).unwrap_or(&0) as f64))).collect()
}

#[test]
fn series_equal_independent_sql_over_the_raw_rows() {
    // A&E by council and month
    let ae = |lca: &str| by_month(&format!("SELECT strftime(CAST(record_keydate1 AS DATE), '%Y-%m'), count(*) FROM raw WHERE recid = 'AE2' AND lca = '{lca}' GROUP BY 1"));
    for (p, lca) in LCA.iter().enumerate() {
        let got = spc(&["--measure", "ae_attendances", "--area", &format!("council={lca}"), "--no-sdc"]);
        assert_eq!(values(&got["points"]), full(&ae(lca)), "A&E of council {lca}");
        // and the plan: the extract holds what the comments say
        let plan: Vec<f64> = planned(p).iter().map(|x| *x as f64).collect();
        assert_eq!(values(&got["points"]).values().map(|v| v.unwrap_or(-1.0)).collect::<Vec<_>>(), plan);
    }
    // emergency admissions: stays (one per CIJ), in the month of their first episode
    let adm = by_month(
        "SELECT m, count(*) FROM (SELECT strftime(min(CAST(record_keydate1 AS DATE)), '%Y-%m') AS m FROM raw WHERE recid = '01B' AND cij_pattype_code = '0' GROUP BY anon_chi, year, cij_marker) GROUP BY m",
    );
    let got = spc(&["--measure", "emergency_admissions", "--area", "council=City of Edinburgh", "--no-sdc"]);
    assert_eq!(values(&got["points"]), full(&adm));
    assert_eq!(adm.values().sum::<u64>(), 15, "15 emergency stays, the elective one not counted");
    // bed days day by day: a night of each day from admission to the day before discharge
    let beds = by_month(
        "SELECT strftime(d, '%Y-%m'), count(*) FROM (SELECT unnest(generate_series(CAST(record_keydate1 AS DATE), CAST(record_keydate2 AS DATE) - INTERVAL 1 DAY, INTERVAL 1 DAY)) AS d
         FROM raw WHERE recid = '01B' AND cij_pattype_code = '0') GROUP BY 1",
    );
    let got = spc(&["--measure", "emergency_bed_days", "--area", "scotland", "--no-sdc"]);
    assert_eq!(values(&got["points"]), full(&beds));
    assert!(beds.len() >= 2, "stays cross a month end: {beds:?}");
    // delayed discharge: each day after the start up to and including the end
    let dd = by_month(
        "SELECT strftime(d, '%Y-%m'), count(*) FROM (SELECT unnest(generate_series(CAST(record_keydate1 AS DATE) + INTERVAL 1 DAY, CAST(record_keydate2 AS DATE), INTERVAL 1 DAY)) AS d
         FROM raw WHERE recid = 'DD') GROUP BY 1",
    );
    let got = spc(&["--measure", "dd_bed_days", "--area", "council=14", "--no-sdc"]);
    assert_eq!(values(&got["points"]), full(&dd));
    // small multiples: one block per council, the area's own first, each equal to its SQL
    let got = spc(&["--measure", "ae_attendances", "--area", "scotland", "--by", "council", "--no-sdc"]);
    let groups = got["groups"].as_array().unwrap();
    assert_eq!(groups[0]["group"], "All");
    assert_eq!(groups.len(), 6, "{}", got["groups"]);
    for lca in LCA {
        let name = match lca {
            "14" => "City of Edinburgh",
            "17" => "Glasgow City",
            "29" => "South Lanarkshire",
            "28" => "South Ayrshire",
            _ => "Aberdeen City",
        };
        let g = groups.iter().find(|g| g["group"] == name).unwrap_or_else(|| panic!("no block for {name}: {}", got["groups"]));
        assert_eq!(values(&g["points"]), full(&ae(lca)), "{name}");
    }
    assert!(got["per_1000"].is_null());
    assert!(got["denominator"].as_str().unwrap().contains("no population estimates"));
}

fn close(v: &Value, x: f64) -> bool {
    v.as_f64().is_some_and(|a| (a - x).abs() < 0.006)
}

/// period index -> signals of a chart's points.
fn signals(points: &Value) -> Vec<Vec<String>> {
    points.as_array().unwrap().iter().map(|p| p["signal"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()).collect()
}

fn flagged(points: &Value, rule: &str) -> Vec<usize> {
    signals(points).iter().enumerate().filter(|(_, s)| s.iter().any(|x| x == rule)).map(|(i, _)| i).collect()
}

#[test]
fn limits_and_each_rule_equal_a_hand_computation() {
    let chart = |lca: &str, extra: &[&str]| {
        let mut a = vec!["--measure", "ae_attendances"];
        let area = format!("council={lca}");
        a.extend(["--area", area.as_str()]);
        a.extend_from_slice(extra);
        spc(&a)
    };
    // Stable (council 14): 20 24 20 24 ... (24 months). Mean (12 x 20 + 12 x 24) / 24 = 22; 23
    // moving ranges of 4: MR bar 4; limits 22 +- 2.66 x 4 = 32.64 / 11.36; 2-sigma lines
    // 22 +- 2 x 2.66/3 x 4 = 29.09 / 14.91: nothing beyond, sides alternate, no rise of six.
    let c = chart("14", &[]);
    let l = &c["limits"][0];
    assert!(close(&l["mean"], 22.0) && close(&l["mean_moving_range"], 4.0) && close(&l["ucl"], 32.64) && close(&l["lcl"], 11.36), "{l}");
    assert_eq!(l["points"], 24);
    assert!(close(&c["points"][5]["ucl"], 32.64) && close(&c["points"][5]["mean"], 22.0));
    assert!(signals(&c["points"]).iter().all(|s| s.is_empty()), "a stable series has no signal: {}", c["points"]);

    // Outlier (17): month 6 is 50: sum 12 x 24 + 11 x 20 + 50 = 558, mean 23.25. Moving ranges:
    // 21 of 4 and two of 26: MR bar 136/23 = 5.913; 26 >= 3.267 x 5.913 = 19.32, so both are
    // screened out: MR bar 84/21 = 4; UCL 23.25 + 10.64 = 33.89: 50 is outside, and only it
    // (2-sigma lines 30.34 / 16.16; sides alternate).
    let c = chart("17", &[]);
    assert!(close(&c["limits"][0]["mean"], 23.25) && close(&c["limits"][0]["mean_moving_range"], 4.0) && close(&c["limits"][0]["ucl"], 33.89));
    assert_eq!(flagged(&c["points"], "outside_limits"), vec![6]);
    assert!(signals(&c["points"]).iter().enumerate().all(|(i, s)| i == 6 || s.is_empty()));

    // Shift (29): 20 24 ... for 12 months, 30 34 ... for 12: mean (12 x 22 + 12 x 32) / 24 = 27;
    // every point of the first year is below, every one of the second above: two runs of 12,
    // all 24 flagged. Moving ranges 22 of 4 and one of 6 (24 -> 30): MR bar 94/23 = 4.087,
    // limits 27 +- 10.87 = 37.87 / 16.13; 2-sigma lines 34.25 / 19.75: nothing beyond.
    let c = chart("29", &[]);
    assert!(close(&c["limits"][0]["mean"], 27.0) && close(&c["limits"][0]["mean_moving_range"], 94.0 / 23.0));
    assert_eq!(flagged(&c["points"], "shift"), (0..24).collect::<Vec<_>>());
    assert!(signals(&c["points"]).iter().all(|s| s == &vec!["shift".to_string()]));

    // Trend (28): months 8..=13 are 17..22: sum 528 - 132 + 117 = 513, mean 21.375. Moving ranges:
    // 16 of 4, 7 (24 -> 17), five of 1, 2 (22 -> 20): 78/23 = 3.391; limits 21.375 +- 9.02
    // = 30.40 / 12.35; 2-sigma lines 27.39 / 15.36: nothing beyond; longest run on one side 5.
    let c = chart("28", &[]);
    assert!(close(&c["limits"][0]["mean"], 21.375) && close(&c["limits"][0]["mean_moving_range"], 78.0 / 23.0));
    assert!(close(&c["limits"][0]["ucl"], 21.375 + 2.66 * 78.0 / 23.0));
    assert_eq!(flagged(&c["points"], "trend"), (8..=13).collect::<Vec<_>>());
    assert!(signals(&c["points"]).iter().all(|s| s.is_empty() || s == &vec!["trend".to_string()]));

    // Two of three (01): months 10 and 12 are 32: sum 528 + 24 = 552, mean 23. Moving ranges 19 of
    // 4 and four of 8: 108/23 = 4.696; UCL 23 + 12.49 = 35.49 (32 inside); 2-sigma line
    // 23 + 2 x 2.66/3 x 4.696 = 31.33: both 32s beyond, within three months.
    let c = chart("01", &[]);
    assert!(close(&c["limits"][0]["mean"], 23.0) && close(&c["limits"][0]["ucl"], 23.0 + 2.66 * 108.0 / 23.0));
    assert_eq!(flagged(&c["points"], "two_of_three"), vec![10, 12]);
    assert!(signals(&c["points"]).iter().all(|s| s.is_empty() || s == &vec!["two_of_three".to_string()]));
    // and the rules that must not fire on it do not; nor on the stable series
    for rule in ["outside_limits", "shift", "trend"] {
        assert!(flagged(&c["points"], rule).is_empty(), "{rule}");
    }
}

#[test]
fn a_change_date_recomputes_the_limits_and_from_starts_the_baseline() {
    // Council 29 with a change in April 2020: before, 20 24 ... mean 22, MR bar 4 (11 ranges
    // of 4), limits 32.64 / 11.36; after, 30 34 ... mean 32, MR bar 4, limits 42.64 / 21.36.
    // Each half alone is stable: the shift is gone.
    let c = spc(&["--measure", "ae_attendances", "--area", "council=29", "--change", "2020-04"]);
    let l = c["limits"].as_array().unwrap();
    assert_eq!(l.len(), 2);
    assert_eq!((l[0]["from"].as_str(), l[0]["to"].as_str(), l[1]["from"].as_str(), l[1]["to"].as_str()), (Some("2019-04"), Some("2020-03"), Some("2020-04"), Some("2021-03")));
    assert!(close(&l[0]["mean"], 22.0) && close(&l[0]["ucl"], 32.64) && close(&l[0]["lcl"], 11.36));
    assert!(close(&l[1]["mean"], 32.0) && close(&l[1]["ucl"], 42.64) && close(&l[1]["lcl"], 21.36));
    assert!(close(&c["points"][11]["mean"], 22.0) && close(&c["points"][12]["mean"], 32.0));
    assert!(signals(&c["points"]).iter().all(|s| s.is_empty()), "{}", c["points"]);
    // --from: the chart and its baseline start there (2020-04 on: the second half only)
    let c = spc(&["--measure", "ae_attendances", "--area", "council=29", "--from", "2020-04"]);
    assert_eq!(c["points"].as_array().unwrap().len(), 12);
    assert!(close(&c["limits"][0]["mean"], 32.0) && close(&c["limits"][0]["mean_moving_range"], 4.0));
    // a change outside the chart is refused with a reason
    let f = fixture();
    let out = carepath(&["spc", "--workspace", f.ws.to_str().unwrap(), "--measure", "ae_attendances", "--area", "scotland", "--change", "2030-01"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--change 2030-01 is not inside the chart"), "{}", stderr(&out));
}

#[test]
fn a_small_count_is_withheld_and_leaks_through_no_signal() {
    // Emergency admissions of council 14 by month (independent SQL): some months hold 1 to 9
    // stays; the gate withholds them, and the chart treats them as gaps.
    let adm = by_month(
        "SELECT m, count(*) FROM (SELECT strftime(min(CAST(record_keydate1 AS DATE)), '%Y-%m') AS m FROM raw WHERE recid = '01B' AND cij_pattype_code = '0' GROUP BY anon_chi, year, cij_marker) GROUP BY m",
    );
    let small: Vec<&String> = adm.iter().filter(|(_, n)| (1..10).contains(*n)).map(|(m, _)| m).collect();
    assert!(!small.is_empty(), "the fixture has a small month: {adm:?}");
    let f = fixture();
    for format in ["json", "csv", "table"] {
        let out = carepath(&["spc", "--workspace", f.ws.to_str().unwrap(), "--measure", "emergency_admissions", "--area", "council=14", "--format", format]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = common::stdout(&out);
        for (m, n) in adm.iter().filter(|(_, n)| (1..10).contains(*n)) {
            let line = text.lines().find(|l| l.contains(m.as_str()) && !l.contains("\"period\"")).unwrap_or("");
            if format != "json" {
                assert!(line.contains('*'), "{format}: {m} ({n}) must be withheld: {line:?}");
                assert!(!line.split([',', ' ']).any(|c| c == n.to_string()), "{format}: {line:?}");
            }
        }
    }
    let c = spc(&["--measure", "emergency_admissions", "--area", "council=14"]);
    let pts = c["points"].as_array().unwrap();
    let mut shown = Vec::new();
    for p in pts {
        let m = p["period"].as_str().unwrap();
        let raw = *adm.get(m).unwrap_or(&0);
        if (1..10).contains(&raw) {
            assert_eq!(p["value"], "*", "{m}");
            assert_eq!(p["people"], "*", "{m}");
            assert!(p["signal"].as_array().unwrap().is_empty(), "a withheld point carries no signal: {p}");
        } else {
            assert_eq!(p["value"].as_f64(), Some(raw as f64), "{m}");
            shown.push(raw as f64);
        }
    }
    // the mean is that of the shown values only (the withheld ones are gaps)
    let mean = shown.iter().sum::<f64>() / shown.len() as f64;
    assert!(close(&c["limits"][0]["mean"], mean), "mean {} vs {mean}", c["limits"][0]["mean"]);
    assert_eq!(c["limits"][0]["points"], shown.len());
    assert!(c["disclosure"]["applied"].as_bool().unwrap());
}

#[test]
fn bad_measure_or_area_gives_a_human_error() {
    let f = fixture();
    let ws = f.ws.to_str().unwrap();
    let run = |a: &[&str]| {
        let mut all = vec!["spc", "--workspace", ws];
        all.extend_from_slice(a);
        let out = carepath(&all);
        assert!(!out.status.success(), "{a:?} must fail");
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        stderr(&out)
    };
    let e = run(&["--measure", "admissions", "--area", "scotland"]);
    assert!(e.contains("--measure \"admissions\"") && e.contains("use one of") && e.contains("emergency_admissions"), "{e}");
    let e = run(&["--measure", "home_care_hours", "--area", "scotland"]);
    assert!(e.contains("per quarter"), "{e}");
    let e = run(&["--measure", "ae_attendances", "--area", "Fife"]);
    assert!(e.contains("--area \"Fife\"") && e.contains("DIM=VALUE") && e.contains("council=Fife"), "{e}");
    let e = run(&["--measure", "ae_attendances", "--area", "council=Atlantis"]);
    assert!(e.contains("\"Atlantis\" is not a council code or name"), "{e}");
    let e = run(&["--measure", "ae_attendances", "--area", "council=Fife"]);
    assert!(e.contains("--area council=Fife") && e.contains("no one in this workspace lives there") && e.contains("pick another area"), "{e}");
    let e = run(&["--measure", "ae_attendances", "--area", "locality=Nowhere"]);
    assert!(e.contains("no localities"), "{e}");
    let e = run(&["--measure", "ae_attendances", "--area", "scotland", "--by", "planet"]);
    assert!(e.contains("--by") && e.contains("not a dimension") && e.contains("locality"), "{e}");
    let e = run(&["--measure", "ae_attendances", "--area", "scotland", "--from", "April"]);
    assert!(e.contains("--from \"April\" is not a month (YYYY-MM"), "{e}");
}

#[test]
fn weekly_series_count_whole_weeks() {
    // Weeks Monday to Sunday inside the loaded years: 1 April 2019 is a Monday, so the first week
    // is 2019-04-01; independent count of A&E of council 14 in that week (1 to 7 April).
    let c = spc(&["--measure", "ae_attendances", "--area", "council=14", "--weekly", "--no-sdc"]);
    let pts = c["points"].as_array().unwrap();
    assert_eq!(pts[0]["period"], "2019-04-01");
    let first = by_month("SELECT 'w', count(*) FROM raw WHERE recid = 'AE2' AND lca = '14' AND CAST(record_keydate1 AS DATE) BETWEEN DATE '2019-04-01' AND DATE '2019-04-07'");
    assert_eq!(pts[0]["value"].as_f64(), first.get("w").map(|n| *n as f64));
    // every week is whole and inside 2019/20-2020/21: the last starts on or before 25 March 2021
    let last = pts.last().unwrap()["period"].as_str().unwrap().to_string();
    assert!(last.as_str() <= "2021-03-25" && last.as_str() >= "2021-03-19", "{last}");
    let total: f64 = pts.iter().filter_map(|p| p["value"].as_f64()).sum();
    let all = by_month(&format!(
        "SELECT 'w', count(*) FROM raw WHERE recid = 'AE2' AND lca = '14' AND CAST(record_keydate1 AS DATE) BETWEEN DATE '2019-04-01' AND DATE '{last}' + INTERVAL 6 DAY"
    ));
    assert_eq!(Some(total), all.get("w").map(|n| *n as f64));
}

#[test]
fn a_cohort_limits_the_people_counted() {
    // The women with a 2019/20 record (cohort spec): their A&E attendances in every month of
    // both years, by the independent query over the raw rows.
    let f = fixture();
    let spec = f.dir.parent().unwrap().join("women.toml");
    std::fs::write(&spec, "name = \"women\"\nyears = [\"1920\"]\n[[filter]]\nsex = \"F\"\n").unwrap();
    let c = spc(&["--measure", "ae_attendances", "--area", "council=17", "--spec", spec.to_str().unwrap(), "--no-sdc"]);
    let expect = by_month(
        "SELECT strftime(CAST(record_keydate1 AS DATE), '%Y-%m'), count(*) FROM raw WHERE recid = 'AE2' AND lca = '17'
           AND anon_chi IN (SELECT anon_chi FROM raw WHERE year = '1920' AND gender = '2') GROUP BY 1",
    );
    assert_eq!(values(&c["points"]), full(&expect));
    let everyone = by_month("SELECT strftime(CAST(record_keydate1 AS DATE), '%Y-%m'), count(*) FROM raw WHERE recid = 'AE2' AND lca = '17' GROUP BY 1");
    assert!(expect.values().sum::<u64>() < everyone.values().sum::<u64>());
    assert!(c["heading"].as_str().unwrap().contains("cohort women"), "{}", c["heading"]);
}

#[test]
fn with_by_a_lone_withheld_group_does_not_come_back_from_the_total() {
    // Each month's groups add up to All: wherever anything in a month is withheld, at least two
    // of All and its groups are (a single one would be All minus the others).
    for measure in ["emergency_admissions", "dd_bed_days", "ae_attendances"] {
        let c = spc(&["--measure", measure, "--area", "scotland", "--by", "council"]);
        let groups = c["groups"].as_array().unwrap();
        for (j, m) in months().iter().enumerate() {
            let withheld = groups.iter().filter(|g| g["points"][j]["value"] == "*").count();
            assert!(withheld != 1, "{measure} {m}: one withheld cell among All and its groups: {}", c["groups"]);
            let people = groups.iter().filter(|g| g["points"][j]["people"] == "*").count();
            assert!(people != 1, "{measure} {m}: one withheld people count");
        }
    }
}

#[test]
fn ppas_and_care_homes_equal_independent_sql() {
    // PPAs: stays whose rows carry cij_ppa = 1, in the month the stay starts
    let ppa = by_month(
        "SELECT m, count(*) FROM (SELECT strftime(min(CAST(record_keydate1 AS DATE)), '%Y-%m') AS m FROM raw WHERE recid = '01B' AND cij_ppa = '1' GROUP BY anon_chi, year, cij_marker) GROUP BY m",
    );
    assert_eq!(ppa.values().sum::<u64>(), 3);
    let c = spc(&["--measure", "ppa_admissions", "--area", "council=14", "--no-sdc"]);
    assert_eq!(values(&c["points"]), full(&ppa));
    // care-home admissions: one per person and admission date
    let adm = by_month("SELECT strftime(CAST(record_keydate1 AS DATE), '%Y-%m'), count(DISTINCT anon_chi) FROM raw WHERE recid = 'CH' GROUP BY 1");
    let c = spc(&["--measure", "care_home_admissions", "--area", "scotland", "--no-sdc"]);
    assert_eq!(values(&c["points"]), full(&adm));
    // residents: people with a night in the month, nights from admission to the day before
    // discharge, an open stay to the end of 2019/20 (its only year)
    let res = by_month(
        "SELECT strftime(d, '%Y-%m'), count(DISTINCT anon_chi) FROM (
           SELECT anon_chi, unnest(generate_series(CAST(record_keydate1 AS DATE),
                    coalesce(CAST(nullif(record_keydate2, '') AS DATE), DATE '2020-04-01') - INTERVAL 1 DAY, INTERVAL 1 DAY)) AS d
           FROM raw WHERE recid = 'CH') WHERE d < DATE '2020-04-01' GROUP BY 1",
    );
    let c = spc(&["--measure", "care_home_residents", "--area", "council=14", "--no-sdc"]);
    assert_eq!(values(&c["points"]), full(&res));
    assert!(res.values().any(|n| *n >= 5), "{res:?}");
}
