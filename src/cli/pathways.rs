//! `carepath pathways`: the pathways of a cohort's people after (and before) an index event, as
//! a tree of step sequences with people, share and median days to each step, through the
//! disclosure gate unless `--no-sdc` (every number printed comes from the published tables);
//! `--members NODE` pages a node's people (audited). The index flags are shared with `time-to`.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, tables_csv, tables_json, tables_text, Format, TextTable};
use super::spec_flags::{spec_from_flags, CohortFlags, HriLevelArg};
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::{at, Cell, Table};
use crate::model::cohort::CohortSpec;
use crate::model::pathways::{EventSpec, IndexKind, PathwayMembersPage, PathwayRequest, StepLevel};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Args, Clone)]
pub struct IndexArgs {
    /// The index event: the first one in the window per person
    #[arg(long, value_enum)]
    pub index: IndexKind,
    /// ICD-10 prefix (--index diagnosis, e.g. J44), record type (--index service, e.g. 00B) or
    /// long-term condition (--index ltc, e.g. copd, dementia: the codes of assets/ltc.csv)
    #[arg(long)]
    pub code: Option<String>,
    /// Diagnosis in the main position only (default: any of the six)
    #[arg(long)]
    pub main_only: bool,
    /// Level of the HRI flag for --index hri
    #[arg(long, value_enum, default_value_t = HriLevelArg::Scotland)]
    pub hri_level: HriLevelArg,
}

impl IndexArgs {
    pub(super) fn event(&self) -> EventSpec {
        EventSpec { kind: self.index, code: self.code.clone(), main_only: self.main_only, hri_level: self.hri_level.into() }
    }
}

#[derive(Debug, Args)]
pub struct PathwaysArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    #[command(flatten)]
    pub cohort: CohortFlags,
    #[command(flatten)]
    pub index: IndexArgs,
    /// Steps within this many days after the index
    #[arg(long)]
    pub after_days: u32,
    /// Also the pathways leading to the index, over this many days before it
    #[arg(long)]
    pub before_days: Option<u32>,
    /// Steps per pathway (1 to 5)
    #[arg(long, default_value_t = 3)]
    pub depth: u8,
    /// Steps as the service groups, or one per record type
    #[arg(long, value_enum, default_value_t = StepLevel::Grouped)]
    pub steps: StepLevel,
    /// At most this many nodes per tree (most common first)
    #[arg(long, default_value_t = 200)]
    pub max_paths: usize,
    /// List the people of this node instead ("A&E>Emergency admission"; "" = everyone indexed),
    /// with their pathways on days from the index (person numbers; audited)
    #[arg(long)]
    pub members: Option<String>,
    /// With --members: the node of the tree before the index
    #[arg(long)]
    pub members_before: bool,
    /// With --members: people per page
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// With --members: people to skip
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

/// The cohort of the flags, or None when they name none (everyone, every loaded year).
pub(super) fn cohort(flags: &CohortFlags) -> Result<Option<CohortSpec>> {
    let spec = spec_from_flags(flags)?;
    Ok(if flags.spec.is_none() && spec.filters.is_empty() && spec.years.is_empty() { None } else { Some(spec) })
}

/// The cohort and year of a one-year view (`delays`, `unscheduled`): one `--year` at most; a
/// spec with only a year is the whole population of that year (no cohort to build).
pub(super) fn one_year_cohort(flags: &CohortFlags, what: &str) -> Result<(Option<CohortSpec>, Option<String>)> {
    if flags.year.len() > 1 {
        anyhow::bail!("{what} is for one financial year: give one --year (e.g. --year 2021)");
    }
    Ok(match cohort(flags)? {
        Some(s) if s.filters.is_empty() && flags.spec.is_none() => (None, s.years.last().cloned()),
        other => (other, flags.year.last().cloned()),
    })
}

