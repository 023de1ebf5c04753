//! `carepath export`: disclosure control on every exported cell, secondary suppression that
//! holds, formula-like text neutralised, person-level rows only with the flag (audited).
mod cohort_fixtures;
use carepath::analysis::disclosure::{Cell, Policy};
use carepath::ops::tables::{characterisation_table, cohort_set};
use carepath::store::cohort::{Attrition, AttritionStep, Breakdown, BreakdownRow, Characterisation};
use cohort_fixtures::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

fn fixture() -> &'static (Vec<Person>, PathBuf) {
    static F: OnceLock<(Vec<Person>, PathBuf)> = OnceLock::new();
    F.get_or_init(|| {
        let people = population(600, 5);
        let ws = build_workspace("export", &people);
        (people, ws)
    })
}

static LOCK: Mutex<()> = Mutex::new(());

fn run(args: &[&str]) -> Output {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    Command::new(env!("CARGO_BIN_EXE_carepath")).args(args).output().unwrap()
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Parse our CSV (RFC 4180 quotes) into header + rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, q) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => q = !q,
            (',', false) => row.push(std::mem::take(&mut cur)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cur));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cur.push(c),
        }
    }
    let header = rows.remove(0);
    (header, rows)
}

const COUNT_COLUMNS: [&str; 5] = ["remaining", "cohort_n", "population_n", "cohort_users", "population_users"];

