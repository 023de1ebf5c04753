//! `carepath project`: projections to 2035 (issue 15, item 4). The workspace's base-year
//! emergency admissions, emergency bed days and DD bed days (65+) per person, by area, sex and
//! age band, applied to the analyst's population projections file (`--population`, the simple
//! `area,sex,age_band,year,population` layout or NRS's council-area projections as on the NHS
//! Scotland open data platform), optionally with rate changes (`--scenario FILE.toml`); with
//! average occupied beds, beds needed at `--occupancy` and the change from the base year, per
//! area and year. Through the disclosure gate unless `--no-sdc`; every number printed comes
//! from the published table.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, gated_output, Format};
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::{at, Cell};
use crate::model::projection::{AreaLevel, ProjectionRequest, DEFAULT_OCCUPANCY, DEFAULT_TO};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// Population projections (CSV): `area,sex,age_band,year,population` or the NRS council-area layout (Year,CA,Sex,Age0..Age90plus)
    #[arg(long, value_name = "FILE")]
    pub population: PathBuf,
    /// Financial year of the rates (e.g. 1920 for 2019/20)
    #[arg(long, value_name = "YEAR")]
    pub base_year: String,
    /// Last calendar year projected
    #[arg(long, value_name = "YEAR", default_value_t = DEFAULT_TO)]
    pub to: i32,
    /// The areas
    #[arg(long, value_enum, default_value_t = AreaLevel::Council)]
    pub area_level: AreaLevel,
    /// Rate changes (TOML: [[change]] measure = "emergency_admissions" age_band = "75+" percent = -10)
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Target bed occupancy (beds needed = occupied beds / occupancy)
    #[arg(long, default_value_t = DEFAULT_OCCUPANCY)]
    pub occupancy: f64,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &ProjectArgs) -> Result<i32> {
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let req = ProjectionRequest {
        population: args.population.clone(),
        base_year: args.base_year.clone(),
        to: args.to,
        level: args.area_level,
        scenario: args.scenario.clone(),
        occupancy: args.occupancy,
    };
    let Answer::Project(g) = ops::run(&Query::Project(req), &ctx)? else { bail!("unexpected answer to a projection query") };
    let out = gated_output(args.format, &g, || {
        let mut v = json!({
            "heading": g.heading,
            "base_year": args.base_year,
            "to": args.to,
            "area_level": args.area_level,
            "occupancy": args.occupancy,
            "rows": rows_json(g.table("projection")),
        });
        if let Some(path) = &args.scenario {
            // the scenario as read (the published table does not hold it)
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let s = crate::model::projection::Scenario::from_toml(&text).ok();
            v["scenario"] = json!({ "file": path.display().to_string(), "changes": s.map(|s| s.changes) });
        }
        Ok(v)
    })?;
    emit(&out);
    Ok(0)
}

/// One object per row of the published table: `area`, `year` (a number), `kind`, then each
/// figure (withheld ones "*", empty ones left out).
fn rows_json(t: Option<&crate::analysis::disclosure::Table>) -> Value {
    let Some(t) = t else { return Value::Array(Vec::new()) };
    let rows = (0..t.rows.len())
        .map(|r| {
            let mut o = serde_json::Map::new();
            for (c, name) in t.columns.iter().enumerate() {
                let cell = t.get(at(r, c));
                let v = match (name.as_str(), cell) {
                    ("year", Some(Cell::Text(y))) => y.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(y.as_str())),
                    (_, Some(Cell::Empty)) | (_, None) => continue,
                    _ => cell_json(cell),
                };
                o.insert(name.clone(), v);
            }
            Value::Object(o)
        })
        .collect();
    Value::Array(rows)
}
