//! The benchmark harness (issue 7): measures the performance targets of DESIGN.md section 5 at
//! a given scale, each against a baseline measured in the same run (DuckDB's own bulk read of
//! the same files, hand-written SQL over the raw tables), and reports medians, p95s and ratios.
//!
//! Phases, in order (one process, so the figures share a machine state):
//! 1. generate the synthetic extracts (fixed seed; cached in `cache/extracts` and reused while
//!    `cache/generated.txt` matches people, years and seed);
//! 2. read every file once (so both loads start with the files in the page cache);
//! 3. baseline load: `CREATE TABLE .. AS SELECT * FROM read_parquet(..)` (read_csv for the
//!    SIMD lookup) into a fresh plain DuckDB file with the same threads and memory limit;
//! 4. carepath load into a fresh workspace ([`crate::store::ingest::load`], which checks,
//!    stages and derives person, event and person_year), then the timeline side table
//!    ([`crate::store::timeline::prepare`]);
//! 5. peak RSS is reset (Linux `clear_refs`), then: reopen to first frame (open, overview
//!    query, one 200x60 draw) three times; the raw tables are attached read-only to the
//!    workspace connection (one buffer pool, one memory limit) as `raw`;
//! 6. cohort edits (count + attrition) vs hand-written SQL, characterisation, HRI picture,
//!    members pages (first and deep), timelines of 100 people; frame draws of each screen;
//! 7. peak RSS while exploring.
//!
//! Timings are wall-clock milliseconds. Nothing here asserts a timing: the report says whether
//! each target is met.
mod config;
pub mod edits;
pub mod pathways;
pub mod report;
pub mod services;
pub mod stats;

use crate::model::cohort::CohortSpec;
use crate::model::hri::HriLevel;
use crate::store::cohort::{self, MemberSort, PageRequest};
use crate::store::{ingest, overview, timeline, Workspace};
use crate::synth::{FileFormat, GenerateOptions};
use crate::tui::app::{App, Screen};
use crate::tui::keys::KeyMap;
use crate::tui::theme::Theme;
use anyhow::{bail, Context, Result};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
pub use config::{BenchConfig, Scale, FRAME, PAGE, SEED, YEARS};
pub use report::{Figure, Report, Target};
use stats::{p50, time_ms, Machine};
use std::path::{Path, PathBuf};

/// Default cache folder: `~/.cache/carepath-bench/<scale>`.
pub fn default_cache(scale: &str) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("carepath-bench").join(scale)
}

fn say(cfg: &BenchConfig, msg: &str) {
    if cfg.progress {
        eprintln!("[bench {}] {msg}", cfg.scale);
    }
}

/// Generate the extracts unless the cache already holds them. Returns the seconds spent
/// generating (None when cached) and the extracts folder.
fn ensure_extracts(cfg: &BenchConfig) -> Result<(Option<f64>, PathBuf)> {
    let dir = cfg.cache.join("extracts");
    let marker = cfg.cache.join("generated.txt");
    let want = format!("people={}\nyears={}\nseed={}\n", cfg.people, cfg.years.join(","), cfg.seed);
    if dir.is_dir() && std::fs::read_to_string(&marker).map(|s| s == want).unwrap_or(false) {
        say(cfg, &format!("using cached extracts in {}", dir.display()));
        return Ok((None, dir));
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("could not clear {}", dir.display()))?;
    }
    let _ = std::fs::remove_file(&marker);
    std::fs::create_dir_all(&cfg.cache).with_context(|| format!("could not create {}", cfg.cache.display()))?;
    say(cfg, &format!("generating {} people, years {} (seed {})", cfg.people, cfg.years.join(","), cfg.seed));
    let (ms, r) = time_ms(|| {
        crate::synth::generate(&GenerateOptions {
            people: cfg.people,
            years: cfg.years.clone(),
            seed: cfg.seed,
            out: dir.clone(),
            format: FileFormat::Parquet,
            csv_years: vec![],
            progress: cfg.progress,
        })
    });
    r.context("could not generate the benchmark extracts")?;
    std::fs::write(&marker, want)?;
    Ok((Some(ms / 1e3), dir))
}

/// The extract files (sorted) and their total size.
fn extract_files(dir: &Path) -> Result<(Vec<PathBuf>, u64)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().map(|n| n.to_string_lossy().starts_with('.')).unwrap_or(true))
        .collect();
    files.sort();
    let bytes = files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum();
    Ok((files, bytes))
}

