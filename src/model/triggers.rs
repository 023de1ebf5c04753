//! Triggers before becoming an HRI (plain data, no I/O): what the people who became High
//! Resource Individuals in a year used in the twelve months before, beside people like them who
//! did not (Healthcare Improvement Scotland's first question: "where was there an opportunity to
//! intervene?").
//!
//! Decisions (the issue was silent):
//! - "The 12 months before" becoming an HRI in year Y is the financial year before, Y-1, month
//!   by month (April to March): HRI status is a property of a financial year, so it starts on
//!   1 April of Y. Both years must be loaded.
//! - New HRIs: HRI in Y and not in Y-1 at the chosen level, with a record in both years.
//!   Comparison: a record in both years and an HRI in neither.
//! - Matching is exact on the Y-1 age band, sex, SIMD quintile and council (unknown is a value
//!   of its own), and the comparison group is weighted to the new HRIs' mix: a stratum with
//!   `n` new HRIs and `m` comparison people gives each of those comparison people weight
//!   `n / m` (direct standardisation to the new HRIs). New HRIs in a stratum with no comparison
//!   person are "unmatched" and left out of both rates (counted, so the analyst sees how many).
//! - A service's use is its events by start date in Y-1, on the pathway step list (grouped
//!   steps, `model::pathways::GROUPED_STEPS`), a hospital stay counted once per step (episodes
//!   of one CIJ are one stay).
use crate::model::hri::HriLevel;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct TriggersRequest {
    /// The year people became HRIs (financial year code, e.g. 2021); Y-1 must be loaded too.
    pub year: String,
    pub level: HriLevel,
}

/// One service's use in the 12 months before (or one month of it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceUse {
    pub service: String,
    /// The month (YYYY-MM), or None for the whole 12 months.
    pub month: Option<String>,
    /// Events of the matched new HRIs.
    pub new_hri_events: u64,
    /// Events of the comparison people (unweighted count).
    pub comparison_events: u64,
    pub new_hri_per_person: f64,
    /// Weighted to the new HRIs' mix of age band, sex, SIMD quintile and council.
    pub comparison_per_person: f64,
    /// new : comparison (None when the comparison used none).
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerFigures {
    pub year: String,
    pub before_year: String,
    pub level: HriLevel,
    /// HRI in `year`, not in `before_year`, present in both.
    pub new_hri_people: u64,
    /// Of them, in a stratum with comparison people (the rates are theirs).
    pub matched_new_hri_people: u64,
    /// Comparison people in the strata of the matched new HRIs.
    pub comparison_people: u64,
    /// Strata (age band x sex x SIMD quintile x council) holding matched new HRIs.
    pub strata: u64,
    pub services: Vec<ServiceUse>,
    /// Per service, one row per month of `before_year` (April first).
    pub by_month: Vec<ServiceUse>,
}

impl TriggerFigures {
    pub fn unmatched_new_hri_people(&self) -> u64 {
        self.new_hri_people.saturating_sub(self.matched_new_hri_people)
    }
}
