//! The published tables of `carepath spc`.
//!
//! 1. `spc_series` (group, period, people, value) goes through the disclosure gate. With `--by`,
//!    the area's own series comes first (group `All`) and each period's groups add up to it
//!    (people and, for counts, the value), so secondary suppression protects a withheld group
//!    against the area total published here or in another output. Bed days are a figure of the
//!    people behind them: withheld whenever that count is.
//! 2. After the gate, and only from the **published** values, the control chart of each group
//!    (`spc_chart`: the series with mean, limits and signals) and its limits per segment
//!    (`spc_limits`). Disclosure rule: SPC is computed over the gated values and a withheld point
//!    is a gap (no value, no moving range on either side, it breaks runs and trends, and it is
//!    beyond no line), so no mean, limit or signal is computed from a withheld count. These two
//!    tables hold no count that the gated table does not (copies of its cells) and figures
//!    computed from shown ones; they are not gated again.
use super::gate::Gated;
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, Derived, Member, Table};
use crate::analysis::spc::xmr;
use crate::model::series::{SeriesFigures, SeriesPoint};

/// Columns of `spc_series`.
pub const PEOPLE_COL: usize = 2;
pub const VALUE_COL: usize = 3;

pub fn series_set(f: &SeriesFigures) -> TableSet {
    let mut t = Table::new(["group", "period", "people", "value"]);
    let mut keys = Vec::new();
    let mut groups: Vec<(String, String, Vec<SeriesPoint>)> = Vec::new();
    if f.by.is_some() {
        let total: Vec<SeriesPoint> = f
            .periods
            .iter()
            .enumerate()
            .map(|(j, p)| SeriesPoint {
                period: p.clone(),
                people: f.groups.iter().filter_map(|g| g.points.get(j)).map(|x| x.people).sum(),
                value: f.groups.iter().filter_map(|g| g.points.get(j)).map(|x| x.value).sum(),
            })
            .collect();
        groups.push(("all".into(), "All".into(), total));
    }
    for g in &f.groups {
        groups.push((g.key.clone(), g.label.clone(), g.points.clone()));
    }
    let unit = if f.weekly { "week" } else { "month" };
    let mut first_rows = Vec::new();
    for (key, label, points) in &groups {
        first_rows.push(t.rows.len());
        for p in points {
            let r = t.rows.len();
            let value = if f.bed_days {
                Cell::Derived(Derived { value: p.value as f64, decimals: 0, of: at(r, PEOPLE_COL), ratio: None })
            } else {
                Cell::Count(p.value)
            };
            t.push_row(vec![Cell::Text(label.clone()), Cell::Text(p.period.clone()), Cell::Count(p.people), value]);
            keys.push(format!("spc/{}/{}/{unit}/{key}/{}", f.measure, f.area, p.period));
        }
    }
    if f.by.is_some() && groups.len() > 1 {
        for j in 0..f.periods.len() {
            let total = first_rows[0] + j;
            let parts: Vec<usize> = first_rows[1..].iter().map(|r| r + j).collect();
            t.group_in_column(PEOPLE_COL, parts.clone(), Member::Cell(at(total, PEOPLE_COL)));
            if !f.bed_days {
                t.group_in_column(VALUE_COL, parts, Member::Cell(at(total, VALUE_COL)));
            }
        }
    }
    let title = format!("{}, {}, by {unit}{}", f.measure_label, f.area, f.by.map(|b| format!(" and {b}")).unwrap_or_default());
    TableSet { tables: vec![NamedTable { name: "spc_series".into(), title, table: t, keys }], links: Vec::new() }
}

/// The shown value of a published cell (None: withheld or empty).
fn shown(c: Option<&Cell>) -> Option<f64> {
    match c {
        Some(Cell::Count(n)) => Some(*n as f64),
        Some(Cell::Derived(d)) if d.value.is_finite() => Some(d.value),
        _ => None,
    }
}

fn figure(v: Option<f64>, of: (usize, usize)) -> Cell {
    match v {
        Some(v) if v.is_finite() => Cell::Derived(Derived { value: v, decimals: 2, of: at(of.0, of.1), ratio: None }),
        _ => Cell::Empty,
    }
}

/// `spc_chart` and `spc_limits` from the published `spc_series` (see the module doc); `breaks`
/// are the period indices where the limits are computed again.
pub fn chart_tables(g: &Gated<SeriesFigures>, breaks: &[usize]) -> Vec<NamedTable> {
    let mut chart = Table::new(["group", "period", "people", "value", "mean", "ucl", "lcl", "signal"]);
    let mut limits = Table::new(["group", "from", "to", "points", "mean", "mean_moving_range", "ucl", "lcl"]);
    let (mut ck, mut lk) = (Vec::new(), Vec::new());
    let Some(series) = g.tables.iter().find(|t| t.name == "spc_series") else { return Vec::new() };
    // the groups in order, each with its rows
    let mut blocks: Vec<(String, Vec<usize>)> = Vec::new();
    for (r, row) in series.table.rows.iter().enumerate() {
        let label = row.first().map(Cell::render).unwrap_or_default();
        match blocks.last_mut() {
            Some((l, rows)) if *l == label => rows.push(r),
            _ => blocks.push((label, vec![r])),
        }
    }
    for (label, rows) in &blocks {
        let values: Vec<Option<f64>> = rows.iter().map(|r| shown(series.table.get(at(*r, VALUE_COL)))).collect();
        let c = xmr(&values, breaks);
        for (i, r) in rows.iter().enumerate() {
            let cr = chart.rows.len();
            let seg = c.points.get(i).and_then(|p| c.segments.get(p.segment));
            let cell = |col: usize| series.table.get(at(*r, col)).cloned().unwrap_or(Cell::Empty);
            let signals: Vec<&str> = c.points.get(i).map(|p| p.signals.iter().map(|s| s.name()).collect()).unwrap_or_default();
            chart.push_row(vec![
                Cell::Text(label.clone()),
                cell(1),
                cell(PEOPLE_COL),
                cell(VALUE_COL),
                figure(seg.and_then(|s| s.mean), (cr, 3)),
                figure(seg.and_then(|s| s.ucl), (cr, 3)),
                figure(seg.and_then(|s| s.lcl), (cr, 3)),
                Cell::Text(signals.join(",")),
            ]);
            ck.push(series.keys.get(*r).cloned().unwrap_or_else(|| "*".into()));
        }
        for s in &c.segments {
            let lr = limits.rows.len();
            let period = |i: usize| rows.get(i).and_then(|r| series.table.get(at(*r, 1))).cloned().unwrap_or(Cell::Empty);
            limits.push_row(vec![
                Cell::Text(label.clone()),
                period(s.start),
                period(s.end.saturating_sub(1)),
                Cell::Text(s.values.to_string()),
                figure(s.mean, (lr, 3)),
                figure(s.mean_mr, (lr, 3)),
                figure(s.ucl, (lr, 3)),
                figure(s.lcl, (lr, 3)),
            ]);
            lk.push(format!("{label}/{}", s.start));
        }
    }
    vec![
        NamedTable {
            name: "spc_chart".into(),
            title: "XmR control chart (computed from the published values; a withheld value is a gap)".into(),
            table: chart,
            keys: ck,
        },
        NamedTable { name: "spc_limits".into(), title: "Process limits per baseline (mean +- 2.66 x mean moving range)".into(), table: limits, keys: lk },
    ]
}
