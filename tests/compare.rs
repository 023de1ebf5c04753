//! `carepath compare` (issue 14, item 4) on an extract in the full published episode layout
//! written here: 360 people (born 1925-2004, five councils, both sexes), each with a
//! prescribing row in 2019/20 (cost 10 + 3 x (i % 37)); every third an emergency stay (cost 500
//! + 7 x (i % 100)); every fifth an A&E attendance (cost 120); every fourth person carries the
//! diabetes marker (and its date) on all their rows, and every one of them has an extra
//! prescribing row of 90.
//!
//! Expected figures come from independent SQL over the raw CSV file, from the European
//! Standard Population 2013 as published (written out below), or from hand arithmetic; never
//! from carepath.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, stderr, write};
use pathway_fixture::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PEOPLE: usize = 360;
const FIRST: usize = 7000;

/// The European Standard Population 2013 (Eurostat, "Revision of the European Standard
/// Population", 2013, table 3): 0-4, 5-9, ..., 85-89, 90+.
const ESP2013: [f64; 19] =
    [5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0];

const DIABETES: &str = "years = [\"1920\"]\n[[filter]]\nltc = { any = [\"diabetes\"] }\n";
const NO_DIABETES: &str = "years = [\"1920\"]\n[[filter]]\nltc = { none = [\"diabetes\"] }\n";
/// The sections of the make-up, each a partition of a cohort.
const SECTIONS: [&str; 5] = ["age band", "sex", "SIMD quintile (1 = most deprived)", "number of LTCs", "HRI band (Scotland)"];
const WOMEN: &str = "years = [\"1920\"]\n[[filter]]\nsex = \"F\"\n";

fn set(r: &mut Row, kv: &[(&str, &str)]) {
    for (k, v) in kv {
        r.insert(k.to_string(), v.to_string());
    }
}

fn has_diabetes(i: usize) -> bool {
    i % 4 == 0
}

/// An emergency acute stay, 4 nights.
fn emergency_stay(w: &Who, start: &str, cost: f64) -> Row {
    let end = plus(start, 4);
    let mut r = episode(w, "1920", "01B", start, &end, true);
    let cost = format!("{cost}");
    set(
        &mut r,
        &[
            ("cij_marker", "1"),
            ("cij_start_date", start),
            ("cij_end_date", &end),
            ("ipdc", "I"),
            ("cij_pattype_code", "0"),
            ("cij_admtype", "33"),
            ("tadm", "33"),
            ("yearstay", "4"),
            ("stay", "4"),
            ("cost_total_net", &cost),
            ("spec", "A1"),
        ],
    );
    r
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut rows = Vec::new();
    for i in FIRST..FIRST + PEOPLE {
        let w = Who::new(i);
        let mut mine = Vec::new();
        let mut pis = episode(&w, "1920", "PIS", "2019-04-10", "2019-04-10", true);
        set(&mut pis, &[("cost_total_net", &format!("{}", 10 + 3 * (i % 37)))]);
        mine.push(pis);
        if has_diabetes(i) {
            let mut extra = episode(&w, "1920", "PIS", "2019-06-10", "2019-06-10", true);
            set(&mut extra, &[("cost_total_net", "90")]);
            mine.push(extra);
        }
        let day = plus("2019-05-01", (i % 200) as i64);
        if i % 3 == 0 {
            mine.push(emergency_stay(&w, &day, (500 + 7 * (i % 100)) as f64));
        }
        if i % 5 == 0 {
            let mut ae = episode(&w, "1920", "AE2", &day, &day, true);
            set(&mut ae, &[("cost_total_net", "120")]);
            mine.push(ae);
        }
        for r in &mut mine {
            if has_diabetes(i) {
                set(r, &[("diabetes", "1"), ("diabetes_date", "2012-03-01")]);
            } else {
                set(r, &[("diabetes", "0")]);
            }
        }
        rows.extend(mine);
    }
    write_episodes(dir, "1920", &rows);
    dir.to_path_buf()
}

