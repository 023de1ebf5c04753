//! `carepath cube`: one measure of a year's person-years (people, HRIs, costs, bed days,
//! admissions, A&E, DD bed days, PPAs) by one or two dimensions, as a total, per person, per
//! 1,000 or age-sex-standardised per 1,000, with the share held by the top x% of each cell's
//! people; through the disclosure gate unless `--no-sdc`. Every number printed comes from the
//! published (gated) table.
use super::disclosure_args::DisclosureArgs;
use super::output::{cell_json, emit, tables_csv, tables_json, Format, TextTable};
use super::pathways::{cohort, one_year_cohort};
use super::spec_flags::CohortFlags;
use super::workspace::WorkspaceArg;
use crate::analysis::disclosure::{Cell, Table};
use crate::model::cube::{CubeMeasure, CubeRate, CubeRequest, Standard};
use crate::model::dimension::Dimension;
use crate::ops::cube_tables::{grid, CELL, COLUMNS, COL_TOTAL, GRID_VALUE, ROW_TOTAL, TOTAL};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct CubeArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The people (a spec or inline filters; the year is `--year`, default the latest loaded)
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// What each cell sums over its person-years
    #[arg(long, value_enum, default_value_t = CubeMeasure::HealthCost)]
    pub measure: CubeMeasure,
    /// The rows
    #[arg(long, value_enum)]
    pub rows: Dimension,
    /// The columns (none: one column)
    #[arg(long, value_enum)]
    pub cols: Option<Dimension>,
    /// How a cell's sum is shown
    #[arg(long, value_enum, default_value_t = CubeRate::Total)]
    pub rate: CubeRate,
    /// The standard population of `--rate standardised`
    #[arg(long, value_enum, default_value_t = Standard::Esp2013)]
    pub standard: Standard,
    /// Also the share of each cell's measure held by its top PCT % of people (e.g. 20)
    #[arg(long, value_name = "PCT")]
    pub top: Option<f64>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

pub fn run(args: &CubeArgs) -> Result<i32> {
    if args.cols == Some(args.rows) {
        bail!("--rows and --cols are both {}: pick two different dimensions, or leave --cols out", args.rows.name());
    }
    let by_year = args.rows == Dimension::Year || args.cols == Some(Dimension::Year);
    let (spec, year) = if by_year { (cohort(&args.cohort)?, None) } else { one_year_cohort(&args.cohort, "a cube without a year dimension")? };
    let sdc = args.disclosure.sdc()?;
    let ctx = args.ws.open()?;
    ctx.set_sdc(sdc)?;
    let q = Query::Cube(CubeRequest { spec, year, measure: args.measure, rows: args.rows, cols: args.cols, rate: args.rate, standard: args.standard, top: args.top });
    let Answer::Cube(g) = ops::run(&q, &ctx)? else { bail!("unexpected answer to a cube query") };
    let t = g.table("cube");
    let out = match args.format {
        Format::Json => {
            let part = |p: &str| t.map(|t| rows_json(t, p)).unwrap_or_default();
            let v = json!({
                "heading": g.heading,
                "measure": args.measure,
                "rows": args.rows,
                "cols": args.cols,
                "rate": args.rate,
                "cells": part(CELL),
                "row_totals": part(ROW_TOTAL),
                "col_totals": part(COL_TOTAL),
                "total": part(TOTAL).into_iter().next().unwrap_or(Value::Null),
                "disclosure": g.disclosure,
                "tables": tables_json(&g.tables),
            });
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => {
            let mut s = format!("{}\n\n", g.heading);
            if let Some(t) = t {
                s.push_str(&text_table(t, args));
                s.push('\n');
            }
            s.push_str(&g.disclosure.text);
            s.push('\n');
            s
        }
    };
    emit(&out);
    Ok(0)
}

/// Without columns, one line per row with its people, sum, figure (and top share); with
/// columns, the grid of figures with row and column totals.
fn text_table(t: &Table, args: &CubeArgs) -> String {
    let value = args.rate.label();
    if args.cols.is_some() {
        let gr = grid(t, GRID_VALUE);
        let mut head = vec![format!("{} \\ {} ({value})", args.rows.label(), args.cols.map(|c| c.label()).unwrap_or_default())];
        head.extend(gr.cols.iter().cloned());
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut tt = TextTable::new(&head);
        for (label, cells) in gr.rows.iter().zip(&gr.cells) {
            let mut r = vec![label.clone()];
            r.extend(cells.iter().cloned());
            tt.row(r);
        }
        return tt.render();
    }
    let top = args.top.map(|p| format!("top {p}% share (%)"));
    let mut head = vec![args.rows.label(), "people", args.measure.label(), value];
    if let Some(t) = &top {
        head.push(t);
    }
    let mut tt = TextTable::new(&head);
    for r in &t.rows {
        let mut line: Vec<String> = [1, 3, 4, 5].iter().map(|&i| r.get(i).map(Cell::render).unwrap_or_default()).collect();
        if top.is_some() {
            line.push(r.get(6).map(Cell::render).unwrap_or_default());
        }
        tt.row(line);
    }
    tt.render()
}

/// The published rows of one part as objects: `row`, `col`, `value`, `people`, `sum` and
/// `top_share` when asked (withheld figures "*").
fn rows_json(t: &Table, part: &str) -> Vec<Value> {
    t.rows
        .iter()
        .filter(|r| matches!(r.first(), Some(Cell::Text(p)) if p == part))
        .map(|r| {
            let mut o = serde_json::Map::new();
            for (i, name) in COLUMNS.iter().enumerate().skip(1) {
                let v = cell_json(r.get(i));
                if !(v.is_null() && *name == "top_share") {
                    o.insert((*name).into(), v);
                }
            }
            Value::Object(o)
        })
        .collect()
}
