//! Application state and the one place it changes: `update(app, event) -> Vec<Command>`. Views
//! read the state; the runtime turns the commands into worker jobs and cancellations. The
//! explore screens keep their own state (`explore::ExploreState`) and answer with `Effects`,
//! which only this module applies.
use super::events::{Input as TermInput, Stop};
use super::explore::{self, Ctx, Effects, ExploreInput, ExploreState};
use super::keys::{Action, KeyMap};
use super::line_edit::{Edit, LineEdit};
pub use super::screen::{Screen, SCREENS};
use super::query::{self, Data};
use super::shown::OnScreen;
use super::worker::{Failure, Reply, Slot};
use crate::model::figures::Overview;
use crate::ops::{Answer, ExportFormat, ExportRequest, Gated, Progress, Query, Sdc};
use crate::store::report::LoadReport;
use crossterm::event::KeyEvent;
use std::collections::HashMap;
use std::path::PathBuf;

/// What `update` asks the runtime to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Run this query as job `id` (ids grow; the latest per slot wins).
    Run { id: u64, query: Query },
    /// Cancel job `id` (interrupt it if it is running).
    Cancel { id: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Command,
    Search,
    Explore(ExploreInput),
    /// The folder to export into; Tab changes the format.
    Export(ExportFormat),
}

#[derive(Debug, Clone)]
pub struct Input {
    pub kind: InputKind,
    pub line: LineEdit,
}

/// Everything the explorer reacts to, from one channel: keys, worker answers, the spinner's
/// tick, and reasons to stop (signals, the terminal gone).
pub enum Event {
    Key(KeyEvent),
    Reply { id: u64, slot: Slot, done: bool, result: Result<Data, Failure> },
    Tick,
    /// The terminal's size (columns, rows).
    Resize(u16, u16),
    Stop(Stop),
}

impl From<TermInput> for Event {
    fn from(i: TermInput) -> Event {
        match i {
            TermInput::Key(k) => Event::Key(k),
            TermInput::Resize(w, h) => Event::Resize(w, h),
            TermInput::Stop(s) => Event::Stop(s),
        }
    }
}

impl From<Reply<Data>> for Event {
    fn from(r: Reply<Data>) -> Event {
        Event::Reply { id: r.id, slot: r.slot, done: r.done, result: r.result }
    }
}

pub struct App {
    pub keys: KeyMap,
    pub screen: Screen,
    pub help: bool,
    /// First line of the help shown (it scrolls).
    pub help_scroll: usize,
    pub input: Option<Input>,
    pub status: String,
    pub error: Option<String>,
    /// Latest job id asked for per slot; replies with another id are stale and dropped.
    pub waiting: HashMap<Slot, u64>,
    /// Jobs asked for but not yet answered.
    pub busy: HashMap<Slot, u64>,
    next_id: u64,
    outbox: Vec<Command>,
    pub tick: usize,
    pub workspace_label: String,
    pub year: Option<String>,
    pub load_paths: Vec<PathBuf>,
    pub load_progress: Option<(usize, usize, String)>,
    pub load_report: Option<LoadReport>,
    pub load_scroll: usize,
    pub overview: Option<Gated<Overview>>,
    /// The years loaded (from the overview), oldest first.
    pub years: Vec<String>,
    /// Disclosure control on screen (`!`): what is drawn goes through the gate.
    pub shown: OnScreen,
    pub explore: ExploreState,
    /// Terminal size (columns, rows), for layouts that decide what is on screen.
    pub size: (u16, u16),
    pub quit: bool,
    /// Set when the explorer stops for a signal or a lost terminal rather than a key.
    pub stopped: Option<Stop>,
}

impl App {
    pub fn new(keys: KeyMap, workspace_label: String) -> App {
        App {
            keys,
            screen: Screen::Overview,
            help: false,
            help_scroll: 0,
            input: None,
            status: String::new(),
            error: None,
            waiting: HashMap::new(),
            busy: HashMap::new(),
            next_id: 0,
            outbox: Vec::new(),
            tick: 0,
            workspace_label,
            year: None,
            load_paths: Vec::new(),
            load_progress: None,
            load_report: None,
            load_scroll: 0,
            overview: None,
            years: Vec::new(),
            shown: OnScreen::default(),
            explore: ExploreState::default(),
            size: (80, 24),
            quit: false,
            stopped: None,
        }
    }

