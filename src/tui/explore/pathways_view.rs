//! The Pathways screen: the question on one line, the tree of step sequences as an indented
//! list with bars (people, share of those indexed, median days to the step), and under it the
//! aligned strip of the selected node's people: one row each, their steps marked on a shared
//! axis of days from the index, so the pattern across people shows rather than one person.
//! Every figure is read from the published (gated) tree.
use super::pathways::{step_columns, PathwaysState, INDEXES, WINDOWS};
use crate::analysis::disclosure::{at, Cell};
use crate::model::pathways::{EventSpec, DEATH};
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
    let (tree_area, strip_area) = if p.strip.is_some() {
        let [a, b] = Layout::vertical([Constraint::Percentage(45), Constraint::Min(4)]).areas(rest);
        (a, Some(b))
    } else {
        (rest, None)
    };
    draw_tree(f, tree_area, tree, p, theme);
    if let Some(b) = strip_area {
        draw_strip(f, b, p, days, theme);
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
