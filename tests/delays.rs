//! `carepath delays` (issue 14, item 1) on an extract in the full published episode layout
//! written here, with delays scripted by hand:
//! D1 x12 A&E then an emergency stay with a delay (reason 11A, 10 days, ended home);
//! D2 x11 living in a care home, an emergency stay (no A&E) with a Code 9 delay (51X) across
//! three months (45 days, ended in a placement);
//! D3 x3 an elective stay with a delay still open at the year end (24C; 11, 10 and 9 days);
//! D4 x1 a delay with no reason and no stay (2 days).
//! Bed days follow PHS's DD rule (`R/link_delayed_discharge_eps.R` L300-310: last day counted,
//! first not) and are written into the file's `yearstay` as the SLF carries them; Code 9 is
//! `primary_delay_reason == "9"` (`R/create_individual_file.R` L486-498). Expected figures come
//! from independent SQL over the raw CSV or from the scripted dates counted here by hand.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FY_END: &str = "2020-03-31";

/// One scripted delay: person, type, start, end (None: open), reason, secondary, end reason.
#[derive(Clone, Debug)]
struct Delay {
    who: Who,
    kind: &'static str,
    start: String,
    end: Option<String>,
}

/// Bed days of a delay between two days inclusive (last day counted, first not), by counting.
fn days_in(d: &Delay, from: &str, to: &str) -> i64 {
    let end = d.end.clone().unwrap_or_else(|| FY_END.to_string());
    let (s, e) = (day_number(&d.start), day_number(&end).min(day_number(FY_END)));
    (day_number(from)..=day_number(to)).filter(|x| *x > s && *x <= e).count() as i64
}

fn delays_scripted() -> Vec<Delay> {
    let mut out = Vec::new();
    let mut i = 2000;
    let mut add = |kind: &'static str, n: i64, f: &dyn Fn(i64) -> (String, Option<String>)| {
        for j in 0..n {
            let (start, end) = f(j);
            out.push(Delay { who: Who::new(i), kind, start, end });
            i += 1;
        }
    };
    add("D1", 12, &|j| (plus("2019-06-11", j), Some(plus("2019-06-21", j))));
    add("D2", 11, &|j| (plus("2019-09-20", j), Some(plus("2019-11-04", j))));
    add("D3", 3, &|j| (plus("2020-03-20", j), None));
    add("D4", 1, &|_| ("2019-05-01".to_string(), Some("2019-05-03".to_string())));
    out
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut y1 = Vec::new();
    let mut y2 = Vec::new();
    let set = |r: &mut Row, kv: &[(&str, &str)]| {
        for (k, v) in kv {
            r.insert(k.to_string(), v.to_string());
        }
    };
    for d in delays_scripted() {
        let w = &d.who;
        let end = d.end.clone().unwrap_or_default();
        let mut pis = episode(w, "1920", "PIS", "2019-04-10", "2019-04-10", true);
        set(&mut pis, &[("cost_total_net", "30")]);
        y1.push(pis);
        let mut pis2 = episode(w, "2021", "PIS", "2020-04-10", "2020-04-10", true);
        set(&mut pis2, &[("cost_total_net", "30")]);
        y2.push(pis2);
        let mut dd = episode(w, "1920", "DD", &d.start, &end, true);
        let yearstay = days_in(&d, "2019-04-01", FY_END).to_string();
        set(&mut dd, &[("yearstay", yearstay.as_str()), ("stay", yearstay.as_str())]);
        // the stay the delay belongs to
        let (adm_start, adm_end, elective) = match d.kind {
            "D1" => (plus(&d.start, -10), end.clone(), false),
            "D2" => (plus(&d.start, -15), end.clone(), false),
            "D3" => (plus(&d.start, -19), String::new(), true),
            _ => (String::new(), String::new(), false),
        };
        match d.kind {
            "D1" => set(&mut dd, &[("primary_delay_reason", "11A"), ("delay_end_reason", "3"), ("location", "G107H"), ("spec", "AB")]),
            "D2" => set(&mut dd, &[("primary_delay_reason", "9"), ("secondary_delay_reason", "51X"), ("delay_end_reason", "1"), ("location", "S116H"), ("spec", "A1")]),
            "D3" => set(&mut dd, &[("primary_delay_reason", "24C"), ("location", "L106H"), ("spec", "C8")]),
            _ => set(&mut dd, &[("location", "N101H"), ("spec", "A1")]),
        }
        if !adm_start.is_empty() {
            set(&mut dd, &[("cij_marker", "1"), ("cij_start_date", adm_start.as_str()), ("cij_end_date", adm_end.as_str())]);
            let mut ip = episode(w, "1920", "01B", &adm_start, &adm_end, true);
            let code = if elective { "11" } else { "33" };
            set(&mut ip, &[("cij_marker", "1"), ("cij_start_date", adm_start.as_str()), ("cij_end_date", adm_end.as_str()), ("ipdc", "I"),
                ("cij_pattype_code", if elective { "1" } else { "0" }), ("cij_admtype", code), ("tadm", code), ("cost_total_net", "2000"), ("spec", "A1")]);
            y1.push(ip);
        }
        if d.kind == "D1" {
            y1.push(episode(w, "1920", "AE2", &adm_start, &adm_start, true));
        }
        if d.kind == "D2" {
            // in a care home since before the year (open stay)
            y1.push(episode(w, "1920", "CH", "2018-05-01", "", true));
        }
        y1.push(dd);
    }
    write_episodes(dir, "1920", &y1);
    write_episodes(dir, "2021", &y2);
    dir.to_path_buf()
}

