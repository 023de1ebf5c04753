//! The published table of the resource cube: one row per cell, then the row totals, the column
//! totals and the grand total (column `part` says which), with the sums a reader could
//! subtract along registered: each row's cells add up to its row total, each column's to its
//! column total, and the row and column totals to the grand total (people, and the measure
//! when it is a count), so secondary suppression protects a withheld cell against row and
//! column differences. Money and days are shown with, and withheld with, their people; each
//! rate is withheld with the figure it comes from.
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, Derived, Member, Table};
use crate::model::cube::{crude, CubeCell, CubeFigures, CubeMeasure, CubeRate};

pub const COLUMNS: [&str; 7] = ["part", "row", "col", "people", "sum", "value", "top_share"];
const PEOPLE: usize = 3;
const SUM: usize = 4;
const VALUE: usize = 5;

/// What `part` says of a row.
pub const CELL: &str = "cell";
pub const ROW_TOTAL: &str = "row total";
pub const COL_TOTAL: &str = "column total";
pub const TOTAL: &str = "total";

/// The measure's sum is a count of its own (withheld when small), not a copy of people.
fn sum_is_count(m: CubeMeasure) -> bool {
    m.is_count() && m != CubeMeasure::People
}

/// The key of a published row: `cube/YEARS/ROWS/COLS/ROW/COL`, the last two the groups' own
/// codes with `%` and `/` escaped (see [`cell_codes`]).
fn cell_key(years: &str, f: &CubeFigures, c: &CubeCell) -> String {
    let esc = |s: &str| s.replace('%', "%25").replace('/', "%2F");
    format!("cube/{years}/{:?}/{:?}/{}/{}", f.rows, f.cols, esc(&c.row_key), esc(&c.col_key))
}

/// The row and column codes a published row's key holds.
pub fn cell_codes(key: &str) -> Option<(String, String)> {
    let unesc = |s: &str| s.replace("%2F", "/").replace("%25", "%");
    let parts: Vec<&str> = key.split('/').collect();
    (parts.len() == 6 && parts[0] == "cube").then(|| (unesc(parts[4]), unesc(parts[5])))
}

pub fn cube_set(f: &CubeFigures) -> TableSet {
    let mut t = Table::new(COLUMNS);
    let mut keys = Vec::new();
    let years = f.years.join("+");
    let key = |c: &CubeCell| cell_key(&years, f, c);
    let mut push = |t: &mut Table, part: &str, c: &CubeCell| {
        keys.push(key(c));
        push_row(t, f, part, c)
    };
    let cells: Vec<usize> = f.cells.iter().map(|c| push(&mut t, CELL, c)).collect();
    let row_totals: Vec<usize> = f.row_totals.iter().map(|c| push(&mut t, ROW_TOTAL, c)).collect();
    let col_totals: Vec<usize> = f.col_totals.iter().map(|c| push(&mut t, COL_TOTAL, c)).collect();
    let total = push(&mut t, TOTAL, &f.total);

    let mut summing = vec![PEOPLE];
    if sum_is_count(f.measure) {
        summing.push(SUM);
    }
    for col in summing {
        if f.cols.is_some() {
            for (ri, &r) in row_totals.iter().enumerate() {
                let parts = cells.iter().copied().filter(|&i| f.cells[i].row == f.row_totals[ri].row);
                t.group_in_column(col, parts, Member::Cell(at(r, col)));
            }
            for (ci, &c) in col_totals.iter().enumerate() {
                let parts = cells.iter().copied().filter(|&i| f.cells[i].col == f.col_totals[ci].col);
                t.group_in_column(col, parts, Member::Cell(at(c, col)));
            }
            t.group_in_column(col, row_totals.iter().copied(), Member::Cell(at(total, col)));
            t.group_in_column(col, col_totals.iter().copied(), Member::Cell(at(total, col)));
        } else {
            t.group_in_column(col, cells.iter().copied(), Member::Cell(at(total, col)));
        }
    }
    let by = match f.cols {
        Some(c) => format!("{} x {}", f.rows.label(), c.label()),
        None => f.rows.label().to_string(),
    };
    let title = format!("{} ({}) by {by}", f.measure.label(), f.rate.label());
    TableSet { tables: vec![NamedTable { name: "cube".into(), title, table: t, keys }], links: Vec::new() }
}

fn push_row(t: &mut Table, f: &CubeFigures, part: &str, c: &CubeCell) -> usize {
    let r = t.rows.len();
    let people = at(r, PEOPLE);
    let sum = if sum_is_count(f.measure) {
        Cell::Count(c.sum.max(0.0).round() as u64)
    } else {
        Cell::Derived(Derived { value: c.sum, decimals: 0, of: people, ratio: None })
    };
    let value_of = if sum_is_count(f.measure) { at(r, SUM) } else { people };
    let decimals = match f.rate {
        CubeRate::Total => 0,
        CubeRate::PerPerson => 2,
        CubeRate::Per1000 | CubeRate::Standardised => 1,
    };
    let top = match c.top_share {
        Some(v) => Cell::Derived(Derived { value: v, decimals: 1, of: people, ratio: None }),
        None => Cell::Empty,
    };
    t.push_row(vec![
        Cell::Text(part.into()),
        Cell::Text(c.row.clone()),
        Cell::Text(c.col.clone()),
        Cell::Count(c.people),
        sum,
        Cell::Derived(Derived { value: c.value, decimals, of: value_of, ratio: None }),
        top,
    ])
}

