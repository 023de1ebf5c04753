//! The published table of two cohorts side by side: their sizes and the people in both, their
//! make-up (categories of each section add up to the cohort's people: registered, so a lone
//! withheld category cannot come back as the total minus the others), the people with each
//! LTC, and each measure per person with the ratio A:B, the standardised mean difference and
//! the age-sex-standardised figures per person (ESP 2013) and their ratio, and each measure's
//! total. A figure of one cohort is withheld with its count (for a count measure, its total
//! of events); a ratio or SMD, which reads both sides, with either ([`withhold_pairs`]).
use super::tables::{NamedTable, TableSet};
use crate::analysis::balance::{ratio, smd, smd_proportion};
use crate::analysis::disclosure::{at, Cell, CellRef, Derived, Member, Table};
use crate::model::compare::CompareFigures;
use crate::model::cube::CubeMeasure;

pub const COLUMNS: [&str; 11] =
    ["section", "item", "a", "b", "ratio_a_b", "smd", "a_standardised", "b_standardised", "standardised_ratio", "a_total", "b_total"];
const A: usize = 2;
const B: usize = 3;
const A_TOTAL: usize = 9;
const B_TOTAL: usize = 10;
/// The columns that read both cohorts.
const PAIRED: [usize; 5] = [4, 5, 6, 7, 8];

/// A measure's total over a cohort: a count of its own for a count measure (so a per-person
/// figure cannot give back a small number of events), else a figure from the cohort's people.
fn total(m: CubeMeasure, sum: f64, people: CellRef) -> Cell {
    if m.is_count() {
        Cell::Count(sum.max(0.0).round() as u64)
    } else {
        derived(Some(sum), 2, people)
    }
}

fn derived(value: Option<f64>, decimals: u8, of: CellRef) -> Cell {
    match value {
        Some(v) if v.is_finite() => Cell::Derived(Derived { value: v, decimals, of, ratio: None }),
        _ => Cell::Empty,
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

pub fn compare_set(f: &CompareFigures) -> TableSet {
    let mut t = Table::new(COLUMNS);
    let mut keys = Vec::new();
    let (pa, pb) = (at(0, A), at(0, B));
    let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    t.push_row(vec![
        text("cohort"),
        text("people"),
        Cell::Count(f.a_people),
        Cell::Count(f.b_people),
        derived(ratio(f.a_people as f64, f.b_people as f64), 2, pa),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    keys.push(format!("compare/{}/people", f.year));
    t.push_row(vec![text("cohort"), text("in both cohorts"), Cell::Count(f.overlap), Cell::Count(f.overlap)]);
    if let Some(row) = t.rows.last_mut() {
            row.resize(COLUMNS.len(), Cell::Empty);
        }
    keys.push(format!("compare/{}/overlap", f.year));
    let mut sections: Vec<(String, Vec<usize>)> = Vec::new();
    for c in f.categories.iter().chain(&f.ltcs) {
        let r = t.rows.len();
        let d = smd_proportion(share(c.a_people, f.a_people), share(c.b_people, f.b_people));
        t.push_row(vec![text(&c.section), text(&c.category), Cell::Count(c.a_people), Cell::Count(c.b_people), Cell::Empty, derived(d, 3, at(r, A))]);
        if let Some(row) = t.rows.last_mut() {
            row.resize(COLUMNS.len(), Cell::Empty);
        }
        keys.push(format!("compare/{}/{}/{}", f.year, c.section, c.category));
        if f.categories.iter().any(|x| std::ptr::eq(x, c)) {
            match sections.last_mut() {
                Some((s, rows)) if *s == c.section => rows.push(r),
                _ => sections.push((c.section.clone(), vec![r])),
            }
        }
    }
    for (_, rows) in &sections {
        t.group_in_column(A, rows.iter().copied(), Member::Cell(pa));
        t.group_in_column(B, rows.iter().copied(), Member::Cell(pb));
    }
    for m in &f.measures {
        let r = t.rows.len();
        // a per-person figure of a count measure goes with its total, others with the people
        let (of_a, of_b) = if m.measure.is_count() { (at(r, A_TOTAL), at(r, B_TOTAL)) } else { (pa, pb) };
        t.push_row(vec![
            text("per person"),
            text(m.measure.label()),
            derived(Some(m.a_mean), 2, of_a),
            derived(Some(m.b_mean), 2, of_b),
            derived(ratio(m.a_mean, m.b_mean), 2, of_a),
            derived(smd(m.a_mean, m.a_sd, m.b_mean, m.b_sd), 3, of_a),
            derived(m.a_standardised.map(|v| v / 1000.0), 2, of_a),
            derived(m.b_standardised.map(|v| v / 1000.0), 2, of_b),
            derived(m.a_standardised.zip(m.b_standardised).and_then(|(a, b)| ratio(a, b)), 2, of_a),
            total(m.measure, m.a_sum, pa),
            total(m.measure, m.b_sum, pb),
        ]);
        keys.push(format!("compare/{}/measure/{:?}", f.year, m.measure));
    }
    let title = format!("{} (A) and {} (B), {}", name(&f.a_name, "A"), name(&f.b_name, "B"), crate::model::year::label(&f.year));
    TableSet { tables: vec![NamedTable { name: "compare".into(), title, table: t, keys }], links: Vec::new() }
}

fn name<'a>(n: &'a str, or: &'a str) -> &'a str {
    if n.trim().is_empty() {
        or
    } else {
        n
    }
}

/// Run on the published table: the figures that read both cohorts (ratio, SMD, and the
/// standardised rates beside each other) go when either cohort's figure of the row is
/// withheld, or when either cohort's size is.
pub fn withhold_pairs(t: &mut Table) {
    let sizes_shown = matches!(t.get(at(0, A)), Some(Cell::Count(_))) && matches!(t.get(at(0, B)), Some(Cell::Count(_)));
    for row in &mut t.rows {
        let hidden = |c: Option<&Cell>| matches!(c, Some(Cell::Suppressed));
        if !sizes_shown || [A, B, A_TOTAL, B_TOTAL].iter().any(|c| hidden(row.get(*c))) {
            for c in PAIRED {
                if let Some(cell) = row.get_mut(c) {
                    if !matches!(cell, Cell::Empty) {
                        *cell = Cell::Suppressed;
                    }
                }
            }
        }
    }
}
