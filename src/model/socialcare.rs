//! Social care prevention measures (plain data, no I/O): the NDTi measures of issue 15 item 3
//! for people entering social care, by year of entry, council, locality, SIMD quintile or sex.
//!
//! **Social care records** are the workspace's `event` rows of the SC2-derived services: home
//! care (`HC`), care homes (`CH`), self-directed support (`SDS`) and alarms / telecare (`AT`),
//! whether they came from an SLF episode file or from SC2 tables.
//!
//! **Entry and the look-back rule.** A person's *entry date* is the earliest `start_date` of
//! their social care records; the *entry year* is the financial year it falls in. The *social
//! care years* are the financial years in which the workspace holds any social care record. A
//! person is a **new entrant in year Y** when their entry date falls in Y (so they have no social
//! care record in any earlier loaded year) and the workspace holds at least `lookback` (default
//! 1) social care years before Y. Without the second condition everyone already receiving care
//! in the first loaded year would look new; a package whose start date lies before the first
//! loaded year (a long-standing client) puts the entry in an unloaded year, never counted.
//! `--from Y` is the baseline: only entry years from Y on are counted, and by year of entry each
//! later year is compared with it.
//!
//! Measures of each group's entrants:
//! - **age at entry**: whole years on the entry date (birth month known, day not: the birthday
//!   is taken to fall on the first of the month); mean and median;
//! - **first home-care package**: the entrant's home-care record with the earliest start (its
//!   first financial year's row). Its size in hours per week = the row's home-care hours in that
//!   financial year (`hc_hours_annual` of the SLF, or the SC2 quarters summed) divided by the
//!   weeks it ran in that year (days from the later of its start and 1 April to the earlier of
//!   its end and 31 March, both counted, / 7). The workspace keeps no quarterly split of SLF
//!   hours (`hc_hours_q1..q4` are not staged), so the first financial year, not the first
//!   quarter, is the package's first period. Mean and median over entrants with such a package
//!   (`hc_entrants`; a record with no hours or no days is not a package size);
//! - **growth of care hours** over the 6, 12 and 24 months after entry: the home-care hours per
//!   week in the window (from the entry date to the day before the same date 6/12/24 months
//!   later; each home-care row's hours spread evenly over the days it ran in its financial year,
//!   the days inside the window summed, divided by the window's weeks) minus the first package's
//!   hours per week; the mean over the entrants with a first package whose window ends by the
//!   end of the last social care year loaded (`followed_*`; others are not yet followed that
//!   long). Someone whose care stopped (death, a move) counts with the hours they had;
//! - **care-home moves**: entrants with a care-home record (`care_home_movers`): mean and median
//!   age at their first care-home admission, and the median days from entry (their first
//!   package of any kind) to that admission (0 when they entered through a care home);
//! - **requests ending with no package**: not carried by the SLF or SC2 tables (they record
//!   services received, not requests or assessments), so not reported: the answer says so.
//!
//! Medians are the middle value (the mean of the two middle values for an even number).
//! Every entrant is in exactly one group of each split (the council, locality and SIMD quintile
//! of their person-year of the entry year, their sex; "not recorded" when missing), so each
//! count adds up to the total.
use crate::model::cohort::CohortSpec;
use crate::model::year::FinYear;
use serde::{Deserialize, Serialize};

/// Earlier social care years an entry year needs by default.
pub const DEFAULT_LOOKBACK: u32 = 1;

/// The windows after entry over which growth of care hours is measured, in months.
pub const GROWTH_MONTHS: [u32; 3] = [6, 12, 24];

/// Record types of the SC2-derived services.
pub const SOCIAL_CARE_RECIDS: [&str; 4] = ["HC", "CH", "SDS", "AT"];

/// What the data cannot give, said in every answer rather than shown as a zero.
pub const NOT_IN_DATA: &str =
    "requests ending with no package: not in the data (the SLF and SC2 tables record services received, not requests or assessments)";

