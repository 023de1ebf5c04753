//! Loading extracts into a workspace: recognise each file, read it raw, check every row (bad
//! rows go to `load_rejects` with file, row, column and reason), stage the good rows, then
//! rebuild the canonical model, all in one transaction so a failed or killed load leaves the
//! previous workspace exactly as it was.
pub mod chi;
pub mod discover;
pub mod first_look;
pub mod kinds;
pub mod read;
pub mod spec;
pub mod validate;

use crate::store::detect::{self, FileFormat, Kind};
use crate::store::{derive, report, Workspace};
use anyhow::{bail, Context, Result};
use crate::store::report::FileOutcome;
use crate::store::timing::timing;
use duckdb::{params, Connection};
use std::path::{Path, PathBuf};

struct Planned {
    path: PathBuf,
    kind: Kind,
    format: FileFormat,
    columns: Vec<String>,
    fingerprint: String,
    bytes: u64,
    replaces: Option<i64>,
    notes: Vec<String>,
    lone_cr_rows: Vec<i64>,
    keep_raw: bool,
}

/// Choices an analyst makes for a load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadOptions {
    /// `--kind FILE=KIND`: files whose kind the analyst states (recognition is skipped).
    pub kinds: Vec<(PathBuf, Kind)>,
    /// `--keep-raw`: also copy each file as read (every column, CHIs anonymised) into the
    /// workspace as `raw_<kind>_<n>`. Off by default: the analyst's files stay where they are,
    /// known by path and content fingerprint, and the workspace holds each field once.
    pub keep_raw: bool,
    /// The explorer's first look at a folder: load only the latest year's SLF files (and
    /// datazone lookups) now; the rest are reported as deferred (see [`first_look`]).
    pub latest_year_first: bool,
}

impl LoadOptions {
    /// Parse `FILE=KIND` (KIND is a kind code such as `individual` or `sc_client`).
    pub fn parse_kind(arg: &str) -> Result<(PathBuf, Kind)> {
        let Some((file, code)) = arg.rsplit_once('=') else {
            bail!("--kind {arg}: expected FILE=KIND, e.g. --kind extract/indiv.parquet=individual");
        };
        let Some(kind) = Kind::from_code(code.trim()) else {
            let codes: Vec<&str> = detect::ALL_KINDS.iter().map(|k| k.code()).collect();
            bail!("--kind {arg}: unknown kind {code:?}; one of {}", codes.join(", "));
        };
        Ok((PathBuf::from(file), kind))
    }

    fn kind_of(&self, path: &Path) -> Option<Kind> {
        let want = canonical(path);
        self.kinds.iter().find(|(p, _)| canonical(p) == want).map(|(_, k)| *k)
    }
}

/// Load `paths` (files or folders) into the workspace and return the load report.
pub fn load(ws: &Workspace, paths: &[PathBuf]) -> Result<report::LoadReport> {
    load_with_progress(&ws.conn, paths, &|_, _, _| {})
}

/// As [`load`], with the analyst's choices (`--kind`).
pub fn load_with_options(ws: &Workspace, paths: &[PathBuf], options: &LoadOptions) -> Result<report::LoadReport> {
    load_with_options_progress(&ws.conn, paths, options, &|_, _, _| {})
}

/// As [`load`], calling `progress(files_done, files_total, current_file)` as it goes.
pub fn load_with_progress(
    conn: &Connection,
    paths: &[PathBuf],
    progress: &dyn Fn(usize, usize, &str),
) -> Result<report::LoadReport> {
    load_with_options_progress(conn, paths, &LoadOptions::default(), progress)
}

