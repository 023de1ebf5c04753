//! Class 6: no CHI in the workspace, no patient data readable by others. A `chi_upi` column
//! (or any column of CHI numbers) in any file is stored as the anonymised id; a home-care file
//! carrying `chi_upi` is still a home-care file; the workspace, its WAL, its spill folder and
//! exports are owner-only, also when a spill folder existed with looser permissions.
use crate::common::*;
use crate::support::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Every text cell of every table of the workspace that contains `needle`, as "table.column".
fn cells_containing(ws: &Path, needle: &str) -> Vec<String> {
    let conn = open_ro(ws);
    let mut st = conn
        .prepare("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal")
        .unwrap();
    let cols: Vec<(String, String)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    let mut hits = Vec::new();
    for (t, c) in cols {
        let q = format!("SELECT count(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS VARCHAR) LIKE '%' || ? || '%'");
        let n: i64 = conn.query_row(&q, [needle], |r| r.get(0)).unwrap_or(0);
        if n > 0 {
            hits.push(format!("{t}.{c}"));
        }
    }
    hits
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn chi_upi_in_an_episode_file_is_never_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    let chi = "0101501234";
    let text = episode_csv(&[episode_row(&anon(chi), &[])]).replace(",local_note\n", ",chi_upi\n");
    let text = text.trim_end().to_string() + chi + "\n";
    write(&f, &text);
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json_keeping_raw(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 1);
    assert_eq!(cells_containing(&ws, chi), Vec::<String>::new(), "the CHI is stored in these columns");
    // The raw table keeps the column, holding the anonymised id.
    let conn = open_ro(&ws);
    let raw = q_str(&conn, "SELECT raw_table FROM load_log").unwrap();
    assert_eq!(q_str(&conn, &format!("SELECT chi_upi FROM {raw}")), Some(anon(chi)));
}

#[test]
fn a_column_of_chi_numbers_under_another_name_is_never_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    write(
        &dir.join("sc2-client.csv"),
        "sending_location,social_care_id,financial_year,living_alone,patient_ref\n230,A001,2019,1,0101501234\n260,G777,2019,0,0203402346\n",
    );
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json_keeping_raw(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    for chi in ["0101501234", "0203402346"] {
        assert_eq!(cells_containing(&ws, chi), Vec::<String>::new(), "CHI {chi} stored");
    }
}

#[test]
fn sc2_demographics_chi_is_stored_only_as_the_anonymised_id_and_still_links() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json_keeping_raw(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(cells_containing(&ws, "0101501234"), Vec::<String>::new());
    let hc = report["datasets"].as_array().unwrap().iter().find(|d| d["dataset"] == "SC2 home care").cloned().unwrap();
    assert_eq!(hc["linked"], 2, "clients link through the anonymised id: {hc}");
}

#[test]
fn a_home_care_file_carrying_chi_upi_is_still_home_care() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    write(
        &dir.join("sc2-homecare.csv"),
        "sending_location,social_care_id,chi_upi,period,hc_service_start_date,hc_service,hc_hours_derived\n230,A001,0101501234,2019Q2,2019-06-01,2,120\n",
    );
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json_keeping_raw(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let f = report["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with("sc2-homecare.csv")).cloned().unwrap();
    assert_eq!(f["kind"], "sc_homecare", "{f}");
    assert_eq!(cells_containing(&ws, "0101501234"), Vec::<String>::new());
}

#[test]
fn workspace_wal_and_spill_folder_are_owner_only_even_if_a_spill_folder_was_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let cp = dir.join(".carepath");
    let legacy = cp.join("tmp");
    std::fs::create_dir_all(&legacy).unwrap();
    std::fs::set_permissions(&cp, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = carepath(&["load", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ws = cp.join("workspace.duckdb");
    assert_eq!(mode(&ws), 0o600);
    assert_eq!(mode(&legacy), 0o700, "a spill folder that was open to everyone is made owner-only");
    let spill = cp.join("workspace.duckdb.tmp");
    if spill.exists() {
        assert_eq!(mode(&spill), 0o700);
    }
    let wal = cp.join("workspace.duckdb.wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
}

#[test]
fn exports_are_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json_keeping_raw(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    for fmt in ["csv", "parquet"] {
        let outdir = tmp.path().join(format!("out-{fmt}"));
        let out = carepath(&["export", "--workspace", ws.to_str().unwrap(), "--year", "1920", "--out", outdir.to_str().unwrap(), "--format", fmt]);
        assert!(out.status.success(), "{}", stderr(&out));
        let files: Vec<_> = std::fs::read_dir(&outdir).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(!files.is_empty());
        for f in files {
            assert_eq!(mode(&f), 0o600, "{} is readable by others", f.display());
        }
        assert_eq!(mode(&outdir), 0o700);
    }
}
