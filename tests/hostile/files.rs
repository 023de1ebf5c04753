//! Class 5: files are files. A name with `*`, `?` or `[` is that one file; a folder with a
//! symlink loop is scanned once; a FIFO is skipped with a message; a `--workspace` that is an
//! existing non-DuckDB file is refused and left exactly as it was.
use crate::common::*;
use crate::support::*;

#[test]
fn a_name_with_pattern_characters_is_read_as_that_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("in");
    let star = d.join("ep-1920-*.csv");
    write(&star, &episode_csv(&[episode_row(&anon("0101501234"), &[])]));
    // Files the pattern would match, with other people: they must not be read.
    write(&d.join("ep-1920-x.csv"), &episode_csv(&[episode_row(&anon("0203402346"), &[])]));
    write(&d.join("ep-1920-[y].csv"), &episode_csv(&[episode_row(&anon("1512853458"), &[])]));
    for name in ["ep-1920-*.csv", "ep-1920-[y].csv"] {
        let (report, out) = load_json(&tmp.path().join(format!("ws-{}.duckdb", name.len())), &[&d.join(name)]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(report["files"][0]["rows_read"], 1, "{name}: exactly that file's one row: {report}");
        assert_eq!(report["people"], 1, "{name}: {report}");
    }
}

#[test]
fn a_folder_with_a_symlink_loop_is_scanned_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("sub").join("up")).unwrap();
    let ws = tmp.path().join("ws.duckdb");
    let (finished, ok, out, err) = load_with_deadline(&["load", dir.to_str().unwrap(), "--workspace", ws.to_str().unwrap(), "--format", "json"], 120);
    assert!(finished, "a symlink loop must not hang the load");
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let loaded = report["files"].as_array().unwrap().iter().filter(|f| f["status"] == "loaded").count();
    assert_eq!(loaded, 6, "each of the six files once: {report}");
}

#[test]
fn a_fifo_is_skipped_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let fifo = dir.join("sc2-client.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let ws = tmp.path().join("ws.duckdb");
    let (finished, ok, out, err) = load_with_deadline(&["load", dir.to_str().unwrap(), "--workspace", ws.to_str().unwrap(), "--format", "json"], 120);
    assert!(finished, "a FIFO must not hang the load");
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = report["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with("sc2-client.csv")).cloned();
    let f = f.expect("the FIFO is listed in the report");
    assert_eq!(f["status"], "skipped");
    assert!(f["note"].as_str().unwrap().contains("named pipe"), "{f}");
    // Named explicitly, it is skipped the same way (and the rest loads).
    let ws2 = tmp.path().join("ws2.duckdb");
    let ep = dir.join("source-episode-file-1920.csv");
    let (finished, ok, out, err) = load_with_deadline(&["load", ep.to_str().unwrap(), fifo.to_str().unwrap(), "--workspace", ws2.to_str().unwrap(), "--format", "json"], 120);
    assert!(finished && ok, "{err}");
    assert!(out.contains("named pipe"), "{out}");
}

#[test]
fn an_existing_non_duckdb_file_as_workspace_is_refused_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let victim = tmp.path().join("my-analysis.csv");
    let text = "person,cost\n1,100\n";
    write(&victim, text);
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, out) = load_json(&victim, &[&dir]);
    assert!(!out.status.success(), "a CSV must not become a workspace");
    let err = stderr(&out);
    assert!(err.contains("not a DuckDB workspace"), "{err}");
    assert!(err.contains("my-analysis.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), text, "the file is unchanged");
    assert_eq!(std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777, 0o644, "its permissions are unchanged");
}
