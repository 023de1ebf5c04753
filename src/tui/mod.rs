//! The terminal explorer. `run` opens the workspace (loading a folder in the background when
//! given one), starts the worker that owns the DuckDB connection, and loops: draw, read keys
//! without blocking, apply worker replies. State changes only in `app::update`.
pub mod app;
pub mod explore;
pub mod keys;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod worker;

use crate::store::{self, Workspace};
use anyhow::{Context, Result};
use app::{App, Data, Event, Request};
use crossterm::event::{self as ct, KeyEventKind};
use std::path::{Path, PathBuf};
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

/// Build the worker job that answers a request.
pub fn job_for(req: Request) -> Job<Data> {
    match req {
        Request::Load(paths) => Box::new(move |conn, progress| {
            let report = store::ingest::load_with_progress(conn, &paths, &|done, total, file| {
                progress(Data::LoadProgress { done, total, file: file.to_string() })
            })?;
            Ok(Data::Loaded(Box::new(report)))
        }),
        Request::Overview(year) => Box::new(move |conn, _| {
            Ok(Data::Overview(Box::new(store::overview::overview(conn, year.as_deref())?)))
        }),
        Request::Explore(r) => explore::job_for(r),
    }
}

/// The first requests when the app opens: a load when given extracts, else the overview.
pub fn start(app: &mut App, target: &Target, has_model: bool, submit: &mut dyn FnMut(Request) -> u64) {
    if !target.load.is_empty() {
        app.load_paths = target.load.clone();
        if !has_model {
            app.screen = app::Screen::Load;
        }
        app::ask(app, Request::Load(target.load.clone()), submit);
    }
    if has_model {
        app::ask(app, Request::Overview(None), submit);
        explore::after_load(app, submit);
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
    let worker: Worker<Data> = Worker::start(ws.conn);
    let mut guard = terminal::TerminalGuard::enter(opts.mouse)?;
    {
        let mut submit = |r: Request| worker.submit(r.slot(), job_for(r));
        start(&mut app, &target, has_model, &mut submit);
    }
    let mut last_tick = Instant::now();
    let mut dirty = true;
    while !app.quit && !guard.stopped() {
        if dirty || app.is_busy() {
            draw(&mut guard.terminal, &app, &theme)?;
            dirty = false;
            // Tests prove the terminal is restored after a panic by setting this.
            if app.overview.is_some() && std::env::var_os("CAREPATH_TEST_PANIC_AFTER_DRAW").is_some() {
                panic!("test panic after drawing (CAREPATH_TEST_PANIC_AFTER_DRAW)");
            }
        }
        if ct::poll(Duration::from_millis(50)).context("reading the keyboard")? {
            let ev = match ct::read().context("reading the keyboard")? {
                ct::Event::Key(k) if k.kind != KeyEventKind::Release => Some(Event::Key(k)),
                ct::Event::Resize(_, _) => Some(Event::Resize),
                _ => None,
            };
            if let Some(ev) = ev {
                apply(&mut app, &worker, ev);
                dirty = true;
            }
        }
        while let Ok(r) = worker.replies.try_recv() {
            let ev = Event::Reply { id: r.id, slot: r.slot, done: r.done, result: r.result };
            apply(&mut app, &worker, ev);
            dirty = true;
        }
        if last_tick.elapsed() >= Duration::from_millis(120) {
            apply(&mut app, &worker, Event::Tick);
            last_tick = Instant::now();
        }
    }
    drop(guard);
    Ok(0)
}

fn apply(app: &mut App, worker: &Worker<Data>, ev: Event) {
    let mut submit = |r: Request| worker.submit(r.slot(), job_for(r));
    let interrupt = || worker.interrupt();
    app::update(app, ev, &mut submit, &interrupt);
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
