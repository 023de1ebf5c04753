//! Single-year cohorts as a plain WHERE over `person_year` rows.
//!
//! `(anon_chi, year)` is unique in `person_year`, so with one chosen year every person has
//! exactly one row: the per-person aggregation of [`super::sql::build`] (bool_or, sum,
//! arg_max of the index year) is the identity, and the cohort is the set of rows of that year
//! meeting every enabled filter. This gives the same people and figures without a GROUP BY over
//! the whole population. Multi-year specs keep the general path.
use super::sql::{self, row_condition, Frag};
use crate::model::cohort::{CohortSpec, Rule};
use anyhow::Result;
use duckdb::Connection;

/// The cohort of a single-year spec: rows of `person_year` (unaliased columns) meeting `cond`.
pub(super) struct RowCohort {
    pub years: Vec<String>,
    /// `year = ? AND ...`: the chosen year and every enabled filter.
    pub cond: Frag,
    /// Any enabled filter at all (without one the cohort is the whole population).
    pub filtered: bool,
}

/// The row form of a single-year spec, or None for a multi-year spec.
pub(super) fn single_year(conn: &Connection, spec: &CohortSpec) -> Result<Option<RowCohort>> {
    spec.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let years = sql::resolve_years(conn, spec)?;
    if years.len() != 1 {
        return Ok(None);
    }
    let mut cond = Frag::text("year = ");
    cond.bind(sql::text(&years[0]));
    let mut filtered = false;
    for (_, f) in spec.enabled() {
        filtered = true;
        cond.push(" AND coalesce(");
        cond.append(&filter_condition(&f.rule, &years)?);
        cond.push(", false)");
    }
    Ok(Some(RowCohort { years, cond, filtered }))
}

/// Any enabled filter over a person's one row of a single-year cohort: person-year filters as
/// they are; window filters as [`sql::window_condition_over`] with sum(x) = x and
/// bool_or(x) = x; diagnoses as "some event in the window has a matching code" (the `dx` CTE
/// of `sql::build` is the same test as a bool_or over the person's events).
pub(super) fn filter_condition(rule: &Rule, years: &[String]) -> Result<Frag> {
    if rule.is_person_year() {
        return row_condition(rule);
    }
    if let Rule::Sequence(q) = rule {
        return sql::sequence_condition(q, years, "anon_chi");
    }
    let Rule::Diagnosis(d) = rule else { return Ok(sql::window_condition_over(0, rule, sql::Over::OneRow)) };
    let (from, to) = sql::diagnosis_window(d, years);
    let mut f = Frag::text("anon_chi IN (SELECT anon_chi FROM event WHERE diag1 IS NOT NULL AND start_date BETWEEN CAST(");
    f.bind(sql::text(&from));
    f.push(" AS DATE) AND CAST(");
    f.bind(sql::text(&to));
    f.push(" AS DATE) AND ");
    f.append(&sql::diagnosis_codes_match(d));
    f.push(")");
    Ok(f)
}
