//! Disclosure-control bar (issue 4): no published count below the threshold, secondary
//! suppression holds on tables built so that a suppressed cell could otherwise be derived, derived
//! figures go with their counts, rounding, and CSV formula neutralisation.
//!
//! Recoverability is checked here by an independent floating-point rank test (not the crate's
//! integer elimination): a withheld small count is recoverable iff adding its unit vector to the
//! published relations does not raise their rank.

use carepath::analysis::disclosure::{
    apply, at, to_csv, Base, Cell, CellRef, Derived, Member, Policy, Table, MARKER,
};

// ---------- helpers ----------

/// A cross table: `inner` counts, a total column, a total row, and all row/column relations.
fn cross(inner: &[Vec<u64>]) -> Table {
    let (nr, nc) = (inner.len(), inner[0].len());
    let mut t = Table::new((0..=nc).map(|c| if c == nc { "total".to_string() } else { format!("c{c}") }));
    for row in inner {
        let mut cells: Vec<Cell> = row.iter().map(|&v| Cell::Count(v)).collect();
        cells.push(Cell::Count(row.iter().sum()));
        t.push_row(cells);
    }
    let mut totals: Vec<Cell> = (0..nc).map(|c| Cell::Count(inner.iter().map(|r| r[c]).sum())).collect();
    totals.push(Cell::Count(inner.iter().flatten().sum()));
    t.push_row(totals);
    for r in 0..=nr {
        t.group_in_row(r, 0..nc, Member::Cell(at(r, nc)));
    }
    for c in 0..=nc {
        t.group_in_column(c, 0..nr, Member::Cell(at(nr, c)));
    }
    t
}

fn is_withheld(published: &Table, r: CellRef) -> bool {
    published.rows[r.row][r.col] == Cell::Suppressed
}

/// Small counts (withheld cells whose raw value is sensitive, and sensitive hidden members) that
/// a reader can solve for exactly from the published table and the original relations.
fn recoverable(policy: &Policy, original: &Table, published: &Table) -> Vec<String> {
    // Unknowns: withheld cells and hidden members; remember which are sensitive.
    let mut names: Vec<(String, bool)> = Vec::new();
    let mut cell_ix = std::collections::HashMap::new();
    let mut eqs: Vec<Vec<f64>> = Vec::new();
    let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
    for (g, group) in original.groups.iter().enumerate() {
        let mut eq = Vec::new();
        let members = std::iter::once((-1.0, group.total)).chain(group.parts.iter().map(|m| (1.0, *m)));
        for (k, (coef, m)) in members.enumerate() {
            match m {
                Member::Cell(c) if is_withheld(published, c) => {
                    let raw = original.count(c).unwrap();
                    let j = *cell_ix.entry(c).or_insert_with(|| {
                        names.push((format!("cell {c:?} = {raw}"), policy.is_sensitive(raw)));
                        names.len() - 1
                    });
                    eq.push((j, coef));
                }
                Member::Hidden(v) => {
                    names.push((format!("hidden g{g} m{k} = {v}"), policy.is_sensitive(v)));
                    eq.push((names.len() - 1, coef));
                }
                _ => {}
            }
        }
        rows.push(eq);
    }
    let n = names.len();
    for eq in rows {
        let mut dense = vec![0.0; n];
        for (j, c) in eq {
            dense[j] += c;
        }
        eqs.push(dense);
    }
    let base = rank(eqs.clone());
    (0..n)
        .filter(|&j| names[j].1)
        .filter(|&j| {
            let mut with = eqs.clone();
            let mut e = vec![0.0; n];
            e[j] = 1.0;
            with.push(e);
            rank(with) == base
        })
        .map(|j| names[j].0.clone())
        .collect()
}

fn rank(mut m: Vec<Vec<f64>>) -> usize {
    let cols = m.first().map_or(0, |r| r.len());
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else { break };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        for i in 0..m.len() {
            if i != r {
                let f = m[i][c] / m[r][c];
                let pivot_row = m[r].clone();
                for (x, y) in m[i].iter_mut().zip(pivot_row) {
                    *x -= f * y;
                }
            }
        }
        r += 1;
    }
    r
}

