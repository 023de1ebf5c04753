//! The Social care screen's state: the NDTi prevention measures (see `model::socialcare`) of
//! the people of the cohort being built who enter social care, by one split (`s`: year of entry,
//! SIMD, council, locality, sex), one measure drawn as bars (`m`), the gap between the most and
//! least deprived under it; Enter shows the numbers of every measure. Up/Down scroll the groups.
//! Figures are the operations layer's (gated).
use crate::model::cohort::CohortSpec;
use crate::model::socialcare::{SocialCareBy, SocialCareFigures, SocialCareRequest, DEFAULT_LOOKBACK};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;

/// The splits in the order `s` offers them: by year first (the change from the baseline), then
/// by deprivation (the gap the measures are about).
pub const SPLITS: [SocialCareBy; 5] = [SocialCareBy::Year, SocialCareBy::Simd, SocialCareBy::Council, SocialCareBy::Locality, SocialCareBy::Sex];

/// A measure drawn: its column in the `socialcare` table, its name, and the column of the count
/// of people it is measured over (None: it is itself a count).
pub struct SocialCareMeasure {
    pub column: usize,
    pub label: &'static str,
    pub of: Option<usize>,
}

const fn m(column: usize, label: &'static str, of: Option<usize>) -> SocialCareMeasure {
    SocialCareMeasure { column, label, of }
}

/// The measures `m` steps through (columns of `ops::socialcare_tables::columns`).
pub const MEASURES: [SocialCareMeasure; 12] = [
    m(1, "entrants", None),
    m(2, "mean age at entry", Some(1)),
    m(3, "median age at entry", Some(1)),
    m(5, "mean first home-care package (hours a week)", Some(4)),
    m(6, "median first home-care package (hours a week)", Some(4)),
    m(8, "mean growth of care hours a week over 6 months", Some(7)),
    m(10, "mean growth of care hours a week over 12 months", Some(9)),
    m(12, "mean growth of care hours a week over 24 months", Some(11)),
    m(13, "moves into a care home", None),
    m(14, "mean age at the move into a care home", Some(13)),
    m(15, "median age at the move into a care home", Some(13)),
    m(16, "median days from first package to care home", Some(13)),
];

#[derive(Debug, Clone, Default)]
pub struct SocialCareState {
    pub split: usize,
    pub measure: usize,
    /// The numbers of every measure instead of the bars.
    pub numbers: bool,
    pub figures: Option<Gated<SocialCareFigures>>,
    pub asked: Option<SocialCareRequest>,
    pub scroll: usize,
}

impl SocialCareState {
    pub fn by(&self) -> SocialCareBy {
        SPLITS[self.split % SPLITS.len()]
    }

    pub fn measure(&self) -> &'static SocialCareMeasure {
        &MEASURES[self.measure % MEASURES.len()]
    }

    pub fn request(&self, spec: &CohortSpec) -> SocialCareRequest {
        // the whole population needs no cohort (the same people, a cheaper query)
        let cohort = (spec.enabled().count() > 0).then(|| spec.clone());
        SocialCareRequest { spec: cohort, by: self.by(), from: None, lookback: DEFAULT_LOOKBACK }
    }

    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Option<Query> {
        let req = self.request(spec);
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        self.scroll = 0;
        Some(Query::SocialCare(req))
    }

    pub fn on_answer(&mut self, g: Gated<SocialCareFigures>) {
        self.figures = Some(g);
    }

    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    /// A row per group, the total last.
    pub fn table(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.figures.as_ref()?.table("socialcare")
    }

    pub fn on_action(&mut self, action: Action, spec: &CohortSpec) -> Option<Query> {
        let groups = self.table().map(|t| t.rows.len().saturating_sub(1)).unwrap_or(0);
        match action {
            Action::SocialCareSplit => {
                self.split = (self.split + 1) % SPLITS.len();
                return self.ask_if_changed(spec);
            }
            // another measure of the same answer: nothing to ask
            Action::NextMeasure => self.measure = (self.measure + 1) % MEASURES.len(),
            Action::Enter => self.numbers = !self.numbers,
            _ => {
                if let Some(s) = super::scroll::scrolled(action, self.scroll, groups) {
                    self.scroll = s;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::socialcare_tables::columns;

    #[test]
    fn measures_name_their_columns_and_counts() {
        let cols = columns();
        for m in &MEASURES {
            let name = &cols[m.column];
            match m.of {
                None => assert!(name == "entrants" || name == "care_home_movers", "{name} is a count"),
                Some(of) => assert!(["entrants", "hc_entrants", "followed_6m", "followed_12m", "followed_24m", "care_home_movers"].contains(&cols[of].as_str()), "{name} of {}", cols[of]),
            }
        }
        assert_eq!(cols[MEASURES[7].column], "mean_growth_24m");
        assert_eq!(cols[MEASURES[7].of.unwrap_or(0)], "followed_24m");
    }
}
