//! `carepath cube` (issue 14, item 3) on an extract in the full published episode layout
//! written here: 400 people (born 1925-2004, five councils, both sexes), each with a
//! prescribing row in 2019/20 (cost 10 + 3 x (i % 37)); every third an emergency stay (cost 500
//! + 7 x (i % 100)), every fifth an elective stay (cost 800), every fourth an A&E attendance
//! (cost 120); in 2020/21 only the even ones have a prescribing row.
//!
//! Expected figures come from independent SQL over the raw CSV files, from the European
//! Standard Population 2013 as published (written out below), or from hand arithmetic; never
//! from carepath.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PEOPLE: usize = 400;
const FIRST: usize = 5000;

/// The European Standard Population 2013 (Eurostat, "Revision of the European Standard
/// Population", 2013, table 3): 0-4, 5-9, ..., 85-89, 90+.
const ESP2013: [f64; 19] =
    [5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0];

fn set(r: &mut Row, kv: &[(&str, &str)]) {
    for (k, v) in kv {
        r.insert(k.to_string(), v.to_string());
    }
}

/// An acute stay of CIJ `cij`, emergency or elective, 4 nights.
fn stay(w: &Who, cij: &str, start: &str, emergency: bool, cost: f64) -> Row {
    let end = plus(start, 4);
    let mut r = episode(w, "1920", "01B", start, &end, true);
    let code = if emergency { "33" } else { "11" };
    let cost = format!("{cost}");
    set(
        &mut r,
        &[
            ("cij_marker", cij),
            ("cij_start_date", start),
            ("cij_end_date", &end),
            ("ipdc", "I"),
            ("cij_pattype_code", if emergency { "0" } else { "1" }),
            ("cij_admtype", code),
            ("tadm", code),
            ("yearstay", "4"),
            ("stay", "4"),
            ("cost_total_net", &cost),
            ("spec", "A1"),
        ],
    );
    r
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut y1 = Vec::new();
    let mut y2 = Vec::new();
    for i in FIRST..FIRST + PEOPLE {
        let w = Who::new(i);
        let mut pis = episode(&w, "1920", "PIS", "2019-04-10", "2019-04-10", true);
        set(&mut pis, &[("cost_total_net", &format!("{}", 10 + 3 * (i % 37)))]);
        y1.push(pis);
        let day = plus("2019-05-01", (i % 200) as i64);
        if i % 3 == 0 {
            y1.push(stay(&w, "1", &day, true, (500 + 7 * (i % 100)) as f64));
        }
        if i % 5 == 0 {
            y1.push(stay(&w, "2", &plus(&day, 30), false, 800.0));
        }
        if i % 4 == 0 {
            let mut ae = episode(&w, "1920", "AE2", &day, &day, true);
            set(&mut ae, &[("cost_total_net", "120")]);
            y1.push(ae);
        }
        if i % 2 == 0 {
            let mut p2 = episode(&w, "2021", "PIS", "2020-04-10", "2020-04-10", true);
            set(&mut p2, &[("cost_total_net", "25")]);
            y2.push(p2);
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

fn cube(args: &[&str]) -> Value {
    fixture().json("cube", args)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Council names by `lca` code, from the shipped code list.
fn council_names() -> BTreeMap<String, String> {
    std::fs::read_to_string("assets/council_areas.csv")
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let p: Vec<&str> = l.split(',').collect();
            (p[0].to_string(), p[2].to_string())
        })
        .collect()
}

/// Independent SQL over a raw episode file: per person, their council, sex, age at 30
/// September 2019 (PHS's age), health cost and emergency stays.
fn per_person_sql(dir: &Path) -> String {
    format!(
        "SELECT anon_chi, any_value(lca) AS lca, CASE any_value(gender) WHEN '1' THEN 'M' ELSE 'F' END AS sex,
                2019 - year(CAST(any_value(dob) AS DATE)) - CASE WHEN month(CAST(any_value(dob) AS DATE)) > 9 THEN 1 ELSE 0 END AS age,
                coalesce(sum(CAST(cost_total_net AS DOUBLE)) FILTER (WHERE recid IN {HEALTH}), 0) AS cost,
                count(DISTINCT cij_marker) FILTER (WHERE recid = '01B' AND cij_pattype_code = '0') AS em
         FROM {} GROUP BY anon_chi",
        raw(dir, "source-episode-file-1920.csv")
    )
}

fn query(sql: &str) -> Vec<Vec<Value>> {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let mut st = c.prepare(sql).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let n = r.as_ref().column_count();
        out.push(
            (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    duckdb::types::ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).to_string()),
                    duckdb::types::ValueRef::BigInt(v) => Value::from(v),
                    duckdb::types::ValueRef::Double(v) => Value::from(v),
                    duckdb::types::ValueRef::HugeInt(v) => Value::from(v as f64),
                    duckdb::types::ValueRef::Int(v) => Value::from(v),
                    other => panic!("unexpected {other:?}"),
                })
                .collect(),
        );
    }
    out
}

