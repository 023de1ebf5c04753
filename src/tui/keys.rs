//! Key bindings: terminal-explorer habits by default (arrows and hjkl, g/G, PgUp/PgDn, / search,
//! ? help, : command line, Esc back, q quit, Tab between screens), overridable from a TOML file:
//!
//! ```toml
//! [global]
//! quit = "ctrl-q"
//! [timeline]
//! next_person = "n"
//! ```
use anyhow::{anyhow, bail, Context as _, Result};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Back,
    NextScreen,
    PrevScreen,
    Screen1,
    Screen2,
    Screen3,
    Screen4,
    Screen5,
    Screen6,
    Screen7,
    Screen8,
    Screen9,
    Screen10,
    Screen11,
    Screen12,
    Screen13,
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Command,
    Search,
    Enter,
    Toggle,
    Add,
    Edit,
    Delete,
    Save,
    Open,
    Export,
    Sort,
    Reverse,
    NextPerson,
    PrevPerson,
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
    NextSameService,
    PrevSameService,
    IndexEvent,
    CalendarDates,
    FitAll,
    NextYear,
    Suppress,
    Cancel,
    NextIndex,
    LongerWindow,
    ShorterWindow,
    Deeper,
    Shallower,
    BeforeAfter,
    NextTarget,
    NextSplit,
    DelaySplit,
    NextComparison,
    UnscheduledSplit,
    NextMeasure,
    NextArea,
    ByLocality,
    NextRows,
    NextCols,
    NextRate,
    SocialCareSplit,
    ProjectionLevel,
}

