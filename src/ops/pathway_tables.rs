//! The published tables of the pathway answers (transitions, pathways, time to event), with the
//! additive relations a reader could subtract along, so that the one gate (`gate::publish`) can
//! make sure no withheld count comes back from a parent minus its siblings or from a row or
//! column total. Kept apart from `tables` (the cohort and HRI tables) to keep both small.
use super::tables::{NamedTable, TableSet};
use crate::analysis::disclosure::{at, Base, Cell, CellRef, Member, Table};
use crate::model::pathways::{PathTree, PathwayFigures, TimeToFigures};
use crate::model::transitions::{from_bands, to_categories, Transitions};

fn named(name: &str, title: &str, table: Table, keys: Vec<String>) -> NamedTable {
    NamedTable { name: name.into(), title: title.into(), table, keys }
}

/// Transitions as a cross table (earlier band x later category, with row and column totals) and
/// the persistence figures.
pub fn transitions_set(t: &Transitions) -> TableSet {
    let cats = to_categories();
    let bands = from_bands();
    let mut columns: Vec<String> = vec!["from_band".into()];
    columns.extend(cats.iter().map(|c| c.to_string()));
    columns.push("Total".into());
    let mut x = Table::new(columns);
    let mut keys = Vec::new();
    let total_col = cats.len() + 1;
    for b in &bands {
        let mut row = vec![Cell::Text(b.to_string())];
        row.extend(cats.iter().map(|c| Cell::Count(t.cell(b, c))));
        row.push(Cell::Count(t.from_total(b)));
        let r = x.push_row(row);
        x.group_in_row(r, 1..=cats.len(), Member::Cell(at(r, total_col)));
        keys.push(format!("{:?}/{}/{}-{}/{}", t.level, t.area.as_deref().unwrap_or("all"), t.from_year, t.to_year, b));
    }
    let mut total_row = vec![Cell::Text("Total".into())];
    for c in &cats {
        total_row.push(Cell::Count(bands.iter().map(|b| t.cell(b, c)).sum()));
    }
    let grand: u64 = t.from_totals.iter().map(|(_, n)| n).sum();
    total_row.push(Cell::Count(grand));
    let tr = x.push_row(total_row);
    keys.push(format!("{:?}/{}/{}-{}/total", t.level, t.area.as_deref().unwrap_or("all"), t.from_year, t.to_year));
    for col in 1..=total_col {
        x.group_in_column(col, 0..bands.len(), Member::Cell(at(tr, col)));
    }
    x.group_in_row(tr, 1..=cats.len(), Member::Cell(at(tr, total_col)));

    let p = &t.persistence;
    let mut s = Table::new(["measure", "people", "pct_of_hri"]);
    let mut skeys = Vec::new();
    // keys name the years: outputs about other years are other questions, not a differencing pair
    let years = format!("{:?}/{}/{}-{}", t.level, t.area.as_deref().unwrap_or("all"), t.from_year, t.to_year);
    let base = s.push_row(vec![Cell::Text("hri_in_from_year".into()), Cell::Count(p.hri_people), Cell::Empty]);
    skeys.push(format!("{years}/hri"));
    let remained = s.push_row(vec![Cell::Text("hri_again_in_to_year".into()), Cell::Count(p.remained), Cell::Empty]);
    skeys.push(format!("{years}/remained"));
    let died = s.push_row(vec![Cell::Text("died_by_end_of_to_year".into()), Cell::Count(p.died), Cell::Empty]);
    skeys.push(format!("{years}/died"));
    s.add_group(Member::Cell(at(base, 1)), vec![Member::Cell(at(remained, 1)), Member::Hidden(p.hri_people.saturating_sub(p.remained))]);
    s.add_group(Member::Cell(at(base, 1)), vec![Member::Cell(at(died, 1)), Member::Hidden(p.hri_people.saturating_sub(p.died))]);
    let mut prev = (base, p.hri_people);
    let mut links: Vec<Vec<(usize, CellRef)>> = Vec::new();
    for c in &p.continuous {
        let r = s.push_row(vec![Cell::Text(format!("hri_every_year_through_{}", c.through_year)), Cell::Count(c.people), Cell::Empty]);
        skeys.push(format!("{years}/continuous/{}", c.through_year));
        s.add_group(Member::Cell(at(prev.0, 1)), vec![Member::Cell(at(r, 1)), Member::Hidden(prev.1.saturating_sub(c.people))]);
        if c.through_year == t.to_year && c.years == 2 {
            // the same people as "HRI again": one number shown twice, withheld together
            links.push(vec![(1, at(remained, 1)), (1, at(r, 1))]);
        }
        prev = (r, c.people);
    }
    for r in 1..s.rows.len() {
        s.rows[r][2] = s.percent(at(r, 1), Base::Cell(at(base, 1)), 1);
    }
    // The High band is (all but people exactly at 50%) the HRIs: when the numbers agree they are
    // one count shown twice.
    let high = bands.iter().position(|b| *b == "High");
    if let Some(h) = high {
        if t.from_total("High") == p.hri_people {
            links.push(vec![(0, at(h, total_col)), (1, at(base, 1))]);
        }
        if t.cell("High", "High") == p.remained {
            links.push(vec![(0, at(h, 1)), (1, at(remained, 1))]);
        }
    }
    TableSet {
        tables: vec![
            named("transitions", "Where the earlier year's HRI population is in the later year (people, by band)", x, keys),
            named("persistence", "HRIs who stay HRIs", s, skeys),
        ],
        links,
    }
}


