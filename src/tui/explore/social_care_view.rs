//! The Social care screen: the question on one line, then a row per group of the split with a
//! bar of the chosen measure and the number it is measured over, the total, and the gap between
//! the most and least deprived entrants; by year of entry, each year's change from the baseline
//! beside it. Enter shows the numbers of the main measures together. Every figure is read from
//! the published tables (a withheld figure is `*` and draws no bar).
use super::published::{number, text};
use super::social_care::SocialCareState;
use crate::analysis::disclosure::Table;
use crate::model::socialcare::SocialCareBy;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, s: &SocialCareState, busy: bool, theme: &Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let head = s.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| format!("Entrants to social care by {}", s.by().label()));
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let Some(t) = s.table() else {
        let msg = if busy { "finding the people entering social care and their packages..." } else { "no figures yet: build a cohort (2), then press S" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    if s.numbers {
        numbers(f, rest, s, t, theme);
    } else {
        bars(f, rest, s, t, theme);
    }
}

fn bars(f: &mut Frame, area: Rect, s: &SocialCareState, t: &Table, theme: &Theme) {
    let m = s.measure();
    let by = s.by();
    let groups = t.rows.len().saturating_sub(1);
    let change = s.figures.as_ref().and_then(|g| g.table("socialcare_change")).filter(|_| by == SocialCareBy::Year);
    let width = area.width.saturating_sub(2) as usize;
    let over = match m.of {
        Some(of) => Some((of, "of people")),
        None if m.column != 1 => Some((1, "entrants")),
        None => None,
    };
    let nums_w = 10 + if over.is_some() { 10 } else { 0 } + if change.is_some() { 10 } else { 0 };
    let bar_w = (width / 5).clamp(6, 30);
    let label_w = width.saturating_sub(nums_w + bar_w + 2).clamp(8, 40);
    let top = (0..groups).filter_map(|r| number(t, r, m.column)).fold(0.0f64, |a, v| a.max(v.abs()));
    let row = |r: usize, with_bar: bool| -> String {
        let bar = match number(t, r, m.column) {
            Some(v) if with_bar && top > 0.0 => theme.bar().repeat(((v.abs() / top) * bar_w as f64).round() as usize),
            None if with_bar => "?".into(),
            _ => String::new(),
        };
        let mut line = format!("{} {:<bar_w$}{:>10}", fit(&text(t, r, 0), label_w), bar, text(t, r, m.column));
        if let Some((of, _)) = over {
            line.push_str(&format!("{:>10}", text(t, r, of)));
        }
        if let Some(c) = change {
            // the change table holds each later year minus the first (the baseline)
            let v = if r >= 1 && r < groups { text(c, r - 1, m.column) } else { String::new() };
            line.push_str(&format!("{v:>10}"));
        }
        line
    };
    let mut head = format!("{:<label_w$} {:<bar_w$}{:>10}", fit(by.label(), label_w), "", "value");
    if let Some((_, name)) = over {
        head.push_str(&format!("{name:>10}"));
    }
    if change.is_some() {
        head.push_str(&format!("{:>10}", "vs base"));
    }
    let mut lines = vec![Line::from(Span::styled(theme.text(&head), theme.style(Role::Dim)))];
    let inner = area.height.saturating_sub(2 + 4) as usize; // borders; header, total, gap, note
    let first = s.scroll.min(groups.saturating_sub(1));
    for r in (first..groups).take(inner.max(1)) {
        lines.push(Line::from(Span::raw(theme.text(&row(r, true)))));
    }
    if groups > 0 {
        lines.push(Line::from(Span::styled(theme.text(&row(groups, false)), theme.style(Role::Header))));
    }
    let gap = s.figures.as_ref().and_then(|g| g.table("socialcare_gap")).map(|g| text(g, 0, m.column)).filter(|v| !v.is_empty());
    lines.push(Line::from(Span::raw(fit(
        &format!("gap, SIMD 1 (most deprived) minus SIMD 5: {}", gap.unwrap_or_else(|| "none (a quintile has no one measured)".into())),
        width,
    ))));
    lines.push(Line::from(Span::styled(fit("not in the data: requests ending with no package", width), theme.style(Role::Dim))));
    let more = groups.saturating_sub(first + inner.max(1));
    let mut title = format!("{} by {} (m measure, s split, Enter numbers)", m.label, by.label());
    if more > 0 {
        title = format!("{} by {} ({more} more below)", m.label, by.label());
    }
    f.render_widget(Paragraph::new(lines).block(section(&fit(&title, width), theme)), area);
}

/// The columns of the numbers view: (column, heading), 9 wide so that a group's name keeps
/// 15 columns at 80.
const NUMBERS: [(usize, &str); 7] = [(1, "entrants"), (2, "mean age"), (4, "with HC"), (5, "hrs/week"), (10, "+hrs 12m"), (13, "to CH"), (16, "days to")];
const NUMBER_W: usize = 9;

fn numbers(f: &mut Frame, area: Rect, s: &SocialCareState, t: &Table, theme: &Theme) {
    let width = area.width.saturating_sub(2) as usize;
    let label_w = width.saturating_sub(NUMBERS.len() * NUMBER_W).clamp(8, 40);
    let mut head = fit(s.by().label(), label_w);
    for (_, name) in NUMBERS {
        head.push_str(&format!("{name:>NUMBER_W$}"));
    }
    let mut lines = vec![Line::from(Span::styled(theme.text(&head), theme.style(Role::Dim)))];
    let groups = t.rows.len().saturating_sub(1);
    let inner = area.height.saturating_sub(2 + 4) as usize; // borders; header, total, legend
    let first = s.scroll.min(groups.saturating_sub(1));
    let row = |r: usize| {
        let mut line = fit(&text(t, r, 0), label_w);
        for (c, _) in NUMBERS {
            line.push_str(&format!("{:>NUMBER_W$}", text(t, r, c)));
        }
        line
    };
    for r in (first..groups).take(inner.max(1)) {
        lines.push(Line::from(Span::raw(theme.text(&row(r)))));
    }
    if groups > 0 {
        lines.push(Line::from(Span::styled(theme.text(&row(groups)), theme.style(Role::Header))));
    }
    for legend in ["with HC: entrants with a home-care package; hrs/week: its size; +hrs 12m: its", "growth over 12 months; to CH: moves into a care home; days to: median, entry to CH"] {
        lines.push(Line::from(Span::styled(fit(legend, width), theme.style(Role::Dim))));
    }
    f.render_widget(Paragraph::new(lines).block(section("The numbers (Enter: the bars)", theme)), area);
}
