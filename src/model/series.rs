//! Monthly and weekly series of event measures for an area (optionally a cohort, optionally one
//! series per group of a dimension): the request and figures behind `carepath spc` (plain data,
//! no I/O; the control chart maths is `analysis::spc`).
//!
//! Decisions (the issue was silent):
//! - A measure is counted by the person's residence **in the financial year of the event**
//!   (`person_year` of that year): the area and the `--by` group are that person-year's.
//! - Counts are by the date an event starts: an emergency admission or PPA is a stay (the
//!   episodes of one CIJ are one stay, in the month its first inpatient episode starts), an A&E
//!   attendance is one AE2 record, a care-home admission is one admission date per person.
//! - Bed days are spread over the periods the stay covers, each row within its own financial
//!   year as the SLF splits it: an inpatient stay counts the nights from admission up to (not
//!   including) discharge, a delayed discharge the days after its start up to and including its
//!   end (as `event.beddays`); an open stay runs to the end of its year. (A file's `yearstay`
//!   is not used: it has no months.)
//! - Care-home residents ("people in service") are the people with at least one night in a care
//!   home in the period (the discharge day not counted).
//! - Periods: calendar months of the loaded financial years; weeks run Monday to Sunday and
//!   only whole weeks inside loaded years are shown, labelled by their Monday.
//! - Rates: per 1,000 population needs population estimates, which a workspace does not hold
//!   (SLF person-years are people who used a service, not the population): values are counts
//!   and the output says so.
//! - Home-care hours are not a series: SC2 reports them per quarter, so a month would be a
//!   guess. They are refused with that reason.
use crate::model::cohort::{age_bands, resolve_geography, CohortSpec, GeoKind};

/// What is counted per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    EmergencyAdmissions,
    AeAttendances,
    EmergencyBedDays,
    DdBedDays,
    PpaAdmissions,
    CareHomeAdmissions,
    CareHomeResidents,
}

impl Measure {
    pub const ALL: [Measure; 7] = [
        Measure::EmergencyAdmissions,
        Measure::AeAttendances,
        Measure::EmergencyBedDays,
        Measure::DdBedDays,
        Measure::PpaAdmissions,
        Measure::CareHomeAdmissions,
        Measure::CareHomeResidents,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Measure::EmergencyAdmissions => "emergency_admissions",
            Measure::AeAttendances => "ae_attendances",
            Measure::EmergencyBedDays => "emergency_bed_days",
            Measure::DdBedDays => "dd_bed_days",
            Measure::PpaAdmissions => "ppa_admissions",
            Measure::CareHomeAdmissions => "care_home_admissions",
            Measure::CareHomeResidents => "care_home_residents",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Measure::EmergencyAdmissions => "Emergency admissions (stays)",
            Measure::AeAttendances => "A&E attendances",
            Measure::EmergencyBedDays => "Emergency bed days",
            Measure::DdBedDays => "Delayed discharge bed days",
            Measure::PpaAdmissions => "Potentially preventable admissions (stays)",
            Measure::CareHomeAdmissions => "Care home admissions",
            Measure::CareHomeResidents => "People in a care home",
        }
    }

    /// Bed days are a sum over people, not a count of them: shown only when the people behind
    /// them are (see `ops::spc_tables`).
    pub fn is_bed_days(&self) -> bool {
        matches!(self, Measure::EmergencyBedDays | Measure::DdBedDays)
    }

    /// The measure named `s` (its code; `-` for `_` and any case accepted), or a message
    /// listing the measures.
    pub fn parse(s: &str) -> Result<Measure, String> {
        let k = s.trim().to_ascii_lowercase().replace('-', "_");
        if let Some(m) = Measure::ALL.iter().find(|m| m.code() == k) {
            return Ok(*m);
        }
        let hint = if k.contains("home_care") || k.contains("hours") {
            " (home-care hours are reported per quarter in SC2, so carepath does not chart them by month or week)"
        } else {
            ""
        };
        Err(format!(
            "--measure {:?} is not a measure carepath can chart{hint}; use one of: {}",
            crate::format::strip_controls(s.trim()),
            Measure::ALL.iter().map(|m| m.code()).collect::<Vec<_>>().join(", ")
        ))
    }
}

