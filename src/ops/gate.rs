//! Where `run` puts aggregates through the disclosure gate, the differencing guard and the
//! release record. Nothing else in carepath calls [`crate::analysis::disclosure::apply`] on an
//! answer.
use super::audit::{self, ReleasedCount};
use super::tables::{NamedTable, TableSet};
use super::context::{check_policy, Audience, Context, Sdc};
use super::OpsError;
use crate::analysis::disclosure::{self, at, Cell, Policy, Table};

/// Published tables of an answer, what disclosure control did, and (only without disclosure
/// control) the typed raw figures.
#[derive(Debug, Clone)]
pub struct Gated<T> {
    /// A heading for the answer that holds no figures ("Cohort Older COPD (2019/20)").
    pub heading: String,
    pub tables: Vec<NamedTable>,
    pub disclosure: DisclosureNote,
    raw: Option<Box<T>>,
}

impl<T> Gated<T> {
    /// The typed figures, only when disclosure control is off (they hold every small count).
    pub fn raw(&self) -> Option<&T> {
        self.raw.as_deref()
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name).map(|t| &t.table)
    }

    /// One published cell (row and column of the named table).
    pub fn cell(&self, table: &str, row: usize, col: usize) -> Option<&Cell> {
        self.table(table)?.get(at(row, col))
    }
}

/// What disclosure control did to one answer, with a line to print beside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DisclosureNote {
    pub applied: bool,
    pub threshold: Option<u64>,
    /// Cells withheld (primary, secondary, linked and guard together).
    pub withheld: usize,
    /// Of those, cells withheld because they differ by less than the threshold from a count an
    /// earlier output of this workspace showed (the differencing guard).
    pub differencing: usize,
    pub text: String,
}


/// Gate `set` for the context (see the module doc of `ops`) and wrap the answer.
pub fn publish<T>(ctx: &Context, what: &str, set: TableSet, raw: T) -> Result<Gated<T>, OpsError> {
    publish_with(ctx, &ctx.sdc(), ctx.audience, what, set, raw)
}

pub fn publish_with<T>(ctx: &Context, sdc: &Sdc, audience: Audience, what: &str, set: TableSet, raw: T) -> Result<Gated<T>, OpsError> {
    match sdc {
        Sdc::On(policy) => {
            check_policy(policy)?;
            let mut input: Vec<Table> = set.tables.iter().map(|t| t.table.clone()).collect();
            let differencing = if audience == Audience::Output { guard(ctx, policy, &set, &mut input)? } else { 0 };
            let out = disclosure::apply_linked(policy, &input, &set.links);
            let withheld = out.iter().map(|t| t.rows.iter().flatten().filter(|c| **c == Cell::Suppressed).count()).sum();
            if audience == Audience::Output {
                record(ctx, "aggregate output", what, &set, Some(&out))?;
            }
            let mut text = format!(
                "Disclosure control applied: counts from 1 to {} withheld (*) with secondary suppression; {withheld} cell{} withheld",
                policy.threshold - 1,
                if withheld == 1 { "" } else { "s" }
            );
            if differencing > 0 {
                text.push_str(&format!(
                    " ({differencing} because they differ by less than {} from a count an earlier output of this workspace showed)",
                    policy.threshold
                ));
            }
            text.push('.');
            let tables = set.tables.into_iter().zip(out).map(|(nt, t)| NamedTable { table: t, ..nt }).collect();
            Ok(Gated {
                heading: String::new(),
                tables,
                disclosure: DisclosureNote { applied: true, threshold: Some(policy.threshold), withheld, differencing, text },
                raw: None,
            })
        }
        Sdc::Off => {
            let text = if audience == Audience::Output {
                record(ctx, "output without disclosure control", what, &set, None)?;
                "NO DISCLOSURE CONTROL (--no-sdc): raw figures, including counts below 10; this output is recorded in the audit log and must be checked before release.".to_string()
            } else {
                "Disclosure control off (raw figures on screen).".to_string()
            };
            let tables = set.tables;
            Ok(Gated {
                heading: String::new(),
                tables,
                disclosure: DisclosureNote { applied: false, threshold: None, withheld: 0, differencing: 0, text },
                raw: Some(Box::new(raw)),
            })
        }
    }
}

