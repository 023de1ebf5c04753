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
    /// the bookkeeping tables exist. An existing file that is not a DuckDB database is refused
    /// before anything touches it (no chmod, no write).
    pub fn open(path: &Path) -> Result<Workspace> {
        refuse_foreign_file(path)?;
        private_files();
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let tmp = spill_dir(path);
        create_private_dir(&tmp)?;
        set_mode(&tmp, 0o700); // also a spill folder that existed with looser permissions
        let legacy = dir.join("tmp"); // where earlier versions spilled, inside `.carepath`
        if dir.file_name().is_some_and(|n| n == ".carepath") && legacy.is_dir() {
            set_mode(&legacy, 0o700);
        }
        let conn = open_waiting(path, &tmp)?;
        restrict_file(path);
        let ws = Workspace { conn, path: path.to_path_buf() };
        super::schema::ensure_bookkeeping(&ws.conn)?;
        super::reference::ensure_reference_tables(&ws.conn)?;
        // Whatever opening created (bookkeeping tables with their defaults) goes into the file
        // now, not only into the WAL: a process killed later never leaves a WAL of table
        // definitions to replay. A no-op when nothing changed.
        let _ = ws.conn.execute_batch("CHECKPOINT");
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

    /// An in-memory connection with exactly the settings a workspace at `path` would get (the
    /// same [`secure_config`], spill folder [`spill_dir`]), for `carepath doctor` to ask DuckDB
    /// what it would run with. Nothing is created: no file, no spill folder, no tables.
    pub fn probe_settings(path: &Path) -> Result<Connection> {
        Ok(Connection::open_in_memory_with_flags(secure_config(&spill_dir(path))?)?)
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
            Err(e) => return Err(open_error(path, &e.to_string())),
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
    with_suffix(path, ".wal")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// DuckDB's spill folder for a workspace: `<workspace>.tmp` (DuckDB's own default name), a
/// folder that is carepath's alone, so it can be made owner-only whatever existed before.
pub fn spill_dir(path: &Path) -> PathBuf {
    with_suffix(path, ".tmp")
}

/// Every file carepath or DuckDB creates from now on (workspace, WAL, spill files, exports,
/// staging files) is owner-only: the process file-creation mask drops group and other bits.
#[cfg(unix)]
pub fn private_files() {
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(not(unix))]
pub fn private_files() {}

/// Refuse an existing file that is not a DuckDB database (a CSV given as `--workspace` by
/// mistake) before DuckDB or a chmod touches it. DuckDB files carry `DUCK` at byte 8.
fn refuse_foreign_file(path: &Path) -> Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => anyhow::bail!("could not open workspace {}: {}", path.display(), io_reason(&e)),
    };
    if meta.is_dir() {
        anyhow::bail!("could not open workspace {}: it is a folder; give a workspace file such as {}", path.display(), path.join("workspace.duckdb").display());
    }
    if !meta.is_file() {
        anyhow::bail!("could not open workspace {}: it is not a regular file", path.display());
    }
    if meta.len() == 0 {
        return Ok(()); // an empty file holds nothing to lose; DuckDB makes it a workspace
    }
    let mut head = [0u8; 12];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("could not open workspace {}: {}", path.display(), io_reason(&e)))?;
        f.read(&mut head).unwrap_or(0)
    };
    if n < 12 || &head[8..12] != b"DUCK" {
        anyhow::bail!(
            "could not open workspace {}: the file exists but is not a DuckDB workspace (it was left untouched); give a new file name or a folder's .carepath/workspace.duckdb",
            path.display()
        );
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied (check the file's and its folder's permissions)".into(),
        _ => e.to_string(),
    }
}

/// Say what failed when DuckDB cannot open a workspace, from its error text: locked by another
/// process (with its PID), permission denied, not a DuckDB file, a WAL it cannot replay.
pub fn open_error(path: &Path, duckdb_message: &str) -> anyhow::Error {
    let first = duckdb_message.lines().next().unwrap_or(duckdb_message);
    let ws = path.display();
    if duckdb_message.contains("Conflicting lock") || duckdb_message.contains("Could not set lock") {
        let holder = duckdb_message
            .split("(PID ")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .map(|pid| {
                let prog = duckdb_message.split("is held in ").nth(1).and_then(|s| s.split(" (PID").next()).unwrap_or("another program");
                format!("process {pid} ({prog})")
            })
            .unwrap_or_else(|| "another process".into());
        return anyhow::anyhow!("could not open workspace {ws}: it is in use by {holder}; close that program (or wait for its load to finish) and try again");
    }
    if duckdb_message.contains("Permission denied") {
        return anyhow::anyhow!("could not open workspace {ws}: permission denied; check that you may read and write the file and its folder");
    }
    if duckdb_message.contains("not a valid DuckDB database file") {
        return anyhow::anyhow!("could not open workspace {ws}: the file is not a DuckDB workspace");
    }
    if duckdb_message.contains("No space left on device") {
        return anyhow::anyhow!("could not open workspace {ws}: the disk is full ({}); free some space and try again", free_space_text(path));
    }
    if duckdb_message.contains("WAL") {
        return anyhow::anyhow!("could not open workspace {ws}: its write-ahead log ({}) cannot be replayed ({first})", wal_path(path).display());
    }
    anyhow::anyhow!("could not open workspace {ws}: {first}")
}

/// Free space on the disk holding `path` (or its folder), as text such as "1.2 GB free".
pub fn free_space_text(path: &Path) -> String {
    match free_bytes(path) {
        Some(b) => format!("{} free", crate::format::bytes(b)),
        None => "free space unknown".into(),
    }
}

#[cfg(unix)]
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut p = path.to_path_buf();
    while !p.exists() {
        p = p.parent()?.to_path_buf();
        if p.as_os_str().is_empty() {
            p = PathBuf::from(".");
        }
    }
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes into the zeroed struct we own; c is a valid NUL-terminated path.
    unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut s) == 0 {
            Some(s.f_bavail as u64 * s.f_frsize as u64)
        } else {
            None
        }
    }
}

#[cfg(not(unix))]
pub fn free_bytes(_path: &Path) -> Option<u64> {
    None
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
