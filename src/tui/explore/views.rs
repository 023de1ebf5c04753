//! Views of the cohort, members and timeline screens.
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App, _theme: &Theme) {
    f.render_widget(Paragraph::new(format!("{} screen", app.screen.title())), area);
}
