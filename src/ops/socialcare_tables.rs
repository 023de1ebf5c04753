//! The published tables of the social care measures: `socialcare`, a row per group and the
//! total (every entrant is in one group, so entrants, home-care entrants, entrants followed and
//! care-home movers each add up to the total's: registered, so that a lone withheld group
//! cannot come back as the total minus the others); `socialcare_simd`, SIMD quintiles 1 and 5
//! when the split is not by SIMD (two of five quintiles: nothing to subtract along). Each mean
//! or median is withheld with the count it comes from.
//!
//! After the gate, from the published cells only ([`difference_tables`]): `socialcare_gap`,
//! quintile 1 minus quintile 5, and by year of entry `socialcare_change`, each later year minus
//! the baseline; a difference of a withheld figure is withheld.
use super::gate::Gated;
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Cell, Derived, Member, Table};
use crate::model::socialcare::{SocialCareBy, SocialCareFigures, SocialCareRow, GROWTH_MONTHS};

/// Columns of the tables: group, then each measure.
pub fn columns() -> Vec<String> {
    let mut c: Vec<String> = ["group", "entrants", "mean_age_at_entry", "median_age_at_entry", "hc_entrants", "mean_first_hc_hours_per_week", "median_first_hc_hours_per_week"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in GROWTH_MONTHS {
        c.push(format!("followed_{m}m"));
        c.push(format!("mean_growth_{m}m"));
    }
    for s in ["care_home_movers", "mean_age_at_care_home", "median_age_at_care_home", "median_days_to_care_home"] {
        c.push(s.to_string());
    }
    c
}

/// Count columns (each a partition of the total's).
const COUNTS: [usize; 6] = [1, 4, 7, 9, 11, 13];

pub fn socialcare_set(f: &SocialCareFigures) -> TableSet {
    let key = |by: SocialCareBy, g: &str| format!("socialcare/{}/{}/{by:?}/{g}", f.years.join("+"), f.lookback);
    let mut t = Table::new(columns());
    let mut keys = Vec::new();
    for r in &f.rows {
        push(&mut t, r);
        keys.push(key(f.by, &r.group));
    }
    let total = push(&mut t, &f.total);
    keys.push(key(f.by, "total"));
    for c in COUNTS {
        t.group_in_column(c, 0..f.rows.len(), Member::Cell(at(total, c)));
    }
    let title = format!("Entrants to social care by {} (entry years {})", f.by.label(), years_label(&f.years));
    let mut tables = vec![NamedTable { name: "socialcare".into(), title, table: t, keys }];
    if let Some(extremes) = &f.simd_extremes {
        let mut s = Table::new(columns());
        let mut keys = Vec::new();
        for r in extremes {
            push(&mut s, r);
            keys.push(key(SocialCareBy::Simd, &r.group));
        }
        tables.push(NamedTable { name: "socialcare_simd".into(), title: "Most and least deprived entrants (SIMD quintiles 1 and 5)".into(), table: s, keys });
    }
    TableSet { tables, links: Vec::new() }
}

fn years_label(years: &[String]) -> String {
    years.iter().map(|y| crate::model::year::label(y)).collect::<Vec<_>>().join(", ")
}

fn push(t: &mut Table, d: &SocialCareRow) -> usize {
    let r = t.rows.len();
    let of = |c: usize, v: Option<f64>, decimals: u8| match v {
        Some(value) => Cell::Derived(Derived { value, decimals, of: at(r, c), ratio: None }),
        None => Cell::Empty,
    };
    let mut cells = vec![
        Cell::Text(d.group.clone()),
        Cell::Count(d.entrants),
        of(1, d.mean_age_at_entry, 1),
        of(1, d.median_age_at_entry, 1),
        Cell::Count(d.hc_entrants),
        of(4, d.mean_first_hc_hours_per_week, 1),
        of(4, d.median_first_hc_hours_per_week, 1),
    ];
    for (i, g) in d.growth.iter().enumerate() {
        cells.push(Cell::Count(g.followed));
        cells.push(of(7 + 2 * i, g.mean_change, 1));
    }
    cells.push(Cell::Count(d.care_home_movers));
    cells.push(of(13, d.mean_age_at_care_home, 1));
    cells.push(of(13, d.median_age_at_care_home, 1));
    cells.push(of(13, d.median_days_to_care_home, 0));
    t.push_row(cells)
}

/// The gap and the change from the baseline, from the published tables of `g`.
pub fn difference_tables<T>(g: &Gated<T>, by: SocialCareBy) -> Vec<NamedTable> {
    let mut out = Vec::new();
    let main = g.table("socialcare");
    let extremes: Option<(Vec<Cell>, Vec<Cell>)> = match by {
        SocialCareBy::Simd => main.and_then(|t| {
            let find = |name: &str| t.rows.iter().find(|r| matches!(r.first(), Some(Cell::Text(s)) if s.starts_with(name))).cloned();
            Some((find("SIMD 1 ")?, find("SIMD 5 ")?))
        }),
        _ => g.table("socialcare_simd").and_then(|t| Some((t.rows.first()?.clone(), t.rows.get(1)?.clone()))),
    };
    let mut gap = Table::new(columns());
    match extremes {
        Some((q1, q5)) => {
            gap.push_row(difference_row("SIMD 1 minus SIMD 5", &q1, &q5));
        }
        None => {
            let mut row = vec![Cell::Text("SIMD 1 minus SIMD 5".into())];
            row.extend((1..columns().len()).map(|_| Cell::Empty));
            gap.push_row(row);
        }
    }
    out.push(NamedTable {
        name: "socialcare_gap".into(),
        title: "Gap between the most and least deprived (SIMD quintile 1 minus quintile 5; empty when a quintile has no entrants)".into(),
        table: gap,
        keys: Vec::new(),
    });
    if by == SocialCareBy::Year {
        if let Some(t) = main {
            let groups = t.rows.len().saturating_sub(1);
            if groups >= 2 {
                let base = &t.rows[0];
                let base_name = base.first().map(Cell::render).unwrap_or_default();
                let mut change = Table::new(columns());
                for r in &t.rows[1..groups] {
                    let name = format!("{} minus {base_name}", r.first().map(Cell::render).unwrap_or_default());
                    change.push_row(difference_row(&name, r, base));
                }
                out.push(NamedTable { name: "socialcare_change".into(), title: format!("Change from the baseline year {base_name}"), table: change, keys: Vec::new() });
            }
        }
    }
    out
}

fn difference_row(name: &str, a: &[Cell], b: &[Cell]) -> Vec<Cell> {
    let mut row = vec![Cell::Text(name.into())];
    let r = 0;
    for c in 1..columns().len() {
        let num = |cell: Option<&Cell>| match cell {
            Some(Cell::Count(n)) => Some((*n as f64, 0u8)),
            Some(Cell::Derived(d)) if d.value.is_finite() => Some((d.value, d.decimals)),
            _ => None,
        };
        let withheld = |cell: Option<&Cell>| matches!(cell, Some(Cell::Suppressed));
        row.push(match (num(a.get(c)), num(b.get(c))) {
            (Some((x, dx)), Some((y, _))) => Cell::Derived(Derived { value: x - y, decimals: dx, of: at(r, c), ratio: None }),
            _ if withheld(a.get(c)) || withheld(b.get(c)) => Cell::Suppressed,
            _ => Cell::Empty,
        });
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socialcare_differences_follow_withheld_cells() {
        let mut a = vec![Cell::Text("a".into())];
        let mut b = vec![Cell::Text("b".into())];
        for c in 1..columns().len() {
            a.push(Cell::Count(10 + c as u64));
            b.push(if c == 1 { Cell::Suppressed } else { Cell::Count(4) });
        }
        let d = difference_row("a minus b", &a, &b);
        assert_eq!(d[1], Cell::Suppressed);
        match &d[4] {
            Cell::Derived(x) => assert_eq!(x.value, 10.0),
            c => panic!("{c:?}"),
        }
        assert_eq!(columns().len(), 17);
        assert_eq!(columns()[COUNTS[5]], "care_home_movers");
    }
}
