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

/// The explorer loads through the same worker path as `:load`: started on a folder of extracts
/// in a real pseudo-terminal, killed right after its load committed.
#[test]
fn the_explorer_killed_after_its_load_committed_leaves_a_workspace_that_opens() {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read;
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let pair = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(bin());
    cmd.arg(dir.to_str().unwrap());
    cmd.env("TERM", "xterm-256color");
    cmd.env("CAREPATH_TEST_PAUSE_AT", "commit");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&seen).contains("carepath-test: paused at commit") {
                let _ = tx.send(true);
                return;
            }
        }
        let _ = tx.send(false);
    });
    let reached = rx.recv_timeout(std::time::Duration::from_secs(120)).unwrap_or(false);
    let _ = child.kill();
    let _ = child.wait();
    assert!(reached, "the explorer's load should reach its commit");
    let ws = dir.join(".carepath").join("workspace.duckdb");
    let after = snapshot_via_carepath(&ws).expect("the workspace must open after the explorer was killed");
    assert_eq!(after.3, 6, "{after:?}");
}
