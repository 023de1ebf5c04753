//! `carepath delays`: delayed discharges of a year (and a cohort) by reason, reason group,
//! residence, hospital, specialty, month, length of delay, how the stay began, where the
//! person lived or how the delay ended; through the disclosure gate unless `--no-sdc`.
//! Every number printed comes from the published (gated) table.
use super::disclosure_args::DisclosureArgs;
use super::output::{emit, groups_and_total_json, gated_output, Format};
use super::pathways::one_year_cohort;
use super::spec_flags::CohortFlags;
use super::workspace::WorkspaceArg;
use crate::model::delays::{DelayBy, DelaysRequest};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct DelaysArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The people (a spec or inline filters; the year is `--year`, default the latest loaded)
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// How to split the delays
    #[arg(long, value_enum, default_value_t = DelayBy::ReasonGroup)]
    pub by: DelayBy,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &DelaysArgs) -> Result<i32> {
    let (spec, year) = one_year_cohort(&args.cohort, "the delays view")?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::Delays(DelaysRequest { spec, year, by: args.by });
    let Answer::Delays(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to a delays query") };
    let out = gated_output(args.format, &g, || {
        let (rows, total) = groups_and_total_json(g.table("delays"), &["census_people"]);
        let v = json!({
            "heading": g.heading,
            "by": args.by,
            "rows": rows,
            "total": total,
        });
        Ok(v)
    })?;
    emit(&out);
    Ok(0)
}

