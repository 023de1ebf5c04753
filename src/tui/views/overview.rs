//! Overview: population, years, cost, the HRI headline, a Lorenz curve of health cost, and cost
//! by service, age band and SIMD quintile. Figures come from the answer's published tables (so
//! with `!` on they are what the gate let through); the Lorenz curve needs the raw figures and
//! is only drawn while disclosure control is off.
use super::widgets::{bars, lorenz, money};
use crate::analysis::disclosure::at;
use crate::ops::NamedTable;
use crate::tui::app::App;
use crate::tui::shown;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

fn table<'a>(tables: &'a [NamedTable], name: &str) -> Option<&'a NamedTable> {
    tables.iter().find(|t| t.name == name)
}

/// The `value` cell of the overview table's row `key`.
fn figure<'a>(t: Option<&'a NamedTable>, key: &str) -> Option<&'a crate::analysis::disclosure::Cell> {
    let t = t?;
    let r = t.keys.iter().position(|k| k == key)?;
    t.table.get(at(r, 1))
}

/// (label, cost for the bar, figure text) per category row of a by_* table (no Total row).
fn categories(t: Option<&NamedTable>, theme: &Theme, with_share: bool) -> Vec<(String, f64, String)> {
    let Some(t) = t else { return Vec::new() };
    let rows: Vec<&Vec<crate::analysis::disclosure::Cell>> =
        t.table.rows.iter().zip(&t.keys).filter(|(_, k)| k.as_str() != "total").map(|(r, _)| r).collect();
    let costs: Vec<Option<f64>> = rows.iter().map(|r| r.get(2).and_then(shown::value)).collect();
    // Shares only when every cost is shown: a share beside a withheld cost would give it away.
    let total: Option<f64> = costs.iter().copied().sum::<Option<f64>>().filter(|t| *t > 0.0);
    rows.iter()
        .zip(&costs)
        .map(|(r, cost)| {
            let label = r.first().map(shown::cell).unwrap_or_default();
            let people = r.get(1).map(shown::cell).unwrap_or_default();
            let fig = match (cost, with_share, total) {
                (Some(c), true, Some(t)) => format!("{:.0}%", 100.0 * c / t),
                (Some(c), false, _) => format!("{} {people}", money(*c, theme)),
                _ => format!("* {people}"),
            };
            (label, cost.unwrap_or(0.0), fig)
        })
        .collect()
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(o) = &app.overview else {
        let msg = match &app.load_progress {
            Some((done, total, file)) => format!("Loading {done}/{total} files: {file}\n(Esc cancels; 5 shows the load)"),
            None if app.busy.contains_key(&crate::tui::worker::Slot::Load) => {
                "Checking the files to load...\n(Esc cancels; 5 shows the load)".to_string()
            }
            None if app.is_busy() => "Working out the overview...".to_string(),
            None => "Nothing loaded yet: :load PATH loads a folder of extracts (5 shows the last load)".to_string(),
        };
        f.render_widget(Paragraph::new(msg), area);
        return;
    };
    let head_t = table(&o.tables, "overview");
    let (by_service, by_age, by_simd) = (table(&o.tables, "by_service"), table(&o.tables, "by_age"), table(&o.tables, "by_simd"));
    let text = |key: &str| figure(head_t, key).map(shown::cell).unwrap_or_else(|| "-".into());
    let pct = |key: &str| figure(head_t, key).map(shown::percent).unwrap_or_else(|| "-".into());
    let cost = figure(head_t, "health_cost").and_then(shown::value).map(|c| money(c, theme)).unwrap_or_else(|| "*".into());
    let years: Vec<String> = app.years.iter().map(|y| crate::model::year::label(y)).collect();
    // Many years do not fit beside the figures at 80 columns: first to last.
    let years = match years.as_slice() {
        [first, .., last] if years.len() > 2 => format!("{first} to {last}"),
        _ => years.join(" "),
    };
    let mut head = vec![
        Line::from(format!("People {}   Events {}   Health cost {}   Years {}", text("people"), text("events"), cost, years)),
        Line::from(Span::styled(
            format!(
                "HRIs: {} of people ({}) hold 50% of health cost, {} of acute bed days",
                pct("hri_pct_people"),
                text("hri_people"),
                pct("hri_pct_acute_beddays")
            ),
            theme.style(Role::Hri),
        )),
        Line::from(match figure(head_t, "persistence_pct").and_then(shown::value) {
            Some(_) => format!("Persistence: {} of last year's HRIs are HRIs again.  Gini {}", pct("persistence_pct"), text("gini")),
            None => format!("Gini of health cost {}", text("gini")),
        }),
    ];
    if let Some((done, total, file)) = &app.load_progress {
        // the first look's figures stay in view while the full load runs
        head.push(Line::from(Span::styled(format!("Loading {done}/{total} files: {file}; these figures are updated when it ends"), theme.style(Role::Dim))));
    }
    let age = categories(by_age, theme, false);
    let simd = categories(by_simd, theme, false);
    // The bottom pane holds every age band (85+ included) and every quintile.
    let bottom_h = (age.len().max(simd.len()) as u16 + 1).max(4);
    let [top, mid, bottom] = Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(4), Constraint::Length(bottom_h)]).areas(area);
    f.render_widget(Paragraph::new(head), top);

    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(mid);
    let block = |t: &str| Block::default().borders(Borders::TOP).border_set(theme.border()).title(format!(" {t} "));
    match o.raw() {
        Some(raw) => {
            let (w, h) = (left.width as usize, left.height.saturating_sub(1) as usize);
            f.render_widget(Paragraph::new(lorenz(&raw.lorenz, w, h, theme)).block(block("Lorenz curve of health cost")), left);
        }
        None => f.render_widget(
            Paragraph::new("Not drawn while disclosure control is on (! turns it off).").block(block("Lorenz curve of health cost")),
            left,
        ),
    }
    let svc = categories(by_service, theme, true);
    f.render_widget(Paragraph::new(bars(&svc, right.width as usize, theme)).block(block("Cost by service (all costs)")), right);

    let [bl, br] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    f.render_widget(Paragraph::new(bars(&age, bl.width as usize, theme)).block(block("Health cost by age band")), bl);
    let simd: Vec<(String, f64, String)> = simd.into_iter().map(|(q, c, n)| (format!("SIMD {q}"), c, n)).collect();
    f.render_widget(Paragraph::new(bars(&simd, br.width as usize, theme)).block(block("by SIMD quintile (1 = most deprived)")), br);
}
