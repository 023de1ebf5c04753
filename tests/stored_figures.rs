//! Figures the load stores so that views answer without scanning the model (issues 13-15):
//! the stored path is the one answering (a changed stored row changes the answer), it agrees
//! with the live computation on every request it can answer, and a workspace without the
//! stored tables (loaded by an older carepath) gives the same output as one with them.
mod common;
mod layout_fixture;
mod pathway_fixture;
use carepath::model::hri::HriLevel;
use carepath::store::pathways::{transitions, transitions_fresh};
use common::{carepath, load_json, stderr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Ws {
    _tmp: tempfile::TempDir,
    ws: PathBuf,
}

fn load(dir: impl FnOnce(&Path) -> PathBuf) -> Ws {
    let tmp = tempfile::tempdir().unwrap();
    let dir = dir(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    Ws { _tmp: tmp, ws }
}

/// The transitions extract in the full published layout (`pathway_fixture`).
fn published() -> &'static Ws {
    static F: OnceLock<Ws> = OnceLock::new();
    F.get_or_init(|| load(pathway_fixture::write_transitions_extract))
}

/// A generated extract with many areas, deaths and every band; no episode file for 2020/21
/// (its person-years come from social care only: no one is an HRI then).
fn generated() -> &'static Ws {
    static F: OnceLock<Ws> = OnceLock::new();
    F.get_or_init(|| {
        load(|dir| {
            let o = carepath(&["generate", "--people", "3000", "--years", "1718,1819,1920,2122", "--seed", "7", "--out", dir.to_str().unwrap(), "--file-format", "csv"]);
            assert!(o.status.success(), "generate: {}", stderr(&o));
            dir.to_path_buf()
        })
    })
}

/// A private writable copy of a workspace (the fixtures are shared between tests).
fn copy(ws: &Path, name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join(format!("{name}.duckdb"));
    std::fs::copy(ws, &to).unwrap();
    (tmp, to)
}

fn years(conn: &duckdb::Connection) -> Vec<String> {
    carepath::store::cohort::available_years(conn).unwrap()
}

