//! `carepath socialcare` (issue 15, item 3: NDTi social care prevention measures) on an extract
//! in the full published episode layout written here, three financial years (2018/19, 2019/20,
//! 2020/21), with social care records scripted by hand:
//! - L x12: a home-care package since 1 June 2017 (before the first loaded year), a row in every
//!   year: long-standing clients, never entrants;
//! - Y1 x3: a package from May 2018, in the first loaded year: new only with `--lookback 0`;
//! - E2 x15: an alarm (AT) from 10 May 2019 + j (their entry), home care from 1 July 2019 + j at
//!   10 hours a week (2019/20's row: 10 x its days / 7 hours), 14 hours a week in 2020/21 (730
//!   hours); the first 11 move into a care home on 1 June 2020 + j;
//! - S x4: self-directed support only, from 1 October 2019 + j;
//! - E3 x12: home care from 1 May 2020 + j at 6, 7 or 8 hours a week (j % 3).
//!
//! SIMD quintile 1: L, Y1, S, E2 j < 10, E3 j >= 10; the others quintile 5.
//!
//! Expected figures come from independent SQL over the raw CSV rows (the definitions of
//! `model::socialcare` written again here) and hand counts in the comments, never from carepath.
mod common;
mod layout_fixture;
mod pathway_fixture;
mod tui_support;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use crossterm::event::KeyCode;
use tui_support::Harness;

const YEARS: [&str; 3] = ["1819", "1920", "2021"];

fn set(r: &mut Row, kv: &[(&str, &str)]) {
    for (k, v) in kv {
        r.insert(k.to_string(), v.to_string());
    }
}

/// Days a package from `start` runs in FY `year` (both ends counted, open to 31 March).
fn run_days(start: &str, year: &str) -> i64 {
    let fy_start = format!("20{}-04-01", &year[..2]);
    let fy_end = format!("20{}-03-31", &year[2..]);
    let from = day_number(start).max(day_number(&fy_start));
    day_number(&fy_end) - from + 1
}

/// A home-care row of FY `year` at `per_week` hours a week since `start`.
fn hc(w: &Who, year: &str, start: &str, per_week: f64, q: &str) -> Row {
    let mut r = episode(w, year, "HC", start, "", true);
    let hours = per_week * run_days(start, year) as f64 / 7.0;
    set(&mut r, &[("smrtype", "HC-Per"), ("hc_hours_annual", &format!("{hours:.6}")), ("simd2020v2_sc_quintile", q), ("locality", "Central")]);
    r
}

fn other(w: &Who, year: &str, recid: &str, start: &str, q: &str) -> Row {
    let mut r = episode(w, year, recid, start, "", true);
    set(&mut r, &[("simd2020v2_sc_quintile", q), ("locality", "Central")]);
    r
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut rows: Vec<Vec<Row>> = vec![Vec::new(), Vec::new(), Vec::new()];
    let mut i = 6000;
    let mut next = || {
        i += 1;
        Who::new(i)
    };
    for _ in 0..12 {
        let w = next();
        for (k, y) in YEARS.iter().enumerate() {
            rows[k].push(hc(&w, y, "2017-06-01", 5.0, "1"));
        }
    }
    for j in 0..3 {
        let w = next();
        let s = plus("2018-05-01", j);
        for (k, y) in YEARS.iter().enumerate() {
            rows[k].push(hc(&w, y, &s, 4.0, "1"));
        }
    }
    for j in 0..15 {
        let w = next();
        let q = if j < 10 { "1" } else { "5" };
        rows[1].push(other(&w, "1920", "AT", &plus("2019-05-10", j), q));
        let s = plus("2019-07-01", j);
        rows[1].push(hc(&w, "1920", &s, 10.0, q));
        rows[2].push(hc(&w, "2021", &s, 14.0, q));
        if j < 11 {
            rows[2].push(other(&w, "2021", "CH", &plus("2020-06-01", j), q));
        }
    }
    for j in 0..4 {
        let w = next();
        rows[1].push(other(&w, "1920", "SDS", &plus("2019-10-01", j), "1"));
    }
    for j in 0..12 {
        let w = next();
        let q = if j >= 10 { "1" } else { "5" };
        rows[2].push(hc(&w, "2021", &plus("2020-05-01", j), 6.0 + (j % 3) as f64, q));
    }
    for (k, y) in YEARS.iter().enumerate() {
        write_episodes(dir, y, &rows[k]);
    }
    dir.to_path_buf()
}

