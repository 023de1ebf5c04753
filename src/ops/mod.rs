//! The operations layer: the one place where an answer leaves carepath.
//!
//! Every client (the explorer's worker, every CLI subcommand, export) builds a typed [`Query`],
//! calls [`run`] with a [`Context`], and gets a typed [`Answer`] or an [`OpsError`]. Inside
//! `run`, and nowhere else:
//! - aggregates (overview, attrition, characterisation, HRI) go through the disclosure gate
//!   ([`crate::analysis::disclosure`]) when the context's [`Sdc`] is on, with cells that show
//!   the same number in several tables withheld together, and (for outputs that leave the
//!   program, [`Audience::Output`]) the differencing guard against earlier outputs of the same
//!   workspace and a record of every count released (`audit_release_counts`);
//! - figures without disclosure control that leave the program are written to the audit log;
//! - every person-level view (members page, timeline, person-level export, id reveal) is
//!   audited with the OS identity before it is returned, and a failed audit write stops it;
//! - person ids are replaced by display pseudonyms ([`pseudonym`]); `anon_chi` never leaves.
//!
//! How a client uses it:
//! ```no_run
//! use carepath::ops::{self, Audience, Context, Query, Answer};
//! # fn main() -> Result<(), ops::OpsError> {
//! // CLI: an existing workspace, outputs gated by default (threshold 10, secondary suppression).
//! let ctx = Context::open(std::path::Path::new("sample-data/.carepath/workspace.duckdb"), Audience::Output)?;
//! let spec = carepath::model::cohort::CohortSpec::default();
//! match ops::run(&Query::Cohort { spec }, &ctx)? {
//!     Answer::Cohort(g) => {
//!         for t in &g.tables { println!("{}: {} rows", t.name, t.table.rows.len()); }
//!         println!("{}", g.disclosure.text);
//!     }
//!     _ => unreachable!("a Cohort query answers Answer::Cohort"),
//! }
//! # Ok(()) }
//! ```
//! The explorer's worker owns its connection: `Context::new(conn, path, Audience::Screen)`
//! (on screen, disclosure control is off until the user presses `!`: send
//! `Query::SetDisclosure(Sdc::On(Policy::default()))`), keeps `ctx.interrupt_handle()` on the
//! UI side to cancel (a cancelled query answers `Err(OpsError::Cancelled)`), and calls
//! [`run_with_progress`] for loads. Gated answers carry the published tables; the typed raw
//! figures ([`Gated::raw`]) are there only when disclosure control is off.
//!
//! Stability: variants and fields are only ever added (later views add Query/Answer variants).
pub mod audit;
pub mod compare_tables;
pub mod cube_tables;
pub mod delay_tables;
mod context;
pub mod error;
pub mod identity;
pub mod limits;
pub mod pathway_tables;
mod pathway_members;
pub mod projection_tables;
pub mod pseudonym;
pub mod socialcare_tables;
pub mod spc_tables;
pub mod tables;
pub mod trigger_tables;
pub mod unscheduled_tables;
pub mod year;

mod export;
mod gate;

pub use context::{Audience, Context, Sdc};
pub use error::OpsError;
pub use export::{ExportFormat, ExportReport, ExportRequest};
pub use gate::{DisclosureNote, Gated, Shown};
pub use identity::Identity;
pub use tables::NamedTable;

use crate::analysis::disclosure::Policy;
use crate::model::audit::AuditLog;
use crate::model::cohort::CohortSpec;
use crate::model::dimension::Dimension;
use crate::model::figures::{Attrition, Characterisation, HriPicture, MembersPage, Overview, PageRequest};
use crate::model::hri::HriLevel;
use crate::model::timeline::Timeline;
use crate::store::report::LoadReport;
use duckdb::Connection;
use std::path::{Path, PathBuf};

