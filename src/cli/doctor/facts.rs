//! The facts `carepath doctor` reports, gathered without opening a workspace or reading an
//! extract, so the report holds no patient data and can be pasted into a support request: the
//! build, DuckDB (asked through the store's own settings), the workspace rule, the terminal,
//! the system and the bundled sample.
use crate::cli::version;
use crate::cli::workspace::{self, SAMPLE_DIR};
use crate::store::{self, probe::EngineFacts};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize)]
pub struct Report {
    pub carepath: Build,
    /// None when DuckDB could not even start (the reason is in `problems`).
    pub duckdb: Option<EngineFacts>,
    pub workspace: WorkspaceFacts,
    pub terminal: Terminal,
    pub system: System,
    pub sample: Sample,
    /// What stops carepath working offline here; `carepath doctor` exits 1 when there is any.
    pub problems: Vec<String>,
    /// What works, but not as well as it could (terminal, sample).
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Build {
    pub version: &'static str,
    pub git_commit: &'static str,
    pub target: &'static str,
}

#[derive(Debug, Serialize)]
pub struct WorkspaceFacts {
    /// The workspace a command would use with these arguments and this environment.
    pub path: String,
    /// Which rule chose it: `--workspace`, `CAREPATH_WORKSPACE` or `default`.
    pub chosen_by: &'static str,
    pub exists: bool,
    /// DuckDB's spill folder for it, as DuckDB was configured (not created by the doctor).
    pub spill_folder: String,
    /// DuckDB's memory limit while exploring, as carepath sets it.
    pub memory_limit_exploring: &'static str,
    /// DuckDB's memory limit while loading, in MB (half the machine's memory, 4-16 GB).
    pub memory_limit_loading_mb: u64,
    /// Whether `CAREPATH_LOAD_MEMORY_MB` chose the loading limit.
    pub load_memory_from_env: bool,
}

#[derive(Debug, Serialize)]
pub struct Terminal {
    pub stdout_is_terminal: bool,
    pub term: Option<String>,
    pub colorterm: Option<String>,
    pub no_color: bool,
    /// The palette the explorer would use: none, 16, 256 or truecolor.
    pub colours: &'static str,
    /// Columns x rows, measured only when stdout is a terminal.
    pub size: Option<Size>,
    /// The locale that decides the character set (LC_ALL, else LC_CTYPE, else LANG).
    pub locale: Option<String>,
    pub utf8: bool,
    pub inside_tmux: bool,
    pub over_ssh: bool,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Size {
    pub columns: u16,
    pub rows: u16,
}

#[derive(Debug, Serialize)]
pub struct System {
    pub os: &'static str,
    pub arch: &'static str,
    /// The glibc this process runs on (None on other C libraries).
    pub glibc: Option<String>,
    /// PRETTY_NAME from /etc/os-release, e.g. "Red Hat Enterprise Linux 8.9 (Ootpa)".
    pub os_release: Option<String>,
    pub cpus: usize,
}

#[derive(Debug, Serialize)]
pub struct Sample {
    /// Where `carepath` with no arguments looks for the sample: relative to the current folder.
    pub folder: &'static str,
    pub present: bool,
    /// Extract files (.parquet, .csv, .csv.gz) directly in the folder.
    pub data_files: usize,
    /// Whether the sample's workspace has been built already (first start builds it).
    pub workspace_built: bool,
}

/// Gather every fact. `given` is `--workspace`, if any.
pub fn gather(given: Option<&Path>) -> Report {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let (ws_path, chosen_by) = workspace::resolve_with_rule(given);
    let duckdb = match store::probe::engine_facts(&ws_path) {
        Ok(e) => Some(e),
        Err(e) => {
            problems.push(format!("DuckDB could not start with carepath's settings: {}; reinstall carepath (see the README's air-gapped section)", crate::ops::error::describe(&e)));
            None
        }
    };
    if let Some(e) = &duckdb {
        engine_problems(e, &mut problems);
    }
    let ws = WorkspaceFacts {
        path: ws_path.display().to_string(),
        chosen_by,
        exists: ws_path.is_file(),
        spill_folder: duckdb.as_ref().map(|e| e.temp_directory.clone()).unwrap_or_else(|| store::open::spill_dir(&ws_path).display().to_string()),
        memory_limit_exploring: store::open::MEMORY_LIMIT,
        memory_limit_loading_mb: store::open::load_memory_limit_mb(),
        load_memory_from_env: std::env::var_os("CAREPATH_LOAD_MEMORY_MB").is_some_and(|v| !v.is_empty()),
    };
    let terminal = terminal();
    terminal_notes(&terminal, &mut notes);
    let sample = sample(Path::new(SAMPLE_DIR));
    if !sample.present {
        notes.push(format!(
            "no {SAMPLE_DIR}/ folder in the current folder: `carepath` with no arguments opens the sample from there; run it where {SAMPLE_DIR}/ is, or give a folder of extracts (`carepath PATH`)"
        ));
    } else if sample.data_files == 0 {
        notes.push(format!("{SAMPLE_DIR}/ holds no extract files; restore it from the release, or make one with `carepath generate --out {SAMPLE_DIR}`"));
    }
    Report {
        carepath: Build { version: version::VERSION, git_commit: version::GIT_COMMIT, target: version::TARGET },
        duckdb,
        workspace: ws,
        terminal,
        system: system(),
        sample,
        problems,
        notes,
    }
}

fn engine_problems(e: &EngineFacts, problems: &mut Vec<String>) {
    if !e.parquet {
        problems.push(format!(
            "Parquet does not work in this binary ({}); .parquet extracts cannot be read: use a carepath release build (DuckDB with Parquet compiled in)",
            e.parquet_error.as_deref().unwrap_or("no reason given")
        ));
    }
    if e.autoinstall_known_extensions || e.autoload_known_extensions {
        problems.push("DuckDB extension auto-install or auto-load is on: this build would try to download extensions; use a carepath release build".into());
    }
    if e.allow_community_extensions {
        problems.push("DuckDB community extensions are allowed: this build is not locked down; use a carepath release build".into());
    }
}

fn terminal_notes(t: &Terminal, notes: &mut Vec<String>) {
    if !t.stdout_is_terminal {
        notes.push("stdout is not a terminal (piped or redirected): the terminal size was not measured; run `carepath doctor` on its own to see it".into());
    }
    if let Some(s) = t.size {
        if s.columns < 80 || s.rows < 24 {
            notes.push(format!("the terminal is {}x{}; the explorer needs at least 80x24: enlarge the window", s.columns, s.rows));
        }
    }
    if !t.utf8 {
        notes.push("the locale is not UTF-8: start the explorer with `carepath --ascii`, or set LANG=C.UTF-8 if the terminal shows UTF-8".into());
    }
    if t.colours == "none" {
        notes.push("colours are off (NO_COLOR is set or TERM is dumb/unset): the explorer shows selection by reverse video".into());
    }
}

fn terminal() -> Terminal {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let stdout_is_terminal = std::io::stdout().is_terminal();
    // Only a real terminal is asked: without one crossterm falls back to `tput`, which answers
    // from TERM's defaults, not from any window.
    let size = if stdout_is_terminal { crossterm::terminal::size().ok().map(|(columns, rows)| Size { columns, rows }) } else { None };
    let locale = var("LC_ALL").or_else(|| var("LC_CTYPE")).or_else(|| var("LANG"));
    let utf8 = locale.as_deref().is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    });
    let colours = match crate::tui::theme::Theme::detect(false).color {
        crate::tui::theme::ColorMode::None => "none",
        crate::tui::theme::ColorMode::Basic16 => "16",
        crate::tui::theme::ColorMode::Ansi256 => "256",
        crate::tui::theme::ColorMode::TrueColor => "truecolor",
    };
    Terminal {
        stdout_is_terminal,
        term: var("TERM"),
        colorterm: var("COLORTERM"),
        no_color: var("NO_COLOR").is_some(),
        colours,
        size,
        locale,
        utf8,
        inside_tmux: var("TMUX").is_some(),
        // Only whether: SSH_CONNECTION holds addresses, which a support request does not need.
        over_ssh: var("SSH_CONNECTION").is_some() || var("SSH_TTY").is_some(),
    }
}

