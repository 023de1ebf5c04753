//! The Cube screen: the question on one line, what is shown (measure, rows, columns, rate) on
//! the next, then the grid: a row per group with its figure in each column and the totals last
//! (bold), the cursor's cell highlighted; without columns each row has a bar of its figure on
//! the largest row's scale. The last line names the cursor's cell with its people. Columns
//! that do not fit scroll with the cursor. Every figure is read from the published table.
use super::cube::{CubeState, RowOrder};
use crate::ops::cube_tables::{grid, Grid, GRID_PEOPLE};
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, c: &CubeState, busy: bool, theme: &Theme) {
    let [top, what, rest, detail] = Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(area);
    let head = c.figures.as_ref().map(|g| g.heading.clone()).unwrap_or_else(|| format!("{} by {}", c.measure().label(), c.rows_dim().label()));
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&head), top.width as usize), theme.style(Role::Header)))), top);
    let cols = c.cols_dim().map(|d| d.label()).unwrap_or("none");
    let order = match c.order {
        RowOrder::Natural => "",
        RowOrder::Descending => "; sorted largest first",
        RowOrder::Ascending => "; sorted smallest first",
    };
    let line = format!("m {} | r rows: {} | c columns: {cols} | p {}{order}", c.measure().label(), c.rows_dim().label(), c.rate().label());
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&line), what.width as usize), theme.style(Role::Dim)))), what);
    let Some(g) = c.grid() else {
        let msg = if busy { "adding up the cube..." } else { "no cube yet: load a workspace, then press 9" };
        f.render_widget(Paragraph::new(msg), rest);
        return;
    };
    let lines = grid_lines(&g, c, rest.width as usize, rest.height.saturating_sub(2) as usize, theme);
    let title = format!("{} x {} (o: sort by the cursor's column)", c.rows_dim().label(), cols);
    f.render_widget(Paragraph::new(lines).block(section(&title, theme)), rest);
    let people = c.figures.as_ref().and_then(|g| g.table("cube")).map(|t| grid(t, GRID_PEOPLE));
    let (r, k) = (g.rows.get(c.row).cloned().unwrap_or_default(), g.cols.get(c.col).cloned().unwrap_or_default());
    let shown = g.cells.get(c.row).and_then(|x| x.get(c.col)).cloned().unwrap_or_default();
    let n = people.and_then(|p| {
        let ri = p.rows.iter().position(|x| *x == r)?;
        let ci = if c.cols_dim().is_some() { p.cols.iter().position(|x| *x == k)? } else { 0 };
        p.cells.get(ri)?.get(ci).cloned()
    });
    let where_ = if c.cols_dim().is_some() { format!("{r} x {k}") } else { r };
    let text = format!("{where_}: {} ({} people)", if shown.is_empty() { "no people" } else { &shown }, n.filter(|s| !s.is_empty()).unwrap_or_else(|| "0".into()));
    f.render_widget(Paragraph::new(Line::from(Span::styled(fit(&theme.text(&text), detail.width as usize), theme.style(Role::Accent)))), detail);
}

/// The header line and the visible rows (the total row always shown last).
fn grid_lines(g: &Grid, c: &CubeState, width: usize, height: usize, theme: &Theme) -> Vec<Line<'static>> {
    let one = c.cols_dim().is_none();
    let label_w = g.rows.iter().map(|r| r.chars().count()).max().unwrap_or(10).clamp(8, if one { 34 } else { 24 });
    let cell_w = g.cells.iter().flatten().map(|s| s.chars().count()).max().unwrap_or(6).max(6) + 2;
    let fits = (width.saturating_sub(label_w) / cell_w).max(1);
    let first_col = c.col.saturating_sub(fits - 1).min(g.cols.len().saturating_sub(fits));
    let shown: Vec<usize> = (first_col..g.cols.len()).take(fits).collect();
    let bar_w = width.saturating_sub(label_w + cell_w + 2).min(30);
    let mut head = fit("", label_w);
    for &k in &shown {
        head.push_str(&format!("{:>cell_w$}", fit_right(&g.cols[k], cell_w - 1)));
    }
    let mut lines = vec![Line::from(Span::styled(theme.text(&head), theme.style(Role::Dim)))];
    let total_row = g.rows.len().saturating_sub(1);
    let body = height.saturating_sub(2).max(1); // header and the total row
    let first = c.row.min(total_row.saturating_sub(1)).saturating_sub(body - 1).min(total_row.saturating_sub(body.min(total_row)));
    let top = (0..total_row).filter_map(|r| number(&g.cells[r][0])).fold(0.0f64, f64::max);
    let rows: Vec<usize> = (first..total_row).take(body).chain(std::iter::once(total_row)).collect();
    for r in rows {
        let is_total = r == total_row;
        let mut spans = vec![Span::styled(theme.text(&fit(&g.rows[r], label_w)), if is_total { theme.style(Role::Header) } else { ratatui::style::Style::default() })];
        for &k in &shown {
            let text = format!("{:>cell_w$}", g.cells[r][k]);
            let style = if r == c.row && k == c.col {
                theme.style(Role::Selected)
            } else if is_total || (!one && k + 1 == g.cols.len()) {
                theme.style(Role::Header)
            } else {
                ratatui::style::Style::default()
            };
            spans.push(Span::styled(theme.text(&text), style));
        }
        if one && !is_total && top > 0.0 {
            let n = number(&g.cells[r][0]).map(|v| ((v / top) * bar_w as f64).round() as usize);
            let bar = n.map(|n| theme.bar().repeat(n)).unwrap_or_else(|| "?".into());
            spans.push(Span::styled(format!("  {bar}"), theme.style(Role::Bar)));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn number(s: &str) -> Option<f64> {
    s.replace(',', "").parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A column label cut to its start ("SIMD 1 (most deprived)" keeps "SIMD 1 (m").
fn fit_right(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        s.to_string()
    } else {
        s.chars().take(w).collect()
    }
}
