//! The tables an answer publishes, built from the plain results with the additive relations a
//! reader could subtract along (so the gate can protect them), row keys (so the differencing
//! guard can compare a new output with earlier ones) and links (cells of different tables that
//! hold the same number, e.g. the cohort count in the attrition, characterisation and measures
//! tables: withheld in one means withheld in all).
use crate::analysis::disclosure::{at, Base, Cell, CellRef, Derived, Member, Table};
use crate::model::figures::{Attrition, Characterisation, HriArea, HriPicture, Overview};

/// One published table: file/section name, heading, the table, and a key per row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NamedTable {
    pub name: String,
    pub title: String,
    pub table: Table,
    /// Stable row identity across outputs ("age_band/65-74"); `*` compares with every row.
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// Tables published together, and the cells that must be withheld together.
#[derive(Debug, Clone, Default)]
pub struct TableSet {
    pub tables: Vec<NamedTable>,
    /// Each link lists (table index, cell) of cells that show the same count.
    pub links: Vec<Vec<(usize, CellRef)>>,
}

fn derived(value: Option<f64>, decimals: u8, of: CellRef) -> Cell {
    Cell::Derived(Derived { value: value.unwrap_or(f64::NAN), decimals, of, ratio: None })
}

fn named(name: &str, title: &str, table: Table, keys: Vec<String>) -> NamedTable {
    NamedTable { name: name.into(), title: title.into(), table, keys }
}

pub fn attrition_table(att: &Attrition) -> Table {
    let mut t = Table::new(["step", "filter", "remaining", "pct_of_start", "pct_change"]);
    for (i, s) in att.steps.iter().enumerate() {
        t.push_row(vec![Cell::Text(i.to_string()), Cell::Text(s.filter.clone()), Cell::Count(s.remaining), Cell::Empty, Cell::Empty]);
    }
    for i in 0..t.rows.len() {
        t.rows[i][3] = t.percent(at(i, 2), Base::Cell(at(0, 2)), 1);
        if i > 0 {
            t.rows[i][4] = t.percent_change(at(i, 2), Base::Cell(at(i - 1, 2)), 1);
        }
    }
    let rows: Vec<usize> = (0..t.rows.len()).collect();
    // Attrition never increases; if it somehow did, validation fails closed in `apply`.
    let _ = t.add_attrition(2, &rows);
    t
}

/// The characterisation table and the row index of its first total (the cohort count).
pub fn characterisation_table(ch: &Characterisation) -> (Table, Vec<usize>, Vec<String>) {
    let mut t = Table::new(["section", "category", "cohort_n", "cohort_pct", "population_n", "population_pct"]);
    let mut totals = Vec::new();
    let mut keys = Vec::new();
    for b in &ch.breakdowns {
        let start = t.rows.len();
        for r in &b.rows {
            t.push_row(vec![
                Cell::Text(b.name.clone()),
                Cell::Text(r.label.clone()),
                Cell::Count(r.cohort),
                Cell::Empty,
                Cell::Count(r.population),
                Cell::Empty,
            ]);
            keys.push(format!("{}/{}", b.name, r.key));
        }
        let total = t.push_row(vec![
            Cell::Text(b.name.clone()),
            Cell::Text("Total".into()),
            Cell::Count(ch.cohort_people),
            Cell::Empty,
            Cell::Count(ch.population_people),
            Cell::Empty,
        ]);
        keys.push("total".into());
        totals.push(total);
        for r in start..=total {
            t.rows[r][3] = t.percent(at(r, 2), Base::Cell(at(total, 2)), 1);
            t.rows[r][5] = t.percent(at(r, 4), Base::Cell(at(total, 4)), 1);
        }
        t.group_in_column(2, start..total, Member::Cell(at(total, 2)));
        t.group_in_column(4, start..total, Member::Cell(at(total, 4)));
        for (k, r) in b.rows.iter().enumerate() {
            // population = cohort + the rest (the rest is not shown but follows).
            t.add_group(Member::Cell(at(start + k, 4)), vec![Member::Cell(at(start + k, 2)), Member::Hidden(r.population - r.cohort.min(r.population))]);
        }
        t.add_group(Member::Cell(at(total, 4)), vec![Member::Cell(at(total, 2)), Member::Hidden(ch.population_people - ch.cohort_people.min(ch.population_people))]);
    }
    let base = totals.first().copied();
    for l in &ch.ltcs {
        let r = t.push_row(vec![
            Cell::Text("ltc".into()),
            Cell::Text(l.label.clone()),
            Cell::Count(l.cohort),
            Cell::Empty,
            Cell::Count(l.population),
            Cell::Empty,
        ]);
        keys.push(format!("ltc/{}", l.code));
        if let Some(base) = base {
            t.rows[r][3] = t.percent(at(r, 2), Base::Cell(at(base, 2)), 1);
            t.rows[r][5] = t.percent(at(r, 4), Base::Cell(at(base, 4)), 1);
            // people without the LTC follow from the total too
            t.add_group(Member::Cell(at(base, 2)), vec![Member::Cell(at(r, 2)), Member::Hidden(ch.cohort_people - l.cohort.min(ch.cohort_people))]);
        }
        t.add_group(Member::Cell(at(r, 4)), vec![Member::Cell(at(r, 2)), Member::Hidden(l.population - l.cohort.min(l.population))]);
    }
    (t, totals, keys)
}

