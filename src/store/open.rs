//! Open a workspace file for sensitive data on an offline machine: no extension auto-install or
//! auto-load, a memory limit, spill files inside the workspace folder, owner-only permissions.
use anyhow::{Context, Result};
use duckdb::{Config, Connection};
use std::path::{Path, PathBuf};

/// DuckDB memory limit: keeps exploring within the 4 GB budget of DESIGN.md section 5.
pub const MEMORY_LIMIT: &str = "4GB";

/// DuckDB's memory limit while a load runs, in MB: the derive step groups every event of every
/// person-year at once, and at country scale (16.5M person-years) that does not fit in 4 GB
/// (DuckDB stopped with "Out of Memory"). Half the machine's memory, at least 4 GB and at most
/// 16 GB; `CAREPATH_LOAD_MEMORY_MB` overrides it. Exploring stays at [`MEMORY_LIMIT`].
pub fn load_memory_limit_mb() -> u64 {
    if let Some(mb) = std::env::var("CAREPATH_LOAD_MEMORY_MB").ok().and_then(|v| v.trim().parse::<u64>().ok()) {
        return mb.max(512);
    }
    let total_mb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map(|kb| kb / 1024)
        .unwrap_or(8 * 1024);
    (total_mb / 2).clamp(4 * 1024, 16 * 1024)
}

pub struct Workspace {
    pub conn: Connection,
    pub path: PathBuf,
}

/// Default workspace for a folder of extracts: `<dir>/.carepath/workspace.duckdb`.
pub fn default_workspace_for(dir: &Path) -> PathBuf {
    dir.join(".carepath").join("workspace.duckdb")
}

/// The workspace used for extracts at `path` when none is named: beside the folder, or beside
/// the file's folder.
pub fn default_workspace_for_extracts(path: &Path) -> PathBuf {
    let dir = if path.is_dir() { path.to_path_buf() } else { path.parent().unwrap_or(Path::new(".")).to_path_buf() };
    default_workspace_for(&dir)
}

impl Workspace {
    /// Open (creating if needed) the workspace at `path` with the secure settings and make sure
    /// the bookkeeping tables exist.
    pub fn open(path: &Path) -> Result<Workspace> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let tmp = dir.join("tmp");
        create_private_dir(&tmp)?;
        let conn = open_waiting(path, &tmp).with_context(|| {
            format!(
                "could not open workspace {} (is another carepath using it, or is it not a DuckDB file?)",
                path.display()
            )
        })?;
        restrict_file(path);
        let ws = Workspace { conn, path: path.to_path_buf() };
        super::schema::ensure_bookkeeping(&ws.conn)?;
        super::reference::ensure_reference_tables(&ws.conn)?;
        restrict_file(&wal_path(path));
        Ok(ws)
    }

    /// Open an in-memory workspace (tests and the generator's scratch work).
    pub fn in_memory() -> Result<Workspace> {
        let config = secure_config(&std::env::temp_dir())?;
        let conn = Connection::open_in_memory_with_flags(config)?;
        let ws = Workspace { conn, path: PathBuf::from(":memory:") };
        super::schema::ensure_bookkeeping(&ws.conn)?;
        super::reference::ensure_reference_tables(&ws.conn)?;
        Ok(ws)
    }

    /// Does the workspace hold a derived model yet (i.e. has anything been loaded)?
    pub fn has_model(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_year' AND database_name = current_database()",
            [],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }
}

/// How long an open waits for another carepath to let go of the workspace: an explorer holds it
/// only while it works (it closes it when idle), so a command run beside it gets its turn.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// Open the file, waiting (up to [`LOCK_WAIT`]) while another process holds DuckDB's lock.
fn open_waiting(path: &Path, tmp: &Path) -> Result<Connection> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match Connection::open_with_flags(path, secure_config(tmp)?) {
            Ok(c) => return Ok(c),
            Err(e) if e.to_string().contains("lock") && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn secure_config(tmp: &Path) -> Result<Config> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) as i64;
    Ok(Config::default()
        .enable_autoload_extension(false)?
        .max_memory(MEMORY_LIMIT)?
        .threads(threads)?
        .with("temp_directory", tmp.to_string_lossy())?
        .with("allow_community_extensions", "false")?)
}

fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".wal");
    PathBuf::from(s)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create folder {} for the workspace", dir.display()))?;
        set_mode(dir, 0o700);
    }
    Ok(())
}

/// Owner-only read/write: workspaces hold patient-level data.
fn restrict_file(path: &Path) {
    if path.exists() {
        set_mode(path, 0o600);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    // Best effort: a read-only mount or foreign owner keeps its own permissions.
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}
