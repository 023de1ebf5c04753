//! Single-year cohorts as a plain WHERE over `person_year` rows.
//!
//! `(anon_chi, year)` is unique in `person_year`, so with one chosen year every person has
//! exactly one row: the per-person aggregation of [`super::sql::build`] (bool_or, sum,
//! arg_max of the index year) is the identity, and the cohort is the set of rows of that year
//! meeting every enabled filter. This gives the same people and figures without a GROUP BY over
//! the whole population. Multi-year specs keep the general path.
use super::sql::{self, row_condition, Frag};
use crate::model::cohort::{normalise_icd, CohortSpec, Died, Rule};
use crate::model::year::FinYear;
use anyhow::Result;
use duckdb::types::Value;
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
        if f.rule.is_person_year() {
            cond.append(&row_condition(&f.rule)?);
        } else {
            cond.append(&window_row_condition(&f.rule, &years));
        }
        cond.push(", false)");
    }
    Ok(Some(RowCohort { years, cond, filtered }))
}

/// A window filter over the person's one row: `sql::window_condition` with sum(x) = x and
/// bool_or(x) = x. Diagnoses: some event in the window with a matching code (as `sql::build`'s
/// `dx` CTE: bool_or over the person's events is "any event").
fn window_row_condition(rule: &Rule, years: &[String]) -> Frag {
    let mut f = Frag::new();
    match rule {
        Rule::Diagnosis(d) => {
            let default_from = FinYear::parse(&years[0]).map(|y| y.bounds().0).unwrap_or_default();
            let default_to = FinYear::parse(&years[years.len() - 1]).map(|y| y.bounds().1).unwrap_or_default();
            let from = d.from.clone().unwrap_or(default_from);
            let to = d.to.clone().unwrap_or(default_to);
            f.push("anon_chi IN (SELECT anon_chi FROM event WHERE diag1 IS NOT NULL AND start_date BETWEEN CAST(");
            f.bind(sql::text(&from));
            f.push(" AS DATE) AND CAST(");
            f.bind(sql::text(&to));
            f.push(" AS DATE) AND (");
            let positions: &[&str] = if d.main_only { &["diag1"] } else { &["diag1", "diag2", "diag3", "diag4", "diag5", "diag6"] };
            let mut first = true;
            for p in &d.prefixes {
                let code = normalise_icd(p);
                for col in positions {
                    if !first {
                        f.push(" OR ");
                    }
                    first = false;
                    f.push(&format!("starts_with(upper(replace({col}, '.', '')), "));
                    f.bind(sql::text(&code));
                    f.push(")");
                }
            }
            if first {
                f.push("false");
            }
            f.push("))");
        }
        Rule::Service(s) => {
            let v = format!("coalesce({}, 0)", s.measure.sql());
            let mut parts = Vec::new();
            if let Some(m) = s.min {
                let mut x = Frag::text(&format!("{v} >= "));
                x.bind(Value::Double(m));
                parts.push(x);
            }
            if let Some(m) = s.max {
                let mut x = Frag::text(&format!("{v} <= "));
                x.bind(Value::Double(m));
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::Sds(opts) => {
            let cols: Vec<String> = opts.iter().filter(|o| (1..=4).contains(*o)).map(|o| format!("sds_option_{o}")).collect();
            if cols.is_empty() {
                f.push("false");
            } else {
                f.push(&format!("({})", cols.join(" OR ")));
            }
        }
        Rule::Died(Died::Include) => {
            f.push("true");
        }
        Rule::Died(Died::Exclude) => {
            f.push("NOT coalesce(died_in_year, false)");
        }
        Rule::Died(Died::Only) => {
            f.push("died_in_year");
        }
        Rule::ServiceUser(b) => {
            f.push("coalesce(service_user, false) = ");
            f.bind(Value::Boolean(*b));
        }
        _ => {
            f.push("true");
        }
    }
    f
}

fn and_all(f: &mut Frag, parts: Vec<Frag>) {
    if parts.is_empty() {
        f.push("true");
        return;
    }
    f.push("(");
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            f.push(" AND ");
        }
        f.append(p);
    }
    f.push(")");
}
