//! Turn one person's `event` rows into timeline events and journeys (pure; no SQL here, so the
//! grouping rules are unit-tested directly).
//!
//! Rules:
//! - Packages (HC, CH, SDS, AT) are stored one row per financial year; rows with the same
//!   service, type (`smrtype`) and start date are one package: cost, bed days and hours add up,
//!   the end is the latest end, and the package is open if its latest year's row is open.
//! - An episode that crosses 31 March is in both years' files of a real SLF (PHS
//!   `R/is_date_in_fyyear.R`; DD `R/process_extract_delayed_discharges.R` L80-90): rows of the
//!   same service, type, start and end from different years are one episode (one bar, one
//!   journey episode), and each year's row keeps its own bed days and cost.
//! - Inpatient episodes (01B, 02B, 04B, GLS) with the same CIJ (start and end dates of the CIJ,
//!   else the CIJ marker within the year) form one journey; an episode without CIJ fields is a
//!   journey of its own.
//! - A delayed discharge joins the journey with the same CIJ; failing that (`DD-No CIJ`), the
//!   journey whose stay contains its ready-for-discharge date (1 day either side); else none.
//! - A journey is "via A&E" when an A&E attendance starts on the admission day or the day before.
use crate::model::timeline::{lane_rank, Day, Journey, LtcOnset, PersonHeader, Timeline, TimelineEvent, YearSummary};
use std::collections::HashMap;

/// One row of `event` as read for a timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRow {
    pub event_id: i64,
    pub year: Option<String>,
    pub recid: String,
    pub smrtype: Option<String>,
    pub start: Option<Day>,
    pub end: Option<Day>,
    pub cost: f64,
    pub beddays: f64,
    pub stay: Option<f64>,
    pub cij_marker: Option<i64>,
    pub cij_start: Option<Day>,
    pub cij_end: Option<Day>,
    pub emergency: bool,
    pub elective: bool,
    pub ipdc: Option<String>,
    pub spec: Option<String>,
    pub tadm: Option<String>,
    pub diagnoses: Vec<String>,
    pub ppa: bool,
    pub attendance_status: Option<i64>,
    pub delay_reason: Option<String>,
    pub delay_reason_secondary: Option<String>,
    pub code9: bool,
    pub delay_end_reason: Option<i64>,
    pub ae_attendcat: Option<String>,
    pub ae_arrivalmode: Option<String>,
    pub prescribing_items: Option<f64>,
    pub ch_nursing: Option<bool>,
    pub ch_admission_type: Option<i64>,
    pub hc_hours: Option<f64>,
    pub hc_service: Option<i64>,
    pub hc_reablement: Option<bool>,
    pub sds_option: Option<i64>,
    pub source: Option<String>,
    pub file_id: Option<i64>,
    pub source_row: Option<i64>,
}

/// SLF records with a start and an end that a year file holds when they overlap its year.
fn spans_years(recid: &str) -> bool {
    matches!(recid, "01B" | "02B" | "04B" | "GLS" | "DD" | "DN" | "HL1" | "CMH")
}

fn is_package(recid: &str) -> bool {
    matches!(recid, "HC" | "CH" | "SDS" | "AT")
}

fn is_inpatient(recid: &str) -> bool {
    matches!(recid, "01B" | "02B" | "04B" | "GLS")
}

fn to_event(r: EventRow) -> TimelineEvent {
    let interval = crate::model::service::service(&r.recid).map(|s| s.interval).unwrap_or(false);
    let ongoing = interval && r.start.is_some() && r.end.is_none();
    let los = if is_inpatient(&r.recid) {
        r.stay.or_else(|| r.start.zip(r.end).map(|(s, e)| (e - s) as f64))
    } else if interval {
        r.start.zip(r.end).map(|(s, e)| (e - s) as f64)
    } else {
        None
    };
    TimelineEvent {
        event_id: r.event_id,
        event_ids: vec![r.event_id],
        recid: r.recid,
        smrtype: r.smrtype,
        years: r.year.into_iter().collect(),
        start: r.start,
        end: r.end,
        ongoing,
        cost: r.cost,
        beddays: r.beddays,
        length_of_stay: los,
        journey: None,
        emergency: r.emergency,
        elective: r.elective,
        ipdc: r.ipdc,
        tadm: r.tadm,
        spec: r.spec,
        diag1: r.diagnoses.first().cloned(),
        diagnoses: r.diagnoses,
        ppa: r.ppa,
        attendance_status: r.attendance_status,
        delay_reason: r.delay_reason,
        delay_reason_secondary: r.delay_reason_secondary,
        code9: r.code9,
        delay_end_reason: r.delay_end_reason,
        ae_attendcat: r.ae_attendcat,
        ae_arrivalmode: r.ae_arrivalmode,
        prescribing_items: r.prescribing_items,
        ch_nursing: r.ch_nursing,
        ch_admission_type: r.ch_admission_type,
        hc_hours: r.hc_hours,
        hc_service: r.hc_service,
        hc_reablement: r.hc_reablement,
        sds_option: r.sds_option,
        source: r.source,
        file_id: r.file_id,
        source_row: r.source_row,
        parts: 1,
    }
}

