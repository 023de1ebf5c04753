//! Class 8: content identity that cannot collide. The "already loaded" fingerprint is SHA-256
//! of the file's bytes, and a changed file at a known path is read again.
use crate::common::*;
use sha2::Digest;

#[test]
fn the_fingerprint_is_sha256_of_the_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    write(&f, &episode_csv(&[episode_row(&anon("0101501234"), &[])]));
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hex: String = sha2::Sha256::digest(std::fs::read(&f).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    let stored = q_str(&open_ro(&ws), "SELECT fingerprint FROM load_log").unwrap();
    assert_eq!(stored, format!("sha256:{hex}"));
}

#[test]
fn a_changed_file_of_the_same_size_at_the_same_path_is_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    let ws = tmp.path().join("ws.duckdb");
    write(&f, &episode_csv(&[episode_row(&anon("0101501234"), &[("cost_total_net", "100")])]));
    let (_, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    write(&f, &episode_csv(&[episode_row(&anon("0101501234"), &[("cost_total_net", "900")])]));
    let (report, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["status"], "replaced", "{report}");
    assert_eq!(report["total_cost"], 900.0);
    // and the same bytes again are recognised as already loaded
    let (report, _) = load_json(&ws, &[&f]);
    assert_eq!(report["files"][0]["status"], "already loaded", "{report}");
}
