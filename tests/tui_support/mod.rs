//! Drives the TUI's real `update` and worker jobs synchronously on a generated workspace, and
//! renders screens with ratatui's TestBackend so tests read what a person would see.
#![allow(dead_code)]
use carepath::ops::{Audience, Context, Query};
use carepath::tui::app::{update, App, Command, Event};
use carepath::tui::query::Data;
use carepath::tui::worker::Work;
use carepath::tui::keys::KeyMap;
use carepath::tui::theme::Theme;
use carepath::tui::worker::Failure;
use carepath::tui::views;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A workspace built once per test binary from a small generated population.
pub fn shared_workspace() -> &'static Path {
    static WS: OnceLock<PathBuf> = OnceLock::new();
    WS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("carepath-tui-{}", std::process::id()));
        let data = dir.join("data");
        carepath::synth::generate(&carepath::synth::GenerateOptions {
            people: 3000,
            years: vec!["1920".into(), "2021".into()],
            seed: 11,
            out: data.clone(),
            format: carepath::synth::FileFormat::Parquet,
            csv_years: vec![],
            progress: false,
        })
        .expect("generate");
        let ws_path = dir.join("ws.duckdb");
        let ws = carepath::store::Workspace::open(&ws_path).expect("open");
        carepath::store::ingest::load(&ws, &[data]).expect("load");
        drop(ws);
        ws_path
    })
}

/// A private copy of the shared workspace (DuckDB allows one writer per file).
pub fn workspace_copy(tag: &str) -> PathBuf {
    let src = shared_workspace();
    let dst = src.with_file_name(format!("ws-{tag}.duckdb"));
    std::fs::copy(src, &dst).expect("copy workspace");
    dst
}

/// A private copy of the generated extract folder (no workspace yet): starting the explorer on
/// it loads it in the background.
pub fn data_copy(tag: &str) -> PathBuf {
    let src = shared_workspace().with_file_name("data");
    let dst = src.with_file_name(format!("data-{tag}"));
    let _ = std::fs::remove_dir_all(&dst);
    copy_tree(&src, &dst);
    dst
}

fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create data copy");
    for entry in std::fs::read_dir(src).expect("read data dir").flatten() {
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if entry.file_name() == ".carepath" {
            continue;
        } else if from.is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).expect("copy extract file");
        }
    }
}

/// A larger generated extract (no workspace), whose load takes long enough to be stopped
/// while it runs: copied per test.
pub fn big_data_copy(tag: &str) -> PathBuf {
    static BIG: OnceLock<PathBuf> = OnceLock::new();
    let src = BIG.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("carepath-tui-big-{}", std::process::id()));
        let data = dir.join("data");
        carepath::synth::generate(&carepath::synth::GenerateOptions {
            people: 20000,
            years: vec!["1920".into(), "2021".into()],
            seed: 12,
            out: data.clone(),
            format: carepath::synth::FileFormat::Parquet,
            csv_years: vec![],
            progress: false,
        })
        .expect("generate");
        data
    });
    let dst = src.with_file_name(format!("data-{tag}"));
    let _ = std::fs::remove_dir_all(&dst);
    copy_tree(src, &dst);
    dst
}

pub struct Harness {
    pub app: App,
    /// The explorer's session (screen audience), as the worker holds it.
    pub ctx: Context,
    queue: VecDeque<(u64, Query)>,
    pub theme: Theme,
}

impl Harness {
    /// Open like `carepath WORKSPACE` does, and answer the first requests.
    pub fn open(tag: &str) -> Harness {
        Harness::open_at(&workspace_copy(tag))
    }

    /// Open the workspace at `path` (a private file the caller owns) like `carepath PATH` does.
    pub fn open_at(path: &Path) -> Harness {
        let path = path.to_path_buf();
        let ws = carepath::store::Workspace::open(&path).expect("open workspace");
        let ctx = Context::new(ws.conn, &path, Audience::Screen);
        let mut h = Harness { app: App::new(KeyMap::default(), "test".into()), ctx, queue: VecDeque::new(), theme: Theme::plain() };
        let commands = carepath::tui::app::start(&mut h.app, &[], true);
        h.take(commands);
        h.run();
        h
    }

    /// Start like `carepath FOLDER` does on extracts: the folder's default workspace, the first
    /// requests queued but not yet answered (see [`Harness::step`]).
    pub fn start_on(data: &Path) -> Harness {
        let path = carepath::store::default_workspace_for_extracts(data);
        let ws = carepath::store::Workspace::open(&path).expect("open workspace");
        let has_model = ws.has_model().expect("has_model");
        let ctx = Context::new(ws.conn, &path, Audience::Screen);
        let mut h = Harness { app: App::new(KeyMap::default(), "test".into()), ctx, queue: VecDeque::new(), theme: Theme::plain() };
        let commands = carepath::tui::app::start(&mut h.app, &[data.to_path_buf()], has_model);
        h.take(commands);
        h
    }

    /// The requests waiting for the worker, first first, with their ids.
    pub fn queued(&self) -> Vec<(u64, Query)> {
        self.queue.iter().cloned().collect()
    }

    /// Answer the next waiting request only, as the worker would.
    pub fn step(&mut self) -> bool {
        let Some((id, q)) = self.queue.pop_front() else { return false };
        let slot = q.slot();
        let result: Result<Data, Failure> = q.run(&self.ctx, &|_| {});
        self.event(Event::Reply { id, slot, done: true, result });
        true
    }

    fn take(&mut self, commands: Vec<Command>) {
        for c in commands {
            if let Command::Run { id, query } = c {
                self.queue.push_back((id, query));
            }
        }
    }

    pub fn event(&mut self, ev: Event) {
        let commands = update(&mut self.app, ev);
        self.take(commands);
    }

    /// Answer every queued request as the worker would.
    pub fn run(&mut self) {
        while self.step() {}
    }

    pub fn key(&mut self, code: KeyCode) {
        self.event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run();
    }

    pub fn char(&mut self, c: char) {
        self.key(KeyCode::Char(c));
    }

    pub fn ctrl(&mut self, c: char) {
        self.event(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
        self.run();
    }

    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.event(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
    }

    /// Render at w x h and return the screen as lines of text.
    pub fn screen(&self, w: u16, h: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        term.draw(|f| views::draw(f, &self.app, &self.theme)).expect("draw");
        let buf = term.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..h {
            for x in 0..w {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }
}
