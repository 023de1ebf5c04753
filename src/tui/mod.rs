//! The terminal explorer. `run` opens the workspace (loading a folder in the background when
//! given one), starts the worker that owns the connection (an `ops::Context`), and loops: draw,
//! then block on the one event channel (keys, answers, signals, a lost terminal). State changes
//! only in `app::update`, which returns the queries to run or cancel.
pub mod app;
pub mod events;
pub mod explore;
pub mod keys;
pub mod line_edit;
pub mod query;
pub mod screen;
pub mod shown;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod worker;

use crate::ops::{self, Audience};
use crate::store::{self, Workspace};
use anyhow::{Context, Result};
use app::{App, Command, Event};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use theme::Theme;
use worker::Worker;

/// The explorer's worker: runs `ops::Query` values on an `ops::Context`.
pub type OpsWorker = Worker<ops::Context, ops::Query>;

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

/// The worker and what must survive it closing and reopening the workspace (the disclosure
/// setting lives in the session, so it is applied again to a reopened one).
pub struct Runtime {
    pub worker: OpsWorker,
    sdc: Arc<Mutex<ops::Sdc>>,
}

impl Runtime {
    /// Share the workspace: the worker lets go of it when idle and reopens it at `path`.
    pub fn shared<T: From<worker::Reply<query::Data>> + Send + 'static>(session: ops::Context, path: &Path, replies: mpsc::Sender<T>) -> Runtime {
        let sdc = Arc::new(Mutex::new(session.sdc()));
        let (path, setting) = (path.to_path_buf(), Arc::clone(&sdc));
        let opener: worker::Opener<ops::Context> = Box::new(move || {
            let ctx = open_session(&path)?;
            let s = setting.lock().map(|s| s.clone()).unwrap_or(ops::Sdc::On(Default::default()));
            ctx.set_sdc(s).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(ctx)
        });
        Runtime { worker: Worker::start_shared(session, opener, worker::Sharing::default(), replies), sdc }
    }

    /// Keep the session open for good (tests).
    pub fn fixed<T: From<worker::Reply<query::Data>> + Send + 'static>(session: ops::Context, replies: mpsc::Sender<T>) -> Runtime {
        let sdc = Arc::new(Mutex::new(session.sdc()));
        Runtime { worker: Worker::start(session, replies), sdc }
    }

    /// Hand `update`'s commands to the worker.
    pub fn dispatch(&self, commands: Vec<Command>) {
        for c in commands {
            match c {
                Command::Run { id, query } => {
                    if let ops::Query::SetDisclosure(s) = &query {
                        if let Ok(mut shared) = self.sdc.lock() {
                            *shared = s.clone();
                        }
                    }
                    self.worker.submit_as(id, query)
                }
                Command::Cancel { id } => self.worker.cancel(id),
            }
        }
    }
}

/// The explorer's session on a workspace: answers are for the screen (disclosure control off
/// until `!`), person-level views are audited with the OS user.
pub fn open_session(path: &Path) -> Result<ops::Context> {
    let ws = Workspace::open(path)?;
    Ok(ops::Context::new(ws.conn, path, Audience::Screen))
}

pub fn run(path: Option<&Path>, opts: &TuiOptions) -> Result<i32> {
    let keys = load_keys(opts)?;
    let target = resolve_target(path);
    if target.load.is_empty() && !target.workspace.exists() {
        anyhow::bail!("{}: no such workspace", target.workspace.display());
    }
    let ws = Workspace::open(&target.workspace)?;
    let has_model = ws.has_model()?;
    let session = ops::Context::new(ws.conn, &target.workspace, Audience::Screen);
    let theme = Theme::detect(opts.ascii);
    let mut app = App::new(keys, target.label.clone());
    let (tx, rx) = mpsc::channel::<Event>();
    // Signals first: from here on SIGTERM/SIGHUP end the program through the cleanup below.
    events::spawn_signals(tx.clone()).context("could not watch for termination signals")?;
    let rt = Runtime::shared(session, &target.workspace, tx.clone());
    let mut guard = terminal::TerminalGuard::enter(opts.mouse)?;
    events::spawn_keys(tx.clone());
    events::spawn_hangup_watch(tx);
    if let Ok(size) = guard.terminal.size() {
        app.size = (size.width, size.height);
    }
    rt.dispatch(app::start(&mut app, &target.load, has_model));
    let tick = Duration::from_millis(120);
    let mut last_tick = Instant::now();
    while !app.quit {
        // Something happened (or this is the first frame): draw once.
        if draw(&mut guard.terminal, &app, &theme).is_err() {
            // The terminal cannot be written: it has gone. Leave as for a hang-up.
            app.stopped = Some(events::Stop::TerminalGone("writing to the terminal failed".into()));
            break;
        }
        // Tests prove the terminal is restored after a panic by setting this.
        if app.overview.is_some() && std::env::var_os("CAREPATH_TEST_PANIC_AFTER_DRAW").is_some() {
            panic!("test panic after drawing (CAREPATH_TEST_PANIC_AFTER_DRAW)");
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
                apply(&mut app, &rt, Event::Tick);
            }
        }
        apply(&mut app, &rt, first);
        // Apply everything already waiting, then draw once (smooth over slow links).
        while let Ok(ev) = rx.try_recv() {
            apply(&mut app, &rt, ev);
            if app.quit {
                break;
            }
        }
    }
    // Interrupt any running query first, then give the terminal back, then let the worker
    // finish (at most a second: the process exits after that and the OS frees the lock).
    rt.worker.cancel_running();
    drop(guard);
    rt.worker.shutdown(Duration::from_secs(1));
    Ok(match &app.stopped {
        None => 0,
        Some(events::Stop::Signal(sig)) => 128 + sig,
        Some(events::Stop::TerminalGone(_)) => 1,
    })
}

fn apply(app: &mut App, rt: &Runtime, ev: Event) {
    rt.dispatch(app::update(app, ev));
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
