//! The explorer's first look at extracts it has never loaded: only the SLF files of the latest
//! financial year (and datazone lookups) are loaded first, so that the overview shows that
//! year in seconds; the explorer then loads the whole folder, which adds the rest (files
//! already loaded are recognised by their bytes and not read again).
use super::read;
use crate::model::year::FinYear;
use crate::store::detect::{FileFormat, Kind};
use duckdb::Connection;
use std::path::Path;

/// Status of a file the first look leaves for the full load that follows it.
pub const DEFERRED: &str = "deferred";

/// What the first look needs to know of a planned file.
pub struct FileToLoad<'a> {
    pub kind: Kind,
    pub path: &'a Path,
    pub format: FileFormat,
    pub columns: &'a [String],
}

/// The latest year and, per file, whether the first look leaves it for later. `None` when no
/// SLF file says its year, or every one is of the latest year: everything is loaded now (the
/// SC2 files alone are not worth a second pass).
pub fn deferred(conn: &Connection, files: &[FileToLoad]) -> Option<(FinYear, Vec<bool>)> {
    let years: Vec<Option<FinYear>> = files.iter().map(|f| year_of(conn, f)).collect();
    let latest = years.iter().flatten().max().copied()?;
    if years.iter().flatten().all(|y| *y == latest) {
        return None;
    }
    let later = files.iter().zip(&years).map(|(f, y)| f.kind != Kind::SimdLookup && *y != Some(latest)).collect();
    Some((latest, later))
}

/// The financial year of an SLF file, from its first row (files hold one year each).
fn year_of(conn: &Connection, f: &FileToLoad) -> Option<FinYear> {
    if !matches!(f.kind, Kind::Episode | Kind::Individual) {
        return None;
    }
    let column = f.columns.iter().find(|c| c.trim().eq_ignore_ascii_case("year"))?;
    FinYear::parse(&read::first_value(conn, f.path, f.format, column)?)
}
