//! Application state and the one place it changes: `update(app, event)`. Views read the state;
//! the runtime turns the requests `update` returns into worker jobs.
use super::keys::{Action, Context, KeyMap};
use super::worker::Slot;
use crate::store::overview::Overview;
use crate::store::report::LoadReport;
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Cohort,
    Members,
    Timeline,
    Load,
}

pub const SCREENS: [Screen; 5] = [Screen::Overview, Screen::Cohort, Screen::Members, Screen::Timeline, Screen::Load];

impl Screen {
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Cohort => "Cohort",
            Screen::Members => "Members",
            Screen::Timeline => "Timeline",
            Screen::Load => "Load",
        }
    }
    pub fn context(&self) -> Context {
        match self {
            Screen::Overview => Context::Overview,
            Screen::Cohort => Context::Cohort,
            Screen::Members => Context::Members,
            Screen::Timeline => Context::Timeline,
            Screen::Load => Context::Load,
        }
    }
}

/// Work the UI wants done by the worker.
#[derive(Debug, Clone)]
pub enum Request {
    Load(Vec<PathBuf>),
    Overview(Option<String>),
    Explore(super::explore::ExploreRequest),
}

impl Request {
    pub fn slot(&self) -> Slot {
        match self {
            Request::Load(_) => Slot::Load,
            Request::Overview(_) => Slot::Overview,
            Request::Explore(e) => e.slot(),
        }
    }
}

/// Results coming back from the worker.
#[derive(Debug, Clone)]
pub enum Data {
    LoadProgress { done: usize, total: usize, file: String },
    Loaded(Box<LoadReport>),
    Overview(Box<Overview>),
    Explore(super::explore::ExploreData),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Command,
    Search,
    Explore(super::explore::ExploreInput),
}

#[derive(Debug, Clone)]
pub struct Input {
    pub kind: InputKind,
    pub text: String,
}

pub enum Event {
    Key(KeyEvent),
    Reply { id: u64, slot: Slot, done: bool, result: Result<Data, String> },
    Tick,
    Resize,
}

pub struct App {
    pub keys: KeyMap,
    pub screen: Screen,
    pub help: bool,
    pub input: Option<Input>,
    pub status: String,
    pub error: Option<String>,
    /// Latest job id asked for per slot; replies with another id are stale and dropped.
    pub waiting: HashMap<Slot, u64>,
    /// Jobs asked for but not yet answered.
    pub busy: HashMap<Slot, u64>,
    pub tick: usize,
    pub workspace_label: String,
    pub year: Option<String>,
    pub load_paths: Vec<PathBuf>,
    pub load_progress: Option<(usize, usize, String)>,
    pub load_report: Option<LoadReport>,
    pub load_scroll: usize,
    pub overview: Option<Overview>,
    /// Disclosure control on screen: counts below the threshold are shown as suppressed.
    pub suppress: bool,
    pub threshold: i64,
    pub explore: super::explore::ExploreState,
    pub quit: bool,
}

impl App {
    pub fn new(keys: KeyMap, workspace_label: String) -> App {
        App {
            keys,
            screen: Screen::Overview,
            help: false,
            input: None,
            status: String::new(),
            error: None,
            waiting: HashMap::new(),
            busy: HashMap::new(),
            tick: 0,
            workspace_label,
            year: None,
            load_paths: Vec::new(),
            load_progress: None,
            load_report: None,
            load_scroll: 0,
            overview: None,
            suppress: false,
            threshold: 10,
            explore: super::explore::ExploreState::default(),
            quit: false,
        }
    }

    pub fn is_busy(&self) -> bool {
        !self.busy.is_empty()
    }

    /// A count as shown on screen: suppressed when disclosure control is on and it is small.
    pub fn count(&self, n: i64) -> String {
        if self.suppress && n > 0 && n < self.threshold {
            format!("<{}", self.threshold)
        } else {
            crate::format::thousands(n)
        }
    }
}