/// What a client asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The financial years loaded, oldest first.
    Years,
    /// The overview figures of a year (default: the latest).
    Overview { year: Option<String> },
    /// Cohort size and attrition (cheap; the builder's count on every edit).
    Attrition { spec: CohortSpec },
    /// Characterisation of a cohort beside the population.
    Characterise { spec: CohortSpec },
    /// Attrition and characterisation published together (CLI `cohort`).
    Cohort { spec: CohortSpec },
    /// One page of the cohort's people (person-level: audited; ids are pseudonyms).
    Members { spec: CohortSpec, page: PageRequest },
    /// One person's whole timeline, by display pseudonym (person-level: audited).
    Timeline { person: String },
    /// The HRI picture for a year (default: the latest) and level.
    Hri { year: Option<String>, level: HriLevel, lorenz_points: usize },
    /// Write a cohort's tables (and optionally person-level rows / the id map) to files.
    Export(ExportRequest),
    SaveSpec { path: PathBuf, spec: CohortSpec },
    OpenSpec { path: PathBuf },
    /// Read a cohort file to compare the cohort being built with (the explorer's `:against`).
    OpenComparison { path: PathBuf },
    /// Load extracts into the workspace (progress through [`run_with_progress`]); `kinds` are the
    /// files whose kind the analyst stated (`--kind FILE=KIND`).
    Load { paths: Vec<PathBuf>, options: crate::store::ingest::LoadOptions },
    /// Change the context's disclosure control (the explorer's `!`).
    SetDisclosure(Sdc),
    /// HRI pathways across years: where the `from` year's HRI population (by band, at `level`)
    /// is in the `to` year, and persistence (see `model::transitions`).
    /// `area`: one board or council (code or name, at `level`), by the people's earlier-year area.
    Transitions { from: String, to: String, level: HriLevel, area: Option<String> },
    /// Pathways after (and before) an index event: a tree of step sequences (see `model::pathways`).
    Pathways(crate::model::pathways::PathwayRequest),
    /// Time from an index event to a target event: cumulative incidence at 30/90/180/365 days.
    TimeTo(crate::model::pathways::TimeToRequest),
    /// One page of the people of a pathway node (`node`: step names from the root; `before`:
    /// the tree before the index), with their pathways on days from the index (person-level:
    /// audited; ids are pseudonyms).
    PathwayMembers { request: crate::model::pathways::PathwayRequest, before: bool, node: Vec<String>, offset: u64, limit: u64 },
    /// The audit log's latest rows (all when None) and the check of its chain, for an output
    /// checker (`carepath audit`).
    AuditLog { last: Option<usize> },
    /// Triggers before becoming an HRI: what the new HRIs of a year used in the year before,
    /// beside a comparison group matched on age band, sex, SIMD quintile and council.
    Triggers(crate::model::triggers::TriggersRequest),
    /// Delayed discharges of a year (and a cohort) by one split: people, episodes, bed days
    /// and Code 9 bed days (see `model::delays`).
    Delays(crate::model::delays::DelaysRequest),
    /// Unscheduled care of a year (and a cohort) by one split: population, A&E attendances,
    /// attenders and repeat attenders, emergency admissions and bed days, PPAs and PPA bed
    /// days, emergency readmissions within 28 days, each per 1,000 (see `model::unscheduled`).
    Unscheduled(crate::model::unscheduled::UnscheduledRequest),
    /// A monthly (or weekly) series of an event measure for an area (and a cohort), optionally
    /// one per group, with its XmR control chart (see `model::series`, `analysis::spc`,
    /// `spc_tables`).
    Spc(crate::model::series::SeriesRequest),
    /// The resource cube: one measure of a year's person-years by one or two dimensions, as a
    /// sum, per person, per 1,000 or age-sex-standardised, with row, column and grand totals
    /// (see `model::cube`).
    Cube(crate::model::cube::CubeRequest),
    /// Two cohorts side by side in one year: size, overlap, make-up, LTCs and each measure per
    /// person with ratio, standardised mean difference and standardised ratio (see
    /// `model::compare`).
    Compare(crate::model::compare::CompareRequest),
    /// Social care prevention measures (NDTi) for people entering social care, with the
    /// look-back rule, by year of entry, council, locality, SIMD quintile or sex (see
    /// `model::socialcare`).
    SocialCare(crate::model::socialcare::SocialCareRequest),
    /// Projections to a year (default 2035): the base year's age-sex-specific rates per area
    /// applied to the analyst's population projections file, optionally under a scenario file
    /// (see `model::projection`, `analysis::projection`, `projection_tables`).
    Project(crate::model::projection::ProjectionRequest),
}

/// Attrition and characterisation of one cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortFigures {
    pub spec: CohortSpec,
    pub attrition: Attrition,
    pub characterisation: Characterisation,
}

