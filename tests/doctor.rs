//! `carepath doctor` and `carepath --version`: what an analyst pastes into a support request.
//! Each value is checked against what can be known independently here: Cargo's version, the
//! DuckDB library this test links, the store's own constants, the environment the test sets,
//! the files of the bundled sample, and a real pseudo-terminal's size.
mod common;
use common::{bin, small_extract, stderr, stdout};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Run the binary in `cwd` with a controlled environment (no inherited terminal settings).
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(cwd);
    for k in ["NO_COLOR", "COLORTERM", "TERM", "LC_ALL", "LC_CTYPE", "LANG", "CAREPATH_WORKSPACE", "CAREPATH_LOAD_MEMORY_MB", "TMUX", "SSH_CONNECTION", "SSH_TTY"] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run carepath")
}

fn doctor_json(cwd: &Path, extra: &[&str], env: &[(&str, &str)]) -> Value {
    let mut args = vec!["doctor", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(cwd, &args, env);
    assert_eq!(out.status.code(), Some(0), "doctor reports a problem here: {}{}", stdout(&out), stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("doctor --format json is not JSON ({e}): {}", stdout(&out)))
}

/// The DuckDB version this test process links (the same `duckdb` crate as the binary).
fn linked_duckdb_version() -> String {
    duckdb::Connection::open_in_memory().unwrap().version().unwrap()
}

#[test]
fn version_names_carepath_commit_and_duckdb() {
    let out = run_in(Path::new(ROOT), &["--version"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out);
    let duck = linked_duckdb_version();
    assert!(line.starts_with(&format!("carepath {} (commit ", env!("CARGO_PKG_VERSION"))), "{line}");
    // The same build facts as the doctor's, in one line.
    let v = doctor_json(Path::new(ROOT), &[], &[]);
    let commit = v["carepath"]["git_commit"].as_str().unwrap();
    let short = commit.get(..12).unwrap_or(commit);
    let target = v["carepath"]["target"].as_str().unwrap();
    assert_eq!(line.trim_end(), format!("carepath {} (commit {short}, DuckDB {duck}, {target})", env!("CARGO_PKG_VERSION")));
    assert!(target.contains("linux") || target.contains("darwin") || target.contains("windows"), "a target triple: {target}");
}

#[test]
fn doctor_reports_build_engine_and_offline_settings() {
    let v = doctor_json(Path::new(ROOT), &[], &[]);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["problems"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(v["carepath"]["version"], env!("CARGO_PKG_VERSION"));

    let commit = v["carepath"]["git_commit"].as_str().unwrap();
    assert!(commit == "unknown" || (commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit())), "commit {commit:?}");
    // Built from this checkout (not a binary named by CAREPATH_TEST_BIN): it is this HEAD,
    // since build.rs reruns whenever HEAD moves.
    let head = Command::new("git").args(["-C", ROOT, "rev-parse", "HEAD"]).output().ok().filter(|o| o.status.success());
    let top = Command::new("git").args(["-C", ROOT, "rev-parse", "--show-toplevel"]).output().ok().filter(|o| o.status.success());
    let is_top = top.is_some_and(|t| std::fs::canonicalize(String::from_utf8_lossy(&t.stdout).trim()).ok() == std::fs::canonicalize(ROOT).ok());
    if let (Some(h), true, None, None) = (head, is_top, std::env::var_os("CAREPATH_TEST_BIN"), std::env::var_os("CAREPATH_GIT_COMMIT")) {
        assert_eq!(commit, String::from_utf8_lossy(&h.stdout).trim(), "doctor's commit is this checkout's HEAD");
    }

    let d = &v["duckdb"];
    let version = d["version"].as_str().unwrap();
    assert_eq!(version, linked_duckdb_version(), "the DuckDB the binary runs is the one the duckdb crate reports");
    assert!(version.starts_with('v') && version[1..].split('.').count() >= 3, "DuckDB version like v1.2.3: {version}");
    assert!(d["source_id"].as_str().is_some_and(|s| s.len() >= 7), "{d}");
    assert_eq!(d["parquet"], true, "Parquet compiled in: {d}");
    assert!(d["extensions_loaded"].as_array().unwrap().iter().any(|e| e == "parquet"), "{d}");
    assert_eq!(d["autoinstall_known_extensions"], false);
    assert_eq!(d["autoload_known_extensions"], false);
    assert_eq!(d["allow_community_extensions"], false);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) as i64;
    assert_eq!(d["threads"].as_i64(), Some(threads));
    assert!(d["memory_limit"].as_str().is_some_and(|m| m.contains("GiB") || m.contains("GB")), "{d}");
}

#[test]
fn doctor_reports_the_workspace_rule_without_creating_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("project").join("cohort.duckdb");
    let v = doctor_json(tmp.path(), &["--workspace", ws.to_str().unwrap()], &[]);
    let w = &v["workspace"];
    assert_eq!(w["path"], ws.display().to_string());
    assert_eq!(w["chosen_by"], "--workspace");
    assert_eq!(w["exists"], false);
    assert_eq!(w["spill_folder"], carepath::store::open::spill_dir(&ws).display().to_string(), "spill folder beside the workspace");
    assert_eq!(w["memory_limit_exploring"], carepath::store::open::MEMORY_LIMIT);
    assert_eq!(w["load_memory_from_env"], false);
    assert!(!tmp.path().join("project").exists(), "doctor must not create the workspace or its folders");

    let env_ws = tmp.path().join("from-env.duckdb");
    let v = doctor_json(tmp.path(), &[], &[("CAREPATH_WORKSPACE", env_ws.to_str().unwrap()), ("CAREPATH_LOAD_MEMORY_MB", "3000")]);
    assert_eq!(v["workspace"]["path"], env_ws.display().to_string());
    assert_eq!(v["workspace"]["chosen_by"], "CAREPATH_WORKSPACE");
    assert_eq!(v["workspace"]["memory_limit_loading_mb"], 3000);
    assert_eq!(v["workspace"]["load_memory_from_env"], true);
    assert!(!env_ws.exists() && !carepath::store::open::spill_dir(&env_ws).exists());

    let v = doctor_json(tmp.path(), &[], &[]);
    assert_eq!(v["workspace"]["chosen_by"], "default");
    assert_eq!(v["workspace"]["path"], Path::new("sample-data").join(".carepath").join("workspace.duckdb").display().to_string());
}

