//! `carepath socialcare`: the NDTi social care prevention measures for people entering social
//! care (first social care record, with the look-back rule of `model::socialcare`): entrants,
//! age at entry, first home-care package size, growth of care hours 6/12/24 months after entry,
//! age at first care-home admission and days to it, by year of entry, council, locality, SIMD
//! quintile or sex, from a baseline year (`--from`), with the gap between SIMD quintiles 1 and 5.
//! Through the disclosure gate unless `--no-sdc`; every number printed comes from the published
//! (gated) tables.
use super::disclosure_args::DisclosureArgs;
use super::output::{emit, groups_and_total_json, gated_output, Format};
use super::pathways::cohort;
use super::spec_flags::CohortFlags;
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::Table;
use crate::model::socialcare::{SocialCareBy, SocialCareRequest, DEFAULT_LOOKBACK, NOT_IN_DATA};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct SocialCareArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The people (a spec or inline filters; default everyone)
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// How to split the entrants
    #[arg(long, value_enum, default_value_t = SocialCareBy::Year)]
    pub by: SocialCareBy,
    /// Baseline year of entry (1920 or 2019/20): entry years from it on (default: the first the
    /// look-back allows)
    #[arg(long, value_name = "YEAR")]
    pub from: Option<String>,
    /// A year of entry needs at least N earlier years of social care data, in which the entrant
    /// has no record (0: everyone first seen in the first year counts as new)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOOKBACK)]
    pub lookback: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &SocialCareArgs) -> Result<i32> {
    let spec = cohort(&args.cohort)?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::SocialCare(SocialCareRequest { spec, by: args.by, from: args.from.clone(), lookback: args.lookback });
    let Answer::SocialCare(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to a social care query") };
    let out = gated_output(args.format, &g, || {
        let (rows, total) = groups_and_total_json(g.table("socialcare"), &[]);
        let gap = every_row(g.table("socialcare_gap")).into_iter().next().unwrap_or(Value::Null);
        let v = json!({
            "heading": g.heading,
            "by": args.by,
            "lookback": args.lookback,
            "rows": rows,
            "total": total,
            "gap": gap,
            "change_from_baseline": every_row(g.table("socialcare_change")),
            "not_in_data": [NOT_IN_DATA],
        });
        Ok(v)
    })?;
    emit(&out);
    Ok(0)
}

/// Every row of a published table as an object keyed by column (withheld figures "*").
fn every_row(t: Option<&Table>) -> Vec<Value> {
    let (rows, last) = groups_and_total_json(t, &[]);
    let mut all = match rows {
        Value::Array(a) => a,
        _ => Vec::new(),
    };
    if !last.is_null() {
        all.push(last);
    }
    all
}
