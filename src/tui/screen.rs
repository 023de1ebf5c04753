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
}

pub const SCREENS: [Screen; 11] = [
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
];

/// The key of the screen at `index` of [`SCREENS`]: 1-9, 0 for the tenth, u for unscheduled care.
pub fn screen_key(index: usize) -> char {
    match index {
        0..=8 => char::from(b'1' + index as u8),
        9 => '0',
        _ => 'u',
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
        }
    }
}
