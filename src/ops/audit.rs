//! The audit log: one append-only record of every person-level view (members pages, timelines,
//! person-level exports, id reveals), every output without disclosure control, and the counts of
//! every aggregate output (so an output checker can review them, and so the differencing guard
//! can compare a new output with earlier ones of the same workspace).
//!
//! Rows carry the OS identity ([`Identity`]: effective uid and passwd name), the time, the
//! workspace, the query and the number of rows shown. carepath only ever INSERTs into these
//! tables. A failure to write stops the person-level view ([`OpsError::Audit`]): nobody sees a
//! person's record without it being on file.
use super::identity::Identity;
use super::OpsError;
use duckdb::Connection;
use std::path::Path;

/// Make sure the audit tables have today's columns (older workspaces get them added).
pub fn ensure(conn: &Connection) -> Result<(), OpsError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS audit_log (
             logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
             username VARCHAR NOT NULL,
             action VARCHAR NOT NULL,
             detail VARCHAR);
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS uid BIGINT;
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS workspace VARCHAR;
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS query VARCHAR;
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS row_count BIGINT;
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS release_id BIGINT;
         CREATE SEQUENCE IF NOT EXISTS audit_release_seq START 1;
         CREATE TABLE IF NOT EXISTS audit_release_counts (
             release_id BIGINT NOT NULL,
             output VARCHAR NOT NULL,
             table_name VARCHAR NOT NULL,
             row_key VARCHAR NOT NULL,
             column_name VARCHAR NOT NULL,
             raw BIGINT NOT NULL,
             shown BIGINT);",
    )
    .map_err(|e| OpsError::Audit(e.to_string()))
}

/// One audit row.
pub struct Entry<'a> {
    /// What happened: `members page`, `timeline`, `export person-level`, `reveal ids`,
    /// `output without disclosure control`, `aggregate output`.
    pub action: &'a str,
    /// The query as a person reads it (spec name, filters, page, path written).
    pub query: &'a str,
    /// Rows of person-level data shown or written (or cells of an aggregate output).
    pub rows: u64,
    /// Links an aggregate output's recorded counts.
    pub release_id: Option<i64>,
}

/// Append one row. Every error becomes [`OpsError::Audit`].
pub fn append(conn: &Connection, who: &Identity, workspace: &Path, e: &Entry<'_>) -> Result<(), OpsError> {
    ensure(conn)?;
    conn.execute(
        "INSERT INTO audit_log (username, uid, action, detail, workspace, query, row_count, release_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        duckdb::params![
            who.user,
            who.uid as i64,
            e.action,
            e.query,
            workspace.display().to_string(),
            e.query,
            e.rows.min(i64::MAX as u64) as i64,
            e.release_id
        ],
    )
    .map_err(|err| OpsError::Audit(err.to_string()))?;
    Ok(())
}

/// One count of an aggregate output as recorded: which table, row and column, raw and shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasedCount {
    pub table: String,
    pub row_key: String,
    pub column: String,
    pub raw: u64,
    /// None when withheld.
    pub shown: Option<u64>,
}

/// A new release id (one per aggregate output).
pub fn new_release(conn: &Connection) -> Result<i64, OpsError> {
    ensure(conn)?;
    conn.query_row("SELECT nextval('audit_release_seq')", [], |r| r.get(0)).map_err(|e| OpsError::Audit(e.to_string()))
}

/// Record an output's counts under its release id.
pub fn record_counts(conn: &Connection, release: i64, output: &str, counts: &[ReleasedCount]) -> Result<(), OpsError> {
    let mut app = conn.appender("audit_release_counts").map_err(|e| OpsError::Audit(e.to_string()))?;
    for c in counts {
        app.append_row(duckdb::params![
            release,
            output,
            c.table,
            c.row_key,
            c.column,
            c.raw.min(i64::MAX as u64) as i64,
            c.shown.map(|v| v.min(i64::MAX as u64) as i64)
        ])
        .map_err(|e| OpsError::Audit(e.to_string()))?;
    }
    app.flush().map_err(|e| OpsError::Audit(e.to_string()))?;
    Ok(())
}

/// Every count shown by earlier outputs of this workspace for one (table, column): the values a
/// reader may hold beside a new output.
pub fn shown_before(conn: &Connection, table: &str, column: &str) -> Result<Vec<(String, u64)>, OpsError> {
    ensure(conn)?;
    let mut st = conn
        .prepare_cached(
            "SELECT DISTINCT row_key, shown FROM audit_release_counts WHERE table_name = ? AND column_name = ? AND shown IS NOT NULL",
        )
        .map_err(|e| OpsError::Audit(e.to_string()))?;
    let rows = st
        .query_map([table, column], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))
        .map_err(|e| OpsError::Audit(e.to_string()))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(|e| OpsError::Audit(e.to_string()))
}
