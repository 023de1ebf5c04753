//! Cohort definitions: a typed, serde/TOML spec that analysts save, share and edit by hand.
//!
//! ```toml
//! name = "Older COPD, most deprived"
//! years = ["1920"]            # financial years; empty = the latest year in the workspace
//!
//! [[filter]]
//! age = { min = 65 }
//!
//! [[filter]]
//! simd = { quintile = [1] }   # level = "scotland" (default), "board" or "hscp"
//!
//! [[filter]]
//! ltc = { any = ["copd"] }
//! enabled = false             # switched off, kept (what-if)
//! ```
//!
//! Each `[[filter]]` holds exactly one condition plus optional `enabled` (default true) and
//! `label`. Conditions:
//!
//! | key | value | evaluated on |
//! |---|---|---|
//! | `age` | `{ min, max }` and/or `{ bands = ["65-74", ...] }` | person-year |
//! | `sex` | `"M"` or `"F"` | person-year |
//! | `simd` | `{ quintile = [..] }` or `{ decile = [..] }`, `level` | person-year |
//! | `geography` | `{ council, board, hscp, locality, datazone }` lists (codes or names) | person-year |
//! | `urban_rural` | `{ ur2 = [..] }`, `{ ur3 = [..] }`, `{ ur6 = [..] }` or `{ ur8 = [..] }` | person-year |
//! | `practice` | `{ gp = ["43210"], cluster = ["Cluster A"] }` (GP practice code, GP cluster) | person-year |
//! | `sparra` | `{ min, max }` on the SPARRA score at the start of the FY (`sparra_start_fy`) | person-year |
//! | `hl1` | `true`: homelessness application active in the FY (`hl1_in_fy`); `false`: none | person-year |
//! | `population` | `true`: PHS's published population only (`keep_population = 1`) | person-year |
//! | `slf_cohort` | `{ demographic = [..], service_use = [..] }` (SLF cohort names) | person-year |
//! | `hri` | `{ level, flag = true }` or `{ level, bands = [..] }` | person-year |
//! | `ltc` | `{ any = [..], all = [..], none = [..] }` (LTC codes) | person-year |
//! | `ltc_count` | `{ min, max }` | person-year |
//! | `diagnosis` | `{ prefixes = ["J44"], main_only = false, from = "YYYY-MM-DD", to = ... }` | events in window |
//! | `service` | `{ measure = "emergency_admissions", min, max }` | summed over the years |
//! | `sds` | list of SDS options 1-4 (any) | any of the years |
//! | `died` | `"include"`, `"exclude"` or `"only"` (died in the years) | any of the years |
//! | `service_user` | `true` (users only) or `false` (non-users only) | any of the years |
//!
//! Semantics over several years: a person is in the cohort when ONE of their person-years in
//! the chosen years satisfies every enabled person-year condition together, and the conditions
//! marked "summed"/"any"/"events" hold over the whole window. Parsing ([`CohortSpec::from_toml`])
//! never panics: an error names the field and the line.
use crate::model::geography;
use crate::model::hri::{HriLevel, BANDS};
use crate::model::ltc;
use crate::model::year::FinYear;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Age bands used in filters, breakdowns and the members list: (label, min, max inclusive).
pub const AGE_BANDS: [(&str, u32, u32); 7] = [
    ("0-17", 0, 17),
    ("18-44", 18, 44),
    ("45-64", 45, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85+", 85, 200),
    ("", 0, 0),
];

/// The real age bands (without the sentinel).
pub fn age_bands() -> &'static [(&'static str, u32, u32)] {
    &AGE_BANDS[..6]
}

/// A cohort definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CohortSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Financial years (`"1920"`); empty means the latest year in the workspace.
    #[serde(default)]
    pub years: Vec<String>,
    #[serde(default, rename = "filter", skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
}

/// One filter: a condition that can be switched off without deleting it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FilterRepr", into = "FilterRepr")]
pub struct Filter {
    pub enabled: bool,
    /// The analyst's own name for it (otherwise [`Rule::describe`]).
    pub label: Option<String>,
    pub rule: Rule,
}

impl Filter {
    pub fn new(rule: Rule) -> Filter {
        Filter { enabled: true, label: None, rule }
    }

    /// What the attrition table shows for this filter.
    pub fn label(&self) -> String {
        match &self.label {
            Some(l) if !l.trim().is_empty() => l.clone(),
            _ => self.rule.describe(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sex {
    M,
    F,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AgeRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Age band labels from [`AGE_BANDS`]; combined with min/max by AND.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<String>,
}

/// SIMD geography the quintile is ranked within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SimdLevel {
    #[default]
    Scotland,
    Board,
    Hscp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SimdRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quintile: Vec<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decile: Vec<u8>,
    #[serde(default)]
    pub level: SimdLevel,
}

/// Lists are OR within a key and AND across keys. Council, board and HSCP accept codes
/// (`"14"`, `"S12000036"`, `"S08000024"`, ...) or names (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GeoRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub council: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub board: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hscp: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locality: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datazone: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UrRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ur2: Vec<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ur8: Vec<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ur6: Vec<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ur3: Vec<u8>,
}

/// GP practice (`gpprac`) and GP cluster (`cluster`) of the person-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PracticeRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gp: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster: Vec<String>,
}

/// A score range (SPARRA risk score, 0-100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ScoreRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// SLF person-level cohorts (`demographic_cohort`, `service_use_cohort`), by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SlfCohortRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demographic: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_use: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HriRule {
    pub level: HriLevel,
    /// HRI (true) or not HRI (false) at that level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<bool>,
    /// Band names from [`crate::model::hri::BANDS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LtcRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub none: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CountRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// ICD-10 code prefixes in any diagnosis position (diag1..diag6), or the main one only, of an
/// event starting inside the window (default: the cohort's years).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisRule {
    pub prefixes: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub main_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// "A then B within N days" (issue 13, item 4): a `first` event starting in the window, then a
/// `then` event after it starting within `within_days` of its start, or of its end with
/// `from_end` (the whole stay's end for an admission: "emergency readmission within 28 days of
/// discharge", "care home within 90 days of discharge"). A `then` admission is a new stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceRule {
    pub first: crate::model::events::EventSpec,
    pub then: crate::model::events::EventSpec,
    pub within_days: u32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_end: bool,
}

