//! The Pathways screen's state: the question (index event, days after, depth) for the cohort
//! being built, the tree the operations layer answered (gated like every figure), the selected
//! node, and the aligned strip of that node's people (person-level: fetched, and audited, only
//! when the analyst presses Enter on a node). Enter on a person opens their timeline. `b`
//! turns both to the days before the index (step 1 = the nearest service before it). `t` adds
//! the time from the same index to a target event (cumulative incidence, censored), `s` splits
//! those curves.
use crate::model::cohort::CohortSpec;
use crate::model::pathways::{EventSpec, IndexKind, PathwayFigures, PathwayMembersPage, PathwayRequest, SplitBy, StepLevel, TimeToFigures, TimeToRequest, MAX_DEPTH};
use crate::ops::{Gated, Query};

/// Index events offered on screen (`i` cycles; the CLI has them all, diagnoses and LTCs too).
pub const INDEXES: [IndexKind; 7] =
    [IndexKind::EmergencyAdmission, IndexKind::Ae, IndexKind::DelayedDischarge, IndexKind::CareHome, IndexKind::HomeCare, IndexKind::Hri, IndexKind::Death];
/// Days after the index (`+` / `-`).
pub const WINDOWS: [u32; 5] = [30, 90, 180, 365, 730];
/// Targets of the time-to curves (`t` cycles; after the last, the curves close). An
/// emergency admission after an emergency admission index is a readmission.
pub const TARGETS: [IndexKind; 4] = [IndexKind::CareHome, IndexKind::Death, IndexKind::EmergencyAdmission, IndexKind::Hri];
/// Splits of the curves (`s` cycles; None: everyone together).
pub const SPLITS: [Option<SplitBy>; 5] = [None, Some(SplitBy::AgeBand), Some(SplitBy::Simd), Some(SplitBy::Council), Some(SplitBy::Sex)];
/// People of the strip fetched at a time.
pub const STRIP_PAGE: u64 = 200;
/// Nodes listed at most (the most common first).
const MAX_NODES: usize = 40;

#[derive(Debug, Clone)]
pub struct PathwaysState {
    pub index: usize,
    pub window: usize,
    pub depth: u8,
    /// The tree and strip look back from the index (the same number of days) instead of on.
    pub before: bool,
    pub figures: Option<Gated<PathwayFigures>>,
    /// The question the figures (or the figures on their way) answer.
    pub asked: Option<PathwayRequest>,
    /// Selected row of the tree (0: everyone indexed).
    pub sel: usize,
    pub strip: Option<PathwayMembersPage>,
    /// The strip has the keys (Up/Down move between people, Enter opens a timeline).
    pub in_strip: bool,
    pub member_sel: usize,
    /// The target of the time-to curves, an index into `TARGETS` (None: no curves).
    pub target: Option<usize>,
    /// The split of the curves, an index into `SPLITS`.
    pub split: usize,
    pub curves: Option<Gated<TimeToFigures>>,
    /// The question the curves (or the curves on their way) answer.
    pub curves_asked: Option<TimeToRequest>,
}

impl Default for PathwaysState {
    fn default() -> Self {
        PathwaysState {
            index: 0,
            window: 1,
            depth: 3,
            before: false,
            figures: None,
            asked: None,
            sel: 0,
            strip: None,
            in_strip: false,
            member_sel: 0,
            target: None,
            split: 0,
            curves: None,
            curves_asked: None,
        }
    }
}

impl PathwaysState {
    pub fn request(&self, spec: &CohortSpec) -> PathwayRequest {
        PathwayRequest {
            spec: Some(spec.clone()),
            index: EventSpec::new(INDEXES[self.index % INDEXES.len()]),
            after_days: WINDOWS[self.window % WINDOWS.len()],
            before_days: self.before.then(|| WINDOWS[self.window % WINDOWS.len()]),
            depth: self.depth.clamp(1, MAX_DEPTH),
            steps: StepLevel::Grouped,
            max_nodes: MAX_NODES,
        }
    }