impl Action {
    pub fn name(&self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit",
            Help => "help",
            Back => "back",
            NextScreen => "next_screen",
            PrevScreen => "prev_screen",
            Screen1 => "screen_1",
            Screen2 => "screen_2",
            Screen3 => "screen_3",
            Screen4 => "screen_4",
            Screen5 => "screen_5",
            Screen6 => "screen_6",
            Screen7 => "screen_7",
            Screen8 => "screen_8",
            Screen9 => "screen_9",
            Screen10 => "screen_10",
            Screen11 => "screen_unscheduled",
            Screen12 => "screen_social_care",
            Screen13 => "screen_projections",
            Up => "up",
            Down => "down",
            Left => "left",
            Right => "right",
            Top => "top",
            Bottom => "bottom",
            PageUp => "page_up",
            PageDown => "page_down",
            Command => "command",
            Search => "search",
            Enter => "enter",
            Toggle => "toggle",
            Add => "add",
            Edit => "edit",
            Delete => "delete",
            Save => "save",
            Open => "open",
            Export => "export",
            Sort => "sort",
            Reverse => "reverse",
            NextPerson => "next_person",
            PrevPerson => "prev_person",
            ZoomIn => "zoom_in",
            ZoomOut => "zoom_out",
            PanLeft => "pan_left",
            PanRight => "pan_right",
            NextSameService => "next_same_service",
            PrevSameService => "prev_same_service",
            IndexEvent => "index_event",
            CalendarDates => "calendar_dates",
            FitAll => "fit_all",
            NextYear => "next_year",
            Suppress => "suppress",
            Cancel => "cancel",
            NextIndex => "next_index",
            LongerWindow => "longer_window",
            ShorterWindow => "shorter_window",
            Deeper => "deeper",
            Shallower => "shallower",
            BeforeAfter => "before_after",
            NextTarget => "next_target",
            NextSplit => "next_split",
            DelaySplit => "delay_split",
            NextComparison => "next_comparison",
            UnscheduledSplit => "unscheduled_split",
            NextMeasure => "next_measure",
            NextArea => "next_area",
            ByLocality => "by_locality",
            NextRows => "next_rows",
            NextCols => "next_cols",
            NextRate => "next_rate",
            SocialCareSplit => "social_care_split",
            ProjectionLevel => "projection_level",
        }
    }

    pub fn describe(&self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit carepath",
            Help => "this help",
            Back => "back one screen (cancels the query this screen waits for)",
            NextScreen => "next screen",
            PrevScreen => "previous screen",
            Screen1 => "Overview",
            Screen2 => "Cohort builder",
            Screen3 => "Members",
            Screen4 => "Timeline",
            Screen5 => "Load report",
            Screen6 => "Pathways of the cohort (from the cohort builder: p)",
            Screen7 => "Delayed discharges of the cohort",
            Screen8 => "Change over time: a monthly control chart of the cohort",
            Screen9 => "Cube: a measure of the cohort by one or two dimensions",
            Screen11 => "Unscheduled care of the cohort: A&E, emergency admissions, PPAs, readmissions per 1,000",
            Screen12 => "Social care: entrants of the cohort, their age, first home-care package, its growth, moves to a care home",
            Screen13 => "Projections to 2035 from the year's rates and a population file (:population FILE)",
            Screen10 => "Compare: the cohort beside everyone, the cohort without one of its filters, or a cohort file (:against FILE)",
            Up => "move up",
            Down => "move down",
            Left => "previous event (timeline) / move left",
            Right => "next event (timeline) / move right",
            Top => "go to top",
            Bottom => "go to bottom",
            PageUp => "page up",
            PageDown => "page down",
            Command => "command line (:help lists commands)",
            Search => "search",
            Enter => "open / confirm",
            Toggle => "switch the selected filter on/off",
            Add => "add a filter",
            Edit => "edit the selected filter",
            Delete => "remove the selected filter",
            Save => "save the cohort definition (TOML)",
            Open => "open a cohort definition (TOML)",
            Export => "export this screen's table to files (disclosure control applied)",
            Sort => "next sort column",
            Reverse => "reverse sort order",
            NextPerson => "next person in the cohort",
            PrevPerson => "previous person in the cohort",
            ZoomIn => "zoom in",
            ZoomOut => "zoom out",
            PanLeft => "pan left",
            PanRight => "pan right",
            NextSameService => "next event of the same service",
            PrevSameService => "previous event of the same service",
            IndexEvent => "cycle day 0: first event, first emergency admission, became an HRI",
            CalendarDates => "relative days / calendar dates",
            FitAll => "fit the whole pathway in view",
            NextYear => "next financial year (all screens follow)",
            Suppress => "disclosure control on screen on/off (small counts shown as *)",
            Cancel => "cancel the running query",
            NextIndex => "next index event (emergency admission, A&E, delayed discharge, care home, home care, HRI, death)",
            LongerWindow => "more days after the index",
            ShorterWindow => "fewer days after the index",
            Deeper => "one more step in the pathways (up to 5)",
            Shallower => "one step fewer",
            BeforeAfter => "pathways before the index / after it",
            NextTarget => "time from the index to a target: care home, death, emergency admission, HRI, off",
            NextSplit => "split the time-to curves: age band, SIMD, council, sex, none",
            NextMeasure => "next measure of this screen (its title names the one shown)",
            NextArea => "next area: Scotland, then each council (change over time) or each area of the projection",
            ByLocality => "one chart per locality of the council (small multiples) / one chart",
            NextRows => "the cube's rows: council, partnership, locality, GP practice, cluster, SIMD, age band, sex, LTCs, HRI band, urban/rural, year",
            NextCols => "the cube's columns: none, then the same dimensions",
            NextRate => "show the cube as a total, per person, per 1,000 or age-sex-standardised per 1,000",
            DelaySplit => "split the delays: reason group, reason, council, partnership, locality, hospital, specialty, month, length, admission, origin, how they ended",
            UnscheduledSplit => "split unscheduled care: council, partnership, locality, GP practice, cluster, age band, SIMD, sex",
            SocialCareSplit => "split the social care entrants: year of entry, SIMD, council, locality, sex",
            ProjectionLevel => "project per council, per partnership (its own rates), or for Scotland as one area",
            NextComparison => "compare the cohort with: everyone in the year, the cohort without each of its filters in turn, the cohort file opened with :against",
        }
    }
}

/// Where a binding applies. Screen bindings win over global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Overview,
    Cohort,
    Members,
    Timeline,
    Load,
    Pathways,
    Delays,
    Change,
    Cube,
    Compare,
    Unscheduled,
    SocialCare,
    Projections,
}