/// The differencing guard: a count that differs from a count shown by an earlier output of the
/// same workspace (same table, column and row, or any row of a `*`-keyed table such as
/// attrition) by 1 to threshold-1 would give away the people in between (age 75+ vs 76+), so it
/// is withheld before the gate runs (and secondary suppression then protects it).
fn guard(ctx: &Context, policy: &Policy, set: &TableSet, input: &mut [Table]) -> Result<usize, OpsError> {
    let mut n = 0;
    for (ti, nt) in set.tables.iter().enumerate() {
        for (col, name) in nt.table.columns.iter().enumerate() {
            if !nt.table.rows.iter().any(|r| matches!(r.get(col), Some(Cell::Count(_)))) {
                continue;
            }
            let before = audit::shown_before(&ctx.conn, &nt.name, name)?;
            if before.is_empty() {
                continue;
            }
            for (r, row) in nt.table.rows.iter().enumerate() {
                let Some(Cell::Count(v)) = row.get(col) else { continue };
                let key = nt.keys.get(r).map(String::as_str).unwrap_or("*");
                let close = before.iter().any(|(k, m)| {
                    let d = v.abs_diff(*m);
                    (key == "*" || k == key) && d > 0 && d < policy.threshold
                });
                if close && disclosure::withhold(input, ti, at(r, col)) {
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

/// One audit row for the output and its counts (raw, and shown when `out` is given).
fn record(ctx: &Context, action: &str, what: &str, set: &TableSet, out: Option<&[Table]>) -> Result<(), OpsError> {
    let release = audit::new_release(&ctx.conn)?;
    let mut counts = Vec::new();
    for (ti, nt) in set.tables.iter().enumerate() {
        for (r, row) in nt.table.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let Cell::Count(v) = cell else { continue };
                let shown = match out {
                    None => Some(*v),
                    Some(out) => match out.get(ti).and_then(|t| t.get(at(r, c))) {
                        Some(Cell::Count(s)) => Some(*s),
                        _ => None,
                    },
                };
                counts.push(ReleasedCount {
                    table: nt.name.clone(),
                    row_key: nt.keys.get(r).cloned().unwrap_or_else(|| "*".into()),
                    column: nt.table.columns[c].clone(),
                    raw: *v,
                    shown,
                });
            }
        }
    }
    audit::record_counts(&ctx.conn, release, what, &counts)?;
    audit::append(
        &ctx.conn,
        ctx.identity(),
        &ctx.workspace,
        &audit::Entry { action, query: what, rows: counts.len() as u64, release_id: Some(release) },
    )
}

/// A published figure as a client draws it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown {
    Value(f64),
    Withheld,
    Empty,
}

impl<T> Gated<T> {
    /// The published value of one cell: a number, withheld, or nothing (also for a missing cell).
    pub fn shown(&self, table: &str, row: usize, col: usize) -> Shown {
        match self.cell(table, row, col) {
            Some(Cell::Count(n)) => Shown::Value(*n as f64),
            Some(Cell::Derived(d)) if d.value.is_finite() => Shown::Value(d.value),
            Some(Cell::Suppressed) => Shown::Withheld,
            _ => Shown::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::figures::{Attrition, AttritionStep, Breakdown, BreakdownRow, Characterisation};

    fn cohort(count: u64) -> (Attrition, Characterisation) {
        let start = 500;
        let att = Attrition {
            years: vec!["1920".into()],
            start,
            count,
            steps: vec![
                AttritionStep { filter: "all".into(), filter_index: None, remaining: start, pct_of_start: Some(100.0), pct_change: None },
                AttritionStep { filter: "age".into(), filter_index: Some(0), remaining: count, pct_of_start: None, pct_change: None },
            ],
        };
        let rows = vec![
            BreakdownRow { key: "F".into(), label: "F".into(), cohort: count / 2, cohort_pct: None, population: 250, population_pct: None },
            BreakdownRow { key: "M".into(), label: "M".into(), cohort: count - count / 2, cohort_pct: None, population: 250, population_pct: None },
        ];
        let ch = Characterisation {
            years: vec!["1920".into()],
            cohort_people: count,
            population_people: start,
            cohort_share_of_people_pct: None,
            breakdowns: vec![Breakdown { name: "sex".into(), title: "Sex".into(), rows }],
            ltcs: Vec::new(),
            measures: Vec::new(),
        };
        (att, ch)
    }

    fn output_ctx() -> Context {
        let ws = crate::store::Workspace::in_memory().unwrap();
        Context::new(ws.conn, std::path::Path::new(":memory:"), Audience::Output)
    }

    #[test]
    fn a_withheld_count_is_withheld_in_every_table_of_the_output() {
        let ctx = output_ctx();
        let (a, c) = cohort(7);
        let g = publish(&ctx, "test", crate::ops::tables::cohort_set(&a, &c), ()).unwrap();
        assert_eq!(g.shown("attrition", 1, 2), Shown::Withheld);
        assert_eq!(g.shown("attrition", 1, 3), Shown::Withheld, "its % of start goes with it");
        assert_eq!(g.shown("characterisation", 2, 2), Shown::Withheld, "the characterisation total (7) too");
        assert_eq!(g.shown("measures", 0, 1), Shown::Withheld, "and the measures' people count");
        assert_eq!(g.shown("attrition", 0, 2), Shown::Value(500.0));
    }

    #[test]
    fn differencing_guard_withholds_a_count_close_to_an_earlier_output() {
        let ctx = output_ctx();
        let (a, c) = cohort(60);
        let g = publish(&ctx, "first", crate::ops::tables::cohort_set(&a, &c), ()).unwrap();
        assert_eq!(g.shown("attrition", 1, 2), Shown::Value(60.0));
        let (a, c) = cohort(59);
        let g = publish(&ctx, "second", crate::ops::tables::cohort_set(&a, &c), ()).unwrap();
        assert_eq!(g.shown("attrition", 1, 2), Shown::Withheld, "60 then 59 would reveal one person");
        assert_eq!(g.shown("characterisation", 2, 2), Shown::Withheld);
        assert!(g.disclosure.differencing >= 1);
        // The same cohort again reveals nothing new and is shown.
        let (a, c) = cohort(60);
        let g = publish(&ctx, "again", crate::ops::tables::cohort_set(&a, &c), ()).unwrap();
        assert_eq!(g.shown("attrition", 1, 2), Shown::Value(60.0));
        // A screen is not an output: no guard, no record.
        let screen = Context { audience: Audience::Screen, ..output_ctx() };
        screen.set_sdc(Sdc::On(Policy::default())).unwrap();
        let (a, c) = cohort(59);
        let g = publish(&screen, "screen", crate::ops::tables::cohort_set(&a, &c), ()).unwrap();
        assert_eq!(g.shown("attrition", 1, 2), Shown::Value(59.0));
    }

    #[test]
    fn thresholds_below_ten_are_refused() {
        let ctx = output_ctx();
        for t in [0, 1, 9] {
            assert!(ctx.set_sdc(Sdc::On(Policy { threshold: t, ..Policy::default() })).is_err());
        }
        assert!(ctx.set_sdc(Sdc::On(Policy { threshold: 11, ..Policy::default() })).is_ok());
    }
}