fn add_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(0.0) + y.unwrap_or(0.0)),
    }
}

/// Merge a later financial-year row of the same package into `p`.
fn merge_package(p: &mut TimelineEvent, r: TimelineEvent) {
    p.event_ids.extend(r.event_ids);
    for y in r.years {
        if !p.years.contains(&y) {
            p.years.push(y);
        }
    }
    p.cost += r.cost;
    p.beddays += r.beddays;
    p.hc_hours = add_opt(p.hc_hours, r.hc_hours);
    // The latest financial year's report says how the package stands: ended or still open.
    p.end = match (p.end, r.end) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (_, b) => b,
    };
    p.ongoing = r.ongoing;
    p.length_of_stay = p.start.zip(p.end).map(|(s, e)| (e - s) as f64);
    p.ch_nursing = match (p.ch_nursing, r.ch_nursing) {
        (Some(a), Some(b)) => Some(a || b),
        (a, b) => a.or(b),
    };
    p.hc_reablement = match (p.hc_reablement, r.hc_reablement) {
        (Some(a), Some(b)) => Some(a || b),
        (a, b) => a.or(b),
    };
    p.sds_option = p.sds_option.or(r.sds_option);
    p.ch_admission_type = p.ch_admission_type.or(r.ch_admission_type);
    p.parts += 1;
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CijKey {
    Dates(Day, Option<Day>),
    Marker(Option<String>, i64),
    Alone(i64),
}

fn cij_key(e: &TimelineEvent, row: &EventRowCij) -> CijKey {
    match (row.cij_start, row.cij_marker) {
        (Some(s), _) => CijKey::Dates(s, row.cij_end),
        (None, Some(m)) => CijKey::Marker(e.years.first().cloned(), m),
        (None, None) => CijKey::Alone(e.event_id),
    }
}

#[derive(Debug, Clone, Copy)]
struct EventRowCij {
    cij_marker: Option<i64>,
    cij_start: Option<Day>,
    cij_end: Option<Day>,
}

