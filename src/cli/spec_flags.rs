//! The cohort flags shared by `cohort` and `export`: a spec file and/or inline filters, turned
//! into one validated [`CohortSpec`]. (Its own module so that neither subcommand imports the
//! other.)
use crate::model::cohort::{
    AgeRule, CohortSpec, CountRange, DiagnosisRule, Died, Filter, GeoRule, HriRule, LtcRule, Measure, Rule, ServiceRule, Sex,
    SimdLevel, SimdRule,
};
use crate::model::hri::HriLevel;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Where the cohort comes from: a spec file and/or inline filters.
#[derive(Debug, Args, Default, Clone)]
pub struct CohortFlags {
    /// Cohort spec (TOML); inline filter flags are appended after its filters
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Financial years, comma separated (1920, 2019/20 or 2019-20); overrides the spec's years
    #[arg(long, value_delimiter = ',')]
    pub year: Vec<String>,
    /// Minimum age (at 30 September of the FY)
    #[arg(long)]
    pub age_min: Option<u32>,
    /// Maximum age
    #[arg(long)]
    pub age_max: Option<u32>,
    /// Age bands, comma separated (0-17, 18-44, 45-64, 65-74, 75-84, 85+)
    #[arg(long, value_delimiter = ',')]
    pub age_band: Vec<String>,
    /// Sex: M or F
    #[arg(long)]
    pub sex: Option<String>,
    /// SIMD 2020v2 quintiles, comma separated (1 = most deprived)
    #[arg(long, value_delimiter = ',')]
    pub simd_quintile: Vec<u8>,
    /// SIMD 2020v2 deciles (Scotland level), comma separated
    #[arg(long, value_delimiter = ',')]
    pub simd_decile: Vec<u8>,
    /// Geography the SIMD quintile is ranked in
    #[arg(long, value_enum, default_value_t = SimdLevelArg::Scotland)]
    pub simd_level: SimdLevelArg,
    /// Councils (codes or names), comma separated
    #[arg(long, value_delimiter = ',')]
    pub council: Vec<String>,
    /// Health boards (codes or names), comma separated
    #[arg(long, value_delimiter = ',')]
    pub board: Vec<String>,
    /// HSCPs (codes or names), comma separated
    #[arg(long, value_delimiter = ',')]
    pub hscp: Vec<String>,
    /// Localities, comma separated
    #[arg(long, value_delimiter = ',')]
    pub locality: Vec<String>,
    /// Has any of these LTCs (codes: copd, diabetes, ...)
    #[arg(long, value_delimiter = ',')]
    pub ltc: Vec<String>,
    /// Has all of these LTCs
    #[arg(long, value_delimiter = ',')]
    pub ltc_all: Vec<String>,
    /// Has none of these LTCs
    #[arg(long, value_delimiter = ',')]
    pub without_ltc: Vec<String>,
    /// Minimum number of LTCs
    #[arg(long)]
    pub ltc_count_min: Option<u32>,
    /// Maximum number of LTCs
    #[arg(long)]
    pub ltc_count_max: Option<u32>,
    /// HRIs at this level only
    #[arg(long, value_enum)]
    pub hri: Option<HriLevelArg>,
    /// HRI bands (with --hri's level, default Scotland), comma separated
    #[arg(long, value_delimiter = ',')]
    pub hri_band: Vec<String>,
    /// ICD-10 code prefixes in any diagnosis position, in the years (e.g. J44,E11)
    #[arg(long, value_delimiter = ',')]
    pub icd: Vec<String>,
    /// At least this many emergency admissions (summed over the years)
    #[arg(long)]
    pub emergency_min: Option<u32>,
    /// At least this many A&E attendances
    #[arg(long)]
    pub ae_min: Option<u32>,
    /// Had delayed discharge bed days with a Code 9 reason
    #[arg(long)]
    pub code9: bool,
    /// Other service-use ranges: MEASURE=MIN or MEASURE=MIN..MAX (e.g. health_cost=10000), repeatable
    #[arg(long = "use", value_name = "MEASURE=RANGE")]
    pub uses: Vec<String>,
    /// Deaths in the period: include, exclude or only
    #[arg(long, value_enum)]
    pub died: Option<DiedArg>,
    /// Service users only
    #[arg(long, conflicts_with = "non_service_users")]
    pub service_users: bool,
    /// Non-service users only
    #[arg(long)]
    pub non_service_users: bool,
    /// GP practice codes (gpprac), comma separated
    #[arg(long, value_delimiter = ',')]
    pub gp: Vec<String>,
    /// GP clusters, comma separated
    #[arg(long, value_delimiter = ',')]
    pub cluster: Vec<String>,
    /// SPARRA score at the start of the FY at least this (e.g. 50)
    #[arg(long)]
    pub sparra_min: Option<f64>,
    /// Homelessness application active in the FY (hl1_in_fy)
    #[arg(long)]
    pub hl1: bool,
    /// PHS's published population only (keep_population = 1)
    #[arg(long)]
    pub population: bool,
    /// Temporal filter "A then B within N days": the first event (with --seq-then, --seq-within-days)
    #[arg(long, value_enum)]
    pub seq_first: Option<crate::model::events::IndexKind>,
    /// ICD-10 prefix or record type of --seq-first (diagnosis / service)
    #[arg(long)]
    pub seq_first_code: Option<String>,
    /// Temporal filter: the event that follows
    #[arg(long, value_enum)]
    pub seq_then: Option<crate::model::events::IndexKind>,
    /// ICD-10 prefix or record type of --seq-then
    #[arg(long)]
    pub seq_then_code: Option<String>,
    /// Temporal filter: the second event starts within this many days of the first
    #[arg(long)]
    pub seq_within_days: Option<u32>,
    /// Temporal filter: count the days from the first event's end (an admission: discharge)
    #[arg(long)]
    pub seq_from_end: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SimdLevelArg {
    #[default]
    Scotland,
    Board,
    Hscp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HriLevelArg {
    Scotland,
    Board,
    Council,
}

impl From<HriLevelArg> for HriLevel {
    fn from(a: HriLevelArg) -> HriLevel {
        match a {
            HriLevelArg::Scotland => HriLevel::Scotland,
            HriLevelArg::Board => HriLevel::Board,
            HriLevelArg::Council => HriLevel::Council,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiedArg {
    Include,
    Exclude,
    Only,
}

/// The spec file (if any) plus the inline flags, validated.
pub fn spec_from_flags(f: &CohortFlags) -> Result<CohortSpec> {
    let mut spec = match &f.spec {
        Some(p) => crate::ops::read_spec(p)?,
        None => CohortSpec::default(),
    };
    if !f.year.is_empty() {
        spec.years = f.year.iter().map(|y| crate::ops::year::normalise(y)).collect::<Result<_, _>>()?;
    }
    let mut add = |r: Rule| spec.filters.push(Filter::new(r));
    if f.age_min.is_some() || f.age_max.is_some() || !f.age_band.is_empty() {
        add(Rule::Age(AgeRule { min: f.age_min, max: f.age_max, bands: f.age_band.clone() }));
    }
    if let Some(s) = &f.sex {
        add(Rule::Sex(match s.trim().to_ascii_uppercase().as_str() {
            "M" | "MALE" | "1" => Sex::M,
            "F" | "FEMALE" | "2" => Sex::F,
            other => bail!("--sex: {other:?} is not M or F"),
        }));
    }
    if !f.simd_quintile.is_empty() || !f.simd_decile.is_empty() {
        let level = match f.simd_level {
            SimdLevelArg::Scotland => SimdLevel::Scotland,
            SimdLevelArg::Board => SimdLevel::Board,
            SimdLevelArg::Hscp => SimdLevel::Hscp,
        };
        add(Rule::Simd(SimdRule { quintile: f.simd_quintile.clone(), decile: f.simd_decile.clone(), level }));
    }
    if !f.council.is_empty() || !f.board.is_empty() || !f.hscp.is_empty() || !f.locality.is_empty() {
        add(Rule::Geography(GeoRule {
            council: f.council.clone(),
            board: f.board.clone(),
            hscp: f.hscp.clone(),
            locality: f.locality.clone(),
            datazone: Vec::new(),
        }));
    }
    if !f.ltc.is_empty() || !f.ltc_all.is_empty() || !f.without_ltc.is_empty() {
        add(Rule::Ltc(LtcRule { any: f.ltc.clone(), all: f.ltc_all.clone(), none: f.without_ltc.clone() }));
    }
    if f.ltc_count_min.is_some() || f.ltc_count_max.is_some() {
        add(Rule::LtcCount(CountRange { min: f.ltc_count_min, max: f.ltc_count_max }));
    }
    if f.hri.is_some() || !f.hri_band.is_empty() {
        let level = f.hri.map(HriLevel::from).unwrap_or(HriLevel::Scotland);
        let flag = if f.hri.is_some() && f.hri_band.is_empty() { Some(true) } else { None };
        add(Rule::Hri(HriRule { level, flag, bands: f.hri_band.clone() }));
    }
    if !f.icd.is_empty() {
        add(Rule::Diagnosis(DiagnosisRule { prefixes: f.icd.clone(), main_only: false, from: None, to: None }));
    }
    if let Some(n) = f.emergency_min {
        add(Rule::Service(ServiceRule { measure: Measure::EmergencyAdmissions, min: Some(n as f64), max: None }));
    }
    if let Some(n) = f.ae_min {
        add(Rule::Service(ServiceRule { measure: Measure::AeAttendances, min: Some(n as f64), max: None }));
    }
    if f.code9 {
        add(Rule::Service(ServiceRule { measure: Measure::DdCode9Beddays, min: Some(1.0), max: None }));
    }
    for u in &f.uses {
        let (name, range) = u.split_once('=').with_context(|| format!("--use {u:?}: expected MEASURE=MIN or MEASURE=MIN..MAX"))?;
        let measure = Measure::parse(name).with_context(|| {
            let names: Vec<&str> = Measure::ALL.iter().map(|m| m.name()).collect();
            format!("--use: unknown measure {name:?} (one of {})", names.join(", "))
        })?;
        let num = |s: &str| -> Result<Option<f64>> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse::<f64>().map(Some).with_context(|| format!("--use {u:?}: {s:?} is not a number"))
            }
        };
        let (min, max) = match range.split_once("..") {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(range)?, None),
        };
        add(Rule::Service(ServiceRule { measure, min, max }));
    }
    if let Some(d) = f.died {
        add(Rule::Died(match d {
            DiedArg::Include => Died::Include,
            DiedArg::Exclude => Died::Exclude,
            DiedArg::Only => Died::Only,
        }));
    }
    if f.service_users {
        add(Rule::ServiceUser(true));
    }
    if f.non_service_users {
        add(Rule::ServiceUser(false));
    }
    if !f.gp.is_empty() || !f.cluster.is_empty() {
        add(Rule::Practice(crate::model::cohort::PracticeRule { gp: f.gp.clone(), cluster: f.cluster.clone() }));
    }
    if f.sparra_min.is_some() {
        add(Rule::Sparra(crate::model::cohort::ScoreRange { min: f.sparra_min, max: None }));
    }
    if f.hl1 {
        add(Rule::Homeless(true));
    }
    if f.population {
        add(Rule::Population(true));
    }
    if f.seq_first.is_some() || f.seq_then.is_some() || f.seq_within_days.is_some() {
        let (Some(first), Some(then), Some(within_days)) = (f.seq_first, f.seq_then, f.seq_within_days) else {
            bail!("a temporal filter needs --seq-first, --seq-then and --seq-within-days (e.g. --seq-first emergency-admission --seq-then emergency-admission --seq-within-days 28 --seq-from-end)")
        };
        let event = |kind, code: &Option<String>| crate::model::events::EventSpec { code: code.clone(), ..crate::model::events::EventSpec::new(kind) };
        add(Rule::Sequence(crate::model::cohort::SequenceRule {
            first: event(first, &f.seq_first_code),
            then: event(then, &f.seq_then_code),
            within_days,
            from_end: f.seq_from_end,
        }));
    }
    crate::ops::limits::filters(spec.filters.len())?;
    spec.validate().map_err(crate::ops::OpsError::from)?;
    Ok(spec)
}

