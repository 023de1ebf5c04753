//! The Delays screen's state: the split of the delayed discharges of the cohort being built
//! (in the explorer's year), and the figures the operations layer answered (gated like every
//! figure). `s` moves to the next split; Up/Down scroll the groups.
use crate::model::cohort::CohortSpec;
use crate::model::delays::{DelayBy, DelayFigures, DelaysRequest};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;

/// The splits in the order `s` offers them.
pub const SPLITS: [DelayBy; 12] = [
    DelayBy::ReasonGroup,
    DelayBy::Reason,
    DelayBy::Council,
    DelayBy::Hscp,
    DelayBy::Locality,
    DelayBy::Hospital,
    DelayBy::Specialty,
    DelayBy::Month,
    DelayBy::Length,
    DelayBy::Admission,
    DelayBy::Origin,
    DelayBy::Destination,
];

#[derive(Debug, Clone, Default)]
pub struct DelaysState {
    pub split: usize,
    pub figures: Option<Gated<DelayFigures>>,
    pub asked: Option<DelaysRequest>,
    /// First group shown.
    pub scroll: usize,
}

impl DelaysState {
    pub fn by(&self) -> DelayBy {
        SPLITS[self.split % SPLITS.len()]
    }

    pub fn request(&self, spec: &CohortSpec) -> DelaysRequest {
        DelaysRequest { spec: Some(spec.clone()), year: spec.years.last().cloned(), by: self.by() }
    }

    /// The figures to ask for when the split (or the cohort) differs from the one answered.
    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Option<Query> {
        let req = self.request(spec);
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        self.scroll = 0;
        Some(Query::Delays(req))
    }

    pub fn on_answer(&mut self, g: Gated<DelayFigures>) {
        self.figures = Some(g);
    }

    /// Figures of another cohort, year or disclosure setting must go.
    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    pub fn on_action(&mut self, action: Action, spec: &CohortSpec) -> Option<Query> {
        let groups = self.table().map(|t| t.rows.len().saturating_sub(1)).unwrap_or(0);
        match action {
            Action::DelaySplit => {
                self.split = (self.split + 1) % SPLITS.len();
                return self.ask_if_changed(spec);
            }
            _ => {
                if let Some(s) = super::scroll::scrolled(action, self.scroll, groups) {
                    self.scroll = s;
                }
            }
        }
        None
    }

    /// The published table: a row per group, the total last.
    pub fn table(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.figures.as_ref()?.table("delays")
    }
}
