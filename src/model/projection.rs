//! Projections to 2035 (plain data, no I/O): issue 15, item 4. The workspace's age-sex-specific
//! rates per area in a base year, applied to the analyst's population projections.
//!
//! - **Base-year cells**: per council of residence (`person_year.lca`), sex and age band
//!   ([`crate::model::cohort::age_bands`], age as `person_year.age`) in the base year: the
//!   people (every person-year of the year: with an individual file that includes its
//!   non-service-user rows, so `person_year` is a population, the SLF's; no population estimate
//!   is used as the denominator), emergency admissions (`person_year.emergency_admissions`:
//!   distinct emergency CIJs), emergency bed days (no `person_year` column is exactly that:
//!   the bed days in the year of the inpatient episodes of the emergency stays, as the
//!   unscheduled care view counts them, `store::services::unscheduled`) and delayed discharge
//!   bed days (`person_year.dd_beddays`) of people aged [`DD_FROM_AGE`] and over. Person-years
//!   without a council, a sex or an age are in no cell (they match no projected population).
//! - **Rate** of a cell = its count / its people (0 when it has no people).
//! - **Projected count** for year t = sum over sex and age band of rate x projected population
//!   (t), times the scenario's factor for the measure and band. Year t is the NRS mid-year
//!   (30 June) population, applied to the financial year starting in t; the base financial
//!   year 2019/20 goes with the mid-2019 population.
//! - **Average occupied beds** = bed days / days in the financial year; **beds needed** at a
//!   target occupancy = occupied beds / occupancy (default [`DEFAULT_OCCUPANCY`]).
//! - **Change from the base year**: projected figure minus the base year's observed one, and as
//!   a % of it.
//!
//! Disclosure: the projections are modelled, but the base-year counts per cell are real. Only
//! area totals are published (never a rate or count per age-sex cell); the base-year counts
//! are `Cell::Count`s through the gate and every projected figure is withheld with the base
//! count it comes from; and with disclosure control on, an area's cells whose base count is 1
//! to threshold-1 share one pooled rate (with the largest cell when they are too few
//! together), so that the projections of many years cannot be solved back for a small cell's
//! count (`analysis::projection::pool`).
use crate::model::cohort::{age_bands, resolve_geography, GeoKind, Sex};
use crate::model::geography;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The last year projected unless `--to` says otherwise.
pub const DEFAULT_TO: i32 = 2035;
/// The farthest year carepath projects to.
pub const MAX_TO: i32 = 2100;
/// Target bed occupancy unless `--occupancy` says otherwise.
pub const DEFAULT_OCCUPANCY: f64 = 0.85;
/// Delayed discharge bed days are projected for people of this age and over (the issue's
/// "DD bed days for 65+"); it is an age band's lower bound (tested).
pub const DD_FROM_AGE: u32 = 65;
/// Code of Scotland as an area.
pub const SCOTLAND: &str = "S92000003";

/// The areas of the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum AreaLevel {
    /// Council areas.
    Council,
    /// Health and social care partnerships (councils grouped as in `assets/council_areas.csv`).
    Hscp,
    /// Scotland (every council of the population file together).
    Scotland,
}

impl AreaLevel {
    pub fn label(&self) -> &'static str {
        match self {
            AreaLevel::Council => "council",
            AreaLevel::Hscp => "partnership",
            AreaLevel::Scotland => "Scotland",
        }
    }

    /// The area (code) of a council (`lca`) at this level.
    pub fn area_of(&self, lca: &str) -> Option<String> {
        match self {
            AreaLevel::Council => geography::council_by_lca(lca).map(|c| c.lca.clone()),
            AreaLevel::Hscp => geography::council_by_lca(lca).map(|c| c.hscp2019.clone()),
            AreaLevel::Scotland => Some(SCOTLAND.to_string()),
        }
    }

    /// The name of an area code of this level.
    pub fn area_name(&self, code: &str) -> String {
        let name = match self {
            AreaLevel::Council => geography::council_by_lca(code).map(|c| c.name.clone()),
            AreaLevel::Hscp => geography::partnerships().iter().find(|p| p.hscp2019 == code).map(|p| p.name.clone()),
            AreaLevel::Scotland => Some("Scotland".to_string()),
        };
        name.unwrap_or_else(|| code.to_string())
    }
}

