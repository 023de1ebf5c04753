//! `carepath audit`: the workspace's audit log as an output checker reads it (who saw or
//! released what, when), and whether the log is whole: the chain of hashes every row carries
//! is recomputed, and a changed or removed row is named. Exit code 1 when the chain is broken.
use super::output::{emit, Format, TextTable};
use super::workspace::WorkspaceArg;
use crate::model::audit::{AuditLog, Verified};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// Show the latest N rows (the check always covers the whole log)
    #[arg(long, default_value_t = 50, conflicts_with = "all")]
    pub last: usize,
    /// Show every row
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: &AuditArgs) -> Result<i32> {
    let ctx = args.ws.open()?;
    let last = if args.all { None } else { Some(args.last) };
    let Answer::AuditLog(log) = ops::run(&Query::AuditLog { last }, &ctx)? else { bail!("unexpected answer to an audit query") };
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&log)? + "\n",
        Format::Csv => render_csv(&log),
        Format::Table => render_table(&log),
    };
    emit(&out);
    Ok(if log.verified.broken_at.is_some() { 1 } else { 0 })
}

/// One line on whether the log is whole, for people.
pub fn verdict(v: &Verified) -> String {
    let head = v.head.as_deref().map(|h| format!("; head {h} (note it: a later head that differs while the rows match means rows were cut from the end)")).unwrap_or_default();
    let older = if v.unchained > 0 { format!(" ({} older rows written before the log was chained are not checked)", v.unchained) } else { String::new() };
    match v.broken_at {
        None => format!("audit log intact: {} chained rows verified{older}{head}", v.rows),
        Some(seq) => format!(
            "audit log BROKEN at row {seq}: that row or the one before it was changed or removed after it was written{older}. Report this to your information governance lead."
        ),
    }
}

fn cells(r: &crate::model::audit::AuditRow) -> [String; 7] {
    [
        r.seq.map(|s| s.to_string()).unwrap_or_default(),
        r.logged_at.clone(),
        r.user.clone(),
        r.uid.map(|u| u.to_string()).unwrap_or_default(),
        r.action.clone(),
        r.query.clone(),
        r.rows.map(|n| n.to_string()).unwrap_or_default(),
    ]
}

const HEADERS: [&str; 7] = ["seq", "logged_at_utc", "user", "uid", "action", "query", "rows"];

fn render_table(log: &AuditLog) -> String {
    let mut t = TextTable::new(&HEADERS);
    for r in &log.rows {
        t.row(cells(r).to_vec());
    }
    format!("Audit log: {} rows, latest {} shown\n{}\n{}\n", log.total, log.rows.len(), t.render(), verdict(&log.verified))
}

fn render_csv(log: &AuditLog) -> String {
    let mut s = format!("# {}\n{}\n", verdict(&log.verified), HEADERS.join(","));
    for r in &log.rows {
        s.push_str(&crate::format::csv_line(cells(r).iter()));
        s.push('\n');
    }
    s
}
