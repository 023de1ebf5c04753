//! The published table of the delays view: a row per group and the total, with the relations a
//! reader could subtract along (the groups' episodes add up to the total's, and for a split by
//! residence their people too). Bed days are shown with their episodes: withheld with them.
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, Derived, Member, Table};
use crate::model::delays::{DelayBy, DelayFigures, DelayRow};

/// Columns of the `delays` table.
pub const COLUMNS: [&str; 6] = ["group", "people", "episodes", "bed_days", "code9_bed_days", "census_people"];

pub fn delays_set(f: &DelayFigures) -> TableSet {
    let mut t = Table::new(COLUMNS);
    let mut keys = Vec::new();
    let key = |g: &str| format!("delays/{}/{:?}/{g}", f.year, f.by);
    for r in &f.rows {
        push(&mut t, r);
        keys.push(key(&r.group));
    }
    let total = push(&mut t, &f.total);
    keys.push(key("total"));
    let parts = 0..f.rows.len();
    // by month an episode is in every month it has a bed day: no sum
    if f.by != DelayBy::Month {
        t.group_in_column(2, parts.clone(), Member::Cell(at(total, 2)));
    }
    if f.by.people_partition() {
        t.group_in_column(1, parts, Member::Cell(at(total, 1)));
    }
    let title = format!("Delayed discharges by {}", f.by.label());
    TableSet { tables: vec![NamedTable { name: "delays".into(), title, table: t, keys }], links: Vec::new() }
}

fn push(t: &mut Table, d: &DelayRow) -> usize {
    let r = t.rows.len();
    let days = |v: f64| Cell::Derived(Derived { value: v, decimals: 0, of: at(r, 2), ratio: None });
    t.push_row(vec![
        Cell::Text(d.group.clone()),
        Cell::Count(d.people),
        Cell::Count(d.episodes),
        days(d.bed_days),
        days(d.code9_bed_days),
        d.census_people.map(Cell::Count).unwrap_or(Cell::Empty),
    ])
}
