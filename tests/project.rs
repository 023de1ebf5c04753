//! `carepath project` (issue 15, item 4) on an extract in the full published episode layout
//! written here: 160 scripted people of five councils (`Who::new`), every one with a
//! prescribing row in 2019/20 (the population), and
//! - every third (i % 3 == 0) an emergency stay of 2 + i % 5 days, every eleventh (i % 11 == 0)
//!   a second one of 4 days, every seventh with i % 7 == 1 an elective stay (not counted);
//! - every fourth (i % 4 == 0) a delayed discharge of 3 + i % 6 bed days (projected at 65+).
//!
//! The population files are written by the tests (no projection ships with carepath): an NRS
//! open-data layout file with a value per single year of age, and the same people summed by
//! hand into carepath's age bands in the simple layout.
//!
//! Expected figures: base-year counts per council, sex and age band by independent SQL over the
//! raw episode CSV (age at 30 September 2019 from the date of birth, bands written out here),
//! then rate x projected population summed over age and sex, computed here.
mod common;
mod layout_fixture;
mod pathway_fixture;
mod tui_support;
use common::{carepath, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use crossterm::event::KeyCode;
use tui_support::Harness;

const PEOPLE: usize = 160;
const FIRST: usize = 5000;
/// Councils of the fixture's places: (SLF code, council code, name).
const COUNCILS: [(&str, &str, &str); 5] = [
    ("14", "S12000036", "City of Edinburgh"),
    ("17", "S12000049", "Glasgow City"),
    ("29", "S12000029", "South Lanarkshire"),
    ("28", "S12000028", "South Ayrshire"),
    ("01", "S12000033", "Aberdeen City"),
];
/// carepath's age bands, written out independently: (label, lowest age, highest age).
const BANDS: [(&str, u32, u32); 6] = [("0-17", 0, 17), ("18-44", 18, 44), ("45-64", 45, 64), ("65-74", 65, 74), ("75-84", 75, 84), ("85+", 85, 200)];

fn set(r: &mut Row, kv: &[(&str, &str)]) {
    for (k, v) in kv {
        r.insert(k.to_string(), v.to_string());
    }
}

/// An inpatient episode, a CIJ of its own, emergency or elective, `days` bed days.
fn stay(w: &Who, cij: &str, start: &str, days: i64, emergency: bool) -> Row {
    let end = plus(start, days);
    let mut ip = episode(w, "1920", "01B", start, &end, true);
    let code = if emergency { "33" } else { "11" };
    let ys = days.to_string();
    set(
        &mut ip,
        &[
            ("cij_marker", cij),
            ("cij_start_date", start),
            ("cij_end_date", &end),
            ("ipdc", "I"),
            ("cij_pattype_code", if emergency { "0" } else { "1" }),
            ("cij_admtype", code),
            ("tadm", code),
            ("cij_ppa", "0"),
            ("yearstay", &ys),
            ("stay", &ys),
            ("cost_total_net", "1500"),
            ("spec", "A1"),
        ],
    );
    ip
}

fn write_extract(dir: &Path) -> PathBuf {
    let mut rows = Vec::new();
    for i in FIRST..FIRST + PEOPLE {
        let w = Who::new(i);
        let mut pis = episode(&w, "1920", "PIS", "2019-04-10", "2019-04-10", true);
        set(&mut pis, &[("cost_total_net", "30")]);
        rows.push(pis);
        let start = plus("2019-05-01", (i % 90) as i64);
        if i % 3 == 0 {
            rows.push(stay(&w, "1", &start, 2 + (i % 5) as i64, true));
        }
        if i % 11 == 0 {
            rows.push(stay(&w, "2", &plus(&start, 60), 4, true));
        }
        if i % 7 == 1 {
            rows.push(stay(&w, "3", &plus(&start, 120), 6, false));
        }
        if i % 4 == 0 {
            let s = plus(&start, 10);
            let days = 3 + (i % 6) as i64;
            let mut dd = episode(&w, "1920", "DD", &s, &plus(&s, days), true);
            let ys = days.to_string();
            set(&mut dd, &[("yearstay", &ys), ("stay", &ys), ("primary_delay_reason", "11A"), ("delay_end_reason", "3"), ("location", "G107H"), ("spec", "AB")]);
            rows.push(dd);
        }
    }
    write_episodes(dir, "1920", &rows);
    dir.to_path_buf()
}

fn fixture() -> &'static Loaded {
    static F: OnceLock<Loaded> = OnceLock::new();
    F.get_or_init(|| load_extract(write_extract))
}

