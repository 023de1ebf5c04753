//! The Projections screen: the question on one line, then for one area a bar per year of the
//! chosen measure (the base year observed, then each projected year), with its change from the
//! base year and the projected population beside it, and the last year's change under it;
//! Enter shows every measure's numbers. Without a population file it says how to give one.
//! Every figure is read from the published table (a withheld figure is `*` and draws no bar).
use super::projections::ProjectionsState;
use super::published::{groups, number, text, Group};
use crate::analysis::disclosure::Table;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const YEAR: usize = 1;
const KIND: usize = 2;
const POPULATION: usize = 3;

pub fn draw(f: &mut Frame, area: Rect, p: &ProjectionsState, busy: bool, theme: &Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let head = p.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| "Projections to 2035 from this year's rates".into());
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let Some(t) = p.table() else {
        let msg = if busy {
            "reading the population file and applying this year's rates...".to_string()
        } else if p.population.is_none() {
            "Projections need a population projection: type :population FILE (NRS council projections by sex and single year of age, or area,sex,age_band,year,population). :scenario FILE changes rates (TOML)."
                .to_string()
        } else {
            "no projection yet (the message below says why)".to_string()
        };
        f.render_widget(Paragraph::new(msg).wrap(ratatui::widgets::Wrap { trim: true }), rest);
        return;
    };
    let gs = groups(t);
    // Scotland (or the only area) first, then the councils in the table's order
    let Some(g) = (match p.area % gs.len().max(1) {
        0 => gs.last(),
        k => gs.get(k - 1),
    }) else {
        f.render_widget(Paragraph::new("the projection has no areas"), rest);
        return;
    };
    if p.numbers {
        numbers(f, rest, t, g, theme);
    } else {
        bars(f, rest, p, t, g, theme);
    }
}

/// The rows that fit in `room` lines: the base year and the latest years.
fn shown_rows(g: &Group, room: usize) -> Vec<usize> {
    if g.rows.len() <= room {
        return g.rows.clone();
    }
    let mut rows = vec![g.rows[0]];
    rows.extend(g.rows.iter().skip(g.rows.len() - room.saturating_sub(1).max(1)));
    rows
}

fn bars(f: &mut Frame, area: Rect, p: &ProjectionsState, t: &Table, g: &Group, theme: &Theme) {
    let m = p.measure();
    let width = area.width.saturating_sub(2) as usize;
    let nums_w = 11 + 10 + 11;
    let bar_w = width.saturating_sub(6 + 10 + nums_w).clamp(4, 60);
    let top = g.rows.iter().filter_map(|r| number(t, *r, m.column)).fold(0.0f64, f64::max);
    let mut lines = vec![Line::from(Span::styled(
        theme.text(&format!("{:<6}{:<10}{:<bar_w$}{:>11}{:>10}{:>11}", "year", "", "", "value", "change", "population")),
        theme.style(Role::Dim),
    ))];
    let room = area.height.saturating_sub(2 + 2) as usize; // borders; header, summary
    for r in shown_rows(g, room.max(2)) {
        let bar = match number(t, r, m.column) {
            Some(v) if top > 0.0 => theme.bar().repeat(((v / top) * bar_w as f64).round() as usize),
            None => "?".into(),
            _ => String::new(),
        };
        let kind = if text(t, r, KIND).starts_with("base") { "observed" } else { "projected" };
        let change = match text(t, r, m.change_pct) {
            c if c.is_empty() => String::new(),
            c if c == "*" => c,
            c => format!("{c}%"),
        };
        lines.push(Line::from(Span::raw(theme.text(&format!(
            "{:<6}{:<10}{:<bar_w$}{:>11} {:>9}{:>11}",
            text(t, r, YEAR),
            kind,
            bar,
            text(t, r, m.column),
            change,
            text(t, r, POPULATION)
        )))));
    }
    if let (Some(first), Some(last)) = (g.rows.first(), g.rows.last()) {
        let abs = text(t, *last, m.change_pct - 1);
        lines.push(Line::from(Span::raw(fit(
            &format!("{} in {}: {} ({} from {}, {}%)", m.label, text(t, *last, YEAR), text(t, *last, m.column), signed(&abs), text(t, *first, YEAR), signed(&text(t, *last, m.change_pct))),
            width,
        ))));
    }
    let title = format!("{}, {} (m measure, a area, s level, Enter numbers)", m.label, g.label);
    f.render_widget(Paragraph::new(lines).block(section(&fit(&crate::format::strip_controls(&title), width), theme)), area);
}

/// A change with its sign ("+12.5", "-3.0"; a withheld or empty one as it is).
fn signed(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if x > 0.0 => format!("+{v}"),
        _ => v.to_string(),
    }
}

/// The numbers of every measure: (column, heading).
const NUMBERS: [(usize, &str); 6] =
    [(POPULATION, "population"), (4, "emergency"), (5, "bed days"), (7, "beds"), (9, "DD days"), (11, "DD beds")];

fn numbers(f: &mut Frame, area: Rect, t: &Table, g: &Group, theme: &Theme) {
    let width = area.width.saturating_sub(2) as usize;
    let mut head = format!("{:<6}", "year");
    for (_, name) in NUMBERS {
        head.push_str(&format!("{name:>11}"));
    }
    let mut lines = vec![Line::from(Span::styled(theme.text(&head), theme.style(Role::Dim)))];
    let room = area.height.saturating_sub(2 + 2) as usize;
    for r in shown_rows(g, room.max(2)) {
        let mut line = format!("{:<6}", text(t, r, YEAR));
        for (c, _) in NUMBERS {
            line.push_str(&format!("{:>11}", text(t, r, c)));
        }
        lines.push(Line::from(Span::raw(theme.text(&line))));
    }
    lines.push(Line::from(Span::styled(fit("emergency: admissions; beds: needed at the target occupancy; DD: delayed discharge, 65+", width), theme.style(Role::Dim))));
    let title = format!("{}: the numbers (Enter: the bars)", g.label);
    f.render_widget(Paragraph::new(lines).block(section(&fit(&crate::format::strip_controls(&title), width), theme)), area);
}
