//! `?`: the keys of the current screen first, then those that work everywhere, then the `:`
//! commands; from the live key map (so configured keys show). It scrolls (j/k, PgUp/PgDn).
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// Every line of the help for the current screen.
pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let ctx = app.screen.context();
    let (own, global) = app.keys.bindings_by_scope(ctx);
    let mut lines = vec![Line::from(Span::styled(format!("Keys: {} screen", app.screen.title()), theme.style(Role::Header)))];
    for (keys, action) in own {
        lines.push(Line::from(format!("{keys:>12}  {}", action.describe())));
    }
    lines.push(Line::from(Span::styled("Everywhere", theme.style(Role::Header))));
    for (keys, action) in global {
        lines.push(Line::from(format!("{keys:>12}  {}", action.describe())));
    }
    lines.push(Line::from(Span::styled("In an input line", theme.style(Role::Header))));
    lines.push(Line::from("  Left/Right Home/End move, Ctrl-U clears, Ctrl-W deletes a word, Enter takes it, Esc drops it"));
    lines.push(Line::from(Span::styled("Commands (:)", theme.style(Role::Header))));
    lines.push(Line::from(":q, :year 2019/20, :suppress on|off, :threshold N, :load PATH"));
    for l in crate::tui::explore::help_commands() {
        lines.push(Line::from(l));
    }
    lines
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let all = lines(app, theme);
    let w = area.width.saturating_sub(2).min(96);
    let h = area.height.saturating_sub(2);
    let inner = h.saturating_sub(2) as usize;
    let max_scroll = all.len().saturating_sub(inner);
    let scroll = app.help_scroll.min(max_scroll);
    let more = if max_scroll == 0 {
        " Esc closes ".to_string()
    } else {
        format!(" {}-{} of {}  j/k scroll  Esc closes ", scroll + 1, (scroll + inner).min(all.len()), all.len())
    };
    let popup = Rect { x: area.x + (area.width.saturating_sub(w)) / 2, y: area.y + 1, width: w, height: h };
    f.render_widget(Clear, popup);
    f.render_widget(
        Paragraph::new(all)
            .scroll((scroll as u16, 0))
            .block(Block::default().borders(Borders::ALL).border_set(theme.border()).title(" help ").title_bottom(more)),
        popup,
    );
}
