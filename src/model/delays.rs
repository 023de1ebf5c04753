//! Delayed discharge (plain data, no I/O): the reason codes and their groups
//! (`assets/delay_reasons.csv`, one row per code), how a delay ended, the lengths of delay
//! reported, and the question and answer of the delays view.
//!
//! A DD episode's reason is its primary reason, except for Code 9 (complex delays), whose
//! primary reason is `9` and whose sub-code (51X, 24DX, ...) is the secondary reason
//! (`R/create_individual_file.R` L486-498: Code 9 = `primary_delay_reason == "9"`).
use super::codes::rows;
use crate::model::cohort::CohortSpec;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayReason {
    pub code: String,
    /// Health and Social Care Reasons, Patient/Carer/Family-related, Code 9, Code 100.
    pub group: String,
    /// Assessment, Funding, Place Availability, ... (the publication's reason groups).
    pub subgroup: String,
    pub description: String,
}

pub fn delay_reasons() -> &'static [DelayReason] {
    static R: OnceLock<Vec<DelayReason>> = OnceLock::new();
    R.get_or_init(|| {
        rows(include_str!("../../assets/delay_reasons.csv"))
            .into_iter()
            .filter(|r| r.len() >= 4)
            .map(|r| DelayReason { code: r[0].trim().to_string(), group: r[1].clone(), subgroup: r[2].clone(), description: r[3].clone() })
            .collect()
    })
}

/// The code list's entry for a reason code (case and spaces ignored).
pub fn delay_reason(code: &str) -> Option<&'static DelayReason> {
    let c = code.trim();
    delay_reasons().iter().find(|r| r.code.eq_ignore_ascii_case(c))
}

/// The description of a reason code, for the timeline and the delays view.
pub fn delay_reason_description(code: Option<&str>) -> Option<&'static str> {
    delay_reason(code?).map(|r| r.description.as_str())
}

/// `delay_end_reason` of the episode file (linked-extracts.md, column 216).
pub fn delay_end_reason_name(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "placement (residential / nursing home)",
        2 => "home with home care",
        3 => "home",
        4 => "death",
        5 => "not fit for discharge",
        _ => return None,
    })
}

/// Lengths of delay reported (days from ready for discharge to the end of the delay; an open
/// delay counts to the end of the year): the publication's up to 3 days, to 2, 4, 6 and 12
/// weeks, and longer. (lowest day, highest day or None, label)
pub const LENGTH_BANDS: [(i64, Option<i64>, &str); 6] = [
    (0, Some(3), "up to 3 days"),
    (4, Some(14), "4 days to 2 weeks"),
    (15, Some(28), "2 to 4 weeks"),
    (29, Some(42), "4 to 6 weeks"),
    (43, Some(84), "6 to 12 weeks"),
    (85, None, "over 12 weeks"),
];

/// What the delays view is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum DelayBy {
    /// The reason code (Code 9 by its sub-code).
    Reason,
    /// The publication's reason groups (Assessment, Funding, Place Availability, ..., Code 9 AWI).
    ReasonGroup,
    /// Council of residence in the year.
    Council,
    /// Health and social care partnership of residence.
    Hscp,
    /// Locality of residence.
    Locality,
    /// The hospital (location code) of the delay.
    Hospital,
    /// The specialty of the delay.
    Specialty,
    /// Month of the year: bed days occupied in the month and people delayed at its census.
    Month,
    /// Length of delay.
    Length,
    /// How the stay the delay ended began: via A&E, emergency, elective.
    Admission,
    /// Whether the person lived in a care home when admitted.
    Origin,
    /// How the delay ended (placement, home with home care, home, death).
    Destination,
}

impl DelayBy {
    pub fn label(&self) -> &'static str {
        match self {
            DelayBy::Reason => "reason for delay",
            DelayBy::ReasonGroup => "reason group",
            DelayBy::Council => "council of residence",
            DelayBy::Hscp => "partnership of residence",
            DelayBy::Locality => "locality of residence",
            DelayBy::Hospital => "hospital",
            DelayBy::Specialty => "specialty",
            DelayBy::Month => "month",
            DelayBy::Length => "length of delay",
            DelayBy::Admission => "how the stay began",
            DelayBy::Origin => "where the person lived",
            DelayBy::Destination => "how the delay ended",
        }
    }

    /// Each person-year is in one group (residence): people add up to the total.
    pub fn people_partition(&self) -> bool {
        matches!(self, DelayBy::Council | DelayBy::Hscp | DelayBy::Locality)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DelaysRequest {
    /// The people (None: everyone); their membership is taken in the delays' year.
    pub spec: Option<CohortSpec>,
    /// The financial year (None: the spec's, else the latest loaded).
    pub year: Option<String>,
    pub by: DelayBy,
}

/// One group of the delays view (or the total).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelayRow {
    pub group: String,
    /// People with a delay episode in the group.
    pub people: u64,
    /// DD episodes of the year in the group (by month: those with a bed day in the month).
    pub episodes: u64,
    /// DD bed days of the year (the file's `yearstay`: last day counted, first not); by month,
    /// the days of the month by the same rule.
    pub bed_days: f64,
    /// Of those, Code 9 (complex) bed days.
    pub code9_bed_days: f64,
    /// By month: people delayed on the census day (the last Thursday of the month).
    pub census_people: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelayFigures {
    pub year: String,
    pub by: DelayBy,
    pub rows: Vec<DelayRow>,
    pub total: DelayRow,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_group_and_code9_sub_codes_are_code9() {
        assert_eq!(delay_reason("24c").map(|r| r.subgroup.as_str()), Some("Place Availability"));
        for c in ["51X", "24DX", "24EX", "25X", "26X", "46X", "71X"] {
            assert_eq!(delay_reason(c).map(|r| r.group.as_str()), Some("Code 9"), "{c}");
        }
        assert_eq!(delay_reason("51X").map(|r| r.subgroup.as_str()), Some("Adults with Incapacity Act"));
        assert!(delay_reason("99Z").is_none());
        // every code appears once
        let mut codes: Vec<&str> = delay_reasons().iter().map(|r| r.code.as_str()).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }

    #[test]
    fn length_bands_cover_every_day_once() {
        for d in 0..400 {
            let n = LENGTH_BANDS.iter().filter(|(lo, hi, _)| d >= *lo && hi.is_none_or(|h| d <= h)).count();
            assert_eq!(n, 1, "day {d}");
        }
    }
}
