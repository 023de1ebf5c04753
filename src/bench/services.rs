//! Benchmarks of the services and change-over-time views (issues 14 and 15): the delays view
//! for the whole population of the latest year (against hand-written SQL over the raw episode
//! file), and a monthly control chart of emergency admissions for the largest council, alone
//! and as small multiples by its localities, and the resource cube by one dimension (against
//! hand-written SQL grouping `person_year`) and by GP practice x age band, each through the
//! operations layer (gate included); and a projection to 2035 for every council from a
//! population file in the NRS layout that the bench writes (made-up numbers, deleted
//! afterwards), file reading included.
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
        &format!("delays view by reason group ({year}, everyone; {})", if crate::store::stamps::current(conn, crate::store::services::delays::DD_TABLE) { "DD rows stored at load" } else { "NOT stored: from event" }),
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
    let stored = if crate::store::stamps::current(conn, crate::store::series_store::NAME) { "counts stored at load" } else { "NOT stored: computed" };
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
            &format!("monthly emergency admissions + control chart, {what} ({name}; {stored})"),
            &lib,
            None,
            Target::P95MaxMs(target),
        ));
    }
    measure_projection(&ctx, &year, rep)
}

/// A population file in the NRS open-data layout for every council, one row per year, council
/// and sex from `from` to `to`: made-up numbers (the bench times the work, not the answer).
fn write_population(path: &Path, from: i32, to: i32) -> Result<()> {
    use std::fmt::Write as _;
    let mut s = String::from("Year,CA,CAQF,Sex,SexQF,AllAges");
    for a in 0..90 {
        let _ = write!(s, ",Age{a}");
    }
    s.push_str(",Age90plus\n");
    for y in from..=to {
        for (ci, c) in crate::model::geography::councils().iter().enumerate() {
            for (si, sex) in ["Male", "Female"].iter().enumerate() {
                let _ = write!(s, "{y},{},,{sex},,0", c.ca2019);
                for a in 0..=90u32 {
                    let _ = write!(s, ",{}", 500 + (a * 7 + ci as u32 * 13 + si as u32 * 5) % 300 + (y - from) as u32);
                }
                s.push('\n');
            }
        }
    }
    std::fs::write(path, s)?;
    Ok(())
}

fn measure_projection(ctx: &crate::ops::Context, year: &str, rep: &mut Report) -> Result<()> {
    let Some(fy) = crate::model::year::FinYear::parse(year) else { return Ok(()) };
    let to = crate::model::projection::DEFAULT_TO.max(fy.start + 1);
    let path = std::env::temp_dir().join(format!("carepath-bench-population-{}.csv", std::process::id()));
    write_population(&path, fy.start, to)?;
    let q = crate::ops::Query::Project(crate::model::projection::ProjectionRequest {
        population: path.clone(),
        base_year: year.to_string(),
        to,
        level: crate::model::projection::AreaLevel::Council,
        scenario: None,
        occupancy: crate::model::projection::DEFAULT_OCCUPANCY,
    });
    let mut lib = Vec::new();
    let mut failed = None;
    for _ in 0..RUNS {
        let (ms, r) = time_ms(|| run_ops(ctx, &q));
        if let Err(e) = r {
            failed = Some(e);
            break;
        }
        lib.push(ms);
    }
    let _ = std::fs::remove_file(&path);
    if let Some(e) = failed {
        return Err(e);
    }
    rep.push(Figure::samples(
        &format!("projection to {to} from {} rates, every council (population file read included)", fy.label()),
        &lib,
        None,
        Target::P95MaxMs(2000.0),
    ));
    Ok(())
}