struct Fixture {
    loaded: Loaded,
    specs: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let loaded = load_extract(write_extract);
        let specs = loaded.dir.join("specs");
        std::fs::create_dir_all(&specs).unwrap();
        for (name, toml) in [("diabetes", DIABETES), ("no-diabetes", NO_DIABETES), ("women", WOMEN)] {
            write(&specs.join(format!("{name}.toml")), &format!("name = \"{name}\"\n{toml}"));
        }
        // a small cohort: people with diabetes in one council (about 18) born before 1950
        write(&specs.join("small.toml"), "name = \"small\"\nyears = [\"1920\"]\n[[filter]]\nltc = { any = [\"diabetes\"] }\n[[filter]]\nage = { min = 70 }\n");
        Fixture { loaded, specs }
    })
}

fn spec(name: &str) -> String {
    fixture().specs.join(format!("{name}.toml")).display().to_string()
}

fn compare(a: &str, b: &str, extra: &[&str]) -> Value {
    let (a, b) = (spec(a), spec(b));
    let mut args = vec!["--a", a.as_str(), "--b", b.as_str()];
    args.extend_from_slice(extra);
    fixture().loaded.json("compare", &args)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Independent SQL over the raw episode file: per person, diabetes, sex, age at 30 September
/// 2019 (PHS's age), health cost and emergency stays.
fn per_person_sql(dir: &Path) -> String {
    format!(
        "SELECT anon_chi, max(CAST(diabetes AS INT)) AS diabetes, CASE any_value(gender) WHEN '1' THEN 'M' ELSE 'F' END AS sex,
                2019 - year(CAST(any_value(dob) AS DATE)) - CASE WHEN month(CAST(any_value(dob) AS DATE)) > 9 THEN 1 ELSE 0 END AS age,
                coalesce(sum(CAST(cost_total_net AS DOUBLE)) FILTER (WHERE recid IN {HEALTH}), 0) AS cost,
                count(DISTINCT cij_marker) FILTER (WHERE recid = '01B' AND cij_pattype_code = '0') AS em
         FROM {} GROUP BY anon_chi",
        raw(dir, "source-episode-file-1920.csv")
    )
}

fn query(sql: &str) -> Vec<Vec<f64>> {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let mut st = c.prepare(sql).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let n = r.as_ref().column_count();
        out.push((0..n).map(|i| r.get::<_, Option<f64>>(i).unwrap().unwrap_or(f64::NAN)).collect());
    }
    out
}

/// The row of the compare table with this section and item.
fn row<'a>(v: &'a Value, section: &str, item: &str) -> &'a Value {
    v["rows"].as_array().unwrap().iter().find(|r| r["section"] == section && r["item"] == item).unwrap_or_else(|| panic!("no row {section}/{item}: {v}"))
}

fn close(got: &Value, want: f64, tol: f64, what: &str) {
    assert!((num(got) - want).abs() <= tol, "{what}: {got} vs {want}");
}

#[test]
fn diabetes_against_no_diabetes_equals_sql_over_the_raw_file() {
    let f = fixture();
    let v = compare("diabetes", "no-diabetes", &["--no-sdc"]);
    // per group (diabetes 1, then 0): people, mean and sample SD of cost, emergency stays
    let raw = query(&format!(
        "SELECT diabetes, count(*), avg(cost), stddev_samp(cost), sum(em), avg(em), stddev_samp(em) FROM ({}) GROUP BY diabetes ORDER BY diabetes DESC",
        per_person_sql(&f.loaded.dir)
    ));
    let (a, b) = (&raw[0], &raw[1]);
    assert_eq!(a[0], 1.0);
    let with = (FIRST..FIRST + PEOPLE).filter(|i| has_diabetes(*i)).count();
    assert_eq!((a[1], b[1]), (with as f64, (PEOPLE - with) as f64), "people by hand");
    let people = row(&v, "cohort", "people");
    assert_eq!((num(&people["a"]), num(&people["b"])), (a[1], b[1]));
    assert_eq!(v["people"], *people);
    close(&people["ratio_a_b"], a[1] / b[1], 0.005, "size ratio");
    assert_eq!(num(&row(&v, "cohort", "in both cohorts")["a"]), 0.0, "nobody both has and has not diabetes");

    let cost = row(&v, "per person", "health cost (£)");
    close(&cost["a"], a[2], 0.005, "health cost per person with diabetes");
    close(&cost["b"], b[2], 0.005, "health cost per person without");
    close(&cost["ratio_a_b"], a[2] / b[2], 0.005, "ratio");
    close(&cost["smd"], (a[2] - b[2]) / ((a[3] * a[3] + b[3] * b[3]) / 2.0).sqrt(), 0.0005, "SMD (Austin 2009)");
    close(&cost["a_total"], a[2] * a[1], 0.5, "total cost with diabetes");

    let em = row(&v, "per person", "emergency admissions");
    assert_eq!((num(&em["a_total"]), num(&em["b_total"])), (a[4], b[4]), "emergency stays are a count");
    close(&em["a"], a[5], 0.005, "emergency admissions per person");
    close(&em["smd"], (a[5] - b[5]) / ((a[6] * a[6] + b[6] * b[6]) / 2.0).sqrt(), 0.0005, "SMD");
    assert!(v["measures"].as_array().unwrap().iter().any(|m| m["item"] == "health cost (£)"), "measures lists the per-person rows");

    // the LTC rows: everyone in A has diabetes, nobody in B
    let d = row(&v, "long-term conditions", "Diabetes");
    assert_eq!((num(&d["a"]), num(&d["b"])), (a[1], 0.0));
}

