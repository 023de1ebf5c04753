//! Views of the cohort builder, members list and timeline: pure functions of the explore state
//! and what they are given to read (`View`).
use super::{short_id, ExploreState};
use crate::model::cohort::Measure;
use crate::model::timeline::Day;
use crate::tui::screen::Screen;
use crate::tui::shown::OnScreen;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{money, pounds};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// What the explore views read.
pub struct View<'a> {
    pub screen: Screen,
    pub state: &'a ExploreState,
    pub shown: &'a OnScreen,
    /// A query is running (a timeline may be on its way).
    pub busy: bool,
    pub theme: &'a Theme,
}

pub fn draw(f: &mut Frame, area: Rect, v: &View) {
    match v.screen {
        Screen::Cohort => cohort(f, area, v),
        Screen::Members => members(f, area, v),
        Screen::Timeline => timeline(f, area, v),
        _ => {}
    }
}

fn section(title: &str, theme: &Theme) -> Block<'static> {
    Block::default().borders(Borders::TOP).border_set(theme.border()).title(format!(" {title} "))
}


fn pct(v: &View, n: u64, p: Option<f64>) -> String {
    if v.shown.on && v.shown.policy.is_sensitive(n) {
        "*".into()
    } else {
        p.map(|x| format!("{x:.1}%")).unwrap_or_else(|| "-".into())
    }
}

fn cohort(f: &mut Frame, area: Rect, v: &View) {
    let (e, theme) = (v.state, v.theme);
    let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let [left, right] = Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(top);
    let mut lines = Vec::new();
    if e.spec.filters.is_empty() {
        lines.push(Line::from("No filters: everyone is in."));
        lines.push(Line::from(Span::styled("a adds one, e.g. age 65+, simd 1, ltc copd", theme.style(Role::Dim))));
    }
    for (i, flt) in e.spec.filters.iter().enumerate() {
        let mark = if flt.enabled { "[x]" } else { "[ ]" };
        let style = if i == e.filter_sel { theme.style(Role::Selected) } else if flt.enabled { theme.style(Role::Dim).patch(ratatui::style::Style::default()) } else { theme.style(Role::Dim) };
        lines.push(Line::from(Span::styled(format!("{mark} {}", flt.label()), style)));
    }
    f.render_widget(Paragraph::new(lines).block(section("Filters", theme)), left);

    let mut att = Vec::new();
    match &e.attrition {
        Some(a) => {
            let w = right.width.saturating_sub(26) as usize;
            for s in &a.steps {
                let label: String = s.filter.chars().take(w.max(8)).collect();
                let change = s.pct_change.map(|c| format!("{c:+.0}%")).unwrap_or_default();
                att.push(Line::from(format!(
                    "{label:<w$} {:>9} {:>7} {:>5}",
                    v.shown.count(s.remaining),
                    pct(v, s.remaining, s.pct_of_start),
                    change,
                    w = w.max(8)
                )));
            }
            att.push(Line::from(Span::styled(format!("= {} people", v.shown.count(a.count)), theme.style(Role::Header))));
        }
        None => att.push(Line::from("counting...")),
    }
    f.render_widget(Paragraph::new(att).block(section("Attrition", theme)), right);

    let mut ch = Vec::new();
    match &e.characterisation {
        Some(c) => {
            ch.push(Line::from(Span::styled(format!("{:<40}{:>12}{:>12}", "this cohort vs everyone", "cohort", "all"), theme.style(Role::Header))));
            ch.push(Line::from(format!(
                "{:<40}{:>12}{:>12}",
                "people",
                v.shown.count(c.cohort_people),
                v.shown.count(c.population_people)
            )));
            for (name, key, label) in [("sex", "F", "female"), ("hri_band", "High", "HRI (Scotland, High band)"), ("simd_quintile", "1", "SIMD quintile 1")] {
                if let Some(row) = c.breakdown(name).and_then(|b| b.rows.iter().find(|r| r.key == key)) {
                    ch.push(Line::from(format!(
                        "{label:<40}{:>12}{:>12}",
                        pct(v, row.cohort, row.cohort_pct),
                        pct(v, row.population, row.population_pct)
                    )));
                }
            }
            for m in [Measure::HealthCost, Measure::EmergencyAdmissions, Measure::AcuteBeddays, Measure::DdBeddays, Measure::HcHours] {
                if let Some(r) = c.measure(m) {
                    let fmt = |v: Option<f64>| match v {
                        Some(x) if m.is_money() => pounds(x, theme),
                        Some(x) => format!("{x:.2}"),
                        None => "-".into(),
                    };
                    let hide = v.shown.on && v.shown.policy.is_sensitive(c.cohort_people);
                    let cohort_v = if hide { "-".into() } else { fmt(r.cohort_per_person) };
                    ch.push(Line::from(format!("{:<40}{:>12}{:>12}", format!("{} per person", m.label()), cohort_v, fmt(r.population_per_person))));
                }
            }
            if let Some(r) = c.measure(Measure::HealthCost) {
                ch.push(Line::from(format!("{:<40}{:>12}{:>12}", "share of all health cost", r.cohort_share_pct.map(|p| format!("{p:.1}%")).unwrap_or_default(), "100%")));
            }
            if let Some(top) = c.ltcs.first() {
                ch.push(Line::from(format!("{:<40}{:>12}{:>12}", format!("most common LTC: {}", top.label), pct(v, top.cohort, top.cohort_pct), pct(v, top.population, top.population_pct))));
            }
        }
        None => ch.push(Line::from("characterising...")),
    }
    f.render_widget(Paragraph::new(ch).block(section("This cohort vs everyone", theme)), bottom);
}