/// In every relation, the unknowns (withheld cells + hidden members) are 0 or at least 2
/// whenever one of them is a withheld cell or a small hidden count.
fn every_group_has_zero_or_two_unknowns(policy: &Policy, original: &Table, published: &Table) {
    for (g, group) in original.groups.iter().enumerate() {
        let mut unknown = 0;
        let mut exposed = false;
        for m in std::iter::once(&group.total).chain(&group.parts) {
            match *m {
                Member::Cell(c) if is_withheld(published, c) => {
                    unknown += 1;
                    exposed = true;
                }
                Member::Hidden(v) => {
                    unknown += 1;
                    exposed |= policy.is_sensitive(v);
                }
                _ => {}
            }
        }
        assert!(!exposed || unknown >= 2, "group {g} has a lone unknown: {group:?}");
    }
}

fn assert_safe(policy: &Policy, original: &Table, published: &Table) {
    for (i, row) in published.rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            if let Cell::Count(shown) = cell {
                let raw = original.count(at(i, j)).unwrap();
                assert!(!policy.is_sensitive(raw), "raw {raw} shown as {shown} at ({i},{j})");
                assert_eq!(*shown, policy.round(raw));
            }
        }
    }
    every_group_has_zero_or_two_unknowns(policy, original, published);
    let rec = recoverable(policy, original, published);
    assert!(rec.is_empty(), "recoverable small counts: {rec:?}");
    assert!(published.groups.is_empty(), "relations (and hidden counts) must not be published");
}

/// Tiny deterministic generator so the test needs no extra dependency.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

// ---------- the bar ----------

#[test]
fn no_published_count_below_threshold() {
    let mut rng = Lcg(42);
    for threshold in [5, 10, 11] {
        for rounding in [None, Some(5)] {
            let policy = Policy { threshold, rounding, ..Policy::default() };
            for _ in 0..40 {
                let (nr, nc) = (1 + rng.next(6) as usize, 1 + rng.next(5) as usize);
                let inner: Vec<Vec<u64>> = (0..nr)
                    .map(|_| (0..nc).map(|_| if rng.next(3) == 0 { rng.next(12) } else { rng.next(300) }).collect())
                    .collect();
                let t = cross(&inner);
                let out = apply(&policy, &t);
                assert_safe(&policy, &t, &out);
            }
        }
    }
}

#[test]
fn secondary_protects_cell_derivable_from_row_total() {
    // Glasgow: 3 | 120 | 45 | total 168. With only the 3 withheld, 168 - 120 - 45 = 3.
    let mut t = Table::new(["council", "65-74", "75-84", "85+", "total"]);
    t.push_row(vec![Cell::Text("Glasgow City".into()), Cell::Count(3), Cell::Count(120), Cell::Count(45), Cell::Count(168)]);
    t.group_in_row(0, 1..4, Member::Cell(at(0, 4)));
    let policy = Policy::default();
    let out = apply(&policy, &t);
    assert_eq!(out.rows[0][1], Cell::Suppressed);
    let withheld = (1..5).filter(|&c| is_withheld(&out, at(0, c))).count();
    assert!(withheld >= 2, "only {withheld} withheld: the 3 could be subtracted from the total");
    assert_eq!(out.rows[0][3], Cell::Suppressed, "45 is the next smallest part");
    assert_eq!(out.rows[0][4], Cell::Count(168), "the total stays");
    assert_safe(&policy, &t, &out);
}

#[test]
fn secondary_protects_cell_derivable_from_column_total() {
    // Age bands of a cohort whose size (250) is printed in the heading: a Known total.
    let mut t = Table::new(["age band", "people"]);
    for (band, n) in [("0-17", 40), ("18-64", 7), ("65-74", 88), ("75+", 115)] {
        t.push_row(vec![Cell::Text(band.into()), Cell::Count(n)]);
    }
    t.group_in_column(1, 0..4, Member::Known(250));
    let policy = Policy::default();
    let out = apply(&policy, &t);
    assert_eq!(out.rows[1][1], Cell::Suppressed);
    let withheld = (0..4).filter(|&r| is_withheld(&out, at(r, 1))).count();
    assert!(withheld >= 2, "250 minus the others would give the 7");
    assert_eq!(out.rows[0][1], Cell::Suppressed, "40 is the next smallest");
    assert_safe(&policy, &t, &out);
}