fn by_row_col(v: &Value, part: &str) -> BTreeMap<(String, String), Value> {
    v[part].as_array().unwrap().iter().map(|c| ((c["row"].as_str().unwrap().to_string(), c["col"].as_str().unwrap().to_string()), c.clone())).collect()
}

#[test]
fn council_by_sex_cells_and_totals_equal_sql_over_the_raw_file() {
    let f = fixture();
    let v = cube(&["--year", "1920", "--rows", "council", "--cols", "sex", "--measure", "health-cost", "--no-sdc"]);
    let names = council_names();
    let sex = |s: &str| if s == "M" { "male" } else { "female" }.to_string();
    let cells = by_row_col(&v, "cells");
    let raw = query(&format!("SELECT lca, sex, count(*), sum(cost) FROM ({}) GROUP BY ALL", per_person_sql(&f.dir)));
    assert_eq!(cells.len(), raw.len(), "{cells:?}");
    assert_eq!(raw.len(), 10, "five councils x two sexes");
    for r in &raw {
        let key = (names[r[0].as_str().unwrap()].clone(), sex(r[1].as_str().unwrap()));
        let c = cells.get(&key).unwrap_or_else(|| panic!("no cell {key:?}"));
        assert_eq!(num(&c["people"]), num(&r[2]), "{key:?} people");
        assert!((num(&c["sum"]) - num(&r[3])).abs() < 0.5, "{key:?} cost {} vs {}", c["sum"], r[3]);
    }
    // every row's cells add up to its row total, every column's to its column total
    let rows = by_row_col(&v, "row_totals");
    let cols = by_row_col(&v, "col_totals");
    assert_eq!((rows.len(), cols.len()), (5, 2));
    for ((r, _), t) in &rows {
        let s: f64 = cells.iter().filter(|((cr, _), _)| cr == r).map(|(_, c)| num(&c["people"])).sum();
        assert_eq!(num(&t["people"]), s, "row {r}");
    }
    for ((_, c), t) in &cols {
        let s: f64 = cells.iter().filter(|((_, cc), _)| cc == c).map(|(_, x)| num(&x["sum"])).sum();
        assert!((num(&t["sum"]) - s).abs() < 1.0, "column {c}");
    }
    assert_eq!(num(&v["total"]["people"]), PEOPLE as f64);
    // the total by hand: prescribing sum_i (10 + 3 (i % 37)), emergency stays (i % 3 == 0)
    // 500 + 7 (i % 100), elective stays (i % 5 == 0) 800, A&E (i % 4 == 0) 120
    let all = FIRST..FIRST + PEOPLE;
    let by_hand: usize = all.clone().map(|i| 10 + 3 * (i % 37)).sum::<usize>()
        + all.clone().filter(|i| i % 3 == 0).map(|i| 500 + 7 * (i % 100)).sum::<usize>()
        + all.clone().filter(|i| i % 5 == 0).count() * 800
        + all.filter(|i| i % 4 == 0).count() * 120;
    assert!((num(&v["total"]["sum"]) - by_hand as f64).abs() < 0.5, "total {} vs {by_hand}", v["total"]["sum"]);
}