fn members(f: &mut Frame, area: Rect, v: &View) {
    let (e, theme) = (v.state, v.theme);
    let Some(p) = &e.members else {
        f.render_widget(Paragraph::new("fetching members..."), area);
        return;
    };
    let sort = format!("{:?}", e.sort).to_lowercase();
    let title = format!(
        "Members: {} people  sorted by {sort} {}{}",
        v.shown.count(p.total),
        if e.desc { "(high first)" } else { "(low first)" },
        e.search.as_ref().map(|s| format!("  search '{s}'")).unwrap_or_default()
    );
    let mut lines = vec![Line::from(Span::styled(
        format!("  {:<16} {:>5} {:>3} {:>4} {:>4} {:>5} {:>8} {:>12}  {}", "person", "age", "sex", "SIMD", "LTCs", "emerg", "bed days", "cost", "HRI band"),
        theme.style(Role::Header),
    ))];
    let visible = area.height.saturating_sub(2) as u64;
    // keep the selection in view within the page we hold
    let first = e.member_sel.saturating_sub(visible.saturating_sub(1)).max(p.offset);
    for (i, m) in p.rows.iter().enumerate() {
        let abs = p.offset + i as u64;
        if abs < first || abs >= first + visible {
            continue;
        }
        let selected = abs == e.member_sel;
        let text = format!(
            "{} {:<16} {:>5} {:>3} {:>4} {:>4} {:>5} {:>8} {:>12}  {}",
            if selected { theme.pointer() } else { " " },
            short_id(&m.id),
            m.age_band,
            m.sex.clone().unwrap_or_default(),
            m.simd_quintile.map(|q| q.to_string()).unwrap_or_default(),
            m.ltc_count.map(|q| q.to_string()).unwrap_or_default(),
            m.emergency_admissions,
            m.bed_days,
            pounds(m.health_cost, theme),
            m.hri_band.clone().unwrap_or_default()
        );
        lines.push(Line::from(Span::styled(text, if selected { theme.style(Role::Selected) } else { ratatui::style::Style::default() })));
    }
    if p.rows.is_empty() {
        lines.push(Line::from("nobody in this cohort"));
    }
    f.render_widget(Paragraph::new(lines).block(section(&title, theme)), area);
}