/// A measure projected (its rate can be changed by a scenario).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    EmergencyAdmissions,
    EmergencyBedDays,
    DdBedDays,
}

pub const MEASURES: [Measure; 3] = [Measure::EmergencyAdmissions, Measure::EmergencyBedDays, Measure::DdBedDays];

impl Measure {
    /// Its name in scenarios and output columns.
    pub fn name(&self) -> &'static str {
        match self {
            Measure::EmergencyAdmissions => "emergency_admissions",
            Measure::EmergencyBedDays => "emergency_bed_days",
            Measure::DdBedDays => "dd_bed_days_65plus",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        let s = s.trim();
        // "dd_bed_days" is accepted for the 65+ measure: there is no other
        MEASURES.iter().copied().find(|m| m.name() == s).or(if s == "dd_bed_days" { Some(Measure::DdBedDays) } else { None })
    }

    pub fn index(&self) -> usize {
        match self {
            Measure::EmergencyAdmissions => 0,
            Measure::EmergencyBedDays => 1,
            Measure::DdBedDays => 2,
        }
    }

    /// Whether the measure is projected for age band `band` (index into `age_bands()`).
    pub fn applies_to(&self, band: usize) -> bool {
        match self {
            Measure::DdBedDays => age_bands().get(band).is_some_and(|b| b.1 >= DD_FROM_AGE),
            _ => band < age_bands().len(),
        }
    }
}

/// The age band (index into `age_bands()`) of a single year of age.
pub fn band_of_age(age: u32) -> Option<usize> {
    age_bands().iter().position(|(_, lo, hi)| age >= *lo && age <= *hi)
}

/// The age band of a label (`"75-84"`).
pub fn band_of_label(label: &str) -> Option<usize> {
    age_bands().iter().position(|(l, _, _)| *l == label.trim())
}

/// A council of a population file's area value: a council code (`S12000049`), the SLF's
/// 2-digit code or the name.
pub fn council_of(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    resolve_geography(v, GeoKind::Council)
}

/// One base-year cell: a council, sex and age band (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct BaseCell {
    pub lca: String,
    pub sex: Sex,
    pub band: usize,
    pub people: u64,
    pub emergency_admissions: u64,
    pub emergency_bed_days: f64,
    /// People with delayed discharge bed days in the year (0 below [`DD_FROM_AGE`]).
    pub dd_people: u64,
    /// Their DD bed days (0 below [`DD_FROM_AGE`]).
    pub dd_bed_days: f64,
}

impl BaseCell {
    /// The cell's figure of a measure.
    pub fn value(&self, m: Measure) -> f64 {
        match m {
            Measure::EmergencyAdmissions => self.emergency_admissions as f64,
            Measure::EmergencyBedDays => self.emergency_bed_days,
            Measure::DdBedDays => self.dd_bed_days,
        }
    }

    /// The count a measure's figure is computed from (bed days come with their admissions or
    /// their people): what the gate and the pooling look at.
    pub fn source_count(&self, m: Measure) -> u64 {
        match m {
            Measure::EmergencyAdmissions | Measure::EmergencyBedDays => self.emergency_admissions,
            Measure::DdBedDays => self.dd_people,
        }
    }
}

/// The base year's cells.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseYear {
    /// Financial year code (`1920`).
    pub year: String,
    pub cells: Vec<BaseCell>,
}

/// Projected population: (council `lca`, sex, age band, year) -> people.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Population {
    /// Which layout the file had (for the heading).
    pub layout: String,
    pub cells: BTreeMap<(String, Sex, usize, i32), f64>,
}

impl Population {
    /// Add people to a cell (single years of age add up into their band).
    pub fn add(&mut self, lca: &str, sex: Sex, band: usize, year: i32, people: f64) {
        *self.cells.entry((lca.to_string(), sex, band, year)).or_insert(0.0) += people;
    }

