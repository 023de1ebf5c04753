//! Inputs and checks shared by the hostile modules.
#![allow(dead_code)]
use crate::common::*;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// (row_number, column, reason) of every reject recorded for files whose path ends in `name`.
pub fn rejects_of(ws: &Path, name: &str) -> Vec<(i64, Option<String>, String)> {
    let conn = open_ro(ws);
    let mut st = conn
        .prepare("SELECT row_number, column_name, reason FROM load_rejects WHERE path LIKE '%' || ? ORDER BY row_number")
        .unwrap();
    let rows = st.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

/// Run `carepath load` with a deadline: a load that hangs (FIFO, symlink loop) is killed and
/// reported as hung rather than blocking the suite. Returns (finished, status ok, stdout, stderr).
pub fn load_with_deadline(args: &[&str], secs: u64) -> (bool, bool, String, String) {
    let mut child = Command::new(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (true, status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into());
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            return (false, false, String::new(), String::new());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Run `carepath load <paths> --workspace ws` with `CAREPATH_TEST_PAUSE_AT=point`, wait until it
/// says it paused there, and kill it with SIGKILL. Returns whether it reached the point.
pub fn kill_load_at(ws: &Path, paths: &[&Path], point: &str) -> bool {
    let mut args: Vec<String> = vec!["load".into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(["--workspace".into(), ws.display().to_string()]);
    let mut child = Command::new(bin())
        .args(&args)
        .env("CAREPATH_TEST_PAUSE_AT", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut reached = false;
    for line in std::io::BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line.contains(&format!("carepath-test: paused at {point}")) {
            reached = true;
            break;
        }
    }
    let _ = child.kill(); // SIGKILL on unix
    let _ = child.wait();
    reached
}

/// What a person could see in a workspace, opened the way carepath opens it: (people, events,
/// person-years, files in the load log, health cost).
pub fn snapshot_via_carepath(ws: &Path) -> Result<(i64, i64, i64, i64, i64), String> {
    let w = carepath::store::Workspace::open(ws).map_err(|e| format!("{e:#}"))?;
    let one = |sql: &str| w.conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).map(|v| v.unwrap_or(0)).map_err(|e| e.to_string());
    Ok((
        one("SELECT count(*) FROM person")?,
        one("SELECT count(*) FROM event")?,
        one("SELECT count(*) FROM person_year")?,
        one("SELECT count(*) FROM load_log")?,
        one("SELECT CAST(round(sum(health_net_cost)) AS BIGINT) FROM person_year")?,
    ))
}

/// Write a Parquet file from a DuckDB query (plain DuckDB, not carepath).
pub fn parquet_from(path: &Path, select: &str) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute(&format!("COPY ({select}) TO '{}' (FORMAT parquet)", path.display()), []).unwrap();
}

pub fn small(tmp: &Path) -> PathBuf {
    small_extract(&tmp.join("extract"))
}
