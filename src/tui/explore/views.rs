//! Views of the cohort builder, members list and timeline: pure functions of the explore state
//! and what they are given to read (`View`).
use super::{short_id, CohortAnswer, ExploreState};
use crate::analysis::disclosure::at;
use crate::ops::NamedTable;
use crate::tui::shown;
use crate::model::cohort::Measure;
use crate::model::timeline::Day;
use crate::tui::screen::Screen;
use crate::tui::shown::OnScreen;
use crate::tui::theme::{Role, Theme};
use crate::tui::views::widgets::{fit, money, pounds, section};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
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
        Screen::Pathways => super::pathways_view::draw(f, area, &v.state.pathways, v.busy, v.theme),
        Screen::Delays => super::delays_view::draw(f, area, &v.state.delays, v.busy, v.theme),
        Screen::Change => super::change_view::draw(f, area, &v.state.change, v.busy, v.theme),
        Screen::Cube => super::cube_view::draw(f, area, &v.state.cube, v.busy, v.theme),
        Screen::Compare => super::compare_view::draw(f, area, &v.state.compare, v.busy, v.theme),
        Screen::Unscheduled => super::unscheduled_view::draw(f, area, &v.state.unscheduled, v.busy, v.theme),
        Screen::SocialCare => super::social_care_view::draw(f, area, &v.state.social_care, v.busy, v.theme),
        Screen::Projections => super::projections_view::draw(f, area, &v.state.projections, v.busy, v.theme),
        _ => {}
    }
}



/// The published tables of the cohort answer: attrition, characterisation, measures.
pub fn cohort_tables(e: &ExploreState) -> (Option<&NamedTable>, Option<&NamedTable>, Option<&NamedTable>) {
    let find = |tables: &'_ [NamedTable], name: &str| -> Option<usize> { tables.iter().position(|t| t.name == name) };
    match &e.figures {
        None => (None, None, None),
        Some(CohortAnswer::Together(g)) => {
            let t = &g.tables;
            (find(t, "attrition").map(|i| &t[i]), find(t, "characterisation").map(|i| &t[i]), find(t, "measures").map(|i| &t[i]))
        }
        Some(CohortAnswer::Split { attrition, characterisation }) => {
            let a = attrition.as_ref().and_then(|g| find(&g.tables, "attrition").map(|i| &g.tables[i]));
            let (c, m) = match characterisation {
                Some(g) => (find(&g.tables, "characterisation").map(|i| &g.tables[i]), find(&g.tables, "measures").map(|i| &g.tables[i])),
                None => (None, None),
            };
            (a, c, m)
        }
    }
}

/// The cohort size as published: the last attrition step.
pub fn cohort_count(e: &ExploreState) -> Option<String> {
    let (a, _, _) = cohort_tables(e);
    let a = a?;
    a.table.rows.last().and_then(|r| r.get(2)).map(shown::cell)
}

fn cell_at(t: &NamedTable, row: usize, col: usize) -> String {
    t.table.get(at(row, col)).map(shown::cell).unwrap_or_default()
}

fn pct_at(t: &NamedTable, row: usize, col: usize) -> String {
    t.table.get(at(row, col)).map(shown::percent).unwrap_or_default()
}

/// Row of a table by its key (`sex/F`, `health_cost`).
fn row_of(t: &NamedTable, key: &str) -> Option<usize> {
    t.keys.iter().position(|k| k == key)
}

/// `text` cut to `w` characters (with a mark when cut), padded to `w`.