fn fixture() -> &'static Loaded {
    static F: OnceLock<Loaded> = OnceLock::new();
    F.get_or_init(|| load_extract(write_extract))
}

fn socialcare(args: &[&str]) -> Value {
    fixture().json("socialcare", args)
}

/// Per entrant, from the raw CSV rows: entry year and date, group keys, age at entry, first
/// home-care package hours per week, hours-per-week change over 6/12/24 months (NULL when not
/// followed that long), first care-home admission, age then and days to it. `lookback`: earlier
/// years of social care data an entry year needs (the files hold 1819, 1920, 2021).
fn entrants_sql(dir: &Path, lookback: usize) -> String {
    let files = YEARS.iter().map(|y| format!("'{}'", dir.join(format!("source-episode-file-{y}.csv")).display())).collect::<Vec<_>>().join(", ");
    let allowed: Vec<String> = YEARS[lookback.min(3)..].iter().map(|y| format!("'{y}'")).collect();
    let allowed = if allowed.is_empty() { "('none')".to_string() } else { format!("({})", allowed.join(", ")) };
    let growth = |m: u32| {
        format!(
            "(SELECT sum(h.h * greatest(0, date_diff('day', greatest(h.rf, e.entry), least(h.rt, CAST(e.entry + INTERVAL {m} MONTH AS DATE) - 1)) + 1) / h.days)
               * 7.0 / date_diff('day', e.entry, CAST(e.entry + INTERVAL {m} MONTH AS DATE))
             FROM hc h WHERE h.anon_chi = e.anon_chi)"
        )
    };
    format!(
        "WITH raw AS (SELECT * FROM read_csv([{files}], all_varchar = true, header = true, union_by_name = true)),
         sc AS (SELECT anon_chi, year, recid, CAST(record_keydate1 AS DATE) AS s, TRY_CAST(hc_hours_annual AS DOUBLE) AS h,
                  CAST(dob AS DATE) AS dob, gender, simd2020v2_sc_quintile AS q, lca,
                  make_date(2000 + CAST(substr(year, 1, 2) AS INTEGER), 4, 1) AS fs,
                  make_date(2000 + CAST(substr(year, 3, 2) AS INTEGER), 3, 31) AS fe
                FROM raw WHERE recid IN ('HC', 'CH', 'SDS', 'AT')),
         hc AS (SELECT anon_chi, s, h, greatest(s, fs) AS rf, fe AS rt, date_diff('day', greatest(s, fs), fe) + 1 AS days FROM sc WHERE recid = 'HC'),
         first AS (SELECT anon_chi, min(s) AS entry FROM sc GROUP BY anon_chi),
         e AS (SELECT f.anon_chi, f.entry,
                 CASE WHEN month(f.entry) >= 4 THEN year(f.entry) ELSE year(f.entry) - 1 END AS fy_start_year
               FROM first f),
         e2 AS (SELECT e.*, lpad(CAST(fy_start_year % 100 AS VARCHAR), 2, '0') || lpad(CAST((fy_start_year + 1) % 100 AS VARCHAR), 2, '0') AS entry_year FROM e),
         per AS (
           SELECT e.anon_chi, e.entry, e.entry_year,
             (SELECT any_value(q) FROM sc WHERE sc.anon_chi = e.anon_chi) AS q,
             (SELECT any_value(gender) FROM sc WHERE sc.anon_chi = e.anon_chi) AS gender,
             (SELECT any_value(lca) FROM sc WHERE sc.anon_chi = e.anon_chi) AS lca,
             (SELECT year(e.entry) - year(any_value(dob)) - CASE WHEN month(e.entry) < month(any_value(dob)) THEN 1 ELSE 0 END FROM sc WHERE sc.anon_chi = e.anon_chi) AS age,
             (SELECT arg_min(h.h * 7.0 / h.days, h.rf) FROM hc h WHERE h.anon_chi = e.anon_chi) AS first_hpw,
             {g6} AS w6, {g12} AS w12, {g24} AS w24,
             e.entry + INTERVAL 6 MONTH <= DATE '2021-04-01' AS f6,
             e.entry + INTERVAL 12 MONTH <= DATE '2021-04-01' AS f12,
             e.entry + INTERVAL 24 MONTH <= DATE '2021-04-01' AS f24,
             (SELECT min(s) FROM sc WHERE sc.anon_chi = e.anon_chi AND recid = 'CH') AS ch
           FROM e2 e WHERE e.entry_year IN {allowed})
         SELECT anon_chi, entry_year, q, gender, lca, CAST(age AS DOUBLE) AS age, first_hpw,
           CASE WHEN f6 AND first_hpw IS NOT NULL THEN w6 - first_hpw END AS c6,
           CASE WHEN f12 AND first_hpw IS NOT NULL THEN w12 - first_hpw END AS c12,
           CASE WHEN f24 AND first_hpw IS NOT NULL THEN w24 - first_hpw END AS c24,
           ch,
           CASE WHEN ch IS NOT NULL THEN CAST((SELECT year(ch) - year(any_value(dob)) - CASE WHEN month(ch) < month(any_value(dob)) THEN 1 ELSE 0 END FROM sc WHERE sc.anon_chi = per.anon_chi) AS DOUBLE) END AS ch_age,
           CAST(date_diff('day', entry, ch) AS DOUBLE) AS ch_days
         FROM per",
        g6 = growth(6),
        g12 = growth(12),
        g24 = growth(24),
    )
}

