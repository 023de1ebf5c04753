//! `carepath cohort`: count, attrition and characterisation of a cohort from a spec file or
//! inline filter flags (flags are appended after the spec's filters, in the order listed in
//! `--help`), through the disclosure gate unless `--no-sdc`. `--members N` lists one sorted page
//! of the cohort's people by display pseudonym (audited).
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, pounds, tables_csv, tables_json, tables_text, thousands, Format, TextTable};
use super::spec_flags::{spec_from_flags, CohortFlags};
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::Cell;
use crate::model::figures::{MemberSort, MembersPage, PageRequest};
use crate::ops::{self, Answer, CohortFigures, Gated, Query};
use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;

pub use super::spec_flags::{DiedArg, HriLevelArg, SimdLevelArg};

#[derive(Debug, Args)]
pub struct CohortArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write the (combined) spec to this TOML file, to share or edit
    #[arg(long)]
    pub save: Option<PathBuf>,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
    /// List this many of the cohort's people (display pseudonyms; audited) instead of the summary
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
    /// Members list: only people whose pseudonym contains this text
    #[arg(long)]
    pub search: Option<String>,
}

pub fn run(args: &CohortArgs) -> Result<i32> {
    let spec = spec_from_flags(&args.cohort)?;
    let ctx = args.ws.open()?;
    if let Some(path) = &args.save {
        ops::run(&Query::SaveSpec { path: path.clone(), spec: spec.clone() }, &ctx)?;
    }
    if let Some(limit) = args.members {
        let page = PageRequest { sort: args.sort, desc: !args.asc, offset: args.offset, limit, search: args.search.clone() };
        let Answer::Members(p) = ops::run(&Query::Members { spec, page }, &ctx)? else { bail!("unexpected answer to a members query") };
        emit(&render_members(&p, args.format)?);
        return Ok(0);
    }
    ctx.set_sdc(args.disclosure.sdc()?)?;
    let Answer::Cohort(g) = ops::run(&Query::Cohort { spec }, &ctx)? else { bail!("unexpected answer to a cohort query") };
    emit(&render(&g, args.format)?);
    Ok(0)
}

/// The published cohort count, starting population and % of start (last and first attrition
/// rows), as shown: withheld cells stay withheld.
fn headline(g: &Gated<CohortFigures>) -> (Option<&Cell>, Option<&Cell>, Option<&Cell>) {
    let last = g.table("attrition").map(|t| t.rows.len().saturating_sub(1)).unwrap_or(0);
    (g.cell("attrition", last, 2), g.cell("attrition", 0, 2), g.cell("attrition", last, 3))
}

fn shown(c: Option<&Cell>) -> String {
    match c {
        Some(Cell::Count(n)) => thousands(*n as i64),
        Some(c) => c.render(),
        None => String::new(),
    }
}

pub fn render(g: &Gated<CohortFigures>, format: Format) -> Result<String> {
    let (count, start, pct) = headline(g);
    Ok(match format {
        Format::Json => {
            let spec = g.raw().map(|f| &f.spec);
            let mut v = serde_json::json!({
                "heading": g.heading,
                "disclosure": g.disclosure,
                "count": cell_json(count),
                "start": cell_json(start),
                "tables": tables_json(&g.tables),
            });
            if let Some(f) = g.raw() {
                v["name"] = f.spec.name.clone().into();
                v["years"] = serde_json::to_value(&f.attrition.years)?;
                v["attrition"] = serde_json::to_value(&f.attrition.steps)?;
                v["characterisation"] = serde_json::to_value(&f.characterisation)?;
                v["spec"] = serde_json::to_value(spec)?;
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => {
            let pct = match pct {
                Some(Cell::Suppressed) => "*".to_string(),
                Some(c) if !c.render().is_empty() => format!("{}%", c.render()),
                _ => String::new(),
            };
            let mut s = format!("{}\nCount: {} of {} people ({pct})\n\n", g.heading, shown(count), shown(start));
            s.push_str(&tables_text(&g.tables, &g.disclosure));
            s
        }
    })
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        thousands(x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// A members page: person pseudonyms only (never anon_chi).
fn render_members(page: &MembersPage, format: Format) -> Result<String> {
    let opt = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(page)? + "\n",
        Format::Csv => {
            let mut s = String::from("person,age,age_band,sex,simd_quintile,council,ltc_count,health_cost,bed_days,emergency_admissions,hri_band\n");
            for m in &page.rows {
                let o = |x: &Option<String>| x.clone().unwrap_or_default();
                s.push_str(&crate::format::csv_line([
                    m.id.clone(),
                    opt(m.age),
                    m.age_band.clone(),
                    o(&m.sex),
                    opt(m.simd_quintile),
                    o(&m.council),
                    opt(m.ltc_count),
                    format!("{:.2}", m.health_cost),
                    m.bed_days.to_string(),
                    m.emergency_admissions.to_string(),
                    o(&m.hri_band),
                ]));
                s.push('\n');
            }
            s
        }
        Format::Table => {
            let mut t = TextTable::new(&["person", "age", "sex", "SIMD", "council", "LTCs", "health cost", "bed days", "emerg.", "HRI band"]);
            for m in &page.rows {
                t.row(vec![
                    m.id.clone(),
                    opt(m.age),
                    m.sex.clone().unwrap_or_default(),
                    opt(m.simd_quintile),
                    m.council
                        .as_deref()
                        .map(|c| crate::model::cohort::geography_name(c, crate::model::cohort::GeoKind::Council).unwrap_or_else(|| c.to_string()))
                        .unwrap_or_default(),
                    opt(m.ltc_count),
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
