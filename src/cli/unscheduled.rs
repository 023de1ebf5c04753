//! `carepath unscheduled`: unscheduled care of a year (and a cohort) by council, partnership,
//! locality, GP practice, GP cluster, age band, SIMD quintile or sex: population, A&E
//! attendances, attenders and repeat attenders (`--repeat N`, default 5), emergency admissions
//! and bed days, PPAs and PPA bed days, emergency readmissions within 28 days, each per 1,000
//! population; through the disclosure gate unless `--no-sdc`. Every number printed comes from
//! the published (gated) table.
use super::disclosure_args::DisclosureArgs;
use super::output::{emit, groups_and_total_json, gated_output, Format};
use super::pathways::one_year_cohort;
use super::spec_flags::CohortFlags;
use super::workspace::WorkspaceArg;
use crate::model::unscheduled::{UnscheduledBy, UnscheduledRequest, DEFAULT_REPEAT};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct UnscheduledArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The people (a spec or inline filters; the year is `--year`, default the latest loaded)
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// How to split the population
    #[arg(long, value_enum, default_value_t = UnscheduledBy::Council)]
    pub by: UnscheduledBy,
    /// Repeat attenders: people with at least N A&E attendances in the year
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REPEAT)]
    pub repeat: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &UnscheduledArgs) -> Result<i32> {
    if args.repeat == 0 {
        bail!("--repeat must be at least 1 (people with that many A&E attendances or more in the year)");
    }
    let (spec, year) = one_year_cohort(&args.cohort, "unscheduled care")?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::Unscheduled(UnscheduledRequest { spec, year, by: args.by, repeat: args.repeat });
    let Answer::Unscheduled(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to an unscheduled care query") };
    let out = gated_output(args.format, &g, || {
        let (rows, total) = groups_and_total_json(g.table("unscheduled"), &[]);
        let v = json!({
            "heading": g.heading,
            "by": args.by,
            "repeat": args.repeat,
            "rows": rows,
            "total": total,
        });
        Ok(v)
    })?;
    emit(&out);
    Ok(0)
}

