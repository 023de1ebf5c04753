//! Classes 3 and 4: numbers that are not numbers, implausible values, and odd shapes of
//! Parquet and CSV. Each bad value is one rejected row with its row number, column and reason
//! (never a refused file, never internal SQL); the good rows load.
use crate::common::*;
use crate::support::*;

/// Load one good row and one row with `edit`; return the one reject (row, column, reason).
fn one_bad(edit: &[(&str, &str)]) -> (i64, Option<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    write(&f, &episode_csv(&[episode_row(&anon("0101501234"), &[]), episode_row(&anon("0203402346"), edit)]));
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "one bad value must not refuse the file: {}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 1, "{edit:?}: {report}");
    let r = rejects_of(&ws, "source-episode-file-1920.csv");
    assert_eq!(r.len(), 1, "{edit:?}: {r:?}");
    assert_eq!(r[0].0, 2, "the bad row is data row 2");
    r[0].clone()
}

fn assert_rejected(edit: &[(&str, &str)], column: &str, reason_part: &str) {
    let (_, col, reason) = one_bad(edit);
    assert_eq!(col.as_deref(), Some(column), "{edit:?}: {reason}");
    assert!(reason.contains(reason_part), "{edit:?}: reason '{reason}' should say '{reason_part}'");
}

#[test]
fn nan_and_infinity_costs_are_rejected() {
    for v in ["NaN", "nan", "Infinity", "-inf", "inf"] {
        assert_rejected(&[("cost_total_net", v)], "cost_total_net", "not a finite number");
    }
}

#[test]
fn nan_bed_days_are_rejected() {
    assert_rejected(&[("yearstay", "NaN")], "yearstay", "not a finite number");
}

#[test]
fn dates_outside_1900_2100_and_date_words_are_rejected() {
    assert_rejected(&[("record_keydate2", "2200-01-01")], "record_keydate2", "outside 1900-2100");
    assert_rejected(&[("dob", "1800-06-01")], "dob", "outside 1900-2100");
    for w in ["epoch", "infinity", "-infinity"] {
        assert_rejected(&[("record_keydate2", w)], "record_keydate2", "not a date");
    }
}

#[test]
fn negative_items_are_rejected() {
    assert_rejected(&[("no_paid_items", "-4")], "no_paid_items", "negative");
}

#[test]
fn a_financial_year_that_disagrees_with_the_dates_is_rejected() {
    assert_rejected(&[("record_keydate1", "2015-05-01"), ("record_keydate2", "2015-05-03")], "year", "does not match");
}

#[test]
fn hri_percent_outside_0_100_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-individual-file-1920.csv");
    write(&f, "anon_chi,year,health_net_cost,hri_scotp\nQUFBQQ==,1920,10,40\nQkJCQg==,1920,10,150\n");
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = rejects_of(&ws, "source-individual-file-1920.csv");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0].0, r[0].1.as_deref()), (2, Some("hri_scotp")));
    assert!(r[0].2.contains("0 to 100"), "{r:?}");
}

#[test]
fn a_care_home_stay_in_2200_is_rejected_not_a_hundred_years() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    write(
        &dir.join("sc2-carehome.csv"),
        "sending_location,social_care_id,period,ch_admission_date,ch_discharge_date\n230,A001,2019Q4,2020-01-10,2200-01-01\n",
    );
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["years"], serde_json::json!(["1920"]), "{report}");
    let r = rejects_of(&ws, "sc2-carehome.csv");
    assert!(r[0].2.contains("outside 1900-2100"), "{r:?}");
}

#[test]
fn sc2_gender_and_death_before_birth_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small(tmp.path());
    write(
        &dir.join("sc2-demographics.csv"),
        "sending_location,social_care_id,chi_upi,chi_date_of_birth,date_of_death,chi_gender_code,period\n\
         230,A001,0101501234,1950-01-01,,1,2019Q1\n\
         260,G777,0203402346,1940-03-15,,7,2019Q2\n\
         260,G778,1512853458,1985-12-20,1980-01-01,2,2019Q2\n",
    );
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = rejects_of(&ws, "sc2-demographics.csv");
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r[0].2.contains("gender must be"), "{r:?}");
    assert!(r[1].2.contains("death before"), "{r:?}");
}

// ---- odd Parquet and CSV shapes ----

fn load_one(path: &std::path::Path) -> (serde_json::Value, std::process::Output, std::path::PathBuf) {
    let ws = path.parent().unwrap().join("ws.duckdb");
    let (r, o) = load_json(&ws, &[path]);
    (r, o, ws)
}

const PQ_COLUMNS: &str = "'1920' AS year, '01B' AS recid, anon_chi, 1 AS gender";

#[test]
fn parquet_dates_as_timestamp_with_time_zone_load_as_uk_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.parquet");
    // 23:00 UTC on 30 April is midnight on 1 May in British Summer Time (what pandas writes for
    // a local date); 00:00 UTC on 1 December is 1 December (GMT).
    parquet_from(
        &f,
        &format!(
            "SELECT {PQ_COLUMNS}, CAST(k1 AS TIMESTAMPTZ) AS record_keydate1, CAST(k2 AS TIMESTAMPTZ) AS record_keydate2, 100.0 AS cost_total_net
             FROM (VALUES ('QUFBQQ==', TIMESTAMP '2019-04-30 23:00:00', TIMESTAMP '2019-05-02 23:00:00'),
                          ('QkJCQg==', TIMESTAMP '2019-12-01 00:00:00', TIMESTAMP '2019-12-02 00:00:00')) v(anon_chi, k1, k2)"
        ),
    );
    let (report, out, ws) = load_one(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 2, "{report}");
    let c = open_ro(&ws);
    assert_eq!(q_str(&c, "SELECT CAST(min(start_date) AS VARCHAR) FROM event"), Some("2019-05-01".into()));
    assert_eq!(q_str(&c, "SELECT CAST(max(start_date) AS VARCHAR) FROM event"), Some("2019-12-01".into()));
}

