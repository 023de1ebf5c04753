//! Statistical disclosure control: ONE policy, applied by ONE function ([`apply`]) to every table
//! that leaves the program (export, copy, and the screen when the analyst turns it on).
//!
//! Order of work, all on raw counts (the small-cell rule is applied before rounding, as
//! EHDEN CatalogueExport #37 and the PHS tools do):
//! 1. primary suppression: counts 1..threshold-1 are withheld. A zero is kept by default: "nobody"
//!    identifies no one, and PHS's tools offer leaving zeros as an option; set `suppress_zero`
//!    where local rules count a zero as disclosive (e.g. "all of this group had X");
//! 2. secondary suppression ([`secondary`]): no withheld count can be got back by subtraction
//!    from a total, from its row or column, or from a combination of the table's relations;
//! 3. rounding of the counts still shown (optional, nearest multiple of the base, halves up);
//! 4. figures derived from a withheld count (or from a withheld denominator) are withheld;
//!    percentages are recomputed from the rounded counts so they do not reveal the raw ones.
//!
//! Withheld cells render as [`MARKER`] ("*"). Not covered: interval (bounds) disclosure from
//! non-negativity, and figures published outside the table (`Member::Known`).

mod csv;
mod linear;
mod policy;
mod secondary;
mod table;


pub use crate::format::neutralise;
pub use csv::to_csv;
pub use policy::Policy;
pub use table::{at, Base, Cell, CellRef, Derived, Group, Member, Ratio, Table, TableError, MARKER};

/// The smallest threshold carepath accepts without an audited override: counts of 1 to 9 are
/// never published under the default rules (NES: "counts from 1 to 9"; PHS tools default 10).
pub const MIN_THRESHOLD: u64 = 10;

/// The gate. Returns the publishable table: counts withheld or rounded, derived figures withheld
/// with their counts, relations dropped (they can hold hidden counts). A table that fails
/// [`Table::validate`] comes back with every number withheld (fail closed).
pub fn apply(policy: &Policy, table: &Table) -> Table {
    if table.validate().is_err() {
        return fail_closed(table);
    }
    let mut suppressed: Vec<Vec<bool>> = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Cell::Count(n) => policy.is_sensitive(*n),
                    Cell::Suppressed => true,
                    _ => false,
                })
                .collect()
        })
        .collect();
    if policy.secondary {
        secondary::protect(policy, table, &mut suppressed);
    }
    let hidden = |r: CellRef| suppressed[r.row][r.col];
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, cell)| match cell {
                    Cell::Count(_) if hidden(at(i, j)) => Cell::Suppressed,
                    Cell::Count(n) => Cell::Count(policy.round(*n)),
                    Cell::Derived(d) => publish_derived(policy, table, d, &hidden),
                    other => other.clone(),
                })
                .collect()
        })
        .collect();
    Table { columns: table.columns.clone(), rows, groups: Vec::new() }
}

/// Several tables published together (one output): each goes through [`apply`], and cells
/// that show the same number in different tables (`links`: (table index, cell)) are withheld
/// together, repeating until stable, so a count withheld in one table is not printed in
/// another (the cohort count as the last attrition step and as the characterisation total).
pub fn apply_linked(policy: &Policy, tables: &[Table], links: &[Vec<(usize, CellRef)>]) -> Vec<Table> {
    let mut input: Vec<Table> = tables.to_vec();
    let cells: usize = tables.iter().map(|t| t.rows.iter().map(Vec::len).sum::<usize>()).sum();
    // Each round withholds at least one more input cell, so this ends within `cells` rounds.
    for _ in 0..=cells {
        let out: Vec<Table> = input.iter().map(|t| apply(policy, t)).collect();
        let mut changed = false;
        for link in links {
            let any_hidden = link.iter().any(|(ti, c)| matches!(out.get(*ti).and_then(|t| t.get(*c)), Some(Cell::Suppressed)));
            if !any_hidden {
                continue;
            }
            for (ti, c) in link {
                changed |= withhold(&mut input, *ti, *c);
            }
        }
        if !changed {
            return out;
        }
    }
    tables.iter().map(fail_closed).collect()
}

/// Mark one input cell withheld before the gate runs (the differencing guard, linked cells);
/// the gate then protects it like a primary suppression. Returns whether it changed.
pub fn withhold(tables: &mut [Table], table: usize, c: CellRef) -> bool {
    match tables.get_mut(table).and_then(|t| t.rows.get_mut(c.row)).and_then(|r| r.get_mut(c.col)) {
        Some(cell @ Cell::Count(_)) => {
            *cell = Cell::Suppressed;
            true
        }
        _ => false,
    }
}