/// What the measures are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SocialCareBy {
    /// Financial year of entry.
    Year,
    /// Council of residence in the entry year.
    Council,
    /// Locality of residence in the entry year.
    Locality,
    /// SIMD quintile in the entry year (1 = most deprived).
    Simd,
    /// Sex.
    Sex,
}

impl SocialCareBy {
    pub fn label(&self) -> &'static str {
        match self {
            SocialCareBy::Year => "year of entry",
            SocialCareBy::Council => "council of residence at entry",
            SocialCareBy::Locality => "locality of residence at entry",
            SocialCareBy::Simd => "SIMD quintile at entry (1 = most deprived)",
            SocialCareBy::Sex => "sex",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SocialCareRequest {
    /// The people (None: everyone).
    pub spec: Option<CohortSpec>,
    pub by: SocialCareBy,
    /// Baseline year: entry years from it on (None: the first year the look-back allows).
    pub from: Option<String>,
    /// Earlier social care years an entry year needs.
    pub lookback: u32,
}

/// One group of entrants (or the total). Means and medians are None when no one is measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SocialCareRow {
    pub group: String,
    pub entrants: u64,
    pub mean_age_at_entry: Option<f64>,
    pub median_age_at_entry: Option<f64>,
    pub hc_entrants: u64,
    pub mean_first_hc_hours_per_week: Option<f64>,
    pub median_first_hc_hours_per_week: Option<f64>,
    /// Per window of [`GROWTH_MONTHS`]: entrants followed that long, and their mean growth.
    pub growth: [Growth; 3],
    pub care_home_movers: u64,
    pub mean_age_at_care_home: Option<f64>,
    pub median_age_at_care_home: Option<f64>,
    pub median_days_to_care_home: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Growth {
    pub followed: u64,
    /// Mean of (hours per week in the window - first package hours per week).
    pub mean_change: Option<f64>,
}

impl SocialCareRow {
    pub fn empty(group: &str) -> SocialCareRow {
        SocialCareRow {
            group: group.into(),
            entrants: 0,
            mean_age_at_entry: None,
            median_age_at_entry: None,
            hc_entrants: 0,
            mean_first_hc_hours_per_week: None,
            median_first_hc_hours_per_week: None,
            growth: [Growth::default(); 3],
            care_home_movers: 0,
            mean_age_at_care_home: None,
            median_age_at_care_home: None,
            median_days_to_care_home: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SocialCareFigures {
    pub by: SocialCareBy,
    pub lookback: u32,
    /// The entry years counted, oldest first (the first is the baseline).
    pub years: Vec<String>,
    /// The financial years holding social care records, oldest first.
    pub social_care_years: Vec<String>,
    pub rows: Vec<SocialCareRow>,
    pub total: SocialCareRow,
    /// SIMD quintiles 1 and 5 (most and least deprived), for the gap; None when the split is by
    /// SIMD (the rows hold them).
    pub simd_extremes: Option<[SocialCareRow; 2]>,
}

/// The entry years a look-back allows: those with at least `lookback` social care years before
/// them, from `from` on (`years` oldest first).
pub fn entry_years(years: &[String], lookback: u32, from: Option<&str>) -> Vec<String> {
    years
        .iter()
        .enumerate()
        .filter(|(i, y)| *i >= lookback as usize && from.map_or(true, |f| FinYear::parse(y) >= FinYear::parse(f)))
        .map(|(_, y)| y.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_look_back_drops_the_first_years() {
        let ys: Vec<String> = ["1819", "1920", "2021"].iter().map(|s| s.to_string()).collect();
        assert_eq!(entry_years(&ys, 1, None), ["1920", "2021"]);
        assert_eq!(entry_years(&ys, 2, None), ["2021"]);
        assert_eq!(entry_years(&ys, 0, Some("1920")), ["1920", "2021"]);
        assert!(entry_years(&ys, 3, None).is_empty());
    }
}
