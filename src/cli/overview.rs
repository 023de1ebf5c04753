//! `carepath overview`: the explorer's Overview figures for a year (people, cost, the HRI
//! headline, cost and people by service, age band and SIMD quintile), through the disclosure
//! gate unless `--no-sdc`.
use super::disclosure_args::DisclosureArgs;
use super::output::{emit, tables_csv, tables_json, tables_text, Format};
use super::workspace::WorkspaceArg;
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct OverviewArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// Financial year (1920, 2019/20 or 2019-20); default: the latest in the workspace
    #[arg(long)]
    pub year: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &OverviewArgs) -> Result<i32> {
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let Answer::Overview(g) = ops::run(&Query::Overview { year: args.year.clone() }, &ctx)? else { bail!("unexpected answer to an overview") };
    let out = match args.format {
        Format::Json => {
            let v = serde_json::json!({ "heading": g.heading, "disclosure": g.disclosure, "tables": tables_json(&g.tables) });
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => format!("{}\n\n{}", g.heading, tables_text(&g.tables, &g.disclosure)),
    };
    emit(&out);
    Ok(0)
}
