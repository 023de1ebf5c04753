//! Pathways around an index event (plain data and code lists, no I/O): the index events an
//! analyst picks from, the service steps a pathway is made of, and the results (a prefix tree
//! of step sequences; cumulative incidence curves of a target event).
//!
//! Decisions (the issue was silent):
//! - Events are ordered by start date, then (same day) by the step list's order below (A&E
//!   before the admission it leads to, death last), then by event id.
//! - A pathway's steps are the events after (or before) the index in that order, consecutive
//!   repeats of a step collapsed into one, up to `depth` steps. Episodes of the index event's
//!   own stay (same CIJ) that are the same step as the index are part of the index, not steps.
//! - Death is a step (from the person's date of death), after which nothing follows.
//! - "First" = earliest in the window by the order above; the window is the cohort spec's years
//!   (without a spec: every loaded year); steps may fall outside the window (follow-up).
pub use crate::model::events::{EventSpec, IndexKind};
use crate::model::cohort::CohortSpec;
use serde::{Deserialize, Serialize};

/// How events become steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum StepLevel {
    /// The groups: A&E, emergency / elective / other admission, mental health, GLS,
    /// delayed discharge, home care, SDS, care home, death (other services are not steps).
    #[default]
    Grouped,
    /// One step per record type (every service but NSU; NRS is Death).
    Service,
}

/// Grouped steps in same-day order: (name, record types, flag the event must have).
pub const GROUPED_STEPS: [(&str, &[&str], Option<&str>); 10] = [
    ("A&E", &["AE2"], None),
    ("Emergency admission", &["01B", "02B"], Some("emergency")),
    ("Elective admission", &["01B", "02B"], Some("elective")),
    ("Other admission", &["01B", "02B"], None),
    ("Mental health", &["04B"], None),
    ("GLS", &["GLS"], None),
    ("Delayed discharge", &["DD"], None),
    ("Home care", &["HC"], None),
    ("SDS", &["SDS"], None),
    ("Care home", &["CH"], None),
];

/// Record types as steps, in same-day order (NSU is not a step; NRS is Death).
pub const SERVICE_STEPS: [&str; 16] =
    ["AE2", "OoH", "00B", "01B", "02B", "04B", "GLS", "DD", "PIS", "DN", "CMH", "HC", "AT", "SDS", "CH", "HL1"];

pub const DEATH: &str = "Death";

/// The step names of a level, in code order; Death is the last code.
pub fn step_names(level: StepLevel) -> Vec<String> {
    let mut v: Vec<String> = match level {
        StepLevel::Grouped => GROUPED_STEPS.iter().map(|(n, _, _)| n.to_string()).collect(),
        StepLevel::Service => SERVICE_STEPS.iter().map(|r| crate::model::service::service(r).map(|s| s.name).unwrap_or(*r).to_string()).collect(),
    };
    v.push(DEATH.to_string());
    v
}

/// The code of Death at a level.
pub fn death_code(level: StepLevel) -> usize {
    step_names(level).len() - 1
}

/// Limits (issue: depth up to 5).
pub const MAX_DEPTH: u8 = 5;
pub use crate::model::events::MAX_WINDOW_DAYS;

/// A pathways question.
#[derive(Debug, Clone, PartialEq)]
pub struct PathwayRequest {
    /// The cohort (None: everyone, every loaded year).
    pub spec: Option<CohortSpec>,
    pub index: EventSpec,
    pub after_days: u32,
    /// Also the pathways leading up to the index, over this many days.
    pub before_days: Option<u32>,
    pub depth: u8,
    pub steps: StepLevel,
    /// At most this many nodes per tree (the most common first; a node's parent always shown).
    pub max_nodes: usize,
}

/// One node of a pathway tree: the people whose pathway begins with `steps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathNode {
    pub steps: Vec<String>,
    pub people: u64,
    /// Of them, those with no further step (None at the deepest level shown).
    pub ended: Option<u64>,
    /// Of them, those in children not listed (too few, or past `max_nodes`).
    pub unlisted: u64,
    /// Median days from the index to each step (before the index: days before it).
    pub median_days: Vec<f64>,
}

/// A pathway tree: the root (everyone indexed) and nodes in display order (depth first, most
/// common first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathTree {
    /// People indexed with no step in the window.
    pub no_step: u64,
    /// People in first steps not listed.
    pub unlisted: u64,
    pub nodes: Vec<PathNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathwayFigures {
    pub index: String,
    /// First and last day of the index window.
    pub window: (String, String),
    /// Last day of the data (end of the latest loaded year).
    pub data_end: String,
    pub people: u64,
    /// People whose whole after-window lies within the data.
    pub full_follow_up: u64,
    pub after_days: u32,
    pub before_days: Option<u32>,
    pub depth: u8,
    pub after: PathTree,
    pub before: Option<PathTree>,
}

/// One person of a pathway node (person-level: audited; `id` is the display pseudonym).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathwayMember {
    pub id: String,
    /// Their whole pathway (up to the depth): step names and days from the index (before the
    /// index: days before it), the aligned strip of the node's people.
    pub steps: Vec<(String, i32)>,
}

/// One page of a node's people, by person number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathwayMembersPage {
    /// The node (empty: everyone indexed).
    pub node: Vec<String>,
    pub before: bool,
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<PathwayMember>,
}

// ---- time to event

/// Days at which cumulative incidence is reported.
pub const HORIZONS: [u32; 4] = [30, 90, 180, 365];

/// Splits of the time-to-event curves, attributes at the index (the person-year of the index
/// date's financial year; sex from the person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SplitBy {
    AgeBand,
    Sex,
    Simd,
    Council,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimeToRequest {
    pub spec: Option<CohortSpec>,
    pub index: EventSpec,
    pub target: EventSpec,
    pub by: Option<SplitBy>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    pub days: u32,
    /// Target events on or before `days`.
    pub events: u64,
    /// Censored (death for a non-death target, or end of data) on or before `days`, without the event.
    pub censored: u64,
    /// Still followed up after `days` without the event.
    pub at_risk: u64,
    /// 1 - Kaplan-Meier survival at `days` (fraction).
    pub cumulative_incidence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// "All", or the split's category.
    pub group: String,
    pub people: u64,
    pub points: Vec<CurvePoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToFigures {
    pub index: String,
    pub target: String,
    pub by: Option<SplitBy>,
    pub data_end: String,
    pub curves: Vec<Curve>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn death_is_the_last_step() {
        for l in [StepLevel::Grouped, StepLevel::Service] {
            assert_eq!(step_names(l)[death_code(l)], "Death");
        }
        assert_eq!(step_names(StepLevel::Service)[0], "A&E");
    }
}
