//! The terminal explorer. `run` opens the workspace (loading a folder in the background when
//! given one), starts the worker that owns the DuckDB connection, and loops: draw, read keys
//! and worker answers from one channel (blocking), and stops on q, a signal or a lost terminal. State changes only in `app::update`.
pub mod app;
pub mod events;
pub mod explore;
pub mod keys;
pub mod line_edit;
pub mod screen;
pub mod shown;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod worker;

use crate::store::{self, Workspace};
use anyhow::{Context, Result};
use app::{App, Command, Data, Event, Request};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use theme::Theme;
use worker::{Job, Worker};

#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    pub ascii: bool,
    pub mouse: bool,
    /// Key bindings file (TOML); default `~/.config/carepath/keys.toml` when it exists.
    pub keys: Option<PathBuf>,
}

/// What the user pointed carepath at: a workspace file, or a folder/file of extracts to load.
pub struct Target {
    pub workspace: PathBuf,
    pub load: Vec<PathBuf>,
    pub label: String,
}

pub fn resolve_target(path: Option<&Path>) -> Target {
    let p = path.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("sample-data"));
    let label = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string());
    let is_workspace = p.is_file() && p.extension().map(|e| e == "duckdb").unwrap_or(false);
    if is_workspace {
        Target { workspace: p, load: Vec::new(), label }
    } else {
        Target { workspace: store::default_workspace_for_extracts(&p), load: vec![p], label }
    }
}

pub fn load_keys(opts: &TuiOptions) -> Result<keys::KeyMap> {
    let path = opts.keys.clone().or_else(|| {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/carepath/keys.toml")).filter(|p| p.exists())
    });
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(&p).with_context(|| format!("cannot read key file {}", p.display()))?;
            keys::KeyMap::from_toml(&text).with_context(|| format!("in key file {}", p.display()))
        }
        None => Ok(keys::KeyMap::default()),
    }
}

/// A job from a function that fails with an engine error (its causes become the message).
pub fn job<S: 'static, R: 'static>(f: impl FnOnce(&S, &dyn Fn(R)) -> anyhow::Result<R> + Send + 'static) -> Job<S, R> {
    Box::new(move |s, progress| f(s, progress).map_err(|e| worker::Failure::Failed(crate::cli::output::describe_error(&e))))
}

/// Build the worker job that answers a request.
pub fn job_for(req: Request) -> Job<duckdb::Connection, Data> {
    match req {
        Request::Load(paths) => job(move |conn, progress| {
            let report = store::ingest::load_with_progress(conn, &paths, &|done, total, file| {
                progress(Data::LoadProgress { done, total, file: file.to_string() })
            })?;
            Ok(Data::Loaded(Box::new(report)))
        }),
        Request::Overview(year) => {
            job(move |conn, _| Ok(Data::Overview(Box::new(store::overview::overview(conn, year.as_deref())?))))
        }
        Request::Explore(r) => explore::job_for(r, Data::Explore),
    }
}

/// Hand `update`'s commands to the worker.
pub fn dispatch(worker: &Worker<duckdb::Connection, Data>, commands: Vec<Command>) {
    for c in commands {
        match c {
            Command::Run { id, request } => worker.submit_as(id, request.slot(), job_for(request)),
            Command::Cancel { id } => worker.cancel(id),
        }
    }
}

pub fn run(path: Option<&Path>, opts: &TuiOptions) -> Result<i32> {
    let keys = load_keys(opts)?;
    let target = resolve_target(path);
    if target.load.is_empty() && !target.workspace.exists() {
        anyhow::bail!("{}: no such workspace", target.workspace.display());
    }
    let ws = Workspace::open(&target.workspace)?;
    let has_model = ws.has_model()?;
    let theme = Theme::detect(opts.ascii);
    let mut app = App::new(keys, target.label.clone());
    let (tx, rx) = mpsc::channel::<Event>();
    // Signals first: from here on SIGTERM/SIGHUP end the program through the cleanup below.
    events::spawn_signals(tx.clone()).context("could not watch for termination signals")?;
    let path = target.workspace.clone();
    let opener: worker::Opener<duckdb::Connection> = Box::new(move || Ok(Workspace::open(&path)?.conn));
    let worker: Worker<duckdb::Connection, Data> = Worker::start_shared(ws.conn, opener, worker::Sharing::default(), tx.clone());
    let mut guard = terminal::TerminalGuard::enter(opts.mouse)?;
    events::spawn_keys(tx.clone());
    events::spawn_hangup_watch(tx);
    if let Ok(size) = guard.terminal.size() {
        app.size = (size.width, size.height);
    }
    dispatch(&worker, app::start(&mut app, &target.load, has_model));
    let tick = Duration::from_millis(120);
    let mut last_tick = Instant::now();
    let mut dirty = true;
    while !app.quit {
        if dirty {
            if draw(&mut guard.terminal, &app, &theme).is_err() {
                // The terminal cannot be written: it has gone. Leave as for a hang-up.
                app.stopped = Some(events::Stop::TerminalGone("writing to the terminal failed".into()));
                break;
            }
            dirty = false;
            // Tests prove the terminal is restored after a panic by setting this.
            if app.overview.is_some() && std::env::var_os("CAREPATH_TEST_PANIC_AFTER_DRAW").is_some() {
                panic!("test panic after drawing (CAREPATH_TEST_PANIC_AFTER_DRAW)");
            }
        }
        // Block until something happens; only a turning spinner needs a timeout.
        let first = if app.is_busy() {
            match rx.recv_timeout(tick.saturating_sub(last_tick.elapsed())) {
                Ok(ev) => ev,
                Err(mpsc::RecvTimeoutError::Timeout) => Event::Tick,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(ev) => ev,
                Err(_) => break,
            }
        };
        if matches!(first, Event::Tick) || last_tick.elapsed() >= tick {
            last_tick = Instant::now();
            if !matches!(first, Event::Tick) {
                apply(&mut app, &worker, Event::Tick);
            }
        }
        apply(&mut app, &worker, first);
        // Apply everything already waiting, then draw once (smooth over slow links).
        while let Ok(ev) = rx.try_recv() {
            apply(&mut app, &worker, ev);
            if app.quit {
                break;
            }
        }
        dirty = true;
    }
    // Interrupt any running query first, then give the terminal back, then let the worker
    // finish (at most a second: the process exits after that and the OS frees the lock).
    worker.cancel_running();
    drop(guard);
    worker.shutdown(Duration::from_secs(1));
    Ok(match &app.stopped {
        None => 0,
        Some(events::Stop::Signal(sig)) => 128 + sig,
        Some(events::Stop::TerminalGone(_)) => 1,
    })
}

fn apply(app: &mut App, worker: &Worker<duckdb::Connection, Data>, ev: Event) {
    dispatch(worker, app::update(app, ev));
}

/// Draw one frame inside a synchronized update, so terminals that support it never show a
/// half-drawn screen (no flicker over slow SSH links).
fn draw(term: &mut terminal::Term, app: &App, theme: &Theme) -> Result<()> {
    use crossterm::{execute, terminal as ctt};
    let _ = execute!(std::io::stdout(), ctt::BeginSynchronizedUpdate);
    let r = term.draw(|f| views::draw(f, app, theme));
    let _ = execute!(std::io::stdout(), ctt::EndSynchronizedUpdate);
    r.context("drawing the screen")?;
    Ok(())
}
