//! `carepath cohort`: count, attrition and characterisation of a cohort from a spec file or
//! inline filter flags (flags are appended after the spec's filters, in the order listed in
//! `--help`). `--members N` lists one sorted page of the cohort's people (audited).
use super::output::{pounds, thousands, Format, TextTable};
use crate::analysis::disclosure::{self, Policy};
use crate::model::cohort::{
    AgeRule, CohortSpec, CountRange, DiagnosisRule, Died, Filter, GeoRule, HriRule, LtcRule, Measure, Rule, ServiceRule, Sex,
    SimdLevel, SimdRule,
};
use crate::model::hri::HriLevel;
use crate::store::cohort::{self as engine, Attrition, Characterisation, MemberSort, MembersPage, PageRequest};
use crate::store::Workspace;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Where the cohort comes from: a spec file and/or inline filters.
#[derive(Debug, Args, Default, Clone)]
pub struct CohortFlags {
    /// Cohort spec (TOML); inline filter flags are appended after its filters
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Financial years, comma separated (e.g. 1819,1920); overrides the spec's years
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

#[derive(Debug, Args)]
pub struct CohortArgs {
    /// Workspace file (default: sample-data/.carepath/workspace.duckdb)
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write the (combined) spec to this TOML file, to share or edit
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Apply disclosure control (threshold, secondary suppression) to the printed tables
    #[arg(long)]
    pub sdc: bool,
    /// Disclosure threshold for --sdc (counts below it are withheld)
    #[arg(long, default_value_t = 10)]
    pub threshold: u64,
    /// List this many of the cohort's people (anonymised ids; audited) instead of the summary
    #[arg(long)]
    pub members: Option<u64>,
    /// Members list sort column
    #[arg(long, value_enum, default_value_t = MemberSort::Cost)]
    pub sort: MemberSort,
    /// Members list ascending (default: descending)
    #[arg(long)]
    pub asc: bool,
    /// Members list offset
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Members list: only ids containing this text
    #[arg(long)]
    pub search: Option<String>,
}

/// The workspace named, or the sample's; it must exist and hold a model (never created here).
pub fn open_existing(path: Option<&Path>) -> Result<Workspace> {
    let p = path.map(Path::to_path_buf).unwrap_or_else(|| crate::store::default_workspace_for(Path::new("sample-data")));
    if !p.is_file() {
        bail!("no workspace at {} (create one with `carepath load <extracts> --workspace {}`)", p.display(), p.display());
    }
    let ws = Workspace::open(&p)?;
    if !ws.has_model()? {
        bail!("workspace {} holds no loaded extracts yet (run `carepath load`)", p.display());
    }
    Ok(ws)
}

/// The spec file (if any) plus the inline flags, validated.
pub fn spec_from_flags(f: &CohortFlags) -> Result<CohortSpec> {
    let mut spec = match &f.spec {
        Some(p) => CohortSpec::from_file(p)?,
        None => CohortSpec::default(),
    };
    if !f.year.is_empty() {
        spec.years = f.year.iter().map(|y| y.trim().to_string()).collect();
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
    spec.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(spec)
}

pub fn run(args: &CohortArgs) -> Result<i32> {
    let spec = spec_from_flags(&args.cohort)?;
    if let Some(path) = &args.save {
        std::fs::write(path, spec.to_toml()).with_context(|| format!("could not write {}", path.display()))?;
    }
    let ws = open_existing(args.workspace.as_deref())?;
    if let Some(limit) = args.members {
        let req = PageRequest { sort: args.sort, desc: !args.asc, offset: args.offset, limit, search: args.search.clone() };
        let page = engine::members_page(&ws.conn, &spec, &req)?;
        crate::store::schema::audit(
            &ws.conn,
            "cohort members",
            &format!("spec {:?}: listed {} of {} members (offset {})", spec_name(&spec), page.rows.len(), page.total, args.offset),
        )?;
        print!("{}", render_members(&page, args.format)?);
        return Ok(0);
    }
    let att = engine::count_and_attrition(&ws.conn, &spec)?;
    let ch = engine::characterise(&ws.conn, &spec)?;
    if args.sdc {
        let policy = Policy { threshold: args.threshold, ..Policy::default() };
        let tables = super::export::publish(&policy, &att, &ch);
        print!("{}", super::export::render_published(&tables, args.format)?);
        return Ok(0);
    }
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&serde_json::json!({
            "name": spec.name,
            "years": att.years,
            "count": att.count,
            "start": att.start,
            "attrition": att.steps,
            "characterisation": ch,
            "spec": spec,
        }))? + "\n",
        Format::Csv => render_csv(&att, &ch),
        Format::Table => render_table(&spec, &att, &ch),
    };
    print!("{out}");
    Ok(0)
}

pub fn spec_name(spec: &CohortSpec) -> String {
    if spec.name.is_empty() {
        "(unnamed)".into()
    } else {
        spec.name.clone()
    }
}

fn p1(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.1}%")).unwrap_or_default()
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        thousands(x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

fn measure_value(m: &str, v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(x) if Measure::parse(m).is_some_and(|m| m.is_money()) => pounds(x),
        Some(x) => format!("{x:.2}"),
    }
}

pub fn render_attrition(att: &Attrition) -> String {
    let mut t = TextTable::new(&["step", "filter", "remaining", "% of start", "% change"]);
    for (i, s) in att.steps.iter().enumerate() {
        t.row(vec![i.to_string(), s.filter.clone(), thousands(s.remaining as i64), p1(s.pct_of_start), p1(s.pct_change)]);
    }
    t.render()
}

