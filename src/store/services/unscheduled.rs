//! The unscheduled care view: for one financial year and a cohort's people (or everyone), the
//! person-years of the year grouped one way (see `model::unscheduled`), with A&E, emergency
//! admission, PPA and readmission figures summed over each group's person-years.
//!
//! Most figures are `person_year`'s own columns (`ae_attendances`, `emergency_admissions`,
//! `ppa_admissions`, `preventable_beddays`), so the view agrees with the cohort builder and the
//! resource figures. Two are computed here from `event`:
//! - **emergency bed days**: per stay of the year's file (a CIJ: person, year, `cij_marker`; an
//!   inpatient episode without a marker is a stay of its own) that is an emergency stay (any of
//!   its inpatient episodes is emergency, as `person_year.emergency_admissions` counts them), the
//!   sum of its inpatient episodes' bed days in the year (`event.beddays`: the file's `yearstay`,
//!   else the nights inside the year).
//! - **emergency readmissions within 28 days**: a stay is an inpatient stay (01B, 02B, 04B, GLS)
//!   of any year loaded, from its admission (the CIJ's `cij_start_date`, else the first episode's
//!   start) to its discharge (`cij_end_date`, else the last episode's end); a stay in two yearly
//!   files with the same dates is one stay. A **readmission** is an emergency stay that starts in
//!   the view's year, 0 to 28 days (inclusive) after the discharge of another stay of the same
//!   person that was admitted on or before it and discharged on or before its admission (of any
//!   kind: emergency, elective or other; in any year loaded). Day 0 is a new stay on
//!   the day of discharge; day 28 counts, day 29 does not. Each readmission counts once however
//!   many earlier stays it follows; a stay still open (no discharge) is no earlier stay. The
//!   figure counts readmissions, not people.
//!
//! Bound parameters only: the year, the repeat threshold and the cohort's values are `?`; the
//! SQL text is ours.
use super::dimension::{key_sql, label, order};
use crate::model::cohort::CohortSpec;
use crate::model::unscheduled::{UnscheduledBy, UnscheduledFigures, UnscheduledRow, READMISSION_DAYS};
use crate::model::year::FinYear;
use crate::store::cohort::sql::{people_ctes, text, Frag};
use crate::store::derive::common_sql::INPATIENT;
use anyhow::{bail, Result};
use duckdb::types::Value;
use duckdb::Connection;

