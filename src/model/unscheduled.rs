//! Unscheduled care (plain data, no I/O): the question and answer of the unscheduled care view
//! (issue 14, item 2): A&E attendances and attenders, repeat attenders, emergency admissions
//! and bed days, potentially preventable admissions (PPAs) and their bed days, and emergency
//! readmissions within 28 days, for one financial year and a cohort, by one split, each also per
//! 1,000 population.
//!
//! **Population** (the denominator of every rate): the people with a person-year in the year,
//! that is everyone `person_year` holds for it (`store/derive/person_year.rs`: every person and
//! year seen in a staged episode or individual-file row or in an event). With an individual
//! file that includes its non-service-user (NSU) rows, so the population is the SLF's; with
//! episode files only it is the people with any record that year. No population estimates are
//! used, and PHS's `keep_population` flag is not applied.
//!
//! Each person-year is in exactly one group of every split (its residence, practice, age band,
//! SIMD quintile or sex in that year; "not recorded" when the person-year has none), so every
//! count adds up to the total.
//!
//! `gp-cluster` reads `person_year.cluster` (the GP cluster the extract carries for the person's
//! practice in the year).
use crate::model::cohort::CohortSpec;
use crate::model::dimension::Dimension;
use serde::{Deserialize, Serialize};

/// Repeat attenders by default: people with 5 or more A&E attendances in the year.
pub const DEFAULT_REPEAT: u32 = 5;

/// A readmission is an emergency stay starting at most this many days after the discharge of an
/// earlier stay of the same person.
pub const READMISSION_DAYS: i64 = 28;

/// What the unscheduled care view is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum UnscheduledBy {
    /// Council of residence in the year.
    Council,
    /// Health and social care partnership of residence.
    Hscp,
    /// Locality of residence.
    Locality,
    /// GP practice (code) in the year.
    GpPractice,
    /// GP cluster of the practice in the year.
    GpCluster,
    /// Age band at the middle of the year.
    AgeBand,
    /// SIMD quintile (1 = most deprived).
    Simd,
    /// Sex.
    Sex,
}

impl UnscheduledBy {
    /// The general dimension this split is.
    pub fn dimension(&self) -> Dimension {
        match self {
            UnscheduledBy::Council => Dimension::Council,
            UnscheduledBy::Hscp => Dimension::Hscp,
            UnscheduledBy::Locality => Dimension::Locality,
            UnscheduledBy::GpPractice => Dimension::GpPractice,
            UnscheduledBy::GpCluster => Dimension::GpCluster,
            UnscheduledBy::AgeBand => Dimension::AgeBand,
            UnscheduledBy::Simd => Dimension::Simd,
            UnscheduledBy::Sex => Dimension::Sex,
        }
    }

    pub fn label(&self) -> &'static str {
        self.dimension().label()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnscheduledRequest {
    /// The people (None: everyone); their membership is taken in the view's year.
    pub spec: Option<CohortSpec>,
    /// The financial year (None: the spec's, else the latest loaded).
    pub year: Option<String>,
    pub by: UnscheduledBy,
    /// Repeat attenders: people with at least this many A&E attendances in the year (>= 1).
    pub repeat: u32,
}

/// One group of the view (or the total). Counts of the person-years of the group's people:
/// - `ae_attendances`: A&E attendances (`AE2` rows) of the year (`person_year.ae_attendances`);
/// - `ae_attenders`: people with at least one; `repeat_attenders`: with at least `repeat`;
/// - `emergency_admissions`: emergency stays, distinct CIJs (a CIJ is emergency if any of its
///   episodes is; an emergency episode without a CIJ marker counts on its own), as
///   `person_year.emergency_admissions`;
/// - `emergency_bed_days`: the year's bed days (the file's `yearstay`, else the nights in the
///   year) of the inpatient episodes (01B, 02B, 04B, GLS) of those stays;
/// - `ppa_admissions` / `ppa_bed_days`: `person_year.ppa_admissions` (distinct PPA CIJs, PHS
///   `R/add_ppa_flag.R`) and `person_year.preventable_beddays` (per PPA CIJ its days inside the
///   year, PHS `R/aggregate_by_chi.R` L172-188; the individual file's figure for a year without
///   an episode file);
/// - `readmissions_28`: emergency readmissions within 28 days, see
///   `store::services::unscheduled`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnscheduledRow {
    pub group: String,
    pub population: u64,
    pub ae_attendances: u64,
    pub ae_attenders: u64,
    pub repeat_attenders: u64,
    pub emergency_admissions: u64,
    pub emergency_bed_days: f64,
    pub ppa_admissions: u64,
    pub ppa_bed_days: f64,
    pub readmissions_28: u64,
}

/// Names of the measures, in the order of the published table (each followed there by its
/// `_per_1000`).
pub const MEASURES: [&str; 8] =
    ["ae_attendances", "ae_attenders", "repeat_attenders", "emergency_admissions", "emergency_bed_days", "ppa_admissions", "ppa_bed_days", "readmissions_28"];

impl UnscheduledRow {
    pub fn empty(group: &str) -> UnscheduledRow {
        UnscheduledRow {
            group: group.into(),
            population: 0,
            ae_attendances: 0,
            ae_attenders: 0,
            repeat_attenders: 0,
            emergency_admissions: 0,
            emergency_bed_days: 0.0,
            ppa_admissions: 0,
            ppa_bed_days: 0.0,
            readmissions_28: 0,
        }
    }

    /// The measures in [`MEASURES`] order.
    pub fn measures(&self) -> [f64; 8] {
        [
            self.ae_attendances as f64,
            self.ae_attenders as f64,
            self.repeat_attenders as f64,
            self.emergency_admissions as f64,
            self.emergency_bed_days,
            self.ppa_admissions as f64,
            self.ppa_bed_days,
            self.readmissions_28 as f64,
        ]
    }
}

/// `value` per 1,000 of `population` (0 for an empty group).
pub fn per_1000(value: f64, population: u64) -> f64 {
    if population == 0 {
        0.0
    } else {
        value * 1000.0 / population as f64
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnscheduledFigures {
    pub year: String,
    pub by: UnscheduledBy,
    pub repeat: u32,
    pub rows: Vec<UnscheduledRow>,
    pub total: UnscheduledRow,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_per_thousand_and_empty_groups_give_zero() {
        assert_eq!(per_1000(3.0, 1500), 2.0);
        assert_eq!(per_1000(7.0, 0), 0.0);
        let mut r = UnscheduledRow::empty("x");
        r.ppa_bed_days = 4.5;
        assert_eq!(r.measures()[6], 4.5);
        assert_eq!(MEASURES.len(), r.measures().len());
    }
}