/// A derived figure (a median, a cumulative incidence) withheld with the count it comes from.
fn derived_of(value: f64, decimals: u8, of: CellRef) -> Cell {
    Cell::Derived(crate::analysis::disclosure::Derived { value, decimals, of, ratio: None })
}

/// One pathway tree: a row for everyone indexed, then a row per listed node, with
/// people = ended here + the listed children + the unlisted rest, for every node above the
/// deepest level. Returns the table and the root's people cell.
fn tree_table(t: &PathTree, people: u64, depth: usize, key: &str) -> (Table, Vec<String>) {
    let mut columns = vec!["node".to_string()];
    columns.extend((1..=depth).map(|k| format!("step_{k}")));
    let pc = columns.len();
    columns.extend(["people".to_string(), "ended_here".to_string(), "pct_of_index".to_string()]);
    let mc = columns.len();
    columns.extend((1..=depth).map(|k| format!("median_days_{k}")));
    let mut x = Table::new(columns);
    let mut keys = Vec::new();
    let text_row = |steps: &[String], node: &str| -> Vec<Cell> {
        let mut row = vec![Cell::Text(node.to_string())];
        row.extend((0..depth).map(|k| steps.get(k).map(|s| Cell::Text(s.clone())).unwrap_or(Cell::Empty)));
        row
    };
    let mut root = text_row(&[], "(everyone indexed)");
    root.extend([Cell::Count(people), Cell::Count(t.no_step), Cell::Empty]);
    root.extend((0..depth).map(|_| Cell::Empty));
    x.push_row(root);
    keys.push(format!("{key}/root"));
    let mut rows_of: Vec<(Vec<String>, usize)> = Vec::new();
    for n in &t.nodes {
        let mut row = text_row(&n.steps, &n.steps.join(" > "));
        row.extend([Cell::Count(n.people), n.ended.map(Cell::Count).unwrap_or(Cell::Empty), Cell::Empty]);
        row.extend((0..depth).map(|_| Cell::Empty));
        let r = x.push_row(row);
        for (k, d) in n.median_days.iter().enumerate().take(depth) {
            x.rows[r][mc + k] = derived_of(*d, 1, at(r, pc));
        }
        keys.push(format!("{key}/node/{}", n.steps.join(">")));
        rows_of.push((n.steps.clone(), r));
    }
    for r in 0..x.rows.len() {
        x.rows[r][pc + 2] = x.percent(at(r, pc), Base::Cell(at(0, pc)), 1);
    }
    // people = ended + children + unlisted, at every node that says who ended there
    let children = |steps: &[String]| -> Vec<usize> {
        rows_of.iter().filter(|(s, _)| s.len() == steps.len() + 1 && s[..steps.len()] == *steps).map(|(_, r)| *r).collect()
    };
    let mut parents: Vec<(Vec<String>, usize, u64)> = vec![(Vec::new(), 0, t.unlisted)];
    for (n, (steps, r)) in t.nodes.iter().zip(&rows_of) {
        if n.ended.is_some() {
            parents.push((steps.clone(), *r, n.unlisted));
        }
    }
    for (steps, r, unlisted) in parents {
        let mut parts = vec![Member::Cell(at(r, pc + 1))];
        parts.extend(children(&steps).into_iter().map(|c| Member::Cell(at(c, pc))));
        if unlisted > 0 {
            parts.push(Member::Hidden(unlisted));
        }
        x.add_group(Member::Cell(at(r, pc)), parts);
    }
    (x, keys)
}

