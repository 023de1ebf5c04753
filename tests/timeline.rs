//! Timeline: for several people of a loaded population, the CLI's events, journeys, costs and
//! per-year totals equal an independent SQL computation over the extract files themselves
//! (read with DuckDB's CSV reader here, not through the workspace); relative mode never prints
//! a calendar date or a date of birth; unknown ids fail clearly; every view is audited.
mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    ws: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = small_extract(&dir.path().join("data"));
    let ws = dir.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&data]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    Fixture { _dir: dir, data, ws }
}

/// The display pseudonym of an anon_chi in this workspace, from the audited id map
/// (`export --reveal-ids`); the id itself when the workspace does not know it.
fn pseudonym(ws: &Path, anon_chi: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (w, d) = (ws.display().to_string(), dir.path().display().to_string());
    let out = carepath(&["export", "--workspace", &w, "--out", &d, "--reveal-ids", "--no-sdc"]);
    if !out.status.success() {
        return anon_chi.to_string();
    }
    let text = std::fs::read_to_string(dir.path().join("pseudonyms.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .find(|(_, a)| a.trim_start_matches('\'') == anon_chi)
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| anon_chi.to_string())
}

/// `carepath timeline --person` takes the display pseudonym: tests name people by anon_chi and
/// look the pseudonym up first.
fn timeline(ws: &Path, person: &str, extra: &[&str]) -> std::process::Output {
    let person = pseudonym(ws, person);
    let ws = ws.display().to_string();
    let mut args = vec!["timeline", "--workspace", ws.as_str(), "--person", person.as_str()];
    args.extend_from_slice(extra);
    carepath(&args)
}

fn timeline_json(ws: &Path, person: &str, extra: &[&str]) -> Value {
    let mut a = extra.to_vec();
    a.extend(["--format", "json"]);
    let out = timeline(ws, person, &a);
    assert!(out.status.success(), "timeline failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bad json ({e}): {}", stdout(&out)))
}

/// Independent SQL over the extract files (an in-memory DuckDB that never sees the workspace).
struct Raw {
    conn: duckdb::Connection,
}

impl Raw {
    fn new(data: &Path) -> Raw {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        let f = |n: &str| data.join(n).display().to_string().replace('\'', "''");
        conn.execute_batch(&format!(
            "CREATE TABLE ep AS SELECT * FROM read_csv('{}', header = true, all_varchar = true);
             CREATE TABLE demo AS SELECT *, to_base64(encode(lpad(chi_upi, 10, '0'))) AS anon_chi FROM read_csv('{}', header = true, all_varchar = true);
             CREATE TABLE hc AS SELECT * FROM read_csv('{}', header = true, all_varchar = true);
             CREATE TABLE ch AS SELECT * FROM read_csv('{}', header = true, all_varchar = true);
             CREATE TABLE sds AS SELECT * FROM read_csv('{}', header = true, all_varchar = true);
             CREATE TABLE eq AS SELECT * FROM read_csv('{}', header = true, all_varchar = true);",
            f("source-episode-file-1920.csv"),
            f("sc2-demographics.csv"),
            f("sc2-homecare.csv"),
            f("sc2-carehome.csv"),
            f("sc2-sds.csv"),
            f("sc2-equipment.csv"),
        ))
        .unwrap();
        Raw { conn }
    }

    fn i64(&self, sql: &str, p: &str) -> i64 {
        self.conn.query_row(sql, [p], |r| r.get::<_, Option<i64>>(0)).unwrap().unwrap_or(0)
    }

    fn f64(&self, sql: &str, p: &str) -> f64 {
        self.conn.query_row(sql, [p], |r| r.get::<_, Option<f64>>(0)).unwrap().unwrap_or(0.0)
    }

