//! The explorer's screens and the key context each one reads its bindings from.
use super::keys::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
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

pub const SCREENS: [Screen; 13] = [
    Screen::Overview,
    Screen::Cohort,
    Screen::Members,
    Screen::Timeline,
    Screen::Load,
    Screen::Pathways,
    Screen::Delays,
    Screen::Change,
    Screen::Cube,
    Screen::Compare,
    Screen::Unscheduled,
    Screen::SocialCare,
    Screen::Projections,
];

/// The key of the screen at `index` of [`SCREENS`]: 1-9, 0 for the tenth, then u (unscheduled
/// care), S (social care) and P (projections): capitals, as no screen binds them.
pub fn screen_key(index: usize) -> char {
    match index {
        0..=8 => char::from(b'1' + index as u8),
        9 => '0',
        10 => 'u',
        11 => 'S',
        _ => 'P',
    }
}

impl Screen {
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Cohort => "Cohort",
            Screen::Members => "Members",
            Screen::Timeline => "Timeline",
            Screen::Load => "Load",
            Screen::Pathways => "Pathways",
            Screen::Delays => "Delays",
            Screen::Change => "Change",
            Screen::Cube => "Cube",
            Screen::Compare => "Compare",
            Screen::Unscheduled => "Unscheduled",
            Screen::SocialCare => "Social care",
            Screen::Projections => "Projections",
        }
    }
    pub fn context(&self) -> Context {
        match self {
            Screen::Overview => Context::Overview,
            Screen::Cohort => Context::Cohort,
            Screen::Members => Context::Members,
            Screen::Timeline => Context::Timeline,
            Screen::Load => Context::Load,
            Screen::Pathways => Context::Pathways,
            Screen::Delays => Context::Delays,
            Screen::Change => Context::Change,
            Screen::Cube => Context::Cube,
            Screen::Compare => Context::Compare,
            Screen::Unscheduled => Context::Unscheduled,
            Screen::SocialCare => Context::SocialCare,
            Screen::Projections => Context::Projections,
        }
    }

    /// A view of the cohort being built: its figures are the cohort's, they go when the cohort
    /// changes, and Esc goes back to the cohort builder.
    pub fn is_cohort_view(&self) -> bool {
        matches!(self, Screen::Pathways | Screen::Delays | Screen::Change | Screen::Cube | Screen::Compare | Screen::Unscheduled | Screen::SocialCare)
    }
}
