//! `carepath spc`: a monthly (or weekly) series of an event measure for an area, optionally for a
//! cohort and one series per group of a dimension (small multiples), with its XmR control chart
//! (NHS England's "Making Data Count"). Through the disclosure gate unless `--no-sdc`; the chart
//! is computed from the published values (a withheld value is a gap). Every number printed comes
//! from the published tables.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, tables_csv, tables_json, tables_text, Format};
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::{at, Table};
use crate::model::series::{check_period, Area, Dim, Measure, SeriesFigures, SeriesRequest};
use crate::ops::{self, Answer, Gated, NamedTable, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SpcArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// What to count: emergency_admissions, ae_attendances, emergency_bed_days, dd_bed_days,
    /// ppa_admissions, care_home_admissions, care_home_residents
    #[arg(long)]
    pub measure: String,
    /// The area: DIM=VALUE with DIM council, board, hscp, locality, simd, sex or age_band
    /// (council=Fife, locality="North East", simd=1), or scotland
    #[arg(long)]
    pub area: String,
    /// One chart per value of this dimension (small multiples): council, board, hscp, locality,
    /// simd, sex, age_band
    #[arg(long)]
    pub by: Option<String>,
    /// First period of the chart and of its baseline (YYYY-MM; with --weekly also YYYY-MM-DD)
    #[arg(long)]
    pub from: Option<String>,
    /// Compute the limits again from this period on (YYYY-MM); may be given more than once
    #[arg(long)]
    pub change: Vec<String>,
    /// Weeks (Monday to Sunday) instead of months
    #[arg(long)]
    pub weekly: bool,
    /// Only the people of this cohort (spec file, TOML)
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

fn period(flag: &str, s: &str, weekly: bool) -> Result<String> {
    let p = check_period(flag, s).map_err(anyhow::Error::msg)?;
    if !weekly && p.len() != 7 {
        bail!("{flag} {p}: months are YYYY-MM (a day is only for --weekly)");
    }
    Ok(p)
}

/// The request the flags describe, or a message saying which flag is wrong and how to fix it.
pub fn request(args: &SpcArgs) -> Result<SeriesRequest> {
    let measure = Measure::parse(&args.measure).map_err(anyhow::Error::msg)?;
    let area = Area::parse(&args.area).map_err(anyhow::Error::msg)?;
    let by = match &args.by {
        Some(b) => Some(Dim::parse(b).map_err(|e| anyhow::anyhow!("--by: {e}"))?),
        None => None,
    };
    let from = args.from.as_deref().map(|f| period("--from", f, args.weekly)).transpose()?;
    let change = args.change.iter().map(|c| period("--change", c, args.weekly)).collect::<Result<Vec<_>>>()?;
    let spec = match &args.spec {
        Some(p) => Some(ops::read_spec(p)?),
        None => None,
    };
    Ok(SeriesRequest { measure, area, by, weekly: args.weekly, from, change, spec })
}

pub fn run(args: &SpcArgs) -> Result<i32> {
    let req = request(args)?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let Answer::Spc(g) = ops::run(&Query::Spc(req), &ctx)? else { bail!("unexpected answer to an spc query") };
    let charts: Vec<NamedTable> = g.tables.iter().filter(|t| t.name != "spc_series").cloned().collect();
    let note = crate::model::series::NO_DENOMINATOR;
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&to_json(&g, args.by.is_some()))? + "\n",
        Format::Csv => format!("# rates: {note}\n{}", tables_csv(&charts, &g.disclosure)),
        Format::Table => format!("{}\nNote: {note}.\n\n{}\n{}", g.heading, strips(&g), tables_text(&charts, &g.disclosure)),
    };
    emit(&out);
    Ok(0)
}

const BARS: [char; 8] = ['_', '.', ':', '-', '=', '+', '*', '#'];

/// The published value of a cell as a number (None: withheld or empty).
fn shown(c: Option<&crate::analysis::disclosure::Cell>) -> Option<f64> {
    c.map(|c| c.to_json()).and_then(|v| v.as_f64())
}