impl Context {
    pub fn name(&self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Overview => "overview",
            Context::Cohort => "cohort",
            Context::Members => "members",
            Context::Timeline => "timeline",
            Context::Load => "load",
            Context::Pathways => "pathways",
            Context::Delays => "delays",
            Context::Change => "change",
            Context::Cube => "cube",
            Context::Compare => "compare",
            Context::Unscheduled => "unscheduled",
            Context::SocialCare => "social_care",
            Context::Projections => "projections",
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeyMap {
    /// (context, key spec) -> action
    map: BTreeMap<(Context, String), Action>,
}

const DEFAULTS: &[(Context, &str, Action)] = &[
    (Context::Global, "q", Action::Quit),
    (Context::Global, "?", Action::Help),
    (Context::Global, "f1", Action::Help),
    (Context::Global, "esc", Action::Back),
    (Context::Global, "ctrl-c", Action::Cancel),
    (Context::Global, "tab", Action::NextScreen),
    (Context::Global, "backtab", Action::PrevScreen),
    (Context::Global, "1", Action::Screen1),
    (Context::Global, "2", Action::Screen2),
    (Context::Global, "3", Action::Screen3),
    (Context::Global, "4", Action::Screen4),
    (Context::Global, "5", Action::Screen5),
    (Context::Global, "6", Action::Screen6),
    (Context::Global, "7", Action::Screen7),
    (Context::Global, "8", Action::Screen8),
    (Context::Global, "9", Action::Screen9),
    (Context::Global, "0", Action::Screen10),
    (Context::Global, "u", Action::Screen11),
    (Context::Global, "S", Action::Screen12),
    (Context::Global, "P", Action::Screen13),
    (Context::Global, "up", Action::Up),
    (Context::Global, "k", Action::Up),
    (Context::Global, "down", Action::Down),
    (Context::Global, "j", Action::Down),
    (Context::Global, "left", Action::Left),
    (Context::Global, "h", Action::Left),
    (Context::Global, "right", Action::Right),
    (Context::Global, "l", Action::Right),
    (Context::Global, "g", Action::Top),
    (Context::Global, "home", Action::Top),
    (Context::Global, "G", Action::Bottom),
    (Context::Global, "end", Action::Bottom),
    (Context::Global, "pgup", Action::PageUp),
    (Context::Global, "pgdn", Action::PageDown),
    (Context::Global, ":", Action::Command),
    (Context::Global, "/", Action::Search),
    (Context::Global, "enter", Action::Enter),
    (Context::Global, "!", Action::Suppress),
    (Context::Global, "y", Action::NextYear),
    (Context::Global, "x", Action::Export),
    (Context::Overview, "c", Action::Screen2),
    (Context::Cohort, "space", Action::Toggle),
    (Context::Cohort, "a", Action::Add),
    (Context::Cohort, "e", Action::Edit),
    (Context::Cohort, "d", Action::Delete),
    (Context::Cohort, "s", Action::Save),
    (Context::Cohort, "o", Action::Open),
    (Context::Cohort, "p", Action::Screen6),
    (Context::Pathways, "i", Action::NextIndex),
    (Context::Pathways, "+", Action::LongerWindow),
    (Context::Pathways, "=", Action::LongerWindow),
    (Context::Pathways, "-", Action::ShorterWindow),
    (Context::Pathways, "]", Action::Deeper),
    (Context::Pathways, "[", Action::Shallower),
    (Context::Pathways, "b", Action::BeforeAfter),
    (Context::Pathways, "t", Action::NextTarget),
    (Context::Pathways, "s", Action::NextSplit),
    (Context::Delays, "s", Action::DelaySplit),
    (Context::Change, "m", Action::NextMeasure),
    (Context::Change, "a", Action::NextArea),
    (Context::Change, "b", Action::ByLocality),
    (Context::Cube, "m", Action::NextMeasure),
    (Context::Cube, "r", Action::NextRows),
    (Context::Cube, "c", Action::NextCols),
    (Context::Cube, "p", Action::NextRate),
    (Context::Cube, "o", Action::Sort),
    (Context::Compare, "b", Action::NextComparison),
    (Context::Unscheduled, "s", Action::UnscheduledSplit),
    (Context::Unscheduled, "m", Action::NextMeasure),
    (Context::SocialCare, "s", Action::SocialCareSplit),
    (Context::SocialCare, "m", Action::NextMeasure),
    (Context::Projections, "m", Action::NextMeasure),
    (Context::Projections, "a", Action::NextArea),
    (Context::Projections, "s", Action::ProjectionLevel),
    (Context::Members, "s", Action::Sort),
    (Context::Members, "r", Action::Reverse),
    (Context::Timeline, "[", Action::PrevPerson),
    (Context::Timeline, "]", Action::NextPerson),
    (Context::Timeline, "+", Action::ZoomIn),
    (Context::Timeline, "=", Action::ZoomIn),
    (Context::Timeline, "-", Action::ZoomOut),
    (Context::Timeline, "h", Action::PanLeft),
    (Context::Timeline, "l", Action::PanRight),
    (Context::Timeline, "n", Action::NextSameService),
    (Context::Timeline, "p", Action::PrevSameService),
    (Context::Timeline, "0", Action::IndexEvent),
    (Context::Timeline, "c", Action::CalendarDates),
    (Context::Timeline, "f", Action::FitAll),
];

impl Default for KeyMap {
    fn default() -> Self {
        let mut map = BTreeMap::new();
        for (ctx, key, action) in DEFAULTS {
            map.insert((*ctx, key.to_string()), *action);
        }
        KeyMap { map }
    }
}

impl KeyMap {
    /// Defaults overridden by a TOML file of `[context] action = "key"` (or a list of keys).
    pub fn from_toml(text: &str) -> Result<KeyMap> {
        let mut km = KeyMap::default();
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| anyhow!("key file: {e}"))?;
        for (ctx_name, table) in doc {
            let ctx = [Context::Global, Context::Overview, Context::Cohort, Context::Members, Context::Timeline, Context::Load, Context::Pathways, Context::Delays, Context::Change, Context::Cube, Context::Compare, Context::Unscheduled, Context::SocialCare, Context::Projections]
                .into_iter()
                .find(|c| c.name() == ctx_name)
                .ok_or_else(|| anyhow!("key file: unknown section [{ctx_name}] (use global, overview, cohort, members, timeline, load, pathways, delays, change, cube, compare, unscheduled, social_care, projections)"))?;
            let table = table.as_table().ok_or_else(|| anyhow!("key file: [{ctx_name}] must be a table"))?;
            for (action_name, keys) in table {
                let action = all_actions()
                    .into_iter()
                    .find(|a| a.name() == action_name)
                    .ok_or_else(|| anyhow!("key file: unknown action '{action_name}' in [{ctx_name}]"))?;
                let keys: Vec<String> = match keys {
                    toml::Value::String(s) => vec![s.clone()],
                    toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
                    _ => bail!("key file: {action_name} must be a key name or a list of key names"),
                };
                // the action's default keys in this context give way to the new ones
                km.map.retain(|(c, _), a| !(*c == ctx && *a == action));
                for k in keys {
                    parse_key_spec(&k).with_context(|| format!("key file: [{ctx_name}] {action_name}"))?;
                    km.map.insert((ctx, k), action);
                }
            }
        }
        Ok(km)
    }

    /// The action for a key press in a screen's context (screen bindings first).
    pub fn action(&self, ctx: Context, key: &KeyEvent) -> Option<Action> {
        let spec = key_spec(key)?;
        self.map.get(&(ctx, spec.clone())).or_else(|| self.map.get(&(Context::Global, spec))).copied()
    }

    /// For the help screen: the bindings of this screen first, then those that apply
    /// everywhere (global ones not shadowed by the screen's).
    pub fn bindings_by_scope(&self, ctx: Context) -> (Vec<(String, Action)>, Vec<(String, Action)>) {
        let mut own: BTreeMap<Action, Vec<String>> = BTreeMap::new();
        let mut global: BTreeMap<Action, Vec<String>> = BTreeMap::new();
        for ((c, k), a) in &self.map {
            if *c == ctx && ctx != Context::Global {
                own.entry(*a).or_default().push(k.clone());
            } else if *c == Context::Global && !self.map.contains_key(&(ctx, k.clone())) {
                global.entry(*a).or_default().push(k.clone());
            }
        }
        let list = |m: BTreeMap<Action, Vec<String>>| m.into_iter().map(|(a, ks)| (ks.join(" "), a)).collect();
        (list(own), list(global))
    }

    /// Bindings that apply in a context, for the help screen: (keys, action).
    pub fn bindings(&self, ctx: Context) -> Vec<(String, Action)> {
        let mut by_action: BTreeMap<Action, Vec<String>> = BTreeMap::new();
        for ((c, k), a) in &self.map {
            if *c == ctx {
                by_action.entry(*a).or_default().push(k.clone());
            }
        }
        if ctx != Context::Global {
            for ((c, k), a) in &self.map {
                let shadowed = self.map.contains_key(&(ctx, k.clone()));
                if *c == Context::Global && !shadowed && !by_action.contains_key(a) {
                    by_action.entry(*a).or_default().push(k.clone());
                }
            }
        }
        by_action.into_iter().map(|(a, ks)| (ks.join(" "), a)).collect()
    }

    /// The key to show for an action in a footer: arrows first, then single characters.
    pub fn key_for(&self, ctx: Context, action: Action) -> String {
        let mut keys: Vec<&String> = self.map.iter().filter(|((c, _), a)| *c == ctx && **a == action).map(|((_, k), _)| k).collect();
        if keys.is_empty() {
            keys = self
                .map
                .iter()
                .filter(|((c, k), a)| *c == Context::Global && **a == action && !self.map.contains_key(&(ctx, k.clone())))
                .map(|((_, k), _)| k)
                .collect();
        }
        let rank = |k: &str| match k {
            "up" | "down" | "left" | "right" => 0,
            _ if k.chars().count() == 1 => 1,
            _ => 2,
        };
        keys.sort_by_key(|k| rank(k));
        keys.first().map(|k| k.to_string()).unwrap_or_default()
    }
}

fn all_actions() -> Vec<Action> {
    let mut v: Vec<Action> = DEFAULTS.iter().map(|d| d.2).collect();
    v.sort();
    v.dedup();
    v
}

/// Canonical spec of a key event: "q", "G", "ctrl-c", "esc", "enter", "up", "f1", "space"...
pub fn key_spec(key: &KeyEvent) -> Option<String> {
    let base = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "backtab".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Down => "down".into(),
        KeyCode::Left => "left".into(),
        KeyCode::Right => "right".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::PageUp => "pgup".into(),
        KeyCode::PageDown => "pgdn".into(),
        KeyCode::Backspace => "backspace".into(),
        KeyCode::Delete => "delete".into(),
        KeyCode::F(n) => format!("f{n}"),
        _ => return None,
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        Some(format!("ctrl-{base}"))
    } else if key.modifiers.contains(KeyModifiers::ALT) {
        Some(format!("alt-{base}"))
    } else {
        Some(base)
    }
}

