//! Loading linked extracts: totals against independent SQL over the same files, formats,
//! duplicates, identifiers, permissions and offline operation.
mod common;
use common::*;
use std::path::Path;

const HEALTH: &str = "('01B','02B','04B','GLS','00B','AE2','PIS','OoH')";

fn independent(dir: &Path) -> (i64, i64, f64) {
    let c = duckdb::Connection::open_in_memory().unwrap();
    let ep = dir.join("source-episode-file-1920.csv").display().to_string();
    let dem = dir.join("sc2-demographics.csv").display().to_string();
    let sql_people = format!(
        "SELECT count(DISTINCT id) FROM (
           SELECT anon_chi AS id FROM read_csv('{ep}', all_varchar=true)
           UNION ALL SELECT to_base64(encode(chi_upi)) FROM read_csv('{dem}', all_varchar=true))"
    );
    let people = q_i64(&c, &sql_people);
    let mut events = q_i64(&c, &format!("SELECT count(*) FROM read_csv('{ep}', all_varchar=true) WHERE recid <> 'NSU'"));
    for t in ["homecare", "carehome", "sds", "equipment"] {
        let f = dir.join(format!("sc2-{t}.csv")).display().to_string();
        // SDS: one event per option received, plus option 4 when more than one
        // (PHS `R/process_sc_all_sds.R` L60-77, L113-126); other tables one per row here
        let n = if t == "sds" {
            "sum(CAST(sds_option_1 AS INT) + CAST(sds_option_2 AS INT) + CAST(sds_option_3 AS INT) \
             + CASE WHEN CAST(sds_option_1 AS INT) + CAST(sds_option_2 AS INT) + CAST(sds_option_3 AS INT) > 1 THEN 1 ELSE 0 END)"
        } else {
            "count(*)"
        };
        events += q_i64(
            &c,
            &format!(
                "SELECT CAST({n} AS BIGINT) FROM read_csv('{f}', all_varchar=true) s JOIN read_csv('{dem}', all_varchar=true) d
                 USING (sending_location, social_care_id)"
            ),
        );
    }
    let cost = q_f64(
        &c,
        &format!("SELECT sum(CAST(cost_total_net AS DOUBLE)) FROM read_csv('{ep}', all_varchar=true) WHERE recid IN {HEALTH}"),
    );
    (people, events, cost)
}

#[test]
fn load_totals_equal_independent_sql() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "load failed: {}", stderr(&out));
    let (people, events, cost) = independent(&dir);
    assert_eq!(report["people"], people, "people in report vs files");
    assert_eq!(report["events"], events, "events in report vs files");
    let got = report["health_cost"].as_f64().unwrap();
    assert!((got - cost).abs() < 0.005, "health cost {got} vs independent {cost}");
    assert_eq!(report["years"], serde_json::json!(["1920"]));
    assert_eq!(report["files"].as_array().unwrap().len(), 6);
    for f in report["files"].as_array().unwrap() {
        assert!(f["path"].is_string() && f["rows_read"].is_i64() && f["rows_loaded"].is_i64() && f["rows_rejected"].is_i64());
    }
    assert!(report["rejects_by_reason"].is_object());
    // The one unlinked home care client is reported, not silently dropped.
    let hc = report["datasets"].as_array().unwrap().iter().find(|d| d["dataset"] == "SC2 home care").unwrap();
    assert_eq!(hc["rows"], 3);
    assert_eq!(hc["unlinked"], 1);

    let conn = open_ro(&ws);
    // health_net_cost excludes DN and social care; care home cost is on the person-year.
    let a = anon("0101501234");
    let py = |col: &str| q_f64(&conn, &format!("SELECT {col} FROM person_year WHERE anon_chi = '{a}' AND year = '1920'"));
    assert!((py("health_net_cost") - (5200.50 + 3100.0 + 150.0 + 820.25)).abs() < 0.005);
    assert_eq!(py("emergency_admissions"), 1.0, "one CIJ (acute -> GLS) is one emergency admission");
    assert_eq!(py("acute_beddays"), 10.0);
    assert_eq!(py("dd_beddays"), 6.0);
    assert_eq!(py("hc_hours"), 120.0);
    // PHS: an open stay ends at its latest period end, a day not counted
    // (`R/process_sc_all_care_home.R` L271-274, `R/process_extract_care_home.R` L61-64):
    // 2020-01-10 to 2020-03-31 = 81 nights
    assert_eq!(py("ch_beddays"), 81.0, "open care home stay runs to the end of its reporting period");
    assert!(py("ch_cost") > 0.0 && py("health_net_cost") < py("health_net_cost") + py("ch_cost"));
    assert_eq!(py("copd"), 1.0);
    assert_eq!(py("ltc_count"), 1.0);
    assert_eq!(py("age"), 69.0, "age at 30 Sept 2019 for a person born Jan 1950");
    // SDS with options 1 and 3 counts options 1 and 3, plus 4 (mix) (PHS `R/process_sc_all_sds.R` L60-77, L113-126).
    let b = anon("0203402346");
    assert_eq!(
        q_str(&conn, &format!("SELECT string_agg(CAST(sds_option AS VARCHAR), ',' ORDER BY sds_option) FROM event WHERE anon_chi = '{b}' AND recid = 'SDS'")),
        Some("1,3,4".to_string())
    );
    // DNA outpatient appointments are not attendances.
    assert_eq!(q_i64(&conn, &format!("SELECT op_attendances FROM person_year WHERE anon_chi = '{b}'")), 1);
    // The non-service-user is a person with a person-year but no events.
    let d = anon("0707071111");
    assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM person_year WHERE anon_chi = '{d}' AND NOT service_user")), 1);
    assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM event WHERE anon_chi = '{d}'")), 0);
    // Death from the NRS record.
    let e = anon("3009309992");
    assert_eq!(q_str(&conn, &format!("SELECT CAST(death_date AS VARCHAR) FROM person WHERE anon_chi = '{e}'")).as_deref(), Some("2019-12-01"));
}