/// Service-use measures summed over the cohort's years (columns of `person_year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    EmergencyAdmissions,
    ElectiveAdmissions,
    PpaAdmissions,
    AeAttendances,
    OpAttendances,
    AcuteBeddays,
    InpatientBeddays,
    DdBeddays,
    DdCode9Beddays,
    DdNoncode9Beddays,
    ChBeddays,
    HcHours,
    HealthCost,
    SocialCareCost,
}

impl Measure {
    pub const ALL: [Measure; 14] = [
        Measure::EmergencyAdmissions,
        Measure::ElectiveAdmissions,
        Measure::PpaAdmissions,
        Measure::AeAttendances,
        Measure::OpAttendances,
        Measure::AcuteBeddays,
        Measure::InpatientBeddays,
        Measure::DdBeddays,
        Measure::DdCode9Beddays,
        Measure::DdNoncode9Beddays,
        Measure::ChBeddays,
        Measure::HcHours,
        Measure::HealthCost,
        Measure::SocialCareCost,
    ];

    /// Snake-case name (as in TOML and JSON).
    pub fn name(&self) -> &'static str {
        match self {
            Measure::EmergencyAdmissions => "emergency_admissions",
            Measure::ElectiveAdmissions => "elective_admissions",
            Measure::PpaAdmissions => "ppa_admissions",
            Measure::AeAttendances => "ae_attendances",
            Measure::OpAttendances => "op_attendances",
            Measure::AcuteBeddays => "acute_beddays",
            Measure::InpatientBeddays => "inpatient_beddays",
            Measure::DdBeddays => "dd_beddays",
            Measure::DdCode9Beddays => "dd_code9_beddays",
            Measure::DdNoncode9Beddays => "dd_noncode9_beddays",
            Measure::ChBeddays => "ch_beddays",
            Measure::HcHours => "hc_hours",
            Measure::HealthCost => "health_cost",
            Measure::SocialCareCost => "social_care_cost",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.name() == s.trim())
    }

    /// Plain-English label.
    pub fn label(&self) -> &'static str {
        match self {
            Measure::EmergencyAdmissions => "Emergency admissions",
            Measure::ElectiveAdmissions => "Elective admissions",
            Measure::PpaAdmissions => "Potentially preventable admissions",
            Measure::AeAttendances => "A&E attendances",
            Measure::OpAttendances => "Outpatient attendances",
            Measure::AcuteBeddays => "Acute bed days",
            Measure::InpatientBeddays => "Inpatient bed days",
            Measure::DdBeddays => "Delayed discharge bed days",
            Measure::DdCode9Beddays => "Delayed discharge bed days (Code 9)",
            Measure::DdNoncode9Beddays => "Delayed discharge bed days (not Code 9)",
            Measure::ChBeddays => "Care home bed days",
            Measure::HcHours => "Home care hours",
            Measure::HealthCost => "Health cost",
            Measure::SocialCareCost => "Social care cost (care home + home care)",
        }
    }

    /// SQL expression over one `person_year` row (our own column names only).
    pub fn sql(&self) -> &'static str {
        match self {
            Measure::EmergencyAdmissions => "emergency_admissions",
            Measure::ElectiveAdmissions => "elective_admissions",
            Measure::PpaAdmissions => "ppa_admissions",
            Measure::AeAttendances => "ae_attendances",
            Measure::OpAttendances => "op_attendances",
            Measure::AcuteBeddays => "acute_beddays",
            Measure::InpatientBeddays => "inpatient_beddays",
            Measure::DdBeddays => "dd_beddays",
            Measure::DdCode9Beddays => "dd_code9_beddays",
            Measure::DdNoncode9Beddays => "dd_noncode9_beddays",
            Measure::ChBeddays => "ch_beddays",
            Measure::HcHours => "hc_hours",
            Measure::HealthCost => "health_net_cost",
            Measure::SocialCareCost => "(ch_cost + hc_cost)",
        }
    }

    pub fn is_money(&self) -> bool {
        matches!(self, Measure::HealthCost | Measure::SocialCareCost)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRule {
    pub measure: Measure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Died {
    /// No restriction (the filter is a no-op; kept so a spec can say so explicitly).
    Include,
    Exclude,
    Only,
}

/// The condition a filter applies.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Age(AgeRule),
    Sex(Sex),
    Simd(SimdRule),
    Geography(GeoRule),
    UrbanRural(UrRule),
    Hri(HriRule),
    Ltc(LtcRule),
    LtcCount(CountRange),
    Diagnosis(DiagnosisRule),
    Service(ServiceRule),
    Sds(Vec<u8>),
    Died(Died),
    ServiceUser(bool),
    Practice(PracticeRule),
    Sparra(ScoreRange),
    Homeless(bool),
    Population(bool),
    SlfCohort(SlfCohortRule),
    Sequence(SequenceRule),
}

impl Rule {
    /// The TOML key of this condition.
    pub fn key(&self) -> &'static str {
        match self {
            Rule::Age(_) => "age",
            Rule::Sex(_) => "sex",
            Rule::Simd(_) => "simd",
            Rule::Geography(_) => "geography",
            Rule::UrbanRural(_) => "urban_rural",
            Rule::Hri(_) => "hri",
            Rule::Ltc(_) => "ltc",
            Rule::LtcCount(_) => "ltc_count",
            Rule::Diagnosis(_) => "diagnosis",
            Rule::Service(_) => "service",
            Rule::Sds(_) => "sds",
            Rule::Died(_) => "died",
            Rule::ServiceUser(_) => "service_user",
            Rule::Practice(_) => "practice",
            Rule::Sparra(_) => "sparra",
            Rule::Homeless(_) => "hl1",
            Rule::Population(_) => "population",
            Rule::SlfCohort(_) => "slf_cohort",
            Rule::Sequence(_) => "sequence",
        }
    }

    /// Is it evaluated on one person-year at a time (vs over the whole window)?
    pub fn is_person_year(&self) -> bool {
        matches!(
            self,
            Rule::Age(_)
                | Rule::Sex(_)
                | Rule::Simd(_)
                | Rule::Geography(_)
                | Rule::UrbanRural(_)
                | Rule::Hri(_)
                | Rule::Ltc(_)
                | Rule::LtcCount(_)
                | Rule::Practice(_)
                | Rule::Sparra(_)
                | Rule::Homeless(_)
                | Rule::Population(_)
                | Rule::SlfCohort(_)
        )
    }

    /// A plain-English description, e.g. "Age 65+", "SIMD quintile 1".
    pub fn describe(&self) -> String {
        fn list<T: fmt::Display>(v: &[T]) -> String {
            v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
        }
        fn range<T: fmt::Display + PartialEq>(min: &Option<T>, max: &Option<T>) -> String {
            match (min, max) {
                (Some(a), Some(b)) if a == b => format!("= {a}"),
                (Some(a), Some(b)) => format!("{a} to {b}"),
                (Some(a), None) => format!(">= {a}"),
                (None, Some(b)) => format!("<= {b}"),
                (None, None) => "any".to_string(),
            }
        }
        let ltc_names = |v: &[String]| -> String {
            v.iter().map(|c| ltc::ltc(c).map(|l| l.label.clone()).unwrap_or_else(|| c.clone())).collect::<Vec<_>>().join(", ")
        };
        match self {
            Rule::Age(a) => {
                let mut parts = Vec::new();
                match (a.min, a.max) {
                    (Some(m), None) => parts.push(format!("Age {m}+")),
                    (None, None) => {}
                    (mn, mx) => parts.push(format!("Age {}", range(&mn, &mx))),
                }
                if !a.bands.is_empty() {
                    parts.push(format!("Age band {}", list(&a.bands)));
                }
                if parts.is_empty() {
                    "Any age".into()
                } else {
                    parts.join(" and ")
                }
            }
            Rule::Sex(Sex::M) => "Male".into(),
            Rule::Sex(Sex::F) => "Female".into(),
            Rule::Simd(s) => {
                let lvl = match s.level {
                    SimdLevel::Scotland => "",
                    SimdLevel::Board => " (board)",
                    SimdLevel::Hscp => " (HSCP)",
                };
                let mut parts = Vec::new();
                if !s.quintile.is_empty() {
                    parts.push(format!("SIMD quintile {}{lvl}", list(&s.quintile)));
                }
                if !s.decile.is_empty() {
                    parts.push(format!("SIMD decile {}", list(&s.decile)));
                }
                parts.join(" and ")
            }
            Rule::Geography(g) => {
                let mut parts = Vec::new();
                let named = |v: &[String], f: &dyn Fn(&str) -> Option<String>| {
                    v.iter().map(|x| f(x).unwrap_or_else(|| x.clone())).collect::<Vec<_>>().join(", ")
                };
                if !g.council.is_empty() {
                    parts.push(format!("Council {}", named(&g.council, &|x| geography_name(x, GeoKind::Council))));
                }
                if !g.board.is_empty() {
                    parts.push(format!("Board {}", named(&g.board, &|x| geography_name(x, GeoKind::Board))));
                }
                if !g.hscp.is_empty() {
                    parts.push(format!("HSCP {}", named(&g.hscp, &|x| geography_name(x, GeoKind::Hscp))));
                }
                if !g.locality.is_empty() {
                    parts.push(format!("Locality {}", list(&g.locality)));
                }
                if !g.datazone.is_empty() {
                    parts.push(format!("Datazone {}", list(&g.datazone)));
                }
                parts.join(" and ")
            }
            Rule::UrbanRural(u) => {
                let mut parts = Vec::new();
                if !u.ur2.is_empty() {
                    parts.push(format!("Urban/rural (2-fold) {}", list(&u.ur2)));
                }
                if !u.ur6.is_empty() {
                    parts.push(format!("Urban/rural (6-fold) {}", list(&u.ur6)));
                }
                if !u.ur3.is_empty() {
                    parts.push(format!("Urban/rural (3-fold) {}", list(&u.ur3)));
                }
                if !u.ur8.is_empty() {
                    parts.push(format!("Urban/rural (8-fold) {}", list(&u.ur8)));
                }
                parts.join(" and ")
            }
            Rule::Hri(h) => {
                let lvl = match h.level {
                    HriLevel::Scotland => "Scotland",
                    HriLevel::Board => "board",
                    HriLevel::Council => "council",
                };
                let mut parts = Vec::new();
                match h.flag {
                    Some(true) => parts.push(format!("HRI ({lvl} level)")),
                    Some(false) => parts.push(format!("Not HRI ({lvl} level)")),
                    None => {}
                }
                if !h.bands.is_empty() {
                    parts.push(format!("HRI band {} ({lvl} level)", list(&h.bands)));
                }
                parts.join(" and ")
            }
            Rule::Ltc(l) => {
                let mut parts = Vec::new();
                if !l.any.is_empty() {
                    if l.any.len() == 1 {
                        parts.push(format!("Has {}", ltc_names(&l.any)));
                    } else {
                        parts.push(format!("Any of {}", ltc_names(&l.any)));
                    }
                }
                if !l.all.is_empty() {
                    parts.push(format!("All of {}", ltc_names(&l.all)));
                }
                if !l.none.is_empty() {
                    parts.push(format!("Without {}", ltc_names(&l.none)));
                }
                parts.join(" and ")
            }
            Rule::LtcCount(r) => format!("Number of LTCs {}", range(&r.min, &r.max)),
            Rule::Diagnosis(d) => {
                let pos = if d.main_only { "main diagnosis" } else { "any diagnosis" };
                let mut s = format!("ICD-10 {} ({pos})", list(&d.prefixes));
                if d.from.is_some() || d.to.is_some() {
                    s.push_str(&format!(
                        " from {} to {}",
                        d.from.as_deref().unwrap_or("start"),
                        d.to.as_deref().unwrap_or("end")
                    ));
                }
                s
            }
            Rule::Service(s) => format!("{} {}", s.measure.label(), range(&s.min, &s.max)),
            Rule::Sequence(q) => format!(
                "{} then {} within {} days{}",
                q.first.label().trim_start_matches("first "),
                q.then.label().trim_start_matches("first "),
                q.within_days,
                if q.from_end { " of its end" } else { "" }
            ),
            Rule::Sds(v) => format!("SDS option {}", list(v)),
            Rule::Died(Died::Include) => "Deaths included".into(),
            Rule::Died(Died::Exclude) => "Did not die in the period".into(),
            Rule::Died(Died::Only) => "Died in the period".into(),
            Rule::ServiceUser(true) => "Service users".into(),
            Rule::ServiceUser(false) => "Non-service users".into(),
            Rule::Practice(p) => {
                let mut parts = Vec::new();
                if !p.gp.is_empty() {
                    parts.push(format!("GP practice {}", list(&p.gp)));
                }
                if !p.cluster.is_empty() {
                    parts.push(format!("GP cluster {}", list(&p.cluster)));
                }
                parts.join(", ")
            }
            Rule::Sparra(r) => format!("SPARRA {}", range(&r.min, &r.max)),
            Rule::Homeless(true) => "Homelessness application in the year".into(),
            Rule::Homeless(false) => "No homelessness application in the year".into(),
            Rule::Population(true) => "PHS population (keep_population = 1)".into(),
            Rule::Population(false) => "Outside PHS population (keep_population = 0)".into(),
            Rule::SlfCohort(c) => {
                let mut parts = Vec::new();
                if !c.demographic.is_empty() {
                    parts.push(format!("Demographic cohort {}", list(&c.demographic)));
                }
                if !c.service_use.is_empty() {
                    parts.push(format!("Service use cohort {}", list(&c.service_use)));
                }
                parts.join(", ")
            }
        }
    }
}

