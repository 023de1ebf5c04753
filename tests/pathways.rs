//! `carepath pathways` and `carepath time-to` (issue 13, items 1-3) on a scripted extract in the
//! full published layout (`pathway_fixture`). Expected trees, medians and cumulative incidences
//! are computed here from the script itself (the events each person was given), with this
//! file's own ordering, collapsing and Kaplan-Meier code, never carepath's; gated output is
//! checked for parent-minus-siblings and total recoveries against the raw figures.
mod common;
mod layout_fixture;
mod pathway_fixture;
use common::{carepath, load_json, stderr};
use pathway_fixture::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Same-day order of the grouped steps (the list; death last).
const ORDER: [&str; 11] = ["A&E", "Emergency admission", "Elective admission", "Other admission", "Mental health", "GLS", "Delayed discharge", "Home care", "SDS", "Care home", "Death"];
const DATA_END: &str = "2021-03-31";

fn rank(step: &str) -> usize {
    ORDER.iter().position(|s| *s == step).unwrap()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    ws: PathBuf,
}

fn load() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_pathways_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    assert_eq!(report["rejects_total"], 0, "{report}");
    Fixture { _tmp: tmp, ws }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(load)
}

static LOCK: Mutex<()> = Mutex::new(());

fn run_json(ws: &Path, args: &[&str]) -> Value {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut all = vec![args[0], "--workspace", ws.to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(&args[1..]);
    let out = carepath(&all);
    assert!(out.status.success(), "{all:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

// ---- the expected figures, from the script

/// (position in the person's list, event) of the index: the first event of `kind` by date then
/// step order, or death.
fn index_of<'a>(p: &'a Scripted, kind: &str) -> Option<(usize, &'a Ev)> {
    p.events.iter().enumerate().filter(|(_, e)| e.step == kind).min_by_key(|(i, e)| (day_number(&e.start), rank(e.step), *i))
}

/// Steps after (`after` true) or before the index within `days`, collapsed, cut at `depth`:
/// (step, days from the index, or before it).
fn steps(p: &Scripted, kind: &str, days: i64, depth: usize, after: bool) -> Option<Vec<(&'static str, i64)>> {
    let (ix, e0) = index_of(p, kind)?;
    let d0 = day_number(&e0.start);
    let mut evs: Vec<(i64, usize, usize, &'static str)> = Vec::new();
    for (i, e) in p.events.iter().enumerate() {
        if i == ix || (e.cij.is_some() && e.cij == e0.cij && e.step == e0.step) {
            continue; // the index, and its own stay's episodes of the same step
        }
        let d = day_number(&e.start) - d0;
        let key = (d, rank(e.step), i);
        let is_after = key > (0, rank(e0.step), ix);
        if after && is_after && d <= days {
            evs.push((d, rank(e.step), i, e.step));
        }
        if !after && !is_after && -d <= days {
            evs.push((-d, usize::MAX - rank(e.step), usize::MAX - i, e.step));
        }
    }
    evs.sort();
    let mut out: Vec<(&'static str, i64)> = Vec::new();
    for (d, _, _, s) in evs {
        if out.last().map(|l| l.0) != Some(s) {
            if out.len() == depth {
                break;
            }
            out.push((s, d));
        }
    }
    Some(out)
}

fn median(mut v: Vec<i64>) -> f64 {
    v.sort();
    let n = v.len();
    if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 }
}

/// prefix -> (people, people ending there, days to each step)
type Tree = BTreeMap<Vec<String>, (i64, i64, Vec<Vec<i64>>)>;

fn expected_tree(kind: &str, days: i64, depth: usize, after: bool, who: &dyn Fn(&Scripted) -> bool) -> (i64, i64, Tree) {
    let mut t: Tree = BTreeMap::new();
    let (mut indexed, mut none) = (0, 0);
    for p in scripted_people().into_iter().filter(|p| who(p)) {
        let Some(s) = steps(&p, kind, days, depth, after) else { continue };
        indexed += 1;
        if s.is_empty() {
            none += 1;
        }
        for l in 1..=s.len() {
            let key: Vec<String> = s[..l].iter().map(|x| x.0.to_string()).collect();
            let e = t.entry(key).or_insert((0, 0, vec![Vec::new(); l]));
            e.0 += 1;
            if l == s.len() {
                e.1 += 1;
            }
            for (k, x) in s[..l].iter().enumerate() {
                e.2[k].push(x.1);
            }
        }
    }
    (indexed, none, t)
}

fn num(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("expected a count, got {v}"))
}

fn steps_of(p: &Value) -> Vec<String> {
    p["steps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn check_tree(paths: &Value, root: &Value, kind: &str, days: i64, depth: usize, after: bool) {
    check_tree_of(paths, root, kind, days, depth, after, &|_| true)
}

fn check_tree_of(paths: &Value, root: &Value, kind: &str, days: i64, depth: usize, after: bool, who: &dyn Fn(&Scripted) -> bool) {
    let (indexed, none, t) = expected_tree(kind, days, depth, after, who);
    assert_eq!(num(&root["people"]), indexed, "indexed people");
    assert_eq!(num(&root["ended_here"]), none, "people with no step");
    let paths = paths.as_array().unwrap();
    assert_eq!(paths.len(), t.len(), "nodes: {paths:?}");
    for p in paths {
        let k = steps_of(p);
        let (people, ended, d) = t.get(&k).unwrap_or_else(|| panic!("unexpected node {k:?}"));
        assert_eq!(num(&p["people"]), *people, "{k:?}");
        if k.len() < depth {
            assert_eq!(num(&p["ended_here"]), *ended, "{k:?} ended");
        } else {
            assert!(p["ended_here"].is_null(), "{k:?}: nothing is said past the deepest level");
        }
        let md: Vec<f64> = p["median_days"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let want: Vec<f64> = d.iter().map(|x| (median(x.clone()) * 10.0).round() / 10.0).collect();
        assert_eq!(md, want, "{k:?} median days");
        let pct = p["pct_of_index"].as_f64().unwrap();
        assert!((pct - (1000.0 * *people as f64 / indexed as f64).round() / 10.0).abs() < 1e-9, "{k:?} {pct}");
    }
}

fn root_row(v: &Value, table: &str) -> Value {
    v["tables"][table][0].clone()
}

#[test]
fn pathways_after_an_emergency_admission_match_the_script() {
    let f = fixture();
    for (days, depth) in [(90, 3), (180, 5), (90, 2)] {
        let (d, k) = (days.to_string(), depth.to_string());
        let v = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", &d, "--depth", &k, "--no-sdc"]);
        for key in ["index", "people", "paths"] {
            assert!(v.get(key).is_some(), "JSON key {key}");
        }
        assert_eq!(num(&v["people"]), 52);
        check_tree(&v["paths"], &root_row(&v, "pathways_after"), "Emergency admission", days, depth as usize, true);
    }
    // spot checks by hand: the DD inside the index stay is a step, its A&E the same morning is
    // not (it came first), T7's second episode of the same stay is part of the index
    let v = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", "90", "--depth", "3", "--no-sdc"]);
    let find = |steps: &[&str]| v["paths"].as_array().unwrap().iter().find(|p| steps_of(p) == steps).cloned();
    let dd = find(&["Delayed discharge", "Care home"]).unwrap();
    assert_eq!(num(&dd["people"]), 14);
    assert_eq!(dd["median_days"], serde_json::json!([7.0, 36.5]), "care home at day 30 + j, j = 0..13");
    assert_eq!(num(&find(&["Death"]).unwrap()["people"]), 10);
    assert_eq!(num(&find(&["A&E", "Emergency admission"]).unwrap()["people"]), 3, "repeat A&E collapsed");
    assert!(find(&["Emergency admission"]).is_none());
    assert_eq!(num(&find(&["GLS", "Home care", "Emergency admission"]).unwrap()["people"]), 12);
}

#[test]
fn pathways_before_the_index_and_other_index_kinds() {
    let f = fixture();
    let v = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", "30", "--before-days", "30", "--depth", "3", "--no-sdc"]);
    check_tree(&v["paths_before"], &root_row(&v, "pathways_before"), "Emergency admission", 30, 3, false);
    // death as the index: what led to it
    let v = run_json(&f.ws, &["pathways", "--index", "death", "--after-days", "0", "--before-days", "120", "--depth", "5", "--no-sdc"]);
    assert_eq!(num(&v["people"]), 22);
    check_tree(&v["paths_before"], &root_row(&v, "pathways_before"), "Death", 120, 5, false);
    // a diagnosis index: T2's first admission carries J441
    let v = run_json(&f.ws, &["pathways", "--index", "diagnosis", "--code", "J44", "--after-days", "90", "--depth", "3", "--no-sdc"]);
    assert_eq!(num(&v["people"]), 12);
    check_tree_of(&v["paths"], &root_row(&v, "pathways_after"), "Emergency admission", 90, 3, true, &|p| p.template == "T2");
    let v = run_json(&f.ws, &["pathways", "--index", "diagnosis", "--code", "J44", "--main-only", "--after-days", "90", "--no-sdc"]);
    assert_eq!(num(&v["people"]), 12);
    let v = run_json(&f.ws, &["pathways", "--index", "care-home", "--after-days", "365", "--no-sdc"]);
    assert_eq!(num(&v["people"]), 16, "T1 and T6");
    let v = run_json(&f.ws, &["pathways", "--index", "ae", "--after-days", "10", "--depth", "2", "--no-sdc"]);
    check_tree(&v["paths"], &root_row(&v, "pathways_after"), "A&E", 10, 2, true);
    // a cohort: women only (the spec's year 2019/20 is the index window)
    let women = scripted_people().iter().filter(|p| p.who.gender == 2 && index_of(p, "Emergency admission").is_some_and(|(_, e)| fy(&e.start) == "1920")).count() as i64;
    let v = run_json(&f.ws, &["pathways", "--sex", "F", "--year", "1920", "--index", "emergency-admission", "--after-days", "90", "--no-sdc"]);
    assert_eq!(num(&v["people"]), women);
}

/// The LTC index: the day the condition was first recorded (the `<ltc>_date` column), worked by
/// hand from the script. T2 (12 people) has COPD recorded 3 days before its emergency stay of
/// 10 days (a GLS episode of the same stay on day 10), home care on day 25 and a readmission on
/// day 66 of the stay: from the COPD date, Emergency admission at day 3, GLS at 13, Home care
/// at 28, Emergency admission at 69, for every copy (the copies shift all dates alike). The
/// index is a date, not an event, so the whole stay is a step. T7's dementia (June 2018) is
/// before the loaded years: no one is indexed.
#[test]
fn an_ltc_first_recorded_indexes_its_people_on_that_day() {
    let f = fixture();
    let v = run_json(&f.ws, &["pathways", "--index", "ltc", "--code", "COPD", "--after-days", "90", "--depth", "4", "--no-sdc"]);
    assert_eq!(num(&v["people"]), 12);
    let paths = v["paths"].as_array().unwrap();
    let want: [(&[&str], &[f64]); 4] = [
        (&["Emergency admission"], &[3.0]),
        (&["Emergency admission", "GLS"], &[3.0, 13.0]),
        (&["Emergency admission", "GLS", "Home care"], &[3.0, 13.0, 28.0]),
        (&["Emergency admission", "GLS", "Home care", "Emergency admission"], &[3.0, 13.0, 28.0, 69.0]),
    ];
    assert_eq!(paths.len(), want.len(), "{paths:?}");
    for (p, (steps, days)) in paths.iter().zip(want) {
        assert_eq!(steps_of(p), steps.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(num(&p["people"]), 12, "{steps:?}");
        let md: Vec<f64> = p["median_days"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        assert_eq!(md, days, "{steps:?}");
    }
    // Time from the COPD date to death: T2 dies on day 101 + 3 = 104 of it, all 12.
    let v = run_json(&f.ws, &["time-to", "--index", "ltc", "--code", "copd", "--target", "death", "--no-sdc"]);
    let c = &v["curves"][0];
    assert_eq!(num(&c["people"]), 12);
    let at = |d: i64| c["points"].as_array().unwrap().iter().find(|p| p["days"] == d).map(|p| p["cumulative_incidence_pct"].as_f64().unwrap()).unwrap();
    assert_eq!((at(90), at(180)), (0.0, 100.0));
    let v = run_json(&f.ws, &["pathways", "--index", "ltc", "--code", "dementia", "--after-days", "90", "--no-sdc"]);
    assert_eq!(num(&v["people"]), 0, "dementia was recorded before the window");
    // refused with the list of conditions, and as a time-to target
    let out = common::carepath(&["pathways", "--workspace", f.ws.to_str().unwrap(), "--index", "ltc", "--code", "gout", "--after-days", "9"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a long-term condition carepath knows (one of arth, asthma"), "{}", stderr(&out));
    let out = common::carepath(&["time-to", "--workspace", f.ws.to_str().unwrap(), "--index", "ae", "--target", "ltc", "--target-code", "copd"]);
    assert!(stderr(&out).contains("not its target"), "{}", stderr(&out));
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let f = fixture();
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let ws = f.ws.to_str().unwrap();
    for (args, says) in [
        (vec!["pathways", "--workspace", ws, "--index", "diagnosis", "--after-days", "30"], "--code"),
        (vec!["pathways", "--workspace", ws, "--index", "diagnosis", "--code", "J44' OR 1=1 --", "--after-days", "30"], "ICD-10"),
        (vec!["pathways", "--workspace", ws, "--index", "service", "--code", "XYZ", "--after-days", "30"], "record type"),
        (vec!["pathways", "--workspace", ws, "--index", "ae", "--after-days", "30", "--depth", "9"], "--depth"),
        (vec!["pathways", "--workspace", ws, "--index", "ae", "--after-days", "99999"], "too large"),
    ] {
        let o = carepath(&args);
        assert!(!o.status.success(), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    for fmt in ["table", "csv"] {
        let o = carepath(&["pathways", "--workspace", ws, "--index", "emergency-admission", "--after-days", "90", "--format", fmt]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(common::stdout(&o).contains("Delayed discharge"), "{}", common::stdout(&o));
    }
}

// ---- time to event

/// Kaplan-Meier cumulative incidence at `h` (this file's own implementation).
fn km(subjects: &[(i64, bool)], h: i64) -> f64 {
    let mut times: Vec<i64> = subjects.iter().filter(|s| s.1 && s.0 <= h).map(|s| s.0).collect();
    times.sort();
    times.dedup();
    let mut s = 1.0;
    for t in times {
        let at_risk = subjects.iter().filter(|x| x.0 >= t).count() as f64;
        let d = subjects.iter().filter(|x| x.1 && x.0 == t).count() as f64;
        s *= 1.0 - d / at_risk;
    }
    1.0 - s
}

/// (time, event) per person indexed by their first emergency admission, for a target step.
fn subjects(target: &str, group: &dyn Fn(&Scripted) -> bool) -> Vec<(i64, bool)> {
    let mut v = Vec::new();
    for p in scripted_people().iter().filter(|p| group(p)) {
        let Some((ix, e0)) = index_of(p, "Emergency admission") else { continue };
        let d0 = day_number(&e0.start);
        let t = p
            .events
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                // a readmission is a new stay: nothing of the index stay; otherwise only its own step
                let same_stay = e.cij.is_some() && e.cij == e0.cij && (e.step == e0.step || target == "Emergency admission");
                e.step == target && *i != ix && !same_stay
                    && (day_number(&e.start) - d0, rank(e.step), *i) > (0, rank(e0.step), ix)
            })
            .map(|(_, e)| day_number(&e.start) - d0)
            .min();
        let death = p.events.iter().find(|e| e.step == "Death").map(|e| day_number(&e.start) - d0);
        let end = day_number(DATA_END) - d0;
        let c = if target == "Death" { end } else { death.unwrap_or(i64::MAX).min(end) };
        v.push(match t {
            Some(t) if t <= c => (t, true),
            _ => (c, false),
        });
    }
    v
}

fn check_curve(curve: &Value, s: &[(i64, bool)]) {
    assert_eq!(num(&curve["people"]), s.len() as i64, "{curve}");
    for p in curve["points"].as_array().unwrap() {
        let h = num(&p["days"]);
        let events = s.iter().filter(|x| x.1 && x.0 <= h).count() as i64;
        let censored = s.iter().filter(|x| !x.1 && x.0 <= h).count() as i64;
        assert_eq!(num(&p["events"]), events, "{h} days: {curve}");
        assert_eq!(num(&p["censored"]), censored, "{h} days");
        assert_eq!(num(&p["at_risk"]), s.len() as i64 - events - censored, "{h} days");
        let ci = p["cumulative_incidence_pct"].as_f64().unwrap();
        assert!((ci - (1000.0 * km(s, h)).round() / 10.0).abs() < 1e-9, "{h} days: {ci} vs {}", 100.0 * km(s, h));
    }
}

#[test]
fn time_to_care_home_readmission_and_death_with_censoring() {
    let f = fixture();
    for (target, step) in [("care-home", "Care home"), ("emergency-admission", "Emergency admission"), ("death", "Death")] {
        let v = run_json(&f.ws, &["time-to", "--index", "emergency-admission", "--target", target, "--no-sdc"]);
        let curves = v["curves"].as_array().unwrap();
        assert_eq!(curves.len(), 1);
        assert_eq!(curves[0]["group"], "All");
        assert_eq!(curves[0]["points"].as_array().unwrap().iter().map(|p| num(&p["days"])).collect::<Vec<_>>(), [30, 90, 180, 365]);
        check_curve(&curves[0], &subjects(step, &|_| true));
    }
    // by hand: readmissions are T4's (day 24) and T2's (day 66); T7's second episode is the same stay
    let v = run_json(&f.ws, &["time-to", "--index", "emergency-admission", "--target", "emergency-admission", "--no-sdc"]);
    let pts = v["curves"][0]["points"].as_array().unwrap();
    assert_eq!((num(&pts[0]["events"]), num(&pts[1]["events"])), (3, 15));
    // split by sex: one curve per sex beside All, each matching its own people
    let v = run_json(&f.ws, &["time-to", "--index", "emergency-admission", "--target", "care-home", "--by", "sex", "--no-sdc"]);
    let curves = v["curves"].as_array().unwrap();
    let groups: Vec<&str> = curves.iter().map(|c| c["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["All", "F", "M"]);
    check_curve(&curves[1], &subjects("Care home", &|p| p.who.gender == 2));
    check_curve(&curves[2], &subjects("Care home", &|p| p.who.gender == 1));
}

// ---- disclosure control

fn shown(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) if s == "*" => None,
        Value::Null => None,
        other => Some(num(other)),
    }
}

#[test]
fn gated_trees_and_curves_give_no_withheld_cell_back() {
    // its own workspace: gated outputs first, then the raw figures to check them against
    let f = load();
    let args = ["pathways", "--index", "emergency-admission", "--after-days", "90", "--depth", "3"];
    let g = run_json(&f.ws, &args);
    let mut raw_args = args.to_vec();
    raw_args.push("--no-sdc");
    let r = run_json(&f.ws, &raw_args);
    assert_eq!(g["disclosure"]["applied"], true);
    let raw: HashMap<Vec<String>, &Value> = r["paths"].as_array().unwrap().iter().map(|p| (steps_of(p), p)).collect();
    let gated: Vec<&Value> = g["paths"].as_array().unwrap().iter().collect();
    let mut withheld = 0;
    for p in &gated {
        for k in ["people", "ended_here"] {
            match shown(&p[k]) {
                Some(n) => assert!(n == 0 || n >= 10, "{k} {n} shown: {p}"),
                None => withheld += 1,
            }
        }
    }
    // parents: the root row and each gated node that says who ended there
    let root = root_row(&g, "pathways_after");
    let raw_root = root_row(&r, "pathways_after");
    let mut parents: Vec<(Vec<String>, Value, Value)> = vec![(Vec::new(), root.clone(), raw_root.clone())];
    for p in &gated {
        if !p["ended_here"].is_null() {
            let k = steps_of(p);
            parents.push((k.clone(), (*p).clone(), raw[&k].clone()));
        }
    }
    for (k, shown_parent, raw_parent) in parents {
        let Some(total) = shown(&shown_parent["people"]) else { continue };
        let kids: Vec<&&Value> = gated.iter().filter(|c| steps_of(c).len() == k.len() + 1 && steps_of(c)[..k.len()] == k[..]).collect();
        let raw_kids: i64 = raw.iter().filter(|(s, _)| s.len() == k.len() + 1 && s[..k.len()] == k[..]).map(|(_, c)| num(&c["people"])).sum();
        let listed: i64 = kids.iter().map(|c| raw[&steps_of(c)]["people"].as_i64().unwrap()).sum();
        let unlisted = raw_kids - listed;
        let mut members: Vec<Option<i64>> = kids.iter().map(|c| shown(&c["people"])).collect();
        members.push(shown(&shown_parent["ended_here"]));
        let unknown = members.iter().filter(|m| m.is_none()).count();
        let residual = total - members.iter().flatten().sum::<i64>();
        assert!(!(unknown == 1 && unlisted == 0), "{k:?}: parent minus siblings gives the withheld cell ({residual})");
        if unknown == 0 {
            assert!(residual == 0 || residual >= 10, "{k:?}: parent minus siblings gives {residual} unlisted people");
        }
        let _ = raw_parent;
    }
    assert!(withheld > 0 || g["disclosure"]["withheld"].as_u64().unwrap() > 0, "the fixture has small branches: something must be withheld");
    // the unlisted small branches (A&E 3, elective 2) are not in the gated tree
    assert!(gated.iter().all(|p| steps_of(p)[0] != "Elective admission"));

    // time to event by sex: people = events + censored + at risk, All = F + M
    let t = run_json(&f.ws, &["time-to", "--index", "emergency-admission", "--target", "care-home", "--by", "sex"]);
    let curves = t["curves"].as_array().unwrap();
    for c in curves {
        for p in c["points"].as_array().unwrap() {
            let parts = [shown(&c["people"]), shown(&p["events"]), shown(&p["censored"]), shown(&p["at_risk"])];
            assert_ne!(parts.iter().filter(|x| x.is_none()).count(), 1, "{c}: one withheld in people = events + censored + at risk");
            for x in parts.iter().flatten() {
                assert!(*x == 0 || *x >= 10, "{x} shown in {c}");
            }
            if shown(&p["events"]).is_none() {
                assert_eq!(p["cumulative_incidence_pct"], "*", "incidence withheld with its events");
            }
        }
    }
    for key in ["people"] {
        let col: Vec<Option<i64>> = curves.iter().map(|c| shown(&c[key])).collect();
        assert_ne!(col.iter().filter(|x| x.is_none()).count(), 1, "All = F + M for {key}");
    }
    for h in 0..4 {
        for key in ["events", "censored", "at_risk"] {
            let col: Vec<Option<i64>> = curves.iter().map(|c| shown(&c["points"][h][key])).collect();
            assert_ne!(col.iter().filter(|x| x.is_none()).count(), 1, "All = F + M for {key} at horizon {h}");
        }
    }
}

#[test]
fn members_of_a_node_are_pseudonyms_with_their_strip_and_are_audited() {
    let f = load();
    let v = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", "90", "--members", "Delayed discharge > Care home", "--limit", "100"]);
    assert_eq!(num(&v["total"]), 14);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 14);
    let mut care_home_days: Vec<i64> = Vec::new();
    for r in rows {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with('P') && id[1..].chars().all(|c| c.is_ascii_digit()), "{id}");
        let steps = r["steps"].as_array().unwrap();
        assert_eq!(steps[0], serde_json::json!(["Delayed discharge", 7]));
        assert_eq!(steps[1][0], "Care home");
        care_home_days.push(num(&steps[1][1]));
    }
    care_home_days.sort();
    assert_eq!(care_home_days, (30..44).collect::<Vec<i64>>(), "care home at day 30 + j");
    let text = v.to_string();
    for p in scripted_people() {
        assert!(!text.contains(&p.who.anon()), "anon_chi must never leave");
    }
    // paging, and the tree before the index
    let page = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", "90", "--members", "Delayed discharge", "--limit", "5", "--offset", "10"]);
    assert_eq!((num(&page["total"]), page["rows"].as_array().unwrap().len()), (14, 4));
    let b = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", "90", "--before-days", "30", "--members", "A&E", "--members-before"]);
    assert_eq!(num(&b["total"]), 14);
    let conn = common::open_ro(&f.ws);
    assert_eq!(common::q_i64(&conn, "SELECT count(*) FROM audit_log WHERE action = 'pathway members'"), 3);
    drop(conn);
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let o = carepath(&["pathways", "--workspace", f.ws.to_str().unwrap(), "--index", "ae", "--after-days", "9", "--members", "Nonsense"]);
    assert!(!o.status.success() && stderr(&o).contains("not a pathway step"), "{}", stderr(&o));
}

// ---- temporal cohort filter: "A then B within N days"

/// From the script: people with a `first` event starting in 2019/20 and a `then` event after it
/// (date, then same-day step order) starting within `days` of its start (or end); a `then`
/// emergency admission must be a new stay. An emergency GLS episode is an emergency admission
/// event too (the loader flags every inpatient record of a non-elective stay).
fn seq_people(first: &str, then: &str, days: i64, from_end: bool) -> i64 {
    let is = |kind: &str, e: &Ev| e.step == kind || (kind == "Emergency admission" && e.step == "GLS");
    let mut n = 0;
    for p in scripted_people() {
        let hit = p.events.iter().enumerate().any(|(i, a)| {
            is(first, a) && fy(&a.start) == "1920" && p.events.iter().enumerate().any(|(j, b)| {
                let after = (day_number(&b.start), rank(b.step), j) > (day_number(&a.start), rank(a.step), i);
                let anchor = day_number(if from_end { &a.end } else { &a.start });
                let d = day_number(&b.start);
                let new_stay = !(then == "Emergency admission" && a.cij.is_some() && a.cij == b.cij);
                j != i && is(then, b) && after && d >= anchor && d <= anchor + days && new_stay
            })
        });
        if hit {
            n += 1;
        }
    }
    n
}

#[test]
fn temporal_cohort_filter_counts_the_right_people() {
    let f = fixture();
    let count = |extra: &[&str]| {
        let mut args = vec!["cohort", "--year", "1920", "--no-sdc"];
        args.extend_from_slice(extra);
        let v = run_json(&f.ws, &args);
        num(&v["count"])
    };
    // emergency readmission within 28 days of discharge: T4 only (T7's second episode is the same stay)
    let readmit = count(&["--seq-first", "emergency-admission", "--seq-then", "emergency-admission", "--seq-within-days", "28", "--seq-from-end"]);
    assert_eq!(readmit, seq_people("Emergency admission", "Emergency admission", 28, true));
    assert_eq!(readmit, 3);
    // care home within 90 days of discharge: T1 (T6's is 117 days after)
    let ch = count(&["--seq-first", "emergency-admission", "--seq-then", "care-home", "--seq-within-days", "90", "--seq-from-end"]);
    assert_eq!(ch, seq_people("Emergency admission", "Care home", 90, true));
    assert_eq!(ch, 14);
    // an admission via A&E (the same day, A&E first) and one 5 days after an A&E
    for days in [1, 5, 30] {
        let d = days.to_string();
        let n = count(&["--seq-first", "ae", "--seq-then", "emergency-admission", "--seq-within-days", &d]);
        assert_eq!(n, seq_people("A&E", "Emergency admission", days, false), "{days} days");
    }
    // a DD inside the admission's own stay counts (it is not an admission)
    let dd = count(&["--seq-first", "emergency-admission", "--seq-then", "delayed-discharge", "--seq-within-days", "14"]);
    assert_eq!(dd, seq_people("Emergency admission", "Delayed discharge", 14, false));
    assert_eq!(dd, 14);
    // in a TOML spec, with attrition like any filter, and as the cohort of a pathways question
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("readmitted.toml");
    std::fs::write(
        &spec,
        "name = \"Readmitted within 28 days\"\nyears = [\"1920\"]\n\n[[filter]]\nsex = \"M\"\n\n[[filter]]\nsequence = { first = { kind = \"emergency-admission\" }, then = { kind = \"emergency-admission\" }, within_days = 28, from_end = true }\n",
    )
    .unwrap();
    let v = run_json(&f.ws, &["cohort", "--spec", spec.to_str().unwrap(), "--no-sdc"]);
    let steps = v["attrition"].as_array().unwrap();
    assert_eq!(steps.len(), 3, "{v}");
    assert!(steps[2]["filter"].as_str().unwrap().contains("within 28 days"), "{}", steps[2]["filter"]);
    let men_readmitted = scripted_people().iter().filter(|p| p.template == "T4" && p.who.gender == 1).count() as i64;
    assert_eq!(num(&v["count"]), men_readmitted);
    let pw = run_json(&f.ws, &["pathways", "--spec", spec.to_str().unwrap(), "--index", "emergency-admission", "--after-days", "90", "--no-sdc"]);
    assert_eq!(num(&pw["people"]), men_readmitted);
    // a sequence needs two events
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let o = carepath(&["cohort", "--workspace", f.ws.to_str().unwrap(), "--seq-first", "death", "--seq-then", "ae", "--seq-within-days", "30"]);
    assert!(!o.status.success() && stderr(&o).contains("not an event"), "{}", stderr(&o));
    let o = carepath(&["cohort", "--workspace", f.ws.to_str().unwrap(), "--seq-first", "ae", "--seq-within-days", "30"]);
    assert!(!o.status.success() && stderr(&o).contains("--seq-then"), "{}", stderr(&o));
}

#[test]
fn service_level_steps_name_record_types() {
    let f = fixture();
    let v = run_json(&f.ws, &["pathways", "--index", "emergency-admission", "--after-days", "90", "--depth", "3", "--steps", "service", "--no-sdc"]);
    let find = |steps: &[&str]| v["paths"].as_array().unwrap().iter().find(|p| steps_of(p) == steps).map(|p| num(&p["people"]));
    // by hand from the script: T1's DD and care home, T2's GLS transfer, home care and acute
    // readmission, T7's death (its second acute episode is the index stay), T4's A&E then acute
    assert_eq!(find(&["Delayed discharge", "Care home"]), Some(14));
    assert_eq!(find(&["Geriatric long stay", "Home care", "Acute"]), Some(12));
    assert_eq!(find(&["Death"]), Some(10));
    assert_eq!(find(&["A&E", "Acute"]), Some(3));
    assert_eq!(find(&["Acute"]), Some(2), "T6's elective admission is an acute record");
}
