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
mod context;
pub mod error;
pub mod identity;
pub mod limits;
pub mod pseudonym;
pub mod tables;
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
    /// Load extracts into the workspace (progress through [`run_with_progress`]); `kinds` are the
    /// files whose kind the analyst stated (`--kind FILE=KIND`).
    Load { paths: Vec<PathBuf>, kinds: Vec<(PathBuf, crate::store::detect::Kind)> },
    /// Change the context's disclosure control (the explorer's `!`).
    SetDisclosure(Sdc),
    /// The audit log's latest rows (all when None) and the check of its chain, for an output
    /// checker (`carepath audit`).
    AuditLog { last: Option<usize> },
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
    Loaded(Box<LoadReport>),
    Disclosure(Sdc),
    AuditLog(AuditLog),
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
        Query::Load { paths, kinds } => {
            let options = crate::store::ingest::LoadOptions { kinds: kinds.clone() };
            let report = crate::store::ingest::load_with_options_progress(conn, paths, &options, &|done, total, file| {
                progress(Progress::Load { done, total, file: file.to_string() })
            })?;
            Ok(Answer::Loaded(Box::new(report)))
        }
        Query::SetDisclosure(sdc) => {
            ctx.set_sdc(sdc.clone())?;
            Ok(Answer::Disclosure(ctx.sdc()))
        }
        Query::AuditLog { last } => Ok(Answer::AuditLog(audit::read(&ctx.conn, *last)?)),
    }
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

fn year_labels(codes: &[String]) -> String {
    codes.iter().map(|y| crate::model::year::label(y)).collect::<Vec<_>>().join(", ")
}

/// Check a disclosure policy the way `run` will (threshold at least the minimum).
pub fn gate_check(p: &Policy) -> Result<(), OpsError> {
    context::check_policy(p)
}