fn system() -> System {
    System {
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        glibc: glibc_version(),
        os_release: std::fs::read_to_string("/etc/os-release").ok().and_then(|t| os_pretty_name(&t)),
        cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    }
}

/// PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" -> Debian GNU/Linux 12 (bookworm).
fn os_pretty_name(text: &str) -> Option<String> {
    let v = text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="))?;
    let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
    (!v.is_empty()).then_some(v)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn glibc_version() -> Option<String> {
    // SAFETY: gnu_get_libc_version takes no arguments and returns a static NUL-terminated string.
    let ptr = unsafe { libc::gnu_get_libc_version() };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null, static and NUL-terminated (see above).
    Some(unsafe { std::ffi::CStr::from_ptr(ptr) }.to_string_lossy().into_owned())
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn glibc_version() -> Option<String> {
    None
}

fn sample(dir: &Path) -> Sample {
    let present = dir.is_dir();
    let data_files = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().to_ascii_lowercase();
                    n.ends_with(".parquet") || n.ends_with(".csv") || n.ends_with(".csv.gz")
                })
                .count()
        })
        .unwrap_or(0);
    let ws: PathBuf = store::default_workspace_for(dir);
    Sample { folder: SAMPLE_DIR, present, data_files, workspace_built: ws.is_file() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pretty_name_is_read_without_quotes() {
        let t = "NAME=\"Rocky Linux\"\nPRETTY_NAME=\"Rocky Linux 8.9 (Green Obsidian)\"\nID=rocky\n";
        assert_eq!(super::os_pretty_name(t).as_deref(), Some("Rocky Linux 8.9 (Green Obsidian)"));
        assert_eq!(super::os_pretty_name("ID=x\n"), None);
    }
}
