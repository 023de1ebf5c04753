//! Every subcommand takes `--format table|csv|json` (issue "One operations layer", item 9);
//! for `generate` the extracts' own format is `--file-format`. The JSON a script reads says
//! what is on disk: rows and bytes checked against the files themselves.
mod common;
use common::*;

#[test]
fn generate_reports_its_files_as_json_and_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("gen");
    let o = out_dir.display().to_string();
    let out = carepath(&["generate", "--people", "60", "--years", "1920", "--out", &o, "--file-format", "csv", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let files = v["files"].as_array().unwrap();
    assert!(files.len() >= 3, "{v}");
    for f in files {
        let path = out_dir.join(f["file"].as_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(f["bytes"].as_u64(), Some(text.len() as u64), "{path:?}");
        // rows = data lines (the generator writes no quoted line breaks)
        assert_eq!(f["rows"].as_u64(), Some(text.lines().count() as u64 - 1), "{path:?}");
    }
    assert_eq!(v["people"], 60);
    let out = carepath(&["generate", "--people", "60", "--years", "1920", "--out", &o, "--file-format", "csv", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert_eq!(csv.lines().next(), Some("file,rows,bytes"));
    assert_eq!(csv.lines().count(), files.len() + 1, "{csv}");
}
