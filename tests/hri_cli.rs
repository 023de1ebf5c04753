//! `carepath hri` against an independent computation from the synthetic population's truth:
//! HRI flags (PHS rule, recomputed here), shares of people, cost and acute bed days, bands,
//! Gini (by mean absolute difference, not the library's formula), persistence.
mod cohort_fixtures;
use cohort_fixtures::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

fn fixture() -> &'static (Vec<Person>, PathBuf) {
    static F: OnceLock<(Vec<Person>, PathBuf)> = OnceLock::new();
    F.get_or_init(|| {
        let people = population(700, 7);
        let ws = build_workspace("hri", &people);
        (people, ws)
    })
}

/// The CLI opens the workspace read-write: one at a time.
static LOCK: Mutex<()> = Mutex::new(());

fn hri_json(ws: &PathBuf, year: &str, level: &str) -> Value {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(env!("CARGO_BIN_EXE_carepath"))
        .args(["hri", "--workspace", ws.to_str().unwrap(), "--year", year, "--level", level, "--format", "json", "--no-sdc"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Gini by the mean absolute difference: sum_ij |xi - xj| / (2 n^2 mean).
fn gini_mad(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let mut s = 0.0;
    for a in x {
        for b in x {
            s += (a - b).abs();
        }
    }
    s / (2.0 * n * n * mean)
}

fn f(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or_else(|| panic!("missing {k} in {v}"))
}

fn check_area(people: &[Person], v: &Value, t: &HashMap<String, (String, bool, f64)>, t_prev: &HashMap<String, (String, bool, f64)>, area: Option<&str>) {
    let in_area = |p: &&Person| t.get(&p.anon).is_some_and(|x| area.is_none_or(|a| x.0 == a));
    let members: Vec<&Person> = people.iter().filter(in_area).collect();
    let cost = |p: &Person| p.year("1920").unwrap().health_cost();
    let bed = |p: &Person| p.year("1920").unwrap().acute_beddays();
    let hri: Vec<&&Person> = members.iter().filter(|p| t[&p.anon].1).collect();
    let total_cost: f64 = members.iter().map(|p| cost(p)).sum();
    let total_bed: f64 = members.iter().map(|p| bed(p)).sum();
    assert_eq!(f(v, "people") as usize, members.len(), "{area:?}");
    assert_eq!(f(v, "hri_people") as usize, hri.len(), "{area:?}");
    assert!(close(f(v, "hri_share_of_cost"), hri.iter().map(|p| cost(p)).sum::<f64>() / total_cost), "{area:?}");
    assert!(close(f(v, "hri_share_of_acute_beddays"), hri.iter().map(|p| bed(p)).sum::<f64>() / total_bed), "{area:?}");
    assert!(close(f(v, "hri_share_of_people"), hri.len() as f64 / members.len() as f64));
    let costs: Vec<f64> = members.iter().map(|p| cost(p)).collect();
    assert!((f(v, "gini") - gini_mad(&costs)).abs() < 1e-9, "{area:?}: gini {} vs {}", f(v, "gini"), gini_mad(&costs));
    // Bands (High < 50 ...), people per band.
    let bands = v["bands"].as_array().unwrap();
    let band_of = |pct: f64| match pct {
        x if x < 50.0 => "High",
        x if x < 65.0 => "High to Medium",
        x if x < 80.0 => "Medium",
        x if x < 95.0 => "Medium to Low",
        _ => "Low",
    };
    for b in bands {
        let name = b["band"].as_str().unwrap();
        let n = members.iter().filter(|p| band_of(t[&p.anon].2) == name).count();
        assert_eq!(b["people"].as_u64().unwrap() as usize, n, "{area:?} band {name}");
    }
    // Persistence: last year's HRIs (in this area then) still HRIs this year (any area).
    let prev: Vec<&Person> = people.iter().filter(|p| t_prev.get(&p.anon).is_some_and(|x| x.1 && area.is_none_or(|a| x.0 == a))).collect();
    let remained = prev.iter().filter(|p| t.get(&p.anon).is_some_and(|x| x.1)).count();
    let per = &v["persistence"];
    assert_eq!(per["previous_year"], "1819");
    assert_eq!(per["previous_hri"].as_u64().unwrap() as usize, prev.len(), "{area:?}");
    assert_eq!(per["remained"].as_u64().unwrap() as usize, remained, "{area:?}");
    if !prev.is_empty() {
        assert!(close(per["share"].as_f64().unwrap(), remained as f64 / prev.len() as f64));
    }
    // Lorenz: from (0,0) to (1,1), never above equality.
    let l = v["lorenz"].as_array().unwrap();
    assert_eq!(l.first().unwrap(), &serde_json::json!([0.0, 0.0]));
    assert_eq!(l.last().unwrap(), &serde_json::json!([1.0, 1.0]));
    assert!(l.iter().all(|p| p[1].as_f64().unwrap() <= p[0].as_f64().unwrap() + 1e-12));
}

#[test]
fn scotland_level_matches_independent_computation() {
    let (people, ws) = fixture();
    let v = hri_json(ws, "1920", "scotland");
    let t = hri_truth(people, "1920", "scotland");
    let tp = hri_truth(people, "1819", "scotland");
    for k in ["people", "hri_people", "hri_share_of_cost", "hri_share_of_acute_beddays", "gini", "persistence"] {
        assert!(v.get(k).is_some(), "JSON key {k}");
    }
    check_area(people, &v, &t, &tp, None);
    assert_eq!(v["areas"].as_array().unwrap().len(), 0);
    assert_eq!(v["lorenz"].as_array().unwrap().len(), 21);
}

#[test]
fn council_level_per_area_matches_independent_computation() {
    let (people, ws) = fixture();
    let v = hri_json(ws, "1920", "council");
    let t = hri_truth(people, "1920", "council");
    let tp = hri_truth(people, "1819", "council");
    let areas = v["areas"].as_array().unwrap();
    assert_eq!(areas.len(), AREAS.len());
    for a in areas {
        let code = a["area"].as_str().unwrap();
        check_area(people, a, &t, &tp, Some(code));
    }
    // Overall at council level pools the councils.
    check_area(people, &v, &t, &tp, None);
    assert_eq!(areas.iter().find(|a| a["area"] == "17").unwrap()["area_name"], "Glasgow City");
}

#[test]
fn board_level_and_table_and_csv_output() {
    let (people, ws) = fixture();
    let v = hri_json(ws, "1920", "board");
    let t = hri_truth(people, "1920", "board");
    let tp = hri_truth(people, "1819", "board");
    for a in v["areas"].as_array().unwrap() {
        check_area(people, a, &t, &tp, Some(a["area"].as_str().unwrap()));
    }
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    for fmt in ["table", "csv"] {
        let out = Command::new(env!("CARGO_BIN_EXE_carepath"))
            .args(["hri", "--workspace", ws.to_str().unwrap(), "--level", "board", "--format", fmt])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("Glasgow") || s.contains("S08000031"), "{s}");
    }
    // A year that is not loaded: a clear error, not a panic.
    let out = Command::new(env!("CARGO_BIN_EXE_carepath"))
        .args(["hri", "--workspace", ws.to_str().unwrap(), "--year", "1516"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2015/16"));
}