    /// Episodes + contacts (not NSU) + social care packages (one per package, whatever the FY).
    fn event_count(&self, p: &str) -> i64 {
        self.i64(
            "SELECT (SELECT count(*) FROM ep WHERE anon_chi = $1 AND recid <> 'NSU')
                  + (SELECT count(DISTINCT (hc_service_start_date, hc_service, hc_service_provider, reablement)) FROM hc JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1)
                  + (SELECT count(DISTINCT ch_admission_date) FROM ch JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1)
                  -- SDS: one per option received, plus option 4 for a mix (PHS `R/process_sc_all_sds.R` L60-77, L113-126)
                  + (SELECT coalesce(sum(o + CASE WHEN o > 1 THEN 1 ELSE 0 END), 0) FROM (
                       SELECT CAST(sds_option_1 AS INT) + CAST(sds_option_2 AS INT) + CAST(sds_option_3 AS INT) AS o
                       FROM sds JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1))
                  + (SELECT count(DISTINCT (service_type, service_start_date)) FROM eq JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1)",
            p,
        )
    }

    /// Health cost in FY 2019/20 (the SLF definition: acute, maternity, MH, GLS, OP, A&E, PIS, OoH).
    fn health_cost(&self, p: &str) -> f64 {
        self.f64(
            "SELECT sum(CAST(cost_total_net AS DOUBLE)) FROM ep WHERE anon_chi = ? AND year = '1920'
               AND recid IN ('01B', '02B', '04B', 'GLS', '00B', 'AE2', 'PIS', 'OoH')",
            p,
        )
    }

    /// Home care cost (hours x the hourly rate of the quarter's FY: £23.00 in 2019/20, later years
    /// +1% a year, `Rmarkdown/costs_home_care.Rmd` L50-67) + care home cost (nights in FY 2019/20,
    /// an open stay ending at its period end, not counted, `R/process_extract_care_home.R` L61-64;
    /// NCHC day rates, provision 1 at the without-nursing rate as PHS's cost lookup codes it,
    /// `Rmarkdown/costs_care_home.Rmd` L38-40; people aged 65+ only): the SLF rules, recomputed.
    fn social_care_cost(&self, p: &str) -> f64 {
        self.f64(
            "SELECT coalesce((SELECT sum(CAST(hc_hours_derived AS DOUBLE) * 23.00 * pow(1.01, greatest(CAST(left(hc.period, 4) AS INTEGER) - 2019, 0))) FROM hc JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1), 0)
                  + coalesce((SELECT sum(date_diff('day', CAST(ch_admission_date AS DATE),
                                   least(coalesce(CAST(ch_discharge_date AS DATE), CAST(period_end_date AS DATE)), DATE '2020-04-01'))
                                 * CASE nursing_care_provision WHEN '1' THEN 614.07 / 7 WHEN '0' THEN 714.90 / 7 ELSE (614.07 + 714.90) / 14 END)
                              FROM ch JOIN demo USING (sending_location, social_care_id)
                              WHERE anon_chi = $1 AND 2019 - year(CAST(chi_date_of_birth AS DATE)) - CASE WHEN month(CAST(chi_date_of_birth AS DATE)) > 9 THEN 1 ELSE 0 END >= 65), 0)",
            p,
        )
    }

    fn first_start(&self, p: &str) -> String {
        self.conn
            .query_row(
                "SELECT CAST(min(d) AS VARCHAR) FROM (
                   SELECT CAST(record_keydate1 AS DATE) d FROM ep WHERE anon_chi = $1 AND recid <> 'NSU'
                   UNION ALL SELECT CAST(hc_service_start_date AS DATE) FROM hc JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1
                   UNION ALL SELECT CAST(ch_admission_date AS DATE) FROM ch JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1
                   UNION ALL SELECT CAST(sds_start_date AS DATE) FROM sds JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1
                   UNION ALL SELECT CAST(service_start_date AS DATE) FROM eq JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = $1)",
                [p],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn days_between(&self, from: &str, to: &str) -> i64 {
        self.conn
            .query_row("SELECT date_diff('day', CAST(? AS DATE), CAST(? AS DATE))", [from, to], |r| r.get(0))
            .unwrap()
    }
}

fn events_of<'a>(v: &'a Value, recid: &str) -> Vec<&'a Value> {
    v["events"].as_array().unwrap().iter().filter(|e| e["service"]["recid"] == recid).collect()
}

