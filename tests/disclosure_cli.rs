//! Disclosure control on every CLI output without `--no-sdc` (issue 12 item 4, issue 18 item 2):
//! no count from 1 to 9 in `hri`, `cohort` (table, CSV, JSON) or `export`; no withheld cell
//! derivable from its table's totals, from another table of the same output, from the output's
//! messages, or from two nested exports; thresholds below 10 refused; `--no-sdc` says so and is
//! audited. Also: no output shows a string that base64-decodes to a 10-digit number (a CHI),
//! control characters from the data never reach the terminal, CSV cells are neutralised, and
//! huge inputs give a clear error instead of a panic.
mod cohort_fixtures;
use cohort_fixtures::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

fn fixture() -> &'static (Vec<Person>, PathBuf) {
    static F: OnceLock<(Vec<Person>, PathBuf)> = OnceLock::new();
    F.get_or_init(|| {
        let people = population(400, 21);
        let ws = build_workspace("sdc", &people);
        (people, ws)
    })
}

static LOCK: Mutex<()> = Mutex::new(());

fn run(args: &[&str]) -> Output {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    Command::new(env!("CARGO_BIN_EXE_carepath")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn ok(args: &[&str]) -> (String, String) {
    let out = run(args);
    let (o, e) = (String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string());
    assert!(out.status.success(), "{args:?} failed: {e}");
    (o, e)
}

fn ws() -> String {
    fixture().1.display().to_string()
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sdc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Columns that hold counts of people in the published tables.
const COUNT_COLUMNS: [&str; 10] =
    ["remaining", "cohort_n", "population_n", "cohort_users", "population_users", "people", "hri_people", "previous_hri", "remained_hri", "died"];

/// Every count in a JSON `tables` object is withheld ("*"), zero, or at least 10.
fn assert_no_small_json(tables: &Value) {
    for (name, rows) in tables.as_object().unwrap() {
        for row in rows.as_array().unwrap() {
            for (col, v) in row.as_object().unwrap() {
                if COUNT_COLUMNS.contains(&col.as_str()) {
                    if let Some(n) = v.as_u64() {
                        assert!(n == 0 || n >= 10, "{name}.{col} = {n} in {row}");
                    }
                }
            }
        }
    }
}

/// Within one column of one table, a shown total with exactly one withheld part lets the part
/// be computed: the partner must be withheld too. `group` says which rows form a partition.
fn assert_not_derivable(rows: &[Value], col: &str, parts: &[usize], total: usize) {
    let total_shown = rows[total][col].as_u64().is_some();
    let hidden = parts.iter().filter(|&&r| rows[r][col] == "*").count();
    assert!(!(total_shown && hidden == 1), "{col}: one withheld cell of {parts:?} is total minus the others");
}

fn cohort_tables(extra: &[&str]) -> Value {
    let w = ws();
    let mut args = vec!["cohort", "--workspace", w.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let (o, _) = ok(&args);
    serde_json::from_str::<Value>(&o).unwrap()
}

#[test]
fn hri_has_no_small_counts_or_derivable_cells_in_any_format() {
    let w = ws();
    for level in ["scotland", "board", "council"] {
        let (o, _) = ok(&["hri", "--workspace", &w, "--year", "2019/20", "--level", level, "--format", "json"]);
        let v: Value = serde_json::from_str(&o).unwrap();
        assert_eq!(v["disclosure"]["applied"], true);
        assert!(v.get("people").is_none(), "no raw figures without --no-sdc: {v}");
        assert_no_small_json(&v["tables"]);
        let rows = v["tables"]["hri"].as_array().unwrap();
        let areas: Vec<usize> = (1..rows.len()).collect();
        if !areas.is_empty() {
            for col in ["people", "hri_people"] {
                assert_not_derivable(rows, col, &areas, 0);
            }
        }
        let bands = v["tables"]["hri_bands"].as_array().unwrap();
        let parts: Vec<usize> = (0..bands.len() - 1).collect();
        assert_not_derivable(bands, "people", &parts, bands.len() - 1);
        // A withheld HRI count takes its shares with it.
        for r in rows {
            if r["hri_people"] == "*" {
                for c in ["hri_pct_people", "hri_pct_cost", "hri_pct_acute_beddays"] {
                    assert!(r[c] == "*" || r[c].is_null(), "{c} of a withheld count: {r}");
                }
            }
        }
        // CSV and table: the same published cells (every small number would show up here).
        let (csv, _) = ok(&["hri", "--workspace", &w, "--year", "1920", "--level", level, "--format", "csv"]);
        assert!(csv.starts_with("# disclosure: Disclosure control applied"), "{csv}");
        let (table, _) = ok(&["hri", "--workspace", &w, "--year", "2019-20", "--level", level]);
        assert!(table.contains("Disclosure control applied"), "{table}");
    }
}

#[test]
fn cohort_outputs_are_gated_and_consistent_in_every_format() {
    let (people, _) = fixture();
    // A cohort smaller than the threshold: every copy of its count is withheld, everywhere.
    let n = |a: i32| people.iter().filter(|p| p.age("1920") >= a).count();
    let age = (60..120).find(|&a| (1..10).contains(&n(a))).expect("an age with 1-9 people above it");
    let (small, age) = (n(age), age.to_string());
    let v = cohort_tables(&["--year", "1920", "--age-min", &age]);
    assert_no_small_json(&v["tables"]);
    assert_eq!(v["count"], "*");
    let t = &v["tables"];
    let att = t["attrition"].as_array().unwrap();
    assert_eq!(att.last().unwrap()["remaining"], "*");
    assert_eq!(att.last().unwrap()["pct_of_start"], "*");
    assert_eq!(att.last().unwrap()["pct_change"], "*");
    for r in t["characterisation"].as_array().unwrap().iter().filter(|r| r["category"] == "Total") {
        assert_eq!(r["cohort_n"], "*", "characterisation total must not give the count back: {r}");
    }
    assert_eq!(t["measures"][0]["cohort_per_person"], "*");
    assert_eq!(t["measures"][0]["cohort_per_person"], "*");
    for m in t["measures"].as_array().unwrap() {
        assert!(m["cohort_share_of_population_pct"] == "*" || m["cohort_share_of_population_pct"].is_null() || m["cohort_users"] != "*", "{m}");
    }
    // Per section: a shown total never sits beside exactly one withheld category.
    let ch = t["characterisation"].as_array().unwrap();
    let mut start = 0;
    for (i, r) in ch.iter().enumerate() {
        if r["category"] == "Total" {
            let parts: Vec<usize> = (start..i).collect();
            assert_not_derivable(ch, "cohort_n", &parts, i);
            start = i + 1;
        }
    }
    let w = ws();
    let (table, _) = ok(&["cohort", "--workspace", &w, "--year", "1920", "--age-min", &age]);
    assert!(table.contains("\nCount: * of"), "{table}");
    let (csv, _) = ok(&["cohort", "--workspace", &w, "--year", "1920", "--age-min", &age, "--format", "csv"]);
    assert!(!csv.lines().any(|l| l.starts_with("1,") && l.contains(&format!(",{small},"))), "{csv}");
    // A bigger cohort through the same gate.
    let v = cohort_tables(&["--year", "1920", "--age-min", "65", "--ltc", "copd"]);
    assert_no_small_json(&v["tables"]);
}

#[test]
fn export_totals_and_messages_agree_with_suppression() {
    let (people, _) = fixture();
    let n = |a: i32| people.iter().filter(|p| p.age("1920") >= a).count();
    let age = (60..120).find(|&a| (1..10).contains(&n(a))).expect("an age with 1-9 people above it");
    let small = n(age);
    let dir = tmp("small");
    let w = ws();
    let (files, err) = ok(&["export", "--workspace", &w, "--year", "1920", "--age-min", &age.to_string(), "--out", dir.to_str().unwrap()]);
    assert!(err.contains("cohort size is withheld"), "{err}");
    assert!(!err.contains(&format!(" {small} ")), "the message must not give the count: {err}");
    assert!(files.contains("attrition.csv"));
    for f in ["attrition.csv", "characterisation.csv", "measures.csv"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        for line in text.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            for (h, c) in header.iter().zip(&cells) {
                if COUNT_COLUMNS.contains(h) {
                    if let Ok(n) = c.parse::<u64>() {
                        assert!(n == 0 || n >= 10, "{f}: {h} = {n} in {line}");
                    }
                }
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o077, 0, "{f} is owner-only");
        }
    }
}

#[test]
fn nested_exports_cannot_be_differenced() {
    let (people, _) = fixture();
    // An age where one year more removes 1-9 people: 75+ vs 76+ style differencing.
    let n = |a: i32| people.iter().filter(|p| p.age("1920") >= a).count();
    let age = (40..90).find(|&a| n(a) >= 10 && n(a + 1) >= 10 && n(a) - n(a + 1) > 0 && n(a) - n(a + 1) < 10).expect("an age with a small step");
    let w = ws();
    let count_of = |a: i32, name: &str| -> Option<u64> {
        let dir = tmp(name);
        ok(&["export", "--workspace", &w, "--year", "1920", "--age-min", &a.to_string(), "--out", dir.to_str().unwrap(), "--format", "json"]);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("attrition.json")).unwrap()).unwrap();
        v.as_array().unwrap().last().unwrap()["remaining"].as_u64()
    };
    let first = count_of(age, "outer");
    let second = count_of(age + 1, "inner");
    if let (Some(a), Some(b)) = (first, second) {
        let d = a.abs_diff(b);
        assert!(d == 0 || d >= 10, "two nested exports reveal {d} people: {a} vs {b}");
    }
    // Every export's counts are on record for an output checker.
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let conn = open_ro(&fixture().1);
    let recorded: i64 = conn.query_row("SELECT count(DISTINCT release_id) FROM audit_release_counts WHERE output LIKE 'export to %'", [], |r| r.get(0)).unwrap();
    assert!(recorded >= 2);
}

#[test]
fn thresholds_only_go_up_and_no_sdc_is_said_and_audited() {
    let w = ws();
    for t in ["0", "1", "9"] {
        let out = run(&["cohort", "--workspace", &w, "--threshold", t]);
        assert!(!out.status.success(), "threshold {t} accepted");
        assert!(String::from_utf8_lossy(&out.stderr).contains("minimum of 10"), "{}", String::from_utf8_lossy(&out.stderr));
        let out = run(&["export", "--workspace", &w, "--threshold", t, "--out", tmp("t").to_str().unwrap()]);
        assert!(!out.status.success());
    }
    let v = cohort_tables(&["--threshold", "20"]);
    assert!(v["disclosure"]["text"].as_str().unwrap().contains("1 to 19"));
    let (o, _) = ok(&["cohort", "--workspace", &w, "--no-sdc"]);
    assert!(o.contains("NO DISCLOSURE CONTROL"), "{o}");
    let (o, _) = ok(&["hri", "--workspace", &w, "--no-sdc", "--format", "csv"]);
    assert!(o.contains("NO DISCLOSURE CONTROL"), "{o}");
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let conn = open_ro(&fixture().1);
    let n: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'output without disclosure control' AND username IS NOT NULL AND uid IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert!(n >= 2);
}

/// Every run of base64 characters of 12 or more that decodes to exactly 10 ASCII digits.
fn chi_like(text: &str) -> Vec<String> {
    use base64::Engine;
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=';
    text.split(|c: char| !is_b64(c))
        .filter(|t| t.len() >= 12)
        .filter(|t| {
            base64::engine::general_purpose::STANDARD
                .decode(t.as_bytes())
                .is_ok_and(|b| b.len() == 10 && b.iter().all(u8::is_ascii_digit))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn no_output_or_export_shows_a_chi() {
    let w = ws();
    let mut texts = Vec::new();
    for f in ["table", "csv", "json"] {
        texts.push(ok(&["cohort", "--workspace", &w, "--age-min", "70", "--format", f]).0);
        texts.push(ok(&["cohort", "--workspace", &w, "--age-min", "70", "--members", "30", "--format", f]).0);
        texts.push(ok(&["hri", "--workspace", &w, "--level", "council", "--format", f]).0);
    }
    let v: Value = serde_json::from_str(&ok(&["cohort", "--workspace", &w, "--members", "3", "--format", "json"]).0).unwrap();
    for r in v["rows"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with('P'), "{id}");
        for f in ["table", "csv", "json"] {
            texts.push(ok(&["timeline", "--workspace", &w, "--person", id, "--format", f]).0);
        }
    }
    let dir = tmp("chi");
    ok(&["export", "--workspace", &w, "--out", dir.to_str().unwrap(), "--person-level"]);
    for e in std::fs::read_dir(&dir).unwrap() {
        texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    assert!(texts.len() > 10);
    for t in &texts {
        assert!(chi_like(t).is_empty(), "a CHI in base64: {:?}", chi_like(t));
    }
    // The check itself finds one (it would catch an anon_chi).
    assert_eq!(chi_like(&format!("x,{},y", fixture().0[0].anon)).len(), 1);
    // Only the audited reveal writes the map.
    let dir = tmp("reveal");
    ok(&["export", "--workspace", &w, "--out", dir.to_str().unwrap(), "--reveal-ids"]);
    let map = std::fs::read_to_string(dir.join("pseudonyms.csv")).unwrap();
    assert!(!chi_like(&map).is_empty());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let conn = open_ro(&fixture().1);
    let n: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'reveal ids'", [], |r| r.get(0)).unwrap();
    assert!(n >= 1);
}

#[test]
fn escapes_from_the_data_are_not_executed_and_csv_is_neutralised() {
    let spec = tmp("evil").with_extension("toml");
    std::fs::write(
        &spec,
        "years = [\"1920\"]\n[[filter]]\nlabel = \"\\u001b]0;pwned\\u0007\\u001b[2J=cmd\"\nage = { min = 18 }\n[[filter]]\nlabel = \"@SUM(A1)\"\nsex = \"F\"\n",
    )
    .unwrap();
    let w = ws();
    for f in ["table", "csv", "json"] {
        let (o, _) = ok(&["cohort", "--workspace", &w, "--spec", spec.to_str().unwrap(), "--format", f]);
        assert!(!o.contains('\u{1b}') && !o.contains('\u{7}'), "{f}: raw escape in {o:?}");
        if f == "csv" {
            assert!(o.contains(",'@SUM(A1),"), "{o}");
        }
    }
    // Errors too: a file name with an escape in it.
    let bad = tmp("x\u{1b}]0;t\u{7}").with_extension("toml");
    let out = run(&["cohort", "--workspace", &w, "--spec", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\u{1b}'));
}

#[test]
fn huge_inputs_are_refused_clearly() {
    let w = ws();
    let out = run(&["hri", "--workspace", &w, "--lorenz-points", "18446744073709551615"]);
    let e = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success() && !e.contains("panicked") && e.contains("at most 1001"), "{e}");
    let gen = tmp("gen");
    let out = run(&["generate", "--people", "18446744073709551615", "--out", gen.to_str().unwrap()]);
    let e = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success() && !e.contains("panicked") && e.contains("at most"), "{e}");
    assert!(!gen.exists(), "nothing written");
    let out = run(&["cohort", "--workspace", &w, "--members", "18446744073709551615"]);
    let e = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success() && e.contains("at most"), "{e}");
    let mut text = String::from("years = [\"1920\"]\n");
    for i in 0..3000 {
        text.push_str(&format!("[[filter]]\nage = {{ min = {} }}\n", i % 90));
    }
    let spec = tmp("many").with_extension("toml");
    std::fs::write(&spec, text).unwrap();
    let out = run(&["cohort", "--workspace", &w, "--spec", spec.to_str().unwrap()]);
    let e = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success() && e.contains("at most 100"), "{e}");
}

#[test]
fn years_in_any_form_and_unloaded_years_name_the_loaded_ones() {
    let w = ws();
    let a = cohort_tables(&["--year", "1920"]);
    let b = cohort_tables(&["--year", "2019/20"]);
    let c = cohort_tables(&["--year", "2019-20"]);
    assert_eq!(a["tables"], b["tables"]);
    assert_eq!(a["tables"], c["tables"]);
    for cmd in [vec!["cohort"], vec!["hri"], vec!["export", "--out", "/nonexistent-never-written"]] {
        let mut args = cmd.clone();
        args.extend(["--workspace", w.as_str(), "--year", "2015/16"]);
        let out = run(&args);
        let e = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{cmd:?}");
        assert!(e.contains("2015/16") && e.contains("2018/19") && e.contains("2019/20"), "{cmd:?}: {e}");
    }
}