/// The measures of the entrants `filter` picks (SQL over `entrants_sql`), in the JSON's names.
fn expected(lookback: usize, filter: &str) -> Vec<(&'static str, Option<f64>)> {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let sql = format!(
        "SELECT count(*), avg(age), median(age), count(first_hpw), avg(first_hpw), median(first_hpw),
           count(c6), avg(c6), count(c12), avg(c12), count(c24), avg(c24),
           count(ch), avg(ch_age), median(ch_age), median(ch_days)
         FROM ({}) WHERE {filter}",
        entrants_sql(&fixture().dir, lookback)
    );
    let names = [
        "entrants",
        "mean_age_at_entry",
        "median_age_at_entry",
        "hc_entrants",
        "mean_first_hc_hours_per_week",
        "median_first_hc_hours_per_week",
        "followed_6m",
        "mean_growth_6m",
        "followed_12m",
        "mean_growth_12m",
        "followed_24m",
        "mean_growth_24m",
        "care_home_movers",
        "mean_age_at_care_home",
        "median_age_at_care_home",
        "median_days_to_care_home",
    ];
    c.query_row(&sql, [], |r| {
        let mut out = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let v: Option<f64> = match i {
                0 | 3 | 6 | 8 | 10 | 12 => Some(r.get::<_, i64>(i)? as f64),
                _ => r.get::<_, Option<f64>>(i)?,
            };
            out.push((*n, v));
        }
        Ok(out)
    })
    .unwrap()
}

/// Every measure of a published row equals the independent figure (to its printed decimals).
fn assert_row(row: &Value, want: &[(&str, Option<f64>)], what: &str) {
    for (name, v) in want {
        let got = &row[*name];
        match v {
            Some(x) => {
                let g = got.as_f64().unwrap_or_else(|| panic!("{what}: {name} is {got}, expected {x}"));
                assert!((g - x).abs() <= 0.051, "{what}: {name} = {g}, expected {x}");
            }
            None => assert!(got.is_null(), "{what}: {name} = {got}, expected nothing"),
        }
    }
}

fn row<'a>(v: &'a Value, group: &str) -> &'a Value {
    v["rows"].as_array().unwrap().iter().find(|r| r["group"] == group).unwrap_or_else(|| panic!("no row {group} in {v}"))
}

#[test]
fn socialcare_entrants_by_year_follow_the_look_back() {
    // Hand count, --lookback 1 (default): 2018/19 has no earlier year, so it counts no one; L
    // entered in 2017/18 (not loaded) and Y1 in 2018/19: neither is new. 2019/20: E2 15 + S 4
    // = 19; 2020/21: E3 12; total 31.
    let v = socialcare(&["--by", "year", "--no-sdc"]);
    let groups: Vec<&str> = v["rows"].as_array().unwrap().iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["2019/20", "2020/21"], "{v}");
    assert_eq!(row(&v, "2019/20")["entrants"], 19);
    assert_eq!(row(&v, "2020/21")["entrants"], 12);
    assert_eq!(v["total"]["entrants"], 31);
    assert_row(row(&v, "2019/20"), &expected(1, "entry_year = '1920'"), "2019/20");
    assert_row(row(&v, "2020/21"), &expected(1, "entry_year = '2021'"), "2020/21");
    assert_row(&v["total"], &expected(1, "true"), "total");
    // --lookback 2: only 2020/21 has two earlier years
    let v2 = socialcare(&["--by", "year", "--lookback", "2", "--no-sdc"]);
    assert_eq!(v2["rows"].as_array().unwrap().len(), 1, "{v2}");
    assert_eq!(v2["total"]["entrants"], 12);
    // --lookback 0: 2018/19 counts Y1's 3 (L still entered before the data)
    let v0 = socialcare(&["--by", "year", "--lookback", "0", "--no-sdc"]);
    assert_eq!(row(&v0, "2018/19")["entrants"], 3);
    assert_eq!(v0["total"]["entrants"], 34);
    assert_row(&v0["total"], &expected(0, "true"), "lookback 0 total");
    // a baseline year: entry years from 2020/21 on
    let vf = socialcare(&["--by", "year", "--from", "2020/21", "--no-sdc"]);
    assert_eq!(vf["total"]["entrants"], 12, "{vf}");
}