#[test]
fn cost_per_person_is_the_one_carepath_cohort_gives_each_spec() {
    let v = compare("diabetes", "no-diabetes", &["--no-sdc"]);
    let cost = row(&v, "per person", "health cost (£)");
    for (name, side) in [("diabetes", "a"), ("no-diabetes", "b")] {
        let c = fixture().loaded.json("cohort", &["--spec", &spec(name), "--no-sdc"]);
        let m = c["tables"]["measures"].as_array().unwrap().iter().find(|r| r["measure"] == "Health cost").unwrap_or_else(|| panic!("{c}"));
        close(&cost[side], num(&m["cohort_per_person"]), 0.005, name);
    }
}

#[test]
fn make_up_and_overlap_equal_sql_and_sections_add_up() {
    let f = fixture();
    let v = compare("women", "diabetes", &["--no-sdc"]);
    let raw = query(&format!(
        "SELECT count(*) FILTER (WHERE sex = 'F'), count(*) FILTER (WHERE diabetes = 1), count(*) FILTER (WHERE sex = 'F' AND diabetes = 1),
                count(*) FILTER (WHERE diabetes = 1 AND sex = 'M'), count(*) FILTER (WHERE sex = 'F' AND age >= 85)
         FROM ({})",
        per_person_sql(&f.loaded.dir)
    ));
    let r = &raw[0];
    assert_eq!(num(&row(&v, "cohort", "people")["a"]), r[0]);
    assert_eq!(num(&row(&v, "cohort", "in both cohorts")["a"]), r[2], "women with diabetes");
    assert_eq!(num(&row(&v, "sex", "male")["b"]), r[3], "men with diabetes");
    assert_eq!(num(&row(&v, "sex", "male")["a"]), 0.0);
    assert_eq!(num(&row(&v, "age band", "85+")["a"]), r[4], "women 85 and over");
    // each section of the make-up is a partition of the cohort
    let rows = v["rows"].as_array().unwrap();
    for section in SECTIONS {
        let part: Vec<&Value> = rows.iter().filter(|x| x["section"] == section).collect();
        assert!(!part.is_empty(), "section {section}: {v}");
        for side in ["a", "b"] {
            let s: f64 = part.iter().map(|x| num(&x[side])).sum();
            assert_eq!(s, num(&row(&v, "cohort", "people")[side]), "{section} {side}");
        }
    }
}

#[test]
fn standardised_figures_equal_a_hand_computation_with_the_esp_2013() {
    let f = fixture();
    let v = compare("diabetes", "no-diabetes", &["--no-sdc"]);
    // strata: 5-year age group (90+ last) and sex, people and cost, per side
    let raw = query(&format!(
        "SELECT diabetes, least(age // 5, 18), CASE sex WHEN 'M' THEN 0 ELSE 1 END, count(*), sum(cost) FROM ({}) GROUP BY ALL",
        per_person_sql(&f.loaded.dir)
    ));
    // direct standardisation: sum of ESP weight x stratum rate over both sexes' standard
    // (2 x 100,000); a stratum absent from the cohort counts as rate 0
    let dsr = |d: f64| raw.iter().filter(|r| r[0] == d).map(|r| ESP2013[r[1] as usize] * r[4] / r[3]).sum::<f64>() / 200_000.0;
    let cost = row(&v, "per person", "health cost (£)");
    close(&cost["a_standardised"], dsr(1.0), 0.005, "with diabetes");
    close(&cost["b_standardised"], dsr(0.0), 0.005, "without");
    close(&cost["standardised_ratio"], dsr(1.0) / dsr(0.0), 0.005, "standardised ratio");
}