/// The axis line: labels at even spacing, as many as fit without touching (two spaces
/// between), the last one flush with the right edge.
fn axis_labels(cols: usize, label_at: &dyn Fn(usize) -> String) -> String {
    let widest = label_at(0).chars().count().max(label_at(cols.saturating_sub(1)).chars().count()).max(1);
    let n = (cols / (widest + 2)).clamp(1, 5);
    let mut axis = vec![' '; cols];
    let mut free_from = 0usize;
    for k in 0..=n {
        let c = if n == 0 { 0 } else { k * (cols - 1) / n };
        let text: Vec<char> = label_at(c).chars().collect();
        let start = if k == n { (c + 1).saturating_sub(text.len()) } else { c };
        if start < free_from || start + text.len() > cols {
            continue; // would touch the previous label or run off the edge
        }
        for (j, ch) in text.iter().enumerate() {
            axis[start + j] = *ch;
        }
        free_from = start + text.len() + 2;
    }
    axis.into_iter().collect()
}

/// Text of a day: relative ("day -12") or calendar, as the screen is set.
fn day_text(e: &ExploreState, d: Day, index: Day) -> String {
    crate::model::timeline::DateOut::new(d, index, e.dates).text()
}

fn timeline(f: &mut Frame, area: Rect, v: &View) {
    let (e, theme) = (v.state, v.theme);
    let Some(t) = &e.timeline else {
        let msg = if v.busy { "opening the timeline..." } else { "No person open: Enter on a member opens their timeline (or :person ID)" };
        f.render_widget(Paragraph::new(msg), area);
        return;
    };
    let view = t.view(e.index, e.dates);
    let index_day = t.index(e.index).day;
    let lanes = t.lanes();
    let detail_h = 7u16.min(area.height / 2);
    let [head, chart, detail] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(detail_h)]).areas(area);
    let pv = &view.person;
    f.render_widget(
        Paragraph::new(format!(
            "{} {} {}  SIMD {}  LTCs {}{}   day 0 = {}",
            short_id(&pv.id),
            pv.sex.clone().unwrap_or_default(),
            pv.age_band_at_index.clone().unwrap_or_default(),
            pv.simd_quintile.map(|q| q.to_string()).unwrap_or_else(|| "-".into()),
            pv.ltc_count,
            if pv.died { "  died" } else { "" },
            view.index.point.label
        )),
        head,
    );

    // time axis: columns of `zoom` days around the view centre (the selected event unless panned)
    let label_w = super::LANE_LABEL_W;
    let cols = super::chart_cols(chart.width) as usize;
    let zoom = e.zoom.max(1);
    let left = e.view_left(t, cols as i64);
    let col_of = |d: Day| -> Option<usize> {
        let rel = d as i64 - index_day as i64;
        let c = (rel - left).div_euclid(zoom);
        (0..cols as i64).contains(&c).then_some(c as usize)
    };
    let relative = e.dates == crate::model::timeline::DateMode::Relative;
    let label_at = |c: usize| -> String {
        if relative {
            format!("{}", left + c as i64 * zoom)
        } else {
            day_text(e, (index_day as i64 + left + c as i64 * zoom).max(0) as Day, index_day)
        }
    };
    let mut lines = Vec::new();
    lines.push(Line::from(vec![
        Span::styled(format!("{:<label_w$} ", if relative { "days" } else { "dates" }), theme.style(Role::Dim)),
        Span::styled(axis_labels(cols, &label_at), theme.style(Role::Dim)),
    ]));
    // Where the data ends: an open stay (a care home place with no end date) runs to here.
    let data_end = t.span().map(|(_, hi)| hi).map(|hi| t.death().map_or(hi, |d| d.min(hi)));
    for recid in lanes.iter().take(chart.height.saturating_sub(2) as usize) {
        let mut row: Vec<(char, bool)> = vec![(' ', false); cols];
        for (i, ev) in t.events.iter().enumerate().filter(|(_, ev)| ev.recid == *recid) {
            let selected = Some(i) == e.event_sel;
            let Some(s) = ev.start else { continue };
            let end = match ev.end {
                Some(en) => en,
                None if ev.is_interval() => data_end.unwrap_or(s).max(s),
                None => s,
            };
            if ev.is_interval() && end > s {
                let rel_s = s as i64 - index_day as i64;
                let rel_e = end as i64 - index_day as i64;
                let c0 = ((rel_s - left).div_euclid(zoom)).max(0);
                let c1 = ((rel_e - left).div_euclid(zoom)).min(cols as i64 - 1);
                for c in c0..=c1 {
                    if (0..cols as i64).contains(&c) {
                        let glyph = theme.span().chars().next().unwrap_or('=');
                        row[c as usize] = (glyph, selected || row[c as usize].1);
                    }
                }
            } else if let Some(c) = col_of(s) {
                let glyph = theme.mark().chars().next().unwrap_or('o');
                row[c] = (glyph, selected || row[c].1);
            }
        }
        let name = crate::model::service::service(recid).map(|s| s.name).unwrap_or(recid);
        let mut spans = vec![Span::raw(format!("{:<label_w$} ", name.chars().take(label_w).collect::<String>()))];
        for (ch, sel) in row {
            let st = if sel { theme.style(Role::Selected) } else { theme.style(Role::Bar) };
            spans.push(Span::styled(ch.to_string(), st));
        }
        lines.push(Line::from(spans));
    }
    // HRI band per year on the same axis
    let mut hri = vec![' '; cols];
    for y in &t.years {
        if let (Some(c), Some(b)) = (col_of(y.start), &y.hri_scot_band) {
            for (j, ch) in b.chars().enumerate() {
                if c + j < cols {
                    hri[c + j] = ch;
                }
            }
        }
    }
    lines.push(Line::from(vec![Span::raw(format!("{:<label_w$} ", "HRI band")), Span::styled(hri.into_iter().collect::<String>(), theme.style(Role::Hri))]));
    f.render_widget(Paragraph::new(lines), chart);

    let mut d = Vec::new();
    if let Some(i) = e.event_sel {
        if let (Some(ev), Some(evv)) = (t.events.get(i), view.events.get(i)) {
            let when = match (ev.start, ev.end) {
                (Some(s), Some(en)) if en != s => format!("{} to {}", day_text(e, s, index_day), day_text(e, en, index_day)),
                (Some(s), _) => day_text(e, s, index_day),
                _ => "-".into(),
            };
            let prefix = if e.dates == crate::model::timeline::DateMode::Relative { "day " } else { "" };
            d.push(Line::from(Span::styled(
                format!("selected {}/{}: {prefix}{when}  {}  cost {}", i + 1, t.events.len(), ev.service_name(), pounds(ev.cost, theme)),
                theme.style(Role::Header),
            )));
            if let Some(j) = t.journey_of(i) {
                d.push(Line::from(format!(
                    "journey {} ({}): {}  {} nights, {:.0} delayed, cost {}",
                    j.number,
                    if j.emergency { "emergency" } else if j.elective { "elective" } else { "other" },
                    j.path.join(" -> "),
                    j.length_of_stay.unwrap_or(0),
                    j.delayed_beddays.max(0.0).abs(),
                    pounds(j.cost, theme)
                )));
            }
            let details = evv.details.join(" | ");
            if !details.is_empty() {
                d.push(Line::from(theme.text(&details)));
            }
            if let Some(y) = t.year_of(i) {
                d.push(Line::from(format!(
                    "{}: health cost {}, emergency admissions {}, bed days {}, HRI band {}",
                    y.label,
                    money(y.health_cost, theme),
                    y.emergency_admissions,
                    y.inpatient_beddays,
                    y.hri_scot_band.clone().unwrap_or_else(|| "-".into())
                )));
            }
        }
    }
    f.render_widget(Paragraph::new(d).block(section("selected event", theme)), detail);
}
