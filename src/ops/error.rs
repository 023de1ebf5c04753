//! The operations layer's errors: a small typed set that clients match on (never on text).
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum OpsError {
    /// The user cancelled the running query (Esc / Ctrl-C / interrupt handle).
    #[error("cancelled")]
    Cancelled,
    /// There is no workspace file at this path.
    #[error("workspace {} not found (create one with `carepath load <extracts> --workspace {}`)", .path.display(), .path.display())]
    NoWorkspace { path: PathBuf },
    /// The workspace exists but nothing has been loaded into it.
    #[error("workspace {} holds no loaded extracts yet (run `carepath load <extracts> --workspace {}`)", .path.display(), .path.display())]
    NotLoaded { path: PathBuf },
    /// A cohort spec problem: the field, and where in the file when it came from one.
    #[error("{message}")]
    BadSpec { field: String, line: Option<usize>, col: Option<usize>, message: String },
    /// A year that is not a financial year (`1920`, `2019/20`, `2019-20`).
    #[error("{given:?} is not a financial year: write it as 1920, 2019/20 or 2019-20")]
    BadYear { given: String },
    /// A year that the workspace does not hold.
    #[error("financial year {asked} is not loaded in this workspace (loaded: {})", list(.loaded))]
    YearNotLoaded { asked: String, loaded: Vec<String> },
    /// The person asked for is not in the workspace (ids are display pseudonyms like P000123).
    #[error("no person {person:?} in this workspace (use the person id shown by `carepath cohort --members` or the explorer, e.g. P000123)")]
    UnknownPerson { person: String },
    /// An input above what carepath accepts.
    #[error("{what} {given} is too large: at most {max} ({why})")]
    TooLarge { what: &'static str, given: String, max: u64, why: &'static str },
    /// A disclosure setting that would weaken protection without an audited override.
    #[error("{0}")]
    Policy(String),
    /// The audit log could not be written, so the person-level view or export was stopped.
    #[error("could not write the audit log ({0}); the person-level view was stopped")]
    Audit(String),
    /// A file could not be read or written.
    #[error("{action} {}: {message}", .path.display())]
    File { action: &'static str, path: PathBuf, message: String },
    /// Anything else, already phrased for a person.
    #[error("{0}")]
    Other(String),
}

impl OpsError {
    pub fn file(action: &'static str, path: &std::path::Path, e: impl std::fmt::Display) -> OpsError {
        OpsError::File { action, path: path.to_path_buf(), message: e.to_string() }
    }
}

impl From<crate::model::cohort::SpecErrors> for OpsError {
    fn from(e: crate::model::cohort::SpecErrors) -> OpsError {
        let first = e.0.first().cloned();
        OpsError::BadSpec {
            field: first.as_ref().map(|f| f.field.clone()).unwrap_or_default(),
            line: first.as_ref().and_then(|f| f.line),
            col: first.as_ref().and_then(|f| f.column),
            message: e.to_string(),
        }
    }
}

/// The one place where an engine error becomes a typed one: DuckDB's interrupt is `Cancelled`,
/// a spec problem is `BadSpec`; everything else keeps its chain of causes as one message.
impl From<anyhow::Error> for OpsError {
    fn from(e: anyhow::Error) -> OpsError {
        for cause in e.chain() {
            if let Some(s) = cause.downcast_ref::<crate::model::cohort::SpecErrors>() {
                return s.clone().into();
            }
            if let Some(t) = cause.downcast_ref::<crate::store::timeline::TimelineError>() {
                if let crate::store::timeline::TimelineError::UnknownPerson(_) = t {
                    return OpsError::Other("that person is not in this workspace".into());
                }
            }
            if let Some(d) = cause.downcast_ref::<duckdb::Error>() {
                if is_interrupt(d) {
                    return OpsError::Cancelled;
                }
            }
        }
        OpsError::Other(describe(&e))
    }
}

impl From<duckdb::Error> for OpsError {
    fn from(e: duckdb::Error) -> OpsError {
        if is_interrupt(&e) {
            OpsError::Cancelled
        } else {
            OpsError::Other(e.to_string())
        }
    }
}

fn list(years: &[String]) -> String {
    if years.is_empty() {
        "none".into()
    } else {
        years.join(", ")
    }
}

fn is_interrupt(e: &duckdb::Error) -> bool {
    // DuckDB reports an interrupted query as an error whose text names the interrupt; this is
    // the only place that looks at that text.
    e.to_string().to_ascii_lowercase().contains("interrupt")
}

/// An error and its causes as one readable message ("what failed: why").
pub fn describe(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}
