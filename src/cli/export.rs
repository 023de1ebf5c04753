//! `carepath export`: a cohort's attrition, characterisation and measures as files (CSV, JSON or
//! Parquet) through the disclosure gate (`ops::Query::Export`). Person-level rows
//! (`--person-level`, pseudonyms) and the pseudonym -> anon_chi map (`--reveal-ids`) are each
//! written only on request and recorded in the workspace's audit log first.
//!
//! Files written into `--out DIR`: `attrition.<ext>`, `characterisation.<ext>`,
//! `measures.<ext>` (and `members.<ext>`, `pseudonyms.<ext>`).
use super::disclosure_args::DisclosureArgs;
use super::output::{emit, note};
use super::spec_flags::{spec_from_flags, CohortFlags};
use super::workspace::WorkspaceArg;
use crate::ops::{self, Answer, ExportFormat, ExportRequest, Query};
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormatArg {
    #[default]
    Csv,
    Json,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// Output folder (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// File format
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Csv)]
    pub format: ExportFormatArg,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
    /// Also write person-level rows (members.*, display pseudonyms). Recorded in the audit log.
    #[arg(long)]
    pub person_level: bool,
    /// Also write pseudonyms.* mapping each person's pseudonym to anon_chi (to link with other
    /// SLF work). Recorded in the audit log.
    #[arg(long)]
    pub reveal_ids: bool,
}

pub fn run(args: &ExportArgs) -> Result<i32> {
    let spec = spec_from_flags(&args.cohort)?;
    let policy = args.disclosure.policy()?;
    let ctx = args.ws.open()?;
    let format = match args.format {
        ExportFormatArg::Csv => ExportFormat::Csv,
        ExportFormatArg::Json => ExportFormat::Json,
        ExportFormatArg::Parquet => ExportFormat::Parquet,
    };
    let req = ExportRequest { spec, out: args.out.clone(), format, policy, person_level: args.person_level, reveal_ids: args.reveal_ids };
    let Answer::Exported(r) = ops::run(&Query::Export(req), &ctx)? else { bail!("unexpected answer to an export") };
    note(&r.message);
    if !r.disclosure.applied {
        note(&r.disclosure.text);
    }
    let files: String = r.files.iter().map(|p| format!("{}\n", p.display())).collect();
    emit(&files);
    Ok(0)
}