/// Ask for work: remember the id we expect back.
pub fn ask(app: &mut App, req: Request, submit: &mut dyn FnMut(Request) -> u64) {
    let slot = req.slot();
    let id = submit(req);
    app.waiting.insert(slot, id);
    app.busy.insert(slot, id);
}

/// The one place state changes. `submit` queues a worker job and returns its id;
/// `interrupt` cancels the running query.
pub fn update(app: &mut App, ev: Event, submit: &mut dyn FnMut(Request) -> u64, interrupt: &dyn Fn()) {
    match ev {
        Event::Tick => app.tick = app.tick.wrapping_add(1),
        Event::Resize => {}
        Event::Reply { id, slot, done, result } => on_reply(app, id, slot, done, result, submit),
        Event::Key(key) => on_key(app, key, submit, interrupt),
    }
}

fn on_reply(app: &mut App, id: u64, slot: Slot, done: bool, result: Result<Data, String>, submit: &mut dyn FnMut(Request) -> u64) {
    if app.waiting.get(&slot) != Some(&id) {
        return; // superseded by a newer request
    }
    if done {
        app.busy.remove(&slot);
    }
    match result {
        Err(e) => {
            app.error = Some(if e.to_ascii_lowercase().contains("interrupt") { "query cancelled".into() } else { e });
            if slot == Slot::Load {
                app.load_progress = None;
            }
        }
        Ok(Data::LoadProgress { done, total, file }) => app.load_progress = Some((done, total, file)),
        Ok(Data::Loaded(r)) => {
            app.load_progress = None;
            app.status = format!("loaded: {} people, {} events", app.count(r.people), app.count(r.events));
            app.load_report = Some(*r);
            ask(app, Request::Overview(app.year.clone()), submit);
            super::explore::after_load(app, submit);
        }
        Ok(Data::Overview(o)) => {
            if app.year.is_none() {
                app.year = Some(o.year.clone());
            }
            app.overview = Some(*o);
        }
        Ok(Data::Explore(d)) => super::explore::on_data(app, d, submit),
    }
}

fn on_key(app: &mut App, key: KeyEvent, submit: &mut dyn FnMut(Request) -> u64, interrupt: &dyn Fn()) {
    if app.input.is_some() {
        on_input_key(app, key, submit);
        return;
    }
    let Some(action) = app.keys.action(app.screen.context(), &key) else { return };
    app.error = None;
    if app.help {
        if matches!(action, Action::Back | Action::Help | Action::Quit) {
            app.help = false;
        }
        return;
    }
    match action {
        Action::Quit => app.quit = true,
        Action::Help => app.help = true,
        Action::Cancel => {
            if app.is_busy() {
                interrupt();
                app.status = "cancelling the running query".into();
            }
        }
        Action::Back => {
            if app.is_busy() {
                interrupt();
                app.status = "cancelling the running query".into();
            } else if !super::explore::back(app) {
                app.screen = Screen::Overview;
            }
        }
        Action::NextScreen | Action::PrevScreen => {
            let i = SCREENS.iter().position(|s| *s == app.screen).unwrap_or(0);
            let n = SCREENS.len();
            let j = if action == Action::NextScreen { (i + 1) % n } else { (i + n - 1) % n };
            switch(app, SCREENS[j], submit);
        }
        Action::Screen1 => switch(app, Screen::Overview, submit),
        Action::Screen2 => switch(app, Screen::Cohort, submit),
        Action::Screen3 => switch(app, Screen::Members, submit),
        Action::Screen4 => switch(app, Screen::Timeline, submit),
        Action::Screen5 => switch(app, Screen::Load, submit),
        Action::Command => app.input = Some(Input { kind: InputKind::Command, text: String::new() }),
        Action::Search => app.input = Some(Input { kind: InputKind::Search, text: String::new() }),
        Action::Suppress => {
            app.suppress = !app.suppress;
            app.status = if app.suppress {
                format!("disclosure control ON: counts below {} are shown as <{}", app.threshold, app.threshold)
            } else {
                "disclosure control off".into()
            };
        }
        Action::NextYear if app.screen == Screen::Overview => {
            if let Some(o) = &app.overview {
                let years = o.years.clone();
                let cur = years.iter().position(|y| Some(y) == app.year.as_ref()).unwrap_or(0);
                if !years.is_empty() {
                    app.year = Some(years[(cur + 1) % years.len()].clone());
                    ask(app, Request::Overview(app.year.clone()), submit);
                    super::explore::on_year_change(app, submit);
                }
            }
        }
        _ => match app.screen {
            Screen::Load => on_load_key(app, action),
            _ => super::explore::on_action(app, action, submit),
        },
    }
}