fn render_table(spec: &CohortSpec, att: &Attrition, ch: &Characterisation) -> String {
    let years: Vec<String> = att.years.iter().map(|y| crate::model::year::label(y)).collect();
    let mut s = format!(
        "Cohort {}  ({})\nCount: {} of {} people ({})\n\nAttrition\n",
        spec_name(spec),
        years.join(", "),
        thousands(att.count as i64),
        thousands(att.start as i64),
        p1(if att.start > 0 { Some(100.0 * att.count as f64 / att.start as f64) } else { None }),
    );
    s.push_str(&render_attrition(att));
    for b in &ch.breakdowns {
        s.push_str(&format!("\n{}\n", b.title));
        let mut t = TextTable::new(&["", "cohort", "%", "population", "%"]);
        for r in &b.rows {
            t.row(vec![r.label.clone(), thousands(r.cohort as i64), p1(r.cohort_pct), thousands(r.population as i64), p1(r.population_pct)]);
        }
        s.push_str(&t.render());
    }
    s.push_str("\nLong-term conditions (most common in the cohort first)\n");
    let mut t = TextTable::new(&["", "cohort", "%", "population", "%"]);
    for l in ch.ltcs.iter().take(10) {
        t.row(vec![l.label.clone(), thousands(l.cohort as i64), p1(l.cohort_pct), thousands(l.population as i64), p1(l.population_pct)]);
    }
    s.push_str(&t.render());
    s.push_str("\nService use and cost over the years (per person; cohort share of the population total)\n");
    let mut t = TextTable::new(&["", "cohort / person", "population / person", "cohort total", "share of population"]);
    for m in &ch.measures {
        t.row(vec![
            m.label.clone(),
            measure_value(&m.measure, m.cohort_per_person),
            measure_value(&m.measure, m.population_per_person),
            if Measure::parse(&m.measure).is_some_and(|x| x.is_money()) { pounds(m.cohort_total) } else { num(m.cohort_total) },
            p1(m.cohort_share_pct),
        ]);
    }
    s.push_str(&t.render());
    s
}

/// One long CSV: section,item,cohort,cohort_pct,population,population_pct,pct_change.
fn render_csv(att: &Attrition, ch: &Characterisation) -> String {
    use crate::analysis::disclosure::neutralise;
    let field = |s: &str| {
        let s = neutralise(s);
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let f = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
    let mut out = String::from("section,item,cohort,cohort_pct,population,population_pct,pct_change\n");
    for s in &att.steps {
        out.push_str(&format!("attrition,{},{},{},,,{}\n", field(&s.filter), s.remaining, f(s.pct_of_start), f(s.pct_change)));
    }
    for b in &ch.breakdowns {
        for r in &b.rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},\n",
                b.name,
                field(&r.label),
                r.cohort,
                f(r.cohort_pct),
                r.population,
                f(r.population_pct)
            ));
        }
    }
    for l in &ch.ltcs {
        out.push_str(&format!("ltc,{},{},{},{},{},\n", field(&l.label), l.cohort, f(l.cohort_pct), l.population, f(l.population_pct)));
    }
    for m in &ch.measures {
        out.push_str(&format!(
            "per_person,{},{},{},{},,\n",
            m.measure,
            f(m.cohort_per_person),
            f(m.cohort_share_pct),
            f(m.population_per_person)
        ));
    }
    out
}

fn render_members(page: &MembersPage, format: Format) -> Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(page)? + "\n",
        Format::Csv => {
            let mut s = String::from("anon_chi,age,age_band,sex,simd_quintile,council,ltc_count,health_cost,bed_days,emergency_admissions,hri_band\n");
            for m in &page.rows {
                let o = |x: &Option<String>| disclosure::neutralise(x.as_deref().unwrap_or(""));
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{:.2},{},{},{}\n",
                    disclosure::neutralise(&m.anon_chi),
                    m.age.map(|v| v.to_string()).unwrap_or_default(),
                    m.age_band,
                    o(&m.sex),
                    m.simd_quintile.map(|v| v.to_string()).unwrap_or_default(),
                    o(&m.council),
                    m.ltc_count.map(|v| v.to_string()).unwrap_or_default(),
                    m.health_cost,
                    m.bed_days,
                    m.emergency_admissions,
                    o(&m.hri_band)
                ));
            }
            s
        }
        Format::Table => {
            let mut t = TextTable::new(&["anon_chi", "age", "sex", "SIMD", "council", "LTCs", "health cost", "bed days", "emerg.", "HRI band"]);
            for m in &page.rows {
                t.row(vec![
                    m.anon_chi.clone(),
                    m.age.map(|v| v.to_string()).unwrap_or_default(),
                    m.sex.clone().unwrap_or_default(),
                    m.simd_quintile.map(|v| v.to_string()).unwrap_or_default(),
                    m.council
                        .as_deref()
                        .map(|c| crate::model::cohort::geography_name(c, crate::model::cohort::GeoKind::Council).unwrap_or_else(|| c.to_string()))
                        .unwrap_or_default(),
                    m.ltc_count.map(|v| v.to_string()).unwrap_or_default(),
                    pounds(m.health_cost),
                    num(m.bed_days),
                    num(m.emergency_admissions),
                    m.hri_band.clone().unwrap_or_default(),
                ]);
            }
            format!(
                "Members {}-{} of {}\n{}",
                page.offset + if page.rows.is_empty() { 0 } else { 1 },
                page.offset + page.rows.len() as u64,
                thousands(page.total as i64),
                t.render()
            )
        }
    })
}
