//! The exploring flow: cohort builder -> members -> one person's timeline. This module owns the
//! state of these three screens and nothing else: every function takes `&mut ExploreState` and
//! what it may read of the rest (`Ctx`), and returns `Effects` (requests for the worker, a
//! screen to show, a message, an input line to open) for the app to apply. It never reads or
//! writes the app's fields, and it does not import the app.
pub mod filter_input;
pub mod views;

use super::keys::Action;
use super::screen::Screen;
use super::worker::{Job, Slot};
use crate::model::cohort::{CohortSpec, Filter};
use crate::model::timeline::{DateMode, IndexChoice, Timeline};

use crate::store::cohort::{self, Attrition, Characterisation, MemberSort, MembersPage, PageRequest};
use std::path::PathBuf;

/// Members fetched at a time: a screenful or two, never the whole cohort.
pub const PAGE: u64 = 40;

/// Width of the lane names on the timeline, and the most days one column can hold.
pub const LANE_LABEL_W: usize = 11;
pub const MAX_ZOOM: i64 = 365 * 4;

/// Columns of the time axis on a screen `width` wide.
pub fn chart_cols(width: u16) -> i64 {
    (width as i64 - LANE_LABEL_W as i64 - 1).max(10)
}

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
    /// Days per column on the time axis.
    pub zoom: i64,
    /// Day (relative to day 0) at the centre of the time axis; None: follow the selected event.
    pub centre: Option<i64>,
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
            centre: None,
            stale: true,
        }
    }
}

/// The worker job that answers an explore request; `wrap` puts the answer in the app's type.
pub fn job_for<D: 'static>(r: ExploreRequest, wrap: fn(ExploreData) -> D) -> Job<duckdb::Connection, D> {
    use crate::tui::job;
    match r {
        ExploreRequest::Attrition(spec) => {
            job(move |conn, _| Ok(wrap(ExploreData::Attrition(cohort::count_and_attrition(conn, &spec)?))))
        }
        ExploreRequest::Characterise(spec) => {
            job(move |conn, _| Ok(wrap(ExploreData::Characterised(Box::new(cohort::characterise(conn, &spec)?)))))
        }
        ExploreRequest::Members(spec, req) => {
            job(move |conn, _| Ok(wrap(ExploreData::Members(cohort::members_page(conn, &spec, &req)?))))
        }
        ExploreRequest::Timeline(id) => job(move |conn, _| {
            Ok(wrap(ExploreData::Timeline(Box::new(crate::store::timeline::open_timeline(conn, &id)?))))
        }),
        ExploreRequest::SaveSpec(path, spec) => job(move |_, _| {
            std::fs::write(&path, spec.to_toml())
                .map_err(|e| anyhow::anyhow!("could not save the cohort to {}: {e}", path.display()))?;
            Ok(wrap(ExploreData::Saved(path)))
        }),
        ExploreRequest::OpenSpec(path) => job(move |_, _| {
            let spec = CohortSpec::from_file(&path)?;
            Ok(wrap(ExploreData::Opened(path, spec)))
        }),
    }
}

/// What explore may read of the rest of the app.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub screen: Screen,
    /// Terminal width (the timeline's axis depends on it).
    pub width: u16,
    /// The financial year the header shows.
    pub year: Option<&'a str>,
}

/// What an explore step asks the app to do.
#[derive(Debug, Default)]
pub struct Effects {
    pub ask: Vec<ExploreRequest>,
    pub screen: Option<Screen>,
    pub status: Option<String>,
    pub error: Option<String>,
    /// Open an input line of this kind, pre-filled with this text.
    pub input: Option<(ExploreInput, String)>,
    /// The year changed (a cohort file was opened for another year).
    pub year: Option<String>,
}

impl Effects {
    fn status(s: impl Into<String>) -> Effects {
        Effects { status: Some(s.into()), ..Default::default() }
    }
    fn error(s: impl Into<String>) -> Effects {
        Effects { error: Some(s.into()), ..Default::default() }
    }
    fn input(k: ExploreInput, text: impl Into<String>) -> Effects {
        Effects { input: Some((k, text.into())), ..Default::default() }
    }
    fn ask(mut self, r: ExploreRequest) -> Effects {
        self.ask.push(r);
        self
    }
    fn and(mut self, other: Effects) -> Effects {
        self.ask.extend(other.ask);
        self.screen = other.screen.or(self.screen);
        self.status = other.status.or(self.status);
        self.error = other.error.or(self.error);
        self.input = other.input.or(self.input);
        self.year = other.year.or(self.year);
        self
    }
}