/// What a query answers.
#[derive(Debug, Clone)]
pub enum Answer {
    Years(Vec<String>),
    Overview(Gated<Overview>),
    Attrition(Gated<Attrition>),
    Characterisation(Gated<Characterisation>),
    Cohort(Gated<CohortFigures>),
    Members(MembersPage),
    Timeline(Box<Timeline>),
    Hri(Gated<HriPicture>),
    Exported(ExportReport),
    SpecSaved(PathBuf),
    SpecOpened { path: PathBuf, spec: CohortSpec },
    ComparisonOpened { path: PathBuf, spec: CohortSpec },
    Loaded(Box<LoadReport>),
    Disclosure(Sdc),
    Transitions(Gated<crate::model::transitions::Transitions>),
    Pathways(Gated<crate::model::pathways::PathwayFigures>),
    TimeTo(Gated<crate::model::pathways::TimeToFigures>),
    PathwayMembers(crate::model::pathways::PathwayMembersPage),
    AuditLog(AuditLog),
    Triggers(Gated<crate::model::triggers::TriggerFigures>),
    Delays(Gated<crate::model::delays::DelayFigures>),
    /// Table `unscheduled` (gated; rates withheld with their population too).
    Unscheduled(Gated<crate::model::unscheduled::UnscheduledFigures>),
    /// Tables `spc_series` (gated), `spc_chart` and `spc_limits` (from the published values).
    Spc(Gated<crate::model::series::SeriesFigures>),
    /// Table `cube` (gated; crude rates recomputed from the published figures).
    Cube(Gated<crate::model::cube::CubeFigures>),
    /// Table `compare` (gated; ratios and SMDs withheld with either side).
    Compare(Gated<crate::model::compare::CompareFigures>),
    /// Tables `socialcare` and (unless by SIMD) `socialcare_simd` (gated), then
    /// `socialcare_gap` and, by year, `socialcare_change` (from the published values).
    SocialCare(Gated<crate::model::socialcare::SocialCareFigures>),
    /// Table `projection` (gated; projections withheld with the base counts they come from).
    Project(Gated<crate::model::projection::ProjectionFigures>),
}

/// Progress of a long query (loads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Load { done: usize, total: usize, file: String },
}

/// Run one query (see the module doc).
pub fn run(query: &Query, ctx: &Context) -> Result<Answer, OpsError> {
    run_with_progress(query, ctx, &|_| {})
}