/// A dimension of the person-year an area or a group is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Council,
    Board,
    Hscp,
    Locality,
    SimdQuintile,
    Sex,
    AgeBand,
}

impl Dim {
    pub const ALL: [Dim; 7] = [Dim::Council, Dim::Board, Dim::Hscp, Dim::Locality, Dim::SimdQuintile, Dim::Sex, Dim::AgeBand];

    pub fn code(&self) -> &'static str {
        match self {
            Dim::Council => "council",
            Dim::Board => "board",
            Dim::Hscp => "hscp",
            Dim::Locality => "locality",
            Dim::SimdQuintile => "simd",
            Dim::Sex => "sex",
            Dim::AgeBand => "age_band",
        }
    }

    pub fn parse(s: &str) -> Result<Dim, String> {
        let k = s.trim().to_ascii_lowercase().replace('-', "_");
        let k = match k.as_str() {
            "simd_quintile" => "simd",
            "lca" | "ca" => "council",
            "hb" | "health_board" => "board",
            "age" => "age_band",
            other => other,
        };
        Dim::ALL.iter().find(|d| d.code() == k).copied().ok_or_else(|| {
            format!(
                "{:?} is not a dimension; use one of: {}",
                crate::format::strip_controls(s.trim()),
                Dim::ALL.iter().map(|d| d.code()).collect::<Vec<_>>().join(", ")
            )
        })
    }

    fn geo(&self) -> Option<GeoKind> {
        match self {
            Dim::Council => Some(GeoKind::Council),
            Dim::Board => Some(GeoKind::Board),
            Dim::Hscp => Some(GeoKind::Hscp),
            _ => None,
        }
    }

    /// The value as `person_year` stores it (council code, SIMD quintile digit, ...), or why not.
    pub fn normalise(&self, value: &str) -> Result<String, String> {
        let v = value.trim();
        let shown = crate::format::strip_controls(v);
        if v.is_empty() {
            return Err(format!("{} needs a value ({}=VALUE)", self.code(), self.code()));
        }
        if let Some(kind) = self.geo() {
            return resolve_geography(v, kind).ok_or_else(|| format!("{shown:?} is not a {} code or name", self.code()));
        }
        match self {
            Dim::Locality => Ok(v.to_string()),
            Dim::SimdQuintile => match v.parse::<u8>() {
                Ok(q @ 1..=5) => Ok(q.to_string()),
                _ => Err(format!("{shown:?} is not a SIMD quintile (1 = most deprived to 5)")),
            },
            Dim::Sex => match v.to_ascii_uppercase().as_str() {
                "M" | "MALE" => Ok("M".into()),
                "F" | "FEMALE" => Ok("F".into()),
                _ => Err(format!("{shown:?} is not a sex (M or F)")),
            },
            Dim::AgeBand => age_bands().iter().find(|(l, _, _)| *l == v).map(|(l, _, _)| l.to_string()).ok_or_else(|| {
                format!("{shown:?} is not an age band ({})", age_bands().iter().map(|(l, _, _)| *l).collect::<Vec<_>>().join(", "))
            }),
            _ => Ok(v.to_string()),
        }
    }

    /// A group's label for output (council name for a council code, ...).
    pub fn label_of(&self, key: &str) -> String {
        match self.geo() {
            Some(kind) => crate::model::cohort::geography_name(key, kind).unwrap_or_else(|| key.to_string()),
            None => key.to_string(),
        }
    }
}

/// Where: everyone (Scotland) or the person-years with one dimension's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// None: Scotland (everyone).
    pub dim: Option<Dim>,
    /// The stored value (normalised), empty for Scotland.
    pub value: String,
}