impl ExploreState {
    /// The cohort changed: recount, re-characterise, refetch the first page of members.
    fn refresh(&mut self) -> Effects {
        self.stale = false;
        self.member_sel = 0;
        let spec = self.spec.clone();
        Effects::default()
            .ask(ExploreRequest::Attrition(spec.clone()))
            .ask(ExploreRequest::Characterise(spec))
            .and(self.fetch_members(0))
    }

    fn fetch_members(&self, offset: u64) -> Effects {
        let page = PageRequest { sort: self.sort, desc: self.desc, offset, limit: PAGE, search: self.search.clone() };
        Effects::default().ask(ExploreRequest::Members(self.spec.clone(), page))
    }

    /// The workspace or the year changed: the cohort figures are recomputed now if a cohort
    /// screen is showing, else when one is next shown.
    pub fn invalidate(&mut self, ctx: Ctx) -> Effects {
        if let Some(y) = ctx.year {
            self.spec.years = vec![y.to_string()];
        }
        self.stale = true;
        if matches!(ctx.screen, Screen::Cohort | Screen::Members) {
            return self.refresh();
        }
        Effects::default()
    }

    /// A screen was switched to (`ctx.screen`).
    pub fn on_switch(&mut self, ctx: Ctx) -> Effects {
        if self.stale && matches!(ctx.screen, Screen::Cohort | Screen::Members | Screen::Timeline) {
            if let Some(y) = ctx.year {
                self.spec.years = vec![y.to_string()];
            }
            return self.refresh();
        }
        if ctx.screen == Screen::Timeline && self.timeline.is_none() {
            return self.open_selected();
        }
        Effects::default()
    }

    pub fn on_data(&mut self, d: ExploreData) -> Effects {
        match d {
            ExploreData::Attrition(a) => self.attrition = Some(a),
            ExploreData::Characterised(c) => self.characterisation = Some(*c),
            ExploreData::Members(p) => {
                self.members = Some(p);
                if self.open_when_page_arrives {
                    self.open_when_page_arrives = false;
                    return self.open_selected();
                }
            }
            ExploreData::Timeline(t) => {
                self.event_sel = t.jump_to_index(self.index).or_else(|| t.first_event());
                self.centre = None;
                self.timeline = Some(*t);
            }
            ExploreData::Saved(p) => return Effects::status(format!("cohort saved to {}", p.display())),
            ExploreData::Opened(p, spec) => {
                let year = spec.years.last().cloned();
                let msg = format!("opened cohort '{}' from {}", spec.name, p.display());
                self.spec = spec;
                self.filter_sel = 0;
                let mut fx = self.refresh();
                fx.status = Some(msg);
                fx.year = year;
                return fx;
            }
        }
        Effects::default()
    }

    /// The member currently selected, when their page is loaded.
    pub fn selected_member(&self) -> Option<&cohort::Member> {
        let p = self.members.as_ref()?;
        let i = self.member_sel.checked_sub(p.offset)?;
        p.rows.get(i as usize)
    }

    fn open_selected(&mut self) -> Effects {
        match self.selected_member().map(|m| m.anon_chi.clone()) {
            Some(id) => Effects { screen: Some(Screen::Timeline), ..Default::default() }.ask(ExploreRequest::Timeline(id)),
            None => Effects::status("no member selected: build a cohort, then pick someone on the Members screen"),
        }
    }

    /// Move the member selection, fetching another page when it leaves the one we hold.
    /// Returns whether the selection moved.
    fn move_member(&mut self, to: i64) -> (bool, Effects) {
        let total = self.members.as_ref().map(|p| p.total).unwrap_or(0);
        if total == 0 {
            return (false, Effects::default());
        }
        let to = to.clamp(0, total as i64 - 1) as u64;
        let changed = to != self.member_sel;
        self.member_sel = to;
        let (offset, len) = self.members.as_ref().map(|p| (p.offset, p.rows.len() as u64)).unwrap_or((0, 0));
        if to < offset || to >= offset + len {
            return (changed, self.fetch_members(to / PAGE * PAGE));
        }
        (changed, Effects::default())
    }