    pub fn is_busy(&self) -> bool {
        !self.busy.is_empty()
    }

    /// Ask for work: the query gets the next id, which the reply must carry.
    pub fn ask(&mut self, q: Query) {
        self.next_id += 1;
        let id = self.next_id;
        let slot = query::slot(&q);
        self.waiting.insert(slot, id);
        self.busy.insert(slot, id);
        self.outbox.push(Command::Run { id, query: q });
    }

    /// The commands asked for since the last call.
    pub fn take_commands(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.outbox)
    }

    fn ctx(&self) -> Ctx {
        Ctx { screen: self.screen, width: self.size.0, year: self.year.clone(), sdc: self.shown.on }
    }

    /// Apply what an explore step asked for.
    fn apply(&mut self, fx: Effects) {
        for q in fx.ask {
            self.ask(q);
        }
        if let Some(s) = fx.screen {
            self.screen = s;
        }
        if let Some(s) = fx.status {
            self.status = s;
        }
        if let Some(e) = fx.error {
            self.error = Some(e);
        }
        if let Some((kind, text)) = fx.input {
            self.input = Some(Input { kind: InputKind::Explore(kind), line: LineEdit::new(&text) });
        }
        if let Some(y) = fx.year {
            if self.year.as_deref() != Some(y.as_str()) {
                self.year = Some(y);
                self.overview = None;
                self.ask(Query::Overview { year: self.year.clone() });
            }
        }
    }

    /// Everything year-dependent follows the new year, on every screen, so the header and the
    /// figures always agree.
    fn set_year(&mut self, year: String) {
        self.year = Some(year);
        self.overview = None;
        self.ask(Query::Overview { year: self.year.clone() });
        let fx = self.explore.invalidate(self.ctx());
        self.apply(fx);
    }

    /// `!`: disclosure control on screen on or off. The session changes first, then every
    /// figure on show is asked for again; figures drawn under the old setting are dropped at
    /// once (so nothing raw stays on screen under the SDC badge).
    fn set_disclosure(&mut self, on: bool) {
        self.shown.on = on;
        let sdc = if on { Sdc::On(self.shown.policy.clone()) } else { Sdc::Off };
        self.ask(Query::SetDisclosure(sdc));
        self.overview = None;
        if self.year.is_some() || !self.years.is_empty() {
            self.ask(Query::Overview { year: self.year.clone() });
        }
        let fx = self.explore.on_disclosure(self.ctx());
        self.apply(fx);
        self.status = if on {
            format!("disclosure control ON: counts below {} and anything they could be worked out from show as *", self.shown.policy.threshold)
        } else {
            "disclosure control off: raw figures".into()
        };
    }

    /// `x`: ask where to export the current screen's table (a folder; Tab picks the format).
    fn start_export(&mut self) {
        let year = self.year.clone().unwrap_or_default();
        let name = if self.screen == Screen::Overview { "population".to_string() } else { explore::slug(&self.explore.spec.name) };
        let folder = format!("exports/{name}-{year}");
        self.input = Some(Input { kind: InputKind::Export(ExportFormat::Csv), line: LineEdit::new(&folder) });
    }

    /// Export what this screen shows through the gate (always: an export leaves the screen):
    /// the Overview's whole population, or the cohort being built (with its members list on
    /// the Members screen, which is audited).
    fn export(&mut self, folder: &str, format: ExportFormat) {
        if folder.is_empty() {
            self.error = Some("export needs a folder name (Esc to give up)".into());
            return;
        }
        let mut spec = if self.screen == Screen::Overview {
            crate::model::cohort::CohortSpec { name: "whole population".into(), ..Default::default() }
        } else {
            self.explore.spec.clone()
        };
        if let Some(y) = &self.year {
            spec.years = vec![y.clone()];
        }
        let person_level = self.screen == Screen::Members;
        let req = ExportRequest {
            spec,
            out: PathBuf::from(folder),
            format,
            policy: Some(self.shown.policy.clone()),
            person_level,
            reveal_ids: false,
        };
        self.ask(Query::Export(req));
        self.status = format!("exporting to {folder}/ ...");
    }

    /// The slots whose answers the current screen is waiting for: what Esc cancels.
    fn slots_of_screen(&self) -> &'static [Slot] {
        match self.screen {
            Screen::Overview => &[Slot::Overview, Slot::Load],
            Screen::Cohort => &[Slot::Cohort, Slot::Characterise],
            Screen::Members => &[Slot::Members],
            Screen::Timeline => &[Slot::Timeline],
            Screen::Load => &[Slot::Load],
            Screen::Pathways => &[Slot::Pathways, Slot::TimeTo],
            Screen::Delays => &[Slot::Delays],
            Screen::Change => &[Slot::Spc],
            Screen::Cube => &[Slot::Cube],
            Screen::Compare => &[Slot::Compare],
            Screen::Unscheduled => &[Slot::Unscheduled],
            Screen::SocialCare => &[Slot::SocialCare],
            Screen::Projections => &[Slot::Projection],
        }
    }

    /// Cancel what the user is looking at: the queries this screen waits for, or, when it
    /// waits for none, everything still running (an export, a cohort file).
    fn cancel(&mut self) {
        let mine: Vec<u64> = self.slots_of_screen().iter().filter_map(|s| self.busy.get(s).copied()).collect();
        let ids = if mine.is_empty() { self.busy.values().copied().collect() } else { mine };
        for id in ids {
            self.outbox.push(Command::Cancel { id });
        }
        self.status = "cancelling the running query".into();
    }
}