pub fn measures_table(ch: &Characterisation) -> (Table, Vec<String>) {
    let mut t = Table::new([
        "measure",
        "cohort_per_person",
        "population_per_person",
        "cohort_share_of_population_pct",
        "cohort_users",
        "population_users",
    ]);
    // Row 0 holds the two people counts (cohort, population) the per-person figures divide by.
    t.push_row(vec![
        Cell::Text("people".into()),
        Cell::Count(ch.cohort_people),
        Cell::Count(ch.population_people),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    let mut keys = vec!["people".to_string()];
    t.add_group(Member::Cell(at(0, 2)), vec![Member::Cell(at(0, 1)), Member::Hidden(ch.population_people - ch.cohort_people.min(ch.population_people))]);
    for m in &ch.measures {
        let r = t.push_row(vec![
            Cell::Text(m.label.clone()),
            derived(m.cohort_per_person, 2, at(0, 1)),
            derived(m.population_per_person, 2, at(0, 2)),
            Cell::Empty,
            Cell::Count(m.cohort_users),
            Cell::Count(m.population_users),
        ]);
        keys.push(m.measure.clone());
        // The share is withheld with the cohort's users (a share from one or two people's
        // costs would disclose them).
        t.rows[r][3] = derived(m.cohort_share_pct, 2, at(r, 4));
        t.add_group(Member::Cell(at(r, 5)), vec![Member::Cell(at(r, 4)), Member::Hidden(m.population_users - m.cohort_users.min(m.population_users))]);
        t.add_group(Member::Cell(at(0, 1)), vec![Member::Cell(at(r, 4)), Member::Hidden(ch.cohort_people - m.cohort_users.min(ch.cohort_people))]);
    }
    (t, keys)
}

/// Attrition alone (the cohort builder's count on every edit).
pub fn attrition_set(att: &Attrition) -> TableSet {
    let t = attrition_table(att);
    let keys = vec!["*".to_string(); t.rows.len()];
    TableSet { tables: vec![named("attrition", "Attrition", t, keys)], links: Vec::new() }
}

/// Characterisation alone: breakdowns and LTCs, and measures.
pub fn characterisation_set(ch: &Characterisation) -> TableSet {
    let (ct, totals, ckeys) = characterisation_table(ch);
    let (mt, mkeys) = measures_table(ch);
    let mut cohort_link: Vec<(usize, CellRef)> = totals.iter().map(|&r| (0, at(r, 2))).collect();
    cohort_link.push((1, at(0, 1)));
    let mut pop_link: Vec<(usize, CellRef)> = totals.iter().map(|&r| (0, at(r, 4))).collect();
    pop_link.push((1, at(0, 2)));
    TableSet {
        tables: vec![
            named("characterisation", "Who the cohort are, beside the whole population", ct, ckeys),
            named("measures", "Service use and cost (per person; cohort share of the population total)", mt, mkeys),
        ],
        links: vec![cohort_link, pop_link],
    }
}

/// A cohort's attrition and characterisation published together (CLI `cohort`, `export`).
pub fn cohort_set(att: &Attrition, ch: &Characterisation) -> TableSet {
    let mut set = attrition_set(att);
    let last = att.steps.len().saturating_sub(1);
    let c = characterisation_set(ch);
    set.tables.extend(c.tables);
    let mut links: Vec<Vec<(usize, CellRef)>> =
        c.links.into_iter().map(|l| l.into_iter().map(|(t, r)| (t + 1, r)).collect()).collect();
    // The last attrition step is the cohort count, the first the starting population.
    if ch.cohort_people == att.count {
        links[0].push((0, at(last, 2)));
    }
    if ch.population_people == att.start {
        links[1].push((0, at(0, 2)));
    }
    set.links = links;
    set
}

fn hri_row(t: &mut Table, a: &HriArea) -> usize {
    let r = t.push_row(vec![
        Cell::Text(a.area.clone()),
        Cell::Text(a.area_name.clone()),
        Cell::Count(a.people),
        Cell::Count(a.hri_people),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        a.persistence.as_ref().map(|p| Cell::Count(p.previous_hri)).unwrap_or(Cell::Empty),
        a.persistence.as_ref().map(|p| Cell::Count(p.remained)).unwrap_or(Cell::Empty),
        a.persistence.as_ref().map(|p| Cell::Count(p.died)).unwrap_or(Cell::Empty),
        Cell::Empty,
    ]);
    t.rows[r][4] = t.percent(at(r, 3), Base::Cell(at(r, 2)), 1);
    t.rows[r][5] = derived(a.hri_share_of_cost.map(|x| 100.0 * x), 1, at(r, 3));
    t.rows[r][6] = derived(a.hri_share_of_acute_beddays.map(|x| 100.0 * x), 1, at(r, 3));
    t.rows[r][7] = derived(Some(a.gini), 3, at(r, 2));
    if let Some(p) = &a.persistence {
        t.rows[r][11] = t.percent(at(r, 9), Base::Cell(at(r, 8)), 1);
        t.add_group(Member::Cell(at(r, 8)), vec![Member::Cell(at(r, 9)), Member::Hidden(p.previous_hri - p.remained.min(p.previous_hri))]);
    }
    t.add_group(Member::Cell(at(r, 2)), vec![Member::Cell(at(r, 3)), Member::Hidden(a.people - a.hri_people.min(a.people))]);
    r
}

/// The HRI picture: per area (with the whole level first), the bands, the Lorenz curve.
pub fn hri_set(p: &HriPicture) -> TableSet {
    let mut t = Table::new([
        "area",
        "area_name",
        "people",
        "hri_people",
        "hri_pct_people",
        "hri_pct_cost",
        "hri_pct_acute_beddays",
        "gini",
        "previous_hri",
        "remained_hri",
        "died",
        "persistence_pct",
    ]);
    let mut keys = vec![format!("{:?}/all", p.level)];
    hri_row(&mut t, &p.overall);
    let first = t.rows.len();
    for a in &p.areas {
        hri_row(&mut t, a);
        keys.push(format!("{:?}/{}", p.level, a.area));
    }
    let area_rows = first..t.rows.len();
    if !p.areas.is_empty() {
        // Areas partition the level: add the sums a reader could use, where they hold.
        for col in [2usize, 3, 8, 9] {
            let sum: Option<u64> = area_rows.clone().map(|r| t.count(at(r, col))).sum();
            if sum.is_some() && sum == t.count(at(0, col)) {
                t.group_in_column(col, area_rows.clone(), Member::Cell(at(0, col)));
            }
        }
    }
    let o = &p.overall;
    let mut b = Table::new(["band", "people", "pct_people", "pct_cost", "pct_acute_beddays"]);
    let mut bkeys = Vec::new();
    for band in &o.bands {
        let r = b.push_row(vec![Cell::Text(band.band.clone()), Cell::Count(band.people), Cell::Empty, Cell::Empty, Cell::Empty]);
        bkeys.push(format!("{:?}/{}", p.level, band.band));
        b.rows[r][3] = derived(band.share_of_cost.map(|x| 100.0 * x), 1, at(r, 1));
        b.rows[r][4] = derived(band.share_of_acute_beddays.map(|x| 100.0 * x), 1, at(r, 1));
    }
    let n = b.rows.len();
    let total = b.push_row(vec![Cell::Text("Total".into()), Cell::Count(o.people), Cell::Empty, Cell::Empty, Cell::Empty]);
    bkeys.push("total".into());
    for r in 0..=total {
        b.rows[r][2] = b.percent(at(r, 1), Base::Cell(at(total, 1)), 1);
    }
    let band_sum: u64 = o.bands.iter().map(|x| x.people).sum();
    if band_sum == o.people {
        b.group_in_column(1, 0..n, Member::Cell(at(total, 1)));
    }
    let mut l = Table::new(["point", "pct_people", "pct_cost"]);
    l.push_row(vec![Cell::Text("people".into()), Cell::Count(o.people), Cell::Empty]);
    let mut lkeys = vec!["people".to_string()];
    for (x, y) in &o.lorenz {
        l.push_row(vec![Cell::Text("lorenz".into()), derived(Some(100.0 * x), 1, at(0, 1)), derived(Some(100.0 * y), 1, at(0, 1))]);
        lkeys.push("lorenz".into());
    }
    for ts in &o.top_shares {
        l.push_row(vec![Cell::Text("top".into()), derived(Some(100.0 * ts.top), 1, at(0, 1)), derived(Some(100.0 * ts.share_of_cost), 1, at(0, 1))]);
        lkeys.push("top".into());
    }
    TableSet {
        tables: vec![
            named("hri", "High Resource Individuals by area", t, keys),
            named("hri_bands", "Bands (whole level)", b, bkeys),
            named("lorenz", "Lorenz curve of health cost (people cheapest first) and top shares", l, lkeys),
        ],
        links: {
            let mut links = vec![vec![(0, at(0, 2)), (1, at(total, 1)), (2, at(0, 1))]];
            // The High band is the HRIs (cumulative % under 50): the same count in both tables.
            if let Some(i) = o.bands.iter().position(|b| b.band == "High" && b.people == o.hri_people) {
                links.push(vec![(0, at(0, 3)), (1, at(i, 1))]);
            }
            links
        },
    }
}

/// The overview screen's figures.
pub fn overview_set(o: &Overview) -> TableSet {
    let mut h = Table::new(["figure", "value"]);
    let people = h.push_row(vec![Cell::Text("people".into()), Cell::Count(o.people.max(0) as u64)]);
    h.push_row(vec![Cell::Text("events".into()), Cell::Count(o.events.max(0) as u64)]);
    let hri = h.push_row(vec![Cell::Text("hri_people".into()), Cell::Count(o.hri_people.max(0) as u64)]);
    h.push_row(vec![Cell::Text("health_cost".into()), derived(Some(o.health_cost), 0, at(people, 1))]);
    h.push_row(vec![Cell::Text("hri_pct_people".into()), derived(Some(o.hri_pct_people), 1, at(hri, 1))]);
    h.push_row(vec![Cell::Text("hri_pct_cost".into()), derived(Some(o.hri_pct_cost), 1, at(hri, 1))]);
    h.push_row(vec![Cell::Text("hri_pct_acute_beddays".into()), derived(Some(o.hri_pct_acute_beddays), 1, at(hri, 1))]);
    h.push_row(vec![Cell::Text("persistence_pct".into()), derived(o.persistence_pct, 1, at(hri, 1))]);
    h.push_row(vec![Cell::Text("gini".into()), derived(Some(o.gini), 3, at(people, 1))]);
    let hkeys = h.rows.iter().map(|r| r[0].render()).collect();
    let mut set = TableSet { tables: vec![named("overview", "Overview", h, hkeys)], links: Vec::new() };
    for (name, title, rows, additive) in [
        ("by_service", "Cost and people by service", &o.by_service, false),
        ("by_age", "Cost and people by age band", &o.by_age, true),
        ("by_simd", "Cost and people by SIMD quintile", &o.by_simd, true),
    ] {
        let mut t = Table::new(["category", "people", "cost"]);
        let mut keys = Vec::new();
        for (label, cost, n) in rows.iter() {
            let r = t.push_row(vec![Cell::Text(label.clone()), Cell::Count((*n).max(0) as u64), Cell::Empty]);
            t.rows[r][2] = derived(Some(*cost), 0, at(r, 1));
            keys.push(format!("{name}/{label}"));
        }
        let sum: u64 = rows.iter().map(|(_, _, n)| (*n).max(0) as u64).sum();
        if additive && sum == o.people.max(0) as u64 && !rows.is_empty() {
            let n = t.rows.len();
            let total = t.push_row(vec![Cell::Text("Total".into()), Cell::Count(sum), Cell::Empty]);
            keys.push("total".into());
            t.group_in_column(1, 0..n, Member::Cell(at(total, 1)));
            let ti = set.tables.len();
            set.links.push(vec![(0, at(people, 1)), (ti, at(total, 1))]);
        }
        set.tables.push(named(name, title, t, keys));
    }
    set
}
