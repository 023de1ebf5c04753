//! `carepath transitions` (issue 13, item 6) on an extract in the full published layout
//! (`pathway_fixture`): every count is checked against an independent DuckDB query over the raw
//! CSVs (PHS's HRI rule recomputed here) and against hand counts of the fixture's fates; the
//! rows sum to `carepath hri`'s bands and persistence equals `carepath hri`'s; gated output
//! gives no withheld cell back from its row, its column or the totals.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, load_json, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const BANDS: [&str; 5] = ["High", "High to Medium", "Medium", "Medium to Low", "Low"];
const CATEGORIES: [&str; 8] = ["High", "High to Medium", "Medium", "Medium to Low", "Low", "Not in the HRI population", "Died", "Not present"];

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ws: PathBuf,
}

fn load() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_transitions_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    Fixture { _tmp: tmp, dir, ws }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(load)
}

/// The CLI opens the workspace read-write: one run at a time.
static LOCK: Mutex<()> = Mutex::new(());

fn run_json(args: &[&str]) -> Value {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let out = carepath(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn transitions(ws: &Path, from: &str, to: &str, level: &str, extra: &[&str]) -> Value {
    let mut args = vec!["transitions", "--workspace", ws.to_str().unwrap(), "--from", from, "--to", to, "--level", level, "--format", "json"];
    args.extend_from_slice(extra);
    run_json(&args)
}

fn band_sql(x: &str) -> String {
    format!("CASE WHEN {x} < 50 THEN 'High' WHEN {x} < 65 THEN 'High to Medium' WHEN {x} < 80 THEN 'Medium' WHEN {x} < 95 THEN 'Medium to Low' ELSE 'Low' END")
}

/// Independent: per person-year the health cost and residence from the raw files, PHS's HRI %
/// (Scottish postcode areas only, cost descending, ties anon_chi ascending), the death date
/// (NRS registration, else the file's `death_date`), then the categories of `model::transitions`.
fn expected(dir: &Path, from: &str, to: &str, to_start: &str, to_end: &str) -> (HashMap<(String, String), i64>, (i64, i64, i64)) {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let files: Vec<String> = ["1920", "2021", "2122"].iter().map(|y| format!("SELECT * FROM {}", raw(dir, &format!("source-episode-file-{y}.csv")))).collect();
    let base = format!(
        "WITH raw AS ({union}),
         py AS (SELECT anon_chi, year, any_value(postcode) AS pc,
                  coalesce(sum(CAST(cost_total_net AS DOUBLE)) FILTER (WHERE recid IN {HEALTH}), 0) AS c
                FROM raw WHERE anon_chi IS NOT NULL GROUP BY anon_chi, year),
         pop AS (SELECT * FROM py WHERE coalesce(regexp_extract(upper(pc), '^[A-Z]{{1,3}}') IN {AREAS}, false)),
         cum AS (SELECT anon_chi, year, c, 100 * sum(c) OVER (PARTITION BY year ORDER BY c DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                        / sum(c) OVER (PARTITION BY year) AS p FROM pop),
         deaths AS (SELECT anon_chi, coalesce(max(CAST(record_keydate1 AS DATE)) FILTER (WHERE recid = 'NRS'), max(CAST(death_date AS DATE))) AS dd
                    FROM raw WHERE anon_chi IS NOT NULL GROUP BY anon_chi)",
        union = files.join(" UNION ALL BY NAME ")
    );
    let sql = format!(
        "{base}
         SELECT {fb}, CASE WHEN d.dd < DATE '{to_start}' THEN 'Died'
                          WHEN t.p IS NOT NULL AND (t.c > 0 OR d.dd IS NULL OR d.dd > DATE '{to_end}') THEN {tb}
                          WHEN d.dd <= DATE '{to_end}' THEN 'Died' WHEN p2.anon_chi IS NOT NULL THEN 'Not in the HRI population'
                          ELSE 'Not present' END, count(*)
         FROM cum f LEFT JOIN cum t ON t.anon_chi = f.anon_chi AND t.year = '{to}'
         LEFT JOIN py p2 ON p2.anon_chi = f.anon_chi AND p2.year = '{to}'
         LEFT JOIN deaths d ON d.anon_chi = f.anon_chi
         WHERE f.year = '{from}' GROUP BY 1, 2",
        fb = band_sql("f.p"),
        tb = band_sql("t.p")
    );
    let mut m = HashMap::new();
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        m.insert((r.get::<_, String>(0).unwrap(), r.get::<_, String>(1).unwrap()), r.get::<_, i64>(2).unwrap());
    }
    let per = format!(
        "{base}
         SELECT count(*), count(*) FILTER (WHERE t.p <= 50), count(*) FILTER (WHERE d.dd <= DATE '{to_end}')
         FROM cum f LEFT JOIN cum t ON t.anon_chi = f.anon_chi AND t.year = '{to}' LEFT JOIN deaths d ON d.anon_chi = f.anon_chi
         WHERE f.year = '{from}' AND f.p <= 50"
    );
    let p = c.query_row(&per, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    (m, p)
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("expected a number, got {v}"))
}

fn cell(v: &Value, from: &str, to: &str) -> Value {
    v["rows"].as_array().unwrap().iter().find(|r| r["from_band"] == from && r["to_band"] == to).unwrap_or_else(|| panic!("no row {from} -> {to}"))["people"].clone()
}

#[test]
fn scotland_transitions_match_an_independent_computation_and_hand_counts() {
    let f = fixture();
    let v = transitions(&f.ws, "1920", "2021", "scotland", &["--no-sdc"]);
    let (exp, (hri, remained, died)) = expected(&f.dir, "1920", "2021", "2020-04-01", "2021-03-31");
    assert_eq!(v["rows"].as_array().unwrap().len(), 40, "5 bands x 8 categories");
    for b in BANDS {
        for c in CATEGORIES {
            let e = exp.get(&(b.to_string(), c.to_string())).copied().unwrap_or(0);
            assert_eq!(n(&cell(&v, b, c)), e, "{b} -> {c}");
        }
    }
    // hand counts from the fixture's fates (residents of 2019/20 only)
    let residents = |k: &[usize]| (0..TRANSITION_PEOPLE - 6).filter(|i| k.contains(&fate(*i))).count() as i64;
    let col = |c: &str| BANDS.iter().map(|b| n(&cell(&v, b, c))).sum::<i64>();
    assert_eq!(col("Died"), residents(&[0, 2]), "died in 2019/20, or in 2020/21 with no use that year (only the death registration)");
    assert_eq!(col("Not present"), residents(&[3]));
    assert_eq!(col("Not in the HRI population"), residents(&[4]));
    let all: i64 = CATEGORIES.iter().map(|c| col(c)).sum();
    assert_eq!(all, (TRANSITION_PEOPLE - 6) as i64, "everyone resident in 2019/20 once");
    let p = &v["persistence"];
    assert_eq!(n(&p["hri_people"]), hri);
    assert_eq!(n(&p["remained"]), remained);
    assert_eq!(n(&p["died"]), died);
    let pct = p["persistence_pct"].as_f64().unwrap();
    assert!((pct - (1000.0 * remained as f64 / hri as f64).round() / 10.0).abs() < 1e-9, "{pct}");
    assert!(v["heading"].as_str().unwrap().contains("2019/20 to 2020/21"));
}

#[test]
fn rows_sum_to_the_hri_bands_and_persistence_equals_hri() {
    let f = fixture();
    for level in ["scotland", "board", "council"] {
        let v = transitions(&f.ws, "1920", "2021", level, &["--no-sdc"]);
        let h1 = run_json(&["hri", "--workspace", f.ws.to_str().unwrap(), "--year", "1920", "--level", level, "--format", "json", "--no-sdc"]);
        for band in h1["bands"].as_array().unwrap() {
            let name = band["band"].as_str().unwrap();
            let sum: i64 = CATEGORIES.iter().map(|c| n(&cell(&v, name, c))).sum();
            assert_eq!(sum, n(&band["people"]), "{level} {name}");
            let total = v["from_totals"].as_array().unwrap().iter().find(|t| t["from_band"] == name).unwrap();
            assert_eq!(n(&total["people"]), sum, "{level} {name} total");
        }
        let h2 = run_json(&["hri", "--workspace", f.ws.to_str().unwrap(), "--year", "2021", "--level", level, "--format", "json", "--no-sdc"]);
        let (hp, tp) = (&h2["persistence"], &v["persistence"]);
        assert_eq!(n(&tp["hri_people"]), n(&hp["previous_hri"]), "{level}");
        assert_eq!(n(&tp["remained"]), n(&hp["remained"]), "{level}");
        assert_eq!(n(&tp["died"]), n(&hp["died"]), "{level}");
        let hri_pct = h2["tables"]["hri"][0]["persistence_pct"].as_f64().unwrap();
        assert_eq!(tp["persistence_pct"].as_f64().unwrap(), hri_pct, "{level}");
    }
}

#[test]
fn years_apart_and_persistence_over_three_years() {
    let f = fixture();
    let v = transitions(&f.ws, "1920", "2122", "scotland", &["--no-sdc"]);
    let (exp, (hri, remained, _)) = expected(&f.dir, "1920", "2122", "2021-04-01", "2022-03-31");
    for b in BANDS {
        for c in CATEGORIES {
            assert_eq!(n(&cell(&v, b, c)), exp.get(&(b.to_string(), c.to_string())).copied().unwrap_or(0), "{b} -> {c}");
        }
    }
    // people who died in 2020/21 after using services are Died in 2021/22
    let residents = |k: &[usize]| (0..TRANSITION_PEOPLE - 6).filter(|i| k.contains(&fate(*i))).count() as i64;
    assert_eq!(BANDS.iter().map(|b| n(&cell(&v, b, "Died"))).sum::<i64>(), residents(&[0, 1, 2]));
    // fates 3 and 4 have no 2021/22 record at all
    assert_eq!(BANDS.iter().map(|b| n(&cell(&v, b, "Not present"))).sum::<i64>(), residents(&[3, 4]));
    let p = &v["persistence"];
    assert_eq!((n(&p["hri_people"]), n(&p["remained"])), (hri, remained));
    // HRI in each of 2019/20, 2020/21 and 2021/22 (independent, from the raw files)
    let c = duckdb::Connection::open_in_memory().unwrap();
    let mut flags: HashMap<String, Vec<String>> = HashMap::new();
    for y in ["1920", "2021", "2122"] {
        let sql = format!(
            "WITH py AS (SELECT anon_chi, any_value(postcode) AS pc, sum(CAST(cost_total_net AS DOUBLE)) FILTER (WHERE recid IN {HEALTH}) AS c
                         FROM {} WHERE anon_chi IS NOT NULL GROUP BY anon_chi),
                  pop AS (SELECT anon_chi, coalesce(c, 0) AS c FROM py WHERE coalesce(regexp_extract(upper(pc), '^[A-Z]{{1,3}}') IN {AREAS}, false))
             SELECT anon_chi FROM (SELECT anon_chi, 100 * sum(c) OVER (ORDER BY c DESC, anon_chi ROWS UNBOUNDED PRECEDING) / sum(c) OVER () AS p FROM pop) WHERE p <= 50",
            raw(&f.dir, &format!("source-episode-file-{y}.csv"))
        );
        let mut st = c.prepare(&sql).unwrap();
        let ids: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(|x| x.unwrap()).collect();
        flags.insert(y.to_string(), ids);
    }
    let in_all = |ys: &[&str]| flags["1920"].iter().filter(|a| ys.iter().all(|y| flags[*y].contains(a))).count() as i64;
    let cont = p["continuous"].as_array().unwrap();
    assert_eq!(cont.len(), 2, "{cont:?}");
    assert_eq!(cont[0]["through_year"], "2021");
    assert_eq!(n(&cont[0]["people"]), in_all(&["2021"]));
    assert_eq!(cont[1]["through_year"], "2122");
    assert_eq!(n(&cont[1]["people"]), in_all(&["2021", "2122"]));
    assert!(in_all(&["2021", "2122"]) > 0 && in_all(&["2021", "2122"]) < in_all(&["2021"]));
}

#[test]
fn bad_years_are_refused_with_a_reason() {
    let f = fixture();
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let ws = f.ws.to_str().unwrap();
    let o = carepath(&["transitions", "--workspace", ws, "--from", "2021", "--to", "1920"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("later year"), "{}", stderr(&o));
    let o = carepath(&["transitions", "--workspace", ws, "--from", "1920", "--to", "1516"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("2015/16") && stderr(&o).contains("not loaded"), "{}", stderr(&o));
    for fmt in ["table", "csv"] {
        let o = carepath(&["transitions", "--workspace", ws, "--from", "2019/20", "--to", "2020-21", "--format", fmt]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s = common::stdout(&o);
        assert!(s.contains("Not present") && s.contains("Died") && s.contains("isclosure"), "{s}");
        if fmt == "table" {
            // the flow chart: one bar per earlier band, ASCII only
            assert!(s.contains("Flow (") && s.contains("  High            |"), "{s}");
            assert!(s.is_ascii(), "old terminals: ASCII only");
        }
    }
}

/// A published count as a number, or None when withheld ("*").
fn shown(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) if s == "*" => None,
        other => Some(n(other)),
    }
}

#[test]
fn gated_output_gives_no_withheld_cell_back() {
    // its own workspace: earlier outputs of a workspace feed its differencing guard
    let f = load();
    for (from, to, level) in [("1920", "2021", "scotland"), ("1920", "2021", "council"), ("1920", "2122", "board")] {
        let v = transitions(&f.ws, from, to, level, &[]);
        assert_eq!(v["disclosure"]["applied"], true);
        let t = v["tables"]["transitions"].as_array().unwrap();
        let mut withheld = 0;
        let grid: Vec<Vec<Option<i64>>> = t
            .iter()
            .map(|row| {
                let mut cols: Vec<&str> = CATEGORIES.to_vec();
                cols.push("Total");
                cols.iter().map(|c| shown(&row[*c])).collect()
            })
            .collect();
        for row in &grid {
            for x in row {
                match x {
                    Some(k) => assert!(*k == 0 || *k >= 10, "{level}: a count of {k} is shown"),
                    None => withheld += 1,
                }
            }
        }
        assert!(withheld > 0, "{level}: the fixture has small cells, so something must be withheld");
        // a row (parent: the band's total) minus its shown cells never isolates one withheld cell
        for (r, row) in grid.iter().enumerate() {
            assert_ne!(row.iter().filter(|x| x.is_none()).count(), 1, "{level} row {r}: one withheld cell in its row");
        }
        // nor does a column with its total row
        for c in 0..=CATEGORIES.len() {
            let unknown = grid.iter().filter(|row| row[c].is_none()).count();
            assert_ne!(unknown, 1, "{level} column {c}: one withheld cell in its column");
        }
        // and the JSON rows show exactly the published table
        for (r, b) in BANDS.iter().enumerate() {
            for (c, cat) in CATEGORIES.iter().enumerate() {
                assert_eq!(shown(&cell(&v, b, cat)), grid[r][c], "{b} -> {cat}");
            }
        }
        // persistence: a shown pair never differs by a small count (HRIs minus those remaining)
        let p = &v["persistence"];
        if let (Some(h), Some(r)) = (shown(&p["hri_people"]), shown(&p["remained"])) {
            assert!(h - r == 0 || h - r >= 10, "{level}: {h} - {r}");
        }
        if let (Some(h), Some(d)) = (shown(&p["hri_people"]), shown(&p["died"])) {
            assert!(h - d == 0 || h - d >= 10, "{level}: {h} - {d}");
        }
    }
}

#[test]
fn one_area_matches_hri_for_that_area() {
    let f = fixture();
    let ws = f.ws.to_str().unwrap();
    for level in ["council", "board"] {
        let h1 = run_json(&["hri", "--workspace", ws, "--year", "1920", "--level", level, "--format", "json", "--no-sdc"]);
        let h2 = run_json(&["hri", "--workspace", ws, "--year", "2021", "--level", level, "--format", "json", "--no-sdc"]);
        let areas = h1["areas"].as_array().unwrap();
        assert!(areas.len() >= 5, "{level}");
        let mut all = 0;
        for a in areas {
            let code = a["area"].as_str().unwrap();
            let v = transitions(&f.ws, "1920", "2021", level, &["--area", code, "--no-sdc"]);
            for band in a["bands"].as_array().unwrap() {
                let name = band["band"].as_str().unwrap();
                let sum: i64 = CATEGORIES.iter().map(|c| n(&cell(&v, name, c))).sum();
                assert_eq!(sum, n(&band["people"]), "{level} {code} {name}");
                all += sum;
            }
            let hp = &h2["areas"].as_array().unwrap().iter().find(|x| x["area"] == code).unwrap()["persistence"];
            let tp = &v["persistence"];
            assert_eq!((n(&tp["hri_people"]), n(&tp["remained"]), n(&tp["died"])), (n(&hp["previous_hri"]), n(&hp["remained"]), n(&hp["died"])), "{level} {code}");
            assert!(v["heading"].as_str().unwrap().contains("people of"), "{}", v["heading"]);
        }
        let whole = transitions(&f.ws, "1920", "2021", level, &["--no-sdc"]);
        assert_eq!(all, whole["from_totals"].as_array().unwrap().iter().map(|t| n(&t["people"])).sum::<i64>(), "the areas partition the level");
    }
    // by name, and refusals
    let by_name = transitions(&f.ws, "1920", "2021", "council", &["--area", "Glasgow City", "--no-sdc"]);
    let by_code = transitions(&f.ws, "1920", "2021", "council", &["--area", "17", "--no-sdc"]);
    assert_eq!(by_name["rows"], by_code["rows"]);
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let o = carepath(&["transitions", "--workspace", ws, "--from", "1920", "--to", "2021", "--area", "17"]);
    assert!(!o.status.success() && stderr(&o).contains("--level board or --level council"), "{}", stderr(&o));
    let o = carepath(&["transitions", "--workspace", ws, "--from", "1920", "--to", "2021", "--level", "council", "--area", "Atlantis"]);
    assert!(!o.status.success() && stderr(&o).contains("not a council"), "{}", stderr(&o));
}
