//! `carepath cohort` end to end: JSON keys, inline flags vs spec files, malformed specs (field
//! and line named), --save round trip, the audited members list.
mod cohort_fixtures;
use cohort_fixtures::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

fn fixture() -> &'static (Vec<Person>, PathBuf) {
    static F: OnceLock<(Vec<Person>, PathBuf)> = OnceLock::new();
    F.get_or_init(|| {
        let people = population(500, 11);
        let ws = build_workspace("cli", &people);
        (people, ws)
    })
}

static LOCK: Mutex<()> = Mutex::new(());

fn run(args: &[&str]) -> Output {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    Command::new(env!("CARGO_BIN_EXE_carepath")).args(args).env("NO_COLOR", "1").output().unwrap()
}

/// Raw figures (`--no-sdc`): these tests compare exact counts with the generator's truth.
fn cohort_json(ws: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["cohort", "--workspace", ws.to_str().unwrap(), "--format", "json", "--no-sdc"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn write_spec(name: &str, text: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("spec-{}-{name}.toml", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn json_has_count_attrition_characterisation_and_flags_equal_spec() {
    let (people, ws) = fixture();
    let inline = cohort_json(ws, &["--year", "1920", "--age-min", "65", "--simd-quintile", "1", "--ltc", "copd"]);
    let expected = people.iter().filter(|p| p.age("1920") >= 65 && p.simd_q == 1 && p.ltc("1920", "copd")).count() as u64;
    assert_eq!(inline["count"].as_u64(), Some(expected));
    let att = inline["attrition"].as_array().unwrap();
    assert_eq!(att.len(), 4);
    assert_eq!(att[1]["filter"], "Age 65+");
    assert!(att.iter().all(|s| s["remaining"].is_u64()));
    assert_eq!(att.last().unwrap()["remaining"].as_u64(), Some(expected));
    assert!(inline["characterisation"]["breakdowns"].is_array());
    assert!(inline["characterisation"]["measures"].is_array());

    let spec = write_spec(
        "older-copd",
        "name = \"Older COPD\"\nyears = [\"1920\"]\n[[filter]]\nage = { min = 65 }\n[[filter]]\nsimd = { quintile = [1] }\n[[filter]]\nltc = { any = [\"copd\"] }\n",
    );
    let from_file = cohort_json(ws, &["--spec", spec.to_str().unwrap()]);
    assert_eq!(from_file["count"], inline["count"]);
    assert_eq!(from_file["attrition"], inline["attrition"]);
    assert_eq!(from_file["name"], "Older COPD");
}

#[test]
fn other_formats_and_save_round_trip() {
    let (_, ws) = fixture();
    let saved = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("saved-{}.toml", std::process::id()));
    let a = cohort_json(ws, &["--year", "1920", "--council", "Glasgow City,14", "--emergency-min", "1", "--died", "exclude", "--save", saved.to_str().unwrap()]);
    let b = cohort_json(ws, &["--spec", saved.to_str().unwrap()]);
    assert_eq!(a["attrition"], b["attrition"]);
    for fmt in ["table", "csv"] {
        let out = run(&["cohort", "--workspace", ws.to_str().unwrap(), "--spec", saved.to_str().unwrap(), "--format", fmt]);
        assert!(out.status.success());
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("Emergency admissions"), "{s}");
    }
    // By default the same tables go through the disclosure gate.
    let out = run(&["cohort", "--workspace", ws.to_str().unwrap(), "--spec", saved.to_str().unwrap(), "--format", "csv"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains('*'));
}

fn spec_error(text: &str) -> String {
    let (_, ws) = fixture();
    let p = write_spec(&format!("bad{}", text.len()), text);
    let out = run(&["cohort", "--workspace", ws.to_str().unwrap(), "--spec", p.to_str().unwrap()]);
    assert!(!out.status.success(), "should fail: {text}");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn malformed_specs_name_field_and_line() {
    let e = spec_error("years = [\"1920\"]\n\n[[filter]]\nage = { min = 65, mx = 70 }\n");
    assert!(e.contains("mx") && e.contains("line 4"), "unknown field: {e}");
    let e = spec_error("years = [\"1920\"]\n[[filter]]\nage.min = \"sixty\"\n");
    assert!(e.contains("min") && e.contains("line 3"), "wrong type: {e}");
    let e = spec_error("years = [\"1920\"]\n[[filter]]\nage = { min = 80, max = 65 }\n");
    assert!(e.contains("filter[1].age.max") && e.contains("line 3") && e.contains("impossible range"), "min > max: {e}");
    let e = spec_error("[[filter]]\nsex = \"F\"\n\n[[filter]]\nsimd = { quintile = [1, 7] }\n");
    assert!(e.contains("filter[2].simd.quintile") && e.contains("line 5") && e.contains("7"), "quintile 7: {e}");
    let e = spec_error("years = [\"2019\"]\n");
    assert!(e.contains("years") && e.contains("line 1"), "bad year: {e}");
    let e = spec_error("[[filter]]\nltc = { any = [\"gout\"] }\n");
    assert!(e.contains("ltc.any") && e.contains("gout") && e.contains("line 2"), "unknown LTC: {e}");
    let e = spec_error("nmae = \"x\"\n");
    assert!(e.contains("nmae") && e.contains("line 1"), "unknown top-level: {e}");
    let e = spec_error("[[filter]]\nenabled = false\n");
    assert!(e.contains("one condition"), "empty filter: {e}");
}

#[test]
fn members_list_is_paged_and_audited() {
    let (people, ws) = fixture();
    let out = run(&["cohort", "--workspace", ws.to_str().unwrap(), "--year", "1920", "--age-min", "75", "--members", "5", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(v["total"].as_u64().unwrap() as usize, people.iter().filter(|p| p.age("1920") >= 75).count());
    let costs: Vec<f64> = rows.iter().map(|r| r["health_cost"].as_f64().unwrap()).collect();
    assert!(costs.windows(2).all(|w| w[0] >= w[1]));
    // Display pseudonyms only: never an anon_chi.
    assert!(rows.iter().all(|r| r["id"].as_str().unwrap().starts_with('P') && !people.iter().any(|p| p.anon == r["id"].as_str().unwrap())));
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let conn = open_ro(ws);
    let n: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'members page'", [], |r| r.get(0)).unwrap();
    assert!(n >= 1);
}

#[test]
fn missing_workspace_is_an_error_not_a_new_file() {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("nope-{}/ws.duckdb", std::process::id()));
    let out = run(&["cohort", "--workspace", p.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!p.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("carepath load"));
}

#[test]
fn example_specs_in_assets_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join("cohorts");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            carepath::model::cohort::CohortSpec::from_file(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 3);
}