/// Remove a DuckDB file and its WAL.
fn remove_db(path: &Path) {
    let _ = std::fs::remove_file(path);
    let mut wal = path.as_os_str().to_owned();
    wal.push(".wal");
    let _ = std::fs::remove_file(PathBuf::from(wal));
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// DuckDB reading the same files into plain tables: the load baseline. Returns milliseconds.
fn baseline_load(files: &[PathBuf], db: &Path) -> Result<f64> {
    remove_db(db);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) as i64;
    let config = duckdb::Config::default()
        .enable_autoload_extension(false)?
        .max_memory(crate::store::open::MEMORY_LIMIT)?
        .threads(threads)?;
    let (ms, r) = time_ms(|| -> Result<()> {
        let conn = duckdb::Connection::open_with_flags(db, config)?;
        for f in files {
            let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let (stem, reader) = if let Some(s) = name.strip_suffix(".parquet") {
                (s.to_string(), "read_parquet(?)")
            } else if let Some(s) = name.strip_suffix(".csv") {
                (s.to_string(), "read_csv(?)")
            } else {
                continue;
            };
            let path = f.to_string_lossy().to_string();
            conn.execute(&format!("CREATE TABLE {} AS SELECT * FROM {reader}", edits::raw_table_name(&stem)), [path])?;
        }
        conn.execute_batch("CHECKPOINT")?;
        Ok(())
    });
    r.context("baseline bulk read failed")?;
    Ok(ms)
}

/// Read every byte once so both loads start from the page cache.
fn warm(files: &[PathBuf]) {
    for f in files {
        let _ = std::fs::read(f);
    }
}

/// What the explorer's worker answers for `q` (through `ops::run` on a screen session).
fn screen_answer(conn: &duckdb::Connection, path: &Path, q: crate::ops::Query) -> Result<crate::ops::Answer> {
    let ctx = crate::ops::Context::new(conn.try_clone()?, path, crate::ops::Audience::Screen);
    crate::ops::run(&q, &ctx).map_err(|e| anyhow::anyhow!("{e}"))
}

/// An App showing the overview, as the TUI has it after opening a workspace.
fn overview_app(conn: &duckdb::Connection, path: &Path) -> Result<App> {
    let mut app = App::new(KeyMap::default(), path.display().to_string());
    if let crate::ops::Answer::Overview(g) = screen_answer(conn, path, crate::ops::Query::Overview { year: None })? {
        if let Some(o) = g.raw() {
            app.year = Some(o.year.clone());
            app.years = o.years.clone();
        }
        app.overview = Some(g);
    }
    app.screen = Screen::Overview;
    Ok(app)
}

fn draw_once(term: &mut Terminal<TestBackend>, app: &App, theme: &Theme) -> Result<()> {
    term.draw(|f| crate::tui::views::draw(f, app, theme)).map_err(|e| anyhow::anyhow!("draw failed: {e}"))?;
    Ok(())
}

fn new_terminal() -> Result<Terminal<TestBackend>> {
    Terminal::new(TestBackend::new(FRAME.0, FRAME.1)).map_err(|e| anyhow::anyhow!("test terminal: {e}"))
}

/// Reopen an existing workspace to its first drawn frame.
fn reopen_to_first_frame(path: &Path, theme: &Theme) -> Result<(f64, Workspace)> {
    let (ms, r) = time_ms(|| -> Result<Workspace> {
        let ws = Workspace::open(path)?;
        let app = overview_app(&ws.conn, path)?;
        let mut term = new_terminal()?;
        draw_once(&mut term, &app, theme)?;
        Ok(ws)
    });
    Ok((ms, r?))
}

fn query_rows(conn: &duckdb::Connection, sql: &str) -> Result<u64> {
    query_rows_with(conn, sql, &[])
}

