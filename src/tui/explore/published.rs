//! Reading a published (gated) table for drawing: a cell's number, and the runs of rows that
//! share their first column (one chart per group). A withheld or empty cell has no number: the
//! views draw it as a gap or `?`, never as a zero.
use crate::analysis::disclosure::{at, Cell, Table};

/// The number a cell shows: a count or a finite derived figure; None when withheld or empty.
pub fn number(t: &Table, r: usize, c: usize) -> Option<f64> {
    match t.get(at(r, c)) {
        Some(Cell::Derived(d)) if d.value.is_finite() => Some(d.value),
        Some(Cell::Count(n)) => Some(*n as f64),
        _ => None,
    }
}

/// What a cell shows, as text ("" outside the table).
pub fn text(t: &Table, r: usize, c: usize) -> String {
    t.get(at(r, c)).map(Cell::render).unwrap_or_default()
}

/// Consecutive rows with the same first column.
pub struct Group {
    pub label: String,
    pub rows: Vec<usize>,
}

pub fn groups(t: &Table) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for r in 0..t.rows.len() {
        let label = text(t, r, 0);
        match out.last_mut() {
            Some(g) if g.label == label => g.rows.push(r),
            _ => out.push(Group { label, rows: vec![r] }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::disclosure::Derived;

    #[test]
    fn groups_follow_the_first_column_and_withheld_cells_have_no_number() {
        let mut t = Table::new(["area", "value"]);
        t.push_row(vec![Cell::Text("A".into()), Cell::Count(3)]);
        t.push_row(vec![Cell::Text("A".into()), Cell::Empty]);
        t.push_row(vec![Cell::Text("B".into()), Cell::Derived(Derived { value: 2.5, decimals: 1, of: at(0, 1), ratio: None })]);
        let g = groups(&t);
        assert_eq!(g.iter().map(|g| (g.label.as_str(), g.rows.clone())).collect::<Vec<_>>(), [("A", vec![0, 1]), ("B", vec![2])]);
        assert_eq!((number(&t, 0, 1), number(&t, 1, 1), number(&t, 2, 1)), (Some(3.0), None, Some(2.5)));
        assert_eq!(text(&t, 9, 9), "");
    }
}