pub fn run(args: &PathwaysArgs) -> Result<i32> {
    let spec = cohort(&args.cohort)?;
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let req = PathwayRequest {
        spec,
        index: args.index.event(),
        after_days: args.after_days,
        before_days: args.before_days,
        depth: args.depth,
        steps: args.steps,
        max_nodes: args.max_paths,
    };
    if let Some(node) = &args.members {
        let node: Vec<String> = node.split('>').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let q = Query::PathwayMembers { request: req, before: args.members_before, node, offset: args.offset, limit: args.limit };
        let Answer::PathwayMembers(p) = ops::run(&q, &ctx)? else { bail!("unexpected answer to a pathway members query") };
        emit(&render_members(&p, args.format)?);
        return Ok(0);
    }
    let Answer::Pathways(g) = ops::run(&Query::Pathways(req), &ctx)? else { bail!("unexpected answer to a pathways query") };
    let out = match args.format {
        Format::Json => {
            let mut v = json!({
                "heading": g.heading,
                "index": args.index.event().label(),
                "after_days": args.after_days,
                "before_days": args.before_days,
                "depth": args.depth,
                "people": g.table("index").map(|t| cell_json(t.get(at(0, 1)))).unwrap_or(Value::Null),
                "full_follow_up": g.table("index").map(|t| cell_json(t.get(at(1, 1)))).unwrap_or(Value::Null),
                "paths": g.table("pathways_after").map(paths_json).unwrap_or_default(),
                "disclosure": g.disclosure,
                "tables": tables_json(&g.tables),
            });
            if let Some(b) = g.table("pathways_before") {
                v["paths_before"] = paths_json(b);
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => format!("{}\n\n{}", g.heading, tables_text(&g.tables, &g.disclosure)),
    };
    emit(&out);
    Ok(0)
}

/// A page of a node's people: person number, then each step with its day (the aligned strip).
fn render_members(p: &PathwayMembersPage, format: Format) -> Result<String> {
    let depth = p.rows.iter().map(|r| r.steps.len()).max().unwrap_or(0);
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(p)? + "\n",
        Format::Csv => {
            let mut head = vec!["person".to_string()];
            for k in 1..=depth {
                head.extend([format!("step_{k}"), format!("days_{k}")]);
            }
            let mut s = crate::format::csv_line(head) + "\n";
            for r in &p.rows {
                let mut cells = vec![r.id.clone()];
                for (name, d) in &r.steps {
                    cells.extend([name.clone(), d.to_string()]);
                }
                s.push_str(&crate::format::csv_line(cells));
                s.push('\n');
            }
            s
        }
        Format::Table => {
            let mut head = vec!["person".to_string()];
            head.extend((1..=depth).map(|k| format!("step {k} (day)")));
            let refs: Vec<&str> = head.iter().map(String::as_str).collect();
            let mut t = TextTable::new(&refs);
            for r in &p.rows {
                let mut cells = vec![r.id.clone()];
                cells.extend(r.steps.iter().map(|(n, d)| format!("{n} ({d})")));
                t.row(cells);
            }
            let node = if p.node.is_empty() { "everyone indexed".to_string() } else { p.node.join(" > ") };
            format!(
                "People of {node} ({} the index): {}-{} of {}\n{}",
                if p.before { "before" } else { "after" },
                p.offset + if p.rows.is_empty() { 0 } else { 1 },
                p.offset + p.rows.len() as u64,
                p.total,
                t.render()
            )
        }
    })
}

pub(super) fn col(t: &Table, name: &str) -> Option<usize> {
    t.columns.iter().position(|c| c == name)
}

/// The tree's nodes (not the root row) as `{steps, people, ended_here, pct_of_index, median_days}`.
fn paths_json(t: &Table) -> Value {
    let steps: Vec<usize> = t.columns.iter().enumerate().filter(|(_, c)| c.starts_with("step_")).map(|(i, _)| i).collect();
    let medians: Vec<usize> = t.columns.iter().enumerate().filter(|(_, c)| c.starts_with("median_days_")).map(|(i, _)| i).collect();
    let (Some(p), Some(e), Some(s)) = (col(t, "people"), col(t, "ended_here"), col(t, "pct_of_index")) else { return Value::Array(Vec::new()) };
    let rows = t
        .rows
        .iter()
        .enumerate()
        .skip(1)
        .map(|(r, row)| {
            let names: Vec<String> = steps.iter().filter_map(|&c| match row.get(c) {
                Some(Cell::Text(x)) => Some(x.clone()),
                _ => None,
            }).collect();
            let md: Vec<Value> = medians.iter().take(names.len()).map(|&c| cell_json(t.get(at(r, c)))).collect();
            json!({
                "steps": names,
                "people": cell_json(t.get(at(r, p))),
                "ended_here": cell_json(t.get(at(r, e))),
                "pct_of_index": cell_json(t.get(at(r, s))),
                "median_days": md,
            })
        })
        .collect();
    Value::Array(rows)
}