/// The TOML shape of a filter: exactly one condition key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterRepr {
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    age: Option<AgeRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    simd: Option<SimdRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    geography: Option<GeoRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    urban_rural: Option<UrRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hri: Option<HriRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ltc: Option<LtcRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ltc_count: Option<CountRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    diagnosis: Option<DiagnosisRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<ServiceRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sds: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    died: Option<Died>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service_user: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    practice: Option<PracticeRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sparra: Option<ScoreRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hl1: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    population: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slf_cohort: Option<SlfCohortRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sequence: Option<SequenceRule>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

const CONDITION_KEYS: &str =
    "age, sex, simd, geography, urban_rural, hri, ltc, ltc_count, diagnosis, service, sds, died, service_user, practice, sparra, hl1, population, slf_cohort, sequence";

impl TryFrom<FilterRepr> for Filter {
    type Error = String;
    fn try_from(r: FilterRepr) -> Result<Filter, String> {
        let mut rules = Vec::new();
        if let Some(x) = r.age {
            rules.push(Rule::Age(x));
        }
        if let Some(x) = r.sex {
            rules.push(Rule::Sex(x));
        }
        if let Some(x) = r.simd {
            rules.push(Rule::Simd(x));
        }
        if let Some(x) = r.geography {
            rules.push(Rule::Geography(x));
        }
        if let Some(x) = r.urban_rural {
            rules.push(Rule::UrbanRural(x));
        }
        if let Some(x) = r.hri {
            rules.push(Rule::Hri(x));
        }
        if let Some(x) = r.ltc {
            rules.push(Rule::Ltc(x));
        }
        if let Some(x) = r.ltc_count {
            rules.push(Rule::LtcCount(x));
        }
        if let Some(x) = r.diagnosis {
            rules.push(Rule::Diagnosis(x));
        }
        if let Some(x) = r.service {
            rules.push(Rule::Service(x));
        }
        if let Some(x) = r.sds {
            rules.push(Rule::Sds(x));
        }
        if let Some(x) = r.died {
            rules.push(Rule::Died(x));
        }
        if let Some(x) = r.service_user {
            rules.push(Rule::ServiceUser(x));
        }
        if let Some(x) = r.practice {
            rules.push(Rule::Practice(x));
        }
        if let Some(x) = r.sparra {
            rules.push(Rule::Sparra(x));
        }
        if let Some(x) = r.hl1 {
            rules.push(Rule::Homeless(x));
        }
        if let Some(x) = r.population {
            rules.push(Rule::Population(x));
        }
        if let Some(x) = r.slf_cohort {
            rules.push(Rule::SlfCohort(x));
        }
        if let Some(x) = r.sequence {
            rules.push(Rule::Sequence(x));
        }
        match rules.len() {
            0 => Err(format!("a filter needs one condition (one of: {CONDITION_KEYS})")),
            1 => Ok(Filter { enabled: r.enabled, label: r.label, rule: rules.remove(0) }),
            _ => Err(format!(
                "a filter holds exactly one condition, found {} ({}); use one [[filter]] each",
                rules.len(),
                rules.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

impl From<Filter> for FilterRepr {
    fn from(f: Filter) -> FilterRepr {
        let mut r = FilterRepr { enabled: f.enabled, label: f.label, ..Default::default() };
        match f.rule {
            Rule::Age(x) => r.age = Some(x),
            Rule::Sex(x) => r.sex = Some(x),
            Rule::Simd(x) => r.simd = Some(x),
            Rule::Geography(x) => r.geography = Some(x),
            Rule::UrbanRural(x) => r.urban_rural = Some(x),
            Rule::Hri(x) => r.hri = Some(x),
            Rule::Ltc(x) => r.ltc = Some(x),
            Rule::LtcCount(x) => r.ltc_count = Some(x),
            Rule::Diagnosis(x) => r.diagnosis = Some(x),
            Rule::Service(x) => r.service = Some(x),
            Rule::Sds(x) => r.sds = Some(x),
            Rule::Died(x) => r.died = Some(x),
            Rule::ServiceUser(x) => r.service_user = Some(x),
            Rule::Practice(x) => r.practice = Some(x),
            Rule::Sparra(x) => r.sparra = Some(x),
            Rule::Homeless(x) => r.hl1 = Some(x),
            Rule::Population(x) => r.population = Some(x),
            Rule::SlfCohort(x) => r.slf_cohort = Some(x),
            Rule::Sequence(x) => r.sequence = Some(x),
        }
        r
    }
}

// ---------------------------------------------------------------------------------------------
// Geography names and codes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoKind {
    Council,
    Board,
    Hscp,
}

/// Resolve a council/board/HSCP code or name to the code stored in `person_year`
/// (`lca` 2-digit for councils, `hb2019`, `hscp2019`).
pub fn resolve_geography(value: &str, kind: GeoKind) -> Option<String> {
    let v = value.trim();
    let eq = |a: &str| a.eq_ignore_ascii_case(v);
    match kind {
        GeoKind::Council => geography::councils()
            .iter()
            .find(|c| eq(&c.lca) || eq(&c.ca2019) || eq(&c.name) || eq(&c.sending_location))
            .map(|c| c.lca.clone())
            .or_else(|| {
                // "4" for "04"
                v.parse::<u32>().ok().and_then(|n| {
                    geography::councils().iter().find(|c| c.lca.parse::<u32>().ok() == Some(n)).map(|c| c.lca.clone())
                })
            }),
        GeoKind::Board => geography::boards()
            .iter()
            .find(|b| {
                let bare = v.strip_prefix("NHS ").unwrap_or(v);
                eq(&b.hb2019) || eq(&b.name) || b.name.eq_ignore_ascii_case(bare)
            })
            .map(|b| b.hb2019.clone()),
        GeoKind::Hscp => geography::partnerships()
            .iter()
            .find(|h| eq(&h.hscp2019) || eq(&h.name))
            .map(|h| h.hscp2019.clone()),
    }
}

/// Display name of a council/board/HSCP code or name.
pub fn geography_name(value: &str, kind: GeoKind) -> Option<String> {
    let code = resolve_geography(value, kind)?;
    match kind {
        GeoKind::Council => geography::council_by_lca(&code).map(|c| c.name.clone()),
        GeoKind::Board => geography::boards().iter().find(|b| b.hb2019 == code).map(|b| b.name.clone()),
        GeoKind::Hscp => geography::partnerships().iter().find(|h| h.hscp2019 == code).map(|h| h.name.clone()),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and validation

/// A step in the path to a field: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// A problem with a spec: which field, where in the file (if from a file), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Dotted path, e.g. `filter[2].age.max` (1-based filter numbers, as an analyst counts).
    pub field: String,
    /// 1-based line and column in the TOML text, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            _ => {}
        }
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// Several problems at once (validation reports all it finds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "invalid cohort spec ({n} problem{}): ", if n == 1 { "" } else { "s" })?;
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for SpecErrors {}

fn path_string(path: &[PathSeg]) -> String {
    let mut s = String::new();
    for (i, p) in path.iter().enumerate() {
        match p {
            PathSeg::Key(k) => {
                if i > 0 {
                    s.push('.');
                }
                s.push_str(k);
            }
            // Filters are numbered from 1 for people; other arrays from 1 too.
            PathSeg::Index(n) => s.push_str(&format!("[{}]", n + 1)),
        }
    }
    s
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
}

impl CohortSpec {
    /// Parse and validate TOML text. Errors name the field and the line.
    pub fn from_toml(text: &str) -> Result<CohortSpec, SpecErrors> {
        let spec: CohortSpec = match toml::from_str(text) {
            Ok(s) => s,
            Err(e) => return Err(SpecErrors(vec![toml_error(text, &e)])),
        };
        let issues = spec.check();
        if issues.is_empty() {
            return Ok(spec);
        }
        let located = issues
            .into_iter()
            .map(|(path, message)| {
                let (line, column) = locate(text, &path).map(|(l, c)| (Some(l), Some(c))).unwrap_or((None, None));
                SpecError { field: path_string(&path), line, column, message }
            })
            .collect();
        Err(SpecErrors(located))
    }

    /// Read a spec file.
    pub fn from_file(path: &std::path::Path) -> anyhow::Result<CohortSpec> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("could not read cohort spec {}: {e}", path.display()))?;
        CohortSpec::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// TOML text of the spec (round-trips through [`CohortSpec::from_toml`]).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Validate a spec built in code (the TUI builder): same checks, no line numbers.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let issues = self.check();
        if issues.is_empty() {
            Ok(())
        } else {
            Err(SpecErrors(
                issues
                    .into_iter()
                    .map(|(p, m)| SpecError { field: path_string(&p), line: None, column: None, message: m })
                    .collect(),
            ))
        }
    }

    /// The enabled filters with their position in `filters`.
    pub fn enabled(&self) -> impl Iterator<Item = (usize, &Filter)> {
        self.filters.iter().enumerate().filter(|(_, f)| f.enabled)
    }

    /// Every problem as (path, message).
    fn check(&self) -> Vec<(Vec<PathSeg>, String)> {
        let mut out = Vec::new();
        for (i, y) in self.years.iter().enumerate() {
            if FinYear::parse(y).is_none() {
                out.push((
                    vec![key("years"), PathSeg::Index(i)],
                    format!("{y:?} is not a financial year (expected 4 digits like \"1920\" for 2019/20)"),
                ));
            }
        }
        for (i, f) in self.filters.iter().enumerate() {
            let base = vec![key("filter"), PathSeg::Index(i), key(f.rule.key())];
            let mut push = |sub: Option<&str>, msg: String| {
                let mut p = base.clone();
                if let Some(s) = sub {
                    p.push(key(s));
                }
                out.push((p, msg));
            };
            check_rule(&f.rule, &mut push);
        }
        out
    }
}

fn check_rule(rule: &Rule, push: &mut dyn FnMut(Option<&str>, String)) {
    fn range_ok<T: PartialOrd + fmt::Display>(min: &Option<T>, max: &Option<T>, push: &mut dyn FnMut(Option<&str>, String)) {
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                push(Some("max"), format!("impossible range: min {a} is greater than max {b}"));
            }
        }
    }
    fn in_range(v: &[u8], lo: u8, hi: u8, what: &str, field: &str, push: &mut dyn FnMut(Option<&str>, String)) {
        for x in v {
            if *x < lo || *x > hi {
                push(Some(field), format!("{what} {x} does not exist (expected {lo} to {hi})"));
            }
        }
    }
    match rule {
        Rule::Age(a) => {
            range_ok(&a.min, &a.max, push);
            for (k, v) in [("min", a.min), ("max", a.max)] {
                if let Some(v) = v {
                    if v > 130 {
                        push(Some(k), format!("age {v} is not plausible (expected 0 to 130)"));
                    }
                }
            }
            for b in &a.bands {
                if !age_bands().iter().any(|(l, _, _)| l == b) {
                    let names: Vec<&str> = age_bands().iter().map(|b| b.0).collect();
                    push(Some("bands"), format!("unknown age band {b:?} (expected one of {})", names.join(", ")));
                }
            }
            if a.min.is_none() && a.max.is_none() && a.bands.is_empty() {
                push(None, "give min, max or bands".into());
            }
        }
        Rule::Sex(_) | Rule::Died(_) | Rule::ServiceUser(_) | Rule::Homeless(_) | Rule::Population(_) => {}
        Rule::Practice(p) => {
            if p.gp.is_empty() && p.cluster.is_empty() {
                push(None, "give gp or cluster".into());
            }
        }
        Rule::Sparra(r) => {
            if r.min.is_none() && r.max.is_none() {
                push(None, "give min or max".into());
            }
            if let (Some(a), Some(b)) = (r.min, r.max) {
                if a > b {
                    push(Some("min"), format!("min {a} is above max {b}"));
                }
            }
        }
        Rule::SlfCohort(c) => {
            if c.demographic.is_empty() && c.service_use.is_empty() {
                push(None, "give demographic or service_use".into());
            }
        }
        Rule::Simd(s) => {
            in_range(&s.quintile, 1, 5, "SIMD quintile", "quintile", push);
            in_range(&s.decile, 1, 10, "SIMD decile", "decile", push);
            if s.quintile.is_empty() && s.decile.is_empty() {
                push(None, "give quintile or decile".into());
            }
            if !s.decile.is_empty() && s.level != SimdLevel::Scotland {
                push(Some("level"), "deciles are available at Scotland level only".into());
            }
        }
        Rule::Geography(g) => {
            for (field, values, kind) in
                [("council", &g.council, GeoKind::Council), ("board", &g.board, GeoKind::Board), ("hscp", &g.hscp, GeoKind::Hscp)]
            {
                for v in values {
                    if resolve_geography(v, kind).is_none() {
                        push(Some(field), format!("unknown {field} {v:?} (give a code or the name)"));
                    }
                }
            }
            if g.council.is_empty() && g.board.is_empty() && g.hscp.is_empty() && g.locality.is_empty() && g.datazone.is_empty() {
                push(None, "give council, board, hscp, locality or datazone".into());
            }
        }
        Rule::UrbanRural(u) => {
            in_range(&u.ur2, 1, 2, "urban/rural 2-fold class", "ur2", push);
            in_range(&u.ur8, 1, 8, "urban/rural 8-fold class", "ur8", push);
            in_range(&u.ur6, 1, 6, "urban/rural 6-fold class", "ur6", push);
            in_range(&u.ur3, 1, 3, "urban/rural 3-fold class", "ur3", push);
            if u.ur2.is_empty() && u.ur8.is_empty() && u.ur6.is_empty() && u.ur3.is_empty() {
                push(None, "give ur2, ur3, ur6 or ur8".into());
            }
        }
        Rule::Hri(h) => {
            for b in &h.bands {
                if !BANDS.iter().any(|(n, _)| n == b) {
                    let names: Vec<&str> = BANDS.iter().map(|b| b.0).collect();
                    push(Some("bands"), format!("unknown HRI band {b:?} (expected one of {})", names.join(", ")));
                }
            }
            if h.flag.is_none() && h.bands.is_empty() {
                push(None, "give flag or bands".into());
            }
        }
        Rule::Ltc(l) => {
            for (field, v) in [("any", &l.any), ("all", &l.all), ("none", &l.none)] {
                for c in v {
                    if ltc::ltc(c).is_none() {
                        let codes: Vec<&str> = ltc::ltcs().iter().map(|l| l.code.as_str()).collect();
                        push(Some(field), format!("unknown LTC {c:?} (expected one of {})", codes.join(", ")));
                    }
                }
            }
            if l.any.is_empty() && l.all.is_empty() && l.none.is_empty() {
                push(None, "give any, all or none".into());
            }
        }
        Rule::LtcCount(r) => {
            range_ok(&r.min, &r.max, push);
            if let Some(m) = r.min {
                if m > 19 {
                    push(Some("min"), format!("there are 19 LTCs; min {m} can never hold"));
                }
            }
        }
        Rule::Diagnosis(d) => {
            if d.prefixes.is_empty() {
                push(Some("prefixes"), "give at least one ICD-10 code prefix".into());
            }
            for p in &d.prefixes {
                let n = normalise_icd(p);
                if n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric()) || !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    push(Some("prefixes"), format!("{p:?} is not an ICD-10 code prefix (e.g. \"J44\" or \"E11.9\")"));
                }
            }
            let mut dates = [None, None];
            for (i, (k, v)) in [("from", &d.from), ("to", &d.to)].into_iter().enumerate() {
                if let Some(s) = v {
                    match parse_date(s) {
                        Some(dt) => dates[i] = Some(dt),
                        None => push(Some(k), format!("{s:?} is not a date (expected \"YYYY-MM-DD\")")),
                    }
                }
            }
            if let [Some(a), Some(b)] = dates {
                if a > b {
                    push(Some("to"), format!("impossible window: from {} is after to {}", d.from.as_deref().unwrap_or(""), d.to.as_deref().unwrap_or("")));
                }
            }
        }
        Rule::Service(s) => {
            range_ok(&s.min, &s.max, push);
            for (k, v) in [("min", s.min), ("max", s.max)] {
                if let Some(v) = v {
                    if !v.is_finite() || v < 0.0 {
                        push(Some(k), format!("{v} is not a usable amount (expected 0 or more)"));
                    }
                }
            }
            if s.min.is_none() && s.max.is_none() {
                push(None, "give min or max".into());
            }
        }
        Rule::Sds(v) => {
            in_range(v, 1, 4, "SDS option", "", push);
            if v.is_empty() {
                push(None, "give at least one SDS option (1-4)".into());
            }
        }
        Rule::Sequence(q) => {
            use crate::model::events::IndexKind;
            for (field, e) in [("first", &q.first), ("then", &q.then)] {
                if matches!(e.kind, IndexKind::Hri | IndexKind::Death) {
                    push(Some(field), format!("{} is not an event: a sequence filter links two events (emergency-admission, ae, delayed-discharge, care-home, home-care, diagnosis, service)", e.kind.label()));
                }
                if let Err(m) = e.checked_code() {
                    push(Some(field), m);
                }
            }
            if q.within_days == 0 || q.within_days > crate::model::events::MAX_WINDOW_DAYS {
                push(Some("within_days"), format!("within_days {} must be from 1 to {}", q.within_days, crate::model::events::MAX_WINDOW_DAYS));
            }
        }
    }
}