#[test]
fn secondary_iterates_across_rows_and_columns() {
    // The 4 needs a partner in its row (the 30); the 30 then leaves its column with one unknown,
    // and so on until rows and columns are all covered.
    let inner = vec![vec![4, 30, 200], vec![50, 60, 70], vec![80, 90, 100]];
    let t = cross(&inner);
    let policy = Policy::default();
    let out = apply(&policy, &t);
    assert_eq!(out.rows[0][0], Cell::Suppressed);
    let withheld: usize = out.rows.iter().flatten().filter(|c| **c == Cell::Suppressed).count();
    assert!(withheld >= 4, "a 2x2 block at least, got {withheld}");
    assert_safe(&policy, &t, &out);
}

#[test]
fn exact_check_catches_what_row_and_column_rule_misses() {
    // Two 2x2 blocks of small counts joined by one small "bridge" cell. Every row and column has
    // >= 2 withheld cells, yet rows 0+1 minus columns 0+1 give the bridge at (1,2) exactly.
    let inner = vec![
        vec![2, 3, 100, 100],
        vec![4, 5, 6, 100],
        vec![100, 100, 7, 8],
        vec![100, 100, 9, 1],
        vec![100, 100, 100, 100],
    ];
    let t = cross(&inner);
    let policy = Policy::default();
    let out = apply(&policy, &t);
    let withheld = out.rows.iter().flatten().filter(|c| **c == Cell::Suppressed).count();
    assert!(withheld > 9, "the 9 primary cells alone leave the bridge recoverable");
    assert_safe(&policy, &t, &out);
}

#[test]
fn attrition_small_step_protected() {
    // A filter that removes 5 people: 1200 - 1195 would publish "5".
    let mut t = Table::new(["filter", "remaining", "% remaining", "% change"]);
    let counts = [("all", 5000), ("aged 65+", 1200), ("not died", 1195), ("COPD", 300)];
    for (i, (f, n)) in counts.iter().enumerate() {
        t.push_row(vec![Cell::Text((*f).into()), Cell::Count(*n), Cell::Empty, Cell::Empty]);
        if i > 0 {
            t.rows[i][2] = t.percent(at(i, 1), Base::Cell(at(0, 1)), 1);
            t.rows[i][3] = t.percent_change(at(i, 1), Base::Cell(at(i - 1, 1)), 1);
        }
    }
    t.add_attrition(1, &[0, 1, 2, 3]).unwrap();
    let policy = Policy::default();
    let out = apply(&policy, &t);
    assert_eq!(out.rows[2][1], Cell::Suppressed, "the step's remaining count goes");
    assert_eq!(out.rows[2][2], Cell::Suppressed);
    assert_eq!(out.rows[2][3], Cell::Suppressed, "% change would give the 5 back");
    assert_eq!(out.rows[3][3], Cell::Suppressed, "its base is withheld");
    assert_eq!(out.rows[1][1], Cell::Count(1200));
    assert_eq!(out.rows[3][1], Cell::Count(300));
    assert_safe(&policy, &t, &out);
}

#[test]
fn rounding_after_suppression_and_percentages_follow() {
    let mut t = Table::new(["band", "people", "%"]);
    let counts = [9, 11, 13, 120];
    for (i, n) in counts.iter().enumerate() {
        t.push_row(vec![Cell::Text(format!("b{i}")), Cell::Count(*n), Cell::Empty]);
    }
    t.push_row(vec![Cell::Text("total".into()), Cell::Count(153), Cell::Empty]);
    for i in 0..4 {
        t.rows[i][2] = t.percent(at(i, 1), Base::Cell(at(4, 1)), 1);
    }
    t.group_in_column(1, 0..4, Member::Cell(at(4, 1)));
    let policy = Policy { rounding: Some(5), ..Policy::default() };
    let out = apply(&policy, &t);
    assert_eq!(out.rows[0][1], Cell::Suppressed, "9 is withheld, not rounded up to 10");
    assert_eq!(out.rows[1][1], Cell::Suppressed, "11 is the partner");
    assert_eq!(out.rows[2][1], Cell::Count(15));
    assert_eq!(out.rows[3][1], Cell::Count(120));
    assert_eq!(out.rows[4][1], Cell::Count(155));
    // The % is recomputed from the shown counts (15/155), not the raw ones (13/153 = 8.5).
    assert_eq!(out.rows[2][2].render(), "9.7");
    assert_safe(&policy, &t, &out);
}