fn areas(conn: &duckdb::Connection, col: &str, year: &str) -> Vec<String> {
    let mut st = conn.prepare(&format!("SELECT DISTINCT CAST({col} AS VARCHAR) FROM person_year WHERE year = ? AND {col} IS NOT NULL ORDER BY 1")).unwrap();
    st.query_map([year], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Every year pair, level and area (and a code that is nowhere): stored == computed now.
fn stored_transitions_agree(ws: &Path) {
    let conn = common::open_ro(ws);
    let loaded = years(&conn);
    assert!(loaded.len() >= 3, "{loaded:?}");
    let stored: i64 = conn.query_row("SELECT count(*) FROM transition_store", [], |r| r.get(0)).unwrap();
    assert!(stored > 0, "the load stores the transitions");
    let mut asked = 0;
    for (i, from) in loaded.iter().enumerate() {
        for to in &loaded[i + 1..] {
            for (level, col) in [(HriLevel::Scotland, None), (HriLevel::Board, Some("hb2019")), (HriLevel::Council, Some("lca"))] {
                let mut wanted: Vec<Option<String>> = vec![None];
                if let Some(c) = col {
                    wanted.extend(areas(&conn, c, from).into_iter().map(Some));
                    wanted.push(Some("nowhere".into()));
                }
                for area in wanted {
                    let a = transitions(&conn, from, to, level, area.as_deref(), &loaded).unwrap();
                    let b = transitions_fresh(&conn, from, to, level, area.as_deref(), &loaded).unwrap();
                    assert_eq!(a, b, "{from} to {to} {level:?} {area:?}");
                    asked += 1;
                }
            }
        }
    }
    assert!(asked > 9);
}

#[test]
fn stored_transitions_agree_with_the_live_computation_published_layout() {
    stored_transitions_agree(&published().ws);
}

#[test]
fn stored_transitions_agree_with_the_live_computation_many_areas() {
    let ws = &generated().ws;
    stored_transitions_agree(ws);
    // the fixture has what the comparison needs to mean something
    let conn = common::open_ro(ws);
    let t = transitions_fresh(&conn, "1718", "1920", HriLevel::Council, None, &years(&conn)).unwrap();
    assert!(t.persistence.hri_people > 0 && t.persistence.died > 0, "{:?}", t.persistence);
    assert!(areas(&conn, "lca", "1718").len() > 3);
    // runs through 1819 and 1920 hold people; none runs through 2020/21
    let t = transitions(&conn, "1718", "2122", HriLevel::Scotland, None, &years(&conn)).unwrap();
    let runs: Vec<u64> = t.persistence.continuous.iter().map(|c| c.people).collect();
    assert!(runs.len() == 4 && runs[0] > runs[1] && runs[1] > 0 && runs[2] == 0 && runs[3] == 0, "{runs:?}");
}

#[test]
fn the_stored_transitions_answer() {
    let (_t, ws) = copy(&generated().ws, "changed");
    let w = carepath::store::Workspace::open(&ws).unwrap();
    let loaded = years(&w.conn);
    let before = transitions(&w.conn, "1718", "1819", HriLevel::Scotland, None, &loaded).unwrap();
    w.conn.execute_batch("UPDATE transition_store SET people = people + 1000 WHERE from_year = '1718' AND to_year = '1819'").unwrap();
    let after = transitions(&w.conn, "1718", "1819", HriLevel::Scotland, None, &loaded).unwrap();
    let total = |t: &carepath::model::transitions::Transitions| t.from_totals.iter().map(|(_, n)| n).sum::<u64>();
    assert!(total(&after) > total(&before) + 1000, "the stored counts answer");
    // a stored copy from another load (stamp) is not used
    w.conn.execute_batch("UPDATE transition_pairs SET stamp = 'another load'").unwrap();
    let again = transitions(&w.conn, "1718", "1819", HriLevel::Scotland, None, &loaded).unwrap();
    assert_eq!(again, before);
}

/// The CLI's JSON of `args` on a workspace.
fn json(ws: &Path, args: &[&str]) -> String {
    let mut a: Vec<&str> = args.to_vec();
    let ws = ws.to_str().unwrap();
    a.extend(["--workspace", ws, "--format", "json", "--no-sdc"]);
    let o = carepath(&a);
    assert!(o.status.success(), "{a:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Without the stored tables (a workspace from before they existed) the output is the same.
fn same_without(tables: &[&str], requests: &[Vec<&str>]) {
    // copies: the CLI opens a workspace read-write, and other tests read the shared one
    let (_w, with) = copy(&generated().ws, "newer");
    let with = &with;
    let (_t, without) = copy(&generated().ws, "older");
    {
        let w = carepath::store::Workspace::open(&without).unwrap();
        for t in tables {
            w.conn.execute_batch(&format!("DROP TABLE {t}")).unwrap();
        }
    }
    for args in requests {
        assert_eq!(json(with, args), json(&without, args), "{args:?}");
    }
}

#[test]
fn transitions_without_the_stored_tables_are_the_same() {
    same_without(
        &["transition_pairs", "transition_store", "transition_persistence", "transition_runs"],
        &[
            vec!["transitions", "--from", "1718", "--to", "1819"],
            vec!["transitions", "--from", "1718", "--to", "2122", "--level", "board"],
            vec!["transitions", "--from", "1819", "--to", "1920", "--level", "council"],
        ],
    );
}

const DELAY_SPLITS: [&str; 12] =
    ["reason", "reason-group", "council", "hscp", "locality", "hospital", "specialty", "month", "length", "admission", "origin", "destination"];

#[test]
fn delays_without_the_dd_table_are_the_same() {
    let conn = common::open_ro(&generated().ws);
    let dd: i64 = conn.query_row("SELECT count(*) FROM dd_event", [], |r| r.get(0)).unwrap();
    let in_event: i64 = conn.query_row("SELECT count(*) FROM event WHERE recid = 'DD' AND anon_chi IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert!(dd > 20 && dd == in_event, "{dd} {in_event}");
    drop(conn);
    let mut requests = Vec::new();
    for year in ["1819", "2122"] {
        for by in DELAY_SPLITS {
            requests.push(vec!["delays", "--year", year, "--by", by]);
        }
    }
    requests.push(vec!["delays", "--year", "1920", "--by", "reason", "--age-min", "75"]);
    same_without(&["dd_event"], &requests);
}

#[test]
fn the_dd_table_answers() {
    let (_t, ws) = copy(&generated().ws, "dd");
    let before = json(&ws, &["delays", "--year", "1920", "--by", "reason"]);
    {
        let w = carepath::store::Workspace::open(&ws).unwrap();
        w.conn.execute_batch("DELETE FROM dd_event WHERE year = '1920'").unwrap();
    }
    let after = json(&ws, &["delays", "--year", "1920", "--by", "reason"]);
    assert_ne!(before, after, "the side table answers");
    // a side table another load left behind is not read
    {
        let w = carepath::store::Workspace::open(&ws).unwrap();
        w.conn.execute_batch("UPDATE stored_stamp SET stamp = 'another load'").unwrap();
    }
    assert_eq!(json(&ws, &["delays", "--year", "1920", "--by", "reason"]), before);
}

use carepath::model::series::{Area, Dim, Measure, SeriesRequest};
use carepath::store::series::{periods, series, series_fresh};

fn request(measure: Measure, dim: Option<Dim>, value: &str, by: Option<Dim>) -> SeriesRequest {
    SeriesRequest { measure, area: Area { dim, value: value.into() }, by, weekly: false, from: None, change: Vec::new(), spec: None }
}

#[test]
fn stored_series_agree_with_the_live_computation() {
    let conn = common::open_ro(&generated().ws);
    let stored: i64 = conn.query_row("SELECT count(*) FROM series_store", [], |r| r.get(0)).unwrap();
    assert!(stored > 0, "the load stores the series");
    let loaded = years(&conn);
    let all = periods(&conn, false, &loaded).unwrap();
    let cut: Vec<_> = all[14..].to_vec();
    let weeks = periods(&conn, true, &loaded).unwrap();
    assert!(weeks.len() > 150, "{}", weeks.len());
    let mut asked: Vec<(Option<Dim>, String)> = vec![(None, String::new())];
    for (d, col) in [(Dim::Council, "lca"), (Dim::Board, "hb2019"), (Dim::Hscp, "hscp2019"), (Dim::Locality, "locality")] {
        let mut a = areas(&conn, col, "1920");
        a.truncate(4);
        if d == Dim::Council {
            assert!(a.len() > 3, "{a:?}");
        }
        if d == Dim::Locality {
            // compared without case, as the live query does
            a.extend(a.first().map(|l| l.to_uppercase()));
        }
        asked.extend(a.into_iter().map(|v| (Some(d), v)));
    }
    let mut compared = 0;
    for m in Measure::ALL {
        for (dim, value) in &asked {
            for by in [None, Some(Dim::Locality)] {
                let req = request(m, *dim, value, by);
                for p in [&all, &cut] {
                    let a = series(&conn, &req, p, &loaded).unwrap();
                    let b = series_fresh(&conn, &req, p, &loaded).unwrap();
                    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap(), "{m:?} {dim:?} {value} by {by:?}");
                    compared += 1;
                }
                let weekly = SeriesRequest { weekly: true, ..req };
                let a = series(&conn, &weekly, &weeks, &loaded).unwrap();
                let b = series_fresh(&conn, &weekly, &weeks, &loaded).unwrap();
                assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap(), "weekly {m:?} {dim:?} {value} by {by:?}");
            }
        }
        // the measure has something to compare
        let s = series_fresh(&conn, &request(m, None, "", None), &all, &loaded).unwrap();
        assert!(s.groups[0].points.iter().any(|p| p.value > 0), "{m:?}");
    }
    assert!(compared > 100);
    // an area no one lives in is still refused with the live query's message
    let e = series(&conn, &request(Measure::EmergencyAdmissions, Some(Dim::Council), "nowhere", None), &all, &loaded).unwrap_err();
    assert!(e.to_string().contains("no one in this workspace lives there"), "{e}");
}

#[test]
fn the_stored_series_answer() {
    let (_t, ws) = copy(&generated().ws, "series");
    let args = ["spc", "--measure", "emergency_admissions", "--area", "scotland"];
    let before = json(&ws, &args);
    {
        let w = carepath::store::Workspace::open(&ws).unwrap();
        w.conn.execute_batch("UPDATE series_store SET value = value + 500 WHERE area_dim = 'scotland'").unwrap();
    }
    assert_ne!(json(&ws, &args), before, "the stored counts answer");
    {
        let w = carepath::store::Workspace::open(&ws).unwrap();
        w.conn.execute_batch("UPDATE stored_stamp SET stamp = 'another load' WHERE name = 'series_store'").unwrap();
    }
    assert_eq!(json(&ws, &args), before, "a copy from another load is not used");
}

#[test]
fn series_without_the_stored_tables_are_the_same() {
    let conn = common::open_ro(&generated().ws);
    let lca = areas(&conn, "lca", "1920").remove(0);
    drop(conn);
    let council = format!("council={lca}");
    let mut requests = Vec::new();
    for m in ["emergency_admissions", "emergency_bed_days", "dd_bed_days", "care_home_residents"] {
        requests.push(vec!["spc", "--measure", m, "--area", "scotland"]);
    }
    requests.push(vec!["spc", "--measure", "emergency_admissions", "--area", &council, "--by", "locality"]);
    requests.push(vec!["spc", "--measure", "ae_attendances", "--area", &council, "--from", "2018-07", "--change", "2019-01"]);
    requests.push(vec!["spc", "--measure", "ae_attendances", "--area", &council, "--weekly"]);
    requests.push(vec!["spc", "--measure", "emergency_bed_days", "--area", "scotland", "--weekly", "--from", "2019-01-07"]);
    requests.push(vec!["spc", "--measure", "ae_attendances", "--area", "scotland", "--by", "council"]);
    same_without(&["series_store", "series_groups", "series_years"], &requests);
}

/// The population half of each year's characterisation is stored at load and read by the first
/// call: a changed stored copy changes the population figures (not the cohort's); a copy from
/// another load is not read.
#[test]
fn the_stored_population_characterisation_answers() {
    use carepath::model::cohort::CohortSpec;
    let spec = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\nage = { min = 65 }\n").unwrap();
    let tamper = |ws: &Path, stamp: Option<&str>| {
        let w = carepath::store::Workspace::open(ws).unwrap();
        let json: String = w.conn.query_row("SELECT side FROM characterise_store WHERE year = '1920'", [], |r| r.get(0)).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["people"] = (v["people"].as_u64().unwrap() + 1000).into();
        w.conn.execute("UPDATE characterise_store SET side = ? WHERE year = '1920'", [v.to_string()]).unwrap();
        if let Some(s) = stamp {
            w.conn.execute("UPDATE characterise_store SET stamp = ?", [s]).unwrap();
        }
    };
    let characterise = |ws: &Path| {
        let w = carepath::store::Workspace::open(ws).unwrap();
        let people: i64 = w.conn.query_row("SELECT count(*) FROM person_year WHERE year = '1920'", [], |r| r.get(0)).unwrap();
        (carepath::store::cohort::characterise(&w.conn, &spec).unwrap(), people as u64)
    };
    let (_a, plain) = copy(&generated().ws, "char-plain");
    let (_b, changed) = copy(&generated().ws, "char-changed");
    let (_c, stale) = copy(&generated().ws, "char-stale");
    tamper(&changed, None);
    tamper(&stale, Some("another load"));
    let (a, people) = characterise(&plain);
    let (b, _) = characterise(&changed);
    let (c, _) = characterise(&stale);
    // the population is every person-year of 2019/20 (SQL above), the cohort its 65+
    assert_eq!(a.population_people, people);
    assert!(a.cohort_people > 0 && a.cohort_people < people, "{} of {people}", a.cohort_people);
    assert_eq!(b.population_people, people + 1000, "the stored copy answers");
    assert_eq!(b.cohort_people, a.cohort_people);
    assert_eq!(serde_json::to_value(&c).unwrap(), serde_json::to_value(&a).unwrap(), "another load's copy is not read");
}

#[test]
fn characterisation_without_the_stored_table_is_the_same() {
    same_without(
        &["characterise_store"],
        &[
            vec!["cohort", "--year", "1920"],
            vec!["cohort", "--year", "1920", "--age-min", "65", "--simd-quintile", "1"],
            vec!["cohort", "--year", "2122", "--sex", "F"],
            vec!["cohort", "--year", "1718", "--emergency-min", "1"],
        ],
    );
}