fn fixture() -> &'static Loaded {
    static F: OnceLock<Loaded> = OnceLock::new();
    F.get_or_init(|| load_extract(write_extract))
}

fn delays(args: &[&str]) -> Value {
    fixture().json("delays", args)
}

/// (people, episodes, bed days, Code 9 bed days) of a published row.
fn figures(row: &Value) -> (i64, i64, f64, f64) {
    (row["people"].as_i64().unwrap(), row["episodes"].as_i64().unwrap(), row["bed_days"].as_f64().unwrap(), row["code9_bed_days"].as_f64().unwrap())
}

fn rows_by_group(v: &Value) -> BTreeMap<String, Value> {
    v["rows"].as_array().unwrap().iter().map(|r| (r["group"].as_str().unwrap().to_string(), r.clone())).collect()
}

/// Independent SQL over the raw 2019/20 episode file: DD rows grouped by `key` (an expression
/// over the raw columns), as (people, episodes, bed days, Code 9 bed days).
fn raw_by(dir: &Path, key: &str) -> BTreeMap<String, (i64, i64, f64, f64)> {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let sql = format!(
        "SELECT coalesce({key}, 'none'), count(DISTINCT anon_chi), count(*), sum(CAST(yearstay AS DOUBLE)),
                coalesce(sum(CAST(yearstay AS DOUBLE)) FILTER (WHERE primary_delay_reason = '9'), 0)
         FROM {} WHERE recid = 'DD' GROUP BY 1",
        raw(dir, "source-episode-file-1920.csv")
    );
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next().unwrap() {
        out.insert(r.get(0).unwrap(), (r.get(1).unwrap(), r.get(2).unwrap(), r.get(3).unwrap(), r.get(4).unwrap()));
    }
    out
}