#[test]
fn derived_figures_of_suppressed_counts_are_suppressed() {
    let mut t = Table::new(["group", "people", "% of cohort", "cost per person"]);
    for (i, (g, n, cost)) in [("diabetes", 6, 9_100.0), ("no diabetes", 400, 1_520.0), ("unknown", 25, 800.0)].iter().enumerate() {
        t.push_row(vec![Cell::Text((*g).into()), Cell::Count(*n), Cell::Empty, Cell::Empty]);
        t.rows[i][2] = t.percent(at(i, 1), Base::Known(431), 1);
        t.rows[i][3] = Cell::Derived(Derived { value: *cost, decimals: 0, of: at(i, 1), ratio: None });
    }
    t.group_in_column(1, 0..3, Member::Known(431));
    let policy = Policy::default();
    let out = apply(&policy, &t);
    for r in [0, 2] {
        assert_eq!(out.rows[r][1], Cell::Suppressed);
        assert_eq!(out.rows[r][2], Cell::Suppressed);
        assert_eq!(out.rows[r][3], Cell::Suppressed);
    }
    assert_eq!(out.rows[1][3].render(), "1520");
    assert_safe(&policy, &t, &out);
}

#[test]
fn zero_kept_by_default_and_suppressed_on_request() {
    let t = cross(&[vec![0, 150], vec![40, 60]]);
    let out = apply(&Policy::default(), &t);
    assert_eq!(out.rows[0][0], Cell::Count(0));
    assert!(out.rows.iter().flatten().all(|c| *c != Cell::Suppressed));
    let strict = Policy { suppress_zero: true, ..Policy::default() };
    let out = apply(&strict, &t);
    assert_eq!(out.rows[0][0], Cell::Suppressed);
    assert_safe(&strict, &t, &out);
}

#[test]
fn invalid_relations_fail_closed() {
    let mut t = cross(&[vec![3, 150], vec![40, 60]]);
    t.groups[0].total = Member::Known(999); // wrong: would mislead the secondary pass
    let out = apply(&Policy::default(), &t);
    assert!(out.rows.iter().flatten().all(|c| *c == Cell::Suppressed));
}

#[test]
fn csv_neutralises_formula_text_but_not_numbers() {
    let mut t = Table::new(["=area", "people", "% change"]);
    let labels = ["=HYPERLINK(\"http://x\",\"y\")", "+441234", "-leading dash", "@SUM(A1)", "\tTab", "Ayr, South", "plain"];
    for (i, l) in labels.iter().enumerate() {
        t.push_row(vec![Cell::Text((*l).into()), Cell::Count(100 + i as u64), Cell::Empty]);
        t.rows[i][2] = Cell::Derived(Derived { value: -2.5, decimals: 1, of: at(i, 1), ratio: None });
    }
    t.rows[6][1] = Cell::Count(3);
    let published = apply(&Policy::default(), &t);
    let csv = to_csv(&published);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "'=area,people,% change");
    assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",100,-2.5");
    assert_eq!(lines[2], "'+441234,101,-2.5");
    assert_eq!(lines[3], "'-leading dash,102,-2.5");
    assert_eq!(lines[4], "'@SUM(A1),103,-2.5");
    // Neutralised, and the tab itself made visible (no control character reaches a terminal
    // that prints the file).
    assert_eq!(lines[5], "'^ITab,104,-2.5");
    assert_eq!(lines[6], "\"Ayr, South\",105,-2.5");
    assert_eq!(lines[7], format!("plain,{MARKER},{MARKER}"));
    for line in &lines {
        let first = line.trim_start_matches('"').chars().next().unwrap();
        assert!(!"=+-@\t\r".contains(first), "formula start survived: {line:?}");
    }
}

#[test]
fn policy_from_toml_defaults_and_rejects_unknown_fields() {
    let p: Policy = toml::from_str("").unwrap();
    assert_eq!(p, Policy::default());
    assert_eq!((p.threshold, p.secondary, p.rounding, p.suppress_zero), (10, true, None, false));
    let p: Policy = toml::from_str("threshold = 5\nrounding = 5").unwrap();
    assert_eq!((p.threshold, p.rounding), (5, Some(5)));
    let err = toml::from_str::<Policy>("treshold = 5").unwrap_err().to_string();
    assert!(err.contains("treshold"), "{err}");
    let back: Policy = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}
