//! `carepath doctor`: what this binary is and what it would run with here (version, commit,
//! DuckDB, Parquet, extension settings, memory and spill folder of a workspace, terminal,
//! system, bundled sample), for the first check on a new server and for support requests. It
//! opens no workspace and reads no extract, so its output holds no patient data.
mod facts;
mod render;

pub use facts::{gather, Report};

use super::output::{emit, Format};
use super::workspace::WorkspaceArg;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Print the report; exit 1 when something stops carepath working offline here.
pub fn run(args: &DoctorArgs) -> Result<i32> {
    let report = gather(args.ws.workspace.as_deref());
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&render::json(&report))? + "\n",
        Format::Csv => render::csv(&report),
        Format::Table => render::table(&report),
    };
    emit(&out);
    Ok(if report.problems.is_empty() { 0 } else { 1 })
}
