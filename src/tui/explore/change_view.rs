//! The Change screen: the question on one line, then the control chart drawn on a character
//! grid (the value of each month, the mean and the process limits, signals marked), with the
//! limits and the signals named under it; with localities, one strip per locality (small
//! multiples on their own scales, signals marked); Enter shows the numbers. The same glyphs
//! fall back to ASCII with `--ascii`. Every figure is read from the published tables.
use super::change::ChangeState;
use super::published::{groups, number, Group};
use crate::analysis::disclosure::{at, Cell, Table};
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn signal(t: &Table, r: usize) -> bool {
    t.get(at(r, 7)).map(|c| !c.render().is_empty()).unwrap_or(false)
}

pub fn draw(f: &mut Frame, area: Rect, c: &ChangeState, busy: bool, theme: &Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let head = c.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| c.measure().label().to_string());
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let Some(t) = c.chart() else {
        let msg = if busy { "working out the monthly series and its limits..." } else { "no chart yet: press 8 after loading a workspace" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    let gs = groups(t);
    if c.numbers {
        numbers(f, rest, t, &gs, theme);
    } else if gs.len() > 1 {
        multiples(f, rest, t, &gs, theme);
    } else if let Some(g) = gs.first() {
        chart(f, rest, t, g, theme);
    }
}

/// The glyphs: value, signal, mean, limit.
fn glyphs(theme: &Theme) -> (char, char, char, char) {
    if theme.ascii {
        ('o', 'X', '-', '.')
    } else {
        ('●', '◆', '─', '┄')
    }
}

fn chart(f: &mut Frame, area: Rect, t: &Table, g: &Group, theme: &Theme) {
    let (dot, sig, mean_c, lim_c) = glyphs(theme);
    let width = area.width as usize;
    let axis_w = 8;
    let cols = width.saturating_sub(axis_w + 1).max(4);
    // the latest months that fit, one column each
    let rows: Vec<usize> = g.rows.iter().rev().take(cols).rev().copied().collect();
    let vals: Vec<f64> = rows.iter().flat_map(|r| [number(t, *r, 3), number(t, *r, 5), number(t, *r, 6)]).flatten().collect();
    let (lo, hi) = (vals.iter().cloned().fold(f64::INFINITY, f64::min), vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    let height = area.height.saturating_sub(4).max(3) as usize; // title, axis, two note lines
    let y = |v: f64| -> usize {
        if hi > lo {
            (((hi - v) / (hi - lo)) * (height - 1) as f64).round() as usize
        } else {
            height / 2
        }
    };
    let mut grid = vec![vec![' '; rows.len()]; height];
    let mut marks = vec![vec![false; rows.len()]; height];
    for (x, r) in rows.iter().enumerate() {
        for (c, ch) in [(6, lim_c), (5, lim_c), (4, mean_c)] {
            if let Some(v) = number(t, *r, c) {
                grid[y(v).min(height - 1)][x] = ch;
            }
        }
        if let Some(v) = number(t, *r, 3) {
            let s = signal(t, *r);
            grid[y(v).min(height - 1)][x] = if s { sig } else { dot };
            marks[y(v).min(height - 1)][x] = s;
        }
    }
    let mut lines = Vec::new();
    for (k, row) in grid.iter().enumerate() {
        let label = if k == 0 && hi.is_finite() {
            format!("{hi:>7.0} ")
        } else if k == height - 1 && lo.is_finite() {
            format!("{lo:>7.0} ")
        } else {
            " ".repeat(axis_w)
        };
        let mut spans = vec![Span::styled(label, theme.style(Role::Dim))];
        for (x, ch) in row.iter().enumerate() {
            let style = if marks[k][x] { theme.style(Role::Selected) } else { Style::default() };
            spans.push(Span::styled(ch.to_string(), style));
        }
        lines.push(Line::from(spans));
    }
    let period = |r: Option<&usize>| r.and_then(|r| t.get(at(*r, 1))).map(Cell::render).unwrap_or_default();
    let (first, last) = (period(rows.first()), period(rows.last()));
    lines.push(Line::from(Span::styled(
        format!("{}{first}{:>w$}", " ".repeat(axis_w), last, w = rows.len().saturating_sub(first.len())),
        theme.style(Role::Dim),
    )));
    let last_row = rows.last().copied();
    let limits = last_row
        .map(|r| {
            let v = |c: usize| number(t, r, c).map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into());
            format!("mean {}, limits {} to {}", v(4), v(6), v(5))
        })
        .unwrap_or_default();
    let signals = g.rows.iter().filter(|r| signal(t, **r)).count();
    let withheld = g.rows.iter().filter(|r| number(t, **r, 3).is_none()).count();
    lines.push(Line::from(Span::raw(theme.text(&fit(
        &format!("{limits}; {signals} months with a signal ({sig} marked){}", if withheld > 0 { format!("; {withheld} withheld (gaps)") } else { String::new() }),
        width,
    )))));
    let title = format!("{} ({dot} month, {mean_c} mean, {lim_c} limits; m measure, a area, Enter numbers)", g.label);
    f.render_widget(Paragraph::new(lines).block(section(&crate::format::strip_controls(&title), theme)), area);
}

const BARS_ASCII: [char; 8] = ['_', '.', ':', '-', '=', '+', '*', '#'];
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One strip per group on its own scale; `?` where a month is withheld; signals highlighted.
fn multiples(f: &mut Frame, area: Rect, t: &Table, gs: &[Group], theme: &Theme) {
    let bars = if theme.ascii { BARS_ASCII } else { BARS };
    let width = area.width as usize;
    let label_w = (width / 4).clamp(14, 30);
    let cols = width.saturating_sub(label_w + 8).max(4);
    let mut lines = Vec::new();
    let inner = area.height.saturating_sub(2) as usize;
    for g in gs.iter().take(inner) {
        let rows: Vec<usize> = g.rows.iter().rev().take(cols).rev().copied().collect();
        let vals: Vec<Option<f64>> = rows.iter().map(|r| number(t, *r, 3)).collect();
        let lo = vals.iter().flatten().cloned().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().flatten().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut spans = vec![Span::raw(format!("{} ", fit(&g.label, label_w)))];
        for (r, v) in rows.iter().zip(&vals) {
            let ch = match v {
                Some(x) if hi > lo => bars[(((x - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
                Some(_) => bars[0],
                None => '?',
            };
            let style = if signal(t, *r) { theme.style(Role::Selected) } else { Style::default() };
            spans.push(Span::styled(ch.to_string(), style));
        }
        let n = g.rows.iter().filter(|r| signal(t, **r)).count();
        spans.push(Span::styled(format!(" {n:>3} sig."), theme.style(Role::Dim)));
        lines.push(Line::from(spans));
    }
    let more = gs.len().saturating_sub(inner);
    lines.push(Line::from(Span::styled(
        fit(&format!("each on its own scale, ? withheld, highlighted: a signal{}", if more > 0 { format!("; {more} more below") } else { String::new() }), width),
        theme.style(Role::Dim),
    )));
    f.render_widget(Paragraph::new(lines).block(section("Small multiples by locality (b: one chart; Enter: numbers)", theme)), area);
}

/// The numbers of the first group (the area), latest months last.
fn numbers(f: &mut Frame, area: Rect, t: &Table, gs: &[Group], theme: &Theme) {
    let Some(g) = gs.first() else { return };
    let inner = area.height.saturating_sub(2) as usize;
    let mut lines = vec![Line::from(Span::styled(
        format!("{:<10}{:>8}{:>9}{:>9}{:>9}{:>9}  {}", "month", "people", "value", "mean", "lower", "upper", "signal"),
        theme.style(Role::Dim),
    ))];
    let rows: Vec<usize> = g.rows.iter().rev().take(inner).rev().copied().collect();
    for r in rows {
        let cell = |c: usize| t.get(at(r, c)).map(Cell::render).unwrap_or_default();
        lines.push(Line::from(Span::raw(theme.text(&format!(
            "{:<10}{:>8}{:>9}{:>9}{:>9}{:>9}  {}",
            cell(1),
            cell(2),
            cell(3),
            cell(4),
            cell(6),
            cell(5),
            cell(7)
        )))));
    }
    f.render_widget(Paragraph::new(lines).block(section(&format!("{}: the numbers (Enter: the chart)", g.label), theme)), area);
}
