//! The published table of the unscheduled care view: a row per group and the total, with the
//! relations a reader could subtract along. Every split puts each person-year in one group, so
//! the groups' population, attendances, attenders, repeat attenders, emergency admissions, PPAs
//! and readmissions each add up to the total's: registered, so that a lone withheld group cannot
//! come back as the total minus the others. Bed days are shown with their admissions (withheld
//! with them); each rate per 1,000 is withheld with the count it comes from, and, after the
//! gate, with the group's population ([`withhold_rates`]: rate and count would give a withheld
//! population back).
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, Derived, Member, Table};
use crate::model::unscheduled::{per_1000, UnscheduledFigures, UnscheduledRow, MEASURES};

/// Columns of the `unscheduled` table: group, population, then each measure and its rate.
pub fn columns() -> Vec<String> {
    let mut c = vec!["group".to_string(), "population".to_string()];
    for m in MEASURES {
        c.push(m.to_string());
        c.push(format!("{m}_per_1000"));
    }
    c
}

/// Column of a measure (its rate is the next one).
fn col(i: usize) -> usize {
    2 + 2 * i
}

/// The measure a figure of measure `i` is computed from: bed days from their admissions.
fn source(i: usize) -> usize {
    match MEASURES[i] {
        "emergency_bed_days" => MEASURES.iter().position(|m| *m == "emergency_admissions").unwrap_or(i),
        "ppa_bed_days" => MEASURES.iter().position(|m| *m == "ppa_admissions").unwrap_or(i),
        _ => i,
    }
}

fn is_count(i: usize) -> bool {
    source(i) == i
}

pub fn unscheduled_set(f: &UnscheduledFigures) -> TableSet {
    let mut t = Table::new(columns());
    let mut keys = Vec::new();
    let key = |g: &str| format!("unscheduled/{}/{:?}/{}/{g}", f.year, f.by, f.repeat);
    for r in &f.rows {
        push(&mut t, r);
        keys.push(key(&r.group));
    }
    let total = push(&mut t, &f.total);
    keys.push(key("total"));
    let parts = 0..f.rows.len();
    t.group_in_column(1, parts.clone(), Member::Cell(at(total, 1)));
    for i in (0..MEASURES.len()).filter(|i| is_count(*i)) {
        t.group_in_column(col(i), parts.clone(), Member::Cell(at(total, col(i))));
    }
    let title = format!("Unscheduled care by {} (repeat attenders: {}+ A&E attendances)", f.by.label(), f.repeat);
    TableSet { tables: vec![NamedTable { name: "unscheduled".into(), title, table: t, keys }], links: Vec::new() }
}

fn push(t: &mut Table, d: &UnscheduledRow) -> usize {
    let r = t.rows.len();
    let mut cells = vec![Cell::Text(d.group.clone()), Cell::Count(d.population)];
    for (i, v) in d.measures().into_iter().enumerate() {
        let of = at(r, col(source(i)));
        if is_count(i) {
            cells.push(Cell::Count(v.max(0.0) as u64));
        } else {
            cells.push(Cell::Derived(Derived { value: v, decimals: 0, of, ratio: None }));
        }
        cells.push(Cell::Derived(Derived { value: per_1000(v, d.population), decimals: 1, of, ratio: None }));
    }
    t.push_row(cells)
}

/// Run on the published `unscheduled` table: a rate whose population is withheld is withheld
/// too (rate x population / 1,000 is the count, so count and rate give the population), and a
/// shown rate is recomputed from the published figures, so that rounding of counts by the gate
/// is not undone by a rate of the raw ones.
pub fn withhold_rates(t: &mut Table) {
    for row in &mut t.rows {
        let population = match row.get(1) {
            Some(Cell::Count(n)) => Some(*n),
            _ => None,
        };
        for i in 0..MEASURES.len() {
            let value = match row.get(col(i)) {
                Some(Cell::Count(n)) => Some(*n as f64),
                Some(Cell::Derived(d)) => Some(d.value),
                _ => None,
            };
            let Some(rate) = row.get_mut(col(i) + 1) else { continue };
            match (population, value, &mut *rate) {
                (Some(p), Some(v), Cell::Derived(d)) => d.value = per_1000(v, p),
                (_, _, Cell::Derived(_)) => *rate = Cell::Suppressed,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::unscheduled::UnscheduledBy;

    #[test]
    fn rates_follow_their_count_and_a_withheld_population() {
        let mut a = UnscheduledRow::empty("a");
        a.population = 4;
        a.ae_attendances = 40;
        let mut b = UnscheduledRow::empty("b");
        b.population = 2000;
        b.ae_attendances = 100;
        let mut total = UnscheduledRow::empty("total");
        total.population = 2004;
        total.ae_attendances = 140;
        let f = UnscheduledFigures { year: "1920".into(), by: UnscheduledBy::Sex, repeat: 5, rows: vec![a, b], total };
        let set = unscheduled_set(&f);
        let mut t = set.tables[0].table.clone();
        // stand in for the gate: row 0's population withheld
        t.rows[0][1] = Cell::Suppressed;
        withhold_rates(&mut t);
        assert_eq!(t.rows[0][3], Cell::Suppressed, "rate of a withheld population");
        match &t.rows[1][3] {
            Cell::Derived(d) => assert_eq!(d.value, 50.0),
            c => panic!("{c:?}"),
        }
        assert_eq!(columns().len(), 18);
        assert_eq!(columns()[3], "ae_attendances_per_1000");
    }
}
