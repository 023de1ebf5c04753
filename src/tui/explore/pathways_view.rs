//! The Pathways screen: the question on one line, the tree of step sequences as an indented
//! list with bars (people, share of those indexed, median days to the step), and under it the
//! aligned strip of the selected node's people: one row each, their steps marked on a shared
//! axis of days from the index, so the pattern across people shows rather than one person.
//! Every figure is read from the published (gated) tree.
use super::pathways::{step_columns, PathwaysState, INDEXES, SPLITS, TARGETS, WINDOWS};
use crate::analysis::disclosure::{at, Cell};
use crate::model::pathways::{EventSpec, SplitBy, DEATH, HORIZONS};
use crate::tui::theme::{Role, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use crate::tui::views::widgets::{fit, section};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// One letter per step on the strip (and in its legend).
pub fn step_letter(step: &str) -> char {
    match step {
        "A&E" => 'A',
        "Emergency admission" => 'E',
        "Elective admission" => 'L',
        "Other admission" => 'O',
        "Mental health" => 'M',
        "GLS" => 'G',
        "Delayed discharge" => 'D',
        "Home care" => 'H',
        "SDS" => 'S',
        "Care home" => 'C',
        s if s == DEATH => 'X',
        _ => '?',
    }
}

/// Each letter and its short name, in the legend's order.
const LEGEND: [(char, &str); 11] = [
    ('A', "A&E"),
    ('E', "emerg."),
    ('L', "elective"),
    ('O', "other"),
    ('M', "mental h."),
    ('G', "GLS"),
    ('D', "delay"),
    ('H', "home care"),
    ('S', "SDS"),
    ('C', "care home"),
    ('X', "death"),
];

/// The legend of the letters this page shows (all eleven do not fit 80 columns).
fn legend(shown: &[char]) -> String {
    LEGEND.iter().filter(|(c, _)| shown.contains(c)).map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join("  ")
}

pub fn draw(f: &mut Frame, area: Rect, p: &PathwaysState, busy: bool, theme: &Theme) {
    let index = EventSpec::new(INDEXES[p.index % INDEXES.len()]).label();
    let days = WINDOWS[p.window % WINDOWS.len()];
    let people = p.figures.as_ref().and_then(|g| g.cell("index", 0, 1)).map(|c| c.render());
    let head = format!(
        "{} {index}, {days} days, {} steps{}",
        if p.before { "Before" } else { "After" },
        p.depth,
        people.map(|n| format!(": {n} people")).unwrap_or_default()
    );
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(area);
    f.render_widget(Paragraph::new(Line::from(Span::styled(theme.text(&head), theme.style(Role::Header)))), top);
    let Some(tree) = p.tree() else {
        let msg = if busy { "working out the pathways of this cohort..." } else { "no pathways yet: build a cohort (2), then press p" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    // Below the tree: the strip while the analyst is in it, else the curves when asked for,
    // else the strip last opened.
    let lower = if p.in_strip && p.strip.is_some() {
        Lower::Strip
    } else if p.target.is_some() {
        Lower::Curves
    } else if p.strip.is_some() {
        Lower::Strip
    } else {
        Lower::None
    };
    let (tree_area, lower_area) = match lower {
        Lower::None => (rest, None),
        Lower::Strip => {
            let [a, b] = Layout::vertical([Constraint::Percentage(45), Constraint::Min(4)]).areas(rest);
            (a, Some(b))
        }
        Lower::Curves => {
            // as tall as its rows (title, header, a row per group, the censoring note), up to 55%
            let rows = p.curves_table().map(|t| t.rows.len()).unwrap_or(1) as u16;
            let h = (rows + 3).min(rest.height * 55 / 100).max(4);
            let [a, b] = Layout::vertical([Constraint::Min(3), Constraint::Length(h)]).areas(rest);
            (a, Some(b))
        }
    };
    draw_tree(f, tree_area, tree, p, theme);
    match (lower, lower_area) {
        (Lower::Strip, Some(b)) => draw_strip(f, b, p, days, theme),
        (Lower::Curves, Some(b)) => draw_curves(f, b, p, busy, theme),
        _ => {}
    }
}

#[derive(PartialEq)]
enum Lower {
    None,
    Strip,
    Curves,
}

/// The time-to curves: a row per group (All first), the people indexed, the cumulative
/// incidence of the target at each horizon (as published: withheld cells show as the gate
/// marks them) and a bar of the last horizon's.
fn draw_curves(f: &mut Frame, area: Rect, p: &PathwaysState, busy: bool, theme: &Theme) {
    let target = p.target.map(|t| EventSpec::new(TARGETS[t % TARGETS.len()]).label()).unwrap_or_default();
    let split = SPLITS[p.split % SPLITS.len()].map(split_name).unwrap_or("no split");
    let title = format!("Time to {target} ({split}; t: target, s: split)");
    let Some(t) = p.curves_table() else {
        let msg = if busy { format!("working out the time to {target}...") } else { format!("no curves yet for the time to {target}") };
        f.render_widget(Paragraph::new(msg).block(section(&title, theme)), area);
        return;
    };
    let col = |name: &str| t.columns.iter().position(|c| c == name);
    let width = area.width.saturating_sub(2) as usize;
    let figures_w = 8 + 8 * HORIZONS.len();
    let group_w = width.saturating_sub(figures_w + 10).clamp(12, 22);
    let bar_w = width.saturating_sub(group_w + figures_w + 2).min(30);
    let mut head = format!("{:<group_w$} {:>7}", "group", "people");
    for h in HORIZONS {
        head.push_str(&format!(" {:>7}", format!("{h}d")));
    }
    let mut lines = vec![Line::from(Span::styled(theme.text(&head), theme.style(Role::Dim)))];
    let inner = area.height.saturating_sub(3) as usize; // title, header, the censoring note
    for r in 0..t.rows.len().min(inner) {
        let people = t.get(at(r, 1)).map(|c| c.render()).unwrap_or_default();
        let mut text = format!("{} {:>7}", fit(&t.get(at(r, 0)).map(|c| c.render()).unwrap_or_default(), group_w), people);
        let mut last = None;
        for h in HORIZONS {
            let cell = col(&format!("cumulative_incidence_pct_{h}d")).and_then(|c| t.get(at(r, c)));
            last = match cell {
                Some(Cell::Derived(d)) if d.value.is_finite() => Some(d.value),
                _ => None,
            };
            let shown = cell.map(|c| c.render()).map(|v| if last.is_some() { format!("{v}%") } else { v }).unwrap_or_default();
            text.push_str(&format!(" {shown:>7}"));
        }
        if bar_w > 0 {
            let bar = last.map(|v| theme.bar().repeat(((v / 100.0) * bar_w as f64).round() as usize)).unwrap_or_default();
            text.push_str(&format!(" {bar}"));
        }
        lines.push(Line::from(Span::raw(theme.text(&text))));
    }
    let note = match t.rows.len().saturating_sub(inner) {
        0 => p.curves.as_ref().map(|g| g.heading.clone()).unwrap_or_default(),
        n => format!("{n} more groups below: a taller terminal shows them (carepath time-to lists all)"),
    };
    lines.push(Line::from(Span::styled(fit(&theme.text(&note), width), theme.style(Role::Dim))));
    f.render_widget(Paragraph::new(lines).block(section(&crate::format::strip_controls(&title), theme)), area);
}

fn split_name(s: SplitBy) -> &'static str {
    match s {
        SplitBy::AgeBand => "by age band",
        SplitBy::Sex => "by sex",
        SplitBy::Simd => "by SIMD quintile",
        SplitBy::Council => "by council",
    }
}

fn draw_tree(f: &mut Frame, area: Rect, t: &crate::analysis::disclosure::Table, p: &PathwaysState, theme: &Theme) {
    let depth = step_columns(t);
    let col = |name: &str| t.columns.iter().position(|c| c == name);
    let (Some(pc), Some(pct)) = (col("people"), col("pct_of_index")) else { return };
    let width = area.width as usize;
    let bar_w = width.saturating_sub(56).clamp(4, 30);
    let label_w = width.saturating_sub(bar_w + 26).max(12);
    let inner = area.height.saturating_sub(1) as usize;
    let first = p.sel.saturating_sub(inner.saturating_sub(1));
    let mut lines = Vec::new();
    for r in (first..t.rows.len()).take(inner) {
        let steps: Vec<String> = (1..=depth)
            .filter_map(|k| match t.get(at(r, k)) {
                Some(Cell::Text(s)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let label = match steps.last() {
            Some(s) => format!("{}{}", "  ".repeat(steps.len() - 1), s),
            None => "(everyone indexed)".to_string(),
        };
        let share = match t.get(at(r, pct)) {
            Some(Cell::Derived(d)) if d.value.is_finite() => Some(d.value),
            _ => None,
        };
        let bar = share.map(|s| theme.bar().repeat(((s / 100.0) * bar_w as f64).round() as usize)).unwrap_or_else(|| "?".into());
        let median = if steps.is_empty() { None } else { col(&format!("median_days_{}", steps.len())).and_then(|c| t.get(at(r, c))) };
        let median = median.map(|c| format!("day {}{}", if p.before { "-" } else { "" }, c.render())).unwrap_or_default();
        let people = t.get(at(r, pc)).map(|c| c.render()).unwrap_or_default();
        let pct_text = t.get(at(r, pct)).map(|c| c.render()).unwrap_or_default();
        let text = format!("{} {:>7} {:>5}% {:<bar_w$} {}", fit(&label, label_w), people, pct_text, bar, median);
        let style = if r == p.sel && !p.in_strip { theme.style(Role::Selected) } else { Style::default() };
        lines.push(Line::from(Span::styled(theme.text(&text), style)));
    }
    let title = if p.in_strip { "Pathways (Esc: back to the tree)" } else { "Pathways (Enter: the people of a node)" };
    f.render_widget(Paragraph::new(lines).block(section(title, theme)), area);
}

fn draw_strip(f: &mut Frame, area: Rect, p: &PathwaysState, days: u32, theme: &Theme) {
    let Some(s) = &p.strip else { return };
    let id_w = 8usize;
    let axis = (area.width as usize).saturating_sub(id_w + 2).max(10);
    let node = if s.node.is_empty() { "everyone indexed".to_string() } else { s.node.join(" > ") };
    let title = format!("{node}: {} people, first {} (days 0 to {}{days}; Enter: timeline)", s.total, s.rows.len(), if p.before { "-" } else { "" });
    let inner = area.height.saturating_sub(2) as usize; // title, legend
    let first = p.member_sel.saturating_sub(inner.saturating_sub(1));
    let mut lines = Vec::new();
    let mut shown = Vec::new();
    for (i, m) in s.rows.iter().enumerate().skip(first).take(inner) {
        let mut cells = vec!['.'; axis];
        for (step, d) in &m.steps {
            let c = ((*d.max(&0) as f64 / days.max(1) as f64) * (axis - 1) as f64).round() as usize;
            if let Some(x) = cells.get_mut(c.min(axis - 1)) {
                *x = step_letter(step);
            }
        }
        shown.extend(cells.iter().filter(|c| **c != '.'));
        let row: String = cells.into_iter().collect();
        let style = if p.in_strip && i == p.member_sel { theme.style(Role::Selected) } else { Style::default() };
        lines.push(Line::from(Span::styled(format!("{} |{row}", fit(&m.id, id_w)), style)));
    }
    lines.push(Line::from(Span::styled(fit(&legend(&shown), area.width as usize), theme.style(Role::Dim))));
    f.render_widget(Paragraph::new(lines).block(section(&crate::format::strip_controls(&title), theme)), area);
}