#[test]
fn doctor_finds_the_bundled_sample_only_where_it_is() {
    let here = doctor_json(Path::new(ROOT), &[], &[]);
    let expected = std::fs::read_dir(Path::new(ROOT).join("sample-data"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            e.path().is_file() && (n.ends_with(".parquet") || n.ends_with(".csv") || n.ends_with(".csv.gz"))
        })
        .count();
    assert!(expected > 0);
    assert_eq!(here["sample"]["present"], true);
    assert_eq!(here["sample"]["data_files"].as_u64(), Some(expected as u64));

    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = doctor_json(tmp.path(), &[], &[]);
    assert_eq!(elsewhere["sample"]["present"], false);
    assert_eq!(elsewhere["sample"]["data_files"], 0);
    let notes = elsewhere["notes"].to_string();
    assert!(notes.contains("no sample-data/ folder"), "says the sample is missing and what to do: {notes}");
}

#[test]
fn doctor_reads_colours_and_utf8_from_the_environment() {
    let root = Path::new(ROOT);
    let plain = doctor_json(root, &[], &[("NO_COLOR", "1"), ("TERM", "xterm-256color"), ("LANG", "C")]);
    let t = &plain["terminal"];
    assert_eq!(t["colours"], "none");
    assert_eq!(t["no_color"], true);
    assert_eq!(t["utf8"], false);
    assert_eq!(t["locale"], "C");
    assert_eq!(t["stdout_is_terminal"], false);
    assert!(t["size"].is_null(), "no size is made up for a pipe: {t}");
    assert!(plain["notes"].to_string().contains("--ascii"), "a non-UTF-8 locale points to --ascii: {}", plain["notes"]);

    let rich = doctor_json(root, &[], &[("TERM", "xterm-256color"), ("LANG", "C"), ("LC_ALL", "en_GB.UTF-8")]);
    assert_eq!(rich["terminal"]["colours"], "256");
    assert_eq!(rich["terminal"]["utf8"], true, "LC_ALL wins over LANG");
    assert_eq!(rich["terminal"]["locale"], "en_GB.UTF-8");
    let truecolor = doctor_json(root, &[], &[("TERM", "xterm"), ("COLORTERM", "truecolor"), ("TMUX", "/tmp/tmux-0/default,1,0")]);
    assert_eq!(truecolor["terminal"]["colours"], "truecolor");
    assert_eq!(truecolor["terminal"]["inside_tmux"], true);
    let basic = doctor_json(root, &[], &[("TERM", "vt100")]);
    assert_eq!(basic["terminal"]["colours"], "16");
}

