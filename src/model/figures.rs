//! Results of queries as plain data (no I/O): what the store computes and the operations layer
//! hands to its clients. The store fills them; `ops` puts them through the disclosure gate and
//! replaces person ids by display pseudonyms before they leave the program.
use crate::model::cohort::Measure;
use crate::model::hri::HriLevel;
use serde::{Deserialize, Serialize};

// ---- cohort size and attrition

/// One row of the attrition table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttritionStep {
    /// Filter label (the first row is the starting population).
    pub filter: String,
    /// Position of the filter in `spec.filters` (None for the starting population).
    pub filter_index: Option<usize>,
    pub remaining: u64,
    /// 100 * remaining / start (None when the start is 0).
    pub pct_of_start: Option<f64>,
    /// 100 * (remaining - previous) / previous (None for the first row or a previous 0).
    pub pct_change: Option<f64>,
}

/// Cohort size and attrition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attrition {
    pub years: Vec<String>,
    /// People with a person-year in the chosen years.
    pub start: u64,
    /// People in the cohort (the last step's `remaining`).
    pub count: u64,
    /// Starting population first, then each enabled filter in order.
    pub steps: Vec<AttritionStep>,
}

// ---- characterisation

/// One category of a breakdown: people in the cohort and in the population.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownRow {
    /// Category key (`"65-74"`, `"F"`, `"1"`, a council code, `"Unknown"`).
    pub key: String,
    /// Display label (council name for councils).
    pub label: String,
    pub cohort: u64,
    pub cohort_pct: Option<f64>,
    pub population: u64,
    pub population_pct: Option<f64>,
}

/// A breakdown of people by one attribute; categories partition everyone (incl. "Unknown").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// `age_band`, `sex`, `simd_quintile`, `ltc_count`, `council`, `hri_band`.
    pub name: String,
    pub title: String,
    pub rows: Vec<BreakdownRow>,
}

/// People with one LTC (not additive: people have several).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LtcPrevalence {
    pub code: String,
    pub label: String,
    pub cohort: u64,
    pub cohort_pct: Option<f64>,
    pub population: u64,
    pub population_pct: Option<f64>,
}

/// Service use or cost: totals, per person, and the cohort's share of the population total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureRow {
    pub measure: String,
    pub label: String,
    pub cohort_total: f64,
    pub cohort_per_person: Option<f64>,
    pub population_total: f64,
    pub population_per_person: Option<f64>,
    /// 100 * cohort total / population total.
    pub cohort_share_pct: Option<f64>,
    /// People in the cohort with any of it (> 0).
    pub cohort_users: u64,
    pub population_users: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Characterisation {
    pub years: Vec<String>,
    pub cohort_people: u64,
    pub population_people: u64,
    /// 100 * cohort / population.
    pub cohort_share_of_people_pct: Option<f64>,
    pub breakdowns: Vec<Breakdown>,
    /// All 19 LTCs, most common in the cohort first ("top LTCs").
    pub ltcs: Vec<LtcPrevalence>,
    pub measures: Vec<MeasureRow>,
}

impl Characterisation {
    pub fn breakdown(&self, name: &str) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.name == name)
    }

    pub fn measure(&self, m: Measure) -> Option<&MeasureRow> {
        self.measures.iter().find(|r| r.measure == m.name())
    }
}

// ---- HRI picture

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandRow {
    pub band: String,
    pub people: u64,
    pub share_of_people: Option<f64>,
    pub share_of_cost: Option<f64>,
    pub share_of_acute_beddays: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Persistence {
    pub previous_year: String,
    /// HRIs in the previous year (in this area then).
    pub previous_hri: u64,
    /// Of those, HRIs again this year.
    pub remained: u64,
    /// Of those, dead by the end of this year.
    pub died: u64,
    /// remained / previous_hri (fraction).
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopShare {
    /// Fraction of people from the top (0.02 = top 2%).
    pub top: f64,
    /// Fraction of health cost they hold.
    pub share_of_cost: f64,
}

/// Figures for one area (or all areas together). Shares are fractions 0..1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HriArea {
    pub area: String,
    pub area_name: String,
    pub people: u64,
    pub hri_people: u64,
    pub hri_share_of_people: Option<f64>,
    pub health_cost: f64,
    pub hri_cost: f64,
    pub hri_share_of_cost: Option<f64>,
    pub acute_beddays: f64,
    pub hri_acute_beddays: f64,
    pub hri_share_of_acute_beddays: Option<f64>,
    pub bands: Vec<BandRow>,
    pub gini: f64,
    /// (share of people cheapest first, share of health cost).
    pub lorenz: Vec<(f64, f64)>,
    pub top_shares: Vec<TopShare>,
    pub persistence: Option<Persistence>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HriPicture {
    pub year: String,
    pub level: HriLevel,
    /// Everyone at this level (Scotland, or all boards/councils pooled).
    #[serde(flatten)]
    pub overall: HriArea,
    /// Per board or council (empty at Scotland level).
    pub areas: Vec<HriArea>,
}

// ---- members

/// Columns the members list sorts by. Ties are always broken by `anon_chi` ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum MemberSort {
    AnonChi,
    Age,
    Sex,
    Simd,
    LtcCount,
    #[default]
    Cost,
    BedDays,
    EmergencyAdmissions,
    /// By the Scotland-level HRI cumulative % (High band first when ascending).
    HriBand,
    Council,
}

/// What page to fetch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRequest {
    pub sort: MemberSort,
    pub desc: bool,
    pub offset: u64,
    pub limit: u64,
    /// Keep only people whose display pseudonym contains this text.
    pub search: Option<String>,
}

/// One member, from their index year (attributes) and the chosen years (use, summed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The person's display pseudonym (the store reads `anon_chi` here; the operations layer
    /// replaces it before a page leaves the program, see `ops::pseudonym`).
    pub id: String,
    pub age: Option<i64>,
    pub age_band: String,
    pub sex: Option<String>,
    pub simd_quintile: Option<i64>,
    pub council: Option<String>,
    pub ltc_count: Option<i64>,
    pub health_cost: f64,
    /// Inpatient bed days (acute, maternity, mental health, GLS).
    pub bed_days: f64,
    pub emergency_admissions: f64,
    /// Scotland-level HRI band of the index year.
    pub hri_band: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MembersPage {
    /// Members matching the search (the whole cohort without one).
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<Member>,
}

// ---- overview

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Overview {
    pub year: String,
    pub years: Vec<String>,
    pub people: i64,
    pub events: i64,
    pub health_cost: f64,
    pub hri_people: i64,
    /// HRIs as a % of people scored (Scottish residents).
    pub hri_pct_people: f64,
    pub hri_pct_cost: f64,
    pub hri_pct_acute_beddays: f64,
    /// HRIs of the previous year who are HRIs again (%), when there is a previous year.
    pub persistence_pct: Option<f64>,
    /// (share of people, share of cost), cheapest first, 0..1.
    pub lorenz: Vec<(f64, f64)>,
    pub gini: f64,
    /// (service name, cost, people)
    pub by_service: Vec<(String, f64, i64)>,
    /// (age band, cost, people)
    pub by_age: Vec<(String, f64, i64)>,
    /// (SIMD quintile label, cost, people)
    pub by_simd: Vec<(String, f64, i64)>,
}
