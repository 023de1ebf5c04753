//! The Projections screen's state: the explorer's year's age-sex-specific rates per area
//! applied to a population projection the analyst names with `:population FILE` (optionally
//! changed by `:scenario FILE`), to 2035 (see `analysis::projection`). Per council, partnership
//! or Scotland as one area (`s`); one area at a time (`a`: Scotland, then each area of the
//! level), one measure (`m`) drawn as a bar per year; Enter shows
//! every measure's numbers. Figures are the operations layer's (gated). The projection is of the
//! whole population: a cohort's rates would not apply to a council's projected people.
use crate::model::projection::{AreaLevel, ProjectionFigures, ProjectionRequest, DEFAULT_OCCUPANCY, DEFAULT_TO};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;
use std::path::PathBuf;

/// The levels `s` offers: councils first (the NRS file's own areas), partnerships with their own
/// rates, Scotland as one area (its own rates, not the councils' summed).
pub const LEVELS: [AreaLevel; 3] = [AreaLevel::Council, AreaLevel::Hscp, AreaLevel::Scotland];

/// A measure drawn: its column in the `projection` table, its name, and its change column.
pub struct ProjectedMeasure {
    pub column: usize,
    pub label: &'static str,
    pub change_pct: usize,
}

/// The measures `m` steps through (columns of `ops::projection_tables::COLUMNS`).
pub const MEASURES: [ProjectedMeasure; 4] = [
    ProjectedMeasure { column: 4, label: "emergency admissions", change_pct: 13 },
    ProjectedMeasure { column: 5, label: "emergency bed days", change_pct: 15 },
    ProjectedMeasure { column: 7, label: "beds needed", change_pct: 17 },
    ProjectedMeasure { column: 9, label: "delayed discharge bed days, 65+", change_pct: 19 },
];

#[derive(Debug, Clone, Default)]
pub struct ProjectionsState {
    pub population: Option<PathBuf>,
    pub scenario: Option<PathBuf>,
    pub measure: usize,
    /// Index into LEVELS.
    pub level: usize,
    /// 0: Scotland (the last area of the table); k: the k-th area before it.
    pub area: usize,
    pub numbers: bool,
    pub figures: Option<Gated<ProjectionFigures>>,
    pub asked: Option<ProjectionRequest>,
}

impl ProjectionsState {
    pub fn level(&self) -> AreaLevel {
        LEVELS[self.level % LEVELS.len()]
    }

    pub fn measure(&self) -> &'static ProjectedMeasure {
        &MEASURES[self.measure % MEASURES.len()]
    }

    /// None until a population file is named (or without a year to take rates from). `year`:
    /// the explorer's (the header's), the base year of the rates.
    pub fn request(&self, year: Option<&String>) -> Option<ProjectionRequest> {
        Some(ProjectionRequest {
            population: self.population.clone()?,
            base_year: year?.clone(),
            to: DEFAULT_TO,
            level: self.level(),
            scenario: self.scenario.clone(),
            occupancy: DEFAULT_OCCUPANCY,
        })
    }

    pub fn ask_if_changed(&mut self, year: Option<&String>) -> Option<Query> {
        let req = self.request(year)?;
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        Some(Query::Project(req))
    }

    /// `:population FILE` / `:scenario FILE`: a new question.
    pub fn on_population(&mut self, path: PathBuf, year: Option<&String>) -> Option<Query> {
        self.population = Some(path);
        self.ask_if_changed(year)
    }

    pub fn on_scenario(&mut self, path: PathBuf, year: Option<&String>) -> Option<Query> {
        self.scenario = Some(path);
        self.ask_if_changed(year)
    }

    pub fn on_answer(&mut self, g: Gated<ProjectionFigures>) {
        self.figures = Some(g);
    }

    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    /// A row per area and year: the base year, then each projected year; Scotland last.
    pub fn table(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.figures.as_ref()?.table("projection")
    }

    /// `year`: the explorer's, for a new level's request.
    pub fn on_action(&mut self, action: Action, year: Option<&String>) -> Option<Query> {
        match action {
            Action::ProjectionLevel => {
                self.level = (self.level + 1) % LEVELS.len();
                self.area = 0;
                return self.ask_if_changed(year);
            }
            Action::NextMeasure => self.measure = (self.measure + 1) % MEASURES.len(),
            Action::NextArea => {
                let areas = self.table().map(|t| super::published::groups(t).len()).unwrap_or(1).max(1);
                self.area = (self.area + 1) % areas;
            }
            Action::Enter => self.numbers = !self.numbers,
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::projection_tables::COLUMNS;

    #[test]
    fn measures_name_their_columns_and_changes() {
        for m in &MEASURES {
            let (name, change) = (COLUMNS[m.column], COLUMNS[m.change_pct]);
            let want = if name == "beds_needed" { "beds_needed_change_pct".to_string() } else { format!("{name}_change_pct") };
            assert_eq!(change, want);
        }
    }

    #[test]
    fn nothing_is_asked_without_a_population_file() {
        let year = Some("1920".to_string());
        let mut s = ProjectionsState::default();
        assert!(s.ask_if_changed(year.as_ref()).is_none());
        assert!(s.on_population(PathBuf::from("pop.csv"), None).is_none(), "no year to take rates from");
        assert!(matches!(s.on_population(PathBuf::from("pop.csv"), year.as_ref()), Some(Query::Project(r)) if r.base_year == "1920" && r.to == DEFAULT_TO));
        assert!(s.ask_if_changed(year.as_ref()).is_some(), "unanswered: asked again");
    }
}
