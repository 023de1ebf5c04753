//! What DuckDB would run a workspace with, asked of DuckDB itself (for `carepath doctor`): the
//! engine's version, whether Parquet is compiled in and works, the extension settings, memory
//! limit, threads and spill folder. The connection is in memory and opened by
//! [`Workspace::probe_settings`], i.e. by the very code that opens workspaces, so the answer
//! cannot drift from what a workspace gets. No workspace or extract is opened.
use super::open::Workspace;
use anyhow::{Context, Result};
use duckdb::Connection;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct EngineFacts {
    /// DuckDB's version (`pragma_version()`), e.g. `v1.2.0`.
    pub version: String,
    /// DuckDB's own source commit.
    pub source_id: String,
    /// Parquet written and read back in this process.
    pub parquet: bool,
    /// Why the Parquet round trip failed (absent when it worked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parquet_error: Option<String>,
    /// Extensions loaded without being asked for: the ones compiled into the binary.
    pub extensions_loaded: Vec<String>,
    pub autoinstall_known_extensions: bool,
    pub autoload_known_extensions: bool,
    pub allow_community_extensions: bool,
    /// As DuckDB reports it (e.g. `3.7 GiB` for carepath's `4GB`).
    pub memory_limit: String,
    pub threads: i64,
    pub temp_directory: String,
}

/// Ask DuckDB, configured as a workspace at `workspace` would be, what it runs with.
pub fn engine_facts(workspace: &Path) -> Result<EngineFacts> {
    let conn = Workspace::probe_settings(workspace).context("could not start DuckDB in memory with carepath's settings")?;
    let text = |sql: &str| -> Result<String> {
        conn.query_row(sql, [], |r| r.get::<_, String>(0)).with_context(|| format!("DuckDB could not answer {sql}"))
    };
    let setting = |name: &str| text(&format!("SELECT CAST(current_setting('{name}') AS VARCHAR)"));
    let flag = |name: &str| -> Result<bool> { Ok(setting(name)?.eq_ignore_ascii_case("true")) };

    let mut stmt = conn.prepare("SELECT extension_name FROM duckdb_extensions() WHERE loaded ORDER BY extension_name")?;
    let extensions_loaded = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    let parquet_error = parquet_round_trip(&conn).err().map(|e| format!("{e:#}"));
    let (version, source_id) = conn
        .query_row("SELECT library_version, source_id FROM pragma_version()", [], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .context("DuckDB could not say its version (pragma_version)")?;
    Ok(EngineFacts {
        version,
        source_id,
        parquet: parquet_error.is_none(),
        parquet_error,
        extensions_loaded,
        autoinstall_known_extensions: flag("autoinstall_known_extensions")?,
        autoload_known_extensions: flag("autoload_known_extensions")?,
        allow_community_extensions: flag("allow_community_extensions")?,
        memory_limit: setting("memory_limit")?,
        threads: setting("threads")?.trim().parse().unwrap_or(0),
        temp_directory: setting("temp_directory")?,
    })
}

/// Write a one-row Parquet file and read it back. With auto-install and auto-load off, this
/// works only when Parquet is compiled into the binary, which is what an offline server needs.
fn parquet_round_trip(conn: &Connection) -> Result<()> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let file = std::env::temp_dir().join(format!("carepath-doctor-{}-{stamp}.parquet", std::process::id()));
    // COPY takes no bound parameter for its target; the name is ours, the folder is the
    // system's temporary one, and quotes are doubled.
    let literal = file.to_string_lossy().replace('\'', "''");
    let result = (|| -> Result<()> {
        conn.execute_batch(&format!("COPY (SELECT 42 AS answer) TO '{literal}' (FORMAT parquet)"))
            .context("writing a Parquet file failed")?;
        let back: i64 = conn
            .query_row("SELECT answer FROM read_parquet(?)", [file.to_string_lossy().as_ref()], |r| r.get(0))
            .context("reading a Parquet file back failed")?;
        anyhow::ensure!(back == 42, "a Parquet file read back {back}, not what was written (42)");
        Ok(())
    })();
    let _ = std::fs::remove_file(&file);
    result
}
