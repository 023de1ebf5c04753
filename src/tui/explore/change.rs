//! The Change screen's state: a monthly control chart (XmR, see `analysis::spc`) of one measure
//! for the people of the cohort being built, in Scotland or one council (`a`), alone or as
//! small multiples by the council's localities (`b`); `m` moves to the next measure and Enter
//! shows the numbers instead of the chart. The chart is the operations layer's (gated; a
//! withheld month is a gap).
use crate::model::cohort::CohortSpec;
use crate::model::geography::councils;
use crate::model::series::{Area, Dim, Measure, SeriesFigures, SeriesRequest};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;

#[derive(Debug, Clone, Default)]
pub struct ChangeState {
    pub measure: usize,
    /// 0: Scotland; k: the k-th council of `assets/council_areas.csv`.
    pub area: usize,
    pub by_locality: bool,
    /// The numbers instead of the chart.
    pub numbers: bool,
    pub figures: Option<Gated<SeriesFigures>>,
    pub asked: Option<SeriesRequest>,
}

impl ChangeState {
    pub fn measure(&self) -> Measure {
        Measure::ALL[self.measure % Measure::ALL.len()]
    }

    fn area(&self) -> Area {
        match self.area.checked_sub(1).and_then(|k| councils().get(k)) {
            Some(c) => Area { dim: Some(Dim::Council), value: c.lca.clone() },
            None => Area { dim: None, value: String::new() },
        }
    }

    pub fn request(&self, spec: &CohortSpec) -> SeriesRequest {
        let area = self.area();
        let by = (self.by_locality && area.dim.is_some()).then_some(Dim::Locality);
        // the whole population needs no cohort (the same people, a cheaper query)
        let spec = (spec.enabled().count() > 0).then(|| spec.clone());
        SeriesRequest { measure: self.measure(), area, by, weekly: false, from: None, change: Vec::new(), spec }
    }

    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Option<Query> {
        let req = self.request(spec);
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        Some(Query::Spc(req))
    }

    pub fn on_answer(&mut self, g: Gated<SeriesFigures>) {
        self.figures = Some(g);
    }

    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    pub fn on_action(&mut self, action: Action, spec: &CohortSpec) -> Option<Query> {
        match action {
            Action::NextMeasure => self.measure = (self.measure + 1) % Measure::ALL.len(),
            Action::NextArea => self.area = (self.area + 1) % (councils().len() + 1),
            Action::ByLocality => self.by_locality = !self.by_locality,
            Action::Enter => {
                self.numbers = !self.numbers;
                return None;
            }
            _ => return None,
        }
        self.ask_if_changed(spec)
    }

    /// The chart table: a row per group and period (group, period, people, value, mean, ucl,
    /// lcl, signal).
    pub fn chart(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.figures.as_ref()?.table("spc_chart")
    }
}