fn switch(app: &mut App, screen: Screen, submit: &mut dyn FnMut(Request) -> u64) {
    app.screen = screen;
    super::explore::on_switch(app, submit);
}

fn on_load_key(app: &mut App, action: Action) {
    match action {
        Action::Down => app.load_scroll += 1,
        Action::Up => app.load_scroll = app.load_scroll.saturating_sub(1),
        Action::PageDown => app.load_scroll += 10,
        Action::PageUp => app.load_scroll = app.load_scroll.saturating_sub(10),
        Action::Top => app.load_scroll = 0,
        _ => {}
    }
}

fn on_input_key(app: &mut App, key: KeyEvent, submit: &mut dyn FnMut(Request) -> u64) {
    let Some(input) = app.input.as_mut() else { return };
    match key.code {
        KeyCode::Esc => app.input = None,
        KeyCode::Backspace => {
            input.text.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => input.text.push(c),
        KeyCode::Enter => {
            let Some(input) = app.input.take() else { return };
            match input.kind {
                InputKind::Command => run_command(app, input.text.trim(), submit),
                InputKind::Search => super::explore::on_search(app, input.text.trim(), submit),
                InputKind::Explore(kind) => super::explore::on_input(app, kind, input.text.trim(), submit),
            }
        }
        _ => {}
    }
}

/// `:` commands: `q`, `help`, `year 1920`, `suppress on|off`, `threshold N`, `load PATH`, plus
/// those of the cohort and timeline screens.
pub fn run_command(app: &mut App, cmd: &str, submit: &mut dyn FnMut(Request) -> u64) {
    let mut parts = cmd.splitn(2, ' ');
    let head = parts.next().unwrap_or("");
    let arg = parts.next().unwrap_or("").trim();
    match head {
        "" => {}
        "q" | "quit" => app.quit = true,
        "help" | "h" => app.help = true,
        "year" => {
            let years = app.overview.as_ref().map(|o| o.years.clone()).unwrap_or_default();
            if years.iter().any(|y| y == arg) {
                app.year = Some(arg.to_string());
                ask(app, Request::Overview(app.year.clone()), submit);
                super::explore::on_year_change(app, submit);
            } else {
                app.error = Some(format!("no financial year '{arg}' in this workspace (have: {})", years.join(", ")));
            }
        }
        "suppress" => {
            app.suppress = arg != "off";
            app.status = format!("disclosure control {}", if app.suppress { "ON" } else { "off" });
        }
        "threshold" => match arg.parse::<i64>() {
            Ok(n) if n > 0 => {
                app.threshold = n;
                app.status = format!("suppression threshold {n}");
            }
            _ => app.error = Some("threshold needs a whole number above 0, e.g. :threshold 10".into()),
        },
        "load" if !arg.is_empty() => {
            app.screen = Screen::Load;
            app.load_paths = vec![PathBuf::from(arg)];
            ask(app, Request::Load(app.load_paths.clone()), submit);
        }
        _ => {
            if !super::explore::on_command(app, head, arg, submit) {
                app.error = Some(format!("unknown command ':{cmd}' (try :help)"));
            }
        }
    }
}