    pub fn on_action(&mut self, ctx: Ctx, action: Action) -> Effects {
        match ctx.screen {
            Screen::Cohort => self.on_cohort(action),
            Screen::Members => self.on_members(action),
            Screen::Timeline => self.on_timeline(action, chart_cols(ctx.width)),
            _ => Effects::default(),
        }
    }

    fn on_cohort(&mut self, action: Action) -> Effects {
        let n = self.spec.filters.len();
        let sel = self.filter_sel;
        match action {
            Action::Down if n > 0 => self.filter_sel = (sel + 1).min(n - 1),
            Action::Up => self.filter_sel = sel.saturating_sub(1),
            Action::Top => self.filter_sel = 0,
            Action::Bottom => self.filter_sel = n.saturating_sub(1),
            Action::Add => return Effects::input(ExploreInput::AddFilter, ""),
            Action::Edit if sel < n => {
                return Effects::input(ExploreInput::EditFilter(sel), filter_input::to_text(&self.spec.filters[sel]))
            }
            Action::Toggle if sel < n => {
                let f = &mut self.spec.filters[sel];
                f.enabled = !f.enabled;
                return self.refresh();
            }
            Action::Delete if sel < n => {
                self.spec.filters.remove(sel);
                self.filter_sel = sel.min(self.spec.filters.len().saturating_sub(1));
                return self.refresh();
            }
            Action::Save => return Effects::input(ExploreInput::SavePath, format!("{}.toml", slug(&self.spec.name))),
            Action::Open => return Effects::input(ExploreInput::OpenPath, ""),
            Action::Enter => return Effects { screen: Some(Screen::Members), ..Default::default() },
            _ => {}
        }
        Effects::default()
    }

