//! `carepath unscheduled` (issue 14, item 2) on an extract in the full published episode layout
//! written here, with people scripted by hand (2019/20; every person also has a prescribing row
//! in 2019/20 and 2020/21):
//! - P x40: a prescribing row only (population, no unscheduled care);
//! - A x21: 1 to 7 A&E attendances (the j-th has 1 + j % 7);
//! - E x14: an A&E attendance and an emergency stay the same day (5 days); the even ones' stays
//!   are PPAs (`cij_ppa = 1`);
//! - readmissions, each kind x3: RA an elective stay, then an emergency stay 28 days after its
//!   discharge (a readmission); RB an emergency stay, then another 29 days after (none); RC
//!   three emergency stays: the second on the day the first ends (day 0), the third 11 days
//!   after the second (two readmissions); RD an emergency stay 19 days after a discharge, still
//!   open at the year end (one); RE one emergency CIJ of two episodes, the second starting the
//!   day the first ends (a transfer: one stay, no readmission); RF an elective stay ending on
//!   25 March 2020 and an emergency stay on 10 April 2020, in the next year's file (a readmission
//!   of 2020/21 after a discharge of 2019/20).
//!
//! Expected figures come from independent SQL over the raw CSV or from the script counted here
//! by hand, never from carepath.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const IP: &str = "('01B', '02B', '04B', 'GLS')";

/// One scripted person: who, kind, and index within the kind.
#[derive(Clone, Debug)]
struct Person {
    who: Who,
    kind: &'static str,
    j: usize,
}

fn people_scripted() -> Vec<Person> {
    let mut out = Vec::new();
    let mut i = 3000;
    for (kind, n) in [("P", 40), ("A", 21), ("E", 14), ("RA", 3), ("RB", 3), ("RC", 3), ("RD", 3), ("RE", 3), ("RF", 3)] {
        for j in 0..n {
            out.push(Person { who: Who::new(i), kind, j });
            i += 1;
        }
    }
    out
}

/// Readmissions of a scripted person, counted by hand from the script above.
fn readmissions_by_hand(p: &Person) -> i64 {
    match p.kind {
        "RA" | "RD" => 1,
        "RC" => 2,
        _ => 0,
    }
}

/// The practice of a kind of person, when not the fixture's usual 10001.
fn practice(kind: &str) -> Option<&'static str> {
    match kind {
        "RA" => Some("20001"),
        "RB" => Some("20002"),
        _ => None,
    }
}

fn set(r: &mut Row, kv: &[(&str, &str)]) {
    for (k, v) in kv {
        r.insert(k.to_string(), v.to_string());
    }
}

