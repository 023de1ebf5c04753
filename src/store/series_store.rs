//! Monthly and weekly series stored at load (issue 15). Without a cohort, a series of one area
//! is the same for every call, but computing it builds every stay in the area's events and
//! joins the periods (at country scale 5-16 s a call against a 300 ms target). The loader
//! stores, inside its transaction, each measure's people and value per month and per week for
//! Scotland, every council, board, partnership and locality, whole and by locality, with the
//! groups each area has. The
//! rows are those of `series_fresh` (the same measure rows, periods and person-years, grouped
//! by area); other splits and cohorts are computed as before.
use crate::model::series::{Dim, Measure, SeriesRequest};
use crate::store::cohort::sql::{text, Frag};
use crate::store::series_sql::{aggregate_sql, column, periods, periods_cte, rows_sql, value_sql, Got, Period};
use anyhow::Result;
use duckdb::Connection;

pub const NAME: &str = "series_store";
/// The areas stored (None: Scotland) and the splits stored for each.
const AREAS: [Option<Dim>; 5] = [None, Some(Dim::Council), Some(Dim::Board), Some(Dim::Hscp), Some(Dim::Locality)];
const BYS: [Option<Dim>; 2] = [None, Some(Dim::Locality)];

fn dim_code(d: Option<Dim>) -> &'static str {
    d.map(|d| d.code()).unwrap_or("scotland")
}

/// The stored key of a row's area: as `series_fresh` compares it (localities without case).
fn area_sql(d: Option<Dim>) -> String {
    match d {
        None => "''".into(),
        Some(Dim::Locality) => format!("lower({})", column(Dim::Locality)),
        Some(d) => format!("CAST({} AS VARCHAR)", column(d)),
    }
}

/// The group of a row, as `series_fresh` names it.
fn group_sql(by: Option<Dim>) -> String {
    match by {
        Some(d) => format!("coalesce(CAST({} AS VARCHAR), 'Unknown')", column(d)),
        None => "'all'".into(),
    }
}

fn run(conn: &Connection, q: &Frag) -> Result<()> {
    conn.prepare(&q.sql)?.execute(duckdb::params_from_iter(q.params.iter()))?;
    Ok(())
}

/// Compute and store the monthly and weekly series of every measure and stored area; the loader calls
/// this inside its transaction, after `event` and `person_year`.
pub fn store_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TABLE series_store (measure VARCHAR, weekly BOOLEAN, area_dim VARCHAR, area VARCHAR, by_dim VARCHAR, grp VARCHAR,
                                               label VARCHAR, people BIGINT, value BIGINT);
         CREATE OR REPLACE TABLE series_groups (area_dim VARCHAR, area VARCHAR, by_dim VARCHAR, grp VARCHAR);
         CREATE OR REPLACE TABLE series_years (years VARCHAR);",
    )?;
    let loaded = crate::store::cohort::available_years(conn)?;
    if loaded.is_empty() {
        return crate::store::stamps::mark(conn, NAME);
    }
    conn.execute("INSERT INTO series_years VALUES (?)", [loaded.join(",")])?;
    // a measure's rows in each month, with the person-year that places them (as series_fresh)
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE series_sel AS
         SELECT anon_chi, CAST(NULL AS VARCHAR) AS label, CAST(NULL AS BIGINT) AS v, lca, hb2019, hscp2019, locality FROM person_year LIMIT 0",
    )?;
    for (m, weekly) in Measure::ALL.into_iter().flat_map(|m| [(m, false), (m, true)]) {
        if !weekly {
            // the measure's rows once for months and weeks (building them scans `event`)
            conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE series_rows AS {}", rows_sql(m)))?;
        }
        let all = periods(conn, weekly, &loaded)?;
        conn.execute_batch("DELETE FROM series_sel")?;
        let mut q = Frag::text("INSERT INTO series_sel WITH ");
        periods_cte(&mut q, &all);
        q.push(&format!(
            ") SELECT x.anon_chi, p.label, {v}, py.lca, py.hb2019, py.hscp2019, py.locality
             FROM series_rows x JOIN periods p ON p.ps < x.b AND p.pe > x.a
             JOIN person_year py ON py.anon_chi = x.anon_chi AND py.year = p.fy
             WHERE x.a < x.b",
            v = value_sql(m)
        ));
        run(conn, &q)?;
        for area in AREAS {
            for by in BYS {
                let mut q = Frag::text("INSERT INTO series_store SELECT ");
                q.bind(text(m.code())).push(&format!(", {weekly}, ")).bind(text(dim_code(area))).push(&format!(", {}, ", area_sql(area)));
                q.bind(text(dim_code(by)));
                q.push(&format!(", {}, label, count(DISTINCT anon_chi), {} FROM series_sel py GROUP BY ALL", group_sql(by), aggregate_sql(m)));
                run(conn, &q)?;
            }
        }
    }
    conn.execute_batch("DROP TABLE series_sel; DROP TABLE IF EXISTS series_rows")?;
    for area in AREAS {
        for by in BYS {
            let mut q = Frag::text("INSERT INTO series_groups SELECT DISTINCT ");
            q.bind(text(dim_code(area))).push(&format!(", {}, ", area_sql(area))).bind(text(dim_code(by)));
            q.push(&format!(", {} FROM person_year py WHERE py.year IN ", group_sql(by)));
            q.bind_list(loaded.iter().map(|y| text(y)));
            run(conn, &q)?;
        }
    }
    crate::store::stamps::mark(conn, NAME)
}