#[test]
fn socialcare_package_growth_and_care_home_by_hand() {
    let v = socialcare(&["--by", "year", "--no-sdc"]);
    let y2 = row(&v, "2019/20");
    let y3 = row(&v, "2020/21");
    // first package: E2 10 hours a week (S has none: 15 of 19); E3 6, 7, 8 four times each:
    // mean 7, median 7
    assert_eq!(y2["hc_entrants"], 15);
    assert!((y2["mean_first_hc_hours_per_week"].as_f64().unwrap() - 10.0).abs() < 0.051, "{y2}");
    assert!((y3["mean_first_hc_hours_per_week"].as_f64().unwrap() - 7.0).abs() < 0.051, "{y3}");
    assert!((y3["median_first_hc_hours_per_week"].as_f64().unwrap() - 7.0).abs() < 0.051, "{y3}");
    // 6 months after E2's entry (10 May + j to 9 November + j: 184 days), home care ran from 1
    // July + j (132 days) at 10/7 hours a day: 1320/184 = 7.174 hours a week, growth -2.826.
    assert!((y2["mean_growth_6m"].as_f64().unwrap() - (1320.0 / 184.0 - 10.0)).abs() < 0.051, "{y2}");
    // 12 months (366 days, 2020 a leap year): (10 (275 - j) + 14 (39 + j)) / 366 hours a week,
    // mean over j = 0..14 (mean j = 7): 3324 / 366 - 10 = -0.918
    assert!((y2["mean_growth_12m"].as_f64().unwrap() - (3324.0 / 366.0 - 10.0)).abs() < 0.051, "{y2}");
    // 24 months would end in May 2021, after the data: no one followed
    assert_eq!(y2["followed_24m"], 0);
    assert!(y2["mean_growth_24m"].is_null());
    // E3 keeps its hours for 6 months (growth 0), and is not followed 12
    assert_eq!(y3["followed_6m"], 12);
    assert!(y3["mean_growth_6m"].as_f64().unwrap().abs() < 0.051, "{y3}");
    assert_eq!(y3["followed_12m"], 0);
    // care home: 11 of E2, each 388 days after entry (10 May 2019 + j to 1 June 2020 + j: 366 +
    // 22)
    assert_eq!(y2["care_home_movers"], 11);
    assert_eq!(y2["median_days_to_care_home"].as_f64(), Some(388.0));
    assert_eq!(y3["care_home_movers"], 0);
}

