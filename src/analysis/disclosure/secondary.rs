//! Secondary (complementary) suppression: make sure no withheld small count can be got back by
//! subtraction.
//!
//! Two passes, repeated until stable:
//! 1. the PHS rule, group by group: a group (row, column, breakdown, attrition step) with exactly
//!    one unknown that needs protecting gets its next smallest shown count suppressed too;
//! 2. an exact check over all groups at once ([`super::linear`]), which catches cells that only
//!    fall out of a combination of groups; each hit suppresses one more cell and goes back to 1.
//!
//! Choice of the extra cell: a part before the group's total (keep the headline figure), a
//! non-zero count before a zero (a zero is often known to be zero, so hiding it protects
//! nothing), then the smallest value (least information lost), then the first in reading order.

use std::collections::HashMap;

use super::linear::determined;
use super::table::{CellRef, Member, Table};
use super::policy::Policy;

/// An unknown in the published table: a withheld cell, or a hidden member of group `g`, part `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Unknown {
    Cell(CellRef),
    Hidden { g: usize, p: usize },
}

/// Extend `suppressed` (indexed [row][col]) until every protected unknown is unrecoverable.
pub(super) fn protect(policy: &Policy, table: &Table, suppressed: &mut [Vec<bool>]) {
    let value = |r: CellRef| table.count(r);
    loop {
        group_pass(policy, table, suppressed);
        let Some(target) = first_recoverable(policy, table, suppressed) else { return };
        // Any one extra cell in a group holding the recoverable unknown adds a free direction;
        // fall back to any group that has unknowns if those groups are exhausted.
        let near: Vec<usize> = (0..table.groups.len())
            .filter(|&g| holds(table, g, target))
            .collect();
        let pick = best_candidate(table, &near, suppressed, &value).or_else(|| {
            let all: Vec<usize> = (0..table.groups.len()).collect();
            best_candidate(table, &all, suppressed, &value)
        });
        match pick {
            Some(c) => suppressed[c.row][c.col] = true,
            // Nothing left to withhold: every count in reach is already hidden; the remaining
            // exposure comes from `Known` figures published elsewhere, outside this gate.
            None => return,
        }
    }
}

fn holds(table: &Table, g: usize, u: Unknown) -> bool {
    match u {
        Unknown::Hidden { g: hg, .. } => hg == g,
        Unknown::Cell(c) => table.groups[g].members().any(|(_, m)| *m == Member::Cell(c)),
    }
}

/// Protected = withheld cells (a withheld cell that can be recovered would help recover its
/// neighbours) and hidden members that are themselves small.
fn protected_hidden(policy: &Policy, m: &Member) -> bool {
    matches!(*m, Member::Hidden(n) if policy.is_sensitive(n))
}

/// PHS rule until nothing changes.
fn group_pass(policy: &Policy, table: &Table, suppressed: &mut [Vec<bool>]) {
    let value = |r: CellRef| table.count(r);
    loop {
        let mut changed = false;
        for g in 0..table.groups.len() {
            let mut unknown = 0;
            let mut needs_cover = false;
            for (_, m) in table.groups[g].members() {
                match *m {
                    Member::Cell(c) if suppressed[c.row][c.col] => {
                        unknown += 1;
                        needs_cover = true;
                    }
                    Member::Hidden(_) => {
                        unknown += 1;
                        needs_cover = protected_hidden(policy, m);
                    }
                    _ => {}
                }
            }
            if unknown == 1 && needs_cover {
                if let Some(c) = best_candidate(table, &[g], suppressed, &value) {
                    suppressed[c.row][c.col] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// The first protected unknown that the relations pin down exactly, if any.
fn first_recoverable(policy: &Policy, table: &Table, suppressed: &[Vec<bool>]) -> Option<Unknown> {
    let mut index: HashMap<Unknown, usize> = HashMap::new();
    let mut unknowns: Vec<(Unknown, bool)> = Vec::new();
    let mut eqs: Vec<Vec<(usize, i64)>> = Vec::new();
    for (g, group) in table.groups.iter().enumerate() {
        let mut eq = Vec::new();
        for (p, (is_total, m)) in group.members().enumerate() {
            let (u, protect) = match *m {
                Member::Cell(c) if suppressed[c.row][c.col] => (Unknown::Cell(c), true),
                Member::Hidden(_) => (Unknown::Hidden { g, p }, protected_hidden(policy, m)),
                _ => continue,
            };
            let j = *index.entry(u).or_insert_with(|| {
                unknowns.push((u, protect));
                unknowns.len() - 1
            });
            eq.push((j, if is_total { -1 } else { 1 }));
        }
        eqs.push(eq);
    }
    let solved = determined(&eqs, unknowns.len());
    unknowns.iter().zip(solved).find(|((_, protect), s)| *protect && *s).map(|((u, _), _)| *u)
}

/// The cell to withhold next among the shown counts of `groups` (see module doc for the order).
fn best_candidate(
    table: &Table,
    groups: &[usize],
    suppressed: &[Vec<bool>],
    value: &dyn Fn(CellRef) -> Option<u64>,
) -> Option<CellRef> {
    groups
        .iter()
        .flat_map(|&g| table.groups[g].members())
        .filter_map(|(is_total, m)| match *m {
            Member::Cell(c) if !suppressed[c.row][c.col] => value(c).map(|v| (is_total, v == 0, v, c)),
            _ => None,
        })
        .min()
        .map(|(_, _, _, c)| c)
}
