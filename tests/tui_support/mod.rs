//! Drives the TUI's real `update` and worker jobs synchronously on a generated workspace, and
//! renders screens with ratatui's TestBackend so tests read what a person would see.
#![allow(dead_code)]
use carepath::tui::app::{update, App, Data, Event, Request};
use carepath::tui::keys::KeyMap;
use carepath::tui::theme::Theme;
use carepath::tui::{job_for, views};
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

pub struct Harness {
    pub app: App,
    pub conn: duckdb::Connection,
    queue: VecDeque<(u64, Request)>,
    next: u64,
    pub theme: Theme,
}

impl Harness {
    /// Open like `carepath WORKSPACE` does, and answer the first requests.
    pub fn open(tag: &str) -> Harness {
        let ws = carepath::store::Workspace::open(&workspace_copy(tag)).expect("open workspace");
        let mut h = Harness { app: App::new(KeyMap::default(), "test".into()), conn: ws.conn, queue: VecDeque::new(), next: 0, theme: Theme::plain() };
        let target = carepath::tui::Target { workspace: PathBuf::new(), load: vec![], label: "test".into() };
        let (queue, next) = (&mut h.queue, &mut h.next);
        let mut submit = |r: Request| {
            *next += 1;
            queue.push_back((*next, r));
            *next
        };
        carepath::tui::start(&mut h.app, &target, true, &mut submit);
        h.run();
        h
    }

    fn event(&mut self, ev: Event) {
        let (queue, next) = (&mut self.queue, &mut self.next);
        let mut submit = |r: Request| {
            *next += 1;
            queue.push_back((*next, r));
            *next
        };
        update(&mut self.app, ev, &mut submit, &|| {});
    }

    /// Answer every queued request as the worker would (latest per slot wins).
    pub fn run(&mut self) {
        while let Some((id, req)) = self.queue.pop_front() {
            let slot = req.slot();
            let job = job_for(req);
            let result: Result<Data, String> = job(&self.conn, &|_| {}).map_err(|e| format!("{e:#}"));
            self.event(Event::Reply { id, slot, done: true, result });
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run();
    }

    pub fn char(&mut self, c: char) {
        self.key(KeyCode::Char(c));
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
