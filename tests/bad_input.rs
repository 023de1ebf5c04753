//! Bad input never crashes a load and never drops data silently: unusable rows are recorded
//! in load_rejects (file, row, column, reason) and the load goes on; unusable files stop the
//! load with a message naming the file, and the workspace stays exactly as it was.
mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Load an episode file with one good row and one bad row; return the single reject.
fn reject_of(bad_row: &str) -> (String, i64, Option<String>, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    write(&f, &episode_csv(&[episode_row("QUFBQQ==", &[]), bad_row.to_string()]));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "a bad row must not stop the load: {}", stderr(&out));
    assert_eq!(report["files"][0]["rows_read"], 2);
    assert_eq!(report["files"][0]["rows_loaded"], 1);
    assert_eq!(report["files"][0]["rows_rejected"], 1);
    let conn = open_ro(&ws);
    let (reason, row, col, path): (String, i64, Option<String>, String) = conn
        .query_row("SELECT reason, row_number, column_name, path FROM load_rejects", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert!(path.ends_with("source-episode-file-1920.csv"), "reject names the file: {path}");
    (reason, row, col, report["rejects_by_reason"].clone())
}

fn assert_reject(edit: &[(&str, &str)], column: &str, reason_part: &str) {
    let (reason, row, col, by_reason) = reject_of(&episode_row("QkJCQg==", edit));
    assert_eq!(row, 2, "the bad row is data row 2");
    assert_eq!(col.as_deref(), Some(column), "column for {reason}");
    assert!(reason.contains(reason_part), "reason '{reason}' should mention '{reason_part}'");
    assert_eq!(by_reason[&reason], 1);
}

/// An episode row without a CHI is activity, not an error (PHS keeps such rows in the episode
/// file, `R/create_episode_file.R` L139-153): loaded, counted as a row without a person.
#[test]
fn missing_person_id_is_activity_not_a_reject() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    write(&f, &episode_csv(&[episode_row("QUFBQQ==", &[]), episode_row("", &[])]));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 2);
    assert_eq!(report["files"][0]["rows_rejected"], 0);
    assert_eq!(report["rows_without_person"], 1);
    assert_eq!(report["people"], 1);
}

#[test]
fn unknown_recid() {
    assert_reject(&[("recid", "XYZ")], "recid", "unknown record type");
}

#[test]
fn unparseable_start_date() {
    assert_reject(&[("record_keydate1", "2019-13-45")], "record_keydate1", "not a date");
}

#[test]
fn end_before_start() {
    assert_reject(&[("record_keydate2", "2019-04-01")], "record_keydate2", "before start date");
}

#[test]
fn negative_cost() {
    assert_reject(&[("cost_total_net", "-5")], "cost_total_net", "negative cost");
}

#[test]
fn non_numeric_cost() {
    assert_reject(&[("cost_total_net", "abc")], "cost_total_net", "not a number");
}

#[test]
fn bad_financial_year() {
    assert_reject(&[("year", "2019")], "year", "not a financial year");
}

#[test]
fn impossible_gender_code() {
    assert_reject(&[("gender", "7")], "gender", "gender must be");
}

#[test]
fn death_before_birth() {
    let r = sc_rejects(
        "source-individual-file-1920.csv",
        "anon_chi,year,dob,death_date,health_net_cost\nQUFBQQ==,1920,1950-01-01,,10\nQkJCQg==,1920,1950-01-01,1940-02-02,10\n",
    );
    assert_eq!(r.len(), 1, "{:?}", r);
    assert!(r[0].0.contains("date of death before date of birth"), "{:?}", r);
    assert_eq!((r[0].1.as_deref(), r[0].2), (Some("death_date"), 2));
}

#[test]
fn malformed_csv_line_is_rejected_with_its_row() {
    let (reason, row, _, _) = reject_of(&(episode_row("QkJCQg==", &[]) + ",one,too,many"));
    assert_eq!(row, 2);
    assert!(reason.contains("malformed CSV line"), "{reason}");
}

/// Load the small extract plus one bad SC2 or lookup file; return reasons recorded for it.
fn sc_rejects(name: &str, text: &str) -> Vec<(String, Option<String>, i64)> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    write(&dir.join(name), text);
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = open_ro(&ws);
    let mut st = conn
        .prepare("SELECT reason, column_name, row_number FROM load_rejects WHERE path LIKE '%' || ? ORDER BY row_number")
        .unwrap();
    let rows = st.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

#[test]
fn negative_home_care_hours() {
    let r = sc_rejects(
        "sc2-homecare.csv",
        "sending_location,social_care_id,period,hc_service_start_date,hc_service,hc_hours_derived\n230,A001,2019Q2,2019-06-01,2,-3\n",
    );
    assert_eq!(r.len(), 1);
    assert!(r[0].0.contains("negative home care hours"), "{:?}", r);
    assert_eq!(r[0].1.as_deref(), Some("hc_hours_derived"));
}

#[test]
fn unknown_sending_location() {
    let r = sc_rejects(
        "sc2-sds.csv",
        "sending_location,social_care_id,period,sds_start_date,sds_option_1\n999,A001,2019Q2,2019-06-01,1\n",
    );
    assert!(r[0].0.contains("unknown sending_location"), "{:?}", r);
}

#[test]
fn chi_with_wrong_length() {
    let r = sc_rejects(
        "sc2-demographics.csv",
        "sending_location,social_care_id,chi_upi,period\n230,A001,0101501234,2019Q1\n260,G777,12345,2019Q2\n",
    );
    assert_eq!(r.len(), 1);
    assert!(r[0].0.contains("must be 10 digits"), "{:?}", r);
    assert_eq!(r[0].2, 2);
}