    pub fn councils(&self) -> BTreeSet<String> {
        self.cells.keys().map(|k| k.0.clone()).collect()
    }

    pub fn get(&self, lca: &str, sex: Sex, band: usize, year: i32) -> Option<f64> {
        self.cells.get(&(lca.to_string(), sex, band, year)).copied()
    }
}

/// A scenario: changes to the base-year rates.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Scenario {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub changes: Vec<RateChange>,
}

/// One change: the rate of `measure` in the age bands named by `age_band` changes by `percent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateChange {
    pub measure: String,
    /// As written (`"75+"`, `"65-74"`, `"all"`).
    pub age_band: String,
    pub percent: f64,
    /// The age bands it names (indices into `age_bands()`).
    #[serde(skip)]
    pub bands: Vec<usize>,
    #[serde(skip)]
    pub measure_kind: Option<Measure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRepr {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "change")]
    changes: Vec<ChangeRepr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeRepr {
    measure: toml::Spanned<String>,
    #[serde(default)]
    age_band: Option<toml::Spanned<String>>,
    percent: toml::Spanned<f64>,
}

/// The age bands an `age_band` value names: a band label (`"75-84"`), `"N+"` for the bands from
/// age N (N a band's lower bound: `"75+"` is 75-84 and 85+), or `"all"`.
pub fn bands_named(value: &str) -> Option<Vec<usize>> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("all") {
        return Some((0..age_bands().len()).collect());
    }
    if let Some(b) = band_of_label(v) {
        return Some(vec![b]);
    }
    let from: u32 = v.strip_suffix('+')?.trim().parse().ok()?;
    let start = age_bands().iter().position(|b| b.1 == from)?;
    Some((start..age_bands().len()).collect())
}

impl Scenario {
    /// Parse a scenario file's text. Errors name the line: an unknown measure or age band, a
    /// change below -100%, a field carepath does not know.
    pub fn from_toml(text: &str) -> Result<Scenario, String> {
        let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let repr: ScenarioRepr = toml::from_str(text).map_err(|e| match e.span() {
            Some(s) => format!("line {}: {}", line(s.start), e.message()),
            None => e.message().to_string(),
        })?;
        let measures = MEASURES.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
        let bands = age_bands().iter().map(|b| b.0).collect::<Vec<_>>().join(", ");
        let starts = age_bands().iter().map(|b| format!("{}+", b.1)).collect::<Vec<_>>().join(", ");
        let mut changes = Vec::new();
        for c in repr.changes {
            let m_line = line(c.measure.span().start);
            let Some(measure) = Measure::parse(c.measure.get_ref()) else {
                return Err(format!("line {m_line}: measure {:?} is not one carepath projects ({measures})", c.measure.get_ref()));
            };
            let (age_band, bands) = match &c.age_band {
                None => ("all".to_string(), (0..age_bands().len()).collect::<Vec<_>>()),
                Some(b) => match bands_named(b.get_ref()) {
                    Some(v) => (b.get_ref().trim().to_string(), v),
                    None => {
                        return Err(format!(
                            "line {}: age_band {:?} is not an age band ({bands}), a start age ({starts}) or \"all\"",
                            line(b.span().start),
                            b.get_ref()
                        ))
                    }
                },
            };
            if !bands.iter().any(|b| measure.applies_to(*b)) {
                return Err(format!("line {m_line}: {} is projected for ages {DD_FROM_AGE} and over only, not {age_band:?}", measure.name()));
            }
            let percent = *c.percent.get_ref();
            if !percent.is_finite() || percent < -100.0 {
                return Err(format!("line {}: percent {percent} would make a rate negative (at least -100)", line(c.percent.span().start)));
            }
            changes.push(RateChange { measure: measure.name().to_string(), age_band, percent, bands, measure_kind: Some(measure) });
        }
        Ok(Scenario { name: repr.name, changes })
    }