    fn on_members(&mut self, action: Action) -> Effects {
        let sel = self.member_sel as i64;
        let to = match action {
            Action::Down => sel + 1,
            Action::Up => sel - 1,
            Action::PageDown => sel + 20,
            Action::PageUp => sel - 20,
            Action::Top => 0,
            Action::Bottom => i64::MAX / 2,
            Action::Enter => return self.open_selected(),
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
                let i = ORDER.iter().position(|s| *s == self.sort).unwrap_or(0);
                self.sort = ORDER[(i + 1) % ORDER.len()];
                self.desc = !matches!(self.sort, MemberSort::AnonChi | MemberSort::Simd | MemberSort::HriBand);
                self.member_sel = 0;
                return self.fetch_members(0);
            }
            Action::Reverse => {
                self.desc = !self.desc;
                self.member_sel = 0;
                return self.fetch_members(0);
            }
            _ => return Effects::default(),
        };
        self.move_member(to).1
    }

    fn on_timeline(&mut self, action: Action, cols: i64) -> Effects {
        match action {
            Action::PrevPerson | Action::NextPerson => {
                let sel = self.member_sel as i64;
                let to = if action == Action::NextPerson { sel + 1 } else { sel - 1 };
                let (moved, fx) = self.move_member(to);
                if !moved {
                    return fx;
                }
                if self.selected_member().is_some() {
                    return fx.and(self.open_selected());
                }
                self.open_when_page_arrives = true;
                return fx;
            }
            Action::Enter => return self.open_selected(),
            _ => {}
        }
        let Some(t) = &self.timeline else { return Effects::default() };
        match action {
            Action::Right => self.event_sel = t.next_event(self.event_sel).or(self.event_sel),
            Action::Left => self.event_sel = t.previous_event(self.event_sel).or(self.event_sel),
            Action::Down | Action::NextSameService => {
                if let Some(r) = self.event_sel.and_then(|i| t.events.get(i)).map(|ev| ev.recid.clone()) {
                    self.event_sel = t.next_of_service(self.event_sel, &r).or(self.event_sel);
                }
            }
            Action::Up | Action::PrevSameService => {
                if let Some(r) = self.event_sel.and_then(|i| t.events.get(i)).map(|ev| ev.recid.clone()) {
                    self.event_sel = t.previous_of_service(self.event_sel, &r).or(self.event_sel);
                }
            }
            Action::Top => self.event_sel = t.first_event(),
            Action::Bottom => self.event_sel = t.events.len().checked_sub(1),
            Action::IndexEvent => {
                self.index = match self.index {
                    IndexChoice::First => IndexChoice::FirstEmergency,
                    IndexChoice::FirstEmergency => IndexChoice::BecameHri,
                    IndexChoice::BecameHri => IndexChoice::First,
                };
                self.event_sel = t.jump_to_index(self.index).or(self.event_sel);
                self.centre = None;
            }
            Action::CalendarDates => {
                self.dates = if self.dates == DateMode::Relative { DateMode::Calendar } else { DateMode::Relative };
            }
            Action::ZoomIn => self.zoom = (self.zoom / 2).max(1),
            Action::ZoomOut => self.zoom = (self.zoom * 2).min(MAX_ZOOM),
            Action::PanLeft | Action::PanRight => {
                let step = if action == Action::PanLeft { -10 } else { 10 } * self.zoom;
                self.centre = Some(self.view_centre(t) + step);
                self.keep_selection_in_view(cols);
            }
            Action::FitAll => {
                if let Some((lo, hi)) = t.span() {
                    let day0 = t.index(self.index).day as i64;
                    let (lo, hi) = (lo as i64 - day0, hi as i64 - day0);
                    // columns of `zoom` days covering lo..=hi, with a column to spare each side
                    self.zoom = ((hi - lo + 1) + cols - 3).div_euclid((cols - 2).max(1)).clamp(1, MAX_ZOOM);
                    self.centre = Some(lo + (hi - lo) / 2);
                }
            }
            _ => {}
        }
        // Stepping to another event brings it back into view.
        if matches!(action, Action::Right | Action::Left | Action::Down | Action::Up | Action::NextSameService | Action::PrevSameService | Action::Top | Action::Bottom) {
            self.centre = None;
        }
        Effects::default()
    }

    /// Relative day of the selected event's start (0 when none).
    pub fn selected_day(&self, t: &Timeline) -> i64 {
        let day0 = t.index(self.index).day as i64;
        self.event_sel.and_then(|i| t.events.get(i)).and_then(|ev| ev.start).map(|d| d as i64 - day0).unwrap_or(0)
    }

    /// The day at the centre of the axis.
    pub fn view_centre(&self, t: &Timeline) -> i64 {
        self.centre.unwrap_or_else(|| self.selected_day(t))
    }

    /// The first day on the axis for `cols` columns.
    pub fn view_left(&self, t: &Timeline, cols: i64) -> i64 {
        self.view_centre(t) - (cols / 2) * self.zoom.max(1)
    }

    /// After panning: if the selected event has left the axis, select the event nearest the
    /// centre, so the detail panel always describes something on screen.
    fn keep_selection_in_view(&mut self, cols: i64) {
        let Some(t) = &self.timeline else { return };
        let (left, zoom) = (self.view_left(t, cols), self.zoom.max(1));
        let right = left + cols * zoom;
        let day0 = t.index(self.index).day as i64;
        let visible = |i: usize| t.events.get(i).and_then(|e| e.start).map(|d| (left..right).contains(&(d as i64 - day0))).unwrap_or(false);
        if self.event_sel.map(visible).unwrap_or(false) {
            return;
        }
        let centre = self.view_centre(t);
        let nearest = t
            .events
            .iter()
            .enumerate()
            .filter(|(i, _)| visible(*i))
            .filter_map(|(i, e)| e.start.map(|d| (((d as i64 - day0) - centre).abs(), i)))
            .min();
        if let Some((_, i)) = nearest {
            self.event_sel = Some(i);
        }
    }

    pub fn on_search(&mut self, text: &str) -> Effects {
        self.search = if text.is_empty() { None } else { Some(text.to_string()) };
        self.member_sel = 0;
        Effects { screen: Some(Screen::Members), ..Default::default() }.and(self.fetch_members(0))
    }

    pub fn on_input(&mut self, kind: ExploreInput, text: &str) -> Effects {
        match kind {
            ExploreInput::AddFilter | ExploreInput::EditFilter(_) => match filter_input::parse(text) {
                Ok(f) => {
                    let filters = &mut self.spec.filters;
                    match kind {
                        ExploreInput::EditFilter(i) if i < filters.len() => {
                            let old = &filters[i];
                            filters[i] = Filter { enabled: old.enabled, label: old.label.clone(), rule: f.rule };
                        }
                        _ => {
                            filters.push(f);
                            self.filter_sel = filters.len() - 1;
                        }
                    }
                    if self.spec.name == "whole population" {
                        self.spec.name = "my cohort".into();
                    }
                    self.refresh()
                }
                Err(e) => Effects::error(format!("filter not {}: {e}", if kind == ExploreInput::AddFilter { "added" } else { "changed" })),
            },
            ExploreInput::SavePath if !text.is_empty() => {
                Effects::default().ask(ExploreRequest::SaveSpec(PathBuf::from(text), self.spec.clone()))
            }
            ExploreInput::OpenPath if !text.is_empty() => Effects::default().ask(ExploreRequest::OpenSpec(PathBuf::from(text))),
            _ => Effects::default(),
        }
    }

    /// `:name TEXT` names the cohort, `:open FILE` / `:save FILE` read and write its TOML,
    /// `:person ID` opens anyone's timeline, `:filter TEXT` adds a filter. None: not ours.
    pub fn on_command(&mut self, head: &str, arg: &str) -> Option<Effects> {
        Some(match head {
            "name" if !arg.is_empty() => {
                self.spec.name = arg.to_string();
                Effects::default()
            }
            "open" if !arg.is_empty() => self.on_input(ExploreInput::OpenPath, arg),
            "save" if !arg.is_empty() => self.on_input(ExploreInput::SavePath, arg),
            "filter" | "add" if !arg.is_empty() => {
                Effects { screen: Some(Screen::Cohort), ..Default::default() }.and(self.on_input(ExploreInput::AddFilter, arg))
            }
            "person" if !arg.is_empty() => {
                Effects { screen: Some(Screen::Timeline), ..Default::default() }.ask(ExploreRequest::Timeline(arg.to_string()))
            }
            _ => return None,
        })
    }
}

