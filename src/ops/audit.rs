//! The audit log: one append-only record of every person-level view (members pages, timelines,
//! person-level exports, id reveals), every output without disclosure control, and the counts of
//! every aggregate output (so an output checker can review them, and so the differencing guard
//! can compare a new output with earlier ones of the same workspace).
//!
//! Rows carry the OS identity ([`Identity`]: effective uid and passwd name), the time, the
//! workspace, the query and the number of rows shown. carepath only ever INSERTs into these
//! tables. A failure to write stops the person-level view ([`OpsError::Audit`]): nobody sees a
//! person's record without it being on file.
//!
//! The workspace is a file its owner can write, so "append-only" is made checkable rather than
//! promised: each row carries `chain`, the SHA-256 of the previous row's chain and its own
//! fields ([`verify`] recomputes them; `carepath audit --verify`). A row changed or removed
//! breaks the chain at that row; rows cut from the end show against the head an output checker
//! noted earlier.
use super::identity::Identity;
use super::OpsError;
use crate::model::audit::{AuditLog, AuditRow, Verified};
use crate::model::cohort::CohortSpec;
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
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS seq BIGINT;
         ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain VARCHAR;
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

/// Append one row, chained to the one before. Every error becomes [`OpsError::Audit`].
pub fn append(conn: &Connection, who: &Identity, workspace: &Path, e: &Entry<'_>) -> Result<(), OpsError> {
    ensure(conn)?;
    let fail = |err: duckdb::Error| OpsError::Audit(err.to_string());
    let (seq, prev): (i64, String) = conn
        .query_row(
            "SELECT coalesce(max(seq), 0) + 1, coalesce(arg_max(chain, seq), ?) FROM audit_log",
            [GENESIS],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(fail)?;
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros().min(i64::MAX as u128) as i64)
        .unwrap_or(0);
    let row = Row {
        seq,
        micros,
        user: who.user.clone(),
        uid: who.uid as i64,
        action: e.action.to_string(),
        query: e.query.to_string(),
        workspace: workspace.display().to_string(),
        rows: e.rows.min(i64::MAX as u64) as i64,
        release_id: e.release_id,
    };
    let chain = row.chain(&prev);
    conn.execute(
        "INSERT INTO audit_log (seq, logged_at, username, uid, action, detail, workspace, query, row_count, release_id, chain)
         VALUES (?, make_timestamp(?), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        duckdb::params![row.seq, row.micros, row.user, row.uid, row.action, row.query, row.workspace, row.query, row.rows, row.release_id, chain],
    )
    .map_err(fail)?;
    Ok(())
}

/// The chain value before the first row.
const GENESIS: &str = "carepath audit log";

/// The fields of an audit row that its chain value covers.
struct Row {
    seq: i64,
    micros: i64,
    user: String,
    uid: i64,
    action: String,
    query: String,
    workspace: String,
    rows: i64,
    release_id: Option<i64>,
}

impl Row {
    fn chain(&self, prev: &str) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        // every field length-prefixed, so no two rows hash the same text
        for f in [
            prev.to_string(),
            self.seq.to_string(),
            self.micros.to_string(),
            self.user.clone(),
            self.uid.to_string(),
            self.action.clone(),
            self.query.clone(),
            self.workspace.clone(),
            self.rows.to_string(),
            self.release_id.map(|r| r.to_string()).unwrap_or_default(),
        ] {
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The last `last` rows (oldest first; all when None) and the check of the whole chain.
pub fn read(conn: &Connection, last: Option<usize>) -> Result<AuditLog, OpsError> {
    ensure(conn)?;
    let fail = |err: duckdb::Error| OpsError::Audit(err.to_string());
    let total: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).map_err(fail)?;
    let limit = last.map(|n| n.min(i64::MAX as usize) as i64).unwrap_or(i64::MAX);
    let mut st = conn
        .prepare(
            "SELECT * FROM (
                 SELECT seq, strftime(logged_at, '%Y-%m-%d %H:%M:%S'), username, uid, action, coalesce(query, detail, ''), row_count, rowid AS r
                 FROM audit_log ORDER BY seq DESC NULLS LAST, r DESC LIMIT ?)
             ORDER BY seq NULLS FIRST, r",
        )
        .map_err(fail)?;
    let rows = st
        .query_map([limit], |r| {
            Ok(AuditRow { seq: r.get(0)?, logged_at: r.get(1)?, user: r.get(2)?, uid: r.get(3)?, action: r.get(4)?, query: r.get(5)?, rows: r.get(6)? })
        })
        .map_err(fail)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    Ok(AuditLog { total: total.max(0) as u64, rows, verified: verify(conn)? })
}

/// Recompute the chain over every row in order.
pub fn verify(conn: &Connection) -> Result<Verified, OpsError> {
    ensure(conn)?;
    let fail = |err: duckdb::Error| OpsError::Audit(err.to_string());
    let unchained: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE chain IS NULL", [], |r| r.get(0)).map_err(fail)?;
    let mut st = conn
        .prepare(
            "SELECT seq, epoch_us(logged_at), username, coalesce(uid, 0), action, coalesce(query, detail, ''), coalesce(workspace, ''),
                    coalesce(row_count, 0), release_id, chain
             FROM audit_log WHERE chain IS NOT NULL ORDER BY seq",
        )
        .map_err(fail)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                Row {
                    seq: r.get(0)?,
                    micros: r.get(1)?,
                    user: r.get(2)?,
                    uid: r.get(3)?,
                    action: r.get(4)?,
                    query: r.get(5)?,
                    workspace: r.get(6)?,
                    rows: r.get(7)?,
                    release_id: r.get(8)?,
                },
                r.get::<_, String>(9)?,
            ))
        })
        .map_err(fail)?;
    let mut prev = GENESIS.to_string();
    let (mut n, mut broken_at) = (0u64, None);
    for (i, row) in rows.enumerate() {
        let (row, stored) = row.map_err(fail)?;
        n += 1;
        if broken_at.is_none() && (row.seq != i as i64 + 1 || row.chain(&prev) != stored) {
            broken_at = Some(row.seq);
        }
        prev = stored;
    }
    let head = (n > 0).then_some(prev);
    Ok(Verified { rows: n, unchained: unchained.max(0) as u64, broken_at, head })
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