/// One count on its own (a headline such as the cohort size), through the same gate.
pub fn apply_count(policy: &Policy, n: u64) -> Cell {
    let mut t = Table::new(["n"]);
    t.push_row(vec![Cell::Count(n)]);
    apply(policy, &t).rows.remove(0).remove(0)
}

fn publish_derived(policy: &Policy, table: &Table, d: &Derived, hidden: &dyn Fn(CellRef) -> bool) -> Cell {
    let base_cell = match d.ratio {
        Some(Ratio::Percent(Base::Cell(b)) | Ratio::PercentChange(Base::Cell(b))) => Some(b),
        _ => None,
    };
    if hidden(d.of) || base_cell.is_some_and(hidden) {
        return Cell::Suppressed;
    }
    let mut out = d.clone();
    if let (Some(ratio), Some(b)) = (d.ratio, policy.rounding) {
        if b > 1 {
            let base = match ratio {
                Ratio::Percent(base) | Ratio::PercentChange(base) => base,
            };
            let of = policy.round(table.count(d.of).unwrap_or(0));
            out.value = table::ratio_value(ratio, of, policy.round(table.base_value(base)));
        }
    }
    Cell::Derived(out)
}

fn fail_closed(table: &Table) -> Table {
    let rows = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Cell::Count(_) | Cell::Derived(_) | Cell::Suppressed => Cell::Suppressed,
                    other => other.clone(),
                })
                .collect()
        })
        .collect();
    Table { columns: table.columns.clone(), rows, groups: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_table(values: &[u64]) -> Table {
        let mut t = Table::new((0..=values.len()).map(|i| format!("c{i}")));
        let mut cells: Vec<Cell> = values.iter().map(|&v| Cell::Count(v)).collect();
        cells.push(Cell::Count(values.iter().sum()));
        t.push_row(cells);
        t.group_in_row(0, 0..values.len(), Member::Cell(at(0, values.len())));
        t
    }

    #[test]
    fn zero_kept_unless_asked() {
        let p = Policy::default();
        assert!(!p.is_sensitive(0) && p.is_sensitive(1) && p.is_sensitive(9) && !p.is_sensitive(10));
        assert!(Policy { suppress_zero: true, ..p }.is_sensitive(0));
    }

    #[test]
    fn rounds_to_nearest_base_halves_up() {
        let p = Policy { rounding: Some(5), ..Policy::default() };
        assert_eq!([11, 12, 13, 17, 18, 0].map(|n| p.round(n)), [10, 10, 15, 15, 20, 0]);
        let p10 = Policy { rounding: Some(10), ..Policy::default() };
        assert_eq!(p10.round(15), 20);
        assert_eq!(Policy { rounding: Some(1), ..p }.round(13), 13);
    }

    #[test]
    fn one_small_cell_in_a_row_gets_a_partner() {
        let out = apply(&Policy::default(), &row_table(&[3, 40, 12, 200]));
        // 3 primary; 12 is the next smallest part.
        assert_eq!(out.rows[0][0], Cell::Suppressed);
        assert_eq!(out.rows[0][2], Cell::Suppressed);
        assert_eq!(out.rows[0][1], Cell::Count(40));
        assert_eq!(out.rows[0][4], Cell::Count(255));
    }

    #[test]
    fn zero_is_not_a_useful_partner() {
        let out = apply(&Policy::default(), &row_table(&[0, 3, 50, 60]));
        assert_eq!(out.rows[0][0], Cell::Count(0));
        assert_eq!(out.rows[0][2], Cell::Suppressed);
    }

    #[test]
    fn secondary_off_only_primary() {
        let p = Policy { secondary: false, ..Policy::default() };
        let out = apply(&p, &row_table(&[3, 40, 12]));
        assert_eq!(out.rows[0].iter().filter(|c| **c == Cell::Suppressed).count(), 1);
    }

    #[test]
    fn invalid_table_fails_closed() {
        let mut t = row_table(&[30, 40]);
        t.rows[0][2] = Cell::Count(71); // wrong total
        let out = apply(&Policy::default(), &t);
        assert!(out.rows[0].iter().all(|c| *c == Cell::Suppressed));
    }

    #[test]
    fn headline_count_through_same_gate() {
        let p = Policy { rounding: Some(5), ..Policy::default() };
        assert_eq!(apply_count(&p, 7), Cell::Suppressed);
        assert_eq!(apply_count(&p, 1234), Cell::Count(1235));
    }
}