/// An inpatient episode of CIJ `cij` (emergency or elective) from `start` to `end` (empty: open),
/// with the file's `yearstay`.
#[allow(clippy::too_many_arguments)]
fn stay(w: &Who, cij: &str, start: &str, end: &str, cij_start: &str, cij_end: &str, emergency: bool, ppa: bool, yearstay: i64) -> Row {
    let mut ip = episode(w, "1920", "01B", start, end, true);
    let code = if emergency { "33" } else { "11" };
    let ys = yearstay.to_string();
    set(
        &mut ip,
        &[
            ("cij_marker", cij),
            ("cij_start_date", cij_start),
            ("cij_end_date", cij_end),
            ("ipdc", "I"),
            ("cij_pattype_code", if emergency { "0" } else { "1" }),
            ("cij_admtype", code),
            ("tadm", code),
            ("cij_ppa", if ppa { "1" } else { "0" }),
            ("yearstay", ys.as_str()),
            ("stay", ys.as_str()),
            ("cost_total_net", "1500"),
            ("spec", "A1"),
        ],
    );
    ip
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut y1 = Vec::new();
    let mut y2 = Vec::new();
    let days = |a: &str, b: &str| day_number(b) - day_number(a);
    for p in people_scripted() {
        let w = &p.who;
        let (from1, from2) = (y1.len(), y2.len());
        let mut pis = episode(w, "1920", "PIS", "2019-04-10", "2019-04-10", true);
        set(&mut pis, &[("cost_total_net", "30")]);
        y1.push(pis);
        let mut pis2 = episode(w, "2021", "PIS", "2020-04-10", "2020-04-10", true);
        set(&mut pis2, &[("cost_total_net", "30")]);
        y2.push(pis2);
        let base = plus("2019-05-01", p.j as i64);
        match p.kind {
            "A" => {
                for k in 0..(1 + p.j % 7) {
                    let d = plus(&base, 20 * k as i64);
                    y1.push(episode(w, "1920", "AE2", &d, &d, true));
                }
            }
            "E" => {
                let end = plus(&base, 5);
                y1.push(episode(w, "1920", "AE2", &base, &base, true));
                y1.push(stay(w, "1", &base, &end, &base, &end, true, p.j % 2 == 0, 5));
            }
            "RA" => {
                let e1 = plus(&base, 9);
                y1.push(stay(w, "1", &base, &e1, &base, &e1, false, false, days(&base, &e1)));
                let s2 = plus(&e1, 28);
                let e2 = plus(&s2, 3);
                y1.push(stay(w, "2", &s2, &e2, &s2, &e2, true, false, 3));
            }
            "RB" => {
                let e1 = plus(&base, 9);
                y1.push(stay(w, "1", &base, &e1, &base, &e1, true, false, 9));
                let s2 = plus(&e1, 29);
                let e2 = plus(&s2, 3);
                y1.push(stay(w, "2", &s2, &e2, &s2, &e2, true, false, 3));
            }
            "RC" => {
                let s1 = plus("2019-07-01", p.j as i64);
                let e1 = plus(&s1, 4);
                let e2 = plus(&e1, 4);
                let s3 = plus(&e2, 11);
                let e3 = plus(&s3, 2);
                y1.push(stay(w, "1", &s1, &e1, &s1, &e1, true, false, 4));
                y1.push(stay(w, "2", &e1, &e2, &e1, &e2, true, false, 4));
                y1.push(stay(w, "3", &s3, &e3, &s3, &e3, true, false, 2));
            }
            "RD" => {
                let s1 = plus("2020-02-10", p.j as i64);
                let e1 = plus(&s1, 10);
                let s2 = plus(&e1, 19);
                y1.push(stay(w, "1", &s1, &e1, &s1, &e1, false, false, 10));
                // open at the year end: bed days to 31 March (last day counted, first not)
                y1.push(stay(w, "2", &s2, "", &s2, "", true, false, days(&s2, "2020-03-31")));
            }
            "RE" => {
                let s1 = plus("2019-08-01", p.j as i64);
                let e1 = plus(&s1, 4);
                let e2 = plus(&e1, 4);
                y1.push(stay(w, "1", &s1, &e1, &s1, &e2, true, false, 4));
                y1.push(stay(w, "1", &e1, &e2, &s1, &e2, true, false, 4));
            }
            "RF" => {
                let s1 = plus("2020-03-15", p.j as i64);
                let e1 = plus(&s1, 10);
                let s2 = plus(&e1, 16);
                let e2 = plus(&s2, 4);
                y1.push(stay(w, "1", &s1, &e1, &s1, &e1, false, false, 10));
                let mut later = stay(w, "1", &s2, &e2, &s2, &e2, true, false, 4);
                set(&mut later, &[("year", "2021")]);
                y2.push(later);
            }
            _ => {}
        }
        // RA and RB people have practices of their own, so that a split by practice isolates
        // the 28-day boundary
        if let Some(prac) = practice(p.kind) {
            for r in y1[from1..].iter_mut().chain(y2[from2..].iter_mut()) {
                set(r, &[("gpprac", prac)]);
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

fn unscheduled(args: &[&str]) -> Value {
    fixture().json("unscheduled", args)
}

fn rows_by_group(v: &Value) -> BTreeMap<String, Value> {
    v["rows"].as_array().unwrap().iter().map(|r| (r["group"].as_str().unwrap().to_string(), r.clone())).collect()
}

/// The measures checked against SQL, in order.
const MEASURES: [&str; 7] = ["ae_attendances", "ae_attenders", "repeat_attenders", "emergency_admissions", "emergency_bed_days", "ppa_admissions", "ppa_bed_days"];

/// Independent SQL over the raw 2019/20 episode file: per value of `key` (an expression over the
/// raw columns), population and each of [`MEASURES`] with `repeat` the repeat threshold.
fn raw_by(dir: &Path, key: &str, repeat: i64) -> BTreeMap<String, (f64, Vec<f64>)> {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let file = raw(dir, "source-episode-file-1920.csv");
    let sql = format!(
        "WITH r AS (SELECT *, {key} AS k FROM {file}),
         pop AS (SELECT k, anon_chi FROM r GROUP BY k, anon_chi),
         ae AS (SELECT anon_chi, count(*) AS n FROM r WHERE recid = 'AE2' GROUP BY anon_chi),
         cij AS (SELECT anon_chi, cij_marker, bool_or(cij_pattype_code = '0') AS em, bool_or(cij_ppa = '1') AS ppa,
                        sum(CAST(yearstay AS DOUBLE)) AS beds,
                        date_diff('day', greatest(min(CAST(cij_start_date AS DATE)), DATE '2019-04-01'),
                                  least(coalesce(max(CAST(cij_end_date AS DATE)), DATE '2020-03-31'), DATE '2020-03-31')) AS ppa_days
                 FROM r WHERE recid IN {IP} GROUP BY anon_chi, cij_marker),
         per AS (SELECT pop.k, pop.anon_chi, coalesce(ae.n, 0) AS ae,
                   (SELECT count(*) FROM cij WHERE cij.anon_chi = pop.anon_chi AND em) AS ea,
                   (SELECT coalesce(sum(beds), 0) FROM cij WHERE cij.anon_chi = pop.anon_chi AND em) AS eb,
                   (SELECT count(*) FROM cij WHERE cij.anon_chi = pop.anon_chi AND ppa) AS pa,
                   (SELECT coalesce(sum(ppa_days), 0) FROM cij WHERE cij.anon_chi = pop.anon_chi AND ppa) AS pb
                 FROM pop LEFT JOIN ae ON ae.anon_chi = pop.anon_chi)
         SELECT coalesce(k, 'none'), CAST(count(*) AS DOUBLE), CAST(sum(ae) AS DOUBLE), CAST(count(*) FILTER (WHERE ae > 0) AS DOUBLE),
                CAST(count(*) FILTER (WHERE ae >= {repeat}) AS DOUBLE), CAST(sum(ea) AS DOUBLE), CAST(sum(eb) AS DOUBLE),
                CAST(sum(pa) AS DOUBLE), CAST(sum(pb) AS DOUBLE)
         FROM per GROUP BY 1"
    );
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next().unwrap() {
        let k: String = r.get(0).unwrap();
        let pop: f64 = r.get(1).unwrap();
        let m: Vec<f64> = (2..9).map(|i| r.get::<_, f64>(i).unwrap()).collect();
        out.insert(k, (pop, m));
    }
    out
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn check_split(v: &Value, expected: &BTreeMap<String, (f64, Vec<f64>)>, name: &dyn Fn(&str) -> String) {
    let got = rows_by_group(v);
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (k, (pop, m)) in expected {
        let row = got.get(&name(k)).unwrap_or_else(|| panic!("no row for {k}: {got:?}"));
        assert_eq!(num(&row["population"]), *pop, "{k} population");
        for (i, measure) in MEASURES.iter().enumerate() {
            assert_eq!(num(&row[*measure]), m[i], "{k} {measure}: {row}");
            let rate = num(&row[format!("{measure}_per_1000")]);
            let want = m[i] * 1000.0 / pop;
            assert!((rate - want).abs() < 0.051, "{k} {measure}_per_1000 {rate} vs {want}");
        }
    }
}

#[test]
fn every_measure_and_rate_by_sex_equals_sql_over_the_raw_file() {
    let f = fixture();
    let v = unscheduled(&["--year", "1920", "--by", "sex", "--no-sdc"]);
    let expected = raw_by(&f.dir, "CASE gender WHEN '1' THEN 'male' WHEN '2' THEN 'female' END", 5);
    check_split(&v, &expected, &|k| k.to_string());
    // the total: the script counted by hand
    let t = &v["total"];
    let all = people_scripted();
    assert_eq!(num(&t["population"]), all.len() as f64);
    let ae: usize = (0..21).map(|j| 1 + j % 7).sum::<usize>() + 14;
    assert_eq!(num(&t["ae_attendances"]), ae as f64);
    assert_eq!(num(&t["ae_attenders"]), 35.0);
    // 5, 6 or 7 attendances: j % 7 in 4..=6, three times each in 21
    assert_eq!(num(&t["repeat_attenders"]), 9.0);
    // E 14; RA 1, RB 2, RC 3, RD 1, RE 1 (one CIJ) each x3
    assert_eq!(num(&t["emergency_admissions"]), (14 + 3 * (1 + 2 + 3 + 1 + 1)) as f64);
    assert_eq!(num(&t["ppa_admissions"]), 7.0);
    assert_eq!(num(&t["ppa_bed_days"]), 35.0);
}

#[test]
fn every_measure_by_council_equals_sql_over_the_raw_file() {
    let f = fixture();
    let v = unscheduled(&["--year", "1920", "--by", "council", "--no-sdc"]);
    let names: BTreeMap<String, String> = std::fs::read_to_string("assets/council_areas.csv")
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let p: Vec<&str> = l.split(',').collect();
            (p[0].to_string(), p[2].to_string())
        })
        .collect();
    let expected = raw_by(&f.dir, "lca", 5);
    check_split(&v, &expected, &|k| names[k].clone());
}

#[test]
fn repeat_attenders_follow_the_threshold() {
    let f = fixture();
    for (args, n) in [(vec![], 5), (vec!["--repeat", "3"], 3)] {
        let mut a = vec!["--year", "1920", "--by", "sex", "--no-sdc"];
        a.extend(args.iter());
        let v = unscheduled(&a);
        let expected = raw_by(&f.dir, "CASE gender WHEN '1' THEN 'male' WHEN '2' THEN 'female' END", n);
        check_split(&v, &expected, &|k| k.to_string());
        // by hand: people of A with 1 + j % 7 >= n, and E (one attendance) when n = 1
        let want = (0..21).filter(|j| 1 + j % 7 >= n as usize).count();
        assert_eq!(num(&v["total"]["repeat_attenders"]), want as f64, "--repeat {n}");
    }
    assert_eq!(num(&unscheduled(&["--year", "1920", "--repeat", "3", "--no-sdc"])["total"]["repeat_attenders"]), 15.0);
}

#[test]
fn readmissions_within_28_days_are_counted_by_hand() {
    let v = unscheduled(&["--year", "1920", "--by", "sex", "--no-sdc"]);
    let all = people_scripted();
    let total: i64 = all.iter().map(readmissions_by_hand).sum();
    // RA (day 28) 3, RB (day 29) 0, RC (day 0 and day 11) 6, RD 3, RE (a transfer) 0
    assert_eq!(total, 12);
    assert_eq!(v["total"]["readmissions_28"].as_i64(), Some(total));
    let got = rows_by_group(&v);
    for (sex, g) in [("male", 1u8), ("female", 2u8)] {
        let want: i64 = all.iter().filter(|p| p.who.gender == g).map(readmissions_by_hand).sum();
        let pop = all.iter().filter(|p| p.who.gender == g).count() as f64;
        assert_eq!(got[sex]["readmissions_28"].as_i64(), Some(want), "{sex}");
        let rate = num(&got[sex]["readmissions_28_per_1000"]);
        assert!((rate - want as f64 * 1000.0 / pop).abs() < 0.051, "{sex}: {rate}");
    }
}

#[test]
fn the_28_day_boundary_counts_day_28_and_not_day_29() {
    // RA (an emergency stay 28 days after a discharge) and RB (29 days) are alone in their
    // practices
    let got = rows_by_group(&unscheduled(&["--year", "1920", "--by", "gp-practice", "--no-sdc"]));
    assert_eq!(got["practice 20001"]["readmissions_28"].as_i64(), Some(3), "day 28 counts: {:?}", got["practice 20001"]);
    assert_eq!(got["practice 20001"]["emergency_admissions"].as_i64(), Some(3));
    assert_eq!(got["practice 20002"]["readmissions_28"].as_i64(), Some(0), "day 29 does not: {:?}", got["practice 20002"]);
    assert_eq!(got["practice 20002"]["emergency_admissions"].as_i64(), Some(6));
    assert_eq!(got["practice 10001"]["readmissions_28"].as_i64(), Some(9), "RC 2 each, RD 1 each, RE none");
}

#[test]
fn a_readmission_may_follow_a_discharge_of_the_year_before() {
    // RF: discharged in March 2020 (2019/20), readmitted as an emergency 16 days later (2020/21)
    let v = unscheduled(&["--year", "2021", "--no-sdc"]);
    assert_eq!(v["total"]["readmissions_28"].as_i64(), Some(3), "{}", v["total"]);
    assert_eq!(v["total"]["emergency_admissions"].as_i64(), Some(3));
    assert_eq!(num(&v["total"]["population"]), people_scripted().len() as f64);
}

#[test]
fn a_cohort_restricts_the_view_to_its_people() {
    let f = fixture();
    let v = unscheduled(&["--year", "1920", "--by", "council", "--sex", "F", "--no-sdc"]);
    let expected = raw_by(&f.dir, "CASE WHEN gender = '2' THEN 'all' END", 5);
    let (pop, m) = &expected["all"];
    assert!(*pop > 0.0 && *pop < people_scripted().len() as f64);
    assert_eq!(num(&v["total"]["population"]), *pop);
    for (i, measure) in MEASURES.iter().enumerate() {
        assert_eq!(num(&v["total"][*measure]), m[i], "{measure}");
    }
    let want: i64 = people_scripted().iter().filter(|p| p.who.gender == 2).map(readmissions_by_hand).sum();
    assert_eq!(v["total"]["readmissions_28"].as_i64(), Some(want));
}

#[test]
fn no_small_count_and_no_lone_withheld_cell_in_a_summing_column() {
    let counts = ["population", "ae_attendances", "ae_attenders", "repeat_attenders", "emergency_admissions", "ppa_admissions", "readmissions_28"];
    for by in ["council", "hscp", "locality", "gp-practice", "gp-cluster", "age-band", "simd", "sex"] {
        let v = unscheduled(&["--year", "1920", "--by", by]);
        let rows = v["rows"].as_array().unwrap();
        for col in counts {
            for r in rows.iter().chain(std::iter::once(&v["total"])) {
                if let Some(n) = r[col].as_i64() {
                    assert!(n == 0 || n >= 10, "{by}: {col} {n} shown: {r}");
                }
            }
            let withheld = rows.iter().filter(|r| r[col] == "*").count();
            // one withheld group beside a shown total would be the total minus the others
            assert!(!(withheld == 1 && v["total"][col].is_i64()), "{by}: one withheld {col} could be recovered from the total: {v}");
            if v["total"][col].is_i64() && withheld == 0 {
                let sum: i64 = rows.iter().map(|r| r[col].as_i64().unwrap()).sum();
                assert_eq!(Some(sum), v["total"][col].as_i64(), "{by} {col}");
            }
        }
        for r in rows {
            for col in counts.iter().skip(1) {
                if r[*col] == "*" {
                    assert_eq!(r[format!("{col}_per_1000")], "*", "{by}: a rate goes with its count: {r}");
                }
            }
            if r["population"] == "*" {
                for col in counts.iter().skip(1) {
                    assert_eq!(r[format!("{col}_per_1000")], "*", "{by}: a rate goes with its population: {r}");
                }
            }
            if r["emergency_admissions"] == "*" {
                assert_eq!(r["emergency_bed_days"], "*", "{by}: bed days go with their admissions: {r}");
            }
            if r["ppa_admissions"] == "*" {
                assert_eq!(r["ppa_bed_days"], "*", "{by}: bed days go with their admissions: {r}");
            }
        }
    }
}

#[test]
fn mistakes_are_explained() {
    let f = fixture();
    let ws = f.ws.to_str().unwrap();
    let out = carepath(&["unscheduled", "--workspace", ws, "--year", "1718"]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("2017/18") && e.contains("2019/20"), "names the year asked and those loaded: {e}");
    let out = carepath(&["unscheduled", "--workspace", ws, "--by", "postcode"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("gp-practice"), "lists the splits: {}", stderr(&out));
    let out = carepath(&["unscheduled", "--workspace", ws, "--repeat", "0"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("at least 1"), "{}", stderr(&out));
    let out = carepath(&["unscheduled", "--workspace", ws, "--year", "1920,2021"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("one financial year"), "{}", stderr(&out));
}
