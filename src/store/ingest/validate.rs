//! Plausibility checks on top of each kind's own rules, and conflicts between rows.
//!
//! [`harden`] adds rules that every field of a type gets (a number that is NaN or infinite, a
//! negative amount, a date outside 1900-2100 or spelled as a word like `epoch`, an HRI %
//! outside 0-100) and rules that tie fields together (a financial year that disagrees with the
//! dates, death before birth, a gender code not 0/1/2/9). They run in the same one pass as the
//! kind's rules: a row failing one is a reject with its file, row, column, value and reason.
//!
//! [`conflicts`] looks across rows after staging: the same person-year twice, one social care
//! client linked to two people, a datazone with two SIMD ranks. Those rows are kept; the load
//! report says how many there are and which one is used.
use super::spec::{rule, Spec, Ty};
use crate::store::sql::{self, ident};
use anyhow::Result;
use duckdb::Connection;

/// Dates outside this range are not dates of care in these extracts (and would turn one stay
/// into a hundred financial years).
pub const FIRST_DATE: &str = "1900-01-01";
pub const LAST_DATE: &str = "2100-12-31";

/// A cost above this in one row (£100 million) is a corrupt value, not a cost.
const MAX_COST: f64 = 1e8;

/// The spec with the plausibility rules added: values that are not real (NaN, Infinity, a date
/// word) are checked before the kind's own rules (so `-inf` is "not a finite number", not "a
/// negative cost"), the plausibility of real values after them.
pub fn harden(mut spec: Spec) -> Spec {
    let mut first = Vec::new();
    let mut extra = Vec::new();
    let has = |n: &str| spec.fields.iter().any(|f| f.name == n);
    for fld in &spec.fields {
        let c = ident(&fld.name);
        let r = ident(&format!("r_{}", fld.name));
        let n = &fld.name;
        match fld.ty {
            Ty::Num => {
                first.push(rule(n, &format!("isnan({c}) OR isinf({c})"), &format!("{n}: not a finite number (NaN or Infinity)")));
                extra.push(rule(n, &format!("{c} < 0"), &format!("{n}: negative value")));
                if n.starts_with("hri_") && n.ends_with('p') {
                    extra.push(rule(n, &format!("{c} > 100"), &format!("{n}: HRI % must be 0 to 100")));
                }
                if n.contains("cost") {
                    extra.push(rule(n, &format!("{c} > {MAX_COST}"), &format!("{n}: implausible cost (over £100 million in one row)")));
                }
            }
            Ty::Int if n.ends_with("beddays") || n == "no_paid_items" => {
                extra.push(rule(n, &format!("{c} < 0"), &format!("{n}: negative value")));
            }
            Ty::Date => {
                // `epoch`, `infinity`, `today` ... parse as dates; a real date starts with a digit.
                first.push(rule(
                    n,
                    &format!("{r} IS NOT NULL AND NOT regexp_matches(CAST({r} AS VARCHAR), '^\\s*[0-9]')"),
                    &format!("{n}: not a date (a word such as epoch or infinity)"),
                ));
                extra.push(rule(
                    n,
                    &format!("{c} < DATE '{FIRST_DATE}' OR {c} > DATE '{LAST_DATE}'"),
                    &format!("{n}: date outside 1900-2100"),
                ));
            }
            _ => {}
        }
    }
    if has("chi_gender_code") {
        extra.push(rule("chi_gender_code", "chi_gender_code NOT IN (0, 1, 2, 9)", "chi_gender_code: gender must be 0, 1, 2 or 9"));
    }
    if has("date_of_death") && has("chi_date_of_birth") {
        extra.push(rule("date_of_death", "date_of_death < chi_date_of_birth", "date of death before date of birth"));
    }
    if has("year") && has("record_keydate1") && has("record_keydate2") {
        // An episode belongs to a year's file when it overlaps that financial year (a stay
        // crossing 31 March is in both years' files; an open stay has no end yet).
        extra.push(rule(
            "year",
            &format!(
                "year IS NOT NULL AND record_keydate1 IS NOT NULL AND (record_keydate1 > {end} OR coalesce(record_keydate2, DATE '{LAST_DATE}') < {start})",
                start = sql::fy_start("year"),
                end = sql::fy_end("year")
            ),
            "financial year (year) does not match the episode's dates (record_keydate1/record_keydate2)",
        ));
    }
    if has("period") && has("financial_year") {
        extra.push(rule(
            "financial_year",
            "financial_year IS NOT NULL AND period IS NOT NULL AND TRY_CAST(substr(period, 1, 4) AS INTEGER) <> financial_year",
            "financial_year does not match the period's year (period YYYYQn starts with the financial year)",
        ));
    }
    first.append(&mut spec.rules);
    first.extend(extra);
    spec.rules = first;
    spec
}

