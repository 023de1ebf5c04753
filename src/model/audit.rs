//! The audit log as an output checker reads it (`carepath audit`): the rows, and whether the
//! log's chain of hashes still holds (see `ops::audit`).
use serde::Serialize;

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Position in the chained log (None: written before the log was chained).
    pub seq: Option<i64>,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub logged_at: String,
    pub user: String,
    pub uid: Option<i64>,
    pub action: String,
    pub query: String,
    pub rows: Option<i64>,
}

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Rows with a chain value, all checked.
    pub rows: u64,
    /// Rows written before the log was chained (older carepath): listed, not checkable.
    pub unchained: u64,
    /// The first row (its `seq`) whose chain does not match, if any.
    pub broken_at: Option<i64>,
    /// The chain value of the last row: note it to tell later whether rows were cut from the end.
    pub head: Option<String>,
}

/// The latest rows of the log, oldest first, and the check of the whole log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditLog {
    pub total: u64,
    pub rows: Vec<AuditRow>,
    pub verified: Verified,
}
