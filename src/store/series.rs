//! The SQL behind monthly and weekly series (definitions in `model::series`): one grouped query
//! per series request. Every value from the request is a bound parameter; the only text spliced
//! is our own (the measure's rows and the dimension's column, from the fixed lists in
//! `series_sql`). Without a cohort the load's stored copy answers (`series_store`).
use crate::model::series::{Dim, GroupSeries, SeriesFigures, SeriesPoint, SeriesRequest, NO_DENOMINATOR};
use crate::store::cohort::sql::{build, text, Frag};
use crate::store::series_sql::{aggregate_sql, column, periods_cte, rows_sql, value_sql, Got};
pub use crate::store::series_sql::{periods, Period};
use anyhow::{bail, Context, Result};
use duckdb::Connection;
use std::collections::BTreeSet;

/// `col = ?` for the area (localities compared without case), or nothing for Scotland.
fn area_condition(req: &SeriesRequest) -> Frag {
    let mut f = Frag::new();
    if let Some(d) = req.area.dim {
        if d == Dim::Locality {
            f.push(&format!(" AND lower({}) = lower(", column(d)));
            f.bind(text(&req.area.value));
            f.push(")");
        } else {
            f.push(&format!(" AND {} = ", column(d)));
            f.bind(text(&req.area.value));
        }
    }
    f
}

/// The area must name someone: a clear message (with the localities there are) otherwise.
fn check_area(conn: &Connection, req: &SeriesRequest, loaded: &[String]) -> Result<()> {
    let Some(d) = req.area.dim else { return Ok(()) };
    let mut q = Frag::text("SELECT count(*) FROM person_year py WHERE py.year IN ");
    q.bind_list(loaded.iter().map(|y| text(y)));
    q.append(&area_condition(req));
    let n: i64 = conn.prepare(&q.sql)?.query_row(duckdb::params_from_iter(q.params.iter()), |r| r.get(0))?;
    if n > 0 {
        return Ok(());
    }
    let mut known = String::new();
    if d == Dim::Locality {
        let mut st = conn.prepare("SELECT DISTINCT locality FROM person_year WHERE locality IS NOT NULL ORDER BY 1 LIMIT 30")?;
        let names: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        known = if names.is_empty() {
            "; this workspace has no localities (its extracts carry no `locality` column)".into()
        } else {
            format!("; localities in this workspace: {}", names.join(", "))
        };
    }
    bail!(
        "--area {}={}: no one in this workspace lives there in the loaded years{known}. Check the spelling, or pick another area (carepath spc --help)",
        d.code(),
        crate::format::strip_controls(&d.label_of(&req.area.value))
    )
}

/// The series of a request over `periods` (already cut to `--from`), one per group of `--by`
/// (every group with a person-year in the area, zeros included) or one, `all`.
/// Without a cohort, series are read from the counts the load stored
/// (`series_store`) when they answer the request.
pub fn series(conn: &Connection, req: &SeriesRequest, periods: &[Period], loaded: &[String]) -> Result<SeriesFigures> {
    if let Some((got, names)) = crate::store::series_store::read(conn, req, periods, loaded)? {
        return Ok(figures(req, periods, got, names));
    }
    series_fresh(conn, req, periods, loaded)
}

/// [`series`] computed now from `event` and `person_year`.
pub fn series_fresh(conn: &Connection, req: &SeriesRequest, periods: &[Period], loaded: &[String]) -> Result<SeriesFigures> {
    check_area(conn, req, loaded)?;
    let grp = match req.by {
        Some(d) => format!("coalesce(CAST({} AS VARCHAR), 'Unknown')", column(d)),
        None => "'all'".into(),
    };
    let mut q = match &req.spec {
        Some(spec) => {
            let c = build(conn, spec, false).context("could not build the cohort")?;
            let mut f = c.ctes;
            f.push(", ");
            f
        }
        None => Frag::text("WITH "),
    };
    periods_cte(&mut q, periods);
    let v = value_sql(req.measure);
    // the area's people first (anyone resident there in a loaded year): the events of the rest
    // of Scotland never reach the join with the periods and person-years
    q.push(")");
    let within = if req.area.dim.is_some() {
        q.push(", area_people AS (SELECT DISTINCT py.anon_chi FROM person_year py WHERE py.year IN ");
        q.bind_list(loaded.iter().map(|y| text(y)));
        q.append(&area_condition(req));
        q.push(")");
        " WHERE anon_chi IN (SELECT anon_chi FROM area_people)"
    } else {
        ""
    };
    q.push(&format!(
        ", x AS (SELECT * FROM ({rows}) r{within}),
         sel AS (SELECT x.anon_chi, p.label, {v} AS v, {grp} AS grp
                 FROM x JOIN periods p ON p.ps < x.b AND p.pe > x.a
                 JOIN person_year py ON py.anon_chi = x.anon_chi AND py.year = p.fy
                 WHERE x.a < x.b",
        rows = rows_sql(req.measure)
    ));
    q.append(&area_condition(req));
    if req.spec.is_some() {
        q.push(" AND x.anon_chi IN (SELECT anon_chi FROM cohort WHERE in_cohort AND anon_chi IS NOT NULL)");
    }
    let value = aggregate_sql(req.measure);
    q.push(&format!(") SELECT grp, label, count(DISTINCT anon_chi), {value} FROM sel GROUP BY grp, label"));

    let mut got = Got::new();
    {
        let mut st = conn.prepare(&q.sql).context("could not build the series query")?;
        let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
        while let Some(r) = rows.next()? {
            let (g, l): (String, String) = (r.get(0)?, r.get(1)?);
            got.insert((g, l), (r.get::<_, i64>(2)?.max(0) as u64, r.get::<_, Option<i64>>(3)?.unwrap_or(0).max(0) as u64));
        }
    }
    let names = match req.by {
        Some(_) => {
            let mut g = Frag::text(&format!("SELECT DISTINCT {grp} FROM person_year py WHERE py.year IN "));
            g.bind_list(loaded.iter().map(|y| text(y)));
            g.append(&area_condition(req));
            let mut st = conn.prepare(&g.sql)?;
            st.query_map(duckdb::params_from_iter(g.params.iter()), |r| r.get(0))?.collect::<Result<_, _>>()?
        }
        None => Vec::new(),
    };
    Ok(figures(req, periods, got, names))
}

/// The figures from the counts and the groups the area has (every value of the dimension in
/// its person-years; any group with data is added).
fn figures(req: &SeriesRequest, periods: &[Period], got: Got, names: Vec<String>) -> SeriesFigures {
    let mut keys: BTreeSet<String> = got.keys().map(|(g, _)| g.clone()).collect();
    match req.by {
        Some(_) => keys.extend(names),
        None => {
            keys.insert("all".into());
        }
    }
    let groups = keys
        .into_iter()
        .map(|k| GroupSeries {
            label: match req.by {
                Some(d) if k != "Unknown" => d.label_of(&k),
                _ => k.clone(),
            },
            points: periods
                .iter()
                .map(|p| {
                    let (people, value) = got.get(&(k.clone(), p.label.clone())).copied().unwrap_or((0, 0));
                    SeriesPoint { period: p.label.clone(), people, value }
                })
                .collect(),
            key: k,
        })
        .collect();
    SeriesFigures {
        measure: req.measure.code(),
        measure_label: req.measure.label(),
        bed_days: req.measure.is_bed_days(),
        area: req.area.label(),
        by: req.by.map(|d| d.code()),
        weekly: req.weekly,
        periods: periods.iter().map(|p| p.label.clone()).collect(),
        groups,
        denominator_note: NO_DENOMINATOR.to_string(),
    }
}