/// Run on the published `cube` table: a crude rate is recomputed from the published sum and
/// people (so rounding by the gate is not undone), and withheld when either is withheld (rate
/// and sum would give the people back). Standardised rates stay as computed, withheld with
/// their figure.
pub fn withhold_rates(t: &mut Table, rate: CubeRate) {
    if rate == CubeRate::Standardised {
        return;
    }
    for row in &mut t.rows {
        let people = match row.get(PEOPLE) {
            Some(Cell::Count(n)) => Some(*n),
            _ => None,
        };
        let sum = match row.get(SUM) {
            Some(Cell::Count(n)) => Some(*n as f64),
            Some(Cell::Derived(d)) => Some(d.value),
            _ => None,
        };
        let Some(value) = row.get_mut(VALUE) else { continue };
        match (people, sum, &mut *value) {
            (Some(p), Some(s), Cell::Derived(d)) => d.value = crude(rate, s, p),
            (_, _, Cell::Derived(_)) => *value = Cell::Suppressed,
            _ => {}
        }
    }
}

/// The published cube as a grid for reading: row labels (the row totals' order, "total" last),
/// column labels ("total" last; one "value" column without columns), and per row the rendered
/// `column` figure of each cell ("*" withheld, "" for a cell without people).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<String>>,
}

/// Which figure a grid shows.
pub const GRID_VALUE: usize = VALUE;
pub const GRID_PEOPLE: usize = PEOPLE;

pub fn grid(t: &Table, column: usize) -> Grid {
    let text = |r: &[Cell], i: usize| match r.get(i) {
        Some(Cell::Text(s)) => s.clone(),
        _ => String::new(),
    };
    let has_cols = t.rows.iter().any(|r| text(r, 0) == COL_TOTAL);
    let mut rows: Vec<String> = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    for r in &t.rows {
        let part = text(r, 0);
        if (part == ROW_TOTAL || (!has_cols && part == CELL)) && !rows.contains(&text(r, 1)) {
            rows.push(text(r, 1));
        }
        if part == COL_TOTAL {
            cols.push(text(r, 2));
        }
    }
    rows.push("total".into());
    if has_cols {
        cols.push("total".into());
    } else {
        cols.push(COLUMNS[column].into());
    }
    let mut cells = vec![vec![String::new(); cols.len()]; rows.len()];
    for r in &t.rows {
        let part = text(r, 0);
        let ri = if part == COL_TOTAL || part == TOTAL { rows.len() - 1 } else { rows.iter().position(|x| *x == text(r, 1)).unwrap_or(usize::MAX) };
        let ci = if !has_cols || part == ROW_TOTAL || part == TOTAL { cols.len() - 1 } else { cols.iter().position(|x| *x == text(r, 2)).unwrap_or(usize::MAX) };
        if let Some(slot) = cells.get_mut(ri).and_then(|row| row.get_mut(ci)) {
            *slot = r.get(column).map(Cell::render).unwrap_or_default();
        }
    }
    Grid { rows, cols, cells }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cube::Standard;
    use crate::model::dimension::Dimension;

    fn cell(row: &str, col: &str, people: u64, sum: f64) -> CubeCell {
        CubeCell { row: row.into(), col: col.into(), row_key: row.into(), col_key: col.into(), people, sum, value: sum, top_share: None }
    }

    #[test]
    fn cells_sum_to_their_row_and_column_totals_in_the_table() {
        let f = CubeFigures {
            years: vec!["1920".into()],
            measure: CubeMeasure::EmergencyAdmissions,
            rows: Dimension::Sex,
            cols: Some(Dimension::Simd),
            rate: CubeRate::Per1000,
            standard: Standard::Esp2013,
            top: None,
            row_keys: vec!["female".into(), "male".into()],
            col_keys: vec!["SIMD 1".into(), "SIMD 2".into()],
            cells: vec![cell("female", "SIMD 1", 20, 4.0), cell("female", "SIMD 2", 30, 6.0), cell("male", "SIMD 1", 25, 5.0)],
            row_totals: vec![cell("female", "total", 50, 10.0), cell("male", "total", 25, 5.0)],
            col_totals: vec![cell("total", "SIMD 1", 45, 9.0), cell("total", "SIMD 2", 30, 6.0)],
            total: cell("total", "total", 75, 15.0),
        };
        let set = cube_set(&f);
        let t = &set.tables[0].table;
        assert_eq!(t.rows.len(), 8);
        assert!(t.validate().is_ok(), "the registered sums hold: {:?}", t.validate());
        // per row, per column, and totals: 2 + 2 + 2 groups, in people and in the count
        assert_eq!(t.groups.len(), 12);
        let mut t = t.clone();
        t.rows[2][PEOPLE] = Cell::Suppressed;
        withhold_rates(&mut t, CubeRate::Per1000);
        assert_eq!(t.rows[2][VALUE], Cell::Suppressed);
        match &t.rows[0][VALUE] {
            Cell::Derived(d) => assert_eq!(d.value, 200.0),
            c => panic!("{c:?}"),
        }
        let g = grid(&t, GRID_PEOPLE);
        assert_eq!(g.rows, ["female", "male", "total"]);
        assert_eq!(g.cols, ["SIMD 1", "SIMD 2", "total"]);
        assert_eq!(g.cells[0], ["20", "30", "50"]);
        assert_eq!(g.cells[1], ["*", "", "25"], "a withheld cell, a cell without people");
        assert_eq!(g.cells[2], ["45", "30", "75"]);
    }
}
