//! Bookkeeping tables every workspace has, whatever has been loaded.
use anyhow::Result;
use duckdb::Connection;

pub fn ensure_bookkeeping(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;
         CREATE TABLE IF NOT EXISTS load_log (
             file_id INTEGER PRIMARY KEY,
             path VARCHAR NOT NULL,
             kind VARCHAR NOT NULL,
             format VARCHAR NOT NULL,
             fingerprint VARCHAR NOT NULL,
             bytes BIGINT NOT NULL,
             rows_read BIGINT NOT NULL,
             rows_loaded BIGINT NOT NULL,
             rows_rejected BIGINT NOT NULL,
             raw_table VARCHAR, -- NULL unless loaded with --keep-raw
             extra_columns VARCHAR,
             loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
         CREATE TABLE IF NOT EXISTS load_rejects (
             file_id INTEGER NOT NULL,
             path VARCHAR NOT NULL,
             row_number BIGINT,
             column_name VARCHAR,
             value VARCHAR,
             reason VARCHAR NOT NULL);
         CREATE TABLE IF NOT EXISTS audit_log (
             logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
             username VARCHAR NOT NULL,
             action VARCHAR NOT NULL,
             detail VARCHAR);
         CREATE TABLE IF NOT EXISTS hri_disagreements (
             anon_chi VARCHAR, year VARCHAR, level VARCHAR, theirs DOUBLE, ours DOUBLE);",
    )?;
    // Workspaces written before raw copies became optional required a raw table per file.
    let required: bool = conn.query_row(
        "SELECT count(*) > 0 FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main'
           AND table_name = 'load_log' AND column_name = 'raw_table' AND NOT is_nullable",
        [],
        |r| r.get(0),
    )?;
    if required {
        conn.execute_batch("ALTER TABLE load_log ALTER COLUMN raw_table DROP NOT NULL")?;
    }
    Ok(())
}

/// SQL for the state of the load log as text: it changes whenever a file is loaded or replaced,
/// so a figure stored with it is known to be that of the current model. (Stored overview
/// figures, the timeline side table and the in-process cohort cache all key on it.)
pub const LOAD_STAMP_SQL: &str = "(SELECT coalesce(CAST(max(file_id) AS VARCHAR), '0') || ':' || count(*) || ':' || coalesce(CAST(max(loaded_at) AS VARCHAR), '') FROM load_log)";

/// The load log's state (see [`LOAD_STAMP_SQL`]).
pub fn load_stamp(conn: &Connection) -> Result<String> {
    Ok(conn.prepare_cached(&format!("SELECT {LOAD_STAMP_SQL}"))?.query_row([], |r| r.get(0))?)
}
