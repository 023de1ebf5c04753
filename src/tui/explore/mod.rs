//! The exploring flow: cohort builder -> members -> one person's timeline. The state of these
//! three screens, the requests they make of the worker, and how keys and replies change them.
pub mod filter_input;
pub mod views;

use super::app::{ask, App, Data, Input, InputKind, Request, Screen};
use super::keys::Action;
use super::worker::{Job, Slot};
use crate::model::cohort::{CohortSpec, Filter};
use crate::model::timeline::{DateMode, IndexChoice, Timeline};
use crate::store::cohort::{self, Attrition, Characterisation, MemberSort, MembersPage, PageRequest};
use std::path::PathBuf;

/// Members fetched at a time: a screenful or two, never the whole cohort.
pub const PAGE: u64 = 40;

#[derive(Debug, Clone)]
pub enum ExploreRequest {
    Attrition(CohortSpec),
    Characterise(CohortSpec),
    Members(CohortSpec, PageRequest),
    Timeline(String),
    SaveSpec(PathBuf, CohortSpec),
    OpenSpec(PathBuf),
}

impl ExploreRequest {
    pub fn slot(&self) -> Slot {
        match self {
            ExploreRequest::Attrition(_) => Slot::Cohort,
            ExploreRequest::Characterise(_) => Slot::Characterise,
            ExploreRequest::Members(..) => Slot::Members,
            ExploreRequest::Timeline(_) => Slot::Timeline,
            ExploreRequest::SaveSpec(..) | ExploreRequest::OpenSpec(_) => Slot::Other,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExploreData {
    Attrition(Attrition),
    Characterised(Box<Characterisation>),
    Members(MembersPage),
    Timeline(Box<Timeline>),
    Saved(PathBuf),
    Opened(PathBuf, CohortSpec),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExploreInput {
    AddFilter,
    EditFilter(usize),
    SavePath,
    OpenPath,
}

#[derive(Debug, Clone)]
pub struct ExploreState {
    pub spec: CohortSpec,
    pub filter_sel: usize,
    pub attrition: Option<Attrition>,
    pub characterisation: Option<Characterisation>,
    pub members: Option<MembersPage>,
    /// Selected member: position in the whole sorted cohort.
    pub member_sel: u64,
    pub sort: MemberSort,
    pub desc: bool,
    pub search: Option<String>,
    /// Open the timeline of the selected member when the page holding them arrives.
    pub open_when_page_arrives: bool,
    pub timeline: Option<Timeline>,
    pub event_sel: Option<usize>,
    pub index: IndexChoice,
    pub dates: DateMode,
    /// Days per column on the time axis, and the day at the left edge relative to day 0.
    pub zoom: i64,
    pub pan: Option<i64>,
    /// The cohort figures no longer match the workspace/year: recompute when a cohort screen
    /// is next shown (not at start-up, where nobody has asked for them yet).
    pub stale: bool,
}

impl Default for ExploreState {
    fn default() -> Self {
        ExploreState {
            spec: CohortSpec { name: "whole population".into(), ..Default::default() },
            filter_sel: 0,
            attrition: None,
            characterisation: None,
            members: None,
            member_sel: 0,
            sort: MemberSort::Cost,
            desc: true,
            search: None,
            open_when_page_arrives: false,
            timeline: None,
            event_sel: None,
            index: IndexChoice::First,
            dates: DateMode::Relative,
            zoom: 14,
            pan: None,
            stale: true,
        }
    }
}

pub fn job_for(r: ExploreRequest) -> Job<Data> {
    match r {
        ExploreRequest::Attrition(spec) => {
            Box::new(move |conn, _| Ok(Data::Explore(ExploreData::Attrition(cohort::count_and_attrition(conn, &spec)?))))
        }
        ExploreRequest::Characterise(spec) => Box::new(move |conn, _| {
            Ok(Data::Explore(ExploreData::Characterised(Box::new(cohort::characterise(conn, &spec)?))))
        }),
        ExploreRequest::Members(spec, req) => {
            Box::new(move |conn, _| {
                crate::ops::pseudonym::ensure(conn)?;
                Ok(Data::Explore(ExploreData::Members(cohort::members_page(conn, &spec, &req)?)))
            })
        }
        ExploreRequest::Timeline(id) => Box::new(move |conn, _| {
            // Audited like every person-level view (the worker moves to `ops::run` in the TUI port).
            let t = crate::store::timeline::load_timeline(conn, &id)?;
            let entry = crate::ops::audit::Entry { action: "timeline", query: "timeline (explorer)", rows: t.events.len() as u64, release_id: None };
            crate::ops::audit::append(conn, &crate::ops::Identity::current(), std::path::Path::new("(explorer)"), &entry)?;
            Ok(Data::Explore(ExploreData::Timeline(Box::new(t))))
        }),
        ExploreRequest::SaveSpec(path, spec) => Box::new(move |_, _| {
            std::fs::write(&path, spec.to_toml())
                .map_err(|e| anyhow::anyhow!("could not save the cohort to {}: {e}", path.display()))?;
            Ok(Data::Explore(ExploreData::Saved(path)))
        }),
        ExploreRequest::OpenSpec(path) => Box::new(move |_, _| {
            let spec = CohortSpec::from_file(&path)?;
            Ok(Data::Explore(ExploreData::Opened(path, spec)))
        }),
    }
}

fn req(app: &mut App, r: ExploreRequest, submit: &mut dyn FnMut(Request) -> u64) {
    ask(app, Request::Explore(r), submit);
}

/// The cohort changed: recount, re-characterise, refetch the first page of members.
fn refresh_cohort(app: &mut App, submit: &mut dyn FnMut(Request) -> u64) {
    app.explore.stale = false;
    let spec = app.explore.spec.clone();
    req(app, ExploreRequest::Attrition(spec.clone()), submit);
    req(app, ExploreRequest::Characterise(spec), submit);
    app.explore.member_sel = 0;
    fetch_members(app, 0, submit);
}

fn fetch_members(app: &mut App, offset: u64, submit: &mut dyn FnMut(Request) -> u64) {
    let e = &app.explore;
    let page = PageRequest { sort: e.sort, desc: e.desc, offset, limit: PAGE, search: e.search.clone() };
    let spec = e.spec.clone();
    req(app, ExploreRequest::Members(spec, page), submit);
}

/// The workspace or the year changed: the cohort figures are recomputed now if a cohort
/// screen is showing, else when one is next shown.
fn invalidate(app: &mut App, submit: &mut dyn FnMut(Request) -> u64) {
    if let Some(y) = &app.year {
        app.explore.spec.years = vec![y.clone()];
    }
    app.explore.stale = true;
    if matches!(app.screen, Screen::Cohort | Screen::Members) {
        refresh_cohort(app, submit);
    }
}

pub fn after_load(app: &mut App, submit: &mut dyn FnMut(Request) -> u64) {
    invalidate(app, submit);
}

pub fn on_year_change(app: &mut App, submit: &mut dyn FnMut(Request) -> u64) {
    if app.year.is_some() {
        invalidate(app, submit);
    }
}

pub fn on_switch(app: &mut App, submit: &mut dyn FnMut(Request) -> u64) {
    if app.explore.stale && matches!(app.screen, Screen::Cohort | Screen::Members | Screen::Timeline) {
        if app.year.is_none() {
            app.year = app.overview.as_ref().map(|o| o.year.clone());
        }
        if let Some(y) = &app.year {
            app.explore.spec.years = vec![y.clone()];
        }
        refresh_cohort(app, submit);
        return;
    }
    if app.screen == Screen::Timeline && app.explore.timeline.is_none() {
        open_selected(app, submit);
    }
}

pub fn on_data(app: &mut App, d: ExploreData, submit: &mut dyn FnMut(Request) -> u64) {
    let e = &mut app.explore;
    match d {
        ExploreData::Attrition(a) => e.attrition = Some(a),
        ExploreData::Characterised(c) => e.characterisation = Some(*c),
        ExploreData::Members(p) => {
            e.members = Some(p);
            if e.open_when_page_arrives {
                e.open_when_page_arrives = false;
                open_selected(app, submit);
            }
        }
        ExploreData::Timeline(t) => {
            e.event_sel = t.jump_to_index(e.index).or_else(|| t.first_event());
            e.pan = None;
            e.timeline = Some(*t);
        }
        ExploreData::Saved(p) => app.status = format!("cohort saved to {}", p.display()),
        ExploreData::Opened(p, spec) => {
            app.status = format!("opened cohort '{}' from {}", spec.name, p.display());
            if let Some(y) = spec.years.last() {
                app.year = Some(y.clone());
            }
            app.explore.spec = spec;
            app.explore.filter_sel = 0;
            refresh_cohort(app, submit);
        }
    }
}

/// Esc on an explore screen steps back along the flow; false when there is nowhere to go.
pub fn back(app: &mut App) -> bool {
    match app.screen {
        Screen::Timeline => app.screen = Screen::Members,
        Screen::Members => app.screen = Screen::Cohort,
        _ => return false,
    }
    true
}

/// The member currently selected, when their page is loaded.
pub fn selected_member(app: &App) -> Option<&cohort::Member> {
    let p = app.explore.members.as_ref()?;
    let i = app.explore.member_sel.checked_sub(p.offset)?;
    p.rows.get(i as usize)
}

fn open_selected(app: &mut App, submit: &mut dyn FnMut(Request) -> u64) {
    match selected_member(app).map(|m| m.id.clone()) {
        Some(id) => {
            app.screen = Screen::Timeline;
            req(app, ExploreRequest::Timeline(id), submit);
        }
        None => app.status = "no member selected: build a cohort, then pick someone on the Members screen".into(),
    }
}

/// Move the member selection, fetching another page when it leaves the one we hold.
fn move_member(app: &mut App, to: i64, submit: &mut dyn FnMut(Request) -> u64) -> bool {
    let total = app.explore.members.as_ref().map(|p| p.total).unwrap_or(0);
    if total == 0 {
        return false;
    }
    let to = to.clamp(0, total as i64 - 1) as u64;
    let changed = to != app.explore.member_sel;
    app.explore.member_sel = to;
    let (offset, len) = app.explore.members.as_ref().map(|p| (p.offset, p.rows.len() as u64)).unwrap_or((0, 0));
    if to < offset || to >= offset + len {
        let page_start = to / PAGE * PAGE;
        fetch_members(app, page_start, submit);
    }
    changed
}

pub fn on_action(app: &mut App, action: Action, submit: &mut dyn FnMut(Request) -> u64) {
    match app.screen {
        Screen::Cohort => on_cohort(app, action, submit),
        Screen::Members => on_members(app, action, submit),
        Screen::Timeline => on_timeline(app, action, submit),
        _ => {}
    }
}

fn on_cohort(app: &mut App, action: Action, submit: &mut dyn FnMut(Request) -> u64) {
    let n = app.explore.spec.filters.len();
    let sel = app.explore.filter_sel;
    match action {
        Action::Down if n > 0 => app.explore.filter_sel = (sel + 1).min(n - 1),
        Action::Up => app.explore.filter_sel = sel.saturating_sub(1),
        Action::Top => app.explore.filter_sel = 0,
        Action::Bottom => app.explore.filter_sel = n.saturating_sub(1),
        Action::Add => app.input = Some(Input { kind: InputKind::Explore(ExploreInput::AddFilter), text: String::new() }),
        Action::Edit if sel < n => {
            let text = filter_input::to_text(&app.explore.spec.filters[sel]);
            app.input = Some(Input { kind: InputKind::Explore(ExploreInput::EditFilter(sel)), text });
        }
        Action::Toggle if sel < n => {
            let f = &mut app.explore.spec.filters[sel];
            f.enabled = !f.enabled;
            refresh_cohort(app, submit);
        }
        Action::Delete if sel < n => {
            app.explore.spec.filters.remove(sel);
            app.explore.filter_sel = sel.min(app.explore.spec.filters.len().saturating_sub(1));
            refresh_cohort(app, submit);
        }
        Action::Save => {
            let text = format!("{}.toml", slug(&app.explore.spec.name));
            app.input = Some(Input { kind: InputKind::Explore(ExploreInput::SavePath), text });
        }
        Action::Open => app.input = Some(Input { kind: InputKind::Explore(ExploreInput::OpenPath), text: String::new() }),
        Action::Enter => app.screen = Screen::Members,
        Action::Export => {
            app.status = "export from the command line: carepath export --workspace W --spec FILE (disclosure control applied)".into()
        }
        _ => {}
    }
}

fn on_members(app: &mut App, action: Action, submit: &mut dyn FnMut(Request) -> u64) {
    let sel = app.explore.member_sel as i64;
    match action {
        Action::Down => {
            move_member(app, sel + 1, submit);
        }
        Action::Up => {
            move_member(app, sel - 1, submit);
        }
        Action::PageDown => {
            move_member(app, sel + 20, submit);
        }
        Action::PageUp => {
            move_member(app, sel - 20, submit);
        }
        Action::Top => {
            move_member(app, 0, submit);
        }
        Action::Bottom => {
            move_member(app, i64::MAX / 2, submit);
        }
        Action::Enter => open_selected(app, submit),
        Action::Sort => {
            const ORDER: [MemberSort; 8] = [
                MemberSort::Cost,
                MemberSort::BedDays,
                MemberSort::EmergencyAdmissions,
                MemberSort::LtcCount,
                MemberSort::Age,
                MemberSort::Simd,
                MemberSort::HriBand,
                MemberSort::AnonChi,
            ];
            let i = ORDER.iter().position(|s| *s == app.explore.sort).unwrap_or(0);
            app.explore.sort = ORDER[(i + 1) % ORDER.len()];
            app.explore.desc = !matches!(app.explore.sort, MemberSort::AnonChi | MemberSort::Simd | MemberSort::HriBand);
            app.explore.member_sel = 0;
            fetch_members(app, 0, submit);
        }
        Action::Reverse => {
            app.explore.desc = !app.explore.desc;
            app.explore.member_sel = 0;
            fetch_members(app, 0, submit);
        }
        _ => {}
    }
}

fn on_timeline(app: &mut App, action: Action, submit: &mut dyn FnMut(Request) -> u64) {
    match action {
        Action::PrevPerson | Action::NextPerson => {
            let sel = app.explore.member_sel as i64;
            let to = if action == Action::NextPerson { sel + 1 } else { sel - 1 };
            if move_member(app, to, submit) {
                if selected_member(app).is_some() {
                    open_selected(app, submit);
                } else {
                    app.explore.open_when_page_arrives = true;
                }
            }
            return;
        }
        Action::Enter => {
            open_selected(app, submit);
            return;
        }
        _ => {}
    }
    let e = &mut app.explore;
    let Some(t) = &e.timeline else { return };
    match action {
        Action::Right => e.event_sel = t.next_event(e.event_sel).or(e.event_sel),
        Action::Left => e.event_sel = t.previous_event(e.event_sel).or(e.event_sel),
        Action::Down | Action::NextSameService => {
            if let Some(r) = e.event_sel.and_then(|i| t.events.get(i)).map(|ev| ev.recid.clone()) {
                e.event_sel = t.next_of_service(e.event_sel, &r).or(e.event_sel);
            }
        }
        Action::Up | Action::PrevSameService => {
            if let Some(r) = e.event_sel.and_then(|i| t.events.get(i)).map(|ev| ev.recid.clone()) {
                e.event_sel = t.previous_of_service(e.event_sel, &r).or(e.event_sel);
            }
        }
        Action::Top => e.event_sel = t.first_event(),
        Action::Bottom => e.event_sel = t.events.len().checked_sub(1),
        Action::IndexEvent => {
            e.index = match e.index {
                IndexChoice::First => IndexChoice::FirstEmergency,
                IndexChoice::FirstEmergency => IndexChoice::BecameHri,
                IndexChoice::BecameHri => IndexChoice::First,
            };
            e.event_sel = t.jump_to_index(e.index).or(e.event_sel);
            e.pan = None;
        }
        Action::CalendarDates => {
            e.dates = if e.dates == DateMode::Relative { DateMode::Calendar } else { DateMode::Relative };
        }
        Action::ZoomIn => e.zoom = (e.zoom / 2).max(1),
        Action::ZoomOut => e.zoom = (e.zoom * 2).min(365),
        Action::PanLeft => e.pan = Some(e.pan.unwrap_or(0) - 10 * e.zoom),
        Action::PanRight => e.pan = Some(e.pan.unwrap_or(0) + 10 * e.zoom),
        _ => {}
    }
}

pub fn on_search(app: &mut App, text: &str, submit: &mut dyn FnMut(Request) -> u64) {
    app.explore.search = if text.is_empty() { None } else { Some(text.to_string()) };
    app.explore.member_sel = 0;
    app.screen = Screen::Members;
    fetch_members(app, 0, submit);
}

pub fn on_input(app: &mut App, kind: ExploreInput, text: &str, submit: &mut dyn FnMut(Request) -> u64) {
    match kind {
        ExploreInput::AddFilter | ExploreInput::EditFilter(_) => match filter_input::parse(text) {
            Ok(f) => {
                let filters = &mut app.explore.spec.filters;
                match kind {
                    ExploreInput::EditFilter(i) if i < filters.len() => {
                        let old = &filters[i];
                        filters[i] = Filter { enabled: old.enabled, label: old.label.clone(), rule: f.rule };
                    }
                    _ => {
                        filters.push(f);
                        app.explore.filter_sel = filters.len() - 1;
                    }
                }
                if app.explore.spec.name == "whole population" {
                    app.explore.spec.name = "my cohort".into();
                }
                refresh_cohort(app, submit);
            }
            Err(e) => app.error = Some(format!("filter not added: {e}")),
        },
        ExploreInput::SavePath if !text.is_empty() => {
            let spec = app.explore.spec.clone();
            req(app, ExploreRequest::SaveSpec(PathBuf::from(text), spec), submit);
        }
        ExploreInput::OpenPath if !text.is_empty() => req(app, ExploreRequest::OpenSpec(PathBuf::from(text)), submit),
        _ => {}
    }
}

/// `:name TEXT` names the cohort, `:open FILE` / `:save FILE` read and write its TOML,
/// `:person ID` opens anyone's timeline, `:filter TEXT` adds a filter.
pub fn on_command(app: &mut App, head: &str, arg: &str, submit: &mut dyn FnMut(Request) -> u64) -> bool {
    match head {
        "name" if !arg.is_empty() => app.explore.spec.name = arg.to_string(),
        "open" if !arg.is_empty() => on_input(app, ExploreInput::OpenPath, arg, submit),
        "save" if !arg.is_empty() => on_input(app, ExploreInput::SavePath, arg, submit),
        "filter" | "add" if !arg.is_empty() => {
            app.screen = Screen::Cohort;
            on_input(app, ExploreInput::AddFilter, arg, submit);
        }
        "person" if !arg.is_empty() => {
            app.screen = Screen::Timeline;
            req(app, ExploreRequest::Timeline(arg.to_string()), submit);
        }
        _ => return false,
    }
    true
}

pub fn header_label(app: &App) -> Option<String> {
    match app.screen {
        Screen::Timeline => app.explore.timeline.as_ref().map(|t| format!("person {}", short_id(&t.person.anon_chi))),
        Screen::Cohort | Screen::Members => Some(format!("cohort: {}", app.explore.spec.name)),
        _ => None,
    }
}

pub fn input_prompt(k: ExploreInput) -> String {
    match k {
        ExploreInput::AddFilter => "add filter (e.g. age 65+, simd 1, ltc copd, emergency_admissions 2+): ".into(),
        ExploreInput::EditFilter(_) => "edit filter: ".into(),
        ExploreInput::SavePath => "save cohort to: ".into(),
        ExploreInput::OpenPath => "open cohort file: ".into(),
    }
}

pub fn footer_hints(app: &App) -> Vec<(Action, &'static str)> {
    match app.screen {
        Screen::Cohort => vec![(Action::Add, "add"), (Action::Toggle, "toggle"), (Action::Delete, "del"), (Action::Save, "save"), (Action::Enter, "members")],
        Screen::Members => vec![(Action::Enter, "timeline"), (Action::Search, "search"), (Action::Sort, "sort"), (Action::Back, "back")],
        Screen::Timeline => vec![
            (Action::Right, "event"),
            (Action::NextPerson, "person"),
            (Action::ZoomIn, "zoom"),
            (Action::CalendarDates, "dates"),
            (Action::Back, "back"),
        ],
        Screen::Overview => vec![(Action::NextYear, "year"), (Action::Screen2, "cohort")],
        Screen::Load => vec![(Action::Down, "scroll")],
    }
}

pub fn help_commands(_app: &App) -> Vec<String> {
    vec![
        ":filter age 65+ | simd 1 | ltc copd | hri council | emergency_admissions 2+ | dx J44".into(),
        "   (or TOML as in a cohort file: age = { min = 65 })".into(),
        ":name TEXT, :save FILE, :open FILE (cohort TOML), :person ID (a timeline)".into(),
    ]
}

pub use crate::format::short_id;

fn slug(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "cohort".into()
    } else {
        s
    }
}