/// Run `sql` with bound text parameters and count its rows.
fn query_rows_with(conn: &duckdb::Connection, sql: &str, params: &[&str]) -> Result<u64> {
    let mut st = conn.prepare(sql)?;
    let mut rows = st.query(duckdb::params_from_iter(params.iter()))?;
    let mut n = 0;
    while rows.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// Profile the last query of each library call with DuckDB's profiler (query tree with
/// per-operator timings and cardinalities) into `cache/profiles/`.
fn profile_calls(cfg: &BenchConfig, conn: &duckdb::Connection, spec: &CohortSpec, year: &str, id: &str) -> Result<()> {
    let dir = cfg.cache.join("profiles");
    std::fs::create_dir_all(&dir)?;
    say(cfg, &format!("profiles in {}", dir.display()));
    let one = |name: &str, f: &dyn Fn() -> Result<()>| -> Result<()> {
        let out = dir.join(format!("{name}.txt"));
        conn.execute_batch(&format!(
            "PRAGMA enable_profiling = 'query_tree_optimizer'; PRAGMA profiling_output = {};",
            sql_str(&out.to_string_lossy())
        ))?;
        let r = f();
        conn.execute_batch("PRAGMA disable_profiling;")?;
        r
    };
    one("count_and_attrition", &|| cohort::count_and_attrition(conn, spec).map(|_| ()))?;
    one("characterise", &|| cohort::characterise(conn, spec).map(|_| ()))?;
    one("members_page_first", &|| {
        cohort::members_page(conn, spec, &PageRequest { sort: MemberSort::Cost, desc: true, offset: 0, limit: PAGE, search: None })
            .map(|_| ())
    })?;
    one("hri_picture", &|| cohort::hri_picture(conn, year, HriLevel::Council, 21).map(|_| ()))?;
    one("overview", &|| overview::overview(conn, None).map(|_| ()))?;
    one("timeline_events", &|| timeline::load_event_rows(conn, id).map(|_| ()))?;
    Ok(())
}

/// Steps 3-4: DuckDB's bulk read (the baseline) and carepath's load of the same files.
fn load_both(cfg: &BenchConfig, dir: &Path, files: &[PathBuf], base_db: &Path, ws_path: &Path, rep: &mut Report) -> Result<()> {
    // 3. baseline load
    say(cfg, "baseline: DuckDB bulk read of the same files into plain tables");
    let base_load = baseline_load(files, base_db)?;
    say(cfg, &format!("baseline bulk read took {:.1} s", base_load / 1e3));

    // 4. carepath load
    remove_db(ws_path);
    say(cfg, "carepath load (check, stage, derive)");
    let (load_ms, ws) = {
        let (ms, r) = time_ms(|| -> Result<Workspace> {
            let ws = Workspace::open(ws_path)?;
            ingest::load(&ws, &[dir.to_path_buf()])?;
            Ok(ws)
        });
        (ms, r.context("carepath load failed")?)
    };
    say(cfg, "timeline side table");
    say(cfg, &format!("carepath load took {:.1} s", load_ms / 1e3));
    let (prep_ms, r) = time_ms(|| timeline::prepare(&ws.conn));
    r?;
    let (people, events, person_years): (i64, i64, i64) = ws.conn.query_row(
        "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM event), (SELECT count(*) FROM person_year)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    rep.rows.insert("person".into(), people as u64);
    rep.rows.insert("event".into(), events as u64);
    rep.rows.insert("person_year".into(), person_years as u64);
    drop(ws);
    rep.peak_rss_load_mb = stats::peak_rss_mb();
    rep.push(Figure::single("load (check, stage, derive)", load_ms, Some(("DuckDB bulk read into plain tables", base_load)), Target::RatioMax(1.5)));
    rep.push(Figure::single(
        "load + timeline side table",
        load_ms + prep_ms,
        Some(("DuckDB bulk read into plain tables", base_load)),
        Target::RatioMax(1.5),
    ));
    Ok(())
}

/// Run the benchmark.
pub fn run(cfg: &BenchConfig) -> Result<Report> {
    if cfg.years.is_empty() {
        bail!("give at least one financial year");
    }
    let machine = Machine::detect();
    let theme = Theme::plain();
    let mut rep = Report::new(cfg, machine.clone());

    // 1-2. extracts
    let (gen_s, dir) = ensure_extracts(cfg)?;
    rep.generation_s = gen_s;
    let (files, bytes) = extract_files(&dir)?;
    rep.extract_files = files.len();
    rep.extract_bytes = bytes;
    warm(&files);

    let base_db = cfg.cache.join("baseline.duckdb");
    let ws_dir = cfg.cache.join("workspace");
    let ws_path = ws_dir.join("workspace.duckdb");
    if cfg.reuse_workspace {
        if !(base_db.exists() && ws_path.exists()) {
            bail!("--reuse-workspace: no earlier run at {} (run once without it first)", cfg.cache.display());
        }
        say(cfg, "reusing the workspace and baseline database of the last run: no load figures");
        timeline::prepare(&Workspace::open(&ws_path)?.conn)?;
    } else {
        load_both(cfg, &dir, &files, &base_db, &ws_path, &mut rep)?;
    }

    // 5. reopen to first frame (peak memory counted from here)
    rep.rss_reset = stats::reset_peak_rss();
    say(cfg, "reopen to first frame");
    let mut reopen = Vec::new();
    for _ in 0..3 {
        let (ms, ws) = reopen_to_first_frame(&ws_path, &theme)?;
        reopen.push(ms);
        drop(ws);
    }
    rep.push(Figure::samples("reopen to first frame", &reopen, None, Target::MaxMs(500.0)));

    let ws = Workspace::open(&ws_path)?;
    let conn = &ws.conn;
    conn.execute_batch(&format!("ATTACH {} AS raw (READ_ONLY)", sql_str(&base_db.to_string_lossy())))?;
    let year = cohort::resolve_years(conn, &CohortSpec::default())?.pop().context("no year")?;
    let ind = edits::individual_table("raw", &year);
    rep.cohort_year = year.clone();

    // 6a. cohort edits
    say(cfg, &format!("cohort edits: {} edits x {} rounds", edits::edits().len(), cfg.rounds));
    let _ = cohort::count_and_attrition(conn, &CohortSpec::default())?; // first query after open: not an edit
    let mut lib = Vec::new();
    let mut base = Vec::new();
    let mut snapshots: Vec<CohortSpec> = Vec::new();
    for round in 0..cfg.rounds {
        let mut spec = CohortSpec::default();
        for e in edits::edits() {
            (e.apply)(&mut spec);
            let (ms, a) = time_ms(|| cohort::count_and_attrition(conn, &spec));
            let a = a.with_context(|| format!("cohort edit {:?}", e.name))?;
            let (sql, n) = edits::baseline_attrition_sql(&spec, &ind)?;
            let (bms, b) = time_ms(|| -> Result<Vec<i64>> {
                Ok(conn.prepare(&sql)?.query_row([], |r| (0..n).map(|i| r.get::<_, i64>(i)).collect::<Result<Vec<_>, _>>())?)
            });
            let b = b.with_context(|| format!("baseline for cohort edit {:?}", e.name))?;
            lib.push(ms);
            base.push(bms);
            rep.record_edit(round, e.name, spec.enabled().count(), a.count, *b.last().unwrap_or(&0) as u64, ms, bms);
            if round == 0 {
                snapshots.push(spec.clone());
            }
        }
    }
    rep.push(Figure::samples(
        "cohort edit -> count + attrition",
        &lib,
        Some(("hand-written SQL on raw individual file", &base)),
        Target::P95MaxMs(100.0),
    ));

    // Specs for the heavier panels: a few states of the edit sequence, and the whole population.
    let panel_specs: Vec<CohortSpec> =
        [2usize, 5, 9, 13].iter().filter_map(|i| snapshots.get(*i).cloned()).chain([CohortSpec::default()]).collect();

    // 6b. characterisation
    say(cfg, "characterisation");
    let (mut lib, mut base) = (Vec::new(), Vec::new());
    let mut last_char = None;
    for spec in &panel_specs {
        for _ in 0..2 {
            let (ms, c) = time_ms(|| cohort::characterise(conn, spec));
            last_char = Some(c?);
            lib.push(ms);
            let sql = edits::baseline_characterise_sql(spec, &ind)?;
            let (bms, r) = time_ms(|| query_rows(conn, &sql));
            r?;
            base.push(bms);
        }
    }
    rep.push(Figure::samples(
        "characterisation panel",
        &lib,
        Some(("hand-written grouping sets on raw individual file", &base)),
        Target::P95MaxMs(300.0),
    ));

    // 6c. HRI picture
    say(cfg, "HRI summary");
    let (mut lib, mut base) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let (ms, r) = time_ms(|| cohort::hri_picture(conn, &year, HriLevel::Council, 21));
        r?;
        lib.push(ms);
        let (bms, r) = time_ms(|| query_rows(conn, &edits::baseline_hri_sql(&ind)));
        r?;
        base.push(bms);
    }
    rep.push(Figure::samples("HRI summary (council level)", &lib, Some(("hand-written SQL on raw individual file", &base)), Target::None));

    // 6d. members pages
    say(cfg, "members pages");
    let (mut first, mut deep, mut base_first, mut base_deep) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut last_page = None;
    for spec in &panel_specs {
        for _ in 0..2 {
            let req = PageRequest { sort: MemberSort::Cost, desc: true, offset: 0, limit: PAGE, search: None };
            let (ms, page) = time_ms(|| cohort::members_page(conn, spec, &req));
            let page = page?;
            first.push(ms);
            let (bms, r) = time_ms(|| query_rows(conn, &edits::baseline_members_sql(spec, &ind, 0, PAGE)?));
            r?;
            base_first.push(bms);
            // A page deep in the list: 90% of the way down.
            let offset = (page.total * 9 / 10) / PAGE * PAGE;
            let deep_req = PageRequest { offset, ..req.clone() };
            let (ms, r) = time_ms(|| cohort::members_page(conn, spec, &deep_req));
            r?;
            deep.push(ms);
            let (bms, r) = time_ms(|| query_rows(conn, &edits::baseline_members_sql(spec, &ind, offset, PAGE)?));
            r?;
            base_deep.push(bms);
            last_page = Some(page);
        }
    }
    rep.push(Figure::samples("members page (first)", &first, Some(("hand-written SQL on raw individual file", &base_first)), Target::None));
    rep.push(Figure::samples("members page (90% deep)", &deep, Some(("hand-written SQL on raw individual file", &base_deep)), Target::None));

    // 6e. timelines
    say(cfg, &format!("timelines of {} people", cfg.timeline_people));
    let ids = timeline::sample_person_ids(conn, cfg.timeline_people, cfg.seed)?;
    let (mut lib, mut base) = (Vec::new(), Vec::new());
    let mut biggest: Option<crate::model::timeline::Timeline> = None;
    // One `?` per raw table, each bound to the person's id.
    let raw_union: String = {
        let mut parts: Vec<String> =
            cfg.years.iter().map(|y| format!("SELECT * FROM {} WHERE anon_chi = ?", edits::episode_table("raw", y))).collect();
        parts.extend(cfg.years.iter().map(|y| format!("SELECT * FROM {} WHERE anon_chi = ?", edits::individual_table("raw", y))));
        parts.join(" UNION ALL BY NAME ")
    };
    for (i, id) in ids.iter().enumerate() {
        let (ms, t) = time_ms(|| timeline::load_timeline(conn, id));
        let t = t?;
        lib.push(ms);
        if biggest.as_ref().map(|b| t.events.len() > b.events.len()).unwrap_or(true) {
            biggest = Some(t);
        }
        if i < cfg.timeline_baseline_people {
            let ids = vec![id.as_str(); 2 * cfg.years.len()];
            let (bms, r) = time_ms(|| query_rows_with(conn, &raw_union, &ids));
            r?;
            base.push(bms);
        }
    }
    rep.push(Figure::samples(
        "timeline open (all years, all services)",
        &lib,
        Some(("raw episode + individual files WHERE anon_chi = ?", &base)),
        Target::P95MaxMs(20.0),
    ));

    // 6g. pathways, transitions and the aligned strip (issue 13)
    say(cfg, "pathways and transitions");
    pathways::measure(cfg, conn, &ws_path, &mut rep)?;

    // 6h. delays and control charts (issues 14 and 15)
    say(cfg, "delays and control charts");
    services::measure(conn, &ws_path, &mut rep)?;

    // 6f. frame draws of every exploring screen
    say(cfg, "frame draws");
    let mut app = overview_app(conn, &ws_path)?;
    let spec = snapshots.get(5).cloned().unwrap_or_default();
    let attrition = match screen_answer(conn, &ws_path, crate::ops::Query::Attrition { spec: spec.clone() })? {
        crate::ops::Answer::Attrition(g) => Some(g),
        _ => None,
    };
    let characterisation = match screen_answer(conn, &ws_path, crate::ops::Query::Characterise { spec: spec.clone() })? {
        crate::ops::Answer::Characterisation(g) => Some(g),
        _ => None,
    };
    let _ = last_char;
    app.explore.figures = Some(crate::tui::explore::CohortAnswer::Split { attrition, characterisation });
    app.explore.spec = spec;
    app.explore.members = last_page;
    app.explore.timeline = biggest;
    let mut term = new_terminal()?;
    let mut all = Vec::new();
    for screen in [Screen::Overview, Screen::Cohort, Screen::Members, Screen::Timeline] {
        app.screen = screen;
        draw_once(&mut term, &app, &theme)?; // layout caches warm
        let mut v = Vec::new();
        for _ in 0..cfg.draws {
            let (ms, r) = time_ms(|| draw_once(&mut term, &app, &theme));
            r?;
            v.push(ms);
        }
        rep.draw_by_screen.insert(screen.title().to_string(), p50(&v));
        all.extend(v);
    }
    rep.push(Figure::samples("draw one frame 200x60 (4 screens)", &all, None, Target::P95MaxMs(4.0)));

    // 7. memory
    rep.peak_rss_explore_mb = stats::peak_rss_mb();
    rep.push(Figure::memory("peak RSS while exploring", rep.peak_rss_explore_mb, 4096.0));

    if cfg.profile {
        let spec = snapshots.get(5).cloned().unwrap_or_default();
        let id = ids.first().cloned().unwrap_or_default();
        profile_calls(cfg, conn, &spec, &year, &id)?;
    }
    drop(ws);
    rep.machine.load_avg_end = stats::load_avg();
    Ok(rep)
}
