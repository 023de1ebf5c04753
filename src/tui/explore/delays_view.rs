//! The Delays screen: the question on one line, then a row per group of the split with a bar
//! of its bed days and the numbers beside it (people, episodes, bed days, Code 9 bed days; by
//! month the census too), the total last. Every figure is read from the published table.
use super::delays::DelaysState;
use super::published::number;
use crate::analysis::disclosure::{at, Table};
use crate::model::delays::DelayBy;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, d: &DelaysState, busy: bool, theme: &Theme) {
    let by = d.by();
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(area);
    let head = d.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| format!("Delayed discharges by {}", by.label()));
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let Some(t) = d.table() else {
        let msg = if busy { "counting the delays of this cohort..." } else { "no delays yet: build a cohort (2), then press 7" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    let width = rest.width as usize;
    let census = by == DelayBy::Month;
    let nums_w = 8 + 9 + 10 + 10 + if census { 8 } else { 0 };
    let bar_w = (width / 8).clamp(6, 30);
    let label_w = width.saturating_sub(nums_w + bar_w + 2).clamp(10, 60);
    let groups = t.rows.len().saturating_sub(1);
    let top_bed_days = (0..groups).filter_map(|r| number(t, r, 3)).fold(0.0f64, f64::max);
    let mut lines = vec![Line::from(Span::styled(
        theme.text(&format!(
            "{:<label_w$} {:<bar_w$}{:>8}{:>9}{:>10}{:>10}{}",
            by.label(),
            "",
            "people",
            "episodes",
            "bed days",
            "Code 9",
            if census { format!("{:>8}", "census") } else { String::new() }
        )),
        theme.style(Role::Dim),
    ))];
    let inner = rest.height.saturating_sub(3) as usize; // title, header, total
    let first = d.scroll.min(groups.saturating_sub(1));
    for r in (first..groups).take(inner) {
        lines.push(Line::from(Span::raw(theme.text(&row_text(t, r, label_w, bar_w, top_bed_days, census, theme)))));
    }
    if groups > 0 {
        lines.push(Line::from(Span::styled(theme.text(&row_text(t, groups, label_w, bar_w, 0.0, census, theme)), theme.style(Role::Header))));
    }
    let more = groups.saturating_sub(first + inner);
    let title = if more > 0 { format!("Delays by {} ({more} more below; s: next split)", by.label()) } else { format!("Delays by {} (s: next split)", by.label()) };
    f.render_widget(Paragraph::new(lines).block(section(&title, theme)), rest);
}


/// One group (or, with `top` 0, the total without a bar): the label, a bar of its bed days on
/// the largest group's scale, and the published numbers.
fn row_text(t: &Table, r: usize, label_w: usize, bar_w: usize, top: f64, census: bool, theme: &Theme) -> String {
    let cell = |c: usize| t.get(at(r, c)).map(|x| x.render()).unwrap_or_default();
    let bar = match number(t, r, 3) {
        Some(v) if top > 0.0 => theme.bar().repeat(((v / top) * bar_w as f64).round() as usize),
        None if top > 0.0 => "?".into(),
        _ => String::new(),
    };
    format!(
        "{} {:<bar_w$}{:>8}{:>9}{:>10}{:>10}{}",
        fit(&cell(0), label_w),
        bar,
        cell(1),
        cell(2),
        cell(3),
        cell(4),
        if census { format!("{:>8}", cell(5)) } else { String::new() }
    )
}
