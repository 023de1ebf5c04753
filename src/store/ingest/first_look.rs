//! The explorer's first look at extracts it has never loaded: only the SLF files of the latest
//! financial year (and datazone lookups) are loaded first, so that the overview shows that
//! year in seconds; the explorer then loads the whole folder, which adds the rest (files
//! already loaded are recognised by their bytes and not read again).
use super::{read, Planned};
use crate::model::year::FinYear;
use crate::store::detect::Kind;
use crate::store::report::FileOutcome;
use duckdb::Connection;

/// Status of a file the first look leaves for the full load that follows it.
pub const DEFERRED: &str = "deferred";

/// Split `plan` into what a first look loads and the outcomes of the files it defers. When no
/// SLF file says its year, or every one is of the latest year, everything is loaded now (the
/// SC2 files alone are not worth a second pass).
pub(super) fn latest_year_only(conn: &Connection, plan: Vec<Planned>) -> (Vec<Planned>, Vec<FileOutcome>) {
    let years: Vec<Option<FinYear>> = plan.iter().map(|p| year_of(conn, p)).collect();
    let Some(latest) = years.iter().flatten().max().copied() else {
        return (plan, Vec::new());
    };
    if years.iter().flatten().all(|y| *y == latest) {
        return (plan, Vec::new());
    }
    let mut now = Vec::new();
    let mut later = Vec::new();
    for (p, year) in plan.into_iter().zip(years) {
        if p.kind == Kind::SimdLookup || year == Some(latest) {
            now.push(p);
        } else {
            later.push(FileOutcome {
                path: super::canonical(&p.path),
                kind: Some(p.kind),
                format: Some(p.format),
                status: DEFERRED.into(),
                note: Some(format!("loaded next, after a first look at {}", latest.label())),
                rows_read: 0,
                rows_loaded: 0,
                rows_rejected: 0,
                warnings: Vec::new(),
            });
        }
    }
    (now, later)
}

/// The financial year of an SLF file, from its first row (files hold one year each).
fn year_of(conn: &Connection, p: &Planned) -> Option<FinYear> {
    if !matches!(p.kind, Kind::Episode | Kind::Individual) {
        return None;
    }
    let column = p.columns.iter().find(|c| c.trim().eq_ignore_ascii_case("year"))?;
    FinYear::parse(&read::first_value(conn, &p.path, p.format, column)?)
}