/// `area = ?` for the request's area, compared as the stored key is.
fn area_is(q: &mut Frag, req: &SeriesRequest) {
    match req.area.dim {
        None => q.push(" AND area = ''"),
        Some(Dim::Locality) => q.push(" AND area = lower(").bind(text(&req.area.value)).push(")"),
        Some(_) => q.push(" AND area = ").bind(text(&req.area.value)),
    };
}

/// The stored counts and groups of a request, or None when the load did not store them (a
/// cohort, another split, an older workspace, other years or periods, an area no one
/// lives in: the caller computes those, and says so of an empty area).
pub fn read(conn: &Connection, req: &SeriesRequest, asked: &[Period], loaded: &[String]) -> Result<Option<(Got, Vec<String>)>> {
    if req.spec.is_some() || !AREAS.contains(&req.area.dim) || !BYS.contains(&req.by) {
        return Ok(None);
    }
    if !crate::store::stamps::current(conn, NAME) {
        return Ok(None);
    }
    let years: Option<String> = conn.query_row("SELECT min(years) FROM series_years", [], |r| r.get(0))?;
    if years.as_deref() != Some(loaded.join(",").as_str()) {
        return Ok(None);
    }
    let all = periods(conn, req.weekly, loaded)?;
    if !asked.iter().all(|p| all.contains(p)) {
        return Ok(None);
    }
    let mut q = Frag::text("SELECT grp FROM series_groups WHERE area_dim = ");
    q.bind(text(dim_code(req.area.dim))).push(" AND by_dim = ").bind(text(dim_code(req.by)));
    area_is(&mut q, req);
    let names: Vec<String> = conn.prepare(&q.sql)?.query_map(duckdb::params_from_iter(q.params.iter()), |r| r.get(0))?.collect::<Result<_, _>>()?;
    if names.is_empty() {
        return Ok(None);
    }
    let mut q = Frag::text("SELECT grp, label, people, value FROM series_store WHERE measure = ");
    q.bind(text(req.measure.code())).push(if req.weekly { " AND weekly" } else { " AND NOT weekly" }).push(" AND area_dim = ").bind(text(dim_code(req.area.dim)));
    q.push(" AND by_dim = ").bind(text(dim_code(req.by)));
    area_is(&mut q, req);
    let labels: std::collections::HashSet<&str> = asked.iter().map(|p| p.label.as_str()).collect();
    let mut got = Got::new();
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    while let Some(r) = rows.next()? {
        let (g, l): (String, String) = (r.get(0)?, r.get(1)?);
        if labels.contains(l.as_str()) {
            let n = |i: usize| -> Result<u64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64) };
            got.insert((g, l), (n(2)?, n(3)?));
        }
    }
    let names = if req.by.is_some() { names } else { Vec::new() };
    Ok(Some((got, names)))
}
