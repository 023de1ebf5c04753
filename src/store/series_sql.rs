//! The shared SQL of monthly and weekly series (definitions in `model::series`): the periods,
//! each measure's rows and how a period adds them up, used by the live query (`series`) and
//! the copy stored at load (`series_store`). Our own text only; values are bound.
use crate::model::series::{Dim, Measure};
use crate::model::year::FinYear;
use crate::store::cohort::sql::{age_band_sql, text, Frag};
use crate::store::derive::common_sql::INPATIENT;
use crate::store::sql::{fy_end, fy_start};
use anyhow::{bail, Result};
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
