//! The doctor's report as text (sections of aligned `item  value` lines), CSV (`section,item,value`) or
//! JSON (the report's fields, plus `status`). Text and CSV share one list of rows.
use super::facts::Report;
use crate::format::strip_controls;

/// `ok` when nothing stops carepath working offline here, else `problems`.
fn status(r: &Report) -> &'static str {
    if r.problems.is_empty() {
        "ok"
    } else {
        "problems"
    }
}

pub fn json(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("status".into(), status(r).into());
    }
    v
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

fn or_unset(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(not set)".into())
}

/// Every reported item as (section, item, value), in the order a reader checks them.
fn rows(r: &Report) -> Vec<(&'static str, &'static str, String)> {
    let mut out = vec![
        ("carepath", "version", r.carepath.version.to_string()),
        ("carepath", "git commit", r.carepath.git_commit.to_string()),
        ("carepath", "built for", r.carepath.target.to_string()),
    ];
    match &r.duckdb {
        Some(e) => out.extend([
            ("duckdb", "version", e.version.clone()),
            ("duckdb", "source id", e.source_id.clone()),
            ("duckdb", "parquet", if e.parquet { "yes (written and read back)".into() } else { format!("NO: {}", e.parquet_error.as_deref().unwrap_or("")) }),
            ("duckdb", "compiled-in extensions", e.extensions_loaded.join(", ")),
            ("duckdb", "extension auto-install", on_off(e.autoinstall_known_extensions)),
            ("duckdb", "extension auto-load", on_off(e.autoload_known_extensions)),
            ("duckdb", "community extensions", on_off(e.allow_community_extensions)),
            ("duckdb", "memory limit", e.memory_limit.clone()),
            ("duckdb", "threads", e.threads.to_string()),
        ]),
        None => out.push(("duckdb", "status", "could not start (see problems)".into())),
    }
    let w = &r.workspace;
    out.extend([
        ("workspace", "path", w.path.clone()),
        ("workspace", "chosen by", w.chosen_by.to_string()),
        ("workspace", "exists", yes(w.exists)),
        ("workspace", "spill folder", w.spill_folder.clone()),
        ("workspace", "memory limit exploring", w.memory_limit_exploring.to_string()),
        (
            "workspace",
            "memory limit loading",
            format!("{} MB ({})", w.memory_limit_loading_mb, if w.load_memory_from_env { "CAREPATH_LOAD_MEMORY_MB" } else { "half the machine's memory, 4-16 GB" }),
        ),
    ]);
    let t = &r.terminal;
    out.extend([
        ("terminal", "stdout is a terminal", yes(t.stdout_is_terminal)),
        ("terminal", "TERM", or_unset(&t.term)),
        ("terminal", "COLORTERM", or_unset(&t.colorterm)),
        ("terminal", "NO_COLOR", if t.no_color { "set".into() } else { "(not set)".into() }),
        ("terminal", "colours", t.colours.to_string()),
        ("terminal", "size", t.size.map(|s| format!("{}x{}", s.columns, s.rows)).unwrap_or_else(|| "(not measured)".into())),
        ("terminal", "locale", or_unset(&t.locale)),
        ("terminal", "UTF-8", yes(t.utf8)),
        ("terminal", "inside tmux", yes(t.inside_tmux)),
        ("terminal", "over SSH", yes(t.over_ssh)),
    ]);
    let s = &r.system;
    out.extend([
        ("system", "os", format!("{} {}", s.os, s.arch)),
        ("system", "release", or_unset(&s.os_release)),
        ("system", "glibc", s.glibc.clone().unwrap_or_else(|| "(not glibc)".into())),
        ("system", "cpus", s.cpus.to_string()),
    ]);
    let m = &r.sample;
    out.extend([
        ("sample", "folder", format!("{}/ (in the current folder)", m.folder)),
        ("sample", "present", yes(m.present)),
        ("sample", "extract files", m.data_files.to_string()),
        ("sample", "workspace built", yes(m.workspace_built)),
    ]);
    out
}

pub fn table(r: &Report) -> String {
    let mut s = String::from("carepath doctor: no patient data below; paste it into a support request as it is\n");
    let all = rows(r);
    // One column width for every section, so the values line up down the whole report.
    let width = all.iter().map(|(_, item, _)| item.chars().count()).max().unwrap_or(0);
    let mut section = "";
    for (sec, item, value) in &all {
        if *sec != section {
            section = sec;
            s.push_str(&format!("\n{sec}\n"));
        }
        s.push_str(&format!("  {item:<width$}  {}\n", strip_controls(value)));
    }
    s.push('\n');
    if r.problems.is_empty() {
        s.push_str("status: ok (DuckDB works offline with Parquet compiled in)\n");
    } else {
        for p in &r.problems {
            s.push_str(&format!("problem: {p}\n"));
        }
    }
    for n in &r.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s
}

pub fn csv(r: &Report) -> String {
    let mut s = String::from("section,item,value\n");
    for (sec, item, value) in rows(r) {
        s.push_str(&crate::format::csv_line([sec, item, value.as_str()]));
        s.push('\n');
    }
    s.push_str(&crate::format::csv_line(["status", "status", status(r)]));
    s.push('\n');
    for p in &r.problems {
        s.push_str(&crate::format::csv_line(["status", "problem", p.as_str()]));
        s.push('\n');
    }
    for n in &r.notes {
        s.push_str(&crate::format::csv_line(["status", "note", n.as_str()]));
        s.push('\n');
    }
    s
}