/// A published number, or None when withheld ("*").
fn shown(c: &Value) -> Option<f64> {
    match c {
        Value::String(s) => {
            assert_eq!(s, "*", "{c}");
            None
        }
        Value::Null => Some(f64::NAN),
        n => Some(num(n)),
    }
}

#[test]
fn a_small_cohort_is_withheld_and_no_withheld_count_follows_from_the_others() {
    let f = fixture();
    let raw = query(&format!("SELECT count(*), sum(em) FROM ({}) WHERE diabetes = 1 AND age >= 70", per_person_sql(&f.loaded.dir)));
    assert!(raw[0][0] >= 10.0, "the test needs a cohort above the threshold: {:?}", raw[0]);
    let v = compare("small", "no-diabetes", &[]);
    let rows = v["rows"].as_array().unwrap();
    let mut withheld = 0;
    for r in rows {
        let per_person = r["section"] == "per person";
        let events = ["emergency admissions", "A&E attendances", "potentially preventable admissions", "high resource individuals (Scotland)"];
        let counts: &[&str] = match (per_person, r["item"].as_str()) {
            (false, _) => &["a", "b"],
            (true, Some(item)) if events.contains(&item) => &["a_total", "b_total"],
            _ => &[],
        };
        for k in ["a", "b", "a_total", "b_total"] {
            match shown(&r[k]) {
                None => withheld += 1,
                Some(n) if counts.contains(&k) => assert!(!(1.0..=9.0).contains(&n), "{k}: a count of 1-9 shown: {r}"),
                _ => {}
            }
        }
        // a figure read from both cohorts goes with either side's
        if shown(&r["a"]).is_none() || shown(&r["b"]).is_none() {
            for k in ["ratio_a_b", "smd", "standardised_ratio"] {
                assert!(shown(&r[k]).is_none_or(|x| x.is_nan()), "{k} shown beside a withheld figure: {r}");
            }
        }
    }
    assert!(withheld > 0, "the test needs small cells: {v}");
    // within each section of the make-up no side has exactly one withheld category (it would be
    // the cohort's people minus the others)
    for section in SECTIONS {
        for side in ["a", "b"] {
            let n = rows.iter().filter(|x| x["section"] == section && shown(&x[side]).is_none()).count();
            assert!(n != 1, "{section} {side}: one withheld category: {v}");
        }
    }
    // a withheld total of events takes its per-person figure with it
    for r in rows.iter().filter(|r| r["section"] == "per person") {
        for side in ["a", "b"] {
            if shown(&r[format!("{side}_total").as_str()]).is_none() {
                assert!(shown(&r[side]).is_none(), "{r}");
            }
        }
    }
}

#[test]
fn mistakes_are_explained() {
    let f = fixture();
    let ws = f.loaded.ws.to_str().unwrap();
    let bad = f.specs.join("bad.toml");
    write(&bad, "years = [\"1920\"]\n[[filter]]\nltc = { any = [\"diabetis\"] }\n");
    let (a, bad_s) = (spec("diabetes"), bad.display().to_string());
    let missing = f.specs.join("missing.toml").display().to_string();
    for (args, says) in [
        (vec!["--a", a.as_str(), "--b", bad_s.as_str()], "diabetis"),
        (vec!["--a", a.as_str(), "--b", missing.as_str()], "missing.toml"),
        (vec!["--a", a.as_str(), "--b", a.as_str(), "--year", "1718"], "2017/18"),
    ] {
        let mut all = vec!["compare", "--workspace", ws];
        all.extend(args.iter());
        let out = carepath(&all);
        assert!(!out.status.success(), "{all:?}");
        assert!(stderr(&out).contains(says), "{all:?}: {}", stderr(&out));
    }
}
