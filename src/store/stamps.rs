//! Which stored side tables the current load wrote. A table built at load is only read under
//! the load stamp it was written with: a later load by an older carepath (which does not
//! rebuild it) would otherwise leave a stale copy beside a new model.
use anyhow::Result;
use duckdb::Connection;

/// Record that `name` was built by this load (inside the load transaction).
pub fn mark(conn: &Connection, name: &str) -> Result<()> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS stored_stamp (name VARCHAR, stamp VARCHAR)")?;
    conn.execute("DELETE FROM stored_stamp WHERE name = ?", [name])?;
    let stamp = crate::store::schema::load_stamp(conn)?;
    conn.execute("INSERT INTO stored_stamp VALUES (?, ?)", [name, &stamp])?;
    Ok(())
}

/// Whether the table `name` is there and was built by the load the workspace is at now.
pub fn current(conn: &Connection, name: &str) -> bool {
    let Ok(stamp) = crate::store::schema::load_stamp(conn) else { return false };
    let n: Result<i64, _> = conn
        .prepare_cached(
            "SELECT count(*) FROM stored_stamp WHERE name = ? AND stamp = ?
               AND EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database())",
        )
        .and_then(|mut s| s.query_row([name, &stamp, name], |r| r.get(0)));
    matches!(n, Ok(n) if n > 0)
}