/// A conflict between rows, reported in the load report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Conflict {
    pub what: String,
    /// How many keys (person-years, clients, datazones) have more than one value.
    pub count: i64,
    /// Which row carepath uses.
    pub rule: String,
}

/// Conflicts across everything staged in the workspace.
pub fn conflicts(conn: &Connection) -> Result<Vec<Conflict>> {
    let checks = [
        (
            "person-years with more than one row in the individual files (same anon_chi and year)",
            "SELECT count(*) FROM (SELECT 1 FROM stg_individual GROUP BY anon_chi, year HAVING count(*) > 1)",
            "the row of the most recently loaded file is used (within a file, the last row)",
        ),
        (
            "social care clients (sending_location + social_care_id) linked to more than one CHI",
            "SELECT count(*) FROM (SELECT 1 FROM stg_sc_demographics WHERE anon_chi IS NOT NULL
               GROUP BY sending_location, social_care_id HAVING count(DISTINCT anon_chi) > 1)",
            "the CHI of the latest period is used (same period: the later row)",
        ),
        (
            "datazones with more than one SIMD rank in the lookup",
            "SELECT count(*) FROM (SELECT 1 FROM stg_simd_lookup GROUP BY datazone2011 HAVING count(DISTINCT simd2020v2_rank) > 1)",
            "the row of the most recently loaded lookup is used (within a file, the last row)",
        ),
    ];
    let mut out = Vec::new();
    for (what, q, rule) in checks {
        let n: i64 = conn.query_row(q, [], |r| r.get(0))?;
        if n > 0 {
            out.push(Conflict { what: what.into(), count: n, rule: rule.into() });
        }
    }
    Ok(out)
}

/// Top-level column names that appear more than once in a Parquet file's schema
/// (case-insensitive), with how many times. DuckDB's reader keeps every copy (`a`, `a_1`, ...);
/// the first is the one used, as for CSV.
pub fn duplicate_parquet_names(conn: &duckdb::Connection, path: &std::path::Path) -> anyhow::Result<Vec<(String, usize)>> {
    let p = super::discover::duckdb_path(path);
    let mut st = conn.prepare("SELECT name, coalesce(num_children, 0) FROM parquet_schema(?)")?;
    let rows: Vec<(String, i64)> = st.query_map([&p], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    // The schema is a tree flattened depth first: the root, then each top-level column with
    // its nested fields after it. Walk the root's children, skipping each one's subtree.
    fn subtree(rows: &[(String, i64)], at: usize) -> usize {
        let mut next = at + 1;
        for _ in 0..rows.get(at).map(|r| r.1.max(0)).unwrap_or(0) {
            next = subtree(rows, next);
        }
        next
    }
    let mut names = Vec::new();
    let mut at = 1;
    for _ in 0..rows.first().map(|r| r.1.max(0)).unwrap_or(0) {
        let Some((name, _)) = rows.get(at) else { break };
        names.push(name.to_ascii_lowercase());
        at = subtree(&rows, at);
    }
    Ok(repeated(&names))
}

/// Names that occur more than once, with their counts, in order of first appearance.
fn repeated(names: &[String]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for n in names {
        let k = names.iter().filter(|x| *x == n).count();
        if k > 1 && !out.iter().any(|(m, _)| m == n) {
            out.push((n.clone(), k));
        }
    }
    out
}

/// Column names that appear more than once in a CSV header (case-insensitive), with how many
/// times. The reader keeps every copy (`a`, `a_1`, ...); the first is the one used.
pub fn duplicate_header_names(path: &std::path::Path, delim: &str) -> Vec<(String, usize)> {
    use std::io::BufRead;
    let Ok(reader) = super::read::open_text(path) else { return Vec::new() };
    let header = std::io::BufReader::new(reader)
        .lines()
        .take(1000)
        .map_while(|l| l.ok())
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let names: Vec<String> = header.split(delim).map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase()).collect();
    repeated(&names)
}
