//! Disclosure control on screen (`!`). The operations layer applies the one gate
//! (`analysis::disclosure`, through `ops::run`) to every aggregate it answers once the session's
//! setting is on; the views draw figures only from the published tables those answers carry
//! (never from raw figures, which an answer holds only while control is off). This module is the
//! explorer's side of it: the setting, and how a published cell reads on screen.
use crate::analysis::disclosure::{self, Cell, Policy, MARKER};
use crate::format::thousands;

#[derive(Debug, Clone, Default)]
pub struct OnScreen {
    /// `!` toggles it; off by default (the analyst is inside the secure environment).
    pub on: bool,
    pub policy: Policy,
}

impl OnScreen {
    /// A headline count that no table carries (a members list's length when no cohort answer
    /// is at hand): the same gate, on its own.
    pub fn count(&self, n: u64) -> String {
        if !self.on {
            return thousands(n.min(i64::MAX as u64) as i64);
        }
        match disclosure::apply_count(&self.policy, n) {
            Cell::Count(v) => thousands(v.min(i64::MAX as u64) as i64),
            _ => MARKER.to_string(),
        }
    }
}

/// How a published cell reads: counts with thousands separators, derived figures to their
/// decimals (`-` when not a number), withheld cells as `*`, text without control characters.
pub fn cell(c: &Cell) -> String {
    match c {
        Cell::Count(n) => thousands((*n).min(i64::MAX as u64) as i64),
        Cell::Derived(d) if !d.value.is_finite() => "-".into(),
        Cell::Text(s) => crate::format::strip_controls(s),
        other => other.render(),
    }
}

/// A derived cell as a percentage ("12.5%"), or the cell's own text when it is not a number.
pub fn percent(c: &Cell) -> String {
    match c {
        Cell::Derived(d) if d.value.is_finite() => format!("{}%", c.render()),
        other => cell(other),
    }
}

/// The number in a published cell, when it is shown.
pub fn value(c: &Cell) -> Option<f64> {
    match c {
        Cell::Count(n) => Some(*n as f64),
        Cell::Derived(d) if d.value.is_finite() => Some(d.value),
        _ => None,
    }
}
