//! `?`: every key of the current screen, from the live key map (so configured keys show).
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let ctx = app.screen.context();
    let mut lines = vec![Line::from(Span::styled(format!("Keys: {} screen", app.screen.title()), theme.style(Role::Header)))];
    for (keys, action) in app.keys.bindings(ctx) {
        lines.push(Line::from(format!("{keys:>14}  {}", action.describe())));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Commands (:): q, year 1920, suppress on|off, threshold N, load PATH"));
    for l in crate::tui::explore::help_commands(app) {
        lines.push(Line::from(l));
    }
    lines.push(Line::from("Esc or ? closes this help"));
    let w = area.width.saturating_sub(4).min(76);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = Rect { x: area.x + (area.width.saturating_sub(w)) / 2, y: area.y + 1, width: w, height: h };
    f.render_widget(Clear, popup);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).border_set(theme.border()).title(" help ")),
        popup,
    );
}