#[test]
fn rates_per_person_and_per_thousand_divide_by_the_cells_people() {
    let f = fixture();
    let names = council_names();
    let raw = query(&format!("SELECT lca, count(*), sum(em), sum(cost) FROM ({}) GROUP BY ALL", per_person_sql(&f.dir)));
    let per1000 = by_row_col(&cube(&["--year", "1920", "--rows", "council", "--measure", "emergency-admissions", "--rate", "per1000", "--no-sdc"]), "cells");
    let per_person = by_row_col(&cube(&["--year", "1920", "--rows", "council", "--measure", "health-cost", "--rate", "per-person", "--no-sdc"]), "cells");
    for r in &raw {
        let key = (names[r[0].as_str().unwrap()].clone(), String::new());
        let (n, em, cost) = (num(&r[1]), num(&r[2]), num(&r[3]));
        assert_eq!(num(&per1000[&key]["sum"]), em, "{key:?} emergency stays");
        assert!((num(&per1000[&key]["value"]) - em * 1000.0 / n).abs() < 0.051, "{key:?} per 1,000");
        assert!((num(&per_person[&key]["value"]) - cost / n).abs() < 0.0051, "{key:?} per person");
    }
}

#[test]
fn standardised_rates_equal_a_hand_computation_with_the_esp_2013() {
    let f = fixture();
    let names = council_names();
    // per council, 5-year age group and sex: people and emergency stays (raw SQL)
    let raw = query(&format!("SELECT lca, least(age // 5, 18) AS g, sex, count(*), sum(em) FROM ({}) GROUP BY ALL", per_person_sql(&f.dir)));
    let mut strata: BTreeMap<String, Vec<(usize, f64, f64)>> = BTreeMap::new();
    for r in &raw {
        strata.entry(r[0].as_str().unwrap().to_string()).or_default().push((r[1].as_i64().unwrap() as usize, num(&r[3]), num(&r[4])));
    }
    // DSR = sum over strata of ESP weight x events / people, over the standard's 2 x 100,000
    let dsr = |s: &[(usize, f64, f64)]| s.iter().map(|(g, n, d)| ESP2013[*g] * d / n).sum::<f64>() / 200_000.0 * 1000.0;
    let v = cube(&["--year", "1920", "--rows", "council", "--measure", "emergency-admissions", "--rate", "standardised", "--no-sdc"]);
    let cells = by_row_col(&v, "cells");
    for (lca, s) in &strata {
        let got = num(&cells[&(names[lca].clone(), String::new())]["value"]);
        assert!((got - dsr(s)).abs() < 0.051, "{lca}: {got} vs {}", dsr(s));
    }
    let all: Vec<(usize, f64, f64)> = {
        let mut m: BTreeMap<(usize, String), (f64, f64)> = BTreeMap::new();
        for r in &raw {
            let e = m.entry((r[1].as_i64().unwrap() as usize, r[2].as_str().unwrap().to_string())).or_default();
            e.0 += num(&r[3]);
            e.1 += num(&r[4]);
        }
        m.into_iter().map(|((g, _), (n, d))| (g, n, d)).collect()
    };
    assert!((num(&v["total"]["value"]) - dsr(&all)).abs() < 0.051, "total");
    // against the workspace's own population, the total's standardised rate is its crude rate
    let w = cube(&["--year", "1920", "--rows", "council", "--measure", "emergency-admissions", "--rate", "standardised", "--standard", "workspace", "--no-sdc"]);
    let em: f64 = all.iter().map(|s| s.2).sum();
    assert!((num(&w["total"]["value"]) - em * 1000.0 / PEOPLE as f64).abs() < 0.051, "{}", w["total"]);
}

#[test]
fn the_top_fifth_share_equals_sql_over_the_raw_file() {
    let f = fixture();
    let names = council_names();
    let raw = query(&format!(
        "SELECT lca, 100.0 * sum(cost) FILTER (WHERE rn <= ceil(n * 0.2)) / sum(cost)
         FROM (SELECT lca, cost, row_number() OVER (PARTITION BY lca ORDER BY cost DESC) AS rn, count(*) OVER (PARTITION BY lca) AS n FROM ({}))
         GROUP BY lca",
        per_person_sql(&f.dir)
    ));
    let v = cube(&["--year", "1920", "--rows", "council", "--measure", "health-cost", "--top", "20", "--no-sdc"]);
    let cells = by_row_col(&v, "cells");
    for r in &raw {
        let got = num(&cells[&(names[r[0].as_str().unwrap()].clone(), String::new())]["top_share"]);
        assert!((got - num(&r[1])).abs() < 0.051, "{}: {got} vs {}", r[0], r[1]);
        assert!(got > 20.0 && got < 100.0);
    }
}

