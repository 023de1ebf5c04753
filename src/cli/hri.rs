//! `carepath hri`: the High Resource Individual picture for a year and level, through the
//! disclosure gate unless `--no-sdc`.
use super::disclosure_args::DisclosureArgs;
use super::output::{emit, tables_csv, tables_json, tables_text, Format};
use super::spec_flags::HriLevelArg;
use super::workspace::WorkspaceArg;
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct HriArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// Financial year (1920, 2019/20 or 2019-20); default: the latest in the workspace
    #[arg(long)]
    pub year: Option<String>,
    /// Geography the HRIs are computed within
    #[arg(long, value_enum, default_value_t = HriLevelArg::Scotland)]
    pub level: HriLevelArg,
    /// Points on the Lorenz curve (21 = every 5% of people; at most 1001)
    #[arg(long, default_value_t = 21)]
    pub lorenz_points: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &HriArgs) -> Result<i32> {
    let points = ops::limits::lorenz_points(args.lorenz_points)?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::Hri { year: args.year.clone(), level: args.level.into(), lorenz_points: points };
    let Answer::Hri(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to an HRI query") };
    let out = match args.format {
        Format::Json => {
            // Without disclosure control the typed picture is included as before (flattened).
            let mut v = match g.raw() {
                Some(p) => serde_json::to_value(p)?,
                None => serde_json::json!({}),
            };
            v["disclosure"] = serde_json::to_value(&g.disclosure)?;
            v["tables"] = tables_json(&g.tables);
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => format!("{}\n\n{}", g.heading, tables_text(&g.tables, &g.disclosure)),
    };
    emit(&out);
    Ok(0)
}
