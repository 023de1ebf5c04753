//! PHS's rules (issue 11) on a small extract in the full published layout
//! (`layout_fixture`). Every expected value is worked out by hand from the fixture or by an
//! independent DuckDB query over the raw files in the test, never by carepath's derive; the
//! PHS file behind each rule is cited beside its test.
mod common;
mod layout_fixture;
use common::{carepath, load_json, open_ro, q_f64, q_i64, stderr};
use layout_fixture::{anon, write_extract, Options};
use std::path::{Path, PathBuf};

const HEALTH: &str = "('01B','02B','04B','GLS','00B','AE2','PIS','OoH')";
const AREAS: &str = "('AB','DD','DG','EH','FK','G','HS','IV','KA','KW','KY','ML','PA','PH','TD','ZE')";

struct Loaded {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ws: PathBuf,
    report: serde_json::Value,
}

fn load(o: Options) -> Loaded {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_extract(&tmp.path().join("extract"), &o);
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    Loaded { _tmp: tmp, dir, ws, report }
}

/// A count over the raw files, in a connection of its own (never carepath's workspace).
fn raw_count(sql: &str) -> i64 {
    q_i64(&duckdb::Connection::open_in_memory().unwrap(), sql)
}

fn raw(dir: &Path, file: &str) -> String {
    format!("read_csv('{}', all_varchar=true, header=true)", dir.join(file).display())
}

/// Independent PHS HRI counts over the raw 2019/20 episode file: health cost per person,
/// PHS's population (Scottish postcode area only, `R/add_hri_variables.R` L25-47, L98),
/// cumulative % by cost descending (ties anon_chi ascending), HRI where <= 50 (L100-128),
/// board = hbrescode (L107), council = lca (L116); no board/council -> not an HRI (L129-133).
fn phs_hri_counts(dir: &Path) -> (i64, i64, i64) {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let ep = raw(dir, "source-episode-file-1920.csv");
    let base = format!(
        "WITH py AS (
           SELECT anon_chi, any_value(postcode) AS postcode, any_value(hbrescode) AS hb, any_value(lca) AS lca,
                  coalesce(sum(CAST(cost_total_net AS DOUBLE)) FILTER (WHERE recid IN {HEALTH}), 0) AS c
           FROM {ep} WHERE anon_chi IS NOT NULL GROUP BY anon_chi),
         pop AS (SELECT * FROM py WHERE regexp_extract(upper(postcode), '^[A-Z]{{1,3}}') IN {AREAS})"
    );
    let count = |part: &str, not_null: &str| {
        let sql = format!(
            "{base} SELECT count(*) FROM (
               SELECT {not_null} AS ok, 100 * sum(c) OVER (PARTITION BY {part} ORDER BY c DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                      / sum(c) OVER (PARTITION BY {part}) AS cum FROM pop) WHERE ok AND cum <= 50"
        );
        q_i64(&c, &sql)
    };
    (count("1", "true"), count("hb", "hb IS NOT NULL"), count("lca", "lca IS NOT NULL"))
}

#[test]
fn full_layout_folder_loads_with_nothing_refused_or_rejected() {
    let l = load(Options { hbrescode_only: false });
    let files = l.report["files"].as_array().unwrap();
    assert_eq!(files.len(), 7, "{}", l.report);
    for f in files {
        assert_eq!(f["status"], "loaded", "{f}");
        assert_eq!(f["rows_rejected"], 0, "{f}");
    }
    let kinds: Vec<&str> = files.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"individual") && kinds.contains(&"episode") && kinds.contains(&"sc_demographics"), "{kinds:?}");
    assert_eq!(l.report["rejects_total"], 0);
    // rows without a CHI are activity (PHS keeps them, `R/create_episode_file.R` L139-153)
    assert_eq!(l.report["rows_without_person"], 2);
    let conn = open_ro(&l.ws);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM event WHERE anon_chi IS NULL AND recid = 'AE2'"), 2);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE anon_chi IS NULL"), 0);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person WHERE anon_chi IS NULL"), 0);
    // people: every CHI in the raw episode files (independent count)
    let c = duckdb::Connection::open_in_memory().unwrap();
    let people = q_i64(
        &c,
        &format!(
            "SELECT count(DISTINCT anon_chi) FROM (SELECT anon_chi FROM {} UNION ALL SELECT anon_chi FROM {}) WHERE anon_chi IS NOT NULL",
            raw(&l.dir, "source-episode-file-1920.csv"),
            raw(&l.dir, "source-episode-file-2021.csv")
        ),
    );
    assert_eq!(l.report["people"], people);
    // the report says which files make up each year
    let ys = l.report["year_sources"].as_array().unwrap();
    let y1920 = ys.iter().find(|y| y["year"] == "1920").unwrap();
    assert_eq!(y1920["costs_from"], "episode file");
    assert_eq!(y1920["files"].as_array().unwrap().len(), 2, "{y1920}");
}

