//! The exploring flow: cohort builder -> members -> one person's timeline, and cohort builder ->
//! pathways -> a node's people -> a timeline. This module owns the state of these screens and
//! nothing else: every function takes `&mut ExploreState` and
//! what it may read of the rest (`Ctx`), and returns `Effects` (requests for the worker, a
//! screen to show, a message, an input line to open) for the app to apply. It never reads or
//! writes the app's fields, and it does not import the app.
pub mod filter_input;
pub mod change;
pub mod change_view;
pub mod cube;
pub mod cube_view;
pub mod asking;
pub mod published;
pub mod compare;
pub mod compare_view;
pub mod delays;
pub mod scroll;
pub mod unscheduled;
pub mod unscheduled_view;
pub mod delays_view;
pub mod pathways;
pub mod pathways_view;
pub mod projections;
pub mod projections_view;
pub mod social_care;
pub mod social_care_view;
pub mod views;

use super::keys::Action;
use super::screen::Screen;
use crate::model::cohort::{CohortSpec, Filter};
use crate::model::figures::{Attrition, Characterisation, Member, MemberSort, MembersPage, PageRequest};
use crate::model::timeline::{DateMode, IndexChoice, Timeline};
use crate::ops::{Answer, CohortFigures, Gated, Query};
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

/// The cohort builder's figures, as the operations layer answered them: gated tables always,
/// typed raw figures only while disclosure control is off.
#[derive(Debug, Clone)]
pub enum CohortAnswer {
    /// Disclosure control off: attrition and characterisation arrive separately.
    Split { attrition: Option<Gated<Attrition>>, characterisation: Option<Gated<Characterisation>> },
    /// Disclosure control on: both in one answer, gated together (a count withheld in one
    /// table is withheld in all).
    Together(Gated<CohortFigures>),
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
    pub figures: Option<CohortAnswer>,
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
    /// Disclosure control was on when the figures were last asked for.
    pub sdc: bool,
    pub pathways: pathways::PathwaysState,
    pub delays: delays::DelaysState,
    pub compare: compare::CompareState,
    pub unscheduled: unscheduled::UnscheduledState,
    pub change: change::ChangeState,
    pub cube: cube::CubeState,
    pub social_care: social_care::SocialCareState,
    pub projections: projections::ProjectionsState,
    /// Where Esc goes from the timeline: the members list, or the pathways strip it came from.
    pub timeline_back: Screen,
}

impl Default for ExploreState {
    fn default() -> Self {
        ExploreState {
            spec: CohortSpec { name: "whole population".into(), ..Default::default() },
            filter_sel: 0,
            figures: None,
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
            sdc: false,
            pathways: pathways::PathwaysState::default(),
            delays: delays::DelaysState::default(),
            compare: compare::CompareState::default(),
            unscheduled: unscheduled::UnscheduledState::default(),
            cube: cube::CubeState::default(),
            change: change::ChangeState::default(),
            social_care: social_care::SocialCareState::default(),
            projections: projections::ProjectionsState::default(),
            timeline_back: Screen::Members,
        }
    }
}

/// What explore may read of the rest of the app.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub screen: Screen,
    /// Terminal width (the timeline's axis depends on it).
    pub width: u16,
    /// The financial year the header shows.
    pub year: Option<String>,
    /// Disclosure control is on (`!`).
    pub sdc: bool,
}

