//! One person's care pathway as plain data: events (episodes, contacts, packages), continuous
//! inpatient journeys, per-year summaries, LTC onsets, death; the index event and the pure
//! stepping functions the TUI uses (left/right, next of a service, jump to index, next person).
//!
//! Dates are kept as days since 1970-01-01 (`Day`) so the TUI can switch between relative and
//! calendar display without reloading. Anonymisation happens when a timeline is *shown*:
//! [`Timeline::view`] with [`DateMode::Relative`] (the default) never carries a calendar date,
//! and nothing here ever carries a date of birth or postcode.
use super::codes::rows;
use serde::Serialize;
use std::sync::OnceLock;
use super::delays::{delay_end_reason_name, delay_reason_description};

/// Days since 1970-01-01.
pub type Day = i32;

/// Which event is day 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexChoice {
    /// The first event in view.
    #[default]
    First,
    /// The start of the first emergency admission (its continuous inpatient journey).
    FirstEmergency,
    /// 1 April of the first financial year the person was an HRI at Scotland level.
    BecameHri,
}

impl IndexChoice {
    pub fn label(&self) -> &'static str {
        match self {
            IndexChoice::First => "first event",
            IndexChoice::FirstEmergency => "first emergency admission",
            IndexChoice::BecameHri => "became an HRI (Scotland)",
        }
    }
}

/// How dates are shown: days relative to the index (default, anonymised) or calendar dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateMode {
    #[default]
    Relative,
    Calendar,
}

/// Who the timeline is about: nothing that identifies (no date of birth, no postcode).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonHeader {
    pub anon_chi: String,
    /// "M" / "F" / None.
    pub sex: Option<String>,
    /// First of the birth month. Used only to compute ages; never shown or serialised.
    pub(crate) birth_ym: Option<Day>,
    pub death: Option<Day>,
    pub council: Option<String>,
    pub board: Option<String>,
    pub simd_quintile: Option<i64>,
}

impl PersonHeader {
    pub fn new(anon_chi: &str) -> PersonHeader {
        PersonHeader { anon_chi: anon_chi.to_string(), ..Default::default() }
    }

    /// Builder used by the store: birth year-month as a day number (kept private to the model).
    pub fn with_birth_ym(mut self, birth_ym: Option<Day>) -> PersonHeader {
        self.birth_ym = birth_ym;
        self
    }

    /// Age in whole years on `day` (birth month known, day of month not: the birthday is taken
    /// to fall on the first of the month).
    pub fn age_on(&self, day: Day) -> Option<i64> {
        let b = self.birth_ym?;
        let (by, bm, _) = ymd(b);
        let (y, m, _) = ymd(day);
        let mut age = (y - by) as i64;
        if m < bm {
            age -= 1;
        }
        (age >= 0).then_some(age)
    }
}

/// One episode, contact or package on the timeline. Packages (HC, CH, SDS, AT) that the model
/// stores as one row per financial year are merged into one interval (`parts` rows).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TimelineEvent {
    /// `event.event_id` of the first row (all rows in `event_ids`).
    pub event_id: i64,
    pub event_ids: Vec<i64>,
    pub recid: String,
    pub smrtype: Option<String>,
    /// Financial year(s) of the underlying rows, e.g. ["1920", "2021"].
    pub years: Vec<String>,
    #[serde(skip)]
    pub start: Option<Day>,
    #[serde(skip)]
    pub end: Option<Day>,
    /// An interval with no end date yet (package or stay still running at the end of the data).
    pub ongoing: bool,
    pub cost: f64,
    pub beddays: f64,
    /// Whole length of stay in days (`stay`, else end - start) for stays and packages.
    pub length_of_stay: Option<f64>,
    /// 1-based number of the continuous inpatient journey this event belongs to.
    pub journey: Option<usize>,
    pub emergency: bool,
    pub elective: bool,
    pub ipdc: Option<String>,
    pub tadm: Option<String>,
    pub spec: Option<String>,
    pub diag1: Option<String>,
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
    /// Provenance: which loaded file and row the (first) row came from.
    pub source: Option<String>,
    pub file_id: Option<i64>,
    pub source_row: Option<i64>,
    /// Number of per-financial-year rows merged into this event (1 for most).
    pub parts: usize,
}

