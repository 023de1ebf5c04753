//! Class 11: errors that tell the truth. A workspace locked by another process names that
//! process; a full disk names the workspace and its free space, not the input file, and the
//! workspace is unchanged and does not keep the space the failed load took.
use crate::common::*;
use crate::support::*;
use std::path::Path;

#[test]
fn a_locked_workspace_names_the_process_holding_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let holder = duckdb::Connection::open(&ws).unwrap(); // this test process holds the lock
    let (_, out) = load_json(&ws, &[&dir]);
    drop(holder);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("in use by process {}", std::process::id())), "{err}");
    assert!(!err.contains("another carepath"), "{err}");
}

/// A tmpfs of `mb` megabytes at `dir` (root only; the test is skipped where mounting is not
/// allowed, e.g. as an ordinary user on CI).
fn small_disk(dir: &Path, mb: u32) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs", dir.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Unmount<'a>(&'a Path);
impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.0).status();
    }
}

#[test]
fn a_full_disk_names_the_workspace_not_the_input_file() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    if !small_disk(&disk, 24) {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let _unmount = Unmount(&disk);
    let dir = small(tmp.path());
    let ws = disk.join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "the small extract fits: {}", stderr(&out));
    let before = snapshot_via_carepath(&ws).unwrap();
    let size_before = std::fs::metadata(&ws).unwrap().len();
    // An episode file far bigger than the disk.
    let big = tmp.path().join("big").join("source-episode-file-2021.csv");
    let mut text = format!("{}\n", episode_header());
    for i in 0..400_000u32 {
        let who = anon(&format!("{:010}", 1_000_000_000u64 + i as u64));
        text.push_str(&episode_row(&who, &[("year", "2021"), ("record_keydate1", "2020-05-01"), ("record_keydate2", "2020-05-03"), ("diag1", "J441XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")]));
        text.push('\n');
    }
    write(&big, &text);
    let (_, out) = load_json(&ws, &[&big]);
    assert!(!out.status.success(), "the load cannot fit");
    let err = stderr(&out);
    assert!(err.contains("disk is full"), "{err}");
    assert!(err.contains(&ws.display().to_string()), "names the workspace: {err}");
    assert!(err.contains("free"), "says the free space: {err}");
    assert!(!err.contains("source-episode-file-2021.csv: could not be loaded"), "blames the input file: {err}");
    assert!(err.contains("given back"), "says the space was given back: {err}");
    // The workspace file is back to (at most) its size before the load: the space is free
    // again, enough for the next small load to succeed on the same disk.
    let size_after = std::fs::metadata(&ws).unwrap().len();
    assert!(size_after <= size_before, "the workspace kept the failed load's space: {size_before} bytes before, {size_after} after");
    assert_eq!(snapshot_via_carepath(&ws).unwrap(), before, "the workspace is unchanged");
    let again = tmp.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    let mut text = format!("{}\n", episode_header());
    text.push_str(&episode_row(&anon("2000000001"), &[("year", "2021"), ("record_keydate1", "2020-06-01"), ("record_keydate2", "2020-06-02")]));
    text.push('\n');
    write(&again.join("source-episode-file-2021.csv"), &text);
    let (_, out) = load_json(&ws, &[&again]);
    assert!(out.status.success(), "a small load fits again once the space is back: {}", stderr(&out));
}
