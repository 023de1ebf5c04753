//! `carepath time-to`: cumulative incidence of a target event after an index event (30, 90, 180
//! and 365 days; censored at death for a non-death target and at the end of the data), by an
//! optional split, through the disclosure gate unless `--no-sdc`.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, gated_output, Format};
use super::pathways::{cohort, col, IndexArgs};
use super::spec_flags::{CohortFlags, HriLevelArg};
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::{at, Table};
use crate::model::pathways::{EventSpec, IndexKind, SplitBy, TimeToRequest, HORIZONS};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// The target event: the first one after the index
    #[arg(long, value_enum)]
    pub target: IndexKind,
    /// ICD-10 prefix or record type for --target diagnosis / service
    #[arg(long)]
    pub target_code: Option<String>,
    /// Level of the HRI flag for --target hri
    #[arg(long, value_enum, default_value_t = HriLevelArg::Scotland)]
    pub target_hri_level: HriLevelArg,
}

#[derive(Debug, Args)]
pub struct TimeToArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    #[command(flatten)]
    pub cohort: CohortFlags,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// One curve per category of this attribute at the index, besides All
    #[arg(long, value_enum)]
    pub by: Option<SplitBy>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &TimeToArgs) -> Result<i32> {
    let spec = cohort(&args.cohort)?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let target = EventSpec { kind: args.target.target, code: args.target.target_code.clone(), main_only: false, hri_level: args.target.target_hri_level.into() };
    let req = TimeToRequest { spec, index: args.index.event(), target: target.clone(), by: args.by };
    let Answer::TimeTo(g) = ops::run(&Query::TimeTo(req), &ctx)? else { bail!("unexpected answer to a time-to query") };
    let out = gated_output(args.format, &g, || {
        let v = json!({
            "heading": g.heading,
            "index": args.index.event().label(),
            "target": target.label(),
            "by": args.by,
            "curves": g.table("time_to").map(curves_json).unwrap_or_default(),
        });
        Ok(v)
    })?;
    emit(&out);
    Ok(0)
}

/// `[{group, people, points: [{days, events, censored, at_risk, cumulative_incidence_pct}]}]`.
fn curves_json(t: &Table) -> Value {
    let rows = t
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let points: Vec<Value> = HORIZONS
                .iter()
                .map(|h| {
                    let get = |name: &str| col(t, &format!("{name}_{h}d")).map(|c| cell_json(t.get(at(r, c)))).unwrap_or(Value::Null);
                    json!({
                        "days": h,
                        "events": get("events"),
                        "censored": get("censored"),
                        "at_risk": get("at_risk"),
                        "cumulative_incidence_pct": get("cumulative_incidence_pct"),
                    })
                })
                .collect();
            json!({ "group": row.first().map(|c| c.render()).unwrap_or_default(), "people": cell_json(t.get(at(r, 1))), "points": points })
        })
        .collect();
    Value::Array(rows)
}