pub fn load_with_options_progress(
    conn: &Connection,
    paths: &[PathBuf],
    options: &LoadOptions,
    progress: &dyn Fn(usize, usize, &str),
) -> Result<report::LoadReport> {
    let t = std::time::Instant::now();
    let planned = plan(conn, paths, options);
    timing("plan (fingerprints, columns)", t);
    let (mut plan, mut outcomes) = planned.map_err(|e| for_people(e).context("load stopped; the workspace is unchanged"))?;
    let mut first_look = false;
    if options.latest_year_first {
        let files: Vec<first_look::FileToLoad> =
            plan.iter().map(|p| first_look::FileToLoad { kind: p.kind, path: &p.path, format: p.format, columns: &p.columns }).collect();
        if let Some((latest, later)) = first_look::deferred(conn, &files) {
            first_look = true;
            let (wait, now): (Vec<_>, Vec<_>) = plan.into_iter().zip(later).partition(|(_, l)| *l);
            plan = now.into_iter().map(|(p, _)| p).collect();
            for (p, _) in wait {
                outcomes.push(FileOutcome {
                    path: canonical(&p.path),
                    kind: Some(p.kind),
                    format: Some(p.format),
                    status: first_look::DEFERRED.into(),
                    note: Some(format!("loaded next, after a first look at {}", latest.label())),
                    rows_read: 0,
                    rows_loaded: 0,
                    rows_rejected: 0,
                    warnings: Vec::new(),
                });
            }
        }
    }
    if plan.is_empty() && outcomes.iter().all(|o| o.status == "skipped") {
        bail!(
            "found no extract files to load in {} (expected SLF episode/individual files, SC2 extracts or a SIMD lookup as .parquet, .csv or .csv.gz)",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    if plan.is_empty() {
        // Everything was loaded before: nothing to change, just report.
        return report::build(conn, outcomes);
    }
    // Loads get more memory than exploring (see `load_memory_limit_mb`); the exploring limit
    // (and insertion order, relaxed for derive) are restored afterwards, whatever happens.
    conn.execute_batch(&format!("SET memory_limit = '{}MB';", crate::store::open::load_memory_limit_mb()))?;
    let t = std::time::Instant::now();
    let result = load_transaction(conn, &plan, first_look, progress);
    timing("transaction", t);
    let restored = conn.execute_batch(&format!(
        "SET memory_limit = '{}'; SET preserve_insertion_order = true;",
        crate::store::open::MEMORY_LIMIT
    ));
    outcomes.extend(result?); // the load's own error first: it says what went wrong
    restored?;
    let t = std::time::Instant::now();
    let r = report::build(conn, outcomes);
    timing("report", t);
    r
}

/// The load proper, in one transaction: committed whole or rolled back whole.
fn load_transaction(conn: &Connection, plan: &[Planned], first_look: bool, progress: &dyn Fn(usize, usize, &str)) -> Result<Vec<FileOutcome>> {
    conn.execute_batch("BEGIN TRANSACTION")?;
    match load_in_transaction(conn, plan, first_look, progress) {
        Ok(done) => {
            crash_point_for_tests();
            pause_for_tests("before-commit");
            let t = std::time::Instant::now();
            let committed = conn.execute_batch("COMMIT");
            timing("commit", t);
            if let Err(e) = committed {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(disk_full_or(conn, anyhow::Error::from(e).context("could not commit the load")));
            }
            pause_for_tests("commit");
            let t = std::time::Instant::now();
            // Fold the WAL into the workspace file now, so that what was committed is in the
            // file itself and a later open has nothing to replay. (A kill before this point
            // leaves a WAL that replays with carepath's own settings: the load stores data,
            // never expressions that need an extension.)
            let _ = conn.execute_batch("CHECKPOINT");
            timing("checkpoint", t);
            Ok(done)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(for_people(disk_full_or(conn, e)).context("load stopped; the workspace is unchanged"))
        }
    }
}

/// An error as people read it: each cause's first line only (DuckDB appends the SQL it was
/// running, "LINE 1: SELECT ...", which means nothing to an analyst), and no bare error codes.
fn for_people(e: anyhow::Error) -> anyhow::Error {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        let first = text.lines().next().unwrap_or("").trim().to_string();
        let first = if first.contains("Unknown error code") { "the database engine failed without saying why".to_string() } else { first };
        if !first.is_empty() && !parts.iter().any(|p| p.contains(&first)) {
            parts.push(first);
        }
    }
    anyhow::anyhow!(parts.join(": "))
}

/// A full disk is the workspace's problem, not the input file's: say so, with the free space
/// of the workspace's and the spill folder's disks.
fn disk_full_or(conn: &Connection, e: anyhow::Error) -> anyhow::Error {
    let text = format!("{e:#}");
    if !(text.contains("No space left on device") || text.contains("disk is full") || text.contains("Disk full")) {
        return e;
    }
    let ws: Option<String> = conn
        .query_row("SELECT path FROM duckdb_databases() WHERE database_name = current_database()", [], |r| r.get(0))
        .ok()
        .flatten();
    let spill: Option<String> = conn.query_row("SELECT current_setting('temp_directory')", [], |r| r.get(0)).ok();
    let place = |p: &Option<String>| {
        p.as_deref().map(|p| format!("{p} ({})", crate::store::open::free_space_text(Path::new(p)))).unwrap_or_else(|| "unknown".into())
    };
    anyhow::anyhow!(
        "the disk is full: workspace {}, spill folder {}. Free some space or give --workspace on a disk with room (about three times the size of the extracts)",
        place(&ws),
        place(&spill)
    )
}

/// Tests prove that a process killed mid-load leaves the workspace untouched by setting this.
fn crash_point_for_tests() {
    if std::env::var_os("CAREPATH_TEST_ABORT_BEFORE_COMMIT").is_some() {
        std::process::abort();
    }
}

/// Tests kill the process at a known point: with `CAREPATH_TEST_PAUSE_AT` set to `point`
/// (`before-commit`, `commit`, `report`), say so on stderr and wait to be killed.
pub fn pause_for_tests(point: &str) {
    if std::env::var("CAREPATH_TEST_PAUSE_AT").is_ok_and(|p| p == point) {
        eprintln!("carepath-test: paused at {point}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
}

fn plan(conn: &Connection, paths: &[PathBuf], options: &LoadOptions) -> Result<(Vec<Planned>, Vec<FileOutcome>)> {
    let mut plan: Vec<Planned> = Vec::new();
    let mut outcomes = Vec::new();
    let found = discover::expand(paths)?;
    for (path, note) in found.skipped {
        outcomes.push(FileOutcome::skipped(&path, note));
    }
    for (path, explicit) in found.files {
        let skipped = |note: String| FileOutcome::skipped(&path, note);
        let format = detect::format_of(&path)?;
        // The same bytes loaded before: nothing to read (a reopen of the sample costs only
        // the hashes, not a CSV sniff per file).
        let (fingerprint, bytes) = read::fingerprint(&path)?;
        let before: Option<(String, String)> = conn
            .query_row("SELECT path, kind FROM load_log WHERE fingerprint = ? LIMIT 1", [&fingerprint], |r| Ok((r.get(0)?, r.get(1)?)))
            .ok();
        if let Some((already, kind)) = before {
            let mut o = skipped(format!("same content as {already}"));
            o.status = "already loaded".into();
            o.kind = Kind::from_code(&kind);
            o.format = Some(format);
            outcomes.push(o);
            continue;
        }
        let read::FileColumns { columns, notes, lone_cr_rows } = read::columns(conn, &path, format)?;
        let lower: Vec<String> = columns.iter().map(|c| c.trim().to_ascii_lowercase()).collect();
        let recognised = match options.kind_of(&path) {
            Some(k) => detect::Recognised::One(k),
            None => detect::recognise(&lower),
        };
        let found = match recognised {
            detect::Recognised::One(k) => Some(k),
            detect::Recognised::Ambiguous(c) => bail!(
                "{}: its columns fit more than one kind of extract: {}. Say which with --kind",
                path.display(),
                detect::describe_candidates(&c)
            ),
            detect::Recognised::None => None,
        };
        let kind = match found.or_else(|| detect::kind_from_name(&path)) {
            Some(k) => k,
            None if explicit => bail!(
                "{}: its columns do not match any known extract (SLF episode/individual, SC2 tables, SIMD lookup); first columns: {}",
                path.display(),
                columns.iter().take(6).cloned().collect::<Vec<_>>().join(", ")
            ),
            None => {
                outcomes.push(skipped("columns do not match any known extract".into()));
                continue;
            }
        };
        let spec = kinds::spec(kind);
        let missing = spec.missing_required(&lower);
        if !missing.is_empty() {
            bail!(
                "{}: looks like an {} but is missing the required column(s) {}; add them or export the file with the published column names",
                path.display(),
                kind.label(),
                missing.join(", ")
            );
        }
        let canonical = canonical(&path);
        if plan.iter().any(|p| p.fingerprint == fingerprint) {
            let mut o = skipped("same content as another file in this load".into());
            o.status = "already loaded".into();
            o.kind = Some(kind);
            o.format = Some(format);
            outcomes.push(o);
            continue;
        }
        let replaces: Option<i64> = conn
            .query_row("SELECT file_id FROM load_log WHERE path = ? LIMIT 1", [&canonical], |r| r.get(0))
            .ok();
        plan.push(Planned { path, kind, format, columns, fingerprint, bytes, replaces, notes, lone_cr_rows, keep_raw: options.keep_raw });
    }
    Ok((plan, outcomes))
}

fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

fn load_in_transaction(conn: &Connection, plan: &[Planned], first_look: bool, progress: &dyn Fn(usize, usize, &str)) -> Result<Vec<FileOutcome>> {
    let t0 = std::time::Instant::now();
    for kind in detect::ALL_KINDS {
        let spec = kinds::spec(kind);
        conn.execute_batch(&spec.ddl())?;
        let existing: Vec<String> = column_types(conn, spec.stg_table)?.into_iter().map(|(c, _)| c.to_ascii_lowercase()).collect();
        for stmt in spec.add_missing_columns(&existing) {
            conn.execute_batch(&stmt)?;
        }
    }
    timing("tables", t0);
    let mut outcomes = Vec::new();
    let total = plan.len() + 1;
    for (i, p) in plan.iter().enumerate() {
        progress(i, total, &format!("loading {}", p.path.display()));
        let t = std::time::Instant::now();
        let o = load_file(conn, p).with_context(|| format!("{}: could not be loaded", p.path.display()))?;
        timing(&format!("load {}", p.path.display()), t);
        outcomes.push(o);
    }
    let t = std::time::Instant::now();
    refuse_doubled_rows(conn)?;
    timing("doubled rows", t);
    progress(plan.len(), total, "deriving person, event and person_year");
    // Derived tables whose order matters are written with ORDER BY; letting DuckDB write the
    // rest in any order saves memory. (Not while reading files: CSV row numbers need order.)
    conn.execute_batch("SET preserve_insertion_order = false")?;
    let t = std::time::Instant::now();
    derive::rebuild(conn).context("could not rebuild the person, event and person_year tables")?;
    timing("derive", t);
    // Person-sorted look-up table so that the first timeline opened is fast too.
    let t = std::time::Instant::now();
    crate::store::timeline::rebuild_side_table(conn).context("could not build the timeline look-up table")?;
    timing("timeline side table", t);
    // The overview figures, so that reopening the workspace shows them at once.
    let t = std::time::Instant::now();
    crate::store::overview::store_all(conn).context("could not store the overview figures")?;
    timing("overview", t);
    // The whole population's half of each year's characterisation (the first call's cost).
    let t = std::time::Instant::now();
    crate::store::cohort::store_population(conn).context("could not store the population's characterisation")?;
    timing("characterisation (population)", t);
    // Figures whose views would otherwise scan the whole model on every call (issues 13-15).
    let t = std::time::Instant::now();
    crate::store::pathways::transition_store::store_all(conn).context("could not store the HRI transitions")?;
    timing("transitions", t);
    let t = std::time::Instant::now();
    crate::store::services::delays::store(conn).context("could not store the delayed discharge rows")?;
    timing("delays side table", t);
    // A first look leaves the series to the full load that follows it (until then a chart
    // computes its series when asked).
    if !first_look {
        let t = std::time::Instant::now();
        crate::store::series_store::store_all(conn).context("could not store the monthly and weekly series")?;
        timing("series (monthly, weekly)", t);
    }
    Ok(outcomes)
}

/// The TEMP table each file is read into.
const RAW: &str = "cp_raw";

fn load_file(conn: &Connection, p: &Planned) -> Result<FileOutcome> {
    if let Some(old) = p.replaces {
        forget_file(conn, old)?;
    }
    let file_id: i64 = conn.query_row("SELECT nextval('file_id_seq')", [], |r| r.get(0))?;
    let raw_table = format!("raw_{}_{file_id}", p.kind.code());
    let path_text = canonical(&p.path);
    let spec = validate::harden(kinds::spec(p.kind));
    let known: Vec<String> = spec.fields.iter().map(|f| f.name.clone()).collect();
    let mut warnings = p.notes.clone();
    let repeated = match p.format {
        FileFormat::Csv => validate::duplicate_header_names(&p.path, &read::sniff_delimiter(&p.path)?),
        FileFormat::Parquet => validate::duplicate_parquet_names(conn, &p.path)?,
    };
    for (name, times) in repeated {
        warnings.push(format!("column {name} appears {times} times: the first is used, the others are {}", kept_where(p.keep_raw, &format!(" as {name}_1 ..."))));
    }
    // Every file is read into a TEMP table, gone at the end of the load: CHIs never reach the
    // workspace, and without --keep-raw nothing of the file but its staged rows is stored.
    // A CSV with a lone CR in some rows is read from a copy without them (those rows are rejected).
    let cr_free = read::CrFreeCopy::if_needed(conn, &p.path, &p.lone_cr_rows)?;
    let source = cr_free.as_ref().map(|c| c.path()).unwrap_or(&p.path);
    let t = std::time::Instant::now();
    conn.execute_batch("DROP TABLE IF EXISTS temp.cp_raw;")?;
    let (rows_read_table, csv_rejects) = read::create_raw(conn, RAW, (&p.path, source), p.format, &p.columns, &p.lone_cr_rows)?;
    drop(cr_free);
    timing("  raw", t);
    let t = std::time::Instant::now();
    let mut typed_columns = column_types(conn, RAW)?;
    let names: Vec<String> = typed_columns.iter().map(|(n, _)| n.clone()).collect();
    let chi_cols = chi::chi_columns(conn, RAW, &names, &known)?;
    timing("  chi columns", t);
    let mut stage_from = RAW.to_string();
    if !chi_cols.is_empty() {
        let (src, cols) = chi::staging_source(RAW, &typed_columns, &chi_cols, known.iter().any(|k| k == "anon_chi"));
        stage_from = src;
        typed_columns = cols;
    }
    // Check and stage in one pass over the raw table; only the rows it leaves out are checked
    // again to record why (none, usually, so that pass is skipped).
    let loaded = conn.execute(&spec.stage_sql(&stage_from, &typed_columns), [file_id])? as i64;
    timing("  check+stage", t);
    if loaded < rows_read_table {
        let t = std::time::Instant::now();
        conn.execute(&spec.reject_sql(&stage_from, &typed_columns), params![file_id, path_text])?;
        timing("  rejects", t);
    }
    for r in &csv_rejects {
        // The CSV reader counts lines from 1 with the header as line 1: data row = line - 1.
        conn.execute(
            "INSERT INTO load_rejects VALUES (?, ?, ?, NULL, NULL, ?)",
            params![file_id, path_text, r.line - 1, r.message],
        )?;
    }
    if !chi_cols.is_empty() {
        // A malformed CHI may still be most of one: its rejected value is not kept either.
        for c in &chi_cols {
            conn.execute(
                "UPDATE load_rejects SET value = NULL WHERE file_id = ? AND lower(column_name) = lower(?)",
                params![file_id, c],
            )?;
        }
        warnings.push(format!(
            "CHI number column(s) {} replaced by the anonymised id before storing",
            chi_cols.join(", ")
        ));
    }
    if p.keep_raw {
        chi::persist_anonymised(conn, RAW, &raw_table, &chi_cols)?;
    }
    conn.execute_batch("DROP TABLE temp.cp_raw;")?;
    let rows_read = rows_read_table + csv_rejects.len() as i64;
    let rejected = rows_read - loaded;
    let extra: Vec<String> = p
        .columns
        .iter()
        .filter(|c| !known.contains(&c.trim().to_ascii_lowercase()))
        .cloned()
        .collect();
    conn.execute(
        "INSERT INTO load_log (file_id, path, kind, format, fingerprint, bytes, rows_read, rows_loaded, rows_rejected, raw_table, extra_columns)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            file_id,
            path_text,
            p.kind.code(),
            format!("{:?}", p.format).to_lowercase(),
            p.fingerprint,
            p.bytes as i64,
            rows_read,
            loaded,
            rejected,
            p.keep_raw.then_some(raw_table),
            extra.len() as i64
        ],
    )?;
    Ok(FileOutcome {
        path: path_text,
        kind: Some(p.kind),
        format: Some(p.format),
        status: if p.replaces.is_some() { "replaced".into() } else { "loaded".into() },
        note: if extra.is_empty() { None } else { Some(format!("{} extra column(s) {}", extra.len(), kept_where(p.keep_raw, ""))) },
        rows_read,
        rows_loaded: loaded,
        rows_rejected: rejected,
        warnings,
    })
}

/// A file that repeats rows another file already gave for the same year and record type would
/// double that year's figures: stop the load and say which files overlap (issue 11, item 4).
/// Files that split a year by service or by person never share a row, and an episode that
/// crosses 31 March is in two files with two different `year`s, so neither is refused.
fn refuse_doubled_rows(conn: &Connection) -> Result<()> {
    // cheap first pass: (year, recid) pairs held by more than one file
    let shared: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT year, recid FROM stg_episode GROUP BY year, recid HAVING count(DISTINCT file_id) > 1)",
        [],
        |r| r.get(0),
    )?;
    if shared == 0 {
        return Ok(());
    }
    let mut st = conn.prepare(
        "WITH shared AS (SELECT year, recid FROM stg_episode GROUP BY year, recid HAVING count(DISTINCT file_id) > 1),
         keys AS (
           SELECT e.year, e.recid, e.anon_chi, e.record_keydate1, e.record_keydate2, e.cost_total_net, e.file_id
           FROM stg_episode e JOIN shared USING (year, recid)),
         dup AS (
           SELECT year, recid, list(DISTINCT file_id) AS files FROM keys
           GROUP BY year, recid, anon_chi, record_keydate1, record_keydate2, cost_total_net
           HAVING count(DISTINCT file_id) > 1),
         doubled AS (SELECT year, recid, count(*) AS n, list_distinct(flatten(list(files))) AS files FROM dup GROUP BY year, recid)
         SELECT d.year, d.recid, d.n,
                (SELECT string_agg(l.path, ' and ' ORDER BY l.file_id) FROM load_log l WHERE list_contains(d.files, l.file_id)) AS known,
                d.files
         FROM doubled d ORDER BY d.year, d.recid LIMIT 5",
    )?;
    let rows: Vec<(String, String, i64, Option<String>)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Ok(());
    }
    let what: Vec<String> = rows
        .iter()
        .map(|(y, recid, n, known)| {
            let files = known.clone().map(|k| format!(" are in both {k}")).unwrap_or_default();
            format!("{n} {recid} rows of {y}{files}")
        })
        .collect();
    bail!(
        "these files would count the same rows twice: {}. A file for a year already loaded adds its rows only when they are new; \
         to replace a year, load the new file under the old file's name or start a new workspace",
        what.join("; ")
    )
}

