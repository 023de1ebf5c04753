//! Two cohorts side by side (plain data, no I/O): for one financial year, each cohort's people
//! (its person-years of the year), their make-up (age band, sex, SIMD quintile, LTC count;
//! the share with each LTC; the HRI share) and their use of services per person (every cube
//! measure: costs by service, bed days, admissions, A&E, DD bed days, PPAs), with the ratio
//! A:B, the standardised mean difference (ATLAS's covariate balance: |SMD| above 0.1 is the
//! usual mark of imbalance) and the age-sex-standardised ratio (ESP 2013, see `model::cube`),
//! and the people in both.
use crate::model::cohort::CohortSpec;
use crate::model::cube::CubeMeasure;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    pub a: CohortSpec,
    pub b: CohortSpec,
    /// The financial year (None: A's, else the latest loaded); both cohorts are taken in it.
    pub year: Option<String>,
}

/// One measure per person in each cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureComparison {
    pub measure: CubeMeasure,
    /// The measure summed over each cohort's person-years (for a count measure, a count of
    /// events that passes the disclosure gate like any other).
    pub a_sum: f64,
    pub b_sum: f64,
    pub a_mean: f64,
    pub a_sd: f64,
    pub b_mean: f64,
    pub b_sd: f64,
    /// Age-sex-standardised rates per 1,000 (ESP 2013), whose ratio is the standardised ratio.
    pub a_standardised: Option<f64>,
    pub b_standardised: Option<f64>,
}

/// People of one category of a section (age band, sex, ...) in each cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryComparison {
    pub section: String,
    pub category: String,
    pub a_people: u64,
    pub b_people: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareFigures {
    pub year: String,
    pub a_name: String,
    pub b_name: String,
    pub a_people: u64,
    pub b_people: u64,
    /// People in both cohorts.
    pub overlap: u64,
    /// Partitions of each cohort (each person-year in one category of each section).
    pub categories: Vec<CategoryComparison>,
    /// People with each LTC (not a partition: a person can have several).
    pub ltcs: Vec<CategoryComparison>,
    pub measures: Vec<MeasureComparison>,
}

/// The measures compared: every cube measure but the count of people itself.
pub fn compared_measures() -> Vec<CubeMeasure> {
    <CubeMeasure as clap::ValueEnum>::value_variants().iter().copied().filter(|m| *m != CubeMeasure::People).collect()
}
