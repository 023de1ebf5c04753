//! `carepath compare`: two cohorts (spec files) side by side in one year: size and the people
//! in both, make-up, LTCs, and each measure per person with ratio A:B, standardised mean
//! difference and age-sex-standardised ratio; through the disclosure gate unless `--no-sdc`.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, gated_output, Format};
use super::workspace::WorkspaceArg;
use crate::model::compare::CompareRequest;
use crate::ops::compare_tables::COLUMNS;
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// Cohort A (TOML spec)
    #[arg(long, value_name = "A.toml")]
    pub a: PathBuf,
    /// Cohort B (TOML spec)
    #[arg(long, value_name = "B.toml")]
    pub b: PathBuf,
    /// The financial year both cohorts are taken in (default: A's, else the latest loaded)
    #[arg(long)]
    pub year: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &CompareArgs) -> Result<i32> {
    let a = ops::read_spec(&args.a)?;
    let b = ops::read_spec(&args.b)?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let Answer::Compare(g) = ops::run(&Query::Compare(CompareRequest { a, b, year: args.year.clone() }), &ctx)? else {
        bail!("unexpected answer to a compare query")
    };
    let out = gated_output(args.format, &g, || {
        let rows: Vec<Value> = g
            .table("compare")
            .map(|t| {
                t.rows
                    .iter()
                    .map(|r| Value::Object(COLUMNS.iter().enumerate().map(|(i, c)| ((*c).to_string(), cell_json(r.get(i)))).collect()))
                    .collect()
            })
            .unwrap_or_default();
        let pick = |section: &str| -> Vec<Value> { rows.iter().filter(|r| r["section"] == section).cloned().collect() };
        let v = json!({
            "heading": g.heading,
            "people": rows.first().cloned().unwrap_or(Value::Null),
            "overlap": rows.get(1).cloned().unwrap_or(Value::Null),
            "measures": pick("per person"),
            "ltcs": pick("long-term conditions"),
            "rows": rows,
        });
        Ok(v)
    })?;
    emit(&out);
    Ok(0)
}