/// The first requests when the app opens: a load when given extracts, else the overview.
pub fn start(app: &mut App, load: &[PathBuf], has_model: bool) -> Vec<Command> {
    if !load.is_empty() {
        app.load_paths = load.to_vec();
        // Extracts never loaded before: the latest year first, so the overview shows in
        // seconds; the rest follows (see `on_answer`).
        let options = crate::store::ingest::LoadOptions { latest_year_first: !has_model, ..Default::default() };
        app.ask(Query::Load { paths: load.to_vec(), options });
    }
    if has_model {
        app.ask(Query::Years);
        app.ask(Query::Overview { year: None });
        let fx = app.explore.invalidate(app.ctx());
        app.apply(fx);
    }
    app.take_commands()
}

/// The one place state changes. Returns the work to start or cancel.
pub fn update(app: &mut App, ev: Event) -> Vec<Command> {
    match ev {
        Event::Tick => app.tick = app.tick.wrapping_add(1),
        Event::Resize(w, h) => app.size = (w, h),
        Event::Stop(s) => {
            app.stopped = Some(s);
            app.quit = true;
        }
        Event::Reply { id, slot, done, result } => on_reply(app, id, slot, done, result),
        Event::Key(key) => on_key(app, key),
    }
    app.take_commands()
}

fn on_reply(app: &mut App, id: u64, slot: Slot, done: bool, result: Result<Data, Failure>) {
    if app.waiting.get(&slot) != Some(&id) {
        return; // superseded by a newer request
    }
    if done {
        app.busy.remove(&slot);
    }
    match result {
        Err(e) => {
            app.error = Some(e.to_string());
            if slot == Slot::Load {
                app.load_progress = None;
            }
        }
        Ok(Data::Progress(Progress::Load { done, total, file })) => app.load_progress = Some((done, total, file)),
        Ok(Data::Answer(a)) => on_answer(app, *a),
    }
}