/// Base-year counts of one (council SLF code, sex 1/2, band label) by SQL over the raw file:
/// people, emergency admissions (distinct emergency CIJs), their bed days, DD bed days.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    people: f64,
    adm: f64,
    bed_days: f64,
    dd: f64,
}

fn raw_cells(dir: &Path) -> BTreeMap<(String, String, String), Counts> {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let file = raw(dir, "source-episode-file-1920.csv");
    let band = BANDS.iter().map(|(l, lo, hi)| format!(" WHEN age_fy BETWEEN {lo} AND {hi} THEN '{l}'")).collect::<String>();
    let sql = format!(
        "WITH r AS (SELECT *, 2019 - year(CAST(dob AS DATE)) - CASE WHEN month(CAST(dob AS DATE)) > 9 THEN 1 ELSE 0 END AS age_fy FROM {file}),
         p AS (SELECT anon_chi, any_value(lca) AS lca, any_value(gender) AS sex, any_value(CASE {band} END) AS band, any_value(age_fy) AS age FROM r GROUP BY anon_chi),
         cij AS (SELECT anon_chi, cij_marker, sum(CAST(yearstay AS DOUBLE)) AS beds FROM r
                 WHERE recid IN ('01B','02B','04B','GLS') AND cij_pattype_code = '0' GROUP BY anon_chi, cij_marker),
         e AS (SELECT anon_chi, count(*) AS n, sum(beds) AS beds FROM cij GROUP BY anon_chi),
         dd AS (SELECT anon_chi, sum(CAST(yearstay AS DOUBLE)) AS d FROM r WHERE recid = 'DD' GROUP BY anon_chi)
         SELECT p.lca, p.sex, p.band, CAST(count(*) AS DOUBLE), CAST(coalesce(sum(e.n), 0) AS DOUBLE), coalesce(sum(e.beds), 0),
                coalesce(sum(dd.d) FILTER (WHERE p.age >= 65), 0)
         FROM p LEFT JOIN e USING (anon_chi) LEFT JOIN dd USING (anon_chi) GROUP BY 1, 2, 3"
    );
    let mut st = c.prepare(&sql).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next().unwrap() {
        let k = (r.get::<_, String>(0).unwrap(), r.get::<_, String>(1).unwrap(), r.get::<_, String>(2).unwrap());
        out.insert(k, Counts { people: r.get(3).unwrap(), adm: r.get(4).unwrap(), bed_days: r.get(5).unwrap(), dd: r.get(6).unwrap() });
    }
    out
}

/// The projected population of a council (index into COUNCILS), sex (1/2), single age, year:
/// made up here, different in every cell.
fn pop(council: usize, sex: u32, age: u32, year: i32) -> f64 {
    (100 + (age * 7 + council as u32 * 13 + sex * 5) % 50) as f64 + ((year - 2019) as f64) * f64::from(age / 10)
}

fn band_pop(council: usize, sex: u32, band: usize, year: i32) -> f64 {
    let (_, lo, hi) = BANDS[band];
    (lo..=hi.min(90)).map(|a| pop(council, sex, a, year)).sum()
}

const YEARS: std::ops::RangeInclusive<i32> = 2019..=2035;