#[test]
fn bed_days_by_reason_and_code9_equal_sql_over_the_raw_file() {
    let f = fixture();
    let v = delays(&["--year", "1920", "--by", "reason", "--no-sdc"]);
    let expected = raw_by(&f.dir, "CASE WHEN primary_delay_reason = '9' THEN coalesce(secondary_delay_reason, '9') ELSE primary_delay_reason END");
    let got = rows_by_group(&v);
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (code, want) in &expected {
        let prefix = match code.as_str() {
            "none" => "not recorded".to_string(),
            "51X" => "Code 9 51X:".to_string(),
            c => format!("{c}:"),
        };
        let (_, row) = got.iter().find(|(g, _)| g.starts_with(&prefix)).unwrap_or_else(|| panic!("no row for {code}: {got:?}"));
        assert_eq!(figures(row), *want, "{code}");
    }
    // the hand count: 12 x 10 + 11 x 45 + (11 + 10 + 9, open to 31 March) + 2 bed days;
    // Code 9 = 11 x 45
    let total = figures(&v["total"]);
    assert_eq!(total, (27, 27, (12 * 10 + 11 * 45 + 30 + 2) as f64, (11 * 45) as f64));
    // the reason group of 51X is the publication's AWI group
    let g = rows_by_group(&delays(&["--year", "1920", "--by", "reason-group", "--no-sdc"]));
    assert_eq!(figures(&g["Adults with Incapacity Act (Code 9)"]), (11, 11, 495.0, 495.0));
    assert_eq!(figures(&g["Assessment (Health and Social Care Reasons)"]), (12, 12, 120.0, 0.0));
    assert_eq!(figures(&g["Place Availability (Health and Social Care Reasons)"]), (3, 3, 30.0, 0.0));
    assert_eq!(figures(&g["not recorded"]), (1, 1, 2.0, 0.0), "no reason: in neither Code 9 nor the rest");
}

#[test]
fn council_of_residence_equals_sql_over_the_raw_file() {
    let f = fixture();
    let v = delays(&["--year", "1920", "--by", "council", "--no-sdc"]);
    let names: BTreeMap<String, String> = std::fs::read_to_string("assets/council_areas.csv")
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let p: Vec<&str> = l.split(',').collect();
            (p[0].to_string(), p[2].to_string())
        })
        .collect();
    let got = rows_by_group(&v);
    let expected = raw_by(&f.dir, "lca");
    assert_eq!(got.len(), expected.len());
    for (lca, want) in expected {
        assert_eq!(figures(&got[&names[&lca]]), want, "council {lca}");
    }
}

#[test]
fn months_count_bed_days_and_the_census_by_hand() {
    let v = delays(&["--year", "1920", "--by", "month", "--no-sdc"]);
    let got = rows_by_group(&v);
    let months: Vec<(String, String)> = (0..12)
        .map(|k| {
            let (y, m) = if k < 9 { (2019, 4 + k) } else { (2020, k - 8) };
            let first = format!("{y}-{m:02}-01");
            let next = if m == 12 { format!("{}-01-01", y + 1) } else { format!("{y}-{:02}-01", m + 1) };
            (first, plus(&next, -1))
        })
        .collect();
    assert_eq!(got.len(), 12, "every month of the year: {got:?}");
    let all = delays_scripted();
    for (first, last) in &months {
        // the census: the last Thursday of the month (1970-01-01 was a Thursday)
        let census = (day_number(first)..=day_number(last)).filter(|d| d.rem_euclid(7) == 0).max().unwrap();
        let mut want = (0i64, 0i64, 0i64, 0i64, 0i64);
        for d in &all {
            let n = days_in(d, first, last);
            if n > 0 {
                want.0 += 1;
                want.1 += 1;
                want.2 += n;
                if d.kind == "D2" {
                    want.3 += n;
                }
            }
            let open_at_census = day_number(&d.start) <= census && d.end.as_ref().is_none_or(|e| day_number(e) > census);
            if open_at_census {
                want.4 += 1;
            }
        }
        let row = &got[&first[..7]];
        let (p, e, b, c9) = figures(row);
        assert_eq!((p, e, b as i64, c9 as i64, row["census_people"].as_i64().unwrap()), want, "{first}: {row}");
    }
    // September to November hold the Code 9 delays: 11 people on the October census
    assert_eq!(got["2019-10"]["census_people"], 11);
}