#[test]
fn identifiers_stay_strings_and_no_chi_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json_keeping_raw(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = open_ro(&ws);
    let d = anon("0707071111");
    assert_eq!(q_str(&conn, &format!("SELECT lca FROM person WHERE anon_chi = '{d}'")).as_deref(), Some("01"));
    assert_eq!(q_str(&conn, &format!("SELECT council_name FROM person_named WHERE anon_chi = '{d}'")).as_deref(), Some("Aberdeen City"));
    assert_eq!(q_str(&conn, "SELECT data_type FROM information_schema.columns WHERE table_name = 'event' AND column_name = 'anon_chi'").as_deref(), Some("VARCHAR"));
    // No 10-digit CHI anywhere in the SC2 demographics tables.
    let raw = q_str(&conn, "SELECT raw_table FROM load_log WHERE kind = 'sc_demographics'").unwrap();
    assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM {raw} WHERE regexp_full_match(CAST(chi_upi AS VARCHAR), '[0-9]{{10}}')")), 0);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM stg_sc_demographics WHERE chi_upi IS NOT NULL"), 0);
    // Unknown extra columns are kept in the raw table.
    let raw_ep = q_str(&conn, "SELECT raw_table FROM load_log WHERE kind = 'episode'").unwrap();
    assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM {raw_ep} WHERE local_note = 'keep me'")), 1);
}

#[test]
fn by_default_files_are_kept_by_reference_not_copied() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = open_ro(&ws);
    // No copy of any file: no raw table, and the extra column is nowhere in the workspace.
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name LIKE 'raw%'"), 0);
    assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM duckdb_columns() WHERE column_name = '{EXTRA_COLUMN}'")), 0);
    let episode = report["files"].as_array().unwrap().iter().find(|f| f["kind"] == "episode").unwrap();
    let note = episode["note"].as_str().unwrap_or_default();
    assert!(note.ends_with(" extra column(s) left in the file (--keep-raw stores them)"), "{note}");
    // Each file is known by where it is and by the SHA-256 of its bytes (computed here).
    let mut st = conn.prepare("SELECT path, fingerprint, bytes, raw_table FROM load_log ORDER BY file_id").unwrap();
    let rows: Vec<(String, String, i64, Option<String>)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), std::fs::read_dir(&dir).unwrap().count(), "{rows:?}");
    for (path, fingerprint, bytes, raw) in rows {
        use sha2::Digest;
        let content = std::fs::read(&path).unwrap();
        let hex: String = sha2::Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(fingerprint, format!("sha256:{hex}"), "{path}");
        assert_eq!(bytes, content.len() as i64, "{path}");
        assert_eq!(raw, None, "{path}");
    }
}

#[test]
fn a_workspace_from_before_optional_raw_copies_still_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    {
        // the load log as earlier versions created it: a raw table required for every file
        let c = duckdb::Connection::open(&ws).unwrap();
        c.execute_batch(
            "CREATE TABLE load_log (file_id INTEGER PRIMARY KEY, path VARCHAR NOT NULL, kind VARCHAR NOT NULL,
               format VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, bytes BIGINT NOT NULL, rows_read BIGINT NOT NULL,
               rows_loaded BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, raw_table VARCHAR NOT NULL,
               extra_columns VARCHAR, loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp);",
        )
        .unwrap();
    }
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["status"], "loaded", "{report}");
    let conn = open_ro(&ws);
    assert_eq!(q_i64(&conn, "SELECT count(*) FROM load_log WHERE raw_table IS NULL"), q_i64(&conn, "SELECT count(*) FROM load_log"));
    assert!(q_i64(&conn, "SELECT count(*) FROM person") > 0);
}