fn total(v: &Value) -> f64 {
    v["events"].as_array().unwrap().iter().map(|e| e["cost"].as_f64().unwrap()).sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

#[test]
fn events_journeys_costs_and_years_match_independent_sql() {
    let fx = fixture();
    let raw = Raw::new(&fx.data);
    let people = [anon("0101501234"), anon("0203402346"), anon("1512853458"), anon("0707071111"), anon("3009309992")];
    for p in &people {
        let v = timeline_json(&fx.ws, p, &[]);
        for key in ["person", "events", "years"] {
            assert!(v.get(key).is_some(), "missing key {key}");
        }
        for e in v["events"].as_array().unwrap() {
            for key in ["service", "start", "end", "cost", "journey"] {
                assert!(e.get(key).is_some(), "event missing {key}: {e}");
            }
        }
        let n = v["events"].as_array().unwrap().len() as i64;
        assert_eq!(n, raw.event_count(p), "event count for {p}");
        let expect_total = raw.health_cost(p) + raw.social_care_cost(p);
        assert!(close(total(&v), expect_total), "total cost for {p}: {} vs {expect_total}", total(&v));
        let years = v["years"].as_array().unwrap();
        let y = years.iter().find(|y| y["year"] == "1920").unwrap_or_else(|| panic!("FY 2019/20 for {p}"));
        let all_years: f64 = years.iter().map(|y| y["total_cost"].as_f64().unwrap()).sum();
        assert!(close(all_years, expect_total), "years add up for {p}");
        assert!(close(y["health_cost"].as_f64().unwrap(), raw.health_cost(p)), "health cost for {p}: {y}");
        assert!(close(y["total_cost"].as_f64().unwrap(), expect_total), "year total for {p}: {y}");
        // first event is day 0 in relative mode
        if n > 0 {
            let first = raw.first_start(p);
            let min_start = v["events"].as_array().unwrap().iter().map(|e| e["start"].as_i64().unwrap()).min().unwrap();
            assert_eq!(min_start, 0, "{p}: first event is day 0 ({first})");
        }
    }
}

#[test]
fn multi_episode_journey_with_a_delay_and_care_home_after_hospital() {
    let fx = fixture();
    let raw = Raw::new(&fx.data);
    let a = anon("0101501234");
    let v = timeline_json(&fx.ws, &a, &[]);
    let first = raw.first_start(&a);

    // Journey: the CIJ's rows in the file (cij_marker 1, including the DD row) and nothing else.
    let journeys = v["journeys"].as_array().unwrap();
    assert_eq!(
        journeys.len() as i64,
        raw.i64("SELECT count(DISTINCT cij_marker) FROM ep WHERE anon_chi = ? AND cij_marker IS NOT NULL", &a)
    );
    let j = &journeys[0];
    let in_journey: Vec<&Value> = v["events"].as_array().unwrap().iter().filter(|e| e["journey"] == 1).collect();
    assert_eq!(in_journey.len() as i64, raw.i64("SELECT count(*) FROM ep WHERE anon_chi = ? AND cij_marker = '1'", &a));
    let mut services: Vec<String> =
        in_journey.iter().map(|e| e["service"]["recid"].as_str().unwrap().to_string()).collect();
    services.sort();
    assert_eq!(services, vec!["01B", "DD", "GLS"]);
    assert_eq!(j["path"], serde_json::json!(["Acute", "Geriatric long stay"]));
    assert_eq!(j["delays"].as_array().unwrap().len(), 1);
    assert!(j["emergency"].as_bool().unwrap());
    assert!(j["via_ae"].as_bool().unwrap(), "A&E attendance on the admission day");
    let journey_cost =
        raw.f64("SELECT sum(CAST(cost_total_net AS DOUBLE)) FROM ep WHERE anon_chi = ? AND cij_marker = '1'", &a);
    assert!(close(j["cost"].as_f64().unwrap(), journey_cost));
    let cij_start: String = raw
        .conn
        .query_row("SELECT min(cij_start_date) FROM ep WHERE anon_chi = ? AND cij_marker = '1'", [&a], |r| r.get(0))
        .unwrap();
    let cij_end: String = raw
        .conn
        .query_row("SELECT max(cij_end_date) FROM ep WHERE anon_chi = ? AND cij_marker = '1'", [&a], |r| r.get(0))
        .unwrap();
    assert_eq!(j["start"].as_i64().unwrap(), raw.days_between(&first, &cij_start));
    assert_eq!(j["end"].as_i64().unwrap(), raw.days_between(&first, &cij_end));
    assert_eq!(j["length_of_stay"].as_i64().unwrap(), raw.days_between(&cij_start, &cij_end));
    let dd_days = raw.f64("SELECT sum(CAST(yearstay AS DOUBLE)) FROM ep WHERE anon_chi = ? AND recid = 'DD'", &a);
    assert!(close(j["delayed_beddays"].as_f64().unwrap(), dd_days));
    let dd = &events_of(&v, "DD")[0];
    assert_eq!(dd["delay_reason"], "24C");
    assert!(dd["details"].to_string().contains("nursing home"), "{dd}");
    let acute = &events_of(&v, "01B")[0];
    assert_eq!(acute["specialty"]["name"], "General Medicine");
    assert_eq!(acute["diagnosis"]["chapter"], "X");
    assert_eq!(acute["diagnosis"]["chapter_name"], "Diseases of the respiratory system");

    // Care home after hospital: starts after the journey ends, as an open interval.
    let ch = events_of(&v, "CH");
    assert_eq!(ch.len(), 1);
    let ch_start: String = raw
        .conn
        .query_row(
            "SELECT ch_admission_date FROM ch JOIN demo USING (sending_location, social_care_id) WHERE anon_chi = ?",
            [&a],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ch[0]["start"].as_i64().unwrap(), raw.days_between(&first, &ch_start));
    assert!(ch[0]["start"].as_i64().unwrap() > j["end"].as_i64().unwrap());
    assert_eq!(ch[0]["ongoing"], true);
    assert_eq!(ch[0]["ch_nursing"], true);
    assert_eq!(ch[0]["journey"], Value::Null);
    let hc = events_of(&v, "HC");
    assert_eq!(hc[0]["hc_hours"].as_f64().unwrap(), 120.0);
    assert_eq!(hc[0]["hc_reablement"], true);

    // Year line: admissions, bed days, delay days from the file.
    let y = &v["years"][0];
    assert_eq!(y["emergency_admissions"].as_i64().unwrap(), raw.i64("SELECT count(DISTINCT cij_marker) FROM ep WHERE anon_chi = ? AND cij_pattype_code = '0' AND recid IN ('01B','GLS','02B','04B')", &a));
    let ip = raw.f64(
        "SELECT sum(CAST(yearstay AS DOUBLE)) FROM ep WHERE anon_chi = ? AND recid IN ('01B','GLS','02B','04B')",
        &a,
    );
    assert!(close(y["inpatient_beddays"].as_f64().unwrap(), ip));
    assert!(close(y["dd_beddays"].as_f64().unwrap(), dd_days));
    assert!(y["hri_scot_band"].is_string(), "HRI band per year: {y}");

    // LTC onset on the same axis (COPD first recorded before the first event).
    let copd_date: String =
        raw.conn.query_row("SELECT min(copd_date) FROM ep WHERE anon_chi = ?", [&a], |r| r.get(0)).unwrap();
    let ltc = v["ltc_onsets"].as_array().unwrap();
    assert_eq!(ltc.len(), 1);
    assert_eq!(ltc[0]["ltc"], "copd");
    assert_eq!(ltc[0]["onset"].as_i64().unwrap(), raw.days_between(&first, &copd_date));

    // Index on the first emergency admission: the journey starts at day 0.
    let v2 = timeline_json(&fx.ws, &a, &["--index", "first-emergency"]);
    assert_eq!(v2["journeys"][0]["start"], 0);
    assert_eq!(v2["index"]["used"], "first-emergency");
}

#[test]
fn a_death_ends_the_timeline() {
    let fx = fixture();
    let raw = Raw::new(&fx.data);
    let e = anon("3009309992");
    let v = timeline_json(&fx.ws, &e, &[]);
    let first = raw.first_start(&e);
    let death: String = raw
        .conn
        .query_row("SELECT record_keydate1 FROM ep WHERE anon_chi = ? AND recid = 'NRS'", [&e], |r| r.get(0))
        .unwrap();
    assert_eq!(v["person"]["died"], true);
    assert_eq!(v["person"]["death"].as_i64().unwrap(), raw.days_between(&first, &death));
    assert_eq!(v["person"]["age_at_death"], 89);
    let nrs = events_of(&v, "NRS");
    assert_eq!(nrs.len(), 1);
    assert_eq!(nrs[0]["service"]["name"], "Death");
    let last = v["events"].as_array().unwrap().last().unwrap();
    assert_eq!(last["service"]["recid"], "NRS");
    assert_eq!(v["years"][0]["died_in_year"], true);
    let mh = &events_of(&v, "04B")[0];
    assert_eq!(mh["journey"], 1);
    assert_eq!(mh["diagnosis"]["chapter"], "V");
    let table = stdout(&timeline(&fx.ws, &e, &[]));
    assert!(table.contains(&format!("Died day {}", raw.days_between(&first, &death))), "{table}");
}

#[test]
fn non_service_user_has_an_empty_timeline_with_a_year_line() {
    let fx = fixture();
    let d = anon("0707071111");
    let v = timeline_json(&fx.ws, &d, &[]);
    assert_eq!(v["events"].as_array().unwrap().len(), 0);
    assert_eq!(v["journeys"].as_array().unwrap().len(), 0);
    assert_eq!(v["years"].as_array().unwrap().len(), 1);
    assert_eq!(v["years"][0]["health_cost"].as_f64().unwrap(), 0.0);
    assert!(v["index"]["note"].is_string());
    let out = timeline(&fx.ws, &d, &[]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("no recorded service use"), "{}", stdout(&out));
}

#[test]
fn home_care_sds_and_elective_admission() {
    let fx = fixture();
    let b = anon("0203402346");
    let v = timeline_json(&fx.ws, &b, &[]);
    let sds = events_of(&v, "SDS");
    // options 1 and 3 chosen: each option received, plus option 4 for the mix (R/process_sc_all_sds.R L60-76)
    let mut options: Vec<i64> = sds.iter().filter_map(|e| e["sds_option"].as_i64()).collect();
    options.sort_unstable();
    assert_eq!(options, vec![1, 3, 4]);
    let hc = events_of(&v, "HC");
    assert_eq!(hc.len(), 1);
    assert_eq!(hc[0]["ongoing"], false);
    assert!(close(hc[0]["cost"].as_f64().unwrap(), 40.0 * 23.0));
    let op = events_of(&v, "00B");
    assert_eq!(op.len(), 2);
    assert!(op.iter().any(|e| e["details"].to_string().contains("did not attend")));
    let j = &v["journeys"][0];
    assert_eq!(j["elective"], true);
    assert_eq!(j["emergency"], false);
    assert_eq!(events_of(&v, "01B")[0]["specialty"]["name"], "Trauma & Orthopaedic Surgery");
}

/// True if `s` contains something that looks like a calendar date: YYYY-MM-DD, DD/MM/YYYY,
/// YYYY/MM/DD or DD-MM-YYYY.
fn has_calendar_date(s: &str) -> Option<String> {
    let b: Vec<char> = s.chars().collect();
    let digits = |i: usize, n: usize| i + n <= b.len() && b[i..i + n].iter().all(|c| c.is_ascii_digit());
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_digit() {
            continue;
        }
        for sep in ['-', '/', '.'] {
            let at = |k: usize| b.get(k) == Some(&sep);
            // YYYY-MM-DD (and YYYY-MM, hyphen only: "2019/20" is a financial year, not a date)
            if digits(i, 4)
                && at(i + 4)
                && digits(i + 5, 2)
                && !digits(i + 7, 1)
                && (sep == '-' || (at(i + 7) && digits(i + 8, 2)))
            {
                return Some(b[i..(i + 10).min(b.len())].iter().collect());
            }
            // DD/MM/YYYY
            if digits(i, 2) && at(i + 2) && digits(i + 3, 2) && at(i + 5) && digits(i + 6, 4) {
                return Some(b[i..i + 10].iter().collect());
            }
        }
    }
    None
}

