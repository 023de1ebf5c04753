//! `carepath triggers`: what the people who became HRIs in a year used in the year before,
//! service by service and month by month, beside a comparison group matched on age band, sex,
//! SIMD quintile and council; through the disclosure gate unless `--no-sdc`. Every number
//! printed comes from the published (gated) tables.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, tables_csv, tables_json, tables_text, Format};
use super::spec_flags::HriLevelArg;
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::{at, Cell};
use crate::model::triggers::TriggerFigures;
use crate::ops::{self, Answer, Gated, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct TriggersArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The year people became HRIs (2021, 2020/21 or 2020-21); the year before must be loaded
    #[arg(long)]
    pub year: String,
    /// Geography the HRI flag is computed within
    #[arg(long, value_enum, default_value_t = HriLevelArg::Scotland)]
    pub level: HriLevelArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &TriggersArgs) -> Result<i32> {
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::Triggers(crate::model::triggers::TriggersRequest { year: args.year.clone(), level: args.level.into() });
    let Answer::Triggers(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to a triggers query") };
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&to_json(&g))? + "\n",
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => format!("{}\n\n{}\n{}", g.heading, month_strips(&g), tables_text(&g.tables, &g.disclosure)),
    };
    emit(&out);
    Ok(0)
}

/// Shown figure of a published derived cell.
fn figure(c: Option<&Cell>) -> Option<f64> {
    match c {
        Some(Cell::Derived(d)) if d.value.is_finite() => Some(d.value),
        _ => None,
    }
}

const BARS: [char; 8] = ['_', '.', ':', '-', '=', '+', '*', '#'];

/// Per service, the twelve months as two strips of ASCII bars (new HRIs, comparison) on one
/// scale, so the rise before becoming an HRI shows at a glance; `?` where a month is withheld.
fn month_strips(g: &Gated<TriggerFigures>) -> String {
    let (Some(n), Some(c)) = (g.table("triggers_new_hri_by_month"), g.table("triggers_comparison_by_month")) else { return String::new() };
    let months = (n.columns.len() - 2) / 2;
    let mut out = String::from("Per person, April to March of the year before (new HRIs / comparison, one scale per service):\n");
    for r in 0..n.rows.len() {
        let name = n.get(at(r, 0)).map(|c| c.render()).unwrap_or_default();
        let vals = |t: &crate::analysis::disclosure::Table| (0..months).map(|i| figure(t.get(at(r, 2 + 2 * i)))).collect::<Vec<_>>();
        let (a, b) = (vals(n), vals(c));
        let top = a.iter().chain(b.iter()).flatten().fold(0.0f64, |m, v| m.max(*v));
        if top <= 0.0 {
            continue;
        }
        let strip = |v: &[Option<f64>]| -> String {
            v.iter().map(|x| x.map(|x| BARS[((x / top) * (BARS.len() - 1) as f64).round() as usize]).unwrap_or('?')).collect()
        };
        out.push_str(&format!("  {name:<20} {} / {}\n", strip(&a), strip(&b)));
    }
    out
}

/// `new_hri_people`, `comparison_people`, `measures` (one per service) and `by_month`, from the
/// published tables; withheld figures are "*".
pub fn to_json(g: &Gated<TriggerFigures>) -> Value {
    let group = |row: usize| cell_json(g.cell("trigger_groups", row, 1));
    let mut measures = Vec::new();
    if let Some(t) = g.table("triggers") {
        for r in 0..t.rows.len() {
            measures.push(json!({
                "service": t.get(at(r, 0)).map(|c| c.render()).unwrap_or_default(),
                "new_hri_events": cell_json(t.get(at(r, 1))),
                "new_hri_per_person": cell_json(t.get(at(r, 2))),
                "comparison_events": cell_json(t.get(at(r, 3))),
                "comparison_per_person": cell_json(t.get(at(r, 4))),
                "ratio": cell_json(t.get(at(r, crate::ops::trigger_tables::RATIO_COL))),
            }));
        }
    }
    let mut by_month = Vec::new();
    if let (Some(n), Some(c)) = (g.table("triggers_new_hri_by_month"), g.table("triggers_comparison_by_month")) {
        let months = (n.columns.len() - 2) / 2;
        for r in 0..n.rows.len() {
            for i in 0..months {
                let (np, cp) = (figure(n.get(at(r, 2 + 2 * i))), figure(c.get(at(r, 2 + 2 * i))));
                // the ratio of two published figures; withheld with either
                let ratio = match (np, cp) {
                    (Some(a), Some(b)) if b > 0.0 => json!((a / b * 100.0).round() / 100.0),
                    (Some(_), Some(_)) => Value::Null,
                    _ => json!("*"),
                };
                by_month.push(json!({
                    "service": n.get(at(r, 0)).map(|c| c.render()).unwrap_or_default(),
                    "month": n.columns[1 + 2 * i],
                    "new_hri_events": cell_json(n.get(at(r, 1 + 2 * i))),
                    "new_hri_per_person": cell_json(n.get(at(r, 2 + 2 * i))),
                    "comparison_events": cell_json(c.get(at(r, 1 + 2 * i))),
                    "comparison_per_person": cell_json(c.get(at(r, 2 + 2 * i))),
                    "ratio": ratio,
                }));
            }
        }
    }
    json!({
        "heading": g.heading,
        "new_hri_people": group(0),
        "matched_new_hri_people": group(1),
        "unmatched_new_hri_people": group(2),
        "comparison_people": group(3),
        "measures": measures,
        "by_month": by_month,
        "disclosure": g.disclosure,
        "tables": tables_json(&g.tables),
    })
}