/// [`run`], reporting progress of long queries.
pub fn run_with_progress(query: &Query, ctx: &Context, progress: &dyn Fn(Progress)) -> Result<Answer, OpsError> {
    use crate::store::cohort as engine;
    let conn = &ctx.conn;
    match query {
        Query::Years => Ok(Answer::Years(year::loaded(conn)?)),
        Query::Overview { year } => {
            let y = year::one(conn, year.as_deref())?;
            let o = crate::store::overview::overview(conn, Some(&y))?;
            let set = tables::overview_set(&o);
            let mut g = gate::publish(ctx, &format!("overview {y}"), set, o)?;
            g.heading = format!("Overview, {}", crate::model::year::label(&y));
            Ok(Answer::Overview(g))
        }
        Query::Attrition { spec } => {
            let spec = checked(conn, spec)?;
            let a = engine::count_and_attrition(conn, &spec)?;
            let set = tables::attrition_set(&a);
            Ok(Answer::Attrition(gate::publish(ctx, &audit::describe_spec("attrition", &spec), set, a)?))
        }
        Query::Characterise { spec } => {
            let spec = checked(conn, spec)?;
            let c = engine::characterise(conn, &spec)?;
            let set = tables::characterisation_set(&c);
            Ok(Answer::Characterisation(gate::publish(ctx, &audit::describe_spec("characterisation", &spec), set, c)?))
        }
        Query::Cohort { spec } => {
            let spec = checked(conn, spec)?;
            let a = engine::count_and_attrition(conn, &spec)?;
            let c = engine::characterise(conn, &spec)?;
            let set = tables::cohort_set(&a, &c);
            let what = audit::describe_spec("cohort", &spec);
            let heading = format!("Cohort {}  ({})", if spec.name.is_empty() { "(unnamed)" } else { spec.name.as_str() }, year_labels(&a.years));
            let figures = CohortFigures { spec, attrition: a, characterisation: c };
            let mut g = gate::publish(ctx, &what, set, figures)?;
            g.heading = heading;
            Ok(Answer::Cohort(g))
        }
        Query::Members { spec, page } => {
            let spec = checked(conn, spec)?;
            limits::page(page.limit)?;
            pseudonym::ensure(conn)?;
            let mut p = engine::members_page(conn, &spec, page)?;
            let what = format!("{} page offset {} limit {} sort {:?}", audit::describe_spec("members", &spec), page.offset, page.limit, page.sort);
            audit::append(conn, &ctx.identity, &ctx.workspace, &audit::Entry { action: "members page", query: &what, rows: p.rows.len() as u64, release_id: None })?;
            let mut ids: Vec<&mut String> = p.rows.iter_mut().map(|m| &mut m.id).collect();
            pseudonym::replace_all(conn, &mut ids)?;
            Ok(Answer::Members(p))
        }
        Query::Timeline { person } => {
            let Some((anon, pseudo)) = pseudonym::resolve(conn, person)? else {
                return Err(OpsError::UnknownPerson { person: crate::format::strip_controls(person.trim()) });
            };
            let mut t = crate::store::timeline::load_timeline(conn, &anon)?;
            audit::append(
                conn,
                &ctx.identity,
                &ctx.workspace,
                &audit::Entry { action: "timeline", query: &format!("timeline of {pseudo}"), rows: t.events.len() as u64, release_id: None },
            )?;
            t.person.anon_chi = pseudo;
            Ok(Answer::Timeline(Box::new(t)))
        }
        Query::Hri { year, level, lorenz_points } => {
            let points = limits::lorenz_points(*lorenz_points)?;
            let y = year::one(conn, year.as_deref())?;
            let pic = engine::hri_picture(conn, &y, *level, points)?;
            let set = tables::hri_set(&pic);
            let mut g = gate::publish(ctx, &format!("hri {y} {level:?}"), set, pic)?;
            g.heading = format!("High Resource Individuals, {} ({} level)", crate::model::year::label(&y), format!("{level:?}").to_lowercase());
            Ok(Answer::Hri(g))
        }
        Query::Export(req) => {
            let spec = checked(conn, &req.spec)?;
            Ok(Answer::Exported(export::run(ctx, req, &spec)?))
        }
        Query::SaveSpec { path, spec } => {
            spec.validate()?;
            std::fs::write(path, spec.to_toml()).map_err(|e| OpsError::file("could not save the cohort to", path, e))?;
            Ok(Answer::SpecSaved(path.clone()))
        }
        Query::OpenSpec { path } => Ok(Answer::SpecOpened { path: path.clone(), spec: read_spec(path)? }),
        Query::OpenComparison { path } => Ok(Answer::ComparisonOpened { path: path.clone(), spec: read_spec(path)? }),
        Query::Load { paths, options } => {
            let report = crate::store::ingest::load_with_options_progress(conn, paths, options, &|done, total, file| {
                progress(Progress::Load { done, total, file: file.to_string() })
            })?;
            Ok(Answer::Loaded(Box::new(report)))
        }
        Query::SetDisclosure(sdc) => {
            ctx.set_sdc(sdc.clone())?;
            Ok(Answer::Disclosure(ctx.sdc()))
        }
        Query::Transitions { from, to, level, area } => {
            let from = year::one(conn, Some(from))?;
            let to = year::one(conn, Some(to))?;
            let loaded = year::loaded(conn)?;
            let kind = match level {
                HriLevel::Board => crate::model::cohort::GeoKind::Board,
                _ => crate::model::cohort::GeoKind::Council,
            };
            let area = match area {
                Some(a) if *level == HriLevel::Scotland => {
                    return Err(OpsError::Other(format!("--area {:?} needs --level board or --level council", crate::format::strip_controls(a.trim()))))
                }
                Some(a) => Some(crate::model::cohort::resolve_geography(a, kind).ok_or_else(|| {
                    OpsError::Other(format!("{:?} is not a {} code or name", crate::format::strip_controls(a.trim()), if kind == crate::model::cohort::GeoKind::Board { "health board" } else { "council" }))
                })?),
                None => None,
            };
            let t = crate::store::pathways::transitions(conn, &from, &to, *level, area.as_deref(), &loaded)?;
            let area_name = area.as_deref().map(|c| crate::model::cohort::geography_name(c, kind).unwrap_or_else(|| c.to_string()));
            let set = pathway_tables::transitions_set(&t);
            let mut g = gate::publish(ctx, &format!("transitions {from} to {to} {level:?} area {area:?}"), set, t)?;
            g.heading = format!(
                "HRI transitions, {} to {} ({} level{})",
                crate::model::year::label(&from),
                crate::model::year::label(&to),
                format!("{level:?}").to_lowercase(),
                area_name.map(|n| format!(", people of {n} in {}", crate::model::year::label(&from))).unwrap_or_default()
            );
            Ok(Answer::Transitions(g))
        }
        Query::Pathways(req) => {
            limits::pathway_window(req.after_days.max(req.before_days.unwrap_or(0)), req.depth, req.max_nodes)?;
            req.index.checked_code().map_err(OpsError::Other)?;
            let mut req = req.clone();
            if let Some(spec) = &req.spec {
                req.spec = Some(checked(conn, spec)?);
            }
            let loaded = year::loaded(conn)?;
            let min_people = match ctx.sdc() {
                Sdc::On(p) => p.threshold,
                Sdc::Off => 1,
            };
            let f = crate::store::pathways::pathways(conn, &req, &loaded, min_people)?;
            let set = pathway_tables::pathways_set(&f);
            let what = format!(
                "pathways {} after {} before {:?} depth {} steps {:?} cohort {}",
                req.index.label(),
                req.after_days,
                req.before_days,
                req.depth,
                req.steps,
                req.spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into())
            );
            let heading = format!("Pathways after {}: index window {}, {} days after, up to {} steps", f.index, year_window(&f.window), f.after_days, f.depth);
            let mut g = gate::publish(ctx, &what, set, f)?;
            g.heading = heading;
            Ok(Answer::Pathways(g))
        }
        Query::TimeTo(req) => {
            req.index.checked_code().map_err(OpsError::Other)?;
            req.target.checked_code().map_err(OpsError::Other)?;
            let mut req = req.clone();
            if let Some(spec) = &req.spec {
                req.spec = Some(checked(conn, spec)?);
            }
            let loaded = year::loaded(conn)?;
            let f = crate::store::pathways::time_to(conn, &req, &loaded)?;
            let set = pathway_tables::time_to_set(&f);
            let what = format!(
                "time-to {} -> {} by {:?} cohort {}",
                req.index.label(),
                req.target.label(),
                req.by,
                req.spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into())
            );
            let censor = if req.target.kind == crate::model::pathways::IndexKind::Death { "" } else { "death or " };
            let heading = format!("Time from {} to {} (censored at {censor}the end of the data, {})", f.index, f.target, f.data_end);
            let mut g = gate::publish(ctx, &what, set, f)?;
            g.heading = heading;
            Ok(Answer::TimeTo(g))
        }
        Query::PathwayMembers { request, before, node, offset, limit } => {
            limits::page(*limit)?;
            limits::pathway_window(request.after_days.max(request.before_days.unwrap_or(0)), request.depth, request.max_nodes)?;
            request.index.checked_code().map_err(OpsError::Other)?;
            let mut req = request.clone();
            if let Some(spec) = &req.spec {
                req.spec = Some(checked(conn, spec)?);
            }
            if *before && req.before_days.is_none() {
                return Err(OpsError::Other("members before the index need --before-days".into()));
            }
            let loaded = year::loaded(conn)?;
            let page = pathway_members::page(ctx, &req, *before, node, *offset, *limit, &loaded)?;
            Ok(Answer::PathwayMembers(page))
        }
        Query::AuditLog { last } => Ok(Answer::AuditLog(audit::read(&ctx.conn, *last)?)),
        Query::Triggers(req) => {
            let year = year::one(conn, Some(&req.year))?;
            let req = crate::model::triggers::TriggersRequest { year, level: req.level };
            let loaded = year::loaded(conn)?;
            let f = crate::store::pathways::triggers(conn, &req, &loaded)?;
            let set = trigger_tables::triggers_set(&f);
            let heading = format!(
                "Triggers: what the new HRIs of {} ({} level) used in {}, beside people like them who did not become HRIs",
                crate::model::year::label(&f.year),
                format!("{:?}", f.level).to_lowercase(),
                crate::model::year::label(&f.before_year)
            );
            let mut g = gate::publish(ctx, &format!("triggers {} {:?}", f.year, f.level), set, f)?;
            for t in g.tables.iter_mut().filter(|t| t.name == "triggers") {
                trigger_tables::withhold_ratios(&mut t.table);
            }
            g.heading = heading;
            Ok(Answer::Triggers(g))
        }
        Query::Delays(req) => {
            let (year, spec) = one_year_cohort(conn, req.year.as_deref(), req.spec.as_ref())?;
            let f = crate::store::services::delays(conn, spec.as_ref(), &year, req.by)?;
            let set = delay_tables::delays_set(&f);
            let who = spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into());
            let heading = format!(
                "Delayed discharges in {} by {} ({}): bed days as in the file (last day counted, first not); Code 9 = complex delays",
                crate::model::year::label(&year),
                req.by.label(),
                spec.as_ref().map(|s| format!("cohort {}", s.name)).unwrap_or_else(|| "everyone".into())
            );
            let mut g = gate::publish(ctx, &format!("delays {year} by {:?} cohort {who}", req.by), set, f)?;
            g.heading = heading;
            Ok(Answer::Delays(g))
        }
        Query::Unscheduled(req) => {
            if req.repeat == 0 {
                return Err(OpsError::Other("--repeat must be at least 1 (people with that many A&E attendances or more in the year)".into()));
            }
            let (year, spec) = one_year_cohort(conn, req.year.as_deref(), req.spec.as_ref())?;
            let f = crate::store::services::unscheduled(conn, spec.as_ref(), &year, req.by, req.repeat)?;
            let set = unscheduled_tables::unscheduled_set(&f);
            let who = spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into());
            let heading = format!(
                "Unscheduled care in {} by {} ({}): population = people with a person-year in the year; repeat attenders = {}+ A&E attendances; readmissions = emergency stays within 28 days of a discharge",
                crate::model::year::label(&year),
                req.by.label(),
                spec.as_ref().map(|s| format!("cohort {}", s.name)).unwrap_or_else(|| "everyone".into()),
                req.repeat
            );
            let mut g = gate::publish(ctx, &format!("unscheduled {year} by {:?} repeat {} cohort {who}", req.by, req.repeat), set, f)?;
            for t in g.tables.iter_mut().filter(|t| t.name == "unscheduled") {
                unscheduled_tables::withhold_rates(&mut t.table);
            }
            g.heading = heading;
            Ok(Answer::Unscheduled(g))
        }
        Query::Compare(req) => {
            let (year, a) = one_year_cohort(conn, req.year.as_deref().or(req.a.years.last().map(String::as_str)), Some(&req.a))?;
            let (_, b) = one_year_cohort(conn, Some(&year), Some(&req.b))?;
            let (Some(a), Some(b)) = (a, b) else { return Err(OpsError::Other("two cohorts are needed to compare".into())) };
            let f = crate::store::cohort::compare::compare(conn, &a, &b, &year)?;
            let set = compare_tables::compare_set(&f);
            let what = format!("compare {year} A {} B {}", audit::describe_spec("", &a), audit::describe_spec("", &b));
            let mut g = gate::publish(ctx, &what, set, f)?;
            for t in g.tables.iter_mut().filter(|t| t.name == "compare") {
                compare_tables::withhold_pairs(&mut t.table);
            }
            g.heading = format!(
                "Cohort A ({}) beside cohort B ({}) in {}: per person = over the cohort's person-years; SMD = standardised mean difference; standardised = age-sex-standardised to the European Standard Population 2013",
                if a.name.is_empty() { "unnamed" } else { a.name.as_str() },
                if b.name.is_empty() { "unnamed" } else { b.name.as_str() },
                crate::model::year::label(&year)
            );
            Ok(Answer::Compare(g))
        }
        Query::Cube(req) => {
            let (years, spec) = if req.rows == Dimension::Year || req.cols == Some(Dimension::Year) {
                let asked = req.spec.as_ref().map(|s| s.years.clone()).unwrap_or_default();
                // every year loaded unless the cohort names its years
                let years = if asked.is_empty() { year::loaded(conn)? } else { year::all_loaded(conn, &asked)? };
                let spec = match &req.spec {
                    Some(s) => Some(checked(conn, &CohortSpec { years: years.clone(), ..s.clone() })?),
                    None => None,
                };
                (years, spec)
            } else {
                let (year, spec) = one_year_cohort(conn, req.year.as_deref(), req.spec.as_ref())?;
                (vec![year], spec)
            };
            let f = crate::store::services::cube(conn, spec.as_ref(), &years, req)?;
            let set = cube_tables::cube_set(&f);
            let who = spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into());
            let by = match req.cols {
                Some(c) => format!("{} x {}", req.rows.label(), c.label()),
                None => req.rows.label().to_string(),
            };
            let standard = match (req.rate, req.standard) {
                (crate::model::cube::CubeRate::Standardised, crate::model::cube::Standard::Esp2013) => "; standard: European Standard Population 2013",
                (crate::model::cube::CubeRate::Standardised, crate::model::cube::Standard::Workspace) => "; standard: the workspace's population",
                _ => "",
            };
            let heading = format!(
                "{} ({}) in {} by {by} ({}){standard}; people = person-years of the year",
                req.measure.label(),
                req.rate.label(),
                year_labels(&years),
                spec.as_ref().map(|s| format!("cohort {}", s.name)).unwrap_or_else(|| "everyone".into()),
            );
            let what = format!("cube {} {:?} {:?} by {:?} x {:?} cohort {who}", years.join("+"), req.measure, req.rate, req.rows, req.cols);
            let mut g = gate::publish(ctx, &what, set, f)?;
            for t in g.tables.iter_mut().filter(|t| t.name == "cube") {
                cube_tables::withhold_rates(&mut t.table, req.rate);
            }
            g.heading = heading;
            Ok(Answer::Cube(g))
        }
        Query::Spc(req) => {
            let mut req = req.clone();
            if let Some(spec) = &req.spec {
                req.spec = Some(checked(conn, spec)?);
            }
            let loaded = year::loaded(conn)?;
            let all = crate::store::series::periods(conn, req.weekly, &loaded)?;
            let (Some(first), Some(last)) = (all.first().map(|p| p.label.clone()), all.last().map(|p| p.label.clone())) else {
                return Err(OpsError::Other("the loaded years hold no whole period to chart (load a financial year first)".into()));
            };
            let mut periods = all;
            if let Some(from) = &req.from {
                periods.retain(|p| p.label.as_str() >= from.as_str());
                if periods.is_empty() {
                    return Err(OpsError::Other(format!("--from {from} is after the last period loaded ({last}): pick a month from {first} to {last}")));
                }
            }
            let mut breaks = Vec::new();
            for c in &req.change {
                match periods.iter().position(|p| p.label.as_str() >= c.as_str()) {
                    Some(i) if i > 0 => breaks.push(i),
                    _ => {
                        return Err(OpsError::Other(format!(
                            "--change {c} is not inside the chart ({} to {last}): a change must come after the first period charted",
                            periods[0].label
                        )))
                    }
                }
            }
            let f = crate::store::series::series(conn, &req, &periods, &loaded)?;
            let set = spc_tables::series_set(&f);
            let heading = format!(
                "{}, {}{}, by {}{} ({} to {})",
                f.measure_label,
                f.area,
                req.spec.as_ref().map(|s| format!(", cohort {}", if s.name.is_empty() { "(unnamed)" } else { s.name.as_str() })).unwrap_or_default(),
                if f.weekly { "week (Monday to Sunday)" } else { "month" },
                f.by.map(|b| format!(", one chart per {b}")).unwrap_or_default(),
                periods[0].label,
                last
            );
            let what = format!(
                "spc {} area {} by {:?} weekly {} from {:?} change {:?} cohort {}",
                f.measure,
                f.area,
                f.by,
                f.weekly,
                req.from,
                req.change,
                req.spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into())
            );
            let mut g = gate::publish(ctx, &what, set, f)?;
            let extra = spc_tables::chart_tables(&g, &breaks);
            g.tables.extend(extra);
            g.heading = heading;
            Ok(Answer::Spc(g))
        }
        Query::SocialCare(req) => {
            let spec = match &req.spec {
                Some(s) => Some(checked(conn, s)?),
                None => None,
            };
            let from = match &req.from {
                Some(f) => Some(year::normalise(f)?),
                None => None,
            };
            let f = crate::store::services::socialcare(conn, spec.as_ref(), req.by, from.as_deref(), req.lookback)?;
            let set = socialcare_tables::socialcare_set(&f);
            let who = spec.as_ref().map(|s| audit::describe_spec("", s)).unwrap_or_else(|| "everyone".into());
            let heading = format!(
                "Entrants to social care by {} ({}), entry years {} (baseline {}; a year counts with {} earlier year(s) of social care data, people with no earlier record); {}",
                req.by.label(),
                spec.as_ref().map(|s| format!("cohort {}", s.name)).unwrap_or_else(|| "everyone".into()),
                year_labels(&f.years),
                f.years.first().map(|y| crate::model::year::label(y)).unwrap_or_default(),
                f.lookback,
                crate::model::socialcare::NOT_IN_DATA
            );
            let what = format!("socialcare by {:?} from {:?} lookback {} cohort {who}", req.by, from, req.lookback);
            let mut g = gate::publish(ctx, &what, set, f)?;
            let extra = socialcare_tables::difference_tables(&g, req.by);
            g.tables.extend(extra);
            g.heading = heading;
            Ok(Answer::SocialCare(g))
        }
        Query::Project(req) => project(ctx, req),
    }
}