/// Every chart at a glance (small multiples): one character per period on the group's own scale
/// (`?` where withheld), and under it the first signal of each point.
fn strips(g: &Gated<SeriesFigures>) -> String {
    let Some(chart) = g.table("spc_chart") else { return String::new() };
    let mut out = String::from(
        "Each chart at a glance (a character per period, low _ to high #, ? withheld; below it: o outside the limits, s shift, t trend, 2 two of three):\n",
    );
    for (group, rows) in by_group(chart) {
        let vals: Vec<Option<f64>> = rows.iter().map(|r| shown(chart.get(at(*r, 3)))).collect();
        let lo = vals.iter().flatten().fold(f64::INFINITY, |m, v| m.min(*v));
        let hi = vals.iter().flatten().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
        let strip: String = vals
            .iter()
            .map(|v| match v {
                Some(x) if hi > lo => BARS[(((x - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
                Some(_) => BARS[0],
                None => '?',
            })
            .collect();
        let marks: String = rows
            .iter()
            .map(|r| {
                let s = chart.get(at(*r, 7)).map(|c| c.render()).unwrap_or_default();
                match s.split(',').next().unwrap_or("") {
                    "outside_limits" => 'o',
                    "shift" => 's',
                    "trend" => 't',
                    "two_of_three" => '2',
                    _ => ' ',
                }
            })
            .collect();
        let name: String = group.chars().take(24).collect();
        out.push_str(&format!("  {name:<24} {strip}\n"));
        if !marks.trim().is_empty() {
            out.push_str(&format!("  {:<24} {}\n", "", marks.trim_end()));
        }
    }
    out
}

fn points(t: &Table, rows: &[usize]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let c = |col: usize| cell_json(t.get(at(*r, col)));
            let signal: Vec<String> = t
                .get(at(*r, 7))
                .map(|c| c.render())
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            json!({ "period": c(1), "people": c(2), "value": c(3), "mean": c(4), "ucl": c(5), "lcl": c(6), "signal": signal })
        })
        .collect()
}

fn limits(t: &Table, rows: &[usize]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let c = |col: usize| cell_json(t.get(at(*r, col)));
            let n: u64 = t.get(at(*r, 3)).map(|c| c.render()).and_then(|s| s.parse().ok()).unwrap_or(0);
            json!({ "from": c(1), "to": c(2), "points": n, "mean": c(4), "mean_moving_range": c(5), "ucl": c(6), "lcl": c(7) })
        })
        .collect()
}

/// Rows of `t` per group (column 0), in order.
fn by_group(t: &Table) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for r in 0..t.rows.len() {
        let g = t.get(at(r, 0)).map(|c| c.render()).unwrap_or_default();
        match out.iter_mut().find(|(k, _)| *k == g) {
            Some((_, v)) => v.push(r),
            None => out.push((g, vec![r])),
        }
    }
    out
}

/// `points` and `limits` (one block per group with `--by`, the area's own first as `All`),
/// the rate note, the disclosure note and the published tables; withheld values are "*".
pub fn to_json(g: &Gated<SeriesFigures>, by: bool) -> Value {
    let (Some(chart), Some(lim)) = (g.table("spc_chart"), g.table("spc_limits")) else { return json!({ "heading": g.heading }) };
    let lim_groups = by_group(lim);
    let blocks: Vec<Value> = by_group(chart)
        .into_iter()
        .map(|(group, rows)| {
            let lrows = lim_groups.iter().find(|(k, _)| *k == group).map(|(_, v)| v.clone()).unwrap_or_default();
            json!({ "group": group, "points": points(chart, &rows), "limits": limits(lim, &lrows) })
        })
        .collect();
    let mut out = json!({
        "heading": g.heading,
        "per_1000": Value::Null,
        "denominator": crate::model::series::NO_DENOMINATOR,
        "disclosure": g.disclosure,
        "tables": tables_json(&g.tables),
    });
    if by {
        out["groups"] = Value::Array(blocks);
    } else if let Some(b) = blocks.into_iter().next() {
        out["points"] = b["points"].clone();
        out["limits"] = b["limits"].clone();
    }
    out
}