/// Assemble a timeline from its parts (events in any order).
pub fn assemble(
    person: PersonHeader,
    rows: Vec<EventRow>,
    years: Vec<YearSummary>,
    ltc_onsets: Vec<LtcOnset>,
) -> Timeline {
    // 1. events, packages merged
    let mut events: Vec<(TimelineEvent, EventRowCij)> = Vec::with_capacity(rows.len());
    let mut package_at: HashMap<(String, Option<String>, Option<Day>), usize> = HashMap::new();
    let mut episode_at: HashMap<(String, Option<String>, Option<Day>, Option<Day>), usize> = HashMap::new();
    let mut rows = rows;
    rows.sort_by(|a, b| (a.start, a.year.clone(), a.event_id).cmp(&(b.start, b.year.clone(), b.event_id)));
    for r in rows {
        let cij = EventRowCij { cij_marker: r.cij_marker, cij_start: r.cij_start, cij_end: r.cij_end };
        let e = to_event(r);
        if is_package(&e.recid) && e.start.is_some() {
            let key = (e.recid.clone(), e.smrtype.clone(), e.start);
            if let Some(&i) = package_at.get(&key) {
                merge_package(&mut events[i].0, e);
                continue;
            }
            package_at.insert(key, events.len());
        } else if spans_years(&e.recid) && e.start.is_some() {
            let key = (e.recid.clone(), e.smrtype.clone(), e.start, e.end);
            if let Some(&i) = episode_at.get(&key) {
                // only the same episode from another year's file, never two episodes of one year
                if !events[i].0.years.iter().any(|y| e.years.contains(y)) {
                    merge_package(&mut events[i].0, e);
                    continue;
                }
            }
            episode_at.insert(key, events.len());
        }
        events.push((e, cij));
    }
    events.sort_by(|(a, _), (b, _)| {
        (a.start, lane_rank(&a.recid), a.event_id).cmp(&(b.start, lane_rank(&b.recid), b.event_id))
    });

    // 2. journeys from inpatient episodes
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_key: HashMap<CijKey, usize> = HashMap::new();
    for (i, (e, cij)) in events.iter().enumerate() {
        if !is_inpatient(&e.recid) {
            continue;
        }
        let k = cij_key(e, cij);
        match by_key.get(&k) {
            Some(&g) => groups[g].push(i),
            None => {
                by_key.insert(k, groups.len());
                groups.push(vec![i]);
            }
        }
    }
    // order journeys by first episode start (groups are built in event order already)
    let mut delays: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (i, (e, cij)) in events.iter().enumerate() {
        if e.recid != "DD" {
            continue;
        }
        let by_cij = if cij.cij_start.is_some() || cij.cij_marker.is_some() {
            by_key.get(&cij_key(e, cij)).copied()
        } else {
            None
        };
        let g = by_cij.or_else(|| {
            let s = e.start?;
            groups.iter().position(|g| {
                let js = g.iter().filter_map(|&k| events[k].0.start).min();
                let open = g.iter().any(|&k| events[k].0.end.is_none());
                let je = g.iter().filter_map(|&k| events[k].0.end).max();
                match js {
                    Some(js) => s >= js - 1 && (open || je.is_some_and(|je| s <= je + 1)),
                    None => false,
                }
            })
        });
        if let Some(g) = g {
            delays[g].push(i);
        }
    }
    let mut journeys = Vec::with_capacity(groups.len());
    for (n, (eps, dds)) in groups.iter().zip(delays.iter()).enumerate() {
        let number = n + 1;
        let first = &events[eps[0]].0;
        let start = eps.iter().filter_map(|&k| events[k].0.start).min();
        let open = eps.iter().any(|&k| events[k].0.end.is_none());
        let end = if open { None } else { eps.iter().filter_map(|&k| events[k].0.end).max() };
        let last = &events[*eps.last().unwrap_or(&eps[0])].0;
        let via_ae = start.is_some_and(|s| {
            events.iter().any(|(e, _)| e.recid == "AE2" && e.start.is_some_and(|a| a == s || a == s - 1))
        });
        let mut all: Vec<usize> = eps.iter().chain(dds.iter()).copied().collect();
        all.sort_unstable();
        journeys.push(Journey {
            number,
            cij_marker: events[eps[0]].1.cij_marker,
            start,
            end,
            events: all,
            episodes: eps.clone(),
            delays: dds.clone(),
            emergency: eps.iter().any(|&k| events[k].0.emergency),
            elective: eps.iter().any(|&k| events[k].0.elective),
            via_ae,
            cost: eps.iter().chain(dds.iter()).map(|&k| events[k].0.cost).sum(),
            beddays: eps.iter().map(|&k| events[k].0.beddays).sum(),
            delayed_beddays: dds.iter().map(|&k| events[k].0.beddays).sum(),
            length_of_stay: start.zip(end).map(|(s, e)| (e - s) as i64),
            path: eps.iter().map(|&k| events[k].0.service_name().to_string()).collect(),
            admission_specialty: first.spec.clone(),
            discharge_specialty: last.spec.clone(),
            main_diagnosis: first.diag1.clone(),
        });
    }
    let mut events: Vec<TimelineEvent> = events.into_iter().map(|(e, _)| e).collect();
    for j in &journeys {
        for &k in &j.events {
            events[k].journey = Some(j.number);
        }
    }
    Timeline { person, events, journeys, years, ltc_onsets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::day_of;

    fn row(id: i64, recid: &str, s: Day, e: Option<Day>) -> EventRow {
        EventRow {
            event_id: id,
            recid: recid.into(),
            start: Some(s),
            end: e,
            year: Some("1920".into()),
            ..Default::default()
        }
    }

    #[test]
    fn cij_groups_episodes_and_delay() {
        let d = day_of(2019, 5, 1);
        let mut a = row(1, "01B", d, Some(d + 10));
        let mut g = row(2, "GLS", d + 10, Some(d + 20));
        let mut dd = row(3, "DD", d + 14, Some(d + 20));
        for r in [&mut a, &mut g, &mut dd] {
            r.cij_marker = Some(1);
            r.cij_start = Some(d);
            r.cij_end = Some(d + 20);
        }
        a.emergency = true;
        a.cost = 100.0;
        g.cost = 50.0;
        dd.beddays = 6.0;
        let ae = row(4, "AE2", d, Some(d));
        let mut elective = row(5, "01B", d + 100, Some(d + 100));
        elective.cij_marker = Some(2);
        elective.cij_start = Some(d + 100);
        elective.cij_end = Some(d + 100);
        let t = assemble(PersonHeader::new("x"), vec![dd, g, a, ae, elective], vec![], vec![]);
        assert_eq!(t.journeys.len(), 2);
        let j = &t.journeys[0];
        assert_eq!(j.episodes.len(), 2);
        assert_eq!(j.delays.len(), 1);
        assert!(j.emergency && j.via_ae);
        assert_eq!(j.cost, 150.0);
        assert_eq!(j.delayed_beddays, 6.0);
        assert_eq!(j.length_of_stay, Some(20));
        assert_eq!(j.path, vec!["Acute", "Geriatric long stay"]);
        assert_eq!(t.events[0].recid, "AE2"); // A&E before the admission on the same day
        assert_eq!(t.events[0].journey, None);
        assert_eq!(t.journeys[1].number, 2);
    }

    #[test]
    fn an_episode_in_both_year_files_is_one_stay() {
        // PHS writes an episode to every FY file it overlaps (`R/is_date_in_fyyear.R`)
        let d = day_of(2020, 3, 20);
        let mut a = row(1, "01B", d, Some(d + 16));
        let mut b = row(2, "01B", d, Some(d + 16));
        b.year = Some("2021".into());
        for (r, beds) in [(&mut a, 12.0), (&mut b, 4.0)] {
            r.beddays = beds;
            r.cost = beds * 100.0;
            r.cij_marker = Some(3);
            r.cij_start = Some(d);
            r.cij_end = Some(d + 16);
        }
        // a second, different episode on the same day of the same year stays separate
        let mut c = row(3, "01B", d, Some(d + 1));
        c.beddays = 1.0;
        let t = assemble(PersonHeader::new("x"), vec![b, a, c], vec![], vec![]);
        let stays: Vec<_> = t.events.iter().filter(|e| e.recid == "01B").collect();
        assert_eq!(stays.len(), 2);
        let long = stays.iter().find(|e| e.end == Some(d + 16)).unwrap();
        assert_eq!(long.beddays, 16.0);
        assert_eq!(long.cost, 1600.0);
        assert_eq!(long.years, vec!["1920".to_string(), "2021".to_string()]);
        let j = t.journeys.iter().find(|j| j.end == Some(d + 16)).unwrap();
        assert_eq!(j.episodes.len(), 1);
    }

    #[test]
    fn delay_without_cij_links_by_date() {
        let d = 18000;
        let a = row(1, "01B", d, Some(d + 30));
        let dd = row(2, "DD", d + 20, Some(d + 31));
        let lone = row(3, "DD", d + 200, Some(d + 210));
        let t = assemble(PersonHeader::new("x"), vec![a, dd, lone], vec![], vec![]);
        assert_eq!(t.journeys.len(), 1);
        assert_eq!(t.journeys[0].delays.len(), 1);
        assert_eq!(t.events.iter().filter(|e| e.journey.is_none()).count(), 1);
    }

    #[test]
    fn packages_merge_across_years() {
        let d = 18000;
        let mut h1 = row(1, "HC", d, None);
        h1.cost = 10.0;
        h1.hc_hours = Some(5.0);
        h1.smrtype = Some("HC-Per".into());
        let mut h2 = h1.clone();
        h2.event_id = 2;
        h2.year = Some("2021".into());
        h2.cost = 20.0;
        h2.hc_hours = Some(7.0);
        let mut ch1 = row(3, "CH", d + 5, Some(d + 400));
        ch1.beddays = 100.0;
        let mut ch2 = ch1.clone();
        ch2.event_id = 4;
        ch2.year = Some("2021".into());
        ch2.beddays = 200.0;
        let t = assemble(PersonHeader::new("x"), vec![h1, h2, ch1, ch2], vec![], vec![]);
        assert_eq!(t.events.len(), 2);
        let hc = &t.events[0];
        assert_eq!((hc.cost, hc.hc_hours, hc.parts, hc.ongoing), (30.0, Some(12.0), 2, true));
        assert_eq!(hc.years, vec!["1920", "2021"]);
        let ch = &t.events[1];
        assert_eq!((ch.beddays, ch.end, ch.length_of_stay), (300.0, Some(d + 400), Some(395.0)));
    }
}