#[test]
fn parquet_uint64_and_out_of_range_timestamps_are_rejected_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.parquet");
    parquet_from(
        &f,
        &format!(
            "SELECT '1920' AS year, '01B' AS recid, anon_chi, CAST(g AS UBIGINT) AS gender, k1 AS record_keydate1, k1 AS record_keydate2, 5.0 AS cost_total_net
             FROM (VALUES ('QUFBQQ==', 1, TIMESTAMP '2019-05-01'),
                          ('QkJCQg==', 18446744073709551615, TIMESTAMP '2019-05-01'),
                          ('Q0NDQw==', 2, 'infinity'::TIMESTAMP)) v(anon_chi, g, k1)"
        ),
    );
    let _ = PQ_COLUMNS;
    let (report, out, ws) = load_one(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 1, "{report}");
    let r = rejects_of(&ws, "source-episode-file-1920.parquet");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!((r[0].0, r[0].1.as_deref()), (2, Some("gender")), "{r:?}");
    assert_eq!((r[1].0, r[1].1.as_deref()), (3, Some("record_keydate1")), "{r:?}");
}

#[test]
fn a_parquet_column_named_like_an_internal_one_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.parquet");
    parquet_from(
        &f,
        "SELECT '1920' AS year, '01B' AS recid, 'QUFBQQ==' AS anon_chi, DATE '2019-05-01' AS record_keydate1, DATE '2019-05-02' AS record_keydate2,
                7 AS file_row_number, 'x' AS _row",
    );
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json_keeping_raw(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 1, "{report}");
    let c = open_ro(&ws);
    let raw = q_str(&c, "SELECT raw_table FROM load_log").unwrap();
    assert_eq!(q_i64(&c, &format!("SELECT file_row_number FROM {raw}")), 7);
    assert_eq!(q_str(&c, &format!("SELECT _row_in_file FROM {raw}")), Some("x".into()));
}

#[test]
fn a_3_mb_field_and_a_blank_first_line_do_not_refuse_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    let big = "x".repeat(3 << 20);
    let text = format!(
        "\n{}",
        episode_csv(&[
            episode_row(&anon("0101501234"), &[("local_note", &big)]),
            episode_row(&anon("0203402346"), &[("cost_total_net", "abc")]),
            episode_row(&anon("1512853458"), &[]),
        ])
    );
    write(&f, &text);
    let (report, out, ws) = load_one(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_loaded"], 2, "{report}");
    let r = rejects_of(&ws, "source-episode-file-1920.csv");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0].0, r[0].1.as_deref()), (2, Some("cost_total_net")), "data row 2, counted from the header: {r:?}");
}

#[test]
fn errors_never_show_internal_sql() {
    // A truncated Parquet file: refused, with a message for people.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.parquet");
    parquet_from(&f, "SELECT '1920' AS year, '01B' AS recid, 'QUFBQQ==' AS anon_chi, DATE '2019-05-01' AS record_keydate1, DATE '2019-05-02' AS record_keydate2");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    let (_, out, _) = load_one(&f);
    assert!(!out.status.success());
    let err = stderr(&out);
    for internal in ["SELECT", "read_parquet", "CREATE TABLE", "Error code 1", "Unknown error code"] {
        assert!(!err.contains(internal), "message shows '{internal}': {err}");
    }
    assert!(err.contains("source-episode-file-1920.parquet"), "{err}");
}

/// A carriage return (CR) with no line feed after it, inside a row: DuckDB's CSV reader would
/// split the row in two (or refuse the file). The row is one rejected row with its number and
/// what to do; the rows around it load, and the row numbers after it are still the file's.
#[test]
fn a_lone_carriage_return_rejects_its_row_only() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    let split = episode_row(&anon("0203402346"), &[("postcode", "G12\r8QQ")]);
    let bad_after = episode_row(&anon("1512853458"), &[("cost_total_net", "abc")]);
    write(&f, &episode_csv(&[episode_row(&anon("0101501234"), &[]), split, episode_row(&anon("0707071111"), &[]), bad_after]));
    let (report, out, ws) = load_one(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["files"][0]["rows_read"], 4, "{report}");
    assert_eq!(report["files"][0]["rows_loaded"], 2, "{report}");
    let rejects = rejects_of(&ws, "source-episode-file-1920.csv");
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(rejects[0].0, 2, "the row with the CR is data row 2: {rejects:?}");
    assert!(rejects[0].2.contains("carriage return"), "{rejects:?}");
    assert_eq!(rejects[1].0, 4, "later rows keep the file's numbering: {rejects:?}");
    let conn = open_ro(&ws);
    for (who, n) in [("0101501234", 1), ("0707071111", 1), ("0203402346", 0)] {
        assert_eq!(q_i64(&conn, &format!("SELECT count(*) FROM event WHERE anon_chi = '{}'", anon(who))), n, "{who}");
    }
    // no working copy is left behind (the spill folder is beside the workspace)
    fn copies(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| if e.path().is_dir() { copies(&e.path()) } else { e.file_name().to_string_lossy().starts_with(".carepath-cr-") as usize })
                    .sum()
            })
            .unwrap_or(0)
    }
    assert_eq!(copies(tmp.path()), 0);
}