#[test]
fn socialcare_by_simd_sex_and_council_with_the_gap() {
    let by_simd = socialcare(&["--by", "simd", "--no-sdc"]);
    let q1 = row(&by_simd, "SIMD 1 (most deprived)");
    let q5 = row(&by_simd, "SIMD 5 (least deprived)");
    // quintile 1: E2 j < 10 (10), S (4), E3 j >= 10 (2) = 16; quintile 5: 5 + 10 = 15
    assert_eq!(q1["entrants"], 16);
    assert_eq!(q5["entrants"], 15);
    let w1 = expected(1, "q = '1'");
    let w5 = expected(1, "q = '5'");
    assert_row(q1, &w1, "SIMD 1");
    assert_row(q5, &w5, "SIMD 5");
    // the gap, quintile 1 minus quintile 5, in every split
    for by in ["simd", "year", "sex", "council"] {
        let v = socialcare(&["--by", by, "--no-sdc"]);
        let gap = &v["gap"];
        assert_eq!(gap["entrants"].as_f64(), Some(1.0), "{by}: {gap}");
        for m in ["mean_age_at_entry", "mean_first_hc_hours_per_week", "mean_growth_6m"] {
            let a = w1.iter().find(|(n, _)| *n == m).and_then(|x| x.1).unwrap();
            let b = w5.iter().find(|(n, _)| *n == m).and_then(|x| x.1).unwrap();
            assert!((gap[m].as_f64().unwrap() - (a - b)).abs() <= 0.11, "{by}: gap {m} = {}, expected {}", gap[m], a - b);
        }
    }
    // by sex: gender 1 male, 2 female in the file
    let by_sex = socialcare(&["--by", "sex", "--no-sdc"]);
    assert_row(row(&by_sex, "male"), &expected(1, "gender = '1'"), "male");
    assert_row(row(&by_sex, "female"), &expected(1, "gender = '2'"), "female");
    // by council: the groups add up to the total
    let by_council = socialcare(&["--by", "council", "--no-sdc"]);
    let sum: u64 = by_council["rows"].as_array().unwrap().iter().map(|r| r["entrants"].as_u64().unwrap()).sum();
    assert_eq!(sum, 31);
    // change from the baseline by year: 2020/21 minus 2019/20 = 12 - 19
    let by_year = socialcare(&["--by", "year", "--no-sdc"]);
    assert_eq!(by_year["change_from_baseline"][0]["entrants"].as_f64(), Some(-7.0), "{by_year}");
    assert!(by_year["not_in_data"][0].as_str().unwrap().contains("requests ending with no package"));
}

#[test]
fn socialcare_small_counts_are_withheld_by_default() {
    // 2018/19 with --lookback 0 has Y1's 3 entrants: withheld with their mean age, and the total
    // stays (secondary suppression withholds another year so 3 cannot come back as a difference)
    let v = socialcare(&["--by", "year", "--lookback", "0"]);
    let y1 = row(&v, "2018/19");
    assert_eq!(y1["entrants"], "*", "{v}");
    assert_eq!(y1["mean_age_at_entry"], "*", "{v}");
    let shown = v["rows"].as_array().unwrap().iter().filter(|r| r["entrants"] == "*").count();
    assert!(shown >= 2 || v["total"]["entrants"] == "*", "a lone withheld year could be subtracted: {v}");
    assert!(v["disclosure"]["applied"].as_bool().unwrap());
}

#[test]
fn socialcare_explains_a_bad_split_and_an_impossible_look_back() {
    let ws = fixture().ws.to_str().unwrap().to_string();
    let out = carepath(&["socialcare", "--workspace", &ws, "--by", "age"]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("age") && e.contains("year") && e.contains("council") && e.contains("simd"), "{e}");
    let out = carepath(&["socialcare", "--workspace", &ws, "--lookback", "3"]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("--lookback") && e.contains("2018/19"), "{e}");
}

/// The figures (numbers and `*`) of a screen line.
fn figures(line: &str) -> Vec<String> {
    line.split_whitespace().filter(|w| *w == "*" || w.parse::<f64>().is_ok()).map(str::to_string).collect()
}

/// The figures after `label` on the first screen line starting with it.
fn figures_after(screen: &str, label: &str) -> Vec<String> {
    let line = screen.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no line starting {label}:\n{screen}"));
    figures(&line[label.len()..])
}

fn close(shown: &str, want: f64, what: &str) {
    let v: f64 = shown.parse().unwrap_or_else(|_| panic!("{what}: {shown} is not a number"));
    assert!((v - want).abs() <= 0.051, "{what}: shown {v}, expected {want}");
}