impl TimelineEvent {
    pub fn service_name(&self) -> &'static str {
        super::service::service(&self.recid).map(|s| s.name).unwrap_or("Other")
    }

    pub fn is_inpatient(&self) -> bool {
        matches!(self.recid.as_str(), "01B" | "02B" | "04B" | "GLS")
    }

    pub fn is_package(&self) -> bool {
        matches!(self.recid.as_str(), "HC" | "CH" | "SDS" | "AT")
    }

    pub fn is_interval(&self) -> bool {
        super::service::service(&self.recid).map(|s| s.interval).unwrap_or(false)
    }

    pub fn specialty_name(&self) -> Option<&'static str> {
        self.spec.as_deref().and_then(specialty_name)
    }

    pub fn diagnosis_chapter(&self) -> Option<&'static Icd10Chapter> {
        self.diag1.as_deref().and_then(icd10_chapter)
    }

    /// Plain-English details, one phrase each (no dates), for tables and the TUI detail pane.
    pub fn details(&self) -> Vec<String> {
        let mut d = Vec::new();
        if let Some(t) = &self.smrtype {
            if matches!(self.recid.as_str(), "01B" | "02B" | "04B" | "GLS") {
                d.push(t.clone());
            }
        }
        if self.is_inpatient() {
            if self.emergency {
                d.push("emergency".into());
            } else if self.elective {
                d.push("elective".into());
            }
            if let Some(t) = &self.tadm {
                d.push(format!("admission type {t} {}", admission_type_name(t).unwrap_or("")).trim_end().to_string());
            }
            if self.ipdc.as_deref() == Some("D") {
                d.push("day case".into());
            }
            if self.ppa {
                d.push("potentially preventable".into());
            }
        }
        if let Some(s) = &self.spec {
            d.push(match specialty_name(s) {
                Some(n) => format!("{n} ({s})"),
                None => format!("specialty {s}"),
            });
        }
        if let Some(dx) = &self.diag1 {
            d.push(match icd10_chapter(dx) {
                Some(c) => format!("main diagnosis {dx} (Ch. {} {})", c.chapter, c.short_name),
                None => format!("main diagnosis {dx}"),
            });
        }
        if self.recid == "DD" {
            let reason = if self.code9 {
                match &self.delay_reason_secondary {
                    Some(s) => format!("Code 9 ({s})"),
                    None => "Code 9".to_string(),
                }
            } else {
                self.delay_reason.clone().unwrap_or_else(|| "unknown".into())
            };
            let desc = delay_reason_description(if self.code9 {
                self.delay_reason_secondary.as_deref()
            } else {
                self.delay_reason.as_deref()
            });
            d.push(match desc {
                Some(x) => format!("delay reason {reason}: {x}"),
                None => format!("delay reason {reason}"),
            });
            if let Some(r) = self.delay_end_reason {
                if let Some(n) = delay_end_reason_name(r) {
                    d.push(format!("delay ended: {n}"));
                }
            }
        }
        if let Some(c) = &self.ae_attendcat {
            d.push(format!("attendance category {c}"));
        }
        if let Some(m) = &self.ae_arrivalmode {
            d.push(format!("arrival mode {m}"));
        }
        if let Some(a) = self.attendance_status {
            match a {
                5 => d.push("attended, not seen".into()),
                8 => d.push("did not attend".into()),
                _ => {}
            }
        }
        if let Some(n) = self.prescribing_items {
            d.push(format!("{} items", fmt_num(n)));
        }
        if self.recid == "CH" {
            match self.ch_nursing {
                Some(true) => d.push("with nursing care".into()),
                Some(false) => d.push("without nursing care".into()),
                None => {}
            }
            if let Some(t) = self.ch_admission_type {
                d.push(match t {
                    1 => "respite".into(),
                    2 => "intermediate care".into(),
                    3 => "long-term care".into(),
                    x => format!("admission type {x}"),
                });
            }
        }
        if self.recid == "HC" {
            if let Some(h) = self.hc_hours {
                d.push(format!("{} hours", fmt_num(h)));
            }
            match self.hc_service {
                Some(2) => d.push("personal care".into()),
                Some(1) => d.push("non-personal care".into()),
                _ => {
                    if self.smrtype.as_deref() == Some("HC-Per") {
                        d.push("personal care".into());
                    } else if self.smrtype.as_deref() == Some("HC-Non-Per") {
                        d.push("non-personal care".into());
                    }
                }
            }
            if self.hc_reablement == Some(true) {
                d.push("reablement".into());
            }
        }
        if self.recid == "SDS" {
            if let Some(o) = self.sds_option {
                d.push(format!("option {o}: {}", sds_option_name(o)));
            }
        }
        if self.recid == "AT" {
            match self.smrtype.as_deref() {
                Some("AT-Alarm") => d.push("community alarm".into()),
                Some("AT-Tele") => d.push("telecare".into()),
                _ => {}
            }
        }
        if self.recid == "NRS" {
            d.push("death registered".into());
        }
        if self.ongoing {
            d.push("ongoing".into());
        }
        d
    }
}

