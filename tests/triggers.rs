//! `carepath triggers` (issue 13, item 5) on an extract in the full published episode layout
//! written here: who became an HRI in 2020/21 comes from PHS's rule recomputed by an independent
//! DuckDB query over the raw CSVs (cost descending, cumulative share <= 50%,
//! `R/add_hri_variables.R` L101-128), age from PHS's mid-year rule (whole years to 30 September,
//! `R/compute_mid_year_age.R`), and the matching, weighting and stay counting are done again in
//! this file from the raw rows, never by carepath's code.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PEOPLE: usize = 240;
const BANDS: [(&str, i64, i64); 6] = [("0-17", 0, 17), ("18-44", 18, 44), ("45-64", 45, 64), ("65-74", 65, 74), ("75-84", 75, 84), ("85+", 85, 200)];

fn cost(i: usize, year: &str) -> f64 {
    let k = if year == "1920" { (i * 37 + 11) % PEOPLE } else { (i * 53 + 5) % PEOPLE };
    ((20.0 + (k as f64).powf(2.2) * 0.37) * 100.0).round() / 100.0 + i as f64 / 1000.0
}

/// A&E visits in 2019/20 of person `i` (0-3, in months spread by `i`), and an emergency stay of
/// two episodes of one CIJ for every fifth person, some crossing a month end.
fn write_extract(dir: &Path) -> PathBuf {
    let (mut y1, mut y2) = (Vec::new(), Vec::new());
    for i in 0..PEOPLE {
        let w = Who::new(i);
        for (year, date, rows) in [("1920", "2019-06-30", &mut y1), ("2021", "2020-07-01", &mut y2)] {
            let mut r = episode(&w, year, "PIS", date, date, true);
            r.insert("cost_total_net".into(), format!("{:.3}", cost(i, year)));
            rows.push(r);
        }
        for v in 0..(i % 4) {
            let d = plus("2019-04-03", ((i * 11 + v * 97) % 360) as i64);
            y1.push(episode(&w, "1920", "AE2", &d, &d, true));
        }
        if i % 5 == 0 {
            let a = plus("2019-04-20", ((i * 13) % 330) as i64);
            let (b, c) = (plus(&a, 9), plus(&a, 15));
            for (k1, k2) in [(&a, &b), (&b, &c)] {
                let mut r = episode(&w, "1920", "01B", k1, k2, true);
                for (k, v) in [("cij_marker", "1"), ("cij_start_date", a.as_str()), ("cij_end_date", c.as_str()), ("ipdc", "I"), ("cij_pattype_code", "0"), ("cij_admtype", "33"), ("tadm", "33")] {
                    r.insert(k.into(), v.into());
                }
                y1.push(r);
            }
        }
    }
    write_episodes(dir, "1920", &y1);
    write_episodes(dir, "2021", &y2);
    dir.to_path_buf()
}

fn fixture() -> &'static Loaded {
    static F: OnceLock<Loaded> = OnceLock::new();
    F.get_or_init(|| load_extract(write_extract))
}

fn triggers(args: &[&str]) -> Value {
    fixture().json("triggers", args)
}

