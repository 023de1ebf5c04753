//! Views are pure functions of the app state: `draw(frame, app, theme)`.
mod chrome;
mod help;
mod load;
mod overview;
pub mod widgets;

use super::app::{App, Screen};
use super::theme::Theme;
use ratatui::layout::{Constraint, Layout};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App, theme: &Theme) {
    let foot = chrome::footer_height(app, f.area().width);
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(foot)]).areas(f.area());
    chrome::header(f, header, app, theme);
    match app.screen {
        Screen::Overview => overview::draw(f, body, app, theme),
        Screen::Load => load::draw(f, body, app, theme),
        // every other screen is one of the explore flow's
        _ => {
            let v = super::explore::views::View { screen: app.screen, state: &app.explore, shown: &app.shown, busy: app.is_busy(), theme };
            super::explore::views::draw(f, body, &v)
        }
    }
    chrome::footer(f, footer, app, theme);
    if app.help {
        help::draw(f, f.area(), app, theme);
    }
}