/// ICD-10 as stored in the SLF: upper case, no dot (`e11.9` -> `E119`).
pub fn normalise_icd(p: &str) -> String {
    p.trim().to_ascii_uppercase().replace('.', "")
}

/// `YYYY-MM-DD` -> (y, m, d) if it is a real date.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.trim();
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = parts[2].parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > days[(m - 1) as usize] {
        return None;
    }
    Some((y, m, d))
}

/// Turn a toml error into a SpecError with line, column and (when we can find it) the field.
fn toml_error(text: &str, e: &toml::de::Error) -> SpecError {
    let span = e.span();
    let (line, column) = match &span {
        Some(r) => {
            let (l, c) = line_col(text, r.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let mut field = span
        .as_ref()
        .and_then(|r| field_at(text, r.start).or_else(|| field_on_line(text, r.start)))
        .unwrap_or_default();
    let message = e.message().trim().to_string();
    // Unknown keys: the message names the key, the span points at it.
    if field.is_empty() {
        if let Some(k) = message.split('`').nth(1) {
            field = k.to_string();
        }
    }
    SpecError { field, line, column, message }
}

/// Fallback: the key written on the line of `offset`, inside the `[[filter]]` it belongs to.
fn field_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[offset..].find('\n').map(|i| offset + i).unwrap_or(text.len());
    let line = &text[start..end];
    let key = line.split('=').next()?.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.contains(' ') {
        return None;
    }
    let filters_before = text[..start].lines().filter(|l| l.trim_start().starts_with("[[filter]]")).count();
    if filters_before > 0 {
        Some(format!("filter[{filters_before}].{key}"))
    } else {
        Some(key.to_string())
    }
}

/// 1-based (line, column) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|s| s.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Dotted path of the innermost key whose key or value covers `offset`.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    walk_find(doc.get_ref(), offset, &mut path);
    if path.is_empty() {
        None
    } else {
        Some(path_string(&path))
    }
}

fn walk_find(table: &toml::de::DeTable<'_>, offset: usize, path: &mut Vec<PathSeg>) {
    for (k, v) in table.iter() {
        let ks = k.span();
        let vs = v.span();
        let covers = (ks.start <= offset && offset < ks.end.max(ks.start + 1)) || (vs.start <= offset && offset < vs.end.max(vs.start + 1));
        if covers {
            path.push(PathSeg::Key(k.get_ref().to_string()));
            walk_value(v.get_ref(), offset, path);
            return;
        }
    }
}

fn walk_value(v: &toml::de::DeValue<'_>, offset: usize, path: &mut Vec<PathSeg>) {
    match v {
        toml::de::DeValue::Table(t) => walk_find(t, offset, path),
        toml::de::DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let s = item.span();
                if s.start <= offset && offset < s.end.max(s.start + 1) {
                    path.push(PathSeg::Index(i));
                    walk_value(item.get_ref(), offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// (line, column) of the deepest existing part of `path` in the TOML text.
fn locate(text: &str, path: &[PathSeg]) -> Option<(usize, usize)> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut best: Option<usize> = None;
    let mut cur: Option<&toml::de::DeValue<'_>> = None;
    let root = doc.get_ref();
    for (i, seg) in path.iter().enumerate() {
        match seg {
            PathSeg::Key(k) => {
                let table = if i == 0 {
                    Some(root)
                } else {
                    match cur {
                        Some(toml::de::DeValue::Table(t)) => Some(t),
                        _ => None,
                    }
                };
                let Some(t) = table else { break };
                let Some((key, value)) = t.iter().find(|(kk, _)| kk.get_ref().as_ref() as &str == k.as_str()) else { break };
                best = Some(key.span().start);
                cur = Some(value.get_ref());
            }
            PathSeg::Index(n) => match cur {
                Some(toml::de::DeValue::Array(a)) => match a.get(*n) {
                    Some(item) => {
                        best = Some(item.span().start);
                        cur = Some(item.get_ref());
                    }
                    None => break,
                },
                _ => break,
            },
        }
    }
    best.map(|o| line_col(text, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "Older COPD"
years = ["1920"]

[[filter]]
age = { min = 65 }

[[filter]]
simd = { quintile = [1] }

[[filter]]
ltc = { any = ["copd"] }
enabled = false
"#;

    #[test]
    fn parses_and_round_trips() {
        let s = CohortSpec::from_toml(GOOD).unwrap();
        assert_eq!(s.filters.len(), 3);
        assert!(!s.filters[2].enabled);
        assert_eq!(s.filters[0].label(), "Age 65+");
        assert_eq!(s.filters[2].label(), "Has Chronic obstructive pulmonary disease");
        let again = CohortSpec::from_toml(&s.to_toml()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn unknown_field_names_field_and_line() {
        let text = "years = [\"1920\"]\n\n[[filter]]\nage = { mni = 65 }\n";
        let e = CohortSpec::from_toml(text).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.0[0].line, Some(4), "{msg}");
        assert!(msg.contains("mni"), "{msg}");
    }

    #[test]
    fn wrong_type_names_field_and_line() {
        let text = "years = [\"1920\"]\n[[filter]]\nage.min = \"old\"\n";
        let e = CohortSpec::from_toml(text).unwrap_err();
        assert_eq!(e.0[0].line, Some(3), "{e}");
        assert!(e.0[0].field.contains("min"), "{e}");
    }

    #[test]
    fn impossible_ranges_rejected_with_line() {
        let text = "[[filter]]\nsex = \"F\"\n\n[[filter]]\nage = { min = 80, max = 65 }\n\n[[filter]]\nsimd.quintile = [7]\n";
        let e = CohortSpec::from_toml(text).unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
        assert_eq!(e.0[0].field, "filter[2].age.max");
        assert_eq!(e.0[0].line, Some(5));
        assert!(e.0[1].message.contains("quintile 7"), "{e}");
        assert_eq!(e.0[1].line, Some(8));
    }

    #[test]
    fn two_conditions_in_one_filter_rejected() {
        let e = CohortSpec::from_toml("[[filter]]\nsex = \"F\"\nage.min = 3\n").unwrap_err();
        assert!(e.to_string().contains("exactly one condition"), "{e}");
        assert_eq!(e.0[0].line.map(|l| l >= 1), Some(true));
    }

    #[test]
    fn geography_resolves_names_and_codes() {
        assert_eq!(resolve_geography("glasgow city", GeoKind::Council).as_deref(), Some("17"));
        assert_eq!(resolve_geography("17", GeoKind::Council).as_deref(), Some("17"));
        assert!(resolve_geography("Atlantis", GeoKind::Council).is_none());
    }
}