/// Independent: per person HRI in 1920 and 2021 (PHS's Scotland rule over the raw costs), their
/// 2019/20 stratum (mid-year age band, sex, council) and their 2019/20 A&E visits and emergency
/// stays by month (a stay once, in the month its first episode starts).
struct Expected {
    hri: HashMap<String, (bool, bool)>,
    stratum: HashMap<String, String>,
    /// (person, step, month) -> count
    uses: HashMap<(String, &'static str, String), u64>,
}

fn expected(dir: &Path) -> Expected {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let union = ["1920", "2021"].iter().map(|y| format!("SELECT * FROM {}", raw(dir, &format!("source-episode-file-{y}.csv")))).collect::<Vec<_>>().join(" UNION ALL BY NAME ");
    let sql = format!(
        "WITH raw AS ({union}),
         py AS (SELECT anon_chi, year, coalesce(sum(CAST(cost_total_net AS DOUBLE)) FILTER (WHERE recid IN {HEALTH}), 0) AS c FROM raw GROUP BY ALL),
         cum AS (SELECT anon_chi, year, 100 * sum(c) OVER (PARTITION BY year ORDER BY c DESC, anon_chi ROWS UNBOUNDED PRECEDING) / sum(c) OVER (PARTITION BY year) AS p FROM py)
         SELECT a.anon_chi, a.p <= 50, b.p <= 50 FROM cum a JOIN cum b ON a.anon_chi = b.anon_chi AND a.year = '1920' AND b.year = '2021'"
    );
    let mut hri = HashMap::new();
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        hri.insert(r.get::<_, String>(0).unwrap(), (r.get(1).unwrap(), r.get(2).unwrap()));
    }
    let mut stratum = HashMap::new();
    for i in 0..PEOPLE {
        let w = Who::new(i);
        let (y, m, d): (i64, i64, i64) = {
            let p: Vec<i64> = w.dob.split('-').map(|x| x.parse().unwrap()).collect();
            (p[0], p[1], p[2])
        };
        let age = 2019 - y - if (m, d) > (9, 30) { 1 } else { 0 };
        let band = BANDS.iter().find(|(_, lo, hi)| (*lo..=*hi).contains(&age)).unwrap().0;
        stratum.insert(w.anon(), format!("{band}|{}|{}", w.gender, layout_fixture::PLACES[w.place].lca));
    }
    let sql = format!(
        "WITH raw AS (SELECT * FROM {}) \
         SELECT anon_chi, 'A&E', strftime(CAST(record_keydate1 AS DATE), '%Y-%m'), count(*) FROM raw WHERE recid = 'AE2' GROUP BY ALL \
         UNION ALL \
         SELECT anon_chi, 'Emergency admission', m, count(*) FROM \
           (SELECT anon_chi, cij_marker, strftime(min(CAST(record_keydate1 AS DATE)), '%Y-%m') AS m FROM raw WHERE recid = '01B' GROUP BY ALL) GROUP BY ALL",
        raw(dir, "source-episode-file-1920.csv")
    );
    let mut uses = HashMap::new();
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let step: String = r.get(1).unwrap();
        let step: &'static str = if step == "A&E" { "A&E" } else { "Emergency admission" };
        uses.insert((r.get::<_, String>(0).unwrap(), step, r.get::<_, String>(2).unwrap()), r.get::<_, i64>(3).unwrap() as u64);
    }
    Expected { hri, stratum, uses }
}

