//! The one-line header (workspace, year, cohort, busy spinner, screens) and footer (the most
//! useful keys of this screen, or the command line / message).
use crate::tui::app::{App, InputKind, SCREENS};
use crate::tui::keys::Action;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn header(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![
        Span::styled("carepath ", theme.style(Role::Title)),
        Span::raw(format!(" {} ", app.workspace_label)),
    ];
    if let Some(y) = &app.year {
        spans.push(Span::raw(format!(" FY {} ", crate::model::year::label(y))));
    }
    if let Some(c) = crate::tui::explore::header_label(app) {
        spans.push(Span::styled(format!(" {c} "), theme.style(Role::Accent)));
    }
    if app.is_busy() {
        spans.push(Span::styled(format!(" {} busy ", theme.spinner(app.tick)), theme.style(Role::Warn)));
    }
    if app.suppress {
        spans.push(Span::styled(" SDC ", theme.style(Role::Warn)));
    }
    let tabs: Vec<String> = SCREENS
        .iter()
        .enumerate()
        .map(|(i, s)| if *s == app.screen { format!("[{} {}]", i + 1, s.title()) } else { format!("{}", i + 1) })
        .collect();
    let left_len: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let right = tabs.join(" ");
    let pad = (area.width as usize).saturating_sub(left_len + right.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme.style(Role::Header)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let line = if let Some(input) = &app.input {
        let prompt = match input.kind {
            InputKind::Command => ":".to_string(),
            InputKind::Search => "/".to_string(),
            InputKind::Explore(k) => crate::tui::explore::input_prompt(k),
        };
        Line::from(vec![Span::styled(prompt, theme.style(Role::Accent)), Span::raw(input.text.clone()), Span::raw("_")])
    } else if let Some(e) = &app.error {
        Line::from(Span::styled(e.clone(), theme.style(Role::Warn)))
    } else if !app.status.is_empty() && app.tick < 1 {
        Line::from(app.status.clone())
    } else {
        let ctx = app.screen.context();
        let mut hints: Vec<(Action, &str)> = crate::tui::explore::footer_hints(app);
        hints.extend([(Action::NextScreen, "next"), (Action::Help, "help"), (Action::Quit, "quit")]);
        let text: Vec<String> = hints.iter().map(|(a, label)| format!("{} {label}", app.keys.key_for(ctx, *a))).collect();
        let mut spans = vec![Span::styled(text.join("  "), theme.style(Role::Dim))];
        if !app.status.is_empty() {
            spans.push(Span::raw("  | "));
            spans.push(Span::raw(app.status.clone()));
        }
        Line::from(spans)
    };
    f.render_widget(Paragraph::new(line), area);
}