/// A continuous inpatient journey (CIJ): its episodes in order (transfers between specialties
/// or hospitals) and the delayed discharge that held it up.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Journey {
    /// 1-based, in order of start.
    pub number: usize,
    pub cij_marker: Option<i64>,
    #[serde(skip)]
    pub start: Option<Day>,
    #[serde(skip)]
    pub end: Option<Day>,
    /// Indices into `Timeline::events`: inpatient episodes then delays, by start.
    pub events: Vec<usize>,
    /// Inpatient episodes only (transfers), in order.
    pub episodes: Vec<usize>,
    /// Delayed-discharge events inside this journey.
    pub delays: Vec<usize>,
    pub emergency: bool,
    pub elective: bool,
    /// An A&E attendance on the day of (or the day before) admission.
    pub via_ae: bool,
    pub cost: f64,
    pub beddays: f64,
    pub delayed_beddays: f64,
    /// Nights from admission to discharge (None while still in hospital).
    pub length_of_stay: Option<i64>,
    /// Service names of the episodes in order, e.g. ["Acute", "Geriatric long stay"].
    pub path: Vec<String>,
    pub admission_specialty: Option<String>,
    pub discharge_specialty: Option<String>,
    pub main_diagnosis: Option<String>,
}

/// One line per financial year: cost, bed days, admissions, LTCs and HRI band.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct YearSummary {
    /// `"1920"` style.
    pub year: String,
    /// `"2019/20"`.
    pub label: String,
    #[serde(skip)]
    pub start: Day,
    #[serde(skip)]
    pub end: Day,
    /// Age at the FY midpoint (30 September).
    pub age: Option<i64>,
    /// Health cost (the HRI basis: excludes DN, DD and social care).
    pub health_cost: f64,
    pub social_care_cost: f64,
    pub dn_cost: f64,
    /// Sum of all costs of this person's events recorded in this FY.
    pub total_cost: f64,
    pub emergency_admissions: i64,
    pub elective_admissions: i64,
    pub ae_attendances: i64,
    pub acute_beddays: f64,
    pub inpatient_beddays: f64,
    pub dd_beddays: f64,
    pub ch_beddays: f64,
    pub hc_hours: f64,
    pub pis_items: f64,
    pub ltc_count: i64,
    pub hri_scot: bool,
    pub hri_scot_band: Option<String>,
    pub hri_hb_band: Option<String>,
    pub hri_lca_band: Option<String>,
    pub died_in_year: bool,
}

/// First recorded (incidence) date of a long-term condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LtcOnset {
    pub ltc: String,
    pub label: String,
    #[serde(skip)]
    pub date: Day,
}

/// Day 0 of the view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexPoint {
    /// What was asked for.
    pub requested: IndexChoice,
    /// What day 0 actually is (falls back to the first event, then the first FY in view).
    pub used: IndexChoice,
    #[serde(skip)]
    pub day: Day,
    /// The event at day 0, if it is one.
    pub event: Option<usize>,
    pub label: String,
    /// Why the requested index could not be used.
    pub note: Option<String>,
}

/// Everything carepath knows about one person, ready to draw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    pub person: PersonHeader,
    /// Sorted by start (then care setting, then event id).
    pub events: Vec<TimelineEvent>,
    pub journeys: Vec<Journey>,
    pub years: Vec<YearSummary>,
    pub ltc_onsets: Vec<LtcOnset>,
}

impl Timeline {
    /// Date of death (NRS registration, else the demographic death date).
    pub fn death(&self) -> Option<Day> {
        self.person.death
    }

    /// First and last day of the data in view (events, years, death).
    pub fn span(&self) -> Option<(Day, Day)> {
        let mut lo: Option<Day> = None;
        let mut hi: Option<Day> = None;
        let mut see = |d: Day| {
            lo = Some(lo.map_or(d, |x| x.min(d)));
            hi = Some(hi.map_or(d, |x| x.max(d)));
        };
        for e in &self.events {
            if let Some(s) = e.start {
                see(s);
            }
            if let Some(x) = e.end {
                see(x);
            }
        }
        for y in &self.years {
            see(y.start);
            see(y.end);
        }
        if let Some(d) = self.person.death {
            see(d);
        }
        lo.zip(hi)
    }

    pub fn first_event(&self) -> Option<usize> {
        self.events.iter().position(|e| e.start.is_some())
    }

