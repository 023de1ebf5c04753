//! The attrition query of a spec. Lives apart from `sql` (the general per-person CTEs) and
//! `rows` (single-year row conditions) because it uses both: keeping it here means neither of
//! those imports the other (no import circle).
use super::rows::filter_condition;
use super::sql::{build, resolve_years, text, Frag, Step};
use crate::model::cohort::CohortSpec;
use anyhow::Result;
use duckdb::Connection;

/// The attrition query: one row of `count(*)` (the starting population) then one count per
/// enabled filter, cumulative in filter order. Over ONE year (the default: the latest year)
/// each person has at most one person_year row, so the steps are plain row conditions counted
/// in a single scan of that year's rows, with no per-person grouping: this is the query the
/// cohort builder runs on every edit. Over several years the per-person CTEs of [`build`] are
/// needed (a filter may hold in any of the person's years).
pub fn attrition_query(conn: &Connection, spec: &CohortSpec) -> Result<(Frag, Vec<Step>, Vec<String>)> {
    let years = resolve_years(conn, spec)?;
    if years.len() != 1 {
        let c = build(conn, spec, false)?;
        let mut q = c.ctes.clone();
        q.push("SELECT count(*)");
        for k in 1..=c.steps.len() {
            q.push(&format!(", count(*) FILTER (WHERE s{k})"));
        }
        q.push(" FROM cohort");
        return Ok((q, c.steps, c.years));
    }
    spec.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let enabled: Vec<(usize, &crate::model::cohort::Filter)> = spec.enabled().collect();
    // k = how many filters the row passes before its first failure. CASE tests each condition
    // only on rows still in, once per row (count_if over AND-chains recomputed every prefix:
    // about 3x slower).
    let mut q = Frag::text("SELECT count(*)");
    for k in 1..=enabled.len() {
        q.push(&format!(", count_if(k >= {k})"));
    }
    q.push(" FROM (SELECT ");
    q.push(if enabled.is_empty() { "0" } else { "CASE" });
    let mut steps = Vec::new();
    for (k, (i, f)) in enabled.iter().enumerate() {
        q.push(" WHEN NOT coalesce(");
        q.append(&filter_condition(&f.rule, &years)?);
        q.push(&format!(", false) THEN {k}"));
        steps.push(Step { index: *i, label: f.label() });
    }
    if !steps.is_empty() {
        q.push(&format!(" ELSE {} END", steps.len()));
    }
    q.push(" AS k FROM person_year WHERE year = ");
    q.bind(text(&years[0]));
    q.push(")");
    let ctes = q;
    Ok((ctes, steps, years))
}