#[test]
fn length_admission_origin_and_destination_follow_the_script() {
    let by = |d: &str| rows_by_group(&delays(&["--year", "1920", "--by", d, "--no-sdc"]));
    let l = by("length");
    assert_eq!(figures(&l["4 days to 2 weeks"]), (15, 15, 150.0, 0.0), "D1 (10 days) and D3 (11, 10 and 9 days to the year end)");
    assert_eq!(figures(&l["6 to 12 weeks"]), (11, 11, 495.0, 495.0));
    assert_eq!(figures(&l["up to 3 days"]), (1, 1, 2.0, 0.0));
    let a = by("admission");
    assert_eq!(a["emergency admission via A&E"]["episodes"], 12);
    assert_eq!(a["emergency admission, not via A&E"]["episodes"], 11);
    assert_eq!(a["elective admission"]["episodes"], 3);
    assert_eq!(a["no linked stay"]["episodes"], 1);
    let o = by("origin");
    assert_eq!(o["from a care home"]["people"], 11);
    assert_eq!(o["not from a care home"]["people"], 16);
    let d = by("destination");
    assert_eq!(d["3: home"]["episodes"], 12);
    assert_eq!(d["1: placement (residential / nursing home)"]["episodes"], 11);
    assert_eq!(d["not recorded"]["episodes"], 4);
}

#[test]
fn a_cohort_restricts_the_delays_to_its_people() {
    let f = fixture();
    let v = delays(&["--year", "1920", "--by", "reason", "--sex", "F", "--no-sdc"]);
    // women by the raw file's gender column (2 = female)
    let c = duckdb::Connection::open_in_memory().unwrap();
    let (people, beds): (i64, f64) = c
        .query_row(
            &format!("SELECT count(DISTINCT anon_chi), sum(CAST(yearstay AS DOUBLE)) FROM {} WHERE recid = 'DD' AND gender = '2'", raw(&f.dir, "source-episode-file-1920.csv")),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(people > 0 && people < 27);
    assert_eq!(v["total"]["people"].as_i64(), Some(people));
    assert_eq!(v["total"]["bed_days"].as_f64(), Some(beds));
}

#[test]
fn no_small_count_and_no_withheld_count_recoverable_from_the_total() {
    for by in ["reason", "reason-group", "council", "hospital", "specialty", "length", "admission", "destination", "month", "locality"] {
        let v = delays(&["--year", "1920", "--by", by]);
        let rows = v["rows"].as_array().unwrap();
        for col in ["people", "episodes", "census_people"] {
            for r in rows.iter().chain(std::iter::once(&v["total"])) {
                if let Some(n) = r[col].as_i64() {
                    assert!(n == 0 || n >= 10, "{by}: {col} {n} shown: {r}");
                }
            }
        }
        // the groups' episodes add up to the total (except by month): a lone withheld cell
        // would be the total minus the others
        if by != "month" {
            let withheld = rows.iter().filter(|r| r["episodes"] == "*").count();
            assert!(withheld != 1, "{by}: one withheld episode count could be recovered: {v}");
            if v["total"]["episodes"].is_i64() && withheld == 0 {
                let sum: i64 = rows.iter().map(|r| r["episodes"].as_i64().unwrap()).sum();
                assert_eq!(Some(sum), v["total"]["episodes"].as_i64(), "{by}");
            }
        }
        for r in rows {
            if r["episodes"] == "*" {
                assert_eq!(r["bed_days"], "*", "{by}: bed days go with their episodes: {r}");
            }
        }
    }
}

#[test]
fn mistakes_are_explained() {
    let f = fixture();
    let ws = f.ws.to_str().unwrap();
    let out = carepath(&["delays", "--workspace", ws, "--year", "1718"]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("2017/18") && e.contains("2019/20"), "names the year asked and those loaded: {e}");
    let out = carepath(&["delays", "--workspace", ws, "--by", "postcode"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("reason-group"), "lists the splits: {}", stderr(&out));
    let out = carepath(&["delays", "--workspace", ws, "--year", "1920,2021"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("one financial year"), "{}", stderr(&out));
}