/// A projection (see [`Query::Project`]): files read and checked first, then the base year's
/// cells, the arithmetic and the gate. With disclosure control on, small cells' rates are
/// pooled at the policy's threshold.
fn project(ctx: &Context, req: &crate::model::projection::ProjectionRequest) -> Result<Answer, OpsError> {
    use crate::model::projection::{AreaLevel, ProjectionFigures, MAX_TO};
    let conn = &ctx.conn;
    if !(req.occupancy > 0.0 && req.occupancy <= 1.0) {
        return Err(OpsError::Other(format!("--occupancy {} must be a share above 0 and at most 1 (0.85 for 85%)", req.occupancy)));
    }
    let year = year::one(conn, Some(&req.base_year))?;
    let Some(fy) = crate::model::year::FinYear::parse(&year) else { return Err(OpsError::BadYear { given: year }) };
    if req.to <= fy.start || req.to > MAX_TO {
        return Err(OpsError::Other(format!("--to {} must be a calendar year after {} (the base year {} starts then) and at most {MAX_TO}", req.to, fy.start, fy.label())));
    }
    let population = crate::store::population::read_population(&req.population).map_err(|e| OpsError::Other(format!("{e:#}")))?;
    let scenario = match &req.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| OpsError::file("could not read the scenario", path, e))?;
            Some(crate::model::projection::Scenario::from_toml(&text).map_err(|e| OpsError::Other(format!("{}: {e}", path.display())))?)
        }
        None => None,
    };
    let base = crate::store::projection::base_cells(conn, &year)?;
    let min_count = match ctx.sdc() {
        Sdc::On(p) => p.threshold,
        Sdc::Off => 1,
    };
    let opts = crate::analysis::projection::Options { level: req.level, base_start: fy.start, to: req.to, occupancy: req.occupancy, scenario: scenario.as_ref(), min_count };
    let (areas, pooled_cells) =
        crate::analysis::projection::project(&base, &population, &opts).map_err(|e| OpsError::Other(format!("{}: {e}", req.population.display())))?;
    let total = if req.level == AreaLevel::Scotland { None } else { crate::analysis::projection::total(&areas, req.occupancy) };
    let f = ProjectionFigures {
        base_year: year.clone(),
        level: req.level,
        to: req.to,
        occupancy: req.occupancy,
        population_layout: population.layout.clone(),
        scenario,
        areas,
        total,
        pooled_cells,
    };
    let set = projection_tables::projection_set(&f);
    let heading = format!(
        "Projection to {} from {} rates per {} ({}; population file: {}{}){}",
        f.to,
        fy.label(),
        req.level.label(),
        format_args!("beds needed at {:.0}% occupancy", req.occupancy * 100.0),
        f.population_layout,
        f.scenario.as_ref().map(|s| format!("; scenario {}", if s.name.is_empty() { "(unnamed)" } else { s.name.as_str() })).unwrap_or_default(),
        if pooled_cells > 0 { format!(". {pooled_cells} small age-sex cells share a pooled rate (disclosure control)") } else { String::new() }
    );
    let what = format!(
        "project {} to {} level {:?} occupancy {} population {} scenario {:?}",
        year,
        req.to,
        req.level,
        req.occupancy,
        req.population.display(),
        req.scenario.as_ref().map(|p| p.display().to_string())
    );
    let rows_per_area = 1 + (req.to - fy.start) as usize;
    let has_total = req.level != AreaLevel::Scotland;
    let mut g = gate::publish(ctx, &what, set, f)?;
    if has_total && g.disclosure.applied {
        for t in g.tables.iter_mut().filter(|t| t.name == "projection") {
            projection_tables::withhold_total_projections(&mut t.table, rows_per_area);
        }
    }
    g.heading = heading;
    Ok(Answer::Project(g))
}

