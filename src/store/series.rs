//! The SQL behind monthly and weekly series (definitions in `model::series`): one grouped query
//! per series request. Every value from the request is a bound parameter; the only text spliced
//! is our own (the measure's rows and the dimension's column, from the fixed lists below).
use crate::model::series::{Dim, GroupSeries, Measure, SeriesFigures, SeriesPoint, SeriesRequest, NO_DENOMINATOR};
use crate::model::year::FinYear;
use crate::store::cohort::sql::{age_band_sql, build, text, Frag};
use crate::store::derive::common_sql::INPATIENT;
use crate::store::sql::{fy_end, fy_start};
use anyhow::{bail, Context, Result};
use duckdb::Connection;
use std::collections::{BTreeSet, HashMap};

/// One period: label (`YYYY-MM`, or the Monday `YYYY-MM-DD`), first day, the day after its
/// last, and the financial year its first day is in (whose person-year places the person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub start: String,
    pub end: String,
    pub fy: String,
}

/// The FY code of an ISO date (`2020-03-31` -> `1920`).
fn fy_of(iso: &str) -> Option<String> {
    let y: i32 = iso.get(0..4)?.parse().ok()?;
    let m: u32 = iso.get(5..7)?.parse().ok()?;
    Some(FinYear { start: if m >= 4 { y } else { y - 1 } }.code())
}

/// The periods of the loaded years: their calendar months, or the whole Monday-to-Sunday weeks
/// inside them.
pub fn periods(conn: &Connection, weekly: bool, loaded: &[String]) -> Result<Vec<Period>> {
    let mut years: Vec<FinYear> = loaded.iter().filter_map(|y| FinYear::parse(y)).collect();
    years.sort();
    years.dedup();
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        bail!("the workspace has no financial years loaded (run `carepath load` first)")
    };
    let codes: BTreeSet<String> = years.iter().map(|y| y.code()).collect();
    if !weekly {
        let mut out = Vec::new();
        for y in &years {
            for m in y.months() {
                let (yy, mm): (i32, u32) = (m[0..4].parse()?, m[5..7].parse()?);
                let end = if mm == 12 { format!("{}-01-01", yy + 1) } else { format!("{yy}-{:02}-01", mm + 1) };
                out.push(Period { start: format!("{m}-01"), label: m, end, fy: y.code() });
            }
        }
        return Ok(out);
    }
    let mut st = conn.prepare(
        "SELECT strftime(w, '%Y-%m-%d'), strftime(w + INTERVAL 6 DAY, '%Y-%m-%d'), strftime(w + INTERVAL 7 DAY, '%Y-%m-%d')
         FROM generate_series(CAST(date_trunc('week', CAST(? AS DATE)) AS TIMESTAMP), CAST(CAST(? AS DATE) AS TIMESTAMP), INTERVAL 7 DAY) t(w)
         ORDER BY w",
    )?;
    let mut rows = st.query(duckdb::params![first.bounds().0, last.bounds().1])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (start, sunday, end): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (Some(a), Some(b)) = (fy_of(&start), fy_of(&sunday)) else { continue };
        if start.as_str() >= first.bounds().0.as_str() && codes.contains(&a) && codes.contains(&b) {
            out.push(Period { label: start.clone(), start, end, fy: a });
        }
    }
    Ok(out)
}

/// The person-year column of a dimension (our own text, never the user's).
pub(crate) fn column(d: Dim) -> String {
    match d {
        Dim::Council => "py.lca".into(),
        Dim::Board => "py.hb2019".into(),
        Dim::Hscp => "py.hscp2019".into(),
        Dim::Locality => "py.locality".into(),
        Dim::SimdQuintile => "CAST(py.simd_quintile AS VARCHAR)".into(),
        Dim::Sex => "py.sex".into(),
        Dim::AgeBand => age_band_sql("py.age"),
    }
}

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

