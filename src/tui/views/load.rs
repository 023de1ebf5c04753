//! Load: progress while loading, then the load report (files, linkage, rejects by reason).
use crate::format::thousands;
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};
use ratatui::Frame;
use std::path::Path;

/// `name` in at most `w` characters: too long, its middle gives way, so that both the start
/// and the end (year and extension) stay readable.
fn fit_middle(name: &str, w: usize, gap: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= w {
        return name.to_string();
    }
    let tail = (w / 2).min(14);
    let head = w.saturating_sub(tail + 1);
    let mut out: String = chars[..head].iter().collect();
    out.push_str(gap);
    out.extend(&chars[chars.len() - tail..]);
    out
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some((done, total, file)) = &app.load_progress {
        let [g, t] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let ratio = if *total > 0 { *done as f64 / *total as f64 } else { 0.0 };
        let gauge = Gauge::default().ratio(ratio.clamp(0.0, 1.0)).label(format!("{done}/{total} files")).use_unicode(!theme.ascii);
        f.render_widget(gauge, g);
        f.render_widget(Paragraph::new(format!("{file} ...  (Esc cancels)")), t);
        return;
    }
    let Some(r) = &app.load_report else {
        let msg = if app.busy.contains_key(&crate::tui::worker::Slot::Load) {
            format!("Checking the files in {} ...  (Esc cancels)", app.load_paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))
        } else {
            "No load in this session. :load PATH loads a folder or file of extracts.".to_string()
        };
        f.render_widget(Paragraph::new(msg), area);
        return;
    };
    let mut lines = vec![Line::from(Span::styled("Load report", theme.style(Role::Header)))];
    // The file name takes the width the numbers leave (status 14, counts 9 + 9 + 8, gaps).
    let w = (area.width as usize).saturating_sub(14 + 9 + 9 + 8 + 4).clamp(20, 80);
    lines.push(Line::from(format!("{:<w$} {:>14} {:>9} {:>9} {:>8}", "file", "status", "read", "loaded", "rejected")));
    for file in &r.files {
        let name = Path::new(&file.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let name = fit_middle(&name, w, if theme.ascii { "~" } else { "…" });
        lines.push(Line::from(format!(
            "{:<w$} {:>14} {:>9} {:>9} {:>8}",
            name,
            file.status,
            thousands(file.rows_read),
            thousands(file.rows_loaded),
            thousands(file.rows_rejected)
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Linkage", theme.style(Role::Header))));
    for d in &r.datasets {
        let rate = d.linkage_rate.map(|p| format!("{p:.1}% linked")).unwrap_or_default();
        lines.push(Line::from(format!("{:<20} {:>9} rows  {:>12}  {}", d.dataset, thousands(d.rows), rate, d.note)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        "People {}  Events {}  Years {}  Dates {} to {}",
        app.shown.count((r.people).max(0) as u64),
        app.shown.count((r.events).max(0) as u64),
        r.years.join(" "),
        r.first_date.as_deref().unwrap_or("-"),
        r.last_date.as_deref().unwrap_or("-")
    )));
    if r.rejects_total == 0 {
        lines.push(Line::from("Rejected rows: none"));
    } else {
        lines.push(Line::from(Span::styled(
            format!("Rejected rows: {} (table load_rejects has file, row, column, reason)", thousands(r.rejects_total)),
            theme.style(Role::Warn),
        )));
        for (reason, n) in &r.rejects_by_reason {
            lines.push(Line::from(format!("{:>9}  {reason}", thousands(*n))));
        }
    }
    let scroll = app.load_scroll.min(lines.len().saturating_sub(1)) as u16;
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
}

#[cfg(test)]
mod tests {
    use super::fit_middle;

    #[test]
    fn long_names_keep_their_start_and_end() {
        assert_eq!(fit_middle("short.csv", 20, "~"), "short.csv");
        let f = fit_middle("source-individual-file-1819.parquet", 26, "~");
        assert_eq!(f.chars().count(), 26);
        assert!(f.starts_with("source-indiv") && f.ends_with("-1819.parquet"), "{f}");
    }
}