/// (name, DuckDB type) of each column of a raw table.
fn column_types(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND database_name IN (current_database(), 'temp') ORDER BY column_index",
    )?;
    let v = st.query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Remove everything a previously loaded file contributed (its newer version replaces it).
fn forget_file(conn: &Connection, file_id: i64) -> Result<()> {
    let raw: Option<String> = conn.query_row("SELECT raw_table FROM load_log WHERE file_id = ?", [file_id], |r| r.get(0))?;
    for kind in detect::ALL_KINDS {
        let t = kinds::spec(kind).stg_table;
        conn.execute(&format!("DELETE FROM {t} WHERE file_id = ?"), [file_id])?;
    }
    conn.execute("DELETE FROM load_rejects WHERE file_id = ?", [file_id])?;
    conn.execute("DELETE FROM load_log WHERE file_id = ?", [file_id])?;
    // raw table names are ours (kind code + number), never user text
    if let Some(raw) = raw {
        conn.execute_batch(&format!("DROP TABLE IF EXISTS {raw}"))?;
    }
    Ok(())
}

/// Where columns carepath does not use end up: in the raw table with `--keep-raw`, else only
/// in the analyst's own file. `as_what` says under which names (may be empty).
fn kept_where(keep_raw: bool, as_what: &str) -> String {
    if keep_raw {
        format!("kept{as_what} in the raw table")
    } else {
        format!("left in the file (--keep-raw stores them{as_what})")
    }
}
