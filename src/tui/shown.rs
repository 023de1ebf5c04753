//! Disclosure control on screen (`!`): the explorer's one threshold check. Every figure a view
//! draws from a count goes through here, and here only calls the one gate
//! (`analysis::disclosure`), so the screen hides exactly what an export would.
use crate::analysis::disclosure::{self, Cell, Policy, Table, MARKER};

#[derive(Debug, Clone, Default)]
pub struct OnScreen {
    /// `!` toggles it; off by default (the analyst is inside the secure environment).
    pub on: bool,
    pub policy: Policy,
}

impl OnScreen {
    /// A headline count on its own ("= 41 people"): withheld when small.
    pub fn count(&self, n: u64) -> String {
        if !self.on {
            return thousands(n);
        }
        match disclosure::apply_count(&self.policy, n) {
            Cell::Count(v) => thousands(v),
            _ => MARKER.to_string(),
        }
    }

    /// A table as it may be drawn: through the gate when control is on, as it is when off.
    pub fn table(&self, t: &Table) -> Table {
        if self.on {
            disclosure::apply(&self.policy, t)
        } else {
            t.clone()
        }
    }
}

fn thousands(n: u64) -> String {
    crate::cli::output::thousands(n.min(i64::MAX as u64) as i64)
}