pub fn unscheduled(conn: &Connection, spec: Option<&CohortSpec>, year: &str, by: UnscheduledBy, repeat: u32) -> Result<UnscheduledFigures> {
    let Some(fy) = FinYear::parse(year) else { bail!("{year:?} is not a financial year") };
    if repeat == 0 {
        bail!("--repeat must be at least 1 (people with that many A&E attendances or more in the year)");
    }
    let (fy_from, fy_to) = fy.bounds();
    let mut q = people_ctes(conn, spec)?;
    // the year's person-years of the people, with the split's key
    q.push(&format!(", u_py AS (SELECT p.*, {} AS g FROM person_year p WHERE p.year = ", key_sql(by.dimension())));
    q.bind(text(year)).push(" AND p.anon_chi IN (SELECT anon_chi FROM people))");
    // the year's stays and their bed days
    q.push(&format!(
        ", u_stays_y AS (SELECT anon_chi, bool_or(emergency) AS emergency, sum(beddays) AS beddays FROM event
             WHERE recid IN {INPATIENT} AND year = "
    ));
    q.bind(text(year)).push(
        " AND anon_chi IN (SELECT anon_chi FROM u_py)
           GROUP BY anon_chi, CASE WHEN cij_marker IS NOT NULL THEN 'c' || CAST(cij_marker AS VARCHAR) ELSE 'e' || CAST(event_id AS VARCHAR) END)
         , u_ebd AS (SELECT anon_chi, sum(beddays) AS b FROM u_stays_y WHERE emergency GROUP BY anon_chi)",
    );
    // every stay of the people, in any year loaded, one row per person and dates
    q.push(&format!(
        ", u_stays_all AS (SELECT anon_chi, s, d, bool_or(emergency) AS emergency, row_number() OVER () AS sid FROM (
             SELECT anon_chi, bool_or(emergency) AS emergency,
                    min(coalesce(cij_start_date, start_date)) AS s, max(coalesce(cij_end_date, end_date)) AS d
             FROM event WHERE recid IN {INPATIENT} AND anon_chi IN (SELECT anon_chi FROM u_py)
             GROUP BY anon_chi, year, CASE WHEN cij_marker IS NOT NULL THEN 'c' || CAST(cij_marker AS VARCHAR) ELSE 'e' || CAST(event_id AS VARCHAR) END)
           WHERE s IS NOT NULL GROUP BY anon_chi, s, d)"
    ));
    q.push(", u_readm AS (SELECT r.anon_chi, count(*) AS n FROM u_stays_all r WHERE r.emergency AND r.s BETWEEN CAST(");
    q.bind(text(&fy_from)).push(" AS DATE) AND CAST(").bind(text(&fy_to)).push(" AS DATE)");
    q.push(" AND EXISTS (SELECT 1 FROM u_stays_all e WHERE e.anon_chi = r.anon_chi AND e.sid <> r.sid AND e.d IS NOT NULL
               AND e.s <= r.s AND e.d <= r.s AND date_diff('day', e.d, r.s) <= ");
    q.bind(Value::BigInt(READMISSION_DAYS)).push(") GROUP BY r.anon_chi)");
    q.push(
        ", u_per AS (SELECT u_py.g, u_py.ae_attendances AS ae, u_py.emergency_admissions AS ea, u_py.ppa_admissions AS ppa,
                 CAST(u_py.preventable_beddays AS DOUBLE) AS ppa_bd, coalesce(CAST(u_ebd.b AS DOUBLE), 0) AS ebd, coalesce(u_readm.n, 0) AS rd
               FROM u_py LEFT JOIN u_ebd ON u_ebd.anon_chi = u_py.anon_chi LEFT JOIN u_readm ON u_readm.anon_chi = u_py.anon_chi)
         SELECT grouping(g) AS is_total, coalesce(g, '') AS g, count(*),
                CAST(coalesce(sum(ae), 0) AS BIGINT), count(*) FILTER (WHERE ae > 0), count(*) FILTER (WHERE ae >= ",
    );
    q.bind(Value::BigInt(i64::from(repeat)));
    q.push(
        "), CAST(coalesce(sum(ea), 0) AS BIGINT), CAST(coalesce(sum(ebd), 0) AS DOUBLE), CAST(coalesce(sum(ppa), 0) AS BIGINT),
                CAST(coalesce(sum(ppa_bd), 0) AS DOUBLE), CAST(coalesce(sum(rd), 0) AS BIGINT)
         FROM u_per GROUP BY GROUPING SETS ((g), ())",
    );
    let mut rows = Vec::new();
    let mut total = UnscheduledRow::empty("total");
    for (is_total, mut r) in query_rows(conn, &q)? {
        if is_total {
            r.group = "total".into();
            total = r;
        } else {
            r.group = label(by.dimension(), &r.group);
            rows.push(r);
        }
    }
    order(by.dimension(), &mut rows, |r| r.group.as_str(), |r| r.population);
    Ok(UnscheduledFigures { year: year.to_string(), by, repeat, rows, total })
}

fn query_rows(conn: &Connection, q: &Frag) -> Result<Vec<(bool, UnscheduledRow)>> {
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let n = |i: usize| -> Result<u64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64) };
        let f = |i: usize| -> Result<f64> { Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0)) };
        let is_total = r.get::<_, Option<i64>>(0)?.unwrap_or(0) != 0;
        out.push((
            is_total,
            UnscheduledRow {
                group: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                population: n(2)?,
                ae_attendances: n(3)?,
                ae_attenders: n(4)?,
                repeat_attenders: n(5)?,
                emergency_admissions: n(6)?,
                emergency_bed_days: f(7)?,
                ppa_admissions: n(8)?,
                ppa_bed_days: f(9)?,
                readmissions_28: n(10)?,
            },
        ));
    }
    Ok(out)
}