fn assert_no_small_counts(dir: &Path, threshold: u64) -> usize {
    let mut checked = 0;
    for name in ["attrition.csv", "characterisation.csv", "measures.csv"] {
        let (h, rows) = read_csv(&dir.join(name));
        for (ci, col) in h.iter().enumerate() {
            if !COUNT_COLUMNS.contains(&col.as_str()) {
                continue;
            }
            for r in &rows {
                let v = &r[ci];
                if v == "*" || v.is_empty() {
                    continue;
                }
                let n: u64 = v.parse().unwrap_or_else(|_| panic!("{name} {col}: {v:?} is not a count"));
                assert!(n == 0 || n >= threshold, "{name} {col}: {n} is below the threshold {threshold}");
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn exported_cells_respect_the_threshold_and_no_person_rows_by_default() {
    let (_, ws) = fixture();
    let dir = out_dir("default");
    let out = run(&[
        "export", "--workspace", ws.to_str().unwrap(), "--year", "1920", "--age-min", "65", "--ltc", "copd", "--out", dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(assert_no_small_counts(&dir, 10) > 20);
    assert!(!dir.join("members.csv").exists());
    // Small categories were there to withhold (the cohort is small), and were withheld.
    let text = std::fs::read_to_string(dir.join("characterisation.csv")).unwrap();
    assert!(text.contains('*'));
    // Secondary suppression on the real export: no breakdown has exactly one withheld category
    // while its total is shown.
    let (h, rows) = read_csv(&dir.join("characterisation.csv"));
    let c = h.iter().position(|x| x == "cohort_n").unwrap();
    let mut sections: std::collections::BTreeMap<String, Vec<&Vec<String>>> = Default::default();
    for r in &rows {
        if r[0] != "ltc" {
            sections.entry(r[0].clone()).or_default().push(r);
        }
    }
    for (s, rs) in sections {
        let total_shown = rs.iter().any(|r| r[1] == "Total" && r[c] != "*");
        let hidden = rs.iter().filter(|r| r[1] != "Total" && r[c] == "*").count();
        assert!(!(total_shown && hidden == 1), "{s}: one withheld category could be derived from the total");
    }

    // A stricter threshold and rounding through a policy file.
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, "threshold = 20\nrounding = 5\n").unwrap();
    let dir2 = out_dir("strict");
    let out = run(&["export", "--workspace", ws.to_str().unwrap(), "--year", "1920", "--age-min", "65", "--out", dir2.to_str().unwrap(), "--policy", policy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_no_small_counts(&dir2, 20);
    let (h, rows) = read_csv(&dir2.join("attrition.csv"));
    let c = h.iter().position(|x| x == "remaining").unwrap();
    assert!(rows.iter().all(|r| r[c] == "*" || r[c].parse::<u64>().unwrap() % 5 == 0));
    // A misspelt policy setting is an error (it must not silently weaken protection).
    std::fs::write(&policy, "treshold = 3\n").unwrap();
    let out = run(&["export", "--workspace", ws.to_str().unwrap(), "--out", dir2.to_str().unwrap(), "--policy", policy.to_str().unwrap()]);
    assert!(!out.status.success());

    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let conn = open_ro(ws);
    let person: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'export person-level'", [], |r| r.get(0)).unwrap();
    let agg: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'aggregate output' AND query LIKE 'export to %'", [], |r| r.get(0)).unwrap();
    assert!(agg >= 1);
    let _ = person; // other tests may have asked for person-level rows
}

fn table_with_one_small(values: &[u64]) -> Characterisation {
    let total: u64 = values.iter().sum();
    Characterisation {
        years: vec!["1920".into()],
        cohort_people: total,
        population_people: total * 10,
        cohort_share_of_people_pct: Some(10.0),
        breakdowns: vec![Breakdown {
            name: "simd_quintile".into(),
            title: "SIMD".into(),
            rows: values
                .iter()
                .enumerate()
                .map(|(i, v)| BreakdownRow {
                    key: (i + 1).to_string(),
                    label: (i + 1).to_string(),
                    cohort: *v,
                    cohort_pct: None,
                    population: v * 10,
                    population_pct: None,
                })
                .collect(),
        }],
        ltcs: Vec::new(),
        measures: Vec::new(),
    }
}

#[test]
fn secondary_suppression_protects_a_derivable_cell() {
    // Quintile 1 has 3 people: withheld. Without a partner, 3 = total - (others) would be
    // derivable; the gate must withhold another category, keep the total, and withhold the
    // percentages of both.
    let ch = table_with_one_small(&[3, 40, 12, 200, 55]);
    let published = carepath::analysis::disclosure::apply(&Policy::default(), &characterisation_table(&ch).0);
    let col = |r: usize| published.rows[r][2].clone();
    assert_eq!(col(0), Cell::Suppressed);
    let hidden: Vec<usize> = (0..5).filter(|&r| col(r) == Cell::Suppressed).collect();
    assert!(hidden.len() >= 2, "partner suppressed: {hidden:?}");
    assert_eq!(col(5), Cell::Count(310), "the total is still shown");
    for r in &hidden {
        assert_eq!(published.rows[*r][3], Cell::Suppressed, "% of a withheld count is withheld");
    }
    // The population column: 30 is not small, but cohort 3 = population 30 - rest, and the
    // rest is hidden: fine. No shown figure lets the reader solve for the 3.
    let shown: u64 = (0..5).filter_map(|r| if let Cell::Count(n) = col(r) { Some(n) } else { None }).sum();
    assert!(310 - shown > 3, "the withheld cells' sum does not reveal the small one alone");
}

#[test]
fn formula_like_labels_are_neutralised() {
    let (_, ws) = fixture();
    let spec = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("evil-{}.toml", std::process::id()));
    std::fs::write(
        &spec,
        "years = [\"1920\"]\n[[filter]]\nlabel = \"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\")\"\nage = { min = 18 }\n\
         [[filter]]\nlabel = \"+cmd|' /C calc'!A0\"\nsex = \"F\"\n[[filter]]\nlabel = \"@SUM(A1)\"\nservice_user = true\n\
         [[filter]]\nlabel = \"-2+3\"\ndied = \"exclude\"\n",
    )
    .unwrap();
    let dir = out_dir("evil");
    let out = run(&["export", "--workspace", ws.to_str().unwrap(), "--spec", spec.to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, rows) = read_csv(&dir.join("attrition.csv"));
    let labels: Vec<&String> = rows.iter().map(|r| &r[1]).collect();
    for bad in ["=HYPERLINK", "+cmd", "@SUM", "-2+3"] {
        assert!(labels.iter().any(|l| l.starts_with(&format!("'{bad}"))), "{bad} neutralised: {labels:?}");
    }
    for name in ["attrition.csv", "characterisation.csv", "measures.csv"] {
        let (_, rows) = read_csv(&dir.join(name));
        for r in rows {
            for c in r {
                // numbers (incl. a negative % change) are fine; text must not start a formula
                if c.parse::<f64>().is_err() {
                    assert!(!c.starts_with(['=', '+', '-', '@']), "{name}: {c:?}");
                }
            }
        }
    }
}

#[test]
fn person_level_rows_only_with_the_flag_and_audited() {
    let (people, ws) = fixture();
    let dir = out_dir("person");
    let out = run(&["export", "--workspace", ws.to_str().unwrap(), "--year", "1920", "--age-min", "85", "--out", dir.to_str().unwrap(), "--person-level"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (h, rows) = read_csv(&dir.join("members.csv"));
    assert_eq!(h[0], "person");
    assert!(rows.iter().all(|r| r[0].starts_with('P') && !people.iter().any(|p| p.anon == r[0])), "pseudonyms, never anon_chi");
    assert_eq!(rows.len(), people.iter().filter(|p| p.age("1920") >= 85).count());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let conn = open_ro(ws);
    let detail: String = conn
        .query_row("SELECT detail FROM audit_log WHERE action = 'export person-level' AND detail LIKE ? LIMIT 1", [format!("%{}%", dir.display())], |r| r.get(0))
        .unwrap();
    assert!(detail.contains("members.csv"), "{detail}");
}

#[test]
fn parquet_export_is_readable_and_protected() {
    let (_, ws) = fixture();
    let dir = out_dir("parquet");
    let out = run(&["export", "--workspace", ws.to_str().unwrap(), "--year", "1920", "--ltc", "diabetes", "--out", dir.to_str().unwrap(), "--format", "parquet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let f = dir.join("characterisation.parquet");
    let mut stmt = conn.prepare("SELECT cohort_n FROM read_parquet(?)").unwrap();
    let vals: Vec<Option<String>> = stmt.query_map([f.to_str().unwrap()], |r| r.get(0)).unwrap().map(|x| x.unwrap()).collect();
    assert!(vals.len() > 20);
    for v in vals.into_iter().flatten() {
        if v != "*" {
            let n: u64 = v.parse().unwrap();
            assert!(n == 0 || n >= 10, "{n}");
        }
    }
}

#[test]
fn publish_gates_attrition_from_the_library() {
    // Library route (what the TUI will use): a small final step is withheld along with its %s.
    let att = Attrition {
        years: vec!["1920".into()],
        start: 500,
        count: 4,
        steps: vec![
            AttritionStep { filter: "all".into(), filter_index: None, remaining: 500, pct_of_start: Some(100.0), pct_change: None },
            AttritionStep { filter: "65+".into(), filter_index: Some(0), remaining: 120, pct_of_start: Some(24.0), pct_change: Some(-76.0) },
            AttritionStep { filter: "COPD".into(), filter_index: Some(1), remaining: 4, pct_of_start: Some(0.8), pct_change: Some(-96.7) },
        ],
    };
    let ch = table_with_one_small(&[1, 3]);
    let set = cohort_set(&att, &ch);
    let raw: Vec<_> = set.tables.iter().map(|t| t.table.clone()).collect();
    let tables = carepath::analysis::disclosure::apply_linked(&Policy::default(), &raw, &set.links);
    let a = &tables[0];
    assert_eq!(a.rows[2][2], Cell::Suppressed);
    assert_eq!(a.rows[2][3], Cell::Suppressed);
    assert_eq!(a.rows[2][4], Cell::Suppressed);
    assert_eq!(a.rows[0][2], Cell::Count(500));
}
