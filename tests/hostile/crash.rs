//! Class 1: a workspace that opened before a crash opens after it. The load is killed with
//! SIGKILL at each stage (just before the commit, just after it, after the report is printed);
//! carepath then opens the workspace with its own offline settings and finds the old state
//! before the commit and the new one after.
use crate::common::*;
use crate::support::*;

fn killed_at(point: &str) -> (Result<(i64, i64, i64, i64, i64), String>, (i64, i64, i64, i64, i64), bool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let ws = tmp.path().join("ws.duckdb");
    // First load: episodes only. The second adds SC2 demographics (CHI numbers) and the rest.
    let first = tmp.path().join("first");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::rename(dir.join("source-episode-file-1920.csv"), first.join("source-episode-file-1920.csv")).unwrap();
    let (_, ok) = load_json(&ws, &[&first]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let before = snapshot_via_carepath(&ws).unwrap();
    let reached = kill_load_at(&ws, &[&dir], point);
    (snapshot_via_carepath(&ws), before, reached)
}

#[test]
fn killed_just_before_commit_the_old_workspace_opens() {
    let (after, before, reached) = killed_at("before-commit");
    assert!(reached, "the load should reach the point before its commit");
    assert_eq!(after.expect("workspace must open after the kill"), before, "nothing of the killed load is kept");
}

#[test]
fn killed_just_after_commit_the_new_workspace_opens() {
    let (after, before, reached) = killed_at("commit");
    assert!(reached, "the load should reach its commit");
    let after = after.expect("a workspace killed after its commit must open with carepath's settings");
    assert_eq!(after.3, 6, "all six files are in the load log: {after:?}");
    assert!(after.1 > before.1, "the new load's events are there: {after:?} vs {before:?}");
}

#[test]
fn killed_after_the_report_is_printed_the_new_workspace_opens() {
    let (after, before, reached) = killed_at("report");
    assert!(reached, "the load should print its report");
    let after = after.expect("workspace must open");
    assert_eq!(after.3, 6);
    assert!(after.1 > before.1);
}

#[test]
fn killed_after_the_commit_of_a_new_workspace_it_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let ws = tmp.path().join("new.duckdb");
    assert!(kill_load_at(&ws, &[&dir], "commit"), "the load should reach its commit");
    let after = snapshot_via_carepath(&ws).expect("a new workspace killed after its first commit must open");
    assert_eq!(after.3, 6, "{after:?}");
    assert_eq!(after.0, 5, "the five people of the small extract: {after:?}");
}