    /// What the rate of `m` in `band` is multiplied by: every change naming both, one after
    /// the other.
    pub fn factor(&self, m: Measure, band: usize) -> f64 {
        self.changes
            .iter()
            .filter(|c| c.measure_kind == Some(m) && c.bands.contains(&band))
            .map(|c| 1.0 + c.percent / 100.0)
            .product()
    }
}

/// The question (the CLI's flags).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionRequest {
    pub population: PathBuf,
    /// Financial year of the rates (`1920`).
    pub base_year: String,
    /// Last calendar year projected.
    pub to: i32,
    pub level: AreaLevel,
    pub scenario: Option<PathBuf>,
    /// Target bed occupancy, in (0, 1].
    pub occupancy: f64,
}

/// One year's figures of an area (the base year's observed, or a projected year's).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct YearFigures {
    pub year: i32,
    /// Projected population (the base year: the workspace's people).
    pub population: f64,
    /// By [`Measure::index`].
    pub values: [f64; 3],
    pub occupied_beds: f64,
    pub beds_needed: f64,
    pub dd_occupied_beds: f64,
    pub dd_beds_needed: f64,
}

/// An area: its observed base year (with the counts the gate looks at) and projected years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaProjection {
    pub code: String,
    pub area: String,
    pub people: u64,
    pub emergency_admissions: u64,
    pub dd_people: u64,
    pub base: YearFigures,
    pub years: Vec<YearFigures>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionFigures {
    pub base_year: String,
    pub level: AreaLevel,
    pub to: i32,
    pub occupancy: f64,
    pub population_layout: String,
    pub scenario: Option<Scenario>,
    pub areas: Vec<AreaProjection>,
    /// Scotland as the sum of the areas (council and partnership levels).
    pub total: Option<AreaProjection>,
    /// Cells whose rate was pooled with others (disclosure control).
    pub pooled_cells: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dd_age_is_a_band_boundary_and_bands_are_named() {
        assert!(age_bands().iter().any(|b| b.1 == DD_FROM_AGE));
        assert_eq!(band_of_age(90).map(|b| age_bands()[b].0), Some("85+"));
        assert_eq!(band_of_age(17).map(|b| age_bands()[b].0), Some("0-17"));
        let b75 = bands_named("75+").unwrap();
        assert_eq!(b75.iter().map(|b| age_bands()[*b].0).collect::<Vec<_>>(), vec!["75-84", "85+"]);
        assert_eq!(bands_named("65-74").unwrap().len(), 1);
        assert!(bands_named("70+").is_none() && bands_named("old").is_none());
        assert!(Measure::DdBedDays.applies_to(band_of_label("65-74").unwrap()));
        assert!(!Measure::DdBedDays.applies_to(band_of_label("45-64").unwrap()));
    }

    #[test]
    fn scenarios_parse_and_errors_name_the_line() {
        let s = Scenario::from_toml("name = \"fewer\"\n[[change]]\nmeasure = \"emergency_admissions\"\nage_band = \"75+\"\npercent = -10\n").unwrap();
        let b = band_of_label("85+").unwrap();
        assert!((s.factor(Measure::EmergencyAdmissions, b) - 0.9).abs() < 1e-12);
        assert_eq!(s.factor(Measure::EmergencyBedDays, b), 1.0);
        assert_eq!(s.factor(Measure::EmergencyAdmissions, band_of_label("65-74").unwrap()), 1.0);
        let e = Scenario::from_toml("[[change]]\nmeasure = \"emergency_admissions\"\n\nage_band = \"70+\"\npercent = 5\n").unwrap_err();
        assert!(e.starts_with("line 4:") && e.contains("70+"), "{e}");
        let e = Scenario::from_toml("[[change]]\nmeasure = \"admissions\"\npercent = 5\n").unwrap_err();
        assert!(e.starts_with("line 2:") && e.contains("emergency_admissions"), "{e}");
        let e = Scenario::from_toml("[[change]]\nmeasure = \"dd_bed_days\"\nage_band = \"18-44\"\npercent = 5\n").unwrap_err();
        assert!(e.contains("65"), "{e}");
        let e = Scenario::from_toml("[[change]]\nmeasure = \"emergency_admissions\"\npercent = -150\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
    }
}