/// The measure's rows: person, year of the row, and the half-open span of days `[a, b)` it
/// counts on (one day for a dated event).
pub(crate) fn rows_sql(m: Measure) -> String {
    let (fs, fe) = (fy_start("year"), fy_end("year"));
    let stay = "CASE WHEN cij_marker IS NOT NULL THEN 'c' || CAST(cij_marker AS VARCHAR) ELSE 'e' || CAST(event_id AS VARCHAR) END";
    let day = |d: &str| format!("{d} AS a, CAST({d} + INTERVAL 1 DAY AS DATE) AS b");
    match m {
        Measure::EmergencyAdmissions | Measure::PpaAdmissions => {
            let flag = if m == Measure::EmergencyAdmissions { "emergency" } else { "ppa" };
            format!(
                "SELECT anon_chi, year, {} FROM (
                   SELECT anon_chi, year, min(start_date) AS d FROM event
                   WHERE anon_chi IS NOT NULL AND recid IN {INPATIENT} AND start_date IS NOT NULL
                   GROUP BY anon_chi, year, {stay} HAVING bool_or({flag}))",
                day("d")
            )
        }
        Measure::AeAttendances => {
            format!("SELECT anon_chi, year, {} FROM event WHERE anon_chi IS NOT NULL AND recid = 'AE2' AND start_date IS NOT NULL", day("start_date"))
        }
        Measure::CareHomeAdmissions => format!(
            "SELECT anon_chi, min(year) AS year, {} FROM event WHERE anon_chi IS NOT NULL AND recid = 'CH' AND start_date IS NOT NULL
             GROUP BY anon_chi, start_date",
            day("start_date")
        ),
        Measure::EmergencyBedDays => format!(
            "SELECT anon_chi, year, greatest(start_date, {fs}) AS a,
                    least(coalesce(end_date, CAST({fe} + INTERVAL 1 DAY AS DATE)), CAST({fe} + INTERVAL 1 DAY AS DATE)) AS b
             FROM event WHERE anon_chi IS NOT NULL AND recid IN {INPATIENT} AND emergency AND coalesce(ipdc, 'I') <> 'D' AND start_date IS NOT NULL"
        ),
        Measure::DdBedDays => format!(
            "SELECT anon_chi, year, greatest(CAST(start_date + INTERVAL 1 DAY AS DATE), {fs}) AS a,
                    CAST(least(coalesce(end_date, {fe}), {fe}) + INTERVAL 1 DAY AS DATE) AS b
             FROM event WHERE anon_chi IS NOT NULL AND recid = 'DD' AND start_date IS NOT NULL"
        ),
        Measure::CareHomeResidents => format!(
            "SELECT anon_chi, year, greatest(start_date, {fs}) AS a,
                    least(coalesce(end_date, CAST({fe} + INTERVAL 1 DAY AS DATE)), CAST({fe} + INTERVAL 1 DAY AS DATE)) AS b
             FROM event WHERE anon_chi IS NOT NULL AND recid = 'CH' AND start_date IS NOT NULL"
        ),
    }
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

/// `periods(label, ps, pe, fy) AS (VALUES ...` (the closing parenthesis is the caller's).
pub(crate) fn periods_cte(q: &mut Frag, periods: &[Period]) {
    q.push("periods(label, ps, pe, fy) AS (VALUES ");
    for (i, p) in periods.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        q.bind(text(&p.label)).push(", CAST(").bind(text(&p.start)).push(" AS DATE), CAST(").bind(text(&p.end)).push(" AS DATE), ").bind(text(&p.fy)).push(")");
    }
    if periods.is_empty() {
        q.push("(NULL, NULL, NULL, NULL)");
    }
}

/// What one row of the measure adds to a period `p`: its days inside it, or 1.
pub(crate) fn value_sql(m: Measure) -> &'static str {
    if m.is_bed_days() {
        "date_diff('day', greatest(x.a, p.ps), least(x.b, p.pe))"
    } else {
        "1"
    }
}

/// A period's value of a group: distinct residents for care home residents, else the sum.
pub(crate) fn aggregate_sql(m: Measure) -> &'static str {
    if m == Measure::CareHomeResidents {
        "count(DISTINCT anon_chi)"
    } else {
        "CAST(sum(v) AS BIGINT)"
    }
}

/// (group, period label) -> (people, value).
pub(crate) type Got = HashMap<(String, String), (u64, u64)>;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fy_of_dates() {
        assert_eq!(fy_of("2020-03-31").as_deref(), Some("1920"));
        assert_eq!(fy_of("2020-04-01").as_deref(), Some("2021"));
        assert_eq!(fy_of("bad"), None);
    }
}
