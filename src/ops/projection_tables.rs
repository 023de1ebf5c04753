//! The published table of a projection: per area its observed base year, then each projected
//! year, and (council and partnership levels) Scotland as the sum of the areas. Only area
//! totals are published, never an age-sex cell. The base year's people, emergency admissions
//! and people with DD bed days are counts (gated; the areas' add up to Scotland's, registered,
//! so that a lone withheld area cannot come back as Scotland minus the others); everything else
//! is derived from one of them and withheld with it: bed days and beds with their admissions or
//! DD people, and every projected figure and change with the base count of its area it comes
//! from (a projection is that count x population / people, so it would give a small count back).
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, CellRef, Derived, Member, Table};
use crate::analysis::projection::change;
use crate::model::projection::{AreaProjection, Measure, ProjectionFigures, YearFigures};
use crate::model::year::FinYear;

/// Columns of the `projection` table.
pub const COLUMNS: [&str; 20] = [
    "area",
    "year",
    "kind",
    "population",
    "emergency_admissions",
    "emergency_bed_days",
    "occupied_beds",
    "beds_needed",
    "dd_people_65plus",
    "dd_bed_days_65plus",
    "dd_occupied_beds",
    "dd_beds_needed",
    "emergency_admissions_change",
    "emergency_admissions_change_pct",
    "emergency_bed_days_change",
    "emergency_bed_days_change_pct",
    "beds_needed_change",
    "beds_needed_change_pct",
    "dd_bed_days_65plus_change",
    "dd_bed_days_65plus_change_pct",
];

const POPULATION: usize = 3;
const ADMISSIONS: usize = 4;
const DD_PEOPLE: usize = 8;

fn derived(value: f64, decimals: u8, of: CellRef) -> Cell {
    if value.is_finite() {
        Cell::Derived(Derived { value, decimals, of, ratio: None })
    } else {
        Cell::Empty
    }
}

pub fn projection_set(f: &ProjectionFigures) -> TableSet {
    let mut t = Table::new(COLUMNS);
    let mut keys = Vec::new();
    let base_label = FinYear::parse(&f.base_year).map(|y| y.label()).unwrap_or_else(|| f.base_year.clone());
    let key = |a: &AreaProjection, year: i32| format!("projection/{}/{:?}/{}/{year}", f.base_year, f.level, a.code);
    let mut base_rows = Vec::new();
    for a in &f.areas {
        base_rows.push(push_area(&mut t, &mut keys, a, &base_label, &key));
    }
    if let Some(total) = &f.total {
        let tb = push_area(&mut t, &mut keys, total, &base_label, &key);
        for col in [POPULATION, ADMISSIONS, DD_PEOPLE] {
            t.group_in_column(col, base_rows.iter().copied(), Member::Cell(at(tb, col)));
        }
    }
    let title = format!("Projection from {base_label} rates ({} level)", f.level.label());
    TableSet { tables: vec![NamedTable { name: "projection".into(), title, table: t, keys }], links: Vec::new() }
}

/// The base row and the projected rows of an area; returns the base row's index.
fn push_area(t: &mut Table, keys: &mut Vec<String>, a: &AreaProjection, base_label: &str, key: &dyn Fn(&AreaProjection, i32) -> String) -> usize {
    let b = t.rows.len();
    let (adm, ddp) = (at(b, ADMISSIONS), at(b, DD_PEOPLE));
    let ea = Measure::EmergencyAdmissions.index();
    let eb = Measure::EmergencyBedDays.index();
    let dd = Measure::DdBedDays.index();
    let f = &a.base;
    let mut row = vec![
        Cell::Text(a.area.clone()),
        Cell::Text(f.year.to_string()),
        Cell::Text(format!("base year {base_label} (observed)")),
        Cell::Count(a.people),
        Cell::Count(a.emergency_admissions),
        derived(f.values[eb], 0, adm),
        derived(f.occupied_beds, 1, adm),
        derived(f.beds_needed, 1, adm),
        Cell::Count(a.dd_people),
        derived(f.values[dd], 0, ddp),
        derived(f.dd_occupied_beds, 1, ddp),
        derived(f.dd_beds_needed, 1, ddp),
    ];
    row.extend(std::iter::repeat_n(Cell::Empty, COLUMNS.len() - row.len()));
    t.push_row(row);
    keys.push(key(a, f.year));
    for y in &a.years {
        t.push_row(projected_row(a, f, y, adm, ddp, at(b, POPULATION), [ea, eb, dd]));
        keys.push(key(a, y.year));
    }
    b
}