fn write_nrs(path: &Path) {
    let mut s = String::from("Year,CA,CAQF,Sex,SexQF,AllAges");
    for a in 0..90 {
        s.push_str(&format!(",Age{a}"));
    }
    s.push_str(",Age90plus\n");
    for y in YEARS {
        for (ci, (_, code, _)) in COUNCILS.iter().enumerate() {
            for (sex, name) in [(1, "Male"), (2, "Female")] {
                let ages: Vec<String> = (0..=90).map(|a| format!("{}", pop(ci, sex, a, y))).collect();
                s.push_str(&format!("{y},{code},,{name},,0,{}\n", ages.join(",")));
            }
            // both sexes together: must be skipped
            let ages: Vec<String> = (0..=90).map(|a| format!("{}", pop(ci, 1, a, y) + pop(ci, 2, a, y))).collect();
            s.push_str(&format!("{y},{code},,All,d,0,{}\n", ages.join(",")));
        }
        // the Scotland total: must be skipped
        let ages: Vec<String> = (0..=90).map(|_| "999999".to_string()).collect();
        s.push_str(&format!("{y},S92000003,d,Male,,0,{}\n", ages.join(",")));
    }
    std::fs::write(path, s).unwrap();
}

fn write_simple(path: &Path) {
    let mut s = String::from("area,sex,age_band,year,population\n");
    for y in YEARS {
        for (ci, (_, _, name)) in COUNCILS.iter().enumerate() {
            for (sex, code) in [(1, "M"), (2, "F")] {
                for (b, (label, _, _)) in BANDS.iter().enumerate() {
                    s.push_str(&format!("{name},{code},{label},{y},{}\n", band_pop(ci, sex, b, y)));
                }
            }
        }
    }
    std::fs::write(path, s).unwrap();
}

struct Files {
    _tmp: tempfile::TempDir,
    nrs: PathBuf,
    simple: PathBuf,
    dir: PathBuf,
}

fn files() -> &'static Files {
    static F: OnceLock<Files> = OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let (nrs, simple) = (dir.join("CA_pop_proj.csv"), dir.join("simple.csv"));
        write_nrs(&nrs);
        write_simple(&simple);
        Files { _tmp: tmp, nrs, simple, dir }
    })
}

fn project(args: &[&str]) -> Value {
    fixture().json("project", args)
}