#[test]
fn relative_mode_never_prints_a_calendar_date_or_birth_date() {
    assert!(has_calendar_date("x 2019-05-01 y").is_some());
    assert!(has_calendar_date("01/05/2019").is_some());
    assert!(has_calendar_date("2019/05/01").is_some());
    assert!(has_calendar_date("born 1950-01").is_some());
    assert!(has_calendar_date("FY 2019/20 day -12 £1,234.50").is_none());
    let fx = fixture();
    let people = [anon("0101501234"), anon("0203402346"), anon("1512853458"), anon("0707071111"), anon("3009309992")];
    let dobs = ["1950-01-01", "1940-03-15", "1985-12-20", "2007-07-07", "1930-09-30"];
    for p in &people {
        for index in ["first", "first-emergency", "became-hri"] {
            for format in ["table", "json", "csv"] {
                let out = timeline(&fx.ws, p, &["--index", index, "--format", format]);
                assert!(out.status.success(), "{}", stderr(&out));
                let text = format!("{}{}", stdout(&out), stderr(&out));
                assert!(
                    has_calendar_date(&text).is_none(),
                    "calendar date {:?} in relative {format} output:\n{text}",
                    has_calendar_date(&text)
                );
                for dob in dobs {
                    assert!(!text.contains(dob), "date of birth in output");
                    let (y, m) = (&dob[..4], &dob[5..7]);
                    assert!(
                        !text.contains(&format!("{m}/{y}")) && !text.contains(&format!("{y}{m}")),
                        "birth month in output"
                    );
                }
                assert!(!text.to_lowercase().contains("postcode"), "postcode mentioned");
                for pc in ["EH1 1AA", "G12 8QQ", "NE1 4XY", "AB10 1AA", "ZZ611AA"] {
                    assert!(!text.contains(pc), "postcode {pc} in output");
                }
            }
        }
    }
    // Calendar mode shows dates (only when asked).
    let out = timeline(&fx.ws, &people[0], &["--dates", "calendar"]);
    assert!(stdout(&out).contains("2019-05-01"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("1950-01-01"), "never the date of birth, even in calendar mode");
}

#[test]
fn unknown_person_fails_clearly() {
    let fx = fixture();
    let out = timeline(&fx.ws, "Tk9ULUEtUEVSU09O", &[]);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty(), "no empty screen: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("no person") && err.contains("Tk9ULUEtUEVSU09O"), "{err}");
    let out = timeline(&fx.ws, "Tk9ULUEtUEVSU09O", &["--format", "json"]);
    assert!(!out.status.success());
    // a missing workspace is not silently created
    let missing = fx.ws.with_file_name("nope.duckdb");
    let out = timeline(&missing, &anon("0101501234"), &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
    assert!(!missing.exists());
}

#[test]
fn every_view_is_audited() {
    let fx = fixture();
    let a = anon("0101501234");
    let b = anon("0203402346");
    for (p, extra) in [(&a, vec![]), (&b, vec!["--format", "json"]), (&a, vec!["--dates", "calendar"])] {
        assert!(timeline(&fx.ws, p, &extra).status.success());
    }
    let _ = timeline(&fx.ws, "bm9ib2R5", &[]);
    let (pa, pb) = (pseudonym(&fx.ws, &a), pseudonym(&fx.ws, &b));
    assert!(pa.starts_with('P') && pb.starts_with('P') && pa != pb, "{pa} {pb}");
    let conn = open_ro(&fx.ws);
    let n = |p: &str| {
        conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'timeline' AND detail = ?", [format!("timeline of {p}")], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(n(&pa), 2);
    assert_eq!(n(&pb), 1);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM audit_log WHERE action = 'timeline' AND detail LIKE '%bm9ib2R5%'"), 0, "nothing was shown for an unknown id");
    // A forged $USER changes nothing: the name comes from the passwd database.
    drop(conn);
    let forged = std::process::Command::new(bin())
        .args(["timeline", "--workspace", fx.ws.to_str().unwrap(), "--person", pa.as_str()])
        .env("USER", "mallory")
        .env("LOGNAME", "mallory")
        .output()
        .unwrap();
    assert!(forged.status.success(), "{}", stderr(&forged));
    let conn = open_ro(&fx.ws);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM audit_log WHERE username = 'mallory'"), 0);
    // No audit row names an anon_chi.
    for p in [&a, &b] {
        assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM audit_log WHERE detail LIKE '%{p}%' OR query LIKE '%{p}%'")), 0);
    }
    // The OS identity: the passwd name of the effective uid (as `id` reports it), not $USER.
    let uid = String::from_utf8(std::process::Command::new("id").arg("-u").output().unwrap().stdout).unwrap().trim().parse::<i64>().unwrap();
    let name = String::from_utf8(std::process::Command::new("id").arg("-un").output().unwrap().stdout).unwrap().trim().to_string();
    assert_eq!(
        q_i64(&conn, &format!("SELECT count(*) FROM audit_log WHERE action = 'timeline' AND (username <> '{name}' OR uid <> {uid} OR logged_at IS NULL OR workspace IS NULL)")),
        0
    );
}

#[test]
fn packages_spanning_financial_years_are_one_interval() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_extract(&dir.path().join("data"));
    write(
        &data.join("sc2-homecare-2021.csv"),
        "sending_location,social_care_id,period,hc_service_start_date,hc_service_end_date,hc_service,hc_service_provider,reablement,hc_hours_derived\n\
         230,A001,2020Q1,2019-06-01,2020-06-30,2,1,1,200\n",
    );
    let ws = dir.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&data]);
    assert!(out.status.success(), "{}", stderr(&out));
    let a = anon("0101501234");
    let conn = open_ro(&ws);
    let rows = q_i64(&conn, &format!("SELECT count(*) FROM event WHERE anon_chi = '{a}' AND recid = 'HC'"));
    assert_eq!(rows, 2, "the model keeps one row per FY");
    drop(conn);
    let v = timeline_json(&ws, &a, &[]);
    let hc = events_of(&v, "HC");
    assert_eq!(hc.len(), 1, "one package");
    assert_eq!(hc[0]["parts"], 2);
    assert_eq!(hc[0]["hc_hours"].as_f64().unwrap(), 320.0);
    // 120 h in 2019/20 at £23.00, 200 h in 2020/21 at £23.00 x 1.01 (costs_home_care.Rmd L50-67)
    assert!(close(hc[0]["cost"].as_f64().unwrap(), 120.0 * 23.0 + 200.0 * 23.0 * 1.01), "{}", hc[0]["cost"]);
    assert_eq!(hc[0]["years"], serde_json::json!(["1920", "2021"]));
    assert_eq!(hc[0]["ongoing"], false, "the latest report has an end date");
    assert!(hc[0]["end"].as_i64().unwrap() > 365);
}

#[test]
fn a_later_load_is_seen_by_the_next_timeline() {
    let fx = fixture();
    let a = anon("0101501234");
    let v = timeline_json(&fx.ws, &a, &[]);
    assert_eq!(v["years"].as_array().unwrap().len(), 1);
    let more = fx.data.parent().unwrap().join("more");
    write(
        &more.join("sc2-homecare-2021.csv"),
        "sending_location,social_care_id,period,hc_service_start_date,hc_service_end_date,hc_service,hc_service_provider,reablement,hc_hours_derived\n\
         230,A001,2020Q1,2020-05-01,,1,1,0,50\n",
    );
    let (_, out) = load_json(&fx.ws, &[&more]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = timeline_json(&fx.ws, &a, &[]);
    assert_eq!(events_of(&v, "HC").len(), 2, "the new package is on the timeline");
    assert!(v["years"].as_array().unwrap().iter().any(|y| y["year"] == "2021"), "and its year line");
}