/// Esc on an explore screen steps back along the flow; None when there is nowhere to go.
pub fn back(screen: Screen) -> Option<Screen> {
    match screen {
        Screen::Timeline => Some(Screen::Members),
        Screen::Members => Some(Screen::Cohort),
        _ => None,
    }
}

/// The header's description of what this screen shows.
pub fn header_label(screen: Screen, e: &ExploreState) -> Option<String> {
    match screen {
        Screen::Timeline => e.timeline.as_ref().map(|t| format!("person {}", short_id(&t.person.anon_chi))),
        Screen::Cohort | Screen::Members => Some(format!("cohort: {}", e.spec.name)),
        _ => None,
    }
}

pub fn input_prompt(k: ExploreInput) -> String {
    match k {
        ExploreInput::AddFilter => "add filter (age 65+, simd 1, ltc copd, dx J44): ".into(),
        ExploreInput::EditFilter(_) => "edit filter: ".into(),
        ExploreInput::SavePath => "save cohort to: ".into(),
        ExploreInput::OpenPath => "open cohort file: ".into(),
    }
}

/// The `:` commands of the explore screens, for the help screen.
pub fn help_commands() -> Vec<String> {
    vec![
        ":filter age 65+ | simd 1-2 | ltc copd | hri council | emergency_admissions 2+ | dx J44".into(),
        "   (or TOML as in a cohort file: age = { min = 65 })".into(),
        ":name TEXT, :save FILE, :open FILE (cohort TOML), :person ID (a timeline)".into(),
    ]
}

/// Identifiers are long: show the start and end (`MDEw…OA==`).
pub fn short_id(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    if c.len() <= 12 {
        id.to_string()
    } else {
        format!("{}..{}", c[..4].iter().collect::<String>(), c[c.len() - 6..].iter().collect::<String>())
    }
}

fn slug(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "cohort".into()
    } else {
        s
    }
}