impl Area {
    /// `DIM=VALUE` (`council=Fife`, `locality=North Fife`, `simd=1`) or `scotland`.
    pub fn parse(s: &str) -> Result<Area, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("scotland") || t.eq_ignore_ascii_case("all") {
            return Ok(Area { dim: None, value: String::new() });
        }
        let Some((d, v)) = t.split_once('=') else {
            return Err(format!(
                "--area {:?} should be DIM=VALUE (e.g. council=Fife, locality=\"North East\", simd=1) or scotland",
                crate::format::strip_controls(t)
            ));
        };
        let dim = Dim::parse(d).map_err(|e| format!("--area: {e}"))?;
        let value = dim.normalise(v).map_err(|e| format!("--area: {e}"))?;
        Ok(Area { dim: Some(dim), value })
    }

    pub fn label(&self) -> String {
        match self.dim {
            None => "Scotland".into(),
            Some(d) => format!("{} {}", d.code(), d.label_of(&self.value)),
        }
    }
}

/// `carepath spc`'s request.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRequest {
    pub measure: Measure,
    pub area: Area,
    /// One series per value of this dimension (small multiples).
    pub by: Option<Dim>,
    pub weekly: bool,
    /// First period of the chart and its baseline (`YYYY-MM`, or `YYYY-MM-DD` for weeks).
    pub from: Option<String>,
    /// Periods from which the limits are computed again (each starts a new baseline).
    pub change: Vec<String>,
    /// Only the people of this cohort (its years choose who; their events in every loaded year count).
    pub spec: Option<CohortSpec>,
}

/// `YYYY-MM` or `YYYY-MM-DD`, checked; else a message naming the flag.
pub fn check_period(flag: &str, s: &str) -> Result<String, String> {
    let t = s.trim();
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(|c| c.is_ascii_digit()));
    let month_ok = |m: &str| m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    let ok = match t.len() {
        7 => digits(0..4) && b[4] == b'-' && digits(5..7) && month_ok(&t[5..7]),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) && month_ok(&t[5..7]),
        _ => false,
    };
    if ok {
        Ok(t.to_string())
    } else {
        Err(format!("{flag} {:?} is not a month (YYYY-MM, e.g. 2019-10) or, with --weekly, a date (YYYY-MM-DD)", crate::format::strip_controls(t)))
    }
}

/// One period of one series.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeriesPoint {
    pub period: String,
    /// People behind the value (for counts of stays or days: the people who had them).
    pub people: u64,
    pub value: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupSeries {
    /// The stored value of the `--by` dimension ("Unknown" when missing); "all" without `--by`.
    pub key: String,
    pub label: String,
    /// Every period of [`SeriesFigures::periods`], zeros included.
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeriesFigures {
    pub measure: &'static str,
    pub measure_label: &'static str,
    /// The value is a sum of bed days (shown only with the people behind it), not a count.
    pub bed_days: bool,
    pub area: String,
    pub by: Option<&'static str>,
    pub weekly: bool,
    pub periods: Vec<String>,
    pub groups: Vec<GroupSeries>,
    /// Why there is no rate per 1,000 (None would mean a denominator exists; none does yet).
    pub denominator_note: String,
}

/// The note every series carries while workspaces hold no population estimates.
pub const NO_DENOMINATOR: &str = "values are counts, not rates per 1,000: the workspace holds no population estimates to divide by (SLF person-years count people who used a service, not the population)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_measures_areas_and_periods() {
        assert_eq!(Measure::parse("Emergency-Admissions"), Ok(Measure::EmergencyAdmissions));
        let e = Measure::parse("beds").unwrap_err();
        assert!(e.contains("--measure \"beds\"") && e.contains("dd_bed_days"), "{e}");
        assert!(Measure::parse("home_care_hours").unwrap_err().contains("per quarter"));
        assert_eq!(Area::parse("scotland").map(|a| a.dim), Ok(None));
        assert_eq!(Area::parse("simd=1").map(|a| a.value), Ok("1".to_string()));
        assert!(Area::parse("council").unwrap_err().contains("DIM=VALUE"));
        assert!(Area::parse("planet=Mars").unwrap_err().contains("not a dimension"));
        assert!(Area::parse("simd=7").unwrap_err().contains("SIMD quintile"));
        assert_eq!(check_period("--from", "2019-10"), Ok("2019-10".to_string()));
        assert!(check_period("--from", "2019-13").is_err());
        assert!(check_period("--change", "Oct 2019").unwrap_err().contains("--change"));
    }
}
