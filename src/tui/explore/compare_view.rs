//! The Compare screen: the question on one line, then the published compare table: each
//! section (size, make-up, LTCs, per person) under its name, a row per item with cohort A,
//! cohort B, the ratio A:B and the standardised mean difference; on a wide screen also the
//! age-sex-standardised ratio and each measure's totals. Every figure is read from the
//! published table.
use super::compare::{lines_of, text, CompareState};
use crate::analysis::disclosure::Cell;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Table columns shown: (column index, heading, width), the wide ones only when there is room.
const NARROW: [(usize, &str, usize); 4] = [(2, "A", 12), (3, "B", 12), (4, "A:B", 7), (5, "SMD", 7)];
const WIDE: [(usize, &str, usize); 3] = [(8, "std A:B", 8), (9, "A total", 14), (10, "B total", 14)];

pub fn draw(f: &mut Frame, area: Rect, c: &CompareState, busy: bool, theme: &Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(area);
    let head = c.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| "Two cohorts side by side".into());
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let Some(t) = c.figures.as_ref().and_then(|g| g.table("compare")) else {
        let msg = if busy { "comparing the two cohorts..." } else { "nothing to compare yet: build a cohort (2), then press 0" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    let width = rest.width.saturating_sub(2) as usize;
    let mut cols: Vec<(usize, &str, usize)> = NARROW.to_vec();
    if width >= 110 {
        cols.extend(WIDE);
    }
    let nums_w: usize = cols.iter().map(|c| c.2).sum();
    let label_w = width.saturating_sub(nums_w + 1).clamp(10, 60);
    let mut lines = vec![Line::from(Span::styled(
        theme.text(&format!("{:<label_w$} {}", "", cols.iter().map(|(_, h, w)| format!("{h:>w$}")).collect::<String>())),
        theme.style(Role::Dim),
    ))];
    let all = lines_of(t);
    let inner = rest.height.saturating_sub(3) as usize; // borders and the column heads
    // the last page stays full
    let first = c.scroll.min(all.len().saturating_sub(inner));
    for (is_section, r) in all.iter().skip(first).take(inner) {
        let row = &t.rows[*r];
        if *is_section {
            lines.push(Line::from(Span::styled(theme.text(&text(row.first())), theme.style(Role::Accent))));
            continue;
        }
        let nums: String = cols.iter().map(|(i, _, w)| format!("{:>w$}", fit(&row.get(*i).map(Cell::render).unwrap_or_default(), *w).trim_end())).collect();
        lines.push(Line::from(Span::raw(theme.text(&format!("{:<label_w$} {nums}", fit(&format!("  {}", text(row.get(1))), label_w))))));
    }
    let more = all.len().saturating_sub(first + inner);
    let mut title = format!("A: {}  B: {}", name(c, true), name(c, false));
    if more > 0 {
        title.push_str(&format!(" ({more} more below)"));
    }
    title.push_str(" b: compare with another");
    f.render_widget(Paragraph::new(lines).block(section(&fit(&title, width), theme)), rest);
}

fn name(c: &CompareState, a: bool) -> String {
    let n = c.asked.as_ref().map(|r| if a { r.a.name.clone() } else { r.b.name.clone() }).unwrap_or_default();
    let n = crate::format::strip_controls(&n);
    if n.trim().is_empty() {
        "this cohort".into()
    } else {
        n
    }
}