/// Expected projection per area (by `area_of` a council index) and year: rate of the area's
/// (sex, band) x its population, summed over sex and band, with `factor(band)` on admissions.
/// Returns (area, year) -> (population, admissions, bed days, DD bed days).
fn expected(area_of: &dyn Fn(usize) -> String, factor: &dyn Fn(usize) -> f64) -> BTreeMap<(String, i32), [f64; 4]> {
    let cells = raw_cells(&fixture().dir);
    let mut area_counts: BTreeMap<(String, u32, usize), Counts> = BTreeMap::new();
    for (ci, (lca, _, _)) in COUNCILS.iter().enumerate() {
        for sex in [1u32, 2] {
            for (b, (label, _, _)) in BANDS.iter().enumerate() {
                let c = cells.get(&(lca.to_string(), sex.to_string(), label.to_string())).copied().unwrap_or_default();
                let e = area_counts.entry((area_of(ci), sex, b)).or_default();
                e.people += c.people;
                e.adm += c.adm;
                e.bed_days += c.bed_days;
                e.dd += c.dd;
            }
        }
    }
    let mut out: BTreeMap<(String, i32), [f64; 4]> = BTreeMap::new();
    for y in 2020..=2035 {
        for ci in 0..COUNCILS.len() {
            for sex in [1u32, 2] {
                for b in 0..BANDS.len() {
                    let c = area_counts[&(area_of(ci), sex, b)];
                    let n = band_pop(ci, sex, b, y);
                    let rate = |v: f64| if c.people > 0.0 { v / c.people } else { 0.0 };
                    let e = out.entry((area_of(ci), y)).or_insert([0.0; 4]);
                    e[0] += n;
                    e[1] += rate(c.adm) * factor(b) * n;
                    e[2] += rate(c.bed_days) * n;
                    e[3] += rate(c.dd) * n;
                }
            }
        }
    }
    out
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn by_area_year(v: &Value) -> BTreeMap<(String, i64), Value> {
    v["rows"].as_array().unwrap().iter().map(|r| ((r["area"].as_str().unwrap().to_string(), r["year"].as_i64().unwrap()), r.clone())).collect()
}

/// Days of the financial year starting in `y`, by hand: 366 when the next February has a 29th.
fn fy_days(y: i32) -> f64 {
    if (y + 1) % 4 == 0 {
        366.0
    } else {
        365.0
    }
}

fn check(v: &Value, want: &BTreeMap<(String, i32), [f64; 4]>) {
    let got = by_area_year(v);
    for ((area, y), w) in want {
        let r = got.get(&(area.clone(), i64::from(*y))).unwrap_or_else(|| panic!("no row for {area} {y}: {v}"));
        assert!((num(&r["population"]) - w[0]).abs() < 0.51, "{area} {y} population {r}");
        assert!((num(&r["emergency_admissions"]) - w[1]).abs() < 0.051, "{area} {y} admissions {} vs {}", r["emergency_admissions"], w[1]);
        assert!((num(&r["emergency_bed_days"]) - w[2]).abs() < 0.051, "{area} {y} bed days {r} vs {}", w[2]);
        assert!((num(&r["dd_bed_days_65plus"]) - w[3]).abs() < 0.051, "{area} {y} DD {r} vs {}", w[3]);
        // beds needed at 85%: bed days / days of the financial year / 0.85
        let beds = w[2] / fy_days(*y) / 0.85;
        assert!((num(&r["beds_needed"]) - beds).abs() < 0.051, "{area} {y} beds needed {r} vs {beds}");
    }
}

fn council_name(ci: usize) -> String {
    COUNCILS[ci].2.to_string()
}

#[test]
fn projections_equal_base_rate_times_population_summed_over_age_and_sex() {
    let f = files();
    let v = project(&["--population", f.nrs.to_str().unwrap(), "--base-year", "1920", "--no-sdc"]);
    let want = expected(&council_name, &|_| 1.0);
    assert_eq!(want.len(), 5 * 16);
    check(&v, &want);
    assert_eq!(v["base_year"], "1920");
    // the base rows: the workspace's people and counts of 2019/20, by SQL over the raw file
    let cells = raw_cells(&fixture().dir);
    let got = by_area_year(&v);
    for (lca, _, name) in COUNCILS {
        let people: f64 = cells.iter().filter(|(k, _)| k.0 == lca).map(|(_, c)| c.people).sum();
        let adm: f64 = cells.iter().filter(|(k, _)| k.0 == lca).map(|(_, c)| c.adm).sum();
        let base = &got[&(name.to_string(), 2019)];
        assert_eq!(num(&base["population"]), people, "{name}");
        assert_eq!(num(&base["emergency_admissions"]), adm, "{name}");
        // change from the base year in 2035
        let last = &got[&(name.to_string(), 2035)];
        let w = want[&(name.to_string(), 2035)];
        assert!((num(&last["emergency_admissions_change"]) - (w[1] - adm)).abs() < 0.051, "{last}");
    }
    let total_people: f64 = cells.values().map(|c| c.people).sum();
    assert_eq!(total_people, PEOPLE as f64);
    // Scotland: the sum of the councils
    let scot = &got[&("Scotland".to_string(), 2030)];
    let sum: f64 = COUNCILS.iter().map(|(_, _, n)| want[&(n.to_string(), 2030)][1]).sum();
    assert!((num(&scot["emergency_admissions"]) - sum).abs() < 0.3, "{scot} vs {sum}");
}

#[test]
fn the_nrs_and_the_simple_layout_give_the_same_result() {
    let f = files();
    let a = project(&["--population", f.nrs.to_str().unwrap(), "--base-year", "1920", "--no-sdc"]);
    let b = project(&["--population", f.simple.to_str().unwrap(), "--base-year", "1920", "--no-sdc"]);
    assert!(a["rows"].as_array().unwrap().len() > 80);
    assert_eq!(a["rows"], b["rows"]);
}

#[test]
fn partnership_and_scotland_levels_use_their_own_rates() {
    let f = files();
    let v = project(&["--population", f.simple.to_str().unwrap(), "--base-year", "1920", "--area-level", "scotland", "--no-sdc"]);
    check(&v, &expected(&|_| "Scotland".to_string(), &|_| 1.0));
    // each fixture council is a partnership of its own (assets/hscps.csv names Edinburgh's
    // "Edinburgh")
    let v = project(&["--population", f.simple.to_str().unwrap(), "--base-year", "1920", "--area-level", "hscp", "--to", "2025", "--no-sdc"]);
    let hscp = |ci: usize| ["Edinburgh", "Glasgow City", "South Lanarkshire", "South Ayrshire", "Aberdeen City"][ci].to_string();
    let want: BTreeMap<_, _> = expected(&hscp, &|_| 1.0).into_iter().filter(|((_, y), _)| *y <= 2025).collect();
    check(&v, &want);
    assert!(by_area_year(&v).keys().all(|(_, y)| *y <= 2025));
}

#[test]
fn a_scenario_changes_exactly_the_cells_it_names() {
    let f = files();
    let path = f.dir.join("fewer.toml");
    std::fs::write(&path, "name = \"fewer admissions at 75+\"\n[[change]]\nmeasure = \"emergency_admissions\"\nage_band = \"75+\"\npercent = -10\n").unwrap();
    let v = project(&["--population", f.nrs.to_str().unwrap(), "--base-year", "1920", "--scenario", path.to_str().unwrap(), "--no-sdc"]);
    // bands 75-84 and 85+ (indices 4, 5) at 90%; bed days and DD unchanged
    let want = expected(&council_name, &|b| if b >= 4 { 0.9 } else { 1.0 });
    check(&v, &want);
    let plain = expected(&council_name, &|_| 1.0);
    assert!(want.iter().any(|(k, w)| (w[1] - plain[k][1]).abs() > 0.5), "the scenario must change something");
    assert_eq!(v["scenario"]["changes"][0]["percent"], -10.0);
    // an unknown band names the line
    std::fs::write(&path, "[[change]]\nmeasure = \"emergency_admissions\"\n\nage_band = \"70+\"\npercent = -10\n").unwrap();
    let out = carepath(&["project", "--workspace", fixture().ws.to_str().unwrap(), "--population", f.nrs.to_str().unwrap(), "--base-year", "1920", "--scenario", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 4") && stderr(&out).contains("70+"), "{}", stderr(&out));
}

#[test]
fn disclosure_control_withholds_projections_with_their_small_base_counts() {
    let f = files();
    let v = project(&["--population", f.nrs.to_str().unwrap(), "--base-year", "1920"]);
    let rows = v["rows"].as_array().unwrap();
    let mut withheld = 0;
    for r in rows {
        for col in ["population", "emergency_admissions", "dd_people_65plus"] {
            if let Some(n) = r[col].as_i64() {
                if r["kind"].as_str().unwrap().starts_with("base") {
                    assert!(n == 0 || n >= 10, "{col} {n} shown: {r}");
                }
            }
        }
        if r["kind"].as_str().unwrap().starts_with("base") && r["emergency_admissions"] == "*" {
            withheld += 1;
            let area = r["area"].as_str().unwrap();
            for p in rows.iter().filter(|p| p["area"] == area && p["kind"] == "projected") {
                assert_eq!(p["emergency_admissions"], "*", "{p}");
                assert_eq!(p["beds_needed"], "*", "{p}");
            }
        }
    }
    // 160 people over five councils: some councils have fewer than 10 admissions
    let cells = raw_cells(&fixture().dir);
    let small = COUNCILS.iter().filter(|(l, _, _)| {
        let n: f64 = cells.iter().filter(|(k, _)| k.0 == *l).map(|(_, c)| c.adm).sum();
        n > 0.0 && n < 10.0
    });
    assert!(withheld >= small.count());
    assert!(v["disclosure"]["applied"].as_bool().unwrap());
}

fn fails(args: &[&str]) -> String {
    let mut all = vec!["project", "--workspace", fixture().ws.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = carepath(&all);
    assert!(!out.status.success(), "{args:?} should fail");
    stderr(&out)
}

#[test]
fn malformed_population_files_are_explained() {
    let f = files();
    let p = f.dir.join("bad.csv");
    let p_s = p.to_str().unwrap();
    std::fs::write(&p, "area,sex,age_band,year\nGlasgow City,M,75-84,2030\n").unwrap();
    let e = fails(&["--population", p_s, "--base-year", "1920"]);
    assert!(e.contains("bad.csv") && e.contains("row 1") && e.contains("population"), "missing column: {e}");
    std::fs::write(&p, "area,sex,age_band,year,population\nGlasgow City,M,75-84,2030,120\nGlasgow City,F,75-84,2030,many\n").unwrap();
    let e = fails(&["--population", p_s, "--base-year", "1920"]);
    assert!(e.contains("row 3, column 5 (population)") && e.contains("many"), "not a number: {e}");
    std::fs::write(&p, "area,sex,age_band,year,population\nGotham,M,75-84,2030,120\n").unwrap();
    let e = fails(&["--population", p_s, "--base-year", "1920"]);
    assert!(e.contains("row 2, column 1 (area)") && e.contains("Gotham"), "unknown area: {e}");
    std::fs::write(&p, "council,people\nGlasgow,5\n").unwrap();
    let e = fails(&["--population", p_s, "--base-year", "1920"]);
    assert!(e.contains("row 1") && e.contains("area,sex,age_band,year,population") && e.contains("Age90plus"), "unknown layout: {e}");
    // a year the file lacks
    let e = fails(&["--population", f.simple.to_str().unwrap(), "--base-year", "1920", "--to", "2040"]);
    assert!(e.contains("2036") && e.contains("no population"), "{e}");
    // the base year not loaded
    let e = fails(&["--population", f.simple.to_str().unwrap(), "--base-year", "1718"]);
    assert!(e.contains("2017/18") && e.contains("2019/20"), "{e}");
    let e = fails(&["--population", f.simple.to_str().unwrap(), "--base-year", "1920", "--occupancy", "85"]);
    assert!(e.contains("--occupancy"), "{e}");
}

/// The numbers after `label` on the first screen line starting with it.
fn figures_after(screen: &str, label: &str) -> Vec<f64> {
    let line = screen.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no line starting {label}:\n{screen}"));
    line[label.len()..].split_whitespace().filter_map(|w| w.parse::<f64>().ok()).collect()
}

fn command(h: &mut Harness, line: &str) {
    h.char(':');
    h.type_text(line);
    h.key(KeyCode::Enter);
}

/// The Projections screen (`P`) at 80x24 on a private copy of the fixture's workspace: without
/// a file it says how to give one; `:population FILE` projects the explorer's year (2019/20)
/// and draws Scotland, whose 2019 bar is the raw file's emergency admissions and whose 2035 one
/// the councils' rate x population summed (`expected`); `a` steps to a council, `m` to bed
/// days, Enter to every measure's numbers; a malformed file is explained with its row and
/// column.
#[test]
fn projections_screen_charts_scotland_and_each_council_to_2035() {
    let f = files();
    let ws = fixture().ws.with_file_name("ws-explorer.duckdb");
    std::fs::copy(&fixture().ws, &ws).unwrap();
    let mut h = Harness::open_at(&ws);
    h.char('P');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Projections);
    let s = h.screen(80, 24);
    assert!(s.contains("Projections need a population projection: type :population FILE"), "{s}");
    assert!(s.lines().next().is_some_and(|l| l.contains("[P Projections]")), "the tabs fit:\n{s}");
    command(&mut h, &format!("population {}", f.nrs.display()));
    let want = expected(&council_name, &|_| 1.0);
    let cells = raw_cells(&fixture().dir);
    let s = h.screen(80, 24);
    assert!(s.contains("emergency admissions, Scotland (m measure, a area, s level, Enter numbers)"), "{s}");
    let adm: f64 = cells.values().map(|c| c.adm).sum();
    let base = figures_after(&s, "2019  observed");
    assert_eq!(base.first(), Some(&adm), "observed 2019/20 admissions:\n{s}");
    assert_eq!(base.last(), Some(&(PEOPLE as f64)), "the base year's people:\n{s}");
    let scot_2035: f64 = COUNCILS.iter().map(|(_, _, n)| want[&(n.to_string(), 2035)][1]).sum();
    let pop_2035: f64 = COUNCILS.iter().map(|(_, _, n)| want[&(n.to_string(), 2035)][0]).sum();
    let last = figures_after(&s, "2035  projected");
    assert!((last[0] - scot_2035).abs() < 0.3, "Scotland 2035: shown {}, expected {scot_2035}\n{s}", last[0]);
    assert!((last[last.len() - 1] - pop_2035).abs() < 1.0, "Scotland 2035 population:\n{s}");
    assert!(s.contains("emergency admissions in 2035:") && s.contains("from 2019"), "{s}");
    // a council
    h.char('a');
    let s = h.screen(80, 24);
    let title = s.lines().find(|l| l.contains("(m measure, a area, s level")).unwrap_or_else(|| panic!("{s}"));
    let name = COUNCILS.iter().map(|c| c.2).find(|n| title.contains(&format!("emergency admissions, {n}"))).unwrap_or_else(|| panic!("a council after Scotland:\n{s}"));
    let w = want[&(name.to_string(), 2035)];
    assert!((figures_after(&s, "2035  projected")[0] - w[1]).abs() < 0.051, "{name} 2035 admissions, expected {}:\n{s}", w[1]);
    // bed days
    h.char('m');
    let s = h.screen(80, 24);
    assert!(s.contains(&format!("emergency bed days, {name}")), "{s}");
    assert!((figures_after(&s, "2035  projected")[0] - w[2]).abs() < 0.051, "{name} 2035 bed days, expected {}:\n{s}", w[2]);
    // every measure: population, admissions, bed days, beds, DD bed days, DD beds
    h.key(KeyCode::Enter);
    let s = h.screen(80, 24);
    assert!(s.contains(&format!("{name}: the numbers (Enter: the bars)")), "{s}");
    let n = figures_after(&s, "2035 ");
    assert!((n[0] - w[0]).abs() < 0.51 && (n[1] - w[1]).abs() < 0.051 && (n[2] - w[2]).abs() < 0.051, "{n:?} vs {w:?}\n{s}");
    assert!((n[3] - w[2] / fy_days(2035) / 0.85).abs() < 0.051, "beds needed {n:?}\n{s}");
    assert!((n[4] - w[3]).abs() < 0.051, "DD bed days {n:?} vs {w:?}\n{s}");
    // partnerships, each with its own rates (each fixture council is a partnership of its own;
    // assets/hscps.csv names Edinburgh's "Edinburgh"), then Scotland as one area
    h.key(KeyCode::Enter);
    h.char('m');
    h.char('m');
    h.char('m');
    h.char('s');
    let s = h.screen(80, 24);
    assert!(s.contains("rates per partnership"), "{s}");
    h.char('a');
    let s = h.screen(80, 24);
    let hscp = |ci: usize| ["Edinburgh", "Glasgow City", "South Lanarkshire", "South Ayrshire", "Aberdeen City"][ci].to_string();
    let by_hscp = expected(&hscp, &|_| 1.0);
    let title = s.lines().find(|l| l.contains("(m measure, a area, s level")).unwrap_or_else(|| panic!("{s}"));
    let area = (0..COUNCILS.len()).map(hscp).find(|n| title.contains(&format!("emergency admissions, {n} "))).unwrap_or_else(|| panic!("a partnership:\n{s}"));
    assert!((figures_after(&s, "2035  projected")[0] - by_hscp[&(area.clone(), 2035)][1]).abs() < 0.051, "{area} 2035:\n{s}");
    h.char('s');
    let s = h.screen(80, 24);
    assert!(s.contains("rates per Scotland"), "{s}");
    let scot = expected(&|_| "Scotland".to_string(), &|_| 1.0)[&("Scotland".to_string(), 2035)][1];
    assert!((figures_after(&s, "2035  projected")[0] - scot).abs() < 0.051, "Scotland's own rates in 2035, expected {scot}:\n{s}");
    // a malformed file: the error names its row and column
    let bad = f.dir.join("bad-explorer.csv");
    std::fs::write(&bad, "area,sex,age_band,year,population\nGlasgow City,M,75-84,2030,120\nGlasgow City,F,75-84,2030,many\n").unwrap();
    command(&mut h, &format!("population {}", bad.display()));
    let s = h.screen(160, 48);
    assert!(s.contains("row 3, column 5 (population)") && s.contains("many"), "{s}");
}