/// What an explore step asks the app to do.
#[derive(Debug, Default)]
pub struct Effects {
    pub ask: Vec<Query>,
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
    fn asking(q: impl IntoIterator<Item = Query>) -> Effects {
        Effects { ask: q.into_iter().collect(), ..Default::default() }
    }
    fn ask(mut self, r: Query) -> Effects {
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
    fn refresh(&mut self, sdc: bool) -> Effects {
        self.stale = false;
        self.member_sel = 0;
        self.sdc = sdc;
        self.pathways.forget();
        self.delays.forget();
        self.change.forget();
        self.cube.forget();
        self.compare.forget();
        self.unscheduled.forget();
        self.social_care.forget();
        let spec = self.spec.clone();
        let fx = if sdc {
            self.figures = None;
            Effects::default().ask(Query::Cohort { spec })
        } else {
            if !matches!(self.figures, Some(CohortAnswer::Split { .. })) {
                self.figures = None;
            }
            Effects::default().ask(Query::Attrition { spec: spec.clone() }).ask(Query::Characterise { spec })
        };
        self.members = None;
        fx
    }

    /// Show the members list: fetch its first page if we hold none (a members page is a
    /// person-level view, audited, so it is fetched only when it is to be shown).
    fn show_members(&mut self) -> Effects {
        let fx = Effects { screen: Some(Screen::Members), ..Default::default() };
        if self.members.is_none() {
            return fx.and(self.fetch_members(0));
        }
        fx
    }

    fn fetch_members(&self, offset: u64) -> Effects {
        let page = PageRequest { sort: self.sort, desc: self.desc, offset, limit: PAGE, search: self.search.clone() };
        Effects::default().ask(Query::Members { spec: self.spec.clone(), page })
    }

    /// Disclosure control was switched: figures drawn under the old setting go at once; they
    /// are asked for again now if a cohort screen shows, else when one is next shown.
    pub fn on_disclosure(&mut self, ctx: Ctx) -> Effects {
        self.figures = None;
        self.pathways.forget();
        self.delays.forget();
        self.change.forget();
        self.cube.forget();
        self.compare.forget();
        self.unscheduled.forget();
        self.social_care.forget();
        self.projections.forget();
        self.sdc = ctx.sdc;
        self.stale = true;
        if matches!(ctx.screen, Screen::Cohort | Screen::Members | Screen::Projections) || ctx.screen.is_cohort_view() {
            return self.on_switch(ctx);
        }
        Effects::default()
    }

    /// The workspace or the year changed: the cohort figures are recomputed now if a cohort
    /// screen is showing, else when one is next shown.
    pub fn invalidate(&mut self, ctx: Ctx) -> Effects {
        if let Some(y) = &ctx.year {
            self.spec.years = vec![y.clone()];
        }
        // Figures of another year or load must not sit under the new header.
        self.figures = None;
        self.members = None;
        self.stale = true;
        self.on_switch(ctx)
    }

    /// A screen was switched to (`ctx.screen`), or its figures went stale while it shows.
    pub fn on_switch(&mut self, ctx: Ctx) -> Effects {
        let mut fx = Effects::default();
        if self.stale && (matches!(ctx.screen, Screen::Cohort | Screen::Members | Screen::Timeline) || ctx.screen.is_cohort_view()) {
            if let Some(y) = &ctx.year {
                self.spec.years = vec![y.clone()];
            }
            fx = self.refresh(ctx.sdc);
        }
        match ctx.screen {
            Screen::Members => fx.and(self.show_members()),
            Screen::Timeline if self.timeline.is_none() => {
                if self.members.is_none() {
                    self.open_when_page_arrives = true;
                    fx.and(self.fetch_members(0))
                } else {
                    fx.and(self.open_selected())
                }
            }
            Screen::Pathways => fx.and(Effects::asking(self.pathways.ask_if_changed(&self.spec))),
            Screen::Delays => fx.and(Effects::asking(self.delays.ask_if_changed(&self.spec))),
            Screen::Change => fx.and(Effects::asking(self.change.ask_if_changed(&self.spec))),
            Screen::Cube => fx.and(Effects::asking(self.cube.ask_if_changed(&self.spec))),
            Screen::Compare => fx.and(Effects::asking(self.compare.ask_if_changed(&self.spec))),
            Screen::Unscheduled => fx.and(Effects::asking(self.unscheduled.ask_if_changed(&self.spec))),
            Screen::SocialCare => fx.and(Effects::asking(self.social_care.ask_if_changed(&self.spec))),
            Screen::Projections => fx.and(Effects::asking(self.projections.ask_if_changed(ctx.year.as_ref()))),
            _ => fx,
        }
    }

    /// An answer for the explore screens.
    pub fn on_answer(&mut self, a: Answer) -> Effects {
        match a {
            Answer::Attrition(g) => match &mut self.figures {
                Some(CohortAnswer::Split { attrition, .. }) => *attrition = Some(g),
                _ => self.figures = Some(CohortAnswer::Split { attrition: Some(g), characterisation: None }),
            },
            Answer::Characterisation(g) => match &mut self.figures {
                Some(CohortAnswer::Split { characterisation, .. }) => *characterisation = Some(g),
                _ => self.figures = Some(CohortAnswer::Split { attrition: None, characterisation: Some(g) }),
            },
            Answer::Cohort(g) => self.figures = Some(CohortAnswer::Together(g)),
            Answer::Members(p) => {
                self.members = Some(p);
                if self.open_when_page_arrives {
                    self.open_when_page_arrives = false;
                    return self.open_selected();
                }
            }
            Answer::Timeline(t) => {
                self.event_sel = t.jump_to_index(self.index).or_else(|| t.first_event());
                self.centre = None;
                self.timeline = Some(*t);
            }
            Answer::Pathways(g) => self.pathways.on_answer_tree(g),
            Answer::PathwayMembers(p) => self.pathways.on_answer_strip(p),
            Answer::TimeTo(g) => self.pathways.on_answer_curves(g),
            Answer::Delays(g) => self.delays.on_answer(g),
            Answer::Spc(g) => self.change.on_answer(g),
            Answer::Cube(g) => self.cube.on_answer(g),
            Answer::Compare(g) => self.compare.on_answer(g),
            Answer::Unscheduled(g) => self.unscheduled.on_answer(g),
            Answer::SocialCare(g) => self.social_care.on_answer(g),
            Answer::Project(g) => self.projections.on_answer(g),
            Answer::ComparisonOpened { path, spec } => {
                let msg = format!("comparing with cohort '{}' from {}", crate::format::strip_controls(&spec.name), path.display());
                let ask = self.compare.on_file(path, spec, &self.spec);
                return Effects { screen: Some(Screen::Compare), status: Some(msg), ..Default::default() }.and(Effects::asking(ask));
            }
            Answer::SpecSaved(p) => return Effects::status(format!("cohort saved to {}", p.display())),
            Answer::SpecOpened { path, spec } => {
                let year = spec.years.last().cloned();
                let msg = format!("opened cohort '{}' from {}", crate::format::strip_controls(&spec.name), path.display());
                self.spec = spec;
                self.filter_sel = 0;
                let mut fx = self.refresh(self.sdc);
                fx.status = Some(msg);
                fx.year = year;
                return fx;
            }
            _ => {}
        }
        Effects::default()
    }

    /// The member currently selected, when their page is loaded.
    pub fn selected_member(&self) -> Option<&Member> {
        let p = self.members.as_ref()?;
        let i = self.member_sel.checked_sub(p.offset)?;
        p.rows.get(i as usize)
    }

    fn open_selected(&mut self) -> Effects {
        self.timeline_back = Screen::Members;
        match self.selected_member().map(|m| m.id.clone()) {
            Some(person) => Effects { screen: Some(Screen::Timeline), ..Default::default() }.ask(Query::Timeline { person }),
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
            Screen::Pathways => self.on_pathways(action),
            Screen::Delays => {
                let ask = self.delays.on_action(action, &self.spec);
                Effects::asking(ask)
            }
            Screen::Change => {
                let ask = self.change.on_action(action, &self.spec);
                Effects::asking(ask)
            }
            Screen::Cube if action == Action::Enter => self.drill_cube(),
            Screen::Cube => {
                let ask = self.cube.on_action(action, &self.spec);
                Effects::asking(ask)
            }
            Screen::Compare => {
                let ask = self.compare.on_action(action, &self.spec);
                Effects::asking(ask)
            }
            Screen::Unscheduled => {
                let ask = self.unscheduled.on_action(action, &self.spec);
                Effects::asking(ask)
            }
            Screen::SocialCare => {
                let ask = self.social_care.on_action(action, &self.spec);
                Effects::asking(ask)
            }
            Screen::Projections => {
                let ask = self.projections.on_action(action, ctx.year.as_ref());
                Effects::asking(ask)
            }
            _ => Effects::default(),
        }
    }

    /// Enter on a cube cell: its groups become filters of the cohort being built (shown on the
    /// cohort screen, where they can be switched off) and its people open on the Members
    /// screen (a person-level view, audited like any members page).
    fn drill_cube(&mut self) -> Effects {
        let Some(d) = self.cube.drill() else { return Effects::status("no cell yet: wait for the cube") };
        if d.filters.is_empty() && d.year.is_none() {
            return Effects::status("this cell is the whole cohort (or a group not recorded): Enter on a cell of a named group");
        }
        for line in &d.filters {
            match filter_input::parse(line) {
                Ok(f) => self.spec.filters.push(f),
                Err(e) => return Effects::error(format!("could not narrow the cohort to the cell ({line}): {e}")),
            }
        }
        if self.spec.name == "whole population" {
            self.spec.name = "my cohort".into();
        }
        if let Some(y) = &d.year {
            self.spec.years = vec![y.clone()];
        }
        self.filter_sel = self.spec.filters.len().saturating_sub(1);
        let mut fx = self.refresh(self.sdc).and(self.show_members());
        fx.year = d.year.clone();
        fx.status = Some(format!("members of {}: added to the cohort's filters (2 to change them)", d.what.join(" x ")));
        fx
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
                return self.refresh(self.sdc);
            }
            Action::Delete if sel < n => {
                self.spec.filters.remove(sel);
                self.filter_sel = sel.min(self.spec.filters.len().saturating_sub(1));
                return self.refresh(self.sdc);
            }
            Action::Save => return Effects::input(ExploreInput::SavePath, format!("{}.toml", slug(&self.spec.name))),
            Action::Open => return Effects::input(ExploreInput::OpenPath, ""),
            Action::Enter => return self.show_members(),
            _ => {}
        }
        Effects::default()
    }

    fn on_pathways(&mut self, action: Action) -> Effects {
        let p = &mut self.pathways;
        if p.in_strip {
            let n = p.strip.as_ref().map(|s| s.rows.len()).unwrap_or(0);
            match action {
                Action::Down if n > 0 => p.member_sel = (p.member_sel + 1).min(n - 1),
                Action::Up => p.member_sel = p.member_sel.saturating_sub(1),
                Action::PageDown if n > 0 => p.member_sel = (p.member_sel + 10).min(n - 1),
                Action::PageUp => p.member_sel = p.member_sel.saturating_sub(10),
                Action::Top => p.member_sel = 0,
                Action::Bottom => p.member_sel = n.saturating_sub(1),
                Action::Enter => {
                    if let Some(person) = p.selected_person() {
                        self.timeline_back = Screen::Pathways;
                        return Effects { screen: Some(Screen::Timeline), ..Default::default() }.ask(Query::Timeline { person });
                    }
                }
                _ => {}
            }
            return Effects::default();
        }
        let rows = p.tree().map(|t| t.rows.len()).unwrap_or(0);
        match action {
            Action::Down if rows > 0 => p.sel = (p.sel + 1).min(rows - 1),
            Action::Up => p.sel = p.sel.saturating_sub(1),
            Action::Top => p.sel = 0,
            Action::Bottom => p.sel = rows.saturating_sub(1),
            Action::Enter => return Effects::asking(p.open_strip()),
            Action::NextIndex
            | Action::LongerWindow
            | Action::ShorterWindow
            | Action::Deeper
            | Action::Shallower
            | Action::BeforeAfter
            | Action::NextTarget
            | Action::NextSplit => {
                match action {
                    Action::NextIndex => p.index = (p.index + 1) % pathways::INDEXES.len(),
                    Action::NextTarget => p.next_target(),
                    Action::NextSplit => p.split = (p.split + 1) % pathways::SPLITS.len(),
                    Action::LongerWindow => p.window = (p.window + 1).min(pathways::WINDOWS.len() - 1),
                    Action::ShorterWindow => p.window = p.window.saturating_sub(1),
                    Action::Deeper => p.depth = (p.depth + 1).min(crate::model::pathways::MAX_DEPTH),
                    Action::BeforeAfter => p.before = !p.before,
                    _ => p.depth = p.depth.saturating_sub(1).max(1),
                }
                return Effects::asking(self.pathways.ask_if_changed(&self.spec));
            }
            _ => {}
        }
        Effects::default()
    }

    /// Esc: the pathways strip closes back to its tree first; otherwise one screen back along
    /// the flow (None: nowhere to go).
    pub fn back(&mut self, screen: Screen) -> Option<Screen> {
        if screen == Screen::Pathways && self.pathways.in_strip {
            self.pathways.in_strip = false;
            return Some(Screen::Pathways);
        }
        if screen == Screen::Timeline {
            return Some(self.timeline_back);
        }
        back(screen)
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
                // Never by anon_chi: that order is the order of the CHI (date of birth).
                const ORDER: [MemberSort; 7] = [
                    MemberSort::Cost,
                    MemberSort::BedDays,
                    MemberSort::EmergencyAdmissions,
                    MemberSort::LtcCount,
                    MemberSort::Age,
                    MemberSort::Simd,
                    MemberSort::HriBand,
                ];
                let i = ORDER.iter().position(|s| *s == self.sort).unwrap_or(0);
                self.sort = ORDER[(i + 1) % ORDER.len()];
                self.desc = !matches!(self.sort, MemberSort::Simd | MemberSort::HriBand);
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
                // Not past the first or last event: there is always something to select.
                let day0 = t.index(self.index).day as i64;
                let starts = t.events.iter().filter_map(|e| e.start).map(|d| d as i64 - day0);
                let (lo, hi) = starts.fold((i64::MAX, i64::MIN), |(a, b), d| (a.min(d), b.max(d)));
                let c = self.view_centre(t) + step;
                self.centre = Some(if lo <= hi { c.clamp(lo, hi) } else { c });
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
                    self.refresh(self.sdc)
                }
                Err(e) => Effects::error(format!("filter not {}: {e}", if kind == ExploreInput::AddFilter { "added" } else { "changed" })),
            },
            ExploreInput::SavePath if !text.is_empty() => {
                Effects::default().ask(Query::SaveSpec { path: PathBuf::from(text), spec: self.spec.clone() })
            }
            ExploreInput::OpenPath if !text.is_empty() => Effects::default().ask(Query::OpenSpec { path: PathBuf::from(text) }),
            _ => Effects::default(),
        }
    }

    /// `:name TEXT` names the cohort, `:open FILE` / `:save FILE` read and write its TOML,
    /// `:person ID` opens anyone's timeline, `:filter TEXT` adds a filter. None: not ours.
    pub fn on_command(&mut self, head: &str, arg: &str, ctx: &Ctx) -> Option<Effects> {
        Some(match head {
            "name" if !arg.is_empty() => {
                self.spec.name = arg.to_string();
                Effects::default()
            }
            "open" if !arg.is_empty() => self.on_input(ExploreInput::OpenPath, arg),
            "save" if !arg.is_empty() => self.on_input(ExploreInput::SavePath, arg),
            "against" if !arg.is_empty() => Effects::default().ask(Query::OpenComparison { path: PathBuf::from(arg) }),
            "population" if !arg.is_empty() => {
                let ask = self.projections.on_population(PathBuf::from(arg), ctx.year.as_ref());
                Effects { screen: Some(Screen::Projections), ..Default::default() }.and(Effects::asking(ask))
            }
            "scenario" if !arg.is_empty() => {
                let ask = self.projections.on_scenario(PathBuf::from(arg), ctx.year.as_ref());
                Effects { screen: Some(Screen::Projections), ..Default::default() }.and(Effects::asking(ask))
            }
            "filter" | "add" if !arg.is_empty() => {
                Effects { screen: Some(Screen::Cohort), ..Default::default() }.and(self.on_input(ExploreInput::AddFilter, arg))
            }
            "person" if !arg.is_empty() => {
                Effects { screen: Some(Screen::Timeline), ..Default::default() }.ask(Query::Timeline { person: arg.to_string() })
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
        s if s.is_cohort_view() => Some(Screen::Cohort),
        Screen::Projections => Some(Screen::Overview),
        _ => None,
    }
}

/// The header's description of what this screen shows.
pub fn header_label(screen: Screen, e: &ExploreState) -> Option<String> {
    match screen {
        Screen::Timeline => e.timeline.as_ref().map(|t| format!("person {}", short_id(&t.person.anon_chi))),
        Screen::Cohort | Screen::Members => Some(format!("cohort: {}", e.spec.name)),
        s if s.is_cohort_view() => Some(format!("cohort: {}", e.spec.name)),
        Screen::Projections => e.projections.population.as_ref().map(|p| format!("population: {}", p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())),
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
        ":against FILE (compare the cohort with a cohort file, screen 0)".into(),
        ":population FILE (projections to 2035, screen P), :scenario FILE (rate changes, TOML)".into(),
    ]
}

pub use crate::format::short_id;

/// A file-name-safe form of a cohort name.
pub fn slug(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "cohort".into()
    } else {
        s
    }
}