/// Read a cohort spec file: parse errors name the file, field, line and column; a spec with
/// more filters than [`limits::MAX_FILTERS`] is refused.
pub fn read_spec(path: &Path) -> Result<CohortSpec, OpsError> {
    let text = std::fs::read_to_string(path).map_err(|e| OpsError::file("could not read cohort spec", path, e))?;
    let spec = CohortSpec::from_toml(&text).map_err(|e| {
        let mut err: OpsError = e.into();
        if let OpsError::BadSpec { message, .. } = &mut err {
            *message = format!("{}: {message}", path.display());
        }
        err
    })?;
    limits::filters(spec.filters.len())?;
    Ok(spec)
}

/// A spec ready to run: bounded, valid, its years normalised and loaded.
fn checked(conn: &Connection, spec: &CohortSpec) -> Result<CohortSpec, OpsError> {
    limits::filters(spec.filters.len())?;
    spec.validate()?;
    let mut spec = spec.clone();
    spec.years = year::all_loaded(conn, &spec.years)?;
    Ok(spec)
}

/// The year of a one-year view (the one asked, else the spec's, else the latest loaded) and the
/// cohort, if any, checked with its membership taken in that year.
fn one_year_cohort(conn: &Connection, year: Option<&str>, spec: Option<&CohortSpec>) -> Result<(String, Option<CohortSpec>), OpsError> {
    let spec_year = spec.and_then(|s| s.years.last().cloned());
    let year = year::one(conn, year.or(spec_year.as_deref()))?;
    let spec = match spec {
        Some(s) => {
            let mut s = s.clone();
            s.years = vec![year.clone()];
            Some(checked(conn, &s)?)
        }
        None => None,
    };
    Ok((year, spec))
}

/// "2019-04-01 to 2021-03-31"
fn year_window(w: &(String, String)) -> String {
    format!("{} to {}", w.0, w.1)
}

fn year_labels(codes: &[String]) -> String {
    codes.iter().map(|y| crate::model::year::label(y)).collect::<Vec<_>>().join(", ")
}

/// Check a disclosure policy the way `run` will (threshold at least the minimum).
pub fn gate_check(p: &Policy) -> Result<(), OpsError> {
    context::check_policy(p)
}