    /// The time-to question of the screen: the tree's index to the chosen target (None while
    /// the curves are off).
    pub fn curves_request(&self, spec: &CohortSpec) -> Option<TimeToRequest> {
        let target = TARGETS[self.target? % TARGETS.len()];
        Some(TimeToRequest {
            spec: Some(spec.clone()),
            index: EventSpec::new(INDEXES[self.index % INDEXES.len()]),
            target: EventSpec::new(target),
            by: SPLITS[self.split % SPLITS.len()],
        })
    }

    /// The tree (and the curves, when on) to ask for where the question (or the cohort)
    /// differs from the one answered.
    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Vec<Query> {
        let mut ask = Vec::new();
        let req = self.request(spec);
        if super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            self.sel = 0;
            self.strip = None;
            self.in_strip = false;
            ask.push(Query::Pathways(req));
        }
        let curves = self.curves_request(spec);
        if curves.is_none() {
            self.curves = None;
            self.curves_asked = None;
        } else if self.curves_asked != curves || self.curves.is_none() {
            self.curves_asked = curves.clone();
            self.curves = None;
            ask.extend(curves.map(Query::TimeTo));
        }
        ask
    }

    /// `t`: the next target of the curves; after the last one the curves close.
    pub fn next_target(&mut self) {
        self.target = match self.target {
            None => Some(0),
            Some(t) if t + 1 < TARGETS.len() => Some(t + 1),
            Some(_) => None,
        };
    }

    /// Figures of another cohort, year or disclosure setting must go.
    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
        self.strip = None;
        self.in_strip = false;
        self.curves = None;
        self.curves_asked = None;
    }

    /// The curves as published: a row per group (All first), per horizon the events,
    /// censored, at risk and the cumulative incidence.
    pub fn curves_table(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.curves.as_ref()?.table("time_to")
    }

    /// The curves arrived (the worker drops an answer to a question since replaced).
    pub fn on_answer_curves(&mut self, g: Gated<TimeToFigures>) {
        self.curves = Some(g);
    }

    /// The tree's rows as published (row 0: everyone indexed).
    pub fn tree(&self) -> Option<&crate::analysis::disclosure::Table> {
        self.figures.as_ref()?.table(if self.before { "pathways_before" } else { "pathways_after" })
    }

    /// The steps of tree row `r` (empty for the root).
    pub fn node_steps(&self, r: usize) -> Vec<String> {
        let Some(t) = self.tree() else { return Vec::new() };
        let depth = self.figures.as_ref().and_then(|g| g.raw().map(|f| f.depth as usize)).unwrap_or_else(|| step_columns(t));
        (1..=depth)
            .filter_map(|k| match t.rows.get(r).and_then(|row| row.get(k)) {
                Some(crate::analysis::disclosure::Cell::Text(s)) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn on_answer_tree(&mut self, g: Gated<PathwayFigures>) {
        self.figures = Some(g);
        self.sel = 0;
    }

    pub fn on_answer_strip(&mut self, p: PathwayMembersPage) {
        self.strip = Some(p);
        self.member_sel = 0;
        self.in_strip = true;
    }

    /// Enter on a node: its people, aligned on days from the index.
    pub fn open_strip(&self) -> Option<Query> {
        let req = self.asked.clone()?;
        self.tree()?;
        let node = self.node_steps(self.sel);
        Some(Query::PathwayMembers { request: req, before: self.before, node, offset: 0, limit: STRIP_PAGE })
    }

    pub fn selected_person(&self) -> Option<String> {
        self.strip.as_ref()?.rows.get(self.member_sel).map(|m| m.id.clone())
    }
}

/// Step columns of a published tree (`step_1` .. `step_k`).
pub fn step_columns(t: &crate::analysis::disclosure::Table) -> usize {
    t.columns.iter().filter(|c| c.starts_with("step_")).count()
}