/// The Social care screen (`S`) at 80x24 on a private copy of the fixture's workspace: the
/// entrants of each year as bars with the change from the baseline year (hand counts above:
/// 19, 12, total 31, 12 - 19 = -7), `s` to SIMD with the gap (16 - 15 = 1), `m` to mean age at
/// entry against the independent SQL, Enter for the numbers, `s` to council and `!` withholding
/// the councils' small counts.
#[test]
fn socialcare_screen_draws_each_measure_by_year_simd_and_council() {
    let ws = fixture().ws.with_file_name("ws-explorer.duckdb");
    std::fs::copy(&fixture().ws, &ws).unwrap();
    let mut h = Harness::open_at(&ws);
    h.char('S');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::SocialCare);
    let s = h.screen(80, 24);
    assert!(s.contains("entrants by year of entry (m measure, s split, Enter numbers)"), "{s}");
    assert!(s.lines().next().is_some_and(|l| l.contains("[S Social care]")), "the tabs fit:\n{s}");
    assert_eq!(figures_after(&s, "2019/20"), ["19"], "{s}");
    assert_eq!(figures_after(&s, "2020/21"), ["12", "-7"], "{s}");
    assert!(!s.contains("2018/19"), "2018/19 has no earlier year to tell entrants from clients:\n{s}");
    assert_eq!(figures_after(&s, "total "), ["31"], "{s}");
    assert!(s.contains("gap, SIMD 1 (most deprived) minus SIMD 5: 1"), "{s}");
    assert!(s.contains("not in the data: requests ending with no package"), "{s}");
    // by SIMD: 16 and 15 entrants, the gap 1
    h.char('s');
    let s = h.screen(80, 24);
    assert!(s.contains("entrants by SIMD quintile at entry"), "{s}");
    assert_eq!(figures_after(&s, "SIMD 1 (most deprived)"), ["16"], "{s}");
    assert_eq!(figures_after(&s, "SIMD 5 (least deprived)"), ["15"], "{s}");
    // mean age at entry, with the entrants it is measured over
    h.char('m');
    let s = h.screen(80, 24);
    assert!(s.contains("mean age at entry by SIMD"), "{s}");
    let age = |f: &str| expected(1, f).iter().find(|(n, _)| *n == "mean_age_at_entry").and_then(|x| x.1).unwrap();
    let q1 = figures_after(&s, "SIMD 1 (most deprived)");
    close(&q1[0], age("q = '1'"), "SIMD 1 mean age");
    assert_eq!(q1[1], "16", "{s}");
    close(&figures_after(&s, "SIMD 5 (least deprived)")[0], age("q = '5'"), "SIMD 5 mean age");
    let gap = s.lines().find(|l| l.contains("gap, SIMD 1")).unwrap();
    close(gap.rsplit(':').next().unwrap().trim(), age("q = '1'") - age("q = '5'"), "gap in mean age");
    // the numbers of every measure
    h.key(KeyCode::Enter);
    let s = h.screen(80, 24);
    assert!(s.contains("The numbers (Enter: the bars)") && s.contains("hrs/week") && s.contains("to CH"), "{s}");
    // "SIMD 1 (most d~" (the name cut to 15 columns), then entrants and mean age
    let q1 = figures_after(&s, "SIMD 1 (most d");
    assert_eq!(q1[0], "16", "{s}");
    close(&q1[1], age("q = '1'"), "SIMD 1 mean age in the numbers");
    h.key(KeyCode::Enter);
    // by council: the councils add up to 31; with disclosure control on, the small ones are
    // withheld
    h.char('s');
    let s = h.screen(80, 24);
    assert!(s.contains("by council of residence at entry"), "{s}");
    let c = duckdb::Connection::open_in_memory().unwrap();
    let sql = format!("SELECT count(*) FROM ({}) GROUP BY lca", entrants_sql(&fixture().dir, 1));
    let counts: Vec<i64> = c.prepare(&sql).unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    let small = counts.iter().filter(|n| (1..10).contains(*n)).count();
    assert!(small >= 1, "the fixture's councils have small counts: {counts:?}");
    let rows = |s: &str| -> Vec<Vec<String>> {
        let lines: Vec<&str> = s.lines().collect();
        let head = lines.iter().position(|l| l.contains("council of residence at entry") && l.contains("value")).unwrap_or_else(|| panic!("{s}"));
        let total = lines.iter().position(|l| l.starts_with("total ")).unwrap_or_else(|| panic!("a total row:\n{s}"));
        lines[head + 1..total].iter().map(|l| figures(l)).collect()
    };
    // the measure is still mean age at entry, with its entrants last on each row
    let entrants = |s: &str| -> Vec<String> { rows(s).iter().map(|r| r.last().cloned().unwrap_or_default()).collect() };
    let shown: i64 = entrants(&s).iter().map(|n| n.parse::<i64>().unwrap_or_else(|_| panic!("{n}:\n{s}"))).sum();
    assert_eq!(shown, 31, "{s}");
    assert_eq!(entrants(&s).len(), counts.len(), "{s}");
    h.char('!');
    let s = h.screen(80, 24);
    let withheld = entrants(&s).iter().filter(|n| *n == "*").count();
    assert!(withheld >= small, "{small} small councils, {withheld} withheld:\n{s}");
    for (r, n) in rows(&s).iter().zip(entrants(&s)) {
        assert!(n == "*" || n.parse::<i64>().unwrap() >= 10, "a small count shown: {n}\n{s}");
        assert!(n != "*" || r[0] == "*", "a mean shown beside a withheld count: {r:?}\n{s}");
    }
}
