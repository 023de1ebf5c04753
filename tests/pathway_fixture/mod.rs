//! Extracts in the full published SLF layout (every episode column, `assets/`) for the pathway
//! tests: people whose health cost, deaths and residence change from year to year
//! (transitions), and people with dated service use around index events (pathways, time to
//! event). Expected figures are computed in the tests from these raw files (hand counts or an
//! independent DuckDB query over the CSVs), never by carepath's derive.
#![allow(dead_code)]
use crate::common::{carepath, load_json, stderr};
use crate::layout_fixture::{anon, published, write_csv, PLACES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub type Row = BTreeMap<String, String>;

/// Postcode areas PHS counts as Scottish, for the independent HRI population in tests.
pub const AREAS: &str = "('AB','DD','DG','EH','FK','G','HS','IV','KA','KW','KY','ML','PA','PH','TD','ZE')";
pub const HEALTH: &str = "('01B','02B','04B','GLS','00B','AE2','PIS','OoH')";

#[derive(Clone, Debug)]
pub struct Who {
    pub chi: String,
    pub dob: String,
    pub gender: u8,
    pub place: usize,
}

impl Who {
    pub fn new(i: usize) -> Who {
        let yy = 1925 + (i * 7) % 80;
        Who {
            chi: format!("{:02}{:02}{:02}{:04}", 1 + i % 28, 1 + i % 12, yy % 100, 1000 + i),
            dob: format!("{yy}-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            gender: (1 + i % 2) as u8,
            place: i % PLACES.len(),
        }
    }

    pub fn anon(&self) -> String {
        anon(&self.chi)
    }
}

/// One episode row of `who` with their residence (or a non-Scottish one when `resident` is false).
pub fn episode(who: &Who, year: &str, recid: &str, k1: &str, k2: &str, resident: bool) -> Row {
    let pl = &PLACES[who.place];
    let mut r: Row = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        r.insert(k.to_string(), v.to_string());
    };
    put("year", year);
    put("recid", recid);
    put("smrtype", recid);
    put("record_keydate1", k1);
    put("record_keydate2", k2);
    put("anon_chi", &who.anon());
    put("gender", &who.gender.to_string());
    put("dob", &who.dob);
    if resident {
        for (k, v) in [("postcode", pl.postcode), ("lca", pl.lca), ("hbrescode", pl.hbrescode), ("hb2019", pl.hb2019), ("hscp2019", pl.hscp2019),
            ("hscp2018", pl.hscp2018), ("ca2019", pl.ca2019), ("ca2018", pl.ca2018), ("datazone2011", pl.datazone)] {
            put(k, v);
        }
        put("gpprac", "10001");
    } else {
        put("postcode", "NE1 4XY");
        put("gpprac", "99999");
    }
    r
}

pub fn write_episodes(dir: &Path, year: &str, rows: &[Row]) {
    write_csv(&dir.join(format!("source-episode-file-{year}.csv")), &published("slf_episode_columns.csv"), rows);
}

/// `read_csv(...)` of one raw file, every column as text.
pub fn raw(dir: &Path, file: &str) -> String {
    format!("read_csv('{}', all_varchar=true, header=true)", dir.join(file).display())
}

// ---- transitions

/// People of the transitions extract and what happens to them (`i % 13`):
/// 0 dies in 2019/20 (NRS row), 1 dies in 2020/21 after using services, 2 dies in 2020/21 with
/// only the death registration that year (the 2019/20 row carries the date too), 3 has no later
/// record, 4 moves
/// out of Scotland in 2020/21; everyone else has a cost in every year. The last 6 people are
/// not Scottish residents in 2019/20.
pub const TRANSITION_PEOPLE: usize = 260;

pub fn fate(i: usize) -> usize {
    i % 13
}

pub fn cost(i: usize, year: &str) -> f64 {
    let n = TRANSITION_PEOPLE;
    // distinct costs in every year, spread over three orders of magnitude, reshuffled each year
    let k = match year {
        "1920" => i,
        "2021" => (i * 37 + 11) % n,
        _ => (i * 53 + 5) % n,
    };
    let base = 20.0 + (k as f64).powf(2.2) * 0.37;
    (base * 100.0).round() / 100.0 + (i as f64) / 1000.0
}

pub fn write_transitions_extract(dir: &Path) -> PathBuf {
    let mut y1 = Vec::new();
    let mut y2 = Vec::new();
    let mut y3 = Vec::new();
    for i in 0..TRANSITION_PEOPLE {
        let w = Who::new(i);
        let resident1 = i < TRANSITION_PEOPLE - 6;
        let mut r = episode(&w, "1920", "PIS", "2019-06-30", "2019-06-30", resident1);
        r.insert("cost_total_net".into(), format!("{:.3}", cost(i, "1920")));
        if fate(i) == 2 {
            r.insert("death_date".into(), "2020-10-10".into());
        }
        y1.push(r);
        match fate(i) {
            0 => y1.push(episode(&w, "1920", "NRS", "2020-01-15", "2020-01-15", resident1)),
            1 => {
                let mut r = episode(&w, "2021", "PIS", "2020-08-01", "2020-08-01", true);
                r.insert("cost_total_net".into(), format!("{:.3}", cost(i, "2021")));
                y2.push(r);
                y2.push(episode(&w, "2021", "NRS", "2020-09-01", "2020-09-01", true));
            }
            // the death registration is the only 2020/21 record (a person-year with no cost)
            2 => y2.push(episode(&w, "2021", "NRS", "2020-10-10", "2020-10-10", true)),
            3 => {}
            4 => {
                let mut r = episode(&w, "2021", "PIS", "2020-08-01", "2020-08-01", false);
                r.insert("cost_total_net".into(), format!("{:.3}", cost(i, "2021")));
                y2.push(r);
            }
            _ => {
                for (year, date, rows) in [("2021", "2020-07-01", &mut y2), ("2122", "2021-07-01", &mut y3)] {
                    let mut r = episode(&w, year, "PIS", date, date, true);
                    r.insert("cost_total_net".into(), format!("{:.3}", cost(i, year)));
                    rows.push(r);
                }
            }
        }
    }
    write_episodes(dir, "1920", &y1);
    write_episodes(dir, "2021", &y2);
    write_episodes(dir, "2122", &y3);
    dir.to_path_buf()
}

// ---- pathways and time to event

/// Days since 1970-01-01 of an ISO date (proleptic Gregorian), and back.
pub fn day_number(iso: &str) -> i64 {
    let p: Vec<i64> = iso.split('-').map(|x| x.parse().unwrap()).collect();
    let (y, m, d) = (if p[1] <= 2 { p[0] - 1 } else { p[0] }, p[1], p[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn iso(n: i64) -> String {
    let z = n + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

/// `date + k` days.
pub fn plus(date: &str, k: i64) -> String {
    iso(day_number(date) + k)
}

/// FY code of a date.
pub fn fy(date: &str) -> String {
    let p: Vec<i32> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let start = if p[1] >= 4 { p[0] } else { p[0] - 1 };
    format!("{:02}{:02}", start % 100, (start + 1) % 100)
}

/// One scripted event: what it is (grouped step name, as the issue lists them), start, end,
/// CIJ marker (admissions and DD), diagnosis.
#[derive(Clone, Debug)]
pub struct Ev {
    pub step: &'static str,
    pub start: String,
    pub end: String,
    pub cij: Option<u32>,
    pub diag1: Option<&'static str>,
}

fn ev(step: &'static str, start: String, days: i64, cij: Option<u32>) -> Ev {
    let end = plus(&start, days);
    Ev { step, start, end, cij, diag1: None }
}

/// A scripted person: template name, events (in any order) and long-term conditions with
/// their incidence dates (written into the `<ltc>_date` column of every one of their rows).
#[derive(Clone, Debug)]
pub struct Scripted {
    pub template: &'static str,
    pub who: Who,
    pub events: Vec<Ev>,
    pub ltcs: Vec<(&'static str, String)>,
}

/// The pathway extract's people: templates repeated with copy `j` shifting dates by `j` days:
/// T1 x14 A&E + emergency stay with a DD inside, then care home (day 30 + j);
/// T2 x12 emergency stay with a GLS episode of the same stay (day 10), home care (day 25), an
/// emergency readmission (day 66), death (day 101); T3 x11 an emergency stay and nothing after;
/// T4 x3 emergency stay, A&E twice (days 19, 24), readmission the day of the second A&E;
/// T5 x5 prescribing only (never indexed); T6 x2 emergency stay in February 2020, elective
/// admission (day 29), care home (day 121); T7 x10 emergency stay of two acute episodes (one
/// stay), death (day 40 + j). LTCs: T2 has COPD recorded 3 days before its first admission;
/// T7 dementia recorded in June 2018, before the loaded years.
pub fn scripted_people() -> Vec<Scripted> {
    let mut out = Vec::new();
    let mut i = 1000;
    let mut add = |template: &'static str, n: i64, f: &dyn Fn(i64) -> Vec<Ev>| {
        for j in 0..n {
            let events = f(j);
            let ltcs = match template {
                "T2" => vec![("copd", plus(&events[0].start, -3))],
                "T7" => vec![("dementia", "2018-06-01".to_string())],
                _ => Vec::new(),
            };
            out.push(Scripted { template, who: Who::new(i), events, ltcs });
            i += 1;
        }
    };
    add("T1", 14, &|j| {
        let a = plus("2019-06-01", j);
        vec![
            ev("A&E", a.clone(), 0, None),
            ev("Emergency admission", a.clone(), 14, Some(1)),
            ev("Delayed discharge", plus(&a, 7), 7, Some(1)),
            ev("Care home", plus(&a, 30 + j), 0, None),
        ]
    });
    add("T2", 12, &|j| {
        let a = plus("2019-09-10", j);
        let mut first = ev("Emergency admission", a.clone(), 10, Some(1));
        first.diag1 = Some("J441");
        vec![
            first,
            ev("GLS", plus(&a, 10), 11, Some(1)),
            ev("Home care", plus(&a, 25), 0, None),
            ev("Emergency admission", plus(&a, 66), 5, Some(2)),
            ev("Death", plus(&a, 101), 0, None),
        ]
    });
    add("T3", 11, &|j| vec![ev("Emergency admission", plus("2019-05-05", j), 2, Some(1))]);
    add("T4", 3, &|j| {
        let a = plus("2019-08-01", j);
        vec![
            ev("Emergency admission", a.clone(), 2, Some(1)),
            ev("A&E", plus(&a, 19), 0, None),
            ev("A&E", plus(&a, 24), 0, None),
            ev("Emergency admission", plus(&a, 24), 2, Some(2)),
        ]
    });
    add("T5", 5, &|_| Vec::new());
    add("T6", 2, &|j| {
        let a = plus("2020-02-01", j);
        vec![ev("Emergency admission", a.clone(), 4, Some(1)), ev("Elective admission", plus(&a, 29), 1, Some(2)), ev("Care home", plus(&a, 121), 0, None)]
    });
    add("T7", 10, &|j| {
        let a = plus("2019-12-01", j);
        vec![ev("Emergency admission", a.clone(), 9, Some(1)), ev("Emergency admission", plus(&a, 9), 2, Some(1)), ev("Death", plus(&a, 40 + j), 0, None)]
    });
    out
}

/// Episode rows of one scripted event.
fn event_row(p: &Scripted, e: &Ev) -> Row {
    let year = fy(&e.start);
    let (recid, end) = match e.step {
        "A&E" => ("AE2", e.start.clone()),
        "Emergency admission" | "Elective admission" => ("01B", e.end.clone()),
        "GLS" => ("GLS", e.end.clone()),
        "Delayed discharge" => ("DD", e.end.clone()),
        "Care home" => ("CH", String::new()),
        "Home care" => ("HC", String::new()),
        "Death" => ("NRS", e.start.clone()),
        other => panic!("no recid for {other}"),
    };
    let mut r = episode(&p.who, &year, recid, &e.start, &end, true);
    let put = |r: &mut Row, k: &str, v: &str| {
        r.insert(k.to_string(), v.to_string());
    };
    if let Some(m) = e.cij {
        put(&mut r, "cij_marker", &m.to_string());
        put(&mut r, "cij_start_date", &e.start);
        put(&mut r, "cij_end_date", &e.end);
        if recid != "DD" {
            put(&mut r, "ipdc", "I");
            let elective = e.step == "Elective admission";
            put(&mut r, "cij_pattype_code", if elective { "1" } else { "0" });
            put(&mut r, "cij_admtype", if elective { "11" } else { "33" });
            put(&mut r, "tadm", if elective { "11" } else { "33" });
            put(&mut r, "cost_total_net", "1500");
        }
    }
    if let Some(d) = e.diag1 {
        put(&mut r, "diag1", d);
    }
    with_ltcs(p, r)
}

/// The person's LTC incidence dates on one of their rows, as the SLF repeats them on each.
fn with_ltcs(p: &Scripted, mut r: Row) -> Row {
    for (ltc, date) in &p.ltcs {
        r.insert(format!("{ltc}_date"), date.clone());
    }
    r
}

pub fn write_pathways_extract(dir: &Path) -> PathBuf {
    let mut by_year: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for y in ["1920", "2021"] {
        by_year.insert(y.to_string(), Vec::new());
    }
    for p in scripted_people() {
        // everyone has prescribing in both years, so both years hold every person
        for (y, d) in [("1920", "2019-04-15"), ("2021", "2020-04-15")] {
            let dead_before = p.events.iter().any(|e| e.step == "Death" && e.start.as_str() < d);
            if !dead_before {
                let mut r = episode(&p.who, y, "PIS", d, d, true);
                r.insert("cost_total_net".into(), "40".into());
                by_year.get_mut(y).unwrap().push(with_ltcs(&p, r));
            }
        }
        for e in &p.events {
            let r = event_row(&p, e);
            by_year.entry(fy(&e.start)).or_default().push(r);
        }
    }
    for (y, rows) in &by_year {
        write_episodes(dir, y, rows);
    }
    dir.to_path_buf()
}

// ---- a loaded fixture

/// An extract written by a test into a temporary folder and loaded into a workspace there (the
/// load must reject nothing).
pub struct Loaded {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub ws: PathBuf,
}

pub fn load_extract(write: impl FnOnce(&Path) -> PathBuf) -> Loaded {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    assert_eq!(report["rejects_total"], 0, "{report}");
    Loaded { _tmp: tmp, dir, ws }
}

impl Loaded {
    /// `carepath <command> --workspace WS --format json <args>`, which must succeed, as JSON.
    pub fn json(&self, command: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec![command, "--workspace", self.ws.to_str().unwrap(), "--format", "json"];
        all.extend_from_slice(args);
        let out = carepath(&all);
        assert!(out.status.success(), "{all:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}