fn parse_key_spec(s: &str) -> Result<()> {
    let base = s.strip_prefix("ctrl-").or_else(|| s.strip_prefix("alt-")).unwrap_or(s);
    let named = ["space", "esc", "enter", "tab", "backtab", "up", "down", "left", "right", "home", "end", "pgup", "pgdn", "backspace", "delete"];
    let ok = base.chars().count() == 1
        || named.contains(&base)
        || (base.starts_with('f') && base[1..].parse::<u8>().is_ok());
    if ok {
        Ok(())
    } else {
        bail!("'{s}' is not a key name (examples: q, G, ctrl-c, esc, enter, up, pgdn, f1, space)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }
    #[test]
    fn defaults_and_screen_precedence() {
        let km = KeyMap::default();
        assert_eq!(km.action(Context::Overview, &key(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(km.action(Context::Timeline, &key(KeyCode::Char('h'))), Some(Action::PanLeft));
        assert_eq!(km.action(Context::Members, &key(KeyCode::Char('h'))), Some(Action::Left));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.action(Context::Overview, &ctrl_c), Some(Action::Cancel));
    }
    #[test]
    fn toml_overrides_and_errors() {
        let km = KeyMap::from_toml("[global]\nquit = \"ctrl-q\"\n[timeline]\nnext_person = [\"n\", \"]\"]\n").unwrap();
        assert_eq!(km.action(Context::Overview, &key(KeyCode::Char('q'))), None);
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(km.action(Context::Overview, &ctrl_q), Some(Action::Quit));
        assert_eq!(km.action(Context::Timeline, &key(KeyCode::Char('n'))), Some(Action::NextPerson));
        assert!(KeyMap::from_toml("[global]\nfly = \"x\"\n").unwrap_err().to_string().contains("unknown action"));
        assert!(KeyMap::from_toml("[global]\nquit = \"hyper-x\"\n").is_err());
    }
}
