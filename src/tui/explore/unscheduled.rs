//! The Unscheduled screen's state: the unscheduled care of the cohort being built (in the
//! explorer's year) by one split (`s`), with one measure drawn as bars of its rate per 1,000
//! (`m`); Up/Down scroll the groups. Figures are the operations layer's (gated).
use crate::model::cohort::CohortSpec;
use crate::model::unscheduled::{UnscheduledBy, UnscheduledFigures, UnscheduledRequest, DEFAULT_REPEAT, MEASURES};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;

/// The splits in the order `s` offers them.
pub const SPLITS: [UnscheduledBy; 8] = [
    UnscheduledBy::Council,
    UnscheduledBy::Hscp,
    UnscheduledBy::Locality,
    UnscheduledBy::GpPractice,
    UnscheduledBy::GpCluster,
    UnscheduledBy::AgeBand,
    UnscheduledBy::Simd,
    UnscheduledBy::Sex,
];

/// What each measure of [`MEASURES`] is called on screen.
pub fn measure_label(m: &str) -> &'static str {
    match m {
        "ae_attendances" => "A&E attendances",
        "ae_attenders" => "A&E attenders",
        "repeat_attenders" => "repeat A&E attenders",
        "emergency_admissions" => "emergency admissions",
        "emergency_bed_days" => "emergency bed days",
        "ppa_admissions" => "potentially preventable admissions",
        "ppa_bed_days" => "PPA bed days",
        "readmissions_28" => "readmissions within 28 days",
        _ => "measure",
    }
}

#[derive(Debug, Clone, Default)]
pub struct UnscheduledState {
    pub split: usize,
    /// Index into [`MEASURES`] (emergency admissions first: the question most often asked).
    pub measure: usize,
    pub figures: Option<Gated<UnscheduledFigures>>,
    pub asked: Option<UnscheduledRequest>,
    pub scroll: usize,
}

impl UnscheduledState {
    pub fn by(&self) -> UnscheduledBy {
        SPLITS[self.split % SPLITS.len()]
    }

    /// The measure drawn, as its index in [`MEASURES`].
    pub fn measure(&self) -> usize {
        let start = MEASURES.iter().position(|m| *m == "emergency_admissions").unwrap_or(0);
        (start + self.measure) % MEASURES.len()
    }

    pub fn request(&self, spec: &CohortSpec) -> UnscheduledRequest {
        // the whole population needs no cohort (the same people, a cheaper query)
        let cohort = (spec.enabled().count() > 0).then(|| spec.clone());
        UnscheduledRequest { spec: cohort, year: spec.years.last().cloned(), by: self.by(), repeat: DEFAULT_REPEAT }
    }

    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Option<Query> {
        let req = self.request(spec);
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        self.scroll = 0;
        Some(Query::Unscheduled(req))
    }

    pub fn on_answer(&mut self, g: Gated<UnscheduledFigures>) {
        self.figures = Some(g);
    }

    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    pub fn table(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.figures.as_ref()?.table("unscheduled")
    }

    pub fn on_action(&mut self, action: Action, spec: &CohortSpec) -> Option<Query> {
        let groups = self.table().map(|t| t.rows.len().saturating_sub(1)).unwrap_or(0);
        match action {
            Action::UnscheduledSplit => {
                self.split = (self.split + 1) % SPLITS.len();
                return self.ask_if_changed(spec);
            }
            // another measure of the same answer: nothing to ask
            Action::NextMeasure => self.measure = (self.measure + 1) % MEASURES.len(),
            _ => {
                if let Some(s) = super::scroll::scrolled(action, self.scroll, groups) {
                    self.scroll = s;
                }
            }
        }
        None
    }
}