fn cohort(f: &mut Frame, area: Rect, v: &View) {
    let (e, theme) = (v.state, v.theme);
    let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let [left, right] = Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(top);
    let (att_t, char_t, meas_t) = cohort_tables(e);

    // Filters: keep the selected one in view.
    let mut lines = Vec::new();
    if e.spec.filters.is_empty() {
        lines.push(Line::from("No filters: everyone is in."));
        lines.push(Line::from(Span::styled("a adds one: age 65+, simd 1-2, ltc copd", theme.style(Role::Dim))));
    }
    let room = left.height.saturating_sub(1) as usize;
    let first = e.filter_sel.saturating_sub(room.saturating_sub(1));
    let fw = (left.width as usize).saturating_sub(5);
    for (i, flt) in e.spec.filters.iter().enumerate().skip(first).take(room) {
        let mark = if flt.enabled { "[x]" } else { "[ ]" };
        let style = if i == e.filter_sel { theme.style(Role::Selected) } else if flt.enabled { ratatui::style::Style::default() } else { theme.style(Role::Dim) };
        lines.push(Line::from(Span::styled(format!("{mark} {}", fit(&crate::format::strip_controls(&flt.label()), fw)), style)));
    }
    f.render_widget(Paragraph::new(lines).block(section("Filters", theme)), left);

    // Attrition: the count line is always the last line; steps scroll to the selected filter.
    let mut att = Vec::new();
    match att_t {
        Some(t) => {
            let rows = t.table.rows.len();
            let room = (right.height as usize).saturating_sub(2).max(1);
            // the step of the selected filter (steps follow the enabled filters in order)
            let sel_step = e.spec.filters.get(e.filter_sel).filter(|f| f.enabled).map(|_| 1 + e.spec.filters[..e.filter_sel].iter().filter(|f| f.enabled).count());
            let want = sel_step.unwrap_or(rows.saturating_sub(1)).min(rows.saturating_sub(1));
            let skip = (want + 1).saturating_sub(room);
            let w = (right.width as usize).saturating_sub(27).max(6);
            for r in (0..rows).skip(skip).take(room) {
                let label = if r == 0 { "start".to_string() } else { cell_at(t, r, 1) };
                att.push(Line::from(format!("{} {:>9} {:>7} {:>7}", fit(&label, w), cell_at(t, r, 2), pct_at(t, r, 3), pct_at(t, r, 4))));
            }
            let n = cohort_count(e).unwrap_or_default();
            att.push(Line::from(Span::styled(format!("= {n} people"), theme.style(Role::Header))));
        }
        None => att.push(Line::from("counting...")),
    }
    f.render_widget(Paragraph::new(att).block(section("Attrition", theme)), right);

    // This cohort vs everyone: who they are (left), what they use (right).
    let [bl, br] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    let row3 = |label: &str, a: String, b: String, w: usize| Line::from(format!("{} {a:>9} {b:>9}", fit(label, w)));
    let lw = (bl.width as usize).saturating_sub(21).max(6);
    let mut who = vec![Line::from(Span::styled(format!("{} {:>9} {:>9}", fit("", lw), "cohort", "all"), theme.style(Role::Header)))];
    match (char_t, meas_t) {
        (Some(c), Some(m)) => {
            who.push(row3("people", cell_at(m, 0, 1), cell_at(m, 0, 2), lw));
            for (key, label) in [("sex/F", "female"), ("age_band/85+", "aged 85+"), ("simd_quintile/1", "SIMD 1 (most dep.)"), ("hri_band/High", "HRI High band")] {
                if let Some(r) = row_of(c, key) {
                    who.push(row3(label, pct_at(c, r, 3), pct_at(c, r, 5), lw));
                }
            }
            if let Some(r) = c.keys.iter().position(|k| k.starts_with("ltc/")) {
                who.push(row3(&format!("LTC: {}", cell_at(c, r, 1)), pct_at(c, r, 3), pct_at(c, r, 5), lw));
            }
        }
        _ => who.push(Line::from("characterising...")),
    }
    f.render_widget(Paragraph::new(who).block(section("This cohort vs everyone", theme)), bl);

    let mw = (br.width as usize).saturating_sub(21).max(6);
    let mut uses = vec![Line::from(Span::styled(format!("{} {:>9} {:>9}", fit("per person", mw), "cohort", "all"), theme.style(Role::Header)))];
    if let Some(m) = meas_t {
        for ms in [Measure::HealthCost, Measure::EmergencyAdmissions, Measure::AcuteBeddays, Measure::DdBeddays, Measure::HcHours] {
            let Some(r) = row_of(m, ms.name()) else { continue };
            let fmt = |col: usize| match m.table.get(at(r, col)) {
                Some(c) if ms.is_money() => shown::value(c).map(|x| money(x, theme)).unwrap_or_else(|| shown::cell(c)),
                Some(c) => shown::cell(c),
                None => String::new(),
            };
            uses.push(row3(ms.label(), fmt(1), fmt(2), mw));
        }
        if let Some(r) = row_of(m, Measure::HealthCost.name()) {
            uses.push(row3("share of cost", pct_at(m, r, 3), "100%".into(), mw));
        }
    }
    f.render_widget(Paragraph::new(uses).block(section("Service use", theme)), br);
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
        cohort_count(e).unwrap_or_else(|| v.shown.count(p.total)),
        if e.desc { "(high first)" } else { "(low first)" },
        e.search.as_ref().map(|s| format!("  search '{s}'")).unwrap_or_default()
    );
    let mut lines = vec![Line::from(Span::styled(
        format!("  {:<8} {:>5} {:>3} {:>4} {:>4} {:>5} {:>8} {:>12}  {}", "person", "age", "sex", "SIMD", "LTCs", "emerg", "bed days", "cost", "HRI band"),
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
            "{} {:<8} {:>5} {:>3} {:>4} {:>4} {:>5} {:>8} {:>12}  {}",
            if selected { theme.pointer() } else { " " },
            short_id(&crate::format::strip_controls(&m.id)),
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