    /// The first event of the first emergency journey (or any emergency event).
    pub fn first_emergency(&self) -> Option<usize> {
        self.journeys
            .iter()
            .filter(|j| j.emergency)
            .filter_map(|j| j.episodes.first().copied())
            .chain(self.events.iter().position(|e| e.emergency))
            .min_by_key(|&i| (self.events[i].start, i))
    }

    /// The first financial year in which the person was an HRI at Scotland level.
    pub fn first_hri_year(&self) -> Option<&YearSummary> {
        self.years.iter().find(|y| y.hri_scot)
    }

    /// Resolve day 0. Falls back (with a note) when the person has no such event: first
    /// emergency / became HRI -> first event -> 1 April of the first year in view -> day 0 of
    /// 1970 (a person with nothing at all).
    pub fn index(&self, choice: IndexChoice) -> IndexPoint {
        let first = || -> Option<(Day, Option<usize>)> {
            if let Some(i) = self.first_event() {
                return self.events[i].start.map(|d| (d, Some(i)));
            }
            None
        };
        let mk = |used: IndexChoice, day: Day, event: Option<usize>, note: Option<String>| {
            let label = match (used, event) {
                (IndexChoice::First, None) => "start of the first financial year in view".to_string(),
                (u, _) => u.label().to_string(),
            };
            IndexPoint { requested: choice, used, day, event, label, note }
        };
        let fallback = |why: Option<String>| -> IndexPoint {
            match first() {
                Some((d, e)) => mk(IndexChoice::First, d, e, why),
                None => {
                    let d = self.years.first().map(|y| y.start).or(self.person.death).unwrap_or(0);
                    let why = why.or_else(|| Some("no recorded service use".to_string()));
                    mk(IndexChoice::First, d, None, why)
                }
            }
        };
        match choice {
            IndexChoice::First => fallback(None),
            IndexChoice::FirstEmergency => match self.first_emergency() {
                Some(i) => match self.events[i].start {
                    Some(d) => mk(choice, d, Some(i), None),
                    None => fallback(Some("no emergency admission; day 0 is the first event".into())),
                },
                None => fallback(Some("no emergency admission; day 0 is the first event".into())),
            },
            IndexChoice::BecameHri => match self.first_hri_year() {
                Some(y) => {
                    let ev = self.events.iter().position(|e| e.start.is_some_and(|s| s >= y.start));
                    let ev = ev.filter(|&i| self.events[i].start == Some(y.start));
                    mk(choice, y.start, ev, None)
                }
                None => fallback(Some(
                    "never an HRI at Scotland level in the years loaded; day 0 is the first event".into(),
                )),
            },
        }
    }

    /// Total cost of all events.
    pub fn total_cost(&self) -> f64 {
        self.events.iter().map(|e| e.cost).sum()
    }

    /// Age (whole years) on a given day; birth date itself is never exposed.
    pub fn age_on(&self, day: Day) -> Option<i64> {
        self.person.age_on(day)
    }

