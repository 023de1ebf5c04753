//! `carepath transitions`: where one year's HRI population (by band) is in a later year, plus
//! Died, Not in the HRI population and Not present, and persistence; through the disclosure gate
//! unless `--no-sdc`. Every number printed comes from the published (gated) tables.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, tables_csv, tables_json, tables_text, Format};
use super::spec_flags::HriLevelArg;
use super::workspace::WorkspaceArg;
use crate::model::transitions::Transitions;
use crate::ops::{self, Answer, Gated, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct TransitionsArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The earlier financial year (1920, 2019/20 or 2019-20)
    #[arg(long)]
    pub from: String,
    /// The later financial year
    #[arg(long)]
    pub to: String,
    /// Geography the HRI bands are computed within
    #[arg(long, value_enum, default_value_t = HriLevelArg::Scotland)]
    pub level: HriLevelArg,
    /// Only the people of this board or council (code or name, at --level) in the earlier year
    #[arg(long)]
    pub area: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &TransitionsArgs) -> Result<i32> {
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::Transitions { from: args.from.clone(), to: args.to.clone(), level: args.level.into(), area: args.area.clone() };
    let Answer::Transitions(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to a transitions query") };
    let out = match args.format {
        Format::Json => {
            let mut v = to_json(&g);
            v["from_year"] = ops::year::normalise(&args.from)?.into();
            v["to_year"] = ops::year::normalise(&args.to)?.into();
            v["level"] = serde_json::to_value(crate::model::hri::HriLevel::from(args.level))?;
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => format!("{}\n\n{}\n{}", g.heading, flow_chart(&g), tables_text(&g.tables, &g.disclosure)),
    };
    emit(&out);
    Ok(0)
}

/// Letters of the later-year categories in the flow chart (ASCII: old terminals).
const FLOW_LETTERS: [char; 8] = ['H', 'h', 'M', 'm', 'L', 'n', 'D', 'x'];
const FLOW_WIDTH: usize = 50;

/// A terminal flow chart of the published table: per earlier band, one bar of where its people
/// are in the later year, each category a run of its letter in proportion; the withheld cells
/// of a row share one run of `?` (their sum already follows from the row's total).
fn flow_chart(g: &Gated<Transitions>) -> String {
    use crate::analysis::disclosure::Cell;
    let Some(t) = g.table("transitions") else { return String::new() };
    let total_col = t.columns.len() - 1;
    let mut out = String::from("Flow (each bar is one earlier band's people, 100%):\n");
    for row in t.rows.iter().filter(|r| r.first().map(|c| c.render()).as_deref() != Some("Total")) {
        let band = row.first().map(|c| c.render()).unwrap_or_default();
        let Some(Cell::Count(total)) = row.get(total_col) else {
            out.push_str(&format!("  {band:<15} (total withheld)\n"));
            continue;
        };
        if *total == 0 {
            out.push_str(&format!("  {band:<15} (nobody)\n"));
            continue;
        }
        let mut bar = String::new();
        let mut shown = 0u64;
        for (i, c) in row.iter().enumerate().skip(1).take(total_col - 1) {
            if let Cell::Count(n) = c {
                shown += n;
                let w = ((*n as f64 / *total as f64) * FLOW_WIDTH as f64).round() as usize;
                bar.extend(std::iter::repeat_n(FLOW_LETTERS.get(i - 1).copied().unwrap_or('?'), w));
            }
        }
        let hidden = total.saturating_sub(shown);
        bar.extend(std::iter::repeat_n('?', ((hidden as f64 / *total as f64) * FLOW_WIDTH as f64).round() as usize));
        out.push_str(&format!("  {band:<15} |{bar}\n"));
    }
    let legend: Vec<String> = t.columns[1..total_col].iter().zip(FLOW_LETTERS).map(|(c, l)| format!("{l} {c}")).collect();
    out.push_str(&format!("  {}; ? withheld\n", legend.join(", ")));
    out
}

/// The JSON view of the published tables: `rows` (one per earlier band x later category),
/// `from_totals`, `persistence`. Withheld counts are "*".
pub fn to_json(g: &Gated<Transitions>) -> Value {
    let mut rows = Vec::new();
    let mut from_totals = Vec::new();
    if let Some(t) = g.table("transitions") {
        let total_col = t.columns.len() - 1;
        for (r, row) in t.rows.iter().enumerate() {
            let band = row.first().map(|c| c.render()).unwrap_or_default();
            if band == "Total" {
                continue;
            }
            for c in 1..total_col {
                rows.push(json!({ "from_band": band, "to_band": t.columns[c], "people": cell_json(t.get(crate::analysis::disclosure::at(r, c))) }));
            }
            from_totals.push(json!({ "from_band": band, "people": cell_json(t.get(crate::analysis::disclosure::at(r, total_col))) }));
        }
    }
    let mut persistence = json!({});
    let mut continuous = Vec::new();
    if let Some(p) = g.table("persistence") {
        for (r, row) in p.rows.iter().enumerate() {
            let name = row.first().map(|c| c.render()).unwrap_or_default();
            let people = cell_json(p.get(crate::analysis::disclosure::at(r, 1)));
            let pct = cell_json(p.get(crate::analysis::disclosure::at(r, 2)));
            match name.as_str() {
                "hri_in_from_year" => persistence["hri_people"] = people,
                "hri_again_in_to_year" => {
                    persistence["remained"] = people;
                    persistence["persistence_pct"] = pct;
                }
                "died_by_end_of_to_year" => persistence["died"] = people,
                other => {
                    let through = other.strip_prefix("hri_every_year_through_").unwrap_or(other);
                    continuous.push(json!({ "through_year": through, "people": people, "pct_of_hri": pct }));
                }
            }
        }
    }
    persistence["continuous"] = Value::Array(continuous);
    json!({
        "heading": g.heading,
        "rows": rows,
        "from_totals": from_totals,
        "persistence": persistence,
        "disclosure": g.disclosure,
        "tables": tables_json(&g.tables),
    })
}