/// Pathways: the index count (and full follow-up), the tree after and (if asked) before.
pub fn pathways_set(f: &PathwayFigures) -> TableSet {
    let mut i = Table::new(["measure", "people"]);
    i.push_row(vec![Cell::Text("indexed".into()), Cell::Count(f.people)]);
    i.push_row(vec![Cell::Text("full_follow_up".into()), Cell::Count(f.full_follow_up)]);
    let rest = f.people.saturating_sub(f.full_follow_up);
    let mut parts = vec![Member::Cell(at(1, 1))];
    if rest > 0 {
        parts.push(Member::Hidden(rest));
    }
    i.add_group(Member::Cell(at(0, 1)), parts);
    let depth = f.depth as usize;
    // keys name the index and side: trees around other index events are other questions (the
    // window and the cohort are left out, so narrowing either is caught by the guard)
    let (a, akeys) = tree_table(&f.after, f.people, depth, &format!("{}/after", f.index));
    let mut set = TableSet {
        tables: vec![
            named("index", "People indexed (and with the whole window inside the data)", i, vec![format!("{}/indexed", f.index), format!("{}/full_follow_up", f.index)]),
            named("pathways_after", &format!("Pathways in the {} days after the index", f.after_days), a, akeys),
        ],
        links: vec![vec![(0, at(0, 1)), (1, at(0, depth + 1))]],
    };
    if let (Some(b), Some(days)) = (&f.before, f.before_days) {
        let (bt, bkeys) = tree_table(b, f.people, depth, &format!("{}/before", f.index));
        set.tables.push(named("pathways_before", &format!("Pathways in the {days} days before the index (step 1 = nearest)"), bt, bkeys));
        set.links[0].push((2, at(0, depth + 1)));
    }
    set
}

/// Time to event: a row per curve (All, then the split's categories), per horizon the events,
/// censored and still at risk (they add up to the people), the cumulative incidence (withheld
/// with its events), with the cumulative counts and the split's categories related to All.
pub fn time_to_set(f: &TimeToFigures) -> TableSet {
    let horizons: Vec<u32> = f.curves.first().map(|c| c.points.iter().map(|p| p.days).collect()).unwrap_or_default();
    let mut columns = vec!["group".to_string(), "people".to_string()];
    for h in &horizons {
        columns.extend([format!("events_{h}d"), format!("censored_{h}d"), format!("at_risk_{h}d"), format!("cumulative_incidence_pct_{h}d")]);
    }
    let mut x = Table::new(columns);
    let mut keys = Vec::new();
    let col = |k: usize, j: usize| 2 + 4 * k + j;
    for c in &f.curves {
        let mut row = vec![Cell::Text(c.group.clone()), Cell::Count(c.people)];
        for p in &c.points {
            row.extend([Cell::Count(p.events), Cell::Count(p.censored), Cell::Count(p.at_risk), Cell::Empty]);
        }
        let r = x.push_row(row);
        keys.push(format!("{} -> {}/group/{}", f.index, f.target, c.group));
        for (k, p) in c.points.iter().enumerate() {
            x.rows[r][col(k, 3)] = derived_of(p.cumulative_incidence.map(|v| 100.0 * v).unwrap_or(f64::NAN), 1, at(r, col(k, 0)));
            x.add_group(Member::Cell(at(r, 1)), (0..3).map(|j| Member::Cell(at(r, col(k, j)))).collect());
            if k > 0 {
                let q = &c.points[k - 1];
                for (j, (now, was)) in [(p.events, q.events), (p.censored, q.censored)].into_iter().enumerate() {
                    let mut parts = vec![Member::Cell(at(r, col(k - 1, j)))];
                    if now > was {
                        parts.push(Member::Hidden(now - was));
                    }
                    x.add_group(Member::Cell(at(r, col(k, j))), parts);
                }
            }
        }
    }
    if f.curves.len() > 1 {
        let n = x.rows.len();
        for c in 1..x.columns.len() {
            if matches!(x.rows[0].get(c), Some(Cell::Count(_))) {
                x.group_in_column(c, 1..n, Member::Cell(at(0, c)));
            }
        }
    }
    TableSet { tables: vec![named("time_to", "Time from the index to the target: cumulative incidence (1 - Kaplan-Meier)", x, keys)], links: Vec::new() }
}
