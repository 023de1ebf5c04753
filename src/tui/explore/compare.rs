//! The Compare screen's state: the cohort being built (A) beside a comparison (B) in the
//! explorer's year: everyone in the year, the cohort without one of its filters (the "with /
//! without" question: what does this filter select?), or a cohort file opened with
//! `:against FILE`. `b` steps through them; Up/Down scroll the table. Figures are the
//! operations layer's (gated).
use crate::analysis::disclosure::{Cell, Table};
use crate::model::cohort::CohortSpec;
use crate::model::compare::{CompareFigures, CompareRequest};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;
use std::path::PathBuf;

/// What cohort A is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Against {
    Everyone,
    /// The cohort with its filter of this index switched off.
    Without(usize),
    /// The cohort file opened with `:against`.
    File,
}

#[derive(Debug, Clone, Default)]
pub struct CompareState {
    /// Index into [`CompareState::choices`].
    pub choice: usize,
    pub file: Option<(PathBuf, CohortSpec)>,
    pub figures: Option<Gated<CompareFigures>>,
    pub asked: Option<CompareRequest>,
    /// First row shown.
    pub scroll: usize,
}

impl CompareState {
    /// Everyone, then the cohort without each enabled filter (when it has more than one: without
    /// its only filter it is everyone), then the opened file.
    pub fn choices(&self, spec: &CohortSpec) -> Vec<Against> {
        let mut v = vec![Against::Everyone];
        let enabled: Vec<usize> = spec.enabled().map(|(i, _)| i).collect();
        if enabled.len() > 1 {
            v.extend(enabled.into_iter().map(Against::Without));
        }
        if self.file.is_some() {
            v.push(Against::File);
        }
        v
    }

    pub fn against(&self, spec: &CohortSpec) -> Against {
        let c = self.choices(spec);
        c[self.choice % c.len()].clone()
    }

    /// Cohort B for `spec` (in the same years).
    pub fn b_spec(&self, spec: &CohortSpec) -> CohortSpec {
        match self.against(spec) {
            Against::Everyone => CohortSpec { name: "everyone".into(), years: spec.years.clone(), ..Default::default() },
            Against::Without(i) => {
                let mut b = spec.clone();
                let label = b.filters.get(i).map(|f| f.label()).unwrap_or_default();
                if let Some(f) = b.filters.get_mut(i) {
                    f.enabled = false;
                }
                b.name = format!("without {label}");
                b
            }
            Against::File => match &self.file {
                Some((_, f)) => CohortSpec { years: spec.years.clone(), ..f.clone() },
                None => CohortSpec { name: "everyone".into(), years: spec.years.clone(), ..Default::default() },
            },
        }
    }

    pub fn request(&self, spec: &CohortSpec) -> CompareRequest {
        CompareRequest { a: spec.clone(), b: self.b_spec(spec), year: spec.years.last().cloned() }
    }

    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Option<Query> {
        let req = self.request(spec);
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        Some(Query::Compare(req))
    }

    pub fn on_answer(&mut self, g: Gated<CompareFigures>) {
        self.figures = Some(g);
    }

    /// A cohort file arrived for `:against`: it becomes B.
    pub fn on_file(&mut self, path: PathBuf, b: CohortSpec, spec: &CohortSpec) -> Option<Query> {
        self.file = Some((path, b));
        self.choice = self.choices(spec).len() - 1;
        self.scroll = 0;
        self.ask_if_changed(spec)
    }

    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    pub fn on_action(&mut self, action: Action, spec: &CohortSpec) -> Option<Query> {
        if action == Action::NextComparison {
            self.choice = (self.choice + 1) % self.choices(spec).len();
            self.scroll = 0;
            return self.ask_if_changed(spec);
        }
        let lines = self.figures.as_ref().and_then(|g| g.table("compare")).map(|t| lines_of(t).len()).unwrap_or(0);
        if let Some(s) = super::scroll::scrolled(action, self.scroll, lines) {
            self.scroll = s;
        }
        None
    }
}

/// Rows the view draws for a table: section names as rows of their own, then the items.
pub fn lines_of(t: &Table) -> Vec<(bool, usize)> {
    let mut out = Vec::new();
    let mut last = String::new();
    for (r, row) in t.rows.iter().enumerate() {
        let s = text(row.first());
        if s != last {
            out.push((true, r));
            last = s;
        }
        out.push((false, r));
    }
    out
}

/// The text of a label cell ("" for any other).
pub fn text(c: Option<&Cell>) -> String {
    match c {
        Some(Cell::Text(s)) => s.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b_steps_through_everyone_each_filter_off_and_the_file() {
        let spec = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\nage = { min = 65 }\n[[filter]]\nltc = { any = [\"copd\"] }\n").unwrap_or_default();
        let mut s = CompareState::default();
        assert_eq!(s.choices(&spec), vec![Against::Everyone, Against::Without(0), Against::Without(1)]);
        assert!(s.b_spec(&spec).filters.is_empty());
        assert_eq!(s.b_spec(&spec).years, vec!["1920".to_string()]);
        s.on_action(Action::NextComparison, &spec);
        let b = s.b_spec(&spec);
        assert_eq!((b.filters[0].enabled, b.filters[1].enabled), (false, true), "the first filter off");
        let file = CohortSpec { name: "mine".into(), years: vec!["1819".into()], ..Default::default() };
        let q = s.on_file(PathBuf::from("mine.toml"), file, &spec);
        assert!(matches!(q, Some(Query::Compare(ref r)) if r.b.name == "mine" && r.b.years == vec!["1920".to_string()]), "{q:?}");
        s.on_action(Action::NextComparison, &spec);
        assert_eq!(s.against(&spec), Against::Everyone, "round again");
    }
}
