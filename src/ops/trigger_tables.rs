//! The published tables of "triggers before becoming an HRI": the group sizes, each service's
//! use in the 12 months before (new HRIs beside the weighted comparison) and the same month by
//! month, with the relations a reader could subtract along (new = matched + unmatched; the
//! months of a service add up to its 12-month total, which the first table also shows).
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, Derived, Member, Table};
use crate::model::triggers::{ServiceUse, TriggerFigures};

fn per_person(value: f64, of: crate::analysis::disclosure::CellRef) -> Cell {
    Cell::Derived(Derived { value, decimals: 3, of, ratio: None })
}

/// Column of the ratio in the `triggers` table (withheld by [`withhold_ratios`] with either rate).
pub const RATIO_COL: usize = 5;

pub fn triggers_set(f: &TriggerFigures) -> TableSet {
    let key = |what: &str| format!("triggers/{:?}/{}/{what}", f.level, f.year);
    let mut g = Table::new(["group", "people"]);
    let new = g.push_row(vec![Cell::Text("new_hri".into()), Cell::Count(f.new_hri_people)]);
    let matched = g.push_row(vec![Cell::Text("matched_new_hri".into()), Cell::Count(f.matched_new_hri_people)]);
    let unmatched = g.push_row(vec![Cell::Text("unmatched_new_hri".into()), Cell::Count(f.unmatched_new_hri_people())]);
    g.push_row(vec![Cell::Text("comparison".into()), Cell::Count(f.comparison_people)]);
    g.add_group(Member::Cell(at(new, 1)), vec![Member::Cell(at(matched, 1)), Member::Cell(at(unmatched, 1))]);
    let gkeys = ["new", "matched", "unmatched", "comparison"].iter().map(|k| key(&format!("group/{k}"))).collect();

    let mut t = Table::new(["service", "new_hri_events", "new_hri_per_person", "comparison_events", "comparison_per_person", "ratio"]);
    let mut tkeys = Vec::new();
    for s in &f.services {
        let r = t.rows.len();
        t.push_row(vec![
            Cell::Text(s.service.clone()),
            Cell::Count(s.new_hri_events),
            per_person(s.new_hri_per_person, at(r, 1)),
            Cell::Count(s.comparison_events),
            per_person(s.comparison_per_person, at(r, 3)),
            s.ratio.map(|v| Cell::Derived(Derived { value: v, decimals: 2, of: at(r, 1), ratio: None })).unwrap_or(Cell::Empty),
        ]);
        tkeys.push(key(&format!("service/{}", s.service)));
    }
    let months: Vec<String> = f.by_month.iter().filter_map(|m| m.month.clone()).fold(Vec::new(), |mut v, m| {
        if !v.contains(&m) {
            v.push(m);
        }
        v
    });
    let (new_m, new_keys) = by_month(f, &months, "new", |u| (u.new_hri_events, u.new_hri_per_person));
    let (comp_m, comp_keys) = by_month(f, &months, "comparison", |u| (u.comparison_events, u.comparison_per_person));
    let total_col = 1 + 2 * months.len();
    let mut links = Vec::new();
    for r in 0..f.services.len() {
        links.push(vec![(1, at(r, 1)), (2, at(r, total_col))]);
        links.push(vec![(1, at(r, 3)), (3, at(r, total_col))]);
    }
    TableSet {
        tables: vec![
            NamedTable { name: "trigger_groups".into(), title: "New HRIs and the matched comparison group".into(), table: g, keys: gkeys },
            NamedTable { name: "triggers".into(), title: "Use of each service in the 12 months before (per person; comparison weighted to the new HRIs' mix)".into(), table: t, keys: tkeys },
            NamedTable { name: "triggers_new_hri_by_month".into(), title: "New HRIs: events by month of the year before".into(), table: new_m, keys: new_keys },
            NamedTable { name: "triggers_comparison_by_month".into(), title: "Comparison: events by month (per person weighted)".into(), table: comp_m, keys: comp_keys },
        ],
        links,
    }
}

/// One row per service: a count and a per-person figure for each month, then the 12-month total
/// (the months add up to it).
fn by_month(f: &TriggerFigures, months: &[String], who: &str, pick: impl Fn(&ServiceUse) -> (u64, f64)) -> (Table, Vec<String>) {
    let mut columns = vec!["service".to_string()];
    for m in months {
        columns.push(m.clone());
        columns.push(format!("{m}_per_person"));
    }
    columns.push("total".into());
    let mut t = Table::new(columns);
    let mut keys = Vec::new();
    for s in &f.services {
        let r = t.rows.len();
        let mut row = vec![Cell::Text(s.service.clone())];
        for (i, m) in months.iter().enumerate() {
            let u = f.by_month.iter().find(|u| u.service == s.service && u.month.as_ref() == Some(m));
            let (n, pp) = u.map(&pick).unwrap_or((0, 0.0));
            row.push(Cell::Count(n));
            row.push(per_person(pp, at(r, 1 + 2 * i)));
        }
        row.push(Cell::Count(pick(s).0));
        t.push_row(row);
        let total_col = 1 + 2 * months.len();
        t.group_in_row(r, (0..months.len()).map(|i| 1 + 2 * i), Member::Cell(at(r, total_col)));
        keys.push(format!("triggers/{:?}/{}/{who}_by_month/{}", f.level, f.year, s.service));
    }
    (t, keys)
}

/// A ratio with either rate withheld would give that rate back (rate = other rate x ratio):
/// withhold it too. Run on the published `triggers` table.
pub fn withhold_ratios(t: &mut Table) {
    for row in &mut t.rows {
        let withheld = matches!(row.get(2), Some(Cell::Suppressed)) || matches!(row.get(4), Some(Cell::Suppressed));
        if withheld {
            if let Some(c) = row.get_mut(RATIO_COL) {
                *c = Cell::Suppressed;
            }
        }
    }
}
