//! The resource cube (plain data, no I/O): one measure of a year's person-years (people, HRIs,
//! costs, bed days, admissions, ...) by one or two dimensions (`model::dimension`), as a sum,
//! per person, per 1,000 people or directly age-sex-standardised per 1,000, with the share
//! held by the top x% of each cell's people (Derbyshire's "the majority of resources consumed
//! by less than 20%").
//!
//! **People** of a cell: the person-years of the year (`person_year`, which with an individual
//! file includes its non-service users) of the cohort's people (everyone without a cohort) in
//! that cell. Every rate's denominator is the cell's people; no population estimates are used.
//!
//! **Direct standardisation**: per cell, the age-sex-specific rates (events / people in each
//! 5-year age group x sex) weighted by a standard population and summed, per 1,000. The
//! standard is the European Standard Population 2013 (`assets/esp2013.csv`, the same weights
//! for both sexes, as PHS and ScotPHO use it) or the workspace's own population of the year
//! (everyone, whatever the cohort). A stratum without people in a cell counts as a rate of 0,
//! so every cell is standardised to the same whole population; person-years without an age or
//! with a sex other than F/M are left out of standardised rates (they stay in the counts).
use super::codes::rows;
use super::dimension::Dimension;
use crate::model::cohort::CohortSpec;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a cell sums over its person-years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CubeMeasure {
    /// People (person-years).
    People,
    /// High resource individuals at Scotland level (`hri_scot`).
    Hri,
    /// Health cost (`health_net_cost`).
    HealthCost,
    AcuteCost,
    MaternityCost,
    MentalHealthCost,
    GlsCost,
    OutpatientCost,
    AeCost,
    PrescribingCost,
    OohCost,
    DistrictNursingCost,
    /// Social care cost: care home and home care (the SLF carries no SDS or alarm cost).
    SocialCareCost,
    CareHomeCost,
    HomeCareCost,
    /// Inpatient bed days (acute, maternity, mental health, GLS).
    BedDays,
    /// Emergency admissions (stays).
    EmergencyAdmissions,
    /// A&E attendances.
    AeAttendances,
    /// Delayed discharge bed days.
    DdBedDays,
    /// Potentially preventable admissions (stays).
    PpaAdmissions,
}

impl CubeMeasure {
    /// The measure of one person-year `p` (our own SQL text).
    pub fn sql(&self) -> &'static str {
        match self {
            CubeMeasure::People => "1",
            CubeMeasure::Hri => "CASE WHEN p.hri_scot THEN 1 ELSE 0 END",
            CubeMeasure::HealthCost => "p.health_net_cost",
            CubeMeasure::AcuteCost => "p.acute_cost",
            CubeMeasure::MaternityCost => "p.mat_cost",
            CubeMeasure::MentalHealthCost => "p.mh_cost",
            CubeMeasure::GlsCost => "p.gls_cost",
            CubeMeasure::OutpatientCost => "p.op_cost",
            CubeMeasure::AeCost => "p.ae_cost",
            CubeMeasure::PrescribingCost => "p.pis_cost",
            CubeMeasure::OohCost => "p.ooh_cost",
            CubeMeasure::DistrictNursingCost => "p.dn_cost",
            CubeMeasure::SocialCareCost => "(coalesce(p.ch_cost, 0) + coalesce(p.hc_cost, 0))",
            CubeMeasure::CareHomeCost => "p.ch_cost",
            CubeMeasure::HomeCareCost => "p.hc_cost",
            CubeMeasure::BedDays => "p.inpatient_beddays",
            CubeMeasure::EmergencyAdmissions => "p.emergency_admissions",
            CubeMeasure::AeAttendances => "p.ae_attendances",
            CubeMeasure::DdBedDays => "p.dd_beddays",
            CubeMeasure::PpaAdmissions => "p.ppa_admissions",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            CubeMeasure::People => "people",
            CubeMeasure::Hri => "high resource individuals (Scotland)",
            CubeMeasure::HealthCost => "health cost (£)",
            CubeMeasure::AcuteCost => "acute cost (£)",
            CubeMeasure::MaternityCost => "maternity cost (£)",
            CubeMeasure::MentalHealthCost => "mental health cost (£)",
            CubeMeasure::GlsCost => "geriatric long stay cost (£)",
            CubeMeasure::OutpatientCost => "outpatient cost (£)",
            CubeMeasure::AeCost => "A&E cost (£)",
            CubeMeasure::PrescribingCost => "prescribing cost (£)",
            CubeMeasure::OohCost => "out of hours cost (£)",
            CubeMeasure::DistrictNursingCost => "district nursing cost (£)",
            CubeMeasure::SocialCareCost => "social care cost (£, care home + home care)",
            CubeMeasure::CareHomeCost => "care home cost (£)",
            CubeMeasure::HomeCareCost => "home care cost (£)",
            CubeMeasure::BedDays => "inpatient bed days",
            CubeMeasure::EmergencyAdmissions => "emergency admissions",
            CubeMeasure::AeAttendances => "A&E attendances",
            CubeMeasure::DdBedDays => "delayed discharge bed days",
            CubeMeasure::PpaAdmissions => "potentially preventable admissions",
        }
    }

    /// A count of people or events (withheld when small), rather than money or days (shown
    /// with, and withheld with, the cell's people).
    pub fn is_count(&self) -> bool {
        matches!(self, CubeMeasure::People | CubeMeasure::Hri | CubeMeasure::EmergencyAdmissions | CubeMeasure::AeAttendances | CubeMeasure::PpaAdmissions)
    }
}

