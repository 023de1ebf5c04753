//! The Unscheduled screen: the question on one line, then a row per group of the split with a
//! bar of the chosen measure's rate per 1,000 and the numbers beside it (population, the
//! measure, its rate per 1,000), the total last. Every figure is read from the published table.
use super::published::number;
use super::unscheduled::{measure_label, UnscheduledState};
use crate::analysis::disclosure::at;
use crate::model::unscheduled::MEASURES;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, u: &UnscheduledState, busy: bool, theme: &Theme) {
    let by = u.by();
    let m = u.measure();
    let (count_col, rate_col) = (2 + 2 * m, 3 + 2 * m);
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(area);
    let head = u.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| format!("Unscheduled care by {}", by.label()));
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let Some(t) = u.table() else {
        let msg = if busy { "counting the unscheduled care of this cohort..." } else { "no figures yet: build a cohort (2), then press u" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    let width = rest.width as usize;
    let nums_w = 11 + 11 + 10;
    let bar_w = (width / 6).clamp(6, 30);
    let label_w = width.saturating_sub(nums_w + bar_w + 2).clamp(10, 50);
    let groups = t.rows.len().saturating_sub(1);
    let top_rate = (0..groups).filter_map(|r| number(t, r, rate_col)).fold(0.0f64, f64::max);
    let name = measure_label(MEASURES[m]);
    // the measure is named in the title; its column is its count
    let mut lines = vec![Line::from(Span::styled(
        theme.text(&format!("{:<label_w$} {:<bar_w$}{:>11}{:>11}{:>10}", fit(by.label(), label_w), "", "population", "count", "per 1,000")),
        theme.style(Role::Dim),
    ))];
    let inner = rest.height.saturating_sub(3) as usize; // title, header, total
    let first = u.scroll.min(groups.saturating_sub(1));
    let row = |r: usize, scale: f64| -> String {
        let cell = |c: usize| t.get(at(r, c)).map(|x| x.render()).unwrap_or_default();
        let bar = match number(t, r, rate_col) {
            Some(v) if scale > 0.0 => theme.bar().repeat(((v / scale) * bar_w as f64).round() as usize),
            None if scale > 0.0 => "?".into(),
            _ => String::new(),
        };
        format!("{} {:<bar_w$}{:>11}{:>11}{:>10}", fit(&cell(0), label_w), bar, cell(1), cell(count_col), cell(rate_col))
    };
    for r in (first..groups).take(inner) {
        lines.push(Line::from(Span::raw(theme.text(&row(r, top_rate)))));
    }
    if groups > 0 {
        lines.push(Line::from(Span::styled(theme.text(&row(groups, 0.0)), theme.style(Role::Header))));
    }
    let more = groups.saturating_sub(first + inner);
    let mut title = format!("{name} per 1,000 by {}", by.label());
    if more > 0 {
        title.push_str(&format!(" ({more} more below)"));
    }
    f.render_widget(Paragraph::new(lines).block(section(&fit(&title, width.saturating_sub(2)), theme)), rest);
}