fn on_answer(app: &mut App, a: Answer) {
    match a {
        Answer::Loaded(r) => {
            app.load_progress = None;
            let deferred = r.files.iter().filter(|f| f.status == crate::store::ingest::first_look::DEFERRED).count();
            app.status = format!("loaded: {} files (5 shows the load report)", r.files.len() - deferred);
            app.load_report = Some(*r);
            app.ask(Query::Years);
            app.ask(Query::Overview { year: app.year.clone() });
            let fx = app.explore.invalidate(app.ctx());
            app.apply(fx);
            if deferred > 0 {
                // asked last: the worker answers in order, so the first look's figures come first
                app.status = format!("first look at the latest year; loading the other {deferred} files (5 shows the load report)");
                app.ask(Query::Load { paths: app.load_paths.clone(), options: Default::default() });
            }
        }
        Answer::Overview(o) => {
            if let Some(raw) = o.raw() {
                app.years = raw.years.clone();
                if app.year.is_none() {
                    app.year = Some(raw.year.clone());
                }
            }
            app.overview = Some(o);
        }
        Answer::Years(y) => {
            if app.year.is_none() {
                app.year = y.last().cloned();
            }
            app.years = y;
        }
        Answer::Disclosure(s) => app.shown.on = matches!(s, Sdc::On(_)),
        Answer::Exported(r) => {
            let folder = r.files.first().and_then(|f| f.parent()).map(|p| p.display().to_string()).unwrap_or_default();
            let files: Vec<String> = r.files.iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().to_string()).collect();
            app.status = crate::format::strip_controls(&format!("exported to {folder}/ ({}): {}", files.join(", "), r.message));
        }
        other => {
            let fx = app.explore.on_answer(other);
            app.apply(fx);
        }
    }
}

fn on_key(app: &mut App, key: KeyEvent) {
    if app.input.is_some() {
        on_input_key(app, key);
        return;
    }
    let Some(action) = app.keys.action(app.screen.context(), &key) else { return };
    app.error = None;
    app.status.clear();
    if app.help {
        match action {
            Action::Back | Action::Help | Action::Quit => app.help = false,
            Action::Down => app.help_scroll += 1,
            Action::Up => app.help_scroll = app.help_scroll.saturating_sub(1),
            Action::PageDown => app.help_scroll += 10,
            Action::PageUp => app.help_scroll = app.help_scroll.saturating_sub(10),
            Action::Top => app.help_scroll = 0,
            _ => {}
        }
        return;
    }
    match action {
        Action::Quit => app.quit = true,
        Action::Help => {
            app.help = true;
            app.help_scroll = 0;
        }
        Action::Cancel => {
            if app.is_busy() {
                app.cancel();
            }
        }
        Action::Back => {
            if app.is_busy() {
                app.cancel();
            } else if let Some(s) = app.explore.back(app.screen) {
                app.screen = s;
            } else {
                app.screen = Screen::Overview;
            }
        }
        Action::NextScreen | Action::PrevScreen => {
            let i = SCREENS.iter().position(|s| *s == app.screen).unwrap_or(0);
            let n = SCREENS.len();
            let j = if action == Action::NextScreen { (i + 1) % n } else { (i + n - 1) % n };
            switch(app, SCREENS[j]);
        }
        Action::Screen1 => switch(app, Screen::Overview),
        Action::Screen2 => switch(app, Screen::Cohort),
        Action::Screen3 => switch(app, Screen::Members),
        Action::Screen4 => switch(app, Screen::Timeline),
        Action::Screen5 => switch(app, Screen::Load),
        Action::Screen6 => switch(app, Screen::Pathways),
        Action::Screen7 => switch(app, Screen::Delays),
        Action::Screen8 => switch(app, Screen::Change),
        Action::Screen9 => switch(app, Screen::Cube),
        Action::Screen10 => switch(app, Screen::Compare),
        Action::Screen11 => switch(app, Screen::Unscheduled),
        Action::Screen12 => switch(app, Screen::SocialCare),
        Action::Screen13 => switch(app, Screen::Projections),
        Action::Command => app.input = Some(Input { kind: InputKind::Command, line: LineEdit::default() }),
        Action::Search => app.input = Some(Input { kind: InputKind::Search, line: LineEdit::default() }),
        Action::Suppress => app.set_disclosure(!app.shown.on),
        Action::Export => app.start_export(),
        Action::NextYear => {
            let years = app.years.clone();
            if !years.is_empty() {
                let cur = years.iter().position(|y| Some(y) == app.year.as_ref()).unwrap_or(0);
                app.set_year(years[(cur + 1) % years.len()].clone());
            }
        }
        _ => match app.screen {
            Screen::Load => on_load_key(app, action),
            _ => {
                let fx = app.explore.on_action(app.ctx(), action);
                app.apply(fx);
            }
        },
    }
}