#[test]
fn hri_counts_follow_phs_population_rule() {
    let l = load(Options { hbrescode_only: false });
    let (scot, board, council) = phs_hri_counts(&l.dir);
    let conn = open_ro(&l.ws);
    let got = |flag: &str| q_i64(&conn, &format!("SELECT count(*) FILTER (WHERE {flag}) FROM person_year WHERE year = '1920'"));
    assert!(scot > 0 && board > 0 && council > 0);
    assert_eq!(got("hri_scot"), scot, "Scotland HRIs");
    assert_eq!(got("hri_hb"), board, "board HRIs");
    assert_eq!(got("hri_lca"), council, "council HRIs");
    // blank, dummy and English postcodes are not scored at all (PHS keep_flag 1-4)
    for (i, _) in ["", "NF1 1AB", "ZZ611AA", "BF010AA", "NE1 4XY"].iter().enumerate() {
        let a = anon(&format!("05055{:01}{:04}", i, 5000 + i));
        let n = q_i64(&conn, &format!("SELECT count(*) FROM person_year WHERE anon_chi = '{a}' AND year = '1920' AND hri_scotp IS NULL AND NOT hri_scot"));
        assert_eq!(n, 1, "person {i} must be outside the HRI population");
    }
}

#[test]
fn ages_are_whole_years_to_30_september_and_babies_are_0() {
    // PHS `R/compute_mid_year_age.R` L20-29
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    let expected = raw_count(&format!(
        "SELECT count(*) FROM {} WHERE date_sub('year', CAST(dob AS DATE), DATE '2019-09-30') BETWEEN 0 AND 17 OR CAST(dob AS DATE) > DATE '2019-09-30'",
        raw(&l.dir, "source-individual-file-1920.csv")
    ));
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE year = '1920' AND age BETWEEN 0 AND 17"), expected);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE age < 0"), 0);
    for n in 0..2 {
        let a = anon(&format!("151119{:04}", 7000 + n));
        assert_eq!(q_i64(&conn, &format!("SELECT age FROM person_year WHERE anon_chi = '{a}' AND year = '1920'")), 0);
    }
    drop(conn); // the cohort command opens the workspace itself
    let out = carepath(&["cohort", "--workspace", l.ws.to_str().unwrap(), "--year", "1920", "--age-min", "0", "--age-max", "17", "--format", "json", "--no-sdc"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["count"].as_i64(), Some(expected));
}

#[test]
fn sds_counts_each_option_plus_option_4_for_mixed() {
    // PHS `R/process_sc_all_sds.R` L60-77 (option 4 when more than one), L113-126 (one row per option)
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    // by hand from sc2-sds.csv: options {1,3}, {2}, {3}, {1,2,3} -> 1: 2 people, 2: 2, 3: 3, 4: 2
    for (opt, n) in [(1, 2), (2, 2), (3, 3), (4, 2)] {
        assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM person_year WHERE year = '1920' AND sds_option_{opt}")), n, "option {opt}");
    }
}

