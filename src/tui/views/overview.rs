//! Overview: population, years, cost, the HRI headline, a Lorenz curve of health cost, and cost
//! by service, age band and SIMD quintile.
use super::widgets::{bars, lorenz, money};
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(o) = &app.overview else {
        let msg = match &app.load_progress {
            Some((done, total, file)) => format!("Loading {done}/{total} files: {file}\n(Esc cancels; 5 shows the load)"),
            None if app.busy.contains_key(&crate::tui::worker::Slot::Load) => {
                "Checking the files to load...\n(Esc cancels; 5 shows the load)".to_string()
            }
            None if app.is_busy() => "Opening the workspace...".to_string(),
            None => "Nothing loaded yet: :load PATH loads a folder of extracts (5 shows the last load)".to_string(),
        };
        f.render_widget(Paragraph::new(msg), area);
        return;
    };
    let [top, mid, bottom] =
        Layout::vertical([Constraint::Length(4), Constraint::Percentage(55), Constraint::Min(4)]).areas(area);
    let years: Vec<String> = o.years.iter().map(|y| crate::model::year::label(y)).collect();
    let mut head = vec![
        Line::from(format!(
            "People {}   Events {}   Health cost {}   Years {}",
            app.shown.count((o.people).max(0) as u64),
            app.shown.count((o.events).max(0) as u64),
            money(o.health_cost, theme),
            years.join(" ")
        )),
        Line::from(Span::styled(
            format!(
                "HRIs (Scotland): {:.1}% of people ({}) hold 50% of health cost, {:.0}% of acute bed days",
                o.hri_pct_people,
                app.shown.count((o.hri_people).max(0) as u64),
                o.hri_pct_acute_beddays
            ),
            theme.style(Role::Hri),
        )),
    ];
    head.push(Line::from(match o.persistence_pct {
        Some(p) => format!("Persistence: {p:.0}% of last year's HRIs are HRIs again.   Gini of health cost {:.2}", o.gini),
        None => format!("Gini of health cost {:.2}", o.gini),
    }));
    f.render_widget(Paragraph::new(head), top);

    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(mid);
    let block = |t: &str| Block::default().borders(Borders::TOP).border_set(theme.border()).title(format!(" {t} "));
    let inner_w = left.width as usize;
    let inner_h = left.height.saturating_sub(1) as usize;
    f.render_widget(Paragraph::new(lorenz(&o.lorenz, inner_w, inner_h, theme)).block(block("Lorenz curve of health cost")), left);
    let total: f64 = o.by_service.iter().map(|s| s.1).sum();
    let svc: Vec<(String, f64, String)> = o
        .by_service
        .iter()
        .map(|(n, c, _)| (n.clone(), *c, format!("{:.0}%", if total > 0.0 { 100.0 * c / total } else { 0.0 })))
        .collect();
    f.render_widget(Paragraph::new(bars(&svc, right.width as usize, theme)).block(block("Cost by service (all costs)")), right);

    let [bl, br] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    let age: Vec<(String, f64, String)> =
        o.by_age.iter().map(|(b, c, n)| (b.clone(), *c, format!("{} {}", money(*c, theme), app.shown.count((*n).max(0) as u64)))).collect();
    f.render_widget(Paragraph::new(bars(&age, bl.width as usize, theme)).block(block("Health cost by age band")), bl);
    let simd: Vec<(String, f64, String)> = o
        .by_simd
        .iter()
        .map(|(q, c, n)| (format!("SIMD {q}"), *c, format!("{} {}", money(*c, theme), app.shown.count((*n).max(0) as u64))))
        .collect();
    f.render_widget(Paragraph::new(bars(&simd, br.width as usize, theme)).block(block("by SIMD quintile (1 = most deprived)")), br);
}