fn switch(app: &mut App, screen: Screen) {
    app.screen = screen;
    let fx = app.explore.on_switch(app.ctx());
    app.apply(fx);
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

fn on_input_key(app: &mut App, key: KeyEvent) {
    let Some(input) = app.input.as_mut() else { return };
    if let (InputKind::Export(f), crossterm::event::KeyCode::Tab) = (input.kind, key.code) {
        input.kind = InputKind::Export(match f {
            ExportFormat::Csv => ExportFormat::Parquet,
            ExportFormat::Parquet => ExportFormat::Json,
            ExportFormat::Json => ExportFormat::Csv,
        });
        return;
    }
    match input.line.key(&key) {
        Edit::Editing => {}
        Edit::Abandon => app.input = None,
        Edit::Submit => {
            let Some(input) = app.input.take() else { return };
            let text = input.line.text();
            let text = text.trim();
            app.error = None;
            match input.kind {
                InputKind::Command => run_command(app, text),
                InputKind::Search => {
                    let fx = app.explore.on_search(text);
                    app.apply(fx);
                }
                InputKind::Explore(kind) => {
                    let fx = app.explore.on_input(kind, text);
                    app.apply(fx);
                }
                InputKind::Export(format) => app.export(text, format),
            }
        }
    }
}

/// `:` commands: `q`, `help`, `year 1920`, `suppress on|off`, `threshold N`, `load PATH`, plus
/// those of the cohort and timeline screens.
pub fn run_command(app: &mut App, cmd: &str) {
    let mut parts = cmd.splitn(2, ' ');
    let head = parts.next().unwrap_or("");
    let arg = parts.next().unwrap_or("").trim();
    match head {
        "" => {}
        "q" | "quit" => app.quit = true,
        "help" | "h" => {
            app.help = true;
            app.help_scroll = 0;
        }
        "year" => {
            let years = app.years.clone();
            match year_code(arg).filter(|y| years.contains(y)) {
                Some(y) => app.set_year(y),
                None => {
                    let have: Vec<String> = years.iter().map(|y| crate::model::year::label(y)).collect();
                    app.error = Some(format!("no financial year '{arg}' in this workspace (have: {})", have.join(", ")));
                }
            }
        }
        "suppress" => app.set_disclosure(arg != "off"),
        "threshold" => {
            let mut policy = app.shown.policy.clone();
            match arg.parse::<u64>() {
                Ok(n) => {
                    policy.threshold = n;
                    match crate::ops::gate_check(&policy) {
                        Ok(()) => {
                            app.shown.policy = policy;
                            app.set_disclosure(true);
                        }
                        Err(e) => app.error = Some(e.to_string()),
                    }
                }
                Err(_) => app.error = Some("threshold needs a whole number, e.g. :threshold 10".into()),
            }
        }
        "load" if !arg.is_empty() => {
            app.screen = Screen::Load;
            app.load_paths = vec![PathBuf::from(arg)];
            app.ask(Query::Load { paths: app.load_paths.clone(), options: Default::default() });
        }
        _ => {
            let ctx = app.ctx();
            match app.explore.on_command(head, arg, &ctx) {
                Some(fx) => app.apply(fx),
                None => app.error = Some(format!("unknown command ':{cmd}' (try :help)")),
            }
        }
    }
}

/// A financial year as typed (`1920`, `2019/20`, `2019-20`) in SLF form (`1920`).
fn year_code(text: &str) -> Option<String> {
    let t = text.trim();
    let code = match t.split_once(['/', '-']) {
        Some((a, b)) if a.len() == 4 && a.is_ascii() && b.len() == 2 => format!("{}{b}", &a[2..]),
        _ => t.to_string(),
    };
    crate::model::year::FinYear::parse(&code).map(|y| y.code())
}