/// How a cell's sum is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CubeRate {
    /// The sum over the cell's person-years.
    #[default]
    Total,
    /// Sum / people.
    PerPerson,
    /// Sum x 1,000 / people.
    Per1000,
    /// Directly age-sex-standardised rate per 1,000 (see the module doc).
    Standardised,
}

impl CubeRate {
    pub fn label(&self) -> &'static str {
        match self {
            CubeRate::Total => "total",
            CubeRate::PerPerson => "per person",
            CubeRate::Per1000 => "per 1,000 people",
            CubeRate::Standardised => "age-sex-standardised per 1,000",
        }
    }
}

/// The standard population of a standardised rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Standard {
    /// European Standard Population 2013 (`assets/esp2013.csv`).
    #[default]
    Esp2013,
    /// The workspace's own population of the year (Scotland, or whatever the extract covers).
    Workspace,
}

/// One age group of the standard population: ages `from..=to` and its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeGroup {
    pub from: u32,
    pub to: u32,
    pub weight: f64,
}

/// The European Standard Population 2013 in 5-year age groups (0-4 ... 85-89, 90+), 100,000 in
/// all (`assets/esp2013.csv`).
pub fn esp2013() -> &'static [AgeGroup] {
    static R: OnceLock<Vec<AgeGroup>> = OnceLock::new();
    R.get_or_init(|| {
        rows(include_str!("../../assets/esp2013.csv"))
            .into_iter()
            .filter_map(|r| Some(AgeGroup { from: r.first()?.trim().parse().ok()?, to: r.get(1)?.trim().parse().ok()?, weight: r.get(2)?.trim().parse().ok()? }))
            .collect()
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct CubeRequest {
    /// The people (None: everyone).
    pub spec: Option<CohortSpec>,
    /// The financial year (None: the spec's, else the latest loaded); ignored when a
    /// dimension is `year`.
    pub year: Option<String>,
    pub measure: CubeMeasure,
    pub rows: Dimension,
    pub cols: Option<Dimension>,
    pub rate: CubeRate,
    pub standard: Standard,
    /// Also give each cell's share of the measure held by its top `top` % of people.
    pub top: Option<f64>,
}

/// One cell (or a total: `row`/`col` "total"; `col` empty without columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CubeCell {
    pub row: String,
    pub col: String,
    /// The groups' own codes (`lca` "16", practice "43210", SIMD "1"; "" when not recorded or
    /// a total), from which a cell's people are found again (see `Dimension::filter_toml`).
    #[serde(skip)]
    pub row_key: String,
    #[serde(skip)]
    pub col_key: String,
    pub people: u64,
    /// The measure summed over the cell's person-years.
    pub sum: f64,
    /// The figure asked for (`sum`, per person, per 1,000 or standardised); NaN without people.
    pub value: f64,
    /// Percent of `sum` held by the cell's top x% of people (ranked by the measure).
    pub top_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CubeFigures {
    /// The years covered (one unless a dimension is `year`).
    pub years: Vec<String>,
    pub measure: CubeMeasure,
    pub rows: Dimension,
    pub cols: Option<Dimension>,
    pub rate: CubeRate,
    pub standard: Standard,
    pub top: Option<f64>,
    /// Row keys in display order, and column keys (empty without columns).
    pub row_keys: Vec<String>,
    pub col_keys: Vec<String>,
    /// One per (row, col) that has people, in row then column order.
    pub cells: Vec<CubeCell>,
    pub row_totals: Vec<CubeCell>,
    pub col_totals: Vec<CubeCell>,
    pub total: CubeCell,
}

/// `sum` as the rate asks (standardised rates are computed from strata, not here).
pub fn crude(rate: CubeRate, sum: f64, people: u64) -> f64 {
    match rate {
        CubeRate::Total => sum,
        _ if people == 0 => f64::NAN,
        CubeRate::PerPerson => sum / people as f64,
        CubeRate::Per1000 | CubeRate::Standardised => sum * 1000.0 / people as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_population_is_esp2013_and_crude_rates_divide_by_people() {
        let esp = esp2013();
        assert_eq!(esp.len(), 19);
        assert_eq!(esp.iter().map(|g| g.weight).sum::<f64>(), 100_000.0);
        assert_eq!((esp[0].from, esp[0].to, esp[0].weight), (0, 4, 5000.0));
        assert_eq!((esp[18].from, esp[18].weight), (90, 1000.0));
        assert_eq!(crude(CubeRate::PerPerson, 30.0, 4), 7.5);
        assert_eq!(crude(CubeRate::Per1000, 3.0, 1500), 2.0);
        assert!(crude(CubeRate::Per1000, 3.0, 0).is_nan());
    }
}