/// "cohort \"COPD 65+\" (years 1920; 3 filters: ...)" for the audit log.
pub fn describe_spec(what: &str, spec: &CohortSpec) -> String {
    let filters: Vec<String> = spec.enabled().map(|(_, f)| f.label()).collect();
    let name = if spec.name.is_empty() { "(unnamed)" } else { spec.name.as_str() };
    format!("{what} {name:?} years {} filters [{}]", spec.years.join(","), filters.join("; "))
}


#[cfg(test)]
mod tests {
    use super::*;

    fn log_of_three() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        let who = Identity { uid: 1000, user: "analyst".into() };
        for (i, action) in ["members page", "timeline", "export person-level"].iter().enumerate() {
            let q = format!("query {i}");
            append(&conn, &who, Path::new("/w/ws.duckdb"), &Entry { action, query: &q, rows: i as u64 + 1, release_id: None }).unwrap();
        }
        conn
    }

    #[test]
    fn an_untouched_log_verifies() {
        let v = verify(&log_of_three()).unwrap();
        assert_eq!((v.rows, v.unchained, v.broken_at), (3, 0, None));
        assert_eq!(v.head.as_ref().map(String::len), Some(64));
    }

    #[test]
    fn a_changed_row_breaks_the_chain_there() {
        let conn = log_of_three();
        conn.execute_batch("UPDATE audit_log SET row_count = 0 WHERE seq = 2").unwrap();
        assert_eq!(verify(&conn).unwrap().broken_at, Some(2));
        let conn = log_of_three();
        conn.execute_batch("UPDATE audit_log SET username = 'someone else' WHERE seq = 1").unwrap();
        assert_eq!(verify(&conn).unwrap().broken_at, Some(1));
    }

    #[test]
    fn a_removed_row_breaks_the_chain_and_a_cut_end_changes_the_head() {
        let conn = log_of_three();
        conn.execute_batch("DELETE FROM audit_log WHERE seq = 2").unwrap();
        assert_eq!(verify(&conn).unwrap().broken_at, Some(3));
        let conn = log_of_three();
        let head = verify(&conn).unwrap().head;
        conn.execute_batch("DELETE FROM audit_log WHERE seq = 3").unwrap();
        let v = verify(&conn).unwrap();
        assert_eq!((v.rows, v.broken_at), (2, None));
        assert_ne!(v.head, head, "the head an output checker noted no longer matches");
    }
}
