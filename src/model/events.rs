//! Event kinds (plain data, no I/O): what an index event, a target event or a step of a
//! temporal cohort filter ("A then B within N days") can be. Shared by `pathways` and `cohort`
//! (its own module so neither imports the other).
use crate::model::hri::HriLevel;
use serde::{Deserialize, Serialize};

/// The longest window of days anywhere in pathways and sequence filters (ten years).
pub const MAX_WINDOW_DAYS: u32 = 3660;

/// What makes a person's index date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum IndexKind {
    /// First emergency (non-elective) inpatient admission.
    EmergencyAdmission,
    /// First A&E attendance.
    Ae,
    /// First delayed discharge episode.
    DelayedDischarge,
    /// First care home admission.
    CareHome,
    /// First home care package.
    HomeCare,
    /// First year as an HRI (at the chosen level): 1 April of that financial year.
    Hri,
    /// First event with an ICD-10 code starting with `code` (main or any position).
    Diagnosis,
    /// Date of death.
    Death,
    /// The day a long-term condition was first recorded (`code` = the LTC, e.g. copd, from
    /// `assets/ltc.csv`): the SLF's incidence date (`<ltc>_date`), earliest over all files.
    Ltc,
    /// First event of one record type (`code` = recid: 00B, 01B, AE2, PIS, ...): the extension
    /// point for any other service.
    Service,
}

impl IndexKind {
    pub fn label(&self) -> &'static str {
        match self {
            IndexKind::EmergencyAdmission => "first emergency admission",
            IndexKind::Ae => "first A&E attendance",
            IndexKind::DelayedDischarge => "first delayed discharge",
            IndexKind::CareHome => "first care home admission",
            IndexKind::HomeCare => "first home care package",
            IndexKind::Hri => "first year as an HRI",
            IndexKind::Diagnosis => "first diagnosis",
            IndexKind::Death => "death",
            IndexKind::Ltc => "first record of a long-term condition",
            IndexKind::Service => "first use of a service",
        }
    }
}

/// An index (or target) event: the kind and, for diagnoses and services, the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSpec {
    pub kind: IndexKind,
    /// ICD-10 prefix (Diagnosis) or recid (Service).
    #[serde(default)]
    pub code: Option<String>,
    /// Diagnosis in the main position only (else any of the six).
    #[serde(default)]
    pub main_only: bool,
    /// Level of the HRI flag (Hri).
    #[serde(default = "scotland")]
    pub hri_level: HriLevel,
}

fn scotland() -> HriLevel {
    HriLevel::Scotland
}

impl EventSpec {
    pub fn new(kind: IndexKind) -> EventSpec {
        EventSpec { kind, code: None, main_only: false, hri_level: HriLevel::Scotland }
    }

    /// The code, checked: an ICD-10 prefix is a letter then up to 6 letters/digits; a recid is
    /// one carepath knows. Returns the normalised code.
    pub fn checked_code(&self) -> Result<Option<String>, String> {
        match self.kind {
            IndexKind::Diagnosis => {
                let Some(c) = &self.code else { return Err("a diagnosis index needs --code (an ICD-10 prefix such as J44)".into()) };
                let c = c.trim().to_ascii_uppercase().replace('.', "");
                let ok = c.len() <= 7 && c.chars().next().is_some_and(|x| x.is_ascii_alphabetic()) && c.chars().all(|x| x.is_ascii_alphanumeric());
                if !ok {
                    return Err(format!("{:?} is not an ICD-10 code prefix (a letter then digits, e.g. J44 or I21)", crate::format::strip_controls(&c)));
                }
                Ok(Some(c))
            }
            IndexKind::Service => {
                let Some(c) = &self.code else { return Err("a service index needs --code (a record type such as 00B, 01B, AE2)".into()) };
                match crate::model::service::SERVICES.iter().find(|s| s.recid.eq_ignore_ascii_case(c.trim())) {
                    Some(s) => Ok(Some(s.recid.to_string())),
                    None => Err(format!(
                        "{:?} is not a record type carepath knows (one of {})",
                        crate::format::strip_controls(c.trim()),
                        crate::model::service::SERVICES.iter().map(|s| s.recid).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            IndexKind::Ltc => {
                let known = || crate::model::ltc::ltcs().iter().map(|l| l.code.as_str()).collect::<Vec<_>>().join(", ");
                let Some(c) = &self.code else { return Err(format!("an LTC index needs --code (one of {})", known())) };
                match crate::model::ltc::ltcs().iter().find(|l| l.code.eq_ignore_ascii_case(c.trim())) {
                    Some(l) => Ok(Some(l.code.clone())),
                    None => Err(format!("{:?} is not a long-term condition carepath knows (one of {})", crate::format::strip_controls(c.trim()), known())),
                }
            }
            _ => Ok(None),
        }
    }

    /// "first diagnosis J44 (any position)", for headings and the audit log.
    pub fn label(&self) -> String {
        match (self.kind, &self.code) {
            (IndexKind::Diagnosis, Some(c)) => format!("first diagnosis {c} ({})", if self.main_only { "main position" } else { "any position" }),
            (IndexKind::Service, Some(c)) => format!("first {}", crate::model::service::service(c).map(|s| s.name).unwrap_or(c.as_str())),
            (IndexKind::Ltc, Some(c)) => format!(
                "first record of {}",
                crate::model::ltc::ltcs().iter().find(|l| l.code.eq_ignore_ascii_case(c.trim())).map(|l| l.label.as_str()).unwrap_or(c.as_str())
            ),
            (IndexKind::Hri, _) => format!("first year as an HRI ({} level)", format!("{:?}", self.hri_level).to_lowercase()),
            (k, _) => k.label().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_normalised() {
        let mut e = EventSpec::new(IndexKind::Diagnosis);
        assert!(e.checked_code().is_err());
        e.code = Some("j44.1".into());
        assert_eq!(e.checked_code().unwrap().as_deref(), Some("J441"));
        e.code = Some("J44'; DROP TABLE x".into());
        assert!(e.checked_code().is_err());
        let mut s = EventSpec::new(IndexKind::Service);
        s.code = Some("00b".into());
        assert_eq!(s.checked_code().unwrap().as_deref(), Some("00B"));
        s.code = Some("XYZ".into());
        assert!(s.checked_code().is_err());
        let mut l = EventSpec::new(IndexKind::Ltc);
        assert!(l.checked_code().is_err());
        l.code = Some("COPD".into());
        assert_eq!(l.checked_code().unwrap().as_deref(), Some("copd"));
        l.code = Some("copd_date".into());
        assert!(l.checked_code().is_err());
    }
}