    /// Recids present, in care-setting lane order (for drawing one lane per service).
    pub fn lanes(&self) -> Vec<&'static str> {
        LANE_ORDER.iter().copied().filter(|r| self.events.iter().any(|e| e.recid == *r)).collect()
    }

    /// The journey an event belongs to.
    pub fn journey_of(&self, event: usize) -> Option<&Journey> {
        let n = self.events.get(event)?.journey?;
        self.journeys.get(n - 1)
    }

    /// The year summary for an event (by its first FY).
    pub fn year_of(&self, event: usize) -> Option<&YearSummary> {
        let y = self.events.get(event)?.years.first()?;
        self.years.iter().find(|s| &s.year == y)
    }

    /// A display/serialisable copy with dates either relative to the index or calendar.
    pub fn view(&self, index: IndexChoice, mode: DateMode) -> TimelineView {
        let ix = self.index(index);
        let at = |d: Option<Day>| -> Option<DateOut> { d.map(|d| DateOut::new(d, ix.day, mode)) };
        let person = PersonView {
            id: self.person.anon_chi.clone(),
            sex: self.person.sex.clone(),
            age_at_index: self.age_on(ix.day),
            age_band_at_index: self.age_on(ix.day).map(age_band),
            council: self.person.council.clone(),
            board: self.person.board.clone(),
            simd_quintile: self.person.simd_quintile,
            died: self.person.death.is_some(),
            death: at(self.person.death),
            age_at_death: self.person.death.and_then(|d| self.age_on(d)),
            ltc_count: self.years.last().map(|y| y.ltc_count).unwrap_or(0),
        };
        let events = self
            .events
            .iter()
            .map(|e| EventView {
                service: ServiceView { recid: e.recid.clone(), name: e.service_name().to_string() },
                start: at(e.start),
                end: at(e.end),
                age: e.start.and_then(|s| self.age_on(s)),
                specialty: e
                    .spec
                    .as_ref()
                    .map(|s| CodeName { code: s.clone(), name: specialty_name(s).map(str::to_string) }),
                diagnosis: e.diag1.as_ref().map(|d| DiagnosisView {
                    code: d.clone(),
                    chapter: icd10_chapter(d).map(|c| c.chapter.clone()),
                    chapter_name: icd10_chapter(d).map(|c| c.name.clone()),
                }),
                admission_type: e
                    .tadm
                    .as_ref()
                    .map(|t| CodeName { code: t.clone(), name: admission_type_name(t).map(str::to_string) }),
                delay_reason_description: if e.recid == "DD" {
                    delay_reason_description(if e.code9 {
                        e.delay_reason_secondary.as_deref()
                    } else {
                        e.delay_reason.as_deref()
                    })
                    .map(str::to_string)
                } else {
                    None
                },
                sds_option_name: e.sds_option.map(|o| sds_option_name(o).to_string()),
                details: e.details(),
                event: e.clone(),
            })
            .collect();
        let journeys = self
            .journeys
            .iter()
            .map(|j| JourneyView { start: at(j.start), end: at(j.end), journey: j.clone() })
            .collect();
        let years = self
            .years
            .iter()
            .map(|y| YearView { start: DateOut::new(y.start, ix.day, mode), summary: y.clone() })
            .collect();
        let ltc_onsets = self
            .ltc_onsets
            .iter()
            .map(|l| LtcView { ltc: l.ltc.clone(), label: l.label.clone(), onset: DateOut::new(l.date, ix.day, mode) })
            .collect();
        TimelineView {
            person,
            dates: mode,
            index: IndexView { at: if mode == DateMode::Calendar { Some(fmt_date(ix.day)) } else { None }, point: ix },
            events,
            journeys,
            years,
            ltc_onsets,
            total_cost: self.total_cost(),
        }
    }

    // ---- stepping (pure) -------------------------------------------------------------------

    /// The event after `current` (the first event when nothing is selected).
    pub fn next_event(&self, current: Option<usize>) -> Option<usize> {
        match current {
            None => (!self.events.is_empty()).then_some(0),
            Some(i) if i + 1 < self.events.len() => Some(i + 1),
            Some(_) => None,
        }
    }

    /// The event before `current` (the last event when nothing is selected).
    pub fn previous_event(&self, current: Option<usize>) -> Option<usize> {
        match current {
            None => self.events.len().checked_sub(1),
            Some(i) => i.min(self.events.len()).checked_sub(1),
        }
    }

    /// The next event of service `recid` after `current`.
    pub fn next_of_service(&self, current: Option<usize>, recid: &str) -> Option<usize> {
        let from = current.map_or(0, |i| i + 1);
        (from..self.events.len()).find(|&i| self.events[i].recid == recid)
    }

    /// The previous event of service `recid` before `current`.
    pub fn previous_of_service(&self, current: Option<usize>, recid: &str) -> Option<usize> {
        let to = current.unwrap_or(self.events.len()).min(self.events.len());
        (0..to).rev().find(|&i| self.events[i].recid == recid)
    }

    /// The event to select for day 0 (the index event, else the first event on or after it).
    pub fn jump_to_index(&self, choice: IndexChoice) -> Option<usize> {
        let ix = self.index(choice);
        ix.event.or_else(|| self.events.iter().position(|e| e.start.is_some_and(|s| s >= ix.day)))
    }

    /// The event nearest to relative day `day` (for clicking / panning to a position).
    pub fn event_at_day(&self, choice: IndexChoice, day: i64) -> Option<usize> {
        let ix = self.index(choice);
        let target = ix.day as i64 + day;
        self.events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.start.map(|s| (i, e, s as i64)))
            .min_by_key(|(_, e, s)| {
                let end = e.end.map_or(*s, |x| x as i64);
                if target >= *s && target <= end {
                    0
                } else {
                    (target - *s).abs().min((target - end).abs())
                }
            })
            .map(|(i, _, _)| i)
    }
}

/// Next person in a cohort's members list (in its sort order), for `]`.
pub fn next_person<'a>(members: &'a [String], current: &str) -> Option<&'a str> {
    let i = members.iter().position(|m| m == current)?;
    members.get(i + 1).map(String::as_str)
}

/// Previous person in a cohort's members list, for `[`.
pub fn previous_person<'a>(members: &'a [String], current: &str) -> Option<&'a str> {
    let i = members.iter().position(|m| m == current)?;
    i.checked_sub(1).and_then(|j| members.get(j)).map(String::as_str)
}