#[test]
fn parquet_and_gzip_csv_load_like_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("csv"));
    let pq = tmp.path().join("pq");
    std::fs::create_dir_all(&pq).unwrap();
    let c = duckdb::Connection::open_in_memory().unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        let (ext, opts) = if stem.starts_with("sc2-homecare") { ("csv.gz", "(FORMAT csv, HEADER, COMPRESSION gzip)") } else { ("parquet", "(FORMAT parquet)") };
        let target = pq.join(format!("{stem}.{ext}"));
        c.execute_batch(&format!(
            "COPY (SELECT * FROM read_csv('{}', all_varchar=true)) TO '{}' {opts}",
            p.display(),
            target.display()
        ))
        .unwrap();
    }
    let (a, out_a) = load_json(&tmp.path().join("a.duckdb"), &[&dir]);
    let (b, out_b) = load_json(&tmp.path().join("b.duckdb"), &[&pq]);
    assert!(out_a.status.success() && out_b.status.success(), "{} {}", stderr(&out_a), stderr(&out_b));
    for k in ["people", "events", "health_cost", "total_cost", "years"] {
        assert_eq!(a[k], b[k], "{k} differs between CSV and Parquet/CSV.gz");
    }
}

#[test]
fn loading_the_same_file_twice_does_not_duplicate_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let (first, _) = load_json(&ws, &[&dir]);
    let (second, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(first["events"], second["events"]);
    assert_eq!(first["people"], second["people"]);
    assert!(second["files"].as_array().unwrap().iter().all(|f| f["status"] == "already loaded"));
    // A copy under another name is recognised by content.
    let copy = tmp.path().join("copy.csv");
    std::fs::copy(dir.join("source-episode-file-1920.csv"), &copy).unwrap();
    let (third, _) = load_json(&ws, &[&copy]);
    assert_eq!(third["events"], first["events"]);
    // A changed file at the same path replaces its earlier version.
    let ep = dir.join("source-episode-file-1920.csv");
    let text = std::fs::read_to_string(&ep).unwrap();
    let fewer: Vec<&str> = text.lines().filter(|l| !l.contains(",AE2,")).collect();
    std::fs::write(&ep, fewer.join("\n") + "\n").unwrap();
    let (fourth, _) = load_json(&ws, &[&ep]);
    assert_eq!(fourth["events"].as_i64().unwrap(), first["events"].as_i64().unwrap() - 1);
    let f = &fourth["files"][0];
    assert_eq!(f["status"], "replaced");
}

#[test]
fn workspace_is_private_and_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let out = carepath(&["load", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ws = dir.join(".carepath").join("workspace.duckdb");
    assert!(ws.exists(), "default workspace is <dir>/.carepath/workspace.duckdb");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&ws).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "workspace must be readable by its owner only");
    let ws_api = carepath::store::Workspace::open(&tmp.path().join("x.duckdb")).unwrap();
    for setting in ["autoinstall_known_extensions", "autoload_known_extensions"] {
        let v: String = ws_api
            .conn
            .query_row(&format!("SELECT CAST(current_setting('{setting}') AS VARCHAR)"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, "false", "{setting} must be off");
    }
    let temp_dir: String =
        ws_api.conn.query_row("SELECT CAST(current_setting('temp_directory') AS VARCHAR)", [], |r| r.get(0)).unwrap();
    assert!(temp_dir.starts_with(&tmp.path().display().to_string()), "spill files stay in the workspace folder: {temp_dir}");
}

#[test]
fn load_runs_without_any_network() {
    // A network namespace with no interfaces: any attempt to reach the network fails.
    let probe = std::process::Command::new("unshare").args(["-n", "true"]).output();
    if !matches!(probe, Ok(ref o) if o.status.success()) {
        eprintln!("SKIP: unshare -n is not permitted here; the offline settings are checked in workspace_is_private_and_offline");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let out = std::process::Command::new("unshare")
        .arg("-n")
        .arg(bin())
        .args(["load", dir.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "load without network failed: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["people"], 5);
}

#[test]
fn help_lists_the_subcommands() {
    let out = carepath(&["--help"]);
    let text = stdout(&out);
    for sub in ["load", "generate"] {
        assert!(text.contains(sub), "--help should list {sub}: {text}");
    }
}