#[test]
fn doctor_measures_a_real_terminal() {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read;
    let pair = native_pty_system().openpty(PtySize { rows: 30, cols: 100, pixel_width: 0, pixel_height: 0 }).expect("openpty");
    let mut cmd = CommandBuilder::new(bin());
    cmd.args(["doctor", "--format", "json"]);
    cmd.cwd(ROOT);
    cmd.env("TERM", "xterm-256color");
    cmd.env("LC_ALL", "C.UTF-8");
    cmd.env_remove("NO_COLOR");
    let mut child = pair.slave.spawn_command(cmd).expect("spawn carepath");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = reader.read_to_end(&mut buf); // ends (EIO) once the child has exited
        let _ = tx.send(buf);
    });
    let buf = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("doctor finished in a pty");
    let _ = child.wait();
    let text = String::from_utf8_lossy(&buf).to_string();
    let v: Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON in a pty ({e}): {text}"));
    let t = &v["terminal"];
    assert_eq!(t["stdout_is_terminal"], true);
    assert_eq!(t["size"]["columns"], 100, "{t}");
    assert_eq!(t["size"]["rows"], 30, "{t}");
}

#[test]
fn doctor_table_and_csv_say_the_same_and_hold_no_patient_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let ws = tmp.path().join("ws.duckdb");
    let load = run_in(tmp.path(), &["load", dir.to_str().unwrap(), "--workspace", ws.to_str().unwrap()], &[]);
    assert!(load.status.success(), "{}", stderr(&load));
    let env = [("CAREPATH_WORKSPACE", ws.to_str().unwrap()), ("NO_COLOR", "1")];

    let table = run_in(tmp.path(), &["doctor"], &env);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    for heading in ["carepath", "duckdb", "workspace", "terminal", "system", "sample"] {
        assert!(text.lines().any(|l| l.trim_end() == heading), "section {heading} in:\n{text}");
    }
    assert!(text.contains("status: ok"), "{text}");
    assert!(text.contains(&linked_duckdb_version()), "{text}");
    assert!(text.lines().any(|l| l.trim_start().starts_with("extension auto-load") && l.trim_end().ends_with("off")), "{text}");
    assert!(text.lines().any(|l| l.trim_start().starts_with("parquet") && l.contains("yes")), "{text}");

    let csv = run_in(tmp.path(), &["doctor", "--format", "csv"], &env);
    let csv = stdout(&csv);
    assert!(csv.starts_with("section,item,value\n"), "{csv}");
    assert!(csv.contains("duckdb,extension auto-install,off"), "{csv}");
    assert!(csv.contains("status,status,ok"), "{csv}");

    // The doctor names the workspace but never reads it: no person id from the extract appears.
    let json = run_in(tmp.path(), &["doctor", "--format", "json"], &env);
    let all = format!("{text}{csv}{}", stdout(&json));
    for chi in ["0101501234", "0203402346", "1512853458", "0707071111", "3009309992"] {
        assert!(!all.contains(chi) && !all.contains(&common::anon(chi)), "doctor output holds a person id");
    }
    for pseudonym in ["P000001", "P000002"] {
        assert!(!all.contains(pseudonym), "doctor output holds a pseudonym");
    }
}