#[test]
fn care_home_open_stays_end_at_last_period_end_and_split_on_nursing() {
    // PHS `R/process_sc_all_care_home.R` L187-233 (split), L271-274 (open stay ends at the
    // period end), `R/process_extract_care_home.R` L61-64 (end day not counted), L82-111 (cost)
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    let p0 = anon(&layout_fixture::people()[0].chi);
    let p1 = anon(&layout_fixture::people()[1].chi);
    // by hand: p0 2019-06-01 .. 2019-09-30 = 121 nights; p1 two parts from 2019-10-01, to
    // 2019-12-31 (91) and to 2020-03-31 (182)
    let beds = |a: &str| q_f64(&conn, &format!("SELECT ch_beddays FROM person_year WHERE anon_chi = '{a}' AND year = '1920'"));
    assert_eq!(beds(&p0), 121.0);
    assert_eq!(beds(&p1), 273.0);
    assert_eq!(q_f64(&conn, "SELECT sum(ch_beddays) FROM person_year WHERE year = '1920'"), 394.0);
    assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM event WHERE anon_chi = '{p1}' AND recid = 'CH'")), 2);
    // cost per day by FY and nursing provision (1 joins PHS's "Without Nursing Care" charge,
    // `Rmarkdown/costs_care_home.Rmd` L38-40); assets/care_home_costs.csv 1920 rows
    let cost = |a: &str| q_f64(&conn, &format!("SELECT ch_cost FROM person_year WHERE anon_chi = '{a}' AND year = '1920'"));
    assert!((cost(&p0) - 121.0 * 614.07 / 7.0).abs() < 0.01, "{}", cost(&p0));
    assert!((cost(&p1) - (91.0 * 714.90 / 7.0 + 182.0 * 614.07 / 7.0)).abs() < 0.01, "{}", cost(&p1));
}

#[test]
fn acute_bed_days_per_year_equal_the_files() {
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    let c = duckdb::Connection::open_in_memory().unwrap();
    for (year, file) in [("1920", "source-episode-file-1920.csv"), ("2021", "source-episode-file-2021.csv")] {
        let expected = q_f64(&c, &format!("SELECT sum(CAST(yearstay AS DOUBLE)) FROM {} WHERE recid = '01B'", raw(&l.dir, file)));
        let got = q_f64(&conn, &format!("SELECT sum(acute_beddays) FROM person_year WHERE year = '{year}'"));
        assert_eq!(got, expected, "acute bed days {year}");
    }
}