fn projected_row(a: &AreaProjection, base: &YearFigures, y: &YearFigures, adm: CellRef, ddp: CellRef, pop: CellRef, [ea, eb, dd]: [usize; 3]) -> Vec<Cell> {
    let mut row = vec![
        Cell::Text(a.area.clone()),
        Cell::Text(y.year.to_string()),
        Cell::Text("projected".into()),
        derived(y.population, 0, pop),
        derived(y.values[ea], 1, adm),
        derived(y.values[eb], 1, adm),
        derived(y.occupied_beds, 1, adm),
        derived(y.beds_needed, 1, adm),
        Cell::Empty,
        derived(y.values[dd], 1, ddp),
        derived(y.dd_occupied_beds, 1, ddp),
        derived(y.dd_beds_needed, 1, ddp),
    ];
    for (from, to, of) in [(base.values[ea], y.values[ea], adm), (base.values[eb], y.values[eb], adm), (base.beds_needed, y.beds_needed, adm), (base.values[dd], y.values[dd], ddp)] {
        let (abs, pct) = change(from, to);
        row.push(derived(abs, 1, of));
        row.push(pct.map(|p| derived(p, 1, of)).unwrap_or(Cell::Empty));
    }
    row
}

/// Run on the published table when it has a Scotland total (its last `rows_per_area` rows):
/// where an area's base count is withheld, Scotland's projected figures from that count are
/// withheld too. Scotland's projection is the sum of the areas' rates x populations, so over
/// many years it could be solved for a withheld area's rate, and rate x people is its count.
pub fn withhold_total_projections(t: &mut Table, rows_per_area: usize) {
    let n = t.rows.len();
    if rows_per_area == 0 || n < rows_per_area * 2 {
        return;
    }
    let total_from = n - rows_per_area;
    for source in [ADMISSIONS, DD_PEOPLE] {
        let withheld = (0..total_from).step_by(rows_per_area).any(|b| t.rows[b].get(source) == Some(&Cell::Suppressed));
        if !withheld {
            continue;
        }
        for row in t.rows[total_from + 1..].iter_mut() {
            for cell in row.iter_mut() {
                if matches!(cell, Cell::Derived(d) if d.of.col == source) {
                    *cell = Cell::Suppressed;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::projection::AreaLevel;

    fn area(code: &str, people: u64, adm: u64) -> AreaProjection {
        let base = YearFigures { year: 2019, population: people as f64, values: [adm as f64, 10.0, 0.0], ..Default::default() };
        let y = YearFigures { year: 2020, population: 100.0, values: [adm as f64 * 1.5, 15.0, 0.0], ..Default::default() };
        AreaProjection { code: code.into(), area: code.into(), people, emergency_admissions: adm, dd_people: 0, base, years: vec![y] }
    }

    #[test]
    fn projections_follow_their_base_count_and_areas_add_up() {
        let areas = vec![area("a", 100, 4), area("b", 200, 40)];
        let total = crate::analysis::projection::total(&areas, 0.85);
        let f = ProjectionFigures {
            base_year: "1920".into(),
            level: AreaLevel::Council,
            to: 2020,
            occupancy: 0.85,
            population_layout: String::new(),
            scenario: None,
            areas,
            total,
            pooled_cells: 0,
        };
        let set = projection_set(&f);
        let t = &set.tables[0].table;
        assert!(t.validate().is_ok(), "{:?}", t.validate());
        assert_eq!(t.rows.len(), 6);
        // a projected row's admissions are derived from its area's base admissions
        match &t.rows[1][ADMISSIONS] {
            Cell::Derived(d) => assert_eq!((d.of, d.value), (at(0, ADMISSIONS), 6.0)),
            c => panic!("{c:?}"),
        }
        // change: 6 - 4 = 2, 50%
        match (&t.rows[1][12], &t.rows[1][13]) {
            (Cell::Derived(a), Cell::Derived(p)) => assert_eq!((a.value, p.value), (2.0, 50.0)),
            c => panic!("{c:?}"),
        }
        let gated = crate::analysis::disclosure::apply(&crate::analysis::disclosure::Policy::default(), t);
        assert_eq!(gated.rows[0][ADMISSIONS], Cell::Suppressed);
        assert_eq!(gated.rows[1][ADMISSIONS], Cell::Suppressed, "the projection goes with its base count");
        // one withheld area beside Scotland's total: another is withheld too
        assert!(gated.rows[2][ADMISSIONS] == Cell::Suppressed || gated.rows[4][ADMISSIONS] == Cell::Suppressed);
        // and Scotland's projection, which sums the withheld area's
        let mut gated = gated;
        withhold_total_projections(&mut gated, 2);
        assert_eq!(gated.rows[5][ADMISSIONS], Cell::Suppressed);
        assert_eq!(gated.rows[5][POPULATION], t.rows[5][POPULATION].clone(), "population does not come from a withheld count");
    }
}
