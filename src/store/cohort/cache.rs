//! A small process-wide cache for figures that depend only on the loaded data (e.g. the whole
//! population's characterisation of a year), so each cohort edit computes only its own half.
//!
//! Entries are keyed by the workspace's identity: its file path, the load log's state (every
//! load that rebuilds `person_year` adds to it in the same transaction) and the catalogue id of
//! the current `person_year` table. In-memory workspaces have no stable identity and are not
//! cached (they are small).
use anyhow::Result;
use duckdb::Connection;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Entries kept before the cache is emptied (a few years x a few workspaces).
const MAX_ENTRIES: usize = 32;

type Map = HashMap<String, Arc<dyn Any + Send + Sync>>;

fn map() -> &'static Mutex<Map> {
    static M: OnceLock<Mutex<Map>> = OnceLock::new();
    M.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The workspace's identity, or None when it has none worth caching under (in memory).
pub(super) fn workspace_key(conn: &Connection) -> Result<Option<String>> {
    let (path, oid): (Option<String>, Option<i64>) = conn
        .prepare_cached(
            "SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()), \
             (SELECT max(table_oid) FROM duckdb_tables() WHERE database_name = current_database() \
                     AND schema_name = 'main' AND table_name = 'person_year')",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    // No load log: nothing stable to key on (computed, not cached).
    let stamp = crate::store::schema::load_stamp(conn).ok();
    Ok(match (path, stamp, oid) {
        (Some(p), Some(s), Some(o)) if !p.is_empty() && p != ":memory:" => Some(format!("{p}\u{1f}{s}\u{1f}{o}")),
        _ => None,
    })
}

/// The cached value for `key` under the workspace, or compute (and keep) it.
pub(crate) fn get_or_compute<T: Send + Sync + 'static>(
    conn: &Connection,
    key: &str,
    compute: impl FnOnce() -> Result<T>,
) -> Result<Arc<T>> {
    // No identity (in memory, or no load log on this connection): compute without caching.
    let Some(ws) = workspace_key(conn).ok().flatten() else { return Ok(Arc::new(compute()?)) };
    let full = format!("{ws}\u{1f}{key}");
    if let Some(v) = map().lock().ok().and_then(|m| m.get(&full).cloned()) {
        if let Ok(t) = v.downcast::<T>() {
            return Ok(t);
        }
    }
    let v = Arc::new(compute()?);
    if let Ok(mut m) = map().lock() {
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(full, v.clone());
    }
    Ok(v)
}