#[test]
fn a_year_dimension_covers_every_year_loaded() {
    let v = cube(&["--rows", "year", "--cols", "sex", "--measure", "people", "--no-sdc"]);
    let rows = by_row_col(&v, "row_totals");
    // 400 people in 2019/20; the even ones in 2020/21
    assert_eq!(num(&rows[&("2019/20".to_string(), "total".to_string())]["people"]), 400.0);
    assert_eq!(num(&rows[&("2020/21".to_string(), "total".to_string())]["people"]), 200.0);
    let cells = by_row_col(&v, "cells");
    // Who::new gives gender 1 + i % 2: the even ones (all of 2020/21) are men
    assert_eq!(num(&cells[&("2020/21".to_string(), "male".to_string())]["people"]), 200.0);
    assert!(!cells.contains_key(&("2020/21".to_string(), "female".to_string())));
}

#[test]
fn no_small_count_shows_and_no_withheld_cell_follows_from_its_row_or_column() {
    // council x age band: 30 cells of about 13 people, some of them below 10
    let v = cube(&["--year", "1920", "--rows", "council", "--cols", "age-band", "--measure", "emergency-admissions"]);
    let cells = by_row_col(&v, "cells");
    let rows = by_row_col(&v, "row_totals");
    let cols = by_row_col(&v, "col_totals");
    let mut withheld = 0;
    for c in cells.values().chain(rows.values()).chain(cols.values()) {
        for k in ["people", "sum"] {
            match &c[k] {
                Value::String(s) => {
                    assert_eq!(s, "*");
                    withheld += 1;
                }
                n => assert!(!(1.0..=9.0).contains(&num(n)), "a count of 1-9 shown: {c}"),
            }
        }
    }
    assert!(withheld > 0, "the test needs small cells: {v}");
    // a withheld cell must not be its total minus the others: none is alone in its row or
    // column (with the total shown)
    for k in ["people", "sum"] {
        let hidden = |c: &Value| c[k].is_string();
        for ((r, _), t) in &rows {
            let n = cells.iter().filter(|((cr, _), c)| cr == r && hidden(c)).count() + usize::from(hidden(t));
            assert!(n != 1, "row {r} {k}: one withheld cell");
        }
        for ((_, col), t) in &cols {
            let n = cells.iter().filter(|((_, cc), c)| cc == col && hidden(c)).count() + usize::from(hidden(t));
            assert!(n != 1, "column {col} {k}: one withheld cell");
        }
        let n = rows.values().filter(|c| hidden(c)).count() + usize::from(hidden(&v["total"]));
        assert!(n != 1, "row totals {k}");
        let n = cols.values().filter(|c| hidden(c)).count() + usize::from(hidden(&v["total"]));
        assert!(n != 1, "column totals {k}");
    }
    // a rate is withheld with its count
    for c in cells.values() {
        if c["sum"].is_string() {
            assert!(c["value"].is_string(), "{c}");
        }
    }
}

#[test]
fn mistakes_are_explained() {
    let f = fixture();
    let ws = f.ws.to_str().unwrap();
    for (args, says) in [
        (vec!["--rows", "sex", "--cols", "sex"], "pick two different dimensions"),
        (vec!["--rows", "sex", "--top", "0"], "--top must be a percentage"),
        (vec!["--rows", "sex", "--year", "1718"], "2017/18"),
        (vec!["--rows", "county"], "county"),
    ] {
        let mut all = vec!["cube", "--workspace", ws];
        all.extend(args.iter());
        let out = carepath(&all);
        assert!(!out.status.success(), "{all:?}");
        assert!(stderr(&out).contains(says), "{all:?}: {}", stderr(&out));
    }
}