#[test]
fn board_filter_finds_the_same_people_with_hb2019_or_only_hbrescode() {
    let full = load(Options { hbrescode_only: false });
    let old = load(Options { hbrescode_only: true });
    // independent: people resident in GGC (hbrescode S08000021 = hb2018 GGC) in the 2019/20 files
    let c = duckdb::Connection::open_in_memory().unwrap();
    let expected = q_i64(
        &c,
        &format!("SELECT count(DISTINCT anon_chi) FROM {} WHERE hbrescode = 'S08000021'", raw(&full.dir, "source-episode-file-1920.csv")),
    );
    assert!(expected > 0);
    for l in [&full, &old] {
        let out = carepath(&["cohort", "--workspace", l.ws.to_str().unwrap(), "--year", "1920", "--board", "Greater Glasgow and Clyde", "--format", "json", "--no-sdc"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["count"].as_i64(), Some(expected), "{}", l.dir.display());
    }
    let conn = open_ro(&old.ws);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE hb2019 IN ('S08000021', 'S08000023') OR hscp2019 = 'S37000015'"), 0);
}

#[test]
fn a_stay_crossing_31_march_is_one_stay_with_each_years_bed_days() {
    let l = load(Options { hbrescode_only: false });
    let a = anon(&layout_fixture::people()[1].chi);
    let ws = carepath::store::Workspace::open(&l.ws).unwrap();
    let t = carepath::store::timeline::load_timeline(&ws.conn, &a).unwrap();
    let stays: Vec<_> = t.events.iter().filter(|e| e.recid == "01B").collect();
    let crossing: Vec<_> = stays.iter().filter(|e| e.years.len() == 2).collect();
    assert_eq!(crossing.len(), 1, "one bar for the stay in both year files: {:?}", stays.iter().map(|e| (&e.start, &e.years)).collect::<Vec<_>>());
    assert_eq!(crossing[0].beddays, 16.0, "12 nights in 2019/20 + 4 in 2020/21");
    let journeys_with_it = t.journeys.iter().filter(|j| j.episodes.len() == 1 && j.start == crossing[0].start).count();
    assert_eq!(journeys_with_it, 1);
    let conn = open_ro(&l.ws);
    assert_eq!(q_f64(&conn, &format!("SELECT acute_beddays FROM person_year WHERE anon_chi = '{a}' AND year = '2021'")), 4.0);
}

#[test]
fn keep_population_is_kept_on_person_year() {
    // PHS `R/add_keep_population_flag.R`: 0 for NSUs left out of the published population
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE year = '1920' AND keep_population = 0"), 2);
}

/// One homelessness row for 2019/20 in the full episode layout.
fn hl1_file(path: &Path) {
    let p = &layout_fixture::people()[2];
    let mut r = std::collections::BTreeMap::new();
    for (k, v) in [("year", "1920"), ("recid", "HL1"), ("smrtype", "HL1-Main"), ("record_keydate1", "2019-09-01"), ("record_keydate2", "2019-10-01"), ("postcode", "EH1 1AA")] {
        r.insert(k.to_string(), v.to_string());
    }
    r.insert("anon_chi".to_string(), anon(&p.chi));
    layout_fixture::write_csv(path, &layout_fixture::published("slf_episode_columns.csv"), &[r]);
}

#[test]
fn a_partial_file_for_a_loaded_year_never_silently_changes_its_figures() {
    let l = load(Options { hbrescode_only: false });
    let cost_before = l.report["health_cost"].as_f64().unwrap();
    let events_before = l.report["events"].as_i64().unwrap();
    // (a) a file that only adds rows (one HL1 application) adds them and leaves the costs
    let extra = l.dir.parent().unwrap().join("more").join("hl1-1920.csv");
    hl1_file(&extra);
    let (r, out) = load_json(&l.ws, &[&extra]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(r["health_cost"].as_f64().unwrap(), cost_before);
    assert_eq!(r["events"].as_i64().unwrap(), events_before + 1);
    let y = r["year_sources"].as_array().unwrap().iter().find(|y| y["year"] == "1920").unwrap().clone();
    assert_eq!(y["files"].as_array().unwrap().len(), 3, "{y}");
    // (b) a second version of the year's episode file under another name would double it:
    // the load stops, names the files, and the workspace is unchanged
    let src = std::fs::read_to_string(l.dir.join("source-episode-file-1920.csv")).unwrap();
    let v2 = l.dir.parent().unwrap().join("more").join("episodes-1920-v2.csv");
    std::fs::write(&v2, src.replacen("Locality A", "Locality B", 1)).unwrap();
    let (_, out) = load_json(&l.ws, &[&v2]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("twice") && err.contains("source-episode-file-1920.csv") && err.contains("episodes-1920-v2.csv"), "{err}");
    let conn = open_ro(&l.ws);
    assert_eq!(q_f64(&conn, "SELECT sum(health_net_cost) FROM person_year"), cost_before);
}

#[test]
fn a_year_known_from_its_individual_file_keeps_its_costs_when_an_hl1_file_arrives() {
    let l = load(Options { hbrescode_only: false });
    let tmp = tempfile::tempdir().unwrap();
    let ind = tmp.path().join("a").join("source-individual-file-1920.csv");
    std::fs::create_dir_all(ind.parent().unwrap()).unwrap();
    std::fs::copy(l.dir.join("source-individual-file-1920.csv"), &ind).unwrap();
    let ws = tmp.path().join("ws.duckdb");
    let (r, out) = load_json(&ws, &[&ind]);
    assert!(out.status.success(), "{}", stderr(&out));
    let c = duckdb::Connection::open_in_memory().unwrap();
    let expected = q_f64(&c, &format!("SELECT sum(CAST(health_net_cost AS DOUBLE)) FROM {}", raw(ind.parent().unwrap(), "source-individual-file-1920.csv")));
    assert!((r["health_cost"].as_f64().unwrap() - expected).abs() < 0.005);
    let hl1 = tmp.path().join("b").join("hl1-1920.csv");
    hl1_file(&hl1);
    let (r, out) = load_json(&ws, &[&hl1]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!((r["health_cost"].as_f64().unwrap() - expected).abs() < 0.005, "{r}");
    let y = r["year_sources"].as_array().unwrap().iter().find(|y| y["year"] == "1920").unwrap().clone();
    assert_eq!(y["costs_from"], "individual file");
}

#[test]
fn ppas_are_derived_from_phs_lists_when_cij_ppa_is_absent() {
    // PHS `R/add_ppa_flag.R` L52-212: first record of a non-elective CIJ; J44 (COPD) is on
    // the main-diagnosis list (L96-97). The fixture leaves `cij_ppa` blank everywhere.
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    let expected = raw_count(&format!(
        "SELECT count(DISTINCT (anon_chi, cij_marker)) FROM {} WHERE recid = '01B' AND cij_pattype = 'Non-Elective' AND substr(diag1, 1, 3) = 'J44'",
        raw(&l.dir, "source-episode-file-1920.csv")
    ));
    assert!(expected > 0);
    assert_eq!(q_i64(&conn, "SELECT sum(ppa_admissions) FROM person_year WHERE year = '1920'"), expected);
    // PPA bed days: each of those CIJs runs 2019-06-01 to 2019-06-08, 7 days (`R/aggregate_by_chi.R` L172-188)
    assert_eq!(q_f64(&conn, "SELECT sum(preventable_beddays) FROM person_year WHERE year = '1920'"), 7.0 * expected as f64);
}

#[test]
fn emergency_admissions_without_cij_type_use_admission_type() {
    // the crossing stay has no cij_pattype, only cij_admtype 21 (urgent): an emergency (PHS MSG rule)
    let l = load(Options { hbrescode_only: false });
    let conn = open_ro(&l.ws);
    let a = anon(&layout_fixture::people()[1].chi);
    for y in ["1920", "2021"] {
        assert_eq!(q_i64(&conn, &format!("SELECT emergency_admissions FROM person_year WHERE anon_chi = '{a}' AND year = '{y}'")), 1, "{y}");
    }
}

#[test]
fn new_person_year_filters_count_the_right_people() {
    let l = load(Options { hbrescode_only: false });
    let c = duckdb::Connection::open_in_memory().unwrap();
    let ws = l.ws.to_str().unwrap();
    let count = |extra: &[&str]| {
        let mut args = vec!["cohort", "--workspace", ws, "--year", "1920", "--format", "json", "--no-sdc"];
        args.extend_from_slice(extra);
        let out = carepath(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["count"].as_i64().unwrap()
    };
    let gp = q_i64(&c, &format!("SELECT count(DISTINCT anon_chi) FROM {} WHERE gpprac = '10001'", raw(&l.dir, "source-episode-file-1920.csv")));
    assert!(gp > 1);
    assert_eq!(count(&["--gp", "10001"]), gp);
    let all = count(&[]);
    let kept = q_i64(&c, &format!("SELECT count(*) FROM {} WHERE keep_population = '1'", raw(&l.dir, "source-individual-file-1920.csv")));
    assert_eq!(count(&["--population"]), kept);
    assert_eq!(all - kept, 2);
}

#[test]
fn an_individual_files_hri_percentages_are_used_as_they_are() {
    // PHS's individual file has NA %s for people outside its population (`R/add_hri_variables.R`
    // L146 left join): a year whose file carries %s keeps them for everyone, NA stays NA.
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_extract(&tmp.path().join("extract"), &Options { hbrescode_only: false });
    let ind = dir.join("source-individual-file-1920.csv");
    let cols = layout_fixture::published("slf_individual_columns.csv");
    let p0 = anon(&layout_fixture::people()[0].chi);
    let text = std::fs::read_to_string(&ind).unwrap();
    let pos = cols.iter().position(|c| c == "hri_scotp").unwrap();
    let mut out = String::new();
    for (n, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        if n > 0 && cells[0] == p0 {
            cells[pos] = "12.5".into();
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(&ind, out).unwrap();
    let ws = tmp.path().join("ws.duckdb");
    let (report, o) = load_json(&ws, &[&dir]);
    assert!(o.status.success(), "{}", stderr(&o));
    let conn = open_ro(&ws);
    assert_eq!(q_f64(&conn, &format!("SELECT hri_scotp FROM person_year WHERE anon_chi = '{p0}' AND year = '1920'")), 12.5);
    // everyone else in that year's file has no % there: none stays none, none is computed
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE year = '1920' AND hri_scotp IS NOT NULL"), 1);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM person_year WHERE year = '1920' AND hri_source <> 'individual file'"), 0);
    // and the disagreements with PHS's rule are reported: every resident the file left unscored
    let (scot, _, _) = phs_hri_counts(&dir);
    assert!(scot > 0);
    assert!(report["hri_disagreements"].as_i64().unwrap() > 1, "{report}");
}
