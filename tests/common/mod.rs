//! Shared helpers for integration tests: small SLF/SC2 extracts written at test time, and a
//! way to run the real `carepath` binary.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test; `CAREPATH_TEST_BIN` overrides it (when several worktrees share one
/// cargo target directory, `target/release/carepath` may be another branch's build).
pub fn bin() -> PathBuf {
    std::env::var_os("CAREPATH_TEST_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_carepath")))
}

pub fn carepath(args: &[&str]) -> Output {
    Command::new(bin()).args(args).env("NO_COLOR", "1").output().expect("run carepath")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn write(path: &Path, text: &str) {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Base64 of a CHI string, as the SLF makes `anon_chi`.
pub fn anon(chi: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(chi.as_bytes())
}

/// The columns the hand-written rows of [`small_extract`] give, in their order. Files are
/// written in the full published layout ([`episode_header`]); these are only the ones filled.
const FIXTURE_COLUMNS: &str = "year,recid,record_keydate1,record_keydate2,smrtype,anon_chi,gender,dob,postcode,gpprac,lca,hb2019,datazone2011,simd2020v2_sc_quintile,cij_marker,cij_start_date,cij_end_date,cij_pattype_code,ipdc,spec,diag1,yearstay,cost_total_net,primary_delay_reason,copd_date,diabetes_date,no_paid_items,attendance_status,local_note";

/// A column that is not in the published layout, as local extracts carry: kept, never refused.
pub const EXTRA_COLUMN: &str = "local_note";

/// The column names of a published column list in `assets/` (`slf_episode_columns.csv`,
/// `slf_individual_columns.csv`, from PHS `R/order_ep_cols.R` / `R/order_indiv_cols.R`), in order.
pub fn published(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().skip(1).filter_map(|l| l.split(',').nth(1).map(String::from)).collect()
}

/// Every published episode column, in order: test files carry the real layout, not a
/// convenient subset.
pub fn published_episode_columns() -> Vec<String> {
    published("slf_episode_columns.csv")
}

/// The columns of a test episode file: the published ones, then [`EXTRA_COLUMN`] (read once
/// per test binary: some tests write hundreds of thousands of rows).
fn episode_columns() -> &'static [String] {
    static COLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    COLS.get_or_init(|| {
        let mut cols = published_episode_columns();
        cols.push(EXTRA_COLUMN.to_string());
        cols
    })
}

/// The header line of a test episode file: the published columns, then [`EXTRA_COLUMN`].
pub fn episode_header() -> String {
    episode_columns().join(",")
}

/// One line of a test episode file in the [`episode_header`] layout; unnamed columns are empty.
pub fn episode_line(values: &[(&str, &str)]) -> String {
    let cols = episode_columns();
    let mut cells = vec![String::new(); cols.len()];
    for (k, v) in values {
        let i = cols.iter().position(|c| c == k).unwrap_or_else(|| panic!("no episode column {k}"));
        cells[i] = v.to_string();
    }
    cells.join(",")
}

/// A good episode row for person `who` (an acute stay in FY 2019/20); `edit` replaces or adds
/// fields by column name.
pub fn episode_row(who: &str, edit: &[(&str, &str)]) -> String {
    let base = [
        ("year", "1920"),
        ("recid", "01B"),
        ("record_keydate1", "2019-05-01"),
        ("record_keydate2", "2019-05-03"),
        ("anon_chi", who),
        ("gender", "1"),
        ("dob", "1950-01-01"),
        ("postcode", "EH1 1AA"),
        ("lca", "14"),
        ("cost_total_net", "100"),
    ];
    let mut values: Vec<(&str, &str)> = base.to_vec();
    for (k, v) in edit {
        match values.iter_mut().find(|(c, _)| c == k) {
            Some(slot) => slot.1 = v,
            None => values.push((k, v)),
        }
    }
    episode_line(&values)
}

/// A whole episode file: [`episode_header`] and `lines`.
pub fn episode_csv(lines: &[String]) -> String {
    let mut s = episode_header();
    s.push('\n');
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// A hand-written [`FIXTURE_COLUMNS`] row in the full layout.
fn fixture_line(positional: &str) -> String {
    let values: Vec<(&str, &str)> = FIXTURE_COLUMNS.split(',').zip(positional.split(',')).collect();
    episode_line(&values)
}

/// A small, hand-checked linked extract: 5 people over FY 2019/20 (+ an individual file, SC2
/// demographics, home care, care home, SDS and alarms). Returns the folder.
pub fn small_extract(dir: &Path) -> PathBuf {
    let a = anon("0101501234"); // male born Jan 1950
    let b = anon("0203402346"); // female born Mar 1940
    let c = anon("1512853458"); // female born Dec 1985
    let d = anon("0707071111"); // male born Jul 2007 (non-service user)
    let e = anon("3009309992"); // female born Sep 1930, dies
    let rows = vec![
        format!("1920,01B,2019-05-01,2019-05-11,Acute-IP,{a},1,1950-01-01,EH1 1AA,10001,14,S08000024,S01008417,1,1,2019-05-01,2019-05-21,0,I,A1,J441,10,5200.50,,2015-06-01,,,,keep me"),
        format!("1920,GLS,2019-05-11,2019-05-21,GLS-IP,{a},1,1950-01-01,EH1 1AA,10001,14,S08000024,S01008417,1,1,2019-05-01,2019-05-21,0,I,AB,J441,10,3100,,2015-06-01,,,,"),
        format!("1920,DD,2019-05-15,2019-05-21,DD-CIJ,{a},1,1950-01-01,EH1 1AA,10001,14,S08000024,S01008417,1,1,2019-05-01,2019-05-21,0,,AB,,6,0,24C,2015-06-01,,,,"),
        format!("1920,AE2,2019-05-01,2019-05-01,A & E,{a},1,1950-01-01,EH1 1AA,10001,14,S08000024,S01008417,1,,,,,,,,,150,,2015-06-01,,,,"),
        format!("1920,PIS,2020-03-31,2020-03-31,PIS,{a},1,1950-01-01,EH1 1AA,10001,14,S08000024,S01008417,1,,,,,,,,,820.25,,2015-06-01,,40,,"),
        format!("1920,00B,2019-08-01,2019-08-01,Outpatient,{b},2,1940-03-15,G12 8QQ,40001,17,S08000031,S01010001,5,,,,,,AQ,,,180,,,2010-01-01,,1,"),
        format!("1920,00B,2019-09-01,2019-09-01,Outpatient,{b},2,1940-03-15,G12 8QQ,40001,17,S08000031,S01010001,5,,,,,,AQ,,,0,,,2010-01-01,,8,"),
        format!("1920,01B,2019-10-02,2019-10-04,Acute-IP,{b},2,1940-03-15,G12 8QQ,40001,17,S08000031,S01010001,5,1,2019-10-02,2019-10-04,1,I,C8,M161,2,2400,,,2010-01-01,,,"),
        format!("1920,PIS,2020-03-31,2020-03-31,PIS,{c},2,1985-12-20,NE1 4XY,9995,,,,,,,,,,,,,310,,,,12,,"),
        format!("1920,NSU,,,Non-User,{d},1,2007-07-07,AB10 1AA,20001,01,S08000020,S01006506,3,,,,,,,,,,,,,,,"),
        format!("1920,04B,2019-04-10,2019-06-09,Psych-IP,{e},2,1930-09-30,ZZ611AA,30001,,,,,1,2019-04-10,2019-06-09,0,I,G4,F03,60,9000,,,,,,"),
        format!("1920,NRS,2019-12-01,2019-12-01,NRS Deaths,{e},2,1930-09-30,ZZ611AA,30001,,,,,,,,,,,,,0,,,,,,"),
    ];
    let lines: Vec<String> = rows.iter().map(|r| fixture_line(r)).collect();
    write(&dir.join("source-episode-file-1920.csv"), &episode_csv(&lines));
    write(
        &dir.join("sc2-demographics.csv"),
        "sending_location,social_care_id,chi_upi,chi_date_of_birth,chi_gender_code,period\n\
         230,A001,0101501234,1950-01-01,1,2019Q1\n\
         260,G777,0203402346,1940-03-15,2,2019Q2\n",
    );
    write(
        &dir.join("sc2-homecare.csv"),
        "sending_location,social_care_id,period,hc_service_start_date,hc_service_end_date,hc_service,hc_service_provider,reablement,hc_hours_derived\n\
         230,A001,2019Q2,2019-06-01,,2,1,1,120\n\
         260,G777,2019Q3,2019-10-10,2020-01-31,1,2,0,40\n\
         260,ZZZ9,2019Q3,2019-10-10,,1,2,0,10\n",
    );
    write(
        &dir.join("sc2-carehome.csv"),
        "sending_location,social_care_id,period,period_end_date,ch_name,ch_admission_date,ch_discharge_date,nursing_care_provision,type_of_admission\n\
         230,A001,2019Q4,2020-03-31,Rose House,2020-01-10,,1,3\n",
    );
    write(
        &dir.join("sc2-sds.csv"),
        "sending_location,social_care_id,period,sds_start_date,sds_end_date,sds_option_1,sds_option_2,sds_option_3\n\
         260,G777,2019Q2,2019-07-01,,1,0,1\n",
    );
    write(
        &dir.join("sc2-equipment.csv"),
        "sending_location,social_care_id,period,service_type,service_start_date,service_end_date\n\
         230,A001,2019Q2,1,2019-06-01,\n",
    );
    dir.to_path_buf()
}

/// Run `carepath load <paths> --workspace <ws> --format json` and parse the report.
pub fn load_json(ws: &Path, paths: &[&Path]) -> (serde_json::Value, Output) {
    load_json_with(ws, paths, &[])
}

/// [`load_json`] with `--keep-raw`: each file is also copied into the workspace as read.
pub fn load_json_keeping_raw(ws: &Path, paths: &[&Path]) -> (serde_json::Value, Output) {
    load_json_with(ws, paths, &["--keep-raw"])
}

fn load_json_with(ws: &Path, paths: &[&Path], extra: &[&str]) -> (serde_json::Value, Output) {
    let mut args: Vec<String> = vec!["load".into()];
    args.extend(extra.iter().map(|a| a.to_string()));
    for p in paths {
        args.push(p.display().to_string());
    }
    args.extend(["--workspace".into(), ws.display().to_string(), "--format".into(), "json".into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = carepath(&refs);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (v, out)
}

/// Open a workspace read-only with plain DuckDB for independent checks.
pub fn open_ro(ws: &Path) -> duckdb::Connection {
    let cfg = duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly).unwrap();
    duckdb::Connection::open_with_flags(ws, cfg).unwrap()
}

pub fn q_i64(conn: &duckdb::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).unwrap().unwrap_or(0)
}

pub fn q_f64(conn: &duckdb::Connection, sql: &str) -> f64 {
    conn.query_row(sql, [], |r| r.get::<_, Option<f64>>(0)).unwrap().unwrap_or(0.0)
}

pub fn q_str(conn: &duckdb::Connection, sql: &str) -> Option<String> {
    conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0)).unwrap()
}
