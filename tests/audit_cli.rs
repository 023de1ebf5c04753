//! `carepath audit`: an output checker reads who saw or released what, with the OS identity,
//! and learns whether the log was changed after it was written (the chain of hashes).
mod common;
use common::*;

fn os(flag: &str) -> String {
    let out = std::process::Command::new("id").arg(flag).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A loaded workspace with some audited actions: an id reveal and a raw (--no-sdc) output.
fn audited() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (w, o) = (ws.display().to_string(), tmp.path().join("out").display().to_string());
    let out = carepath(&["export", "--workspace", &w, "--out", &o, "--reveal-ids", "--no-sdc"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = carepath(&["hri", "--workspace", &w, "--no-sdc"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (tmp, ws)
}

#[test]
fn the_log_lists_each_action_with_the_os_user_and_verifies() {
    let (_tmp, ws) = audited();
    let out = carepath(&["audit", "--workspace", ws.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() >= 3, "{v}");
    assert_eq!(v["total"].as_u64(), Some(rows.len() as u64));
    let (user, uid) = (os("-un"), os("-u").parse::<i64>().unwrap());
    for r in rows {
        assert_eq!(r["user"], user.as_str(), "{r}");
        assert_eq!(r["uid"], uid, "{r}");
    }
    assert!(rows.iter().any(|r| r["action"].as_str().is_some_and(|a| a.contains("reveal"))), "the id reveal is on file: {v}");
    assert_eq!(v["verified"]["broken_at"], serde_json::Value::Null);
    assert_eq!(v["verified"]["rows"].as_u64(), Some(rows.len() as u64));
    // The table says so in words, and never shows an anon_chi.
    let out = carepath(&["audit", "--workspace", ws.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(text.contains("audit log intact"), "{text}");
    for chi in ["0101501234", "0203402346"] {
        assert!(!text.contains(&anon(chi)), "{text}");
    }
}

#[test]
fn a_changed_or_removed_row_is_named_and_the_exit_code_says_so() {
    for tamper in ["UPDATE audit_log SET username = 'nobody' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"] {
        let (_tmp, ws) = audited();
        {
            let conn = duckdb::Connection::open(&ws).unwrap();
            conn.execute_batch(tamper).unwrap();
        }
        let out = carepath(&["audit", "--workspace", ws.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{tamper}: {}", stdout(&out));
        let text = stdout(&out);
        let at = if tamper.starts_with("DELETE") { "row 2" } else { "row 1" };
        assert!(text.contains(&format!("audit log BROKEN at {at}")), "{tamper}: {text}");
    }
}
