//! Benchmarks of the services and change-over-time views (issues 14 and 15): the delays view
//! for the whole population of the latest year (against hand-written SQL over the raw episode
//! file), and a monthly control chart of emergency admissions for the largest council, alone
//! and as small multiples by its localities, and the resource cube by one dimension (against
//! hand-written SQL grouping `person_year`) and by GP practice x age band, each through the
//! operations layer (gate included).
use super::edits::episode_table;
use super::report::{Figure, Report, Target};
use super::stats::time_ms;
use crate::model::cube::{CubeMeasure, CubeRate, CubeRequest, Standard};
use crate::model::delays::{DelayBy, DelaysRequest};
use crate::model::dimension::Dimension;
use crate::model::series::{Area, Dim, Measure, SeriesRequest};
use anyhow::{anyhow, Result};
use duckdb::Connection;
use std::path::Path;

const RUNS: usize = 5;

/// The resource cube: health cost per person by council (beside hand-written SQL of the same
/// groups over `person_year`), and emergency admissions per 1,000 by GP practice x age band.
fn cube(conn: &Connection, ctx: &crate::ops::Context, year: &str, rep: &mut Report) -> Result<()> {
    let ask = |measure, rows, cols, rate| {
        crate::ops::Query::Cube(CubeRequest { spec: None, year: Some(year.to_string()), measure, rows, cols, rate, standard: Standard::Esp2013, top: None })
    };
    let one = ask(CubeMeasure::HealthCost, Dimension::Council, None, CubeRate::PerPerson);
    let baseline = "SELECT lca, count(*), sum(health_net_cost) FROM person_year WHERE year = ? GROUP BY ROLLUP (lca)";
    let (mut lib, mut base) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (ms, r) = time_ms(|| run_ops(ctx, &one));
        r?;
        lib.push(ms);
        let (bms, r) = time_ms(|| -> Result<()> {
            let mut st = conn.prepare(baseline)?;
            let mut rows = st.query([year])?;
            while rows.next()?.is_some() {}
            Ok(())
        });
        r?;
        base.push(bms);
    }
    rep.push(Figure::samples(
        &format!("cube: health cost per person by council ({year}, everyone)"),
        &lib,
        Some(("hand-written SQL grouping person_year", &base)),
        Target::P95MaxMs(300.0),
    ));
    let two = ask(CubeMeasure::EmergencyAdmissions, Dimension::GpPractice, Some(Dimension::AgeBand), CubeRate::Per1000);
    let mut lib = Vec::new();
    for _ in 0..RUNS {
        let (ms, r) = time_ms(|| run_ops(ctx, &two));
        r?;
        lib.push(ms);
    }
    rep.push(Figure::samples(&format!("cube: emergency admissions per 1,000 by GP practice x age band ({year})"), &lib, None, Target::P95MaxMs(1000.0)));
    Ok(())
}

/// Hand-written: the year's DD rows of the raw episode file by primary reason.
fn baseline_delays_sql(year: &str) -> String {
    format!(
        "SELECT primary_delay_reason, count(DISTINCT anon_chi), count(*), sum(yearstay), sum(CASE WHEN primary_delay_reason = '9' THEN yearstay END)
         FROM {} WHERE recid = 'DD' GROUP BY 1",
        episode_table("raw", year)
    )
}

fn run_ops(ctx: &crate::ops::Context, q: &crate::ops::Query) -> Result<()> {
    crate::ops::run(q, ctx).map(|_| ()).map_err(|e| anyhow!("{e}"))
}

/// Add the delays and control chart figures to `rep` (the raw tables are attached as `raw`).
pub fn measure(conn: &Connection, ws_path: &Path, rep: &mut Report) -> Result<()> {
    let loaded = crate::store::cohort::available_years(conn)?;
    let Some(year) = loaded.last().cloned() else { return Ok(()) };
    let ctx = crate::ops::Context::new(conn.try_clone()?, ws_path, crate::ops::Audience::Screen);

    let delays = crate::ops::Query::Delays(DelaysRequest { spec: None, year: Some(year.clone()), by: DelayBy::ReasonGroup });
    let (mut lib, mut base) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (ms, r) = time_ms(|| run_ops(&ctx, &delays));
        r?;
        lib.push(ms);
        let (bms, r) = time_ms(|| -> Result<()> {
            let mut st = conn.prepare(&baseline_delays_sql(&year))?;
            let mut rows = st.query([])?;
            while rows.next()?.is_some() {}
            Ok(())
        });
        r?;
        base.push(bms);
    }
    rep.push(Figure::samples(
        &format!("delays view by reason group ({year}, everyone)"),
        &lib,
        Some(("hand-written SQL on the raw episode file", &base)),
        Target::P95MaxMs(300.0),
    ));

    cube(conn, &ctx, &year, rep)?;

    // the council with the most people in the latest year
    let lca: Option<String> = conn
        .prepare("SELECT lca FROM person_year WHERE year = ? AND lca IS NOT NULL GROUP BY lca ORDER BY count(*) DESC, lca LIMIT 1")?
        .query_row([&year], |r| r.get(0))
        .ok();
    let Some(lca) = lca else { return Ok(()) };
    let name = crate::model::geography::council_by_lca(&lca).map(|c| c.name.clone()).unwrap_or_else(|| lca.clone());
    for (by, what, target) in [(None, "one council", 300.0), (Some(Dim::Locality), "small multiples by its localities", 1000.0)] {
        let q = crate::ops::Query::Spc(SeriesRequest {
            measure: Measure::EmergencyAdmissions,
            area: Area { dim: Some(Dim::Council), value: lca.clone() },
            by,
            weekly: false,
            from: None,
            change: Vec::new(),
            spec: None,
        });
        let mut lib = Vec::new();
        for _ in 0..RUNS {
            let (ms, r) = time_ms(|| run_ops(&ctx, &q));
            r?;
            lib.push(ms);
        }
        rep.push(Figure::samples(
            &format!("monthly emergency admissions + control chart, {what} ({name})"),
            &lib,
            None,
            Target::P95MaxMs(target),
        ));
    }
    Ok(())
}
