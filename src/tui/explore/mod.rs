//! The exploring flow: cohort builder -> members -> one person's timeline.
pub mod views;

use super::app::{App, Request};
use super::keys::Action;
use super::worker::{Job, Slot};
use crate::tui::app::Data;

#[derive(Debug, Clone)]
pub enum ExploreRequest {}

impl ExploreRequest {
    pub fn slot(&self) -> Slot {
        match *self {}
    }
}

#[derive(Debug, Clone)]
pub enum ExploreData {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExploreInput {}

#[derive(Debug, Clone, Default)]
pub struct ExploreState {}

pub fn job_for(r: ExploreRequest) -> Job<Data> {
    match r {}
}

pub fn after_load(_app: &mut App, _submit: &mut dyn FnMut(Request) -> u64) {}
pub fn on_data(_app: &mut App, d: ExploreData, _submit: &mut dyn FnMut(Request) -> u64) {
    match d {}
}
pub fn back(_app: &mut App) -> bool {
    false
}
pub fn on_year_change(_app: &mut App, _submit: &mut dyn FnMut(Request) -> u64) {}
pub fn on_action(_app: &mut App, _action: Action, _submit: &mut dyn FnMut(Request) -> u64) {}
pub fn on_switch(_app: &mut App, _submit: &mut dyn FnMut(Request) -> u64) {}
pub fn on_search(_app: &mut App, _text: &str, _submit: &mut dyn FnMut(Request) -> u64) {}
pub fn on_input(_app: &mut App, k: ExploreInput, _text: &str, _submit: &mut dyn FnMut(Request) -> u64) {
    match k {}
}
pub fn on_command(_app: &mut App, _head: &str, _arg: &str, _submit: &mut dyn FnMut(Request) -> u64) -> bool {
    false
}
pub fn header_label(_app: &App) -> Option<String> {
    None
}
pub fn input_prompt(k: ExploreInput) -> String {
    match k {}
}
pub fn footer_hints(_app: &App) -> Vec<(Action, &'static str)> {
    Vec::new()
}
pub fn help_commands(_app: &App) -> Vec<String> {
    Vec::new()
}