/// Lanes of the timeline chart in care-setting order (reference notes section 9).
pub const LANE_ORDER: [&str; 18] = [
    "AE2", "01B", "04B", "GLS", "02B", "DD", "CH", "HC", "AT", "SDS", "OoH", "DN", "CMH", "00B", "PIS", "HL1", "NRS",
    "NSU",
];

/// Sort key of a recid in lane order.
pub fn lane_rank(recid: &str) -> usize {
    LANE_ORDER.iter().position(|r| *r == recid).unwrap_or(LANE_ORDER.len())
}

/// Age band used in headers ("80-84").
pub fn age_band(age: i64) -> String {
    if age >= 90 {
        "90+".to_string()
    } else {
        let lo = age / 5 * 5;
        format!("{lo}-{}", lo + 4)
    }
}

// ---- serialisable view -------------------------------------------------------------------------

/// A date as shown: relative day (always) and the calendar date only in calendar mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DateOut {
    Relative(i64),
    Calendar(String),
}

impl DateOut {
    pub fn new(d: Day, index: Day, mode: DateMode) -> DateOut {
        match mode {
            DateMode::Relative => DateOut::Relative(d as i64 - index as i64),
            DateMode::Calendar => DateOut::Calendar(fmt_date(d)),
        }
    }

    /// "day -12" or "2019-05-01".
    pub fn text(&self) -> String {
        match self {
            DateOut::Relative(n) => format!("{n}"),
            DateOut::Calendar(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineView {
    pub person: PersonView,
    pub dates: DateMode,
    pub index: IndexView,
    pub events: Vec<EventView>,
    pub journeys: Vec<JourneyView>,
    pub years: Vec<YearView>,
    pub ltc_onsets: Vec<LtcView>,
    pub total_cost: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: String,
    pub sex: Option<String>,
    pub age_at_index: Option<i64>,
    pub age_band_at_index: Option<String>,
    pub council: Option<String>,
    pub board: Option<String>,
    pub simd_quintile: Option<i64>,
    pub died: bool,
    pub death: Option<DateOut>,
    pub age_at_death: Option<i64>,
    pub ltc_count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    #[serde(flatten)]
    pub point: IndexPoint,
    /// Calendar date of day 0 (calendar mode only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    pub recid: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeName {
    pub code: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiagnosisView {
    pub code: String,
    pub chapter: Option<String>,
    pub chapter_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub service: ServiceView,
    pub start: Option<DateOut>,
    pub end: Option<DateOut>,
    pub age: Option<i64>,
    pub specialty: Option<CodeName>,
    pub diagnosis: Option<DiagnosisView>,
    pub admission_type: Option<CodeName>,
    pub delay_reason_description: Option<String>,
    pub sds_option_name: Option<String>,
    pub details: Vec<String>,
    #[serde(flatten)]
    pub event: TimelineEvent,
}

#[derive(Debug, Clone, Serialize)]
pub struct JourneyView {
    pub start: Option<DateOut>,
    pub end: Option<DateOut>,
    #[serde(flatten)]
    pub journey: Journey,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub start: DateOut,
    #[serde(flatten)]
    pub summary: YearSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct LtcView {
    pub ltc: String,
    pub label: String,
    pub onset: DateOut,
}

// ---- code lists -------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icd10Chapter {
    /// Roman numeral.
    pub chapter: String,
    pub first: String,
    pub last: String,
    pub short_name: String,
    pub name: String,
}

pub fn icd10_chapters() -> &'static [Icd10Chapter] {
    static C: OnceLock<Vec<Icd10Chapter>> = OnceLock::new();
    C.get_or_init(|| {
        rows(include_str!("../../assets/icd10_chapters.csv"))
            .into_iter()
            .filter(|r| r.len() >= 5)
            .map(|r| Icd10Chapter {
                chapter: r[0].clone(),
                first: r[1].clone(),
                last: r[2].clone(),
                short_name: r[3].clone(),
                name: r[4].clone(),
            })
            .collect()
    })
}

/// ICD-10 chapter of a code such as `J441`, `J44.1` or `j44`.
pub fn icd10_chapter(code: &str) -> Option<&'static Icd10Chapter> {
    let c: String =
        code.trim().chars().filter(|c| c.is_ascii_alphanumeric()).take(3).collect::<String>().to_ascii_uppercase();
    let b = c.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_alphabetic() || !b[1].is_ascii_digit() || !b[2].is_ascii_alphanumeric() {
        return None;
    }
    icd10_chapters().iter().find(|ch| c.as_str() >= ch.first.as_str() && c.as_str() <= ch.last.as_str())
}

pub fn specialties() -> &'static [(String, String)] {
    static S: OnceLock<Vec<(String, String)>> = OnceLock::new();
    S.get_or_init(|| {
        rows(include_str!("../../assets/specialties.csv"))
            .into_iter()
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    })
}

/// Name of an SMR specialty code; sub-specialties fall back to their parent (`C11` -> `C1`);
/// allied health professions are `R1`..`RU`.
pub fn specialty_name(code: &str) -> Option<&'static str> {
    let c = code.trim().to_ascii_uppercase();
    let find = |k: &str| specialties().iter().find(|(s, _)| s == k).map(|(_, n)| n.as_str());
    if let Some(n) = find(&c) {
        return Some(n);
    }
    if c.len() > 2 {
        if let Some(n) = find(&c[..2]) {
            return Some(n);
        }
    }
    if c.starts_with('R') && c.len() >= 2 {
        return Some("Allied Health Professions");
    }
    None
}

/// SMR type of admission (`tadm`) names.
pub fn admission_type_name(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "10" => "routine, no detail",
        "11" => "routine elective (waiting list)",
        "12" => "routine, admitted on day of decision",
        "18" => "planned transfer",
        "19" => "routine, type not known",
        "20" => "urgent, no detail",
        "21" => "urgent, patient delay",
        "22" => "urgent, hospital delay",
        "30" => "emergency, no detail",
        "31" => "emergency, injury self-inflicted",
        "32" => "emergency, road traffic accident",
        "33" => "emergency, injury at home",
        "34" => "emergency, injury at work",
        "35" => "emergency, injury other",
        "36" => "emergency, non-injury",
        "38" => "other emergency (incl. transfer)",
        "40" => "other, no detail",
        "41" => "home birth",
        "42" => "maternity admission",
        "48" => "other",
        "99" => "unknown",
        _ => return None,
    })
}