/// The figures by the definitions: (new HRIs, matched, comparison people, per step and
/// month (None = the year): (new events, comparison events, new per person, weighted comparison
/// per person)).
#[allow(clippy::type_complexity)]
fn figures(e: &Expected) -> (u64, u64, u64, BTreeMap<(&'static str, Option<String>), (u64, u64, f64, f64)>) {
    let new: Vec<&String> = e.hri.iter().filter(|(_, (a, b))| !a && *b).map(|(k, _)| k).collect();
    let comp: Vec<&String> = e.hri.iter().filter(|(_, (a, b))| !a && !b).map(|(k, _)| k).collect();
    let mut n: HashMap<&String, f64> = HashMap::new();
    let mut m: HashMap<&String, f64> = HashMap::new();
    for p in &new {
        *n.entry(&e.stratum[*p]).or_default() += 1.0;
    }
    for p in &comp {
        *m.entry(&e.stratum[*p]).or_default() += 1.0;
    }
    let matched_new: Vec<&&String> = new.iter().filter(|p| m.contains_key(&e.stratum[**p])).collect();
    let matched_comp: Vec<&&String> = comp.iter().filter(|p| n.contains_key(&e.stratum[**p])).collect();
    let nm = matched_new.len() as f64;
    let mut out: BTreeMap<(&'static str, Option<String>), (u64, u64, f64, f64)> = BTreeMap::new();
    for ((who, step, month), k) in &e.uses {
        let s = &e.stratum[who];
        let (is_new, is_comp) = (matched_new.iter().any(|p| **p == who), matched_comp.iter().any(|p| **p == who));
        for key in [(*step, None), (*step, Some(month.clone()))] {
            let x = out.entry(key).or_default();
            if is_new {
                x.0 += k;
                x.2 += *k as f64 / nm;
            } else if is_comp {
                x.1 += k;
                x.3 += (n[s] / m[s]) * *k as f64 / nm;
            }
        }
    }
    (new.len() as u64, matched_new.len() as u64, matched_comp.len() as u64, out)
}

fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (x * f).round() / f
}

#[test]
fn new_hris_and_their_matched_comparison_match_an_independent_computation() {
    let f = fixture();
    let e = expected(&f.dir);
    let (new, matched, comp, want) = figures(&e);
    assert!(new >= 20 && matched >= 10 && comp >= 40, "the fixture gives enough people: {new} new, {matched} matched, {comp} comparison");
    let v = triggers(&["--year", "2021", "--no-sdc"]);
    assert_eq!(v["new_hri_people"], new);
    assert_eq!(v["matched_new_hri_people"], matched);
    assert_eq!(v["unmatched_new_hri_people"], new - matched);
    assert_eq!(v["comparison_people"], comp);
    let measures = v["measures"].as_array().unwrap();
    for step in ["A&E", "Emergency admission"] {
        let got = measures.iter().find(|m| m["service"] == step).unwrap();
        let (ne, ce, np, cp) = want[&(step, None)];
        assert_eq!(got["new_hri_events"], ne, "{step}");
        assert_eq!(got["comparison_events"], ce, "{step}");
        assert_eq!(got["new_hri_per_person"].as_f64().unwrap(), round(np, 3), "{step}");
        assert_eq!(got["comparison_per_person"].as_f64().unwrap(), round(cp, 3), "{step}");
        assert_eq!(got["ratio"].as_f64().unwrap(), round(np / cp, 2), "{step}");
    }
    // services nobody used: zero events, no ratio
    let gls = measures.iter().find(|m| m["service"] == "GLS").unwrap();
    assert_eq!((gls["new_hri_events"].as_u64(), gls["ratio"].is_null()), (Some(0), true));
    // month by month, April to March, and the months add up to the year
    let by_month = v["by_month"].as_array().unwrap();
    let months: Vec<&str> = by_month.iter().filter(|r| r["service"] == "A&E").map(|r| r["month"].as_str().unwrap()).collect();
    assert_eq!(months.first().copied(), Some("2019-04"));
    assert_eq!((months.len(), months.last().copied()), (12, Some("2020-03")));
    for step in ["A&E", "Emergency admission"] {
        for r in by_month.iter().filter(|r| r["service"] == step) {
            let (ne, ce, np, cp) = want.get(&(step, Some(r["month"].as_str().unwrap().to_string()))).copied().unwrap_or_default();
            assert_eq!((r["new_hri_events"].as_u64(), r["comparison_events"].as_u64()), (Some(ne), Some(ce)), "{step} {}", r["month"]);
            assert_eq!(r["new_hri_per_person"].as_f64().unwrap(), round(np, 3), "{step} {}", r["month"]);
            assert_eq!(r["comparison_per_person"].as_f64().unwrap(), round(cp, 3), "{step} {}", r["month"]);
        }
    }
}

#[test]
fn gated_triggers_show_no_small_count_and_give_none_back() {
    let v = triggers(&["--year", "2020/21"]);
    let tables = &v["tables"];
    let count = |c: &Value| c.as_u64();
    // no count 1-9 anywhere
    for (name, t) in tables.as_object().unwrap() {
        for row in t.as_array().unwrap() {
            for (col, c) in row.as_object().unwrap() {
                if !col.contains("per_person") && col != "ratio" && col != "group" && col != "service" {
                    if let Some(n) = count(c) {
                        assert!(n == 0 || n >= 10, "{name}.{col} shows {n}");
                    }
                }
            }
        }
    }
    // a month withheld alone beside a shown total would come back as total minus the others
    for name in ["triggers_new_hri_by_month", "triggers_comparison_by_month"] {
        for row in tables[name].as_array().unwrap() {
            let o = row.as_object().unwrap();
            let months: Vec<&Value> = o.iter().filter(|(k, _)| k.len() == 7 && k.starts_with("20")).map(|(_, c)| c).collect();
            let hidden = months.iter().filter(|c| c.as_str() == Some("*")).count();
            if count(&o["total"]).is_some() {
                assert_ne!(hidden, 1, "{name} {row}: one withheld month beside its total");
            }
        }
    }
    // a ratio is withheld with either rate
    for m in v["measures"].as_array().unwrap() {
        if m["new_hri_per_person"] == "*" || m["comparison_per_person"] == "*" {
            assert_eq!(m["ratio"], "*", "{m}");
        }
    }
    assert_eq!(v["disclosure"]["applied"], true);
}

#[test]
fn a_year_without_the_year_before_is_refused_with_a_reason() {
    let f = fixture();
    let out = carepath(&["triggers", "--workspace", f.ws.to_str().unwrap(), "--year", "1920"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("2018/19, which is not loaded"), "{err}");
    let out = carepath(&["triggers", "--workspace", f.ws.to_str().unwrap(), "--year", "2021"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = common::stdout(&out);
    assert!(text.contains("new HRIs of 2020/21"), "{text}");
    assert!(text.contains("April to March"), "the month strips: {text}");
}