#[test]
fn care_home_discharge_before_admission() {
    let r = sc_rejects(
        "sc2-carehome.csv",
        "sending_location,social_care_id,period,ch_admission_date,ch_discharge_date\n230,A001,2019Q4,2020-01-10,2019-12-01\n",
    );
    assert!(r[0].0.contains("before start date"), "{:?}", r);
    assert_eq!(r[0].1.as_deref(), Some("ch_discharge_date"));
}

#[test]
fn unknown_alarm_service_type() {
    let r = sc_rejects(
        "sc2-equipment.csv",
        "sending_location,social_care_id,period,service_type,service_start_date\n230,A001,2019Q2,3,2019-06-01\n",
    );
    assert!(r[0].0.contains("service_type must be 1"), "{:?}", r);
}

#[test]
fn simd_rank_out_of_range() {
    let r = sc_rejects(
        "lookup-datazone-simd2020v2.csv",
        "datazone2011,simd2020v2_rank,simd2020v2_sc_quintile\nS01008417,120,1\nS01010001,9999,5\n",
    );
    assert_eq!(r.len(), 1);
    assert!(r[0].0.contains("SIMD rank must be"), "{:?}", r);
}

// ---- files that cannot be used at all: the load stops and the workspace is unchanged ----

/// Everything a person could see in a workspace, as one comparable value.
fn snapshot(ws: &Path) -> Vec<i64> {
    let c = open_ro(ws);
    ["person", "event", "person_year", "load_log", "load_rejects"]
        .iter()
        .map(|t| q_i64(&c, &format!("SELECT count(*) FROM {t}")))
        .chain([q_f64(&c, "SELECT sum(health_net_cost) FROM person_year") as i64])
        .collect()
}

/// Load the good extract, then try `bad`; the second load must fail with `message_part`
/// naming the file, and leave the workspace exactly as it was.
fn assert_file_refused(bad: impl Fn(&Path) -> PathBuf, message_part: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (_, ok) = load_json(&ws, &[&dir]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let before = snapshot(&ws);
    let bad_path = bad(tmp.path());
    let (_, out) = load_json(&ws, &[&bad_path]);
    assert!(!out.status.success(), "loading {} should fail", bad_path.display());
    let err = stderr(&out);
    assert!(err.contains(message_part), "message should contain '{message_part}': {err}");
    let name = bad_path.file_name().unwrap().to_string_lossy().to_string();
    assert!(err.contains(&name), "message should name the file {name}: {err}");
    assert!(err.contains("workspace is unchanged"), "{err}");
    assert_eq!(snapshot(&ws), before, "workspace changed after a failed load");
}

#[test]
fn missing_required_column_stops_the_load() {
    assert_file_refused(
        |d| {
            let p = d.join("source-episode-file-2021.csv");
            write(&p, "year,anon_chi,record_keydate1,record_keydate2\n2021,QUFBQQ==,2020-05-01,2020-05-02\n");
            p
        },
        "missing the required column(s) recid",
    );
}

#[test]
fn not_a_parquet_file_stops_the_load() {
    assert_file_refused(
        |d| {
            let p = d.join("source-episode-file-2021.parquet");
            write(&p, "this is not parquet at all\n");
            p
        },
        "not a readable Parquet file",
    );
}

#[test]
fn wrong_encoding_stops_the_load() {
    assert_file_refused(
        |d| {
            let p = d.join("sc2-client.csv");
            let mut bytes = b"sending_location,social_care_id,financial_year,living_alone\n230,A001,2019,1\n260,G\xe9\xe9,2019,0\n".to_vec();
            bytes.extend_from_slice(b"");
            std::fs::write(&p, bytes).unwrap();
            p
        },
        "line 3 is not valid UTF-8",
    );
}

#[test]
fn binary_file_named_csv_stops_the_load() {
    assert_file_refused(
        |d| {
            let p = d.join("sc2-iorn.csv");
            std::fs::write(&p, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
            p
        },
        "binary data",
    );
}

#[test]
fn missing_file_stops_the_load() {
    assert_file_refused(|d| d.join("no-such-file.parquet"), "cannot read");
}

#[test]
fn unrecognised_file_stops_the_load() {
    assert_file_refused(
        |d| {
            let p = d.join("notes.csv");
            write(&p, "colour,shape\nred,round\n");
            p
        },
        "do not match any known extract",
    );
}

#[test]
fn not_csv_or_parquet_stops_the_load() {
    assert_file_refused(
        |d| {
            let p = d.join("extract.xlsx");
            std::fs::write(&p, b"PK\x03\x04 spreadsheet").unwrap();
            p
        },
        "not a Parquet or CSV file",
    );
}

#[test]
fn a_process_killed_mid_load_leaves_the_workspace_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (_, ok) = load_json(&ws, &[&dir]);
    assert!(ok.status.success());
    let before = snapshot(&ws);
    let extra = tmp.path().join("source-episode-file-2021.csv");
    write(&extra, &episode_csv(&[episode_row("Q0NDQw==", &[("year", "2021"), ("record_keydate1", "2020-05-01"), ("record_keydate2", "2020-05-02")])]));
    let out = std::process::Command::new(bin())
        .args(["load", extra.to_str().unwrap(), "--workspace", ws.to_str().unwrap()])
        .env("CAREPATH_TEST_ABORT_BEFORE_COMMIT", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the test hook aborts the process before commit");
    assert_eq!(snapshot(&ws), before, "an interrupted load must leave the previous workspace");
    // and the workspace still works afterwards
    let (after, out) = load_json(&ws, &[&extra]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(after["years"], serde_json::json!(["1920", "2021"]));
}