pub fn sds_option_name(option: i64) -> &'static str {
    match option {
        1 => "direct payment",
        2 => "the person directs the available support",
        3 => "the local authority arranges the support",
        4 => "a mix of options",
        _ => "unknown option",
    }
}

// ---- dates -------------------------------------------------------------------------------------

/// (year, month, day) of a day number (proleptic Gregorian; H. Hinnant's algorithm).
pub fn ymd(d: Day) -> (i32, u32, u32) {
    let z = d as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, day)
}

/// Day number of a calendar date.
pub fn day_of(y: i32, m: u32, d: u32) -> Day {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as Day
}

/// ISO date text: only ever used in calendar mode.
pub fn fmt_date(d: Day) -> String {
    let (y, m, dd) = ymd(d);
    format!("{y:04}-{m:02}-{dd:02}")
}

/// `"1920"` -> (1 April 2019, 31 March 2020) as day numbers.
pub fn fy_bounds(year: &str) -> Option<(Day, Day)> {
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = year[..2].parse().ok()?;
    let start_year = if yy >= 80 { 1900 + yy } else { 2000 + yy };
    Some((day_of(start_year, 4, 1), day_of(start_year + 1, 3, 31)))
}

/// `"1920"` -> `"2019/20"`.
pub fn fy_label(year: &str) -> String {
    match fy_bounds(year) {
        Some((s, _)) => format!("{}/{}", ymd(s).0, &year[2..]),
        None => year.to_string(),
    }
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(recid: &str, start: Day) -> TimelineEvent {
        TimelineEvent { recid: recid.into(), start: Some(start), end: Some(start), parts: 1, ..Default::default() }
    }

    #[test]
    fn dates_round_trip() {
        for d in [-1000, 0, 1, 18017, 18383, 20000, 47000] {
            let (y, m, dd) = ymd(d);
            assert_eq!(day_of(y, m, dd), d);
        }
        assert_eq!(fmt_date(day_of(2019, 5, 1)), "2019-05-01");
        assert_eq!(fmt_date(day_of(2020, 2, 29)), "2020-02-29");
        assert_eq!(fy_label("1920"), "2019/20");
        assert_eq!(fy_bounds("9900").map(|(s, _)| fmt_date(s)), Some("1999-04-01".into()));
    }

    #[test]
    fn icd10_chapters_by_range() {
        assert_eq!(icd10_chapter("J441").map(|c| c.chapter.as_str()), Some("X"));
        assert_eq!(icd10_chapter("j44.1").map(|c| c.chapter.as_str()), Some("X"));
        assert_eq!(icd10_chapter("D48").map(|c| c.chapter.as_str()), Some("II"));
        assert_eq!(icd10_chapter("D50").map(|c| c.chapter.as_str()), Some("III"));
        assert_eq!(icd10_chapter("H60").map(|c| c.chapter.as_str()), Some("VIII"));
        assert_eq!(icd10_chapter("T81").map(|c| c.chapter.as_str()), Some("XIX"));
        assert_eq!(icd10_chapter("F03").map(|c| c.chapter.as_str()), Some("V"));
        assert_eq!(icd10_chapter("U071").map(|c| c.chapter.as_str()), Some("XXII"));
        assert_eq!(icd10_chapter(""), None);
        assert_eq!(icd10_chapter("123"), None);
        assert_eq!(icd10_chapters().len(), 22);
    }

    #[test]
    fn specialty_names() {
        assert_eq!(specialty_name("AB"), Some("Geriatric Medicine"));
        assert_eq!(specialty_name("c8"), Some("Trauma & Orthopaedic Surgery"));
        assert_eq!(specialty_name("A81"), Some("Endocrinology"));
        assert_eq!(specialty_name("C14"), Some("General Surgery"));
        assert_eq!(specialty_name("R3"), Some("Allied Health Professions"));
        assert_eq!(specialty_name("ZZ"), None);
    }

    #[test]
    fn stepping() {
        let t = Timeline {
            events: vec![ev("AE2", 10), ev("01B", 10), ev("PIS", 50), ev("01B", 70), ev("AE2", 90)],
            ..Default::default()
        };
        assert_eq!(t.next_event(None), Some(0));
        assert_eq!(t.next_event(Some(3)), Some(4));
        assert_eq!(t.next_event(Some(4)), None);
        assert_eq!(t.previous_event(Some(0)), None);
        assert_eq!(t.previous_event(Some(2)), Some(1));
        assert_eq!(t.previous_event(None), Some(4));
        assert_eq!(t.next_of_service(Some(1), "01B"), Some(3));
        assert_eq!(t.next_of_service(Some(3), "01B"), None);
        assert_eq!(t.previous_of_service(Some(4), "AE2"), Some(0));
        assert_eq!(t.previous_of_service(None, "PIS"), Some(2));
        assert_eq!(t.jump_to_index(IndexChoice::First), Some(0));
        assert_eq!(t.event_at_day(IndexChoice::First, 41), Some(2));
        let empty = Timeline::default();
        assert_eq!(empty.next_event(None), None);
        assert_eq!(empty.previous_event(None), None);
        assert_eq!(empty.previous_event(Some(3)), None);
    }

    #[test]
    fn index_falls_back_with_a_note() {
        let t = Timeline { events: vec![ev("AE2", 100), ev("PIS", 200)], ..Default::default() };
        let ix = t.index(IndexChoice::FirstEmergency);
        assert_eq!((ix.used, ix.day, ix.event), (IndexChoice::First, 100, Some(0)));
        assert!(ix.note.is_some());
        let mut t2 = t.clone();
        t2.events[1].emergency = true;
        assert_eq!(t2.index(IndexChoice::FirstEmergency).day, 200);
        let none = Timeline::default();
        assert_eq!(none.index(IndexChoice::BecameHri).event, None);
    }

    #[test]
    fn cohort_stepping() {
        let m: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(next_person(&m, "a"), Some("b"));
        assert_eq!(next_person(&m, "c"), None);
        assert_eq!(previous_person(&m, "b"), Some("a"));
        assert_eq!(previous_person(&m, "a"), None);
        assert_eq!(next_person(&m, "zz"), None);
    }

    #[test]
    fn ages_never_need_the_birth_day() {
        let p = PersonHeader::new("x").with_birth_ym(Some(day_of(1940, 3, 1)));
        assert_eq!(p.age_on(day_of(2019, 10, 2)), Some(79));
        assert_eq!(p.age_on(day_of(2020, 2, 28)), Some(79));
        assert_eq!(p.age_on(day_of(2020, 3, 1)), Some(80));
        assert_eq!(age_band(82), "80-84");
        assert_eq!(age_band(93), "90+");
    }

    #[test]
    fn relative_view_has_no_calendar_dates() {
        let t = Timeline { events: vec![ev("AE2", day_of(2019, 5, 1))], ..Default::default() };
        let v = serde_json::to_string(&t.view(IndexChoice::First, DateMode::Relative)).unwrap();
        assert!(!v.contains("2019-05-01"), "{v}");
        let v = serde_json::to_string(&t.view(IndexChoice::First, DateMode::Calendar)).unwrap();
        assert!(v.contains("2019-05-01"), "{v}");
    }
}
