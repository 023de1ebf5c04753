//! The cohort's people, one sorted page at a time. Pages carry `anon_chi` in `Member::id`; the
//! operations layer swaps it for the display pseudonym before a page leaves the program.
use super::rows::{self, RowCohort};
use super::sql::{age_band_sql, build, text, Frag};
use crate::model::cohort::CohortSpec;
use anyhow::Result;
use duckdb::types::Value;
use duckdb::Connection;
pub use crate::model::figures::{Member, MemberSort, MembersPage, PageRequest};

/// The workspace's pseudonym table (see `ops::pseudonym`): a search matches display
/// pseudonyms, never `anon_chi` (a substring search of base64 CHIs would probe CHIs).
pub const PSEUDONYM_TABLE: &str = "person_pseudonym";

/// The SQL column a members page sorts by.
fn sort_column(sort: MemberSort) -> &'static str {
    {
        match sort {
            MemberSort::AnonChi => "anon_chi",
            MemberSort::Age => "age",
            MemberSort::Sex => "sex",
            MemberSort::Simd => "simd_quintile",
            MemberSort::LtcCount => "ltc_count",
            MemberSort::Cost => "health_cost",
            MemberSort::BedDays => "bed_days",
            MemberSort::EmergencyAdmissions => "emergency_admissions",
            MemberSort::HriBand => "hri_scotp",
            MemberSort::Council => "council",
        }
    }
}




pub fn members_page(conn: &Connection, spec: &CohortSpec, req: &PageRequest) -> Result<MembersPage> {
    match rows::single_year(conn, spec)? {
        Some(rc) => members_single(conn, &rc, req),
        None => members_general(conn, spec, req),
    }
}

/// Any spec: aggregate every person of the chosen years, then keep the cohort.
#[doc(hidden)]
pub fn members_general(conn: &Connection, spec: &CohortSpec, req: &PageRequest) -> Result<MembersPage> {
    let c = build(conn, spec, true)?;
    let mut q = c.ctes.clone();
    q.push(&format!(
        ", m AS (SELECT anon_chi, idx.age AS age, {} AS age_band, idx.sex AS sex, idx.simd_quintile AS simd_quintile, \
         idx.lca AS council, idx.ltc_count AS ltc_count, m_health_cost AS health_cost, m_inpatient_beddays AS bed_days, \
         m_emergency_admissions AS emergency_admissions, idx.hri_scot_band AS hri_band, idx.hri_scotp AS hri_scotp \
         FROM cohort WHERE in_cohort",
        age_band_sql("idx.age")
    ));
    if let Some(s) = req.search.as_deref().filter(|s| !s.is_empty()) {
        q.push(&format!(" AND anon_chi IN (SELECT anon_chi FROM {} WHERE contains(pseudonym, ", PSEUDONYM_TABLE));
        q.bind(text(s));
        q.push("))");
    }
    let dir = if req.desc { "DESC" } else { "ASC" };
    q.push(&format!(
        ") SELECT anon_chi, age, age_band, sex, simd_quintile, council, ltc_count, health_cost, bed_days, emergency_admissions, hri_band, \
         count(*) OVER () FROM m ORDER BY {} {dir} NULLS LAST, anon_chi ASC LIMIT ",
        sort_column(req.sort)
    ));
    q.bind(Value::BigInt(req.limit.min(i64::MAX as u64) as i64));
    q.push(" OFFSET ");
    q.bind(Value::BigInt(req.offset.min(i64::MAX as u64) as i64));
    let mut stmt = conn.prepare(&q.sql)?;
    let mut rows = stmt.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    let mut total: Option<u64> = None;
    while let Some(r) = rows.next()? {
        total = Some(r.get::<_, i64>(11)?.max(0) as u64);
        out.push(member_from_row(r)?);
    }
    let total = match total {
        Some(t) => t,
        None if req.offset == 0 => 0,
        None => {
            // Past the end: count separately.
            let page0 = PageRequest { offset: 0, limit: 1, ..req.clone() };
            members_general(conn, spec, &page0)?.total
        }
    };
    Ok(MembersPage { total, offset: req.offset, rows: out })
}

/// Single-year spec: the cohort is that year's rows meeting the filters (one per person), so
/// the page is a top-N over those rows. The count is a separate cheap scan; a page nearer the
/// end than the start is read in the reverse order (a smaller top-N) and flipped back.
fn members_single(conn: &Connection, rc: &RowCohort, req: &PageRequest) -> Result<MembersPage> {
    let mut cond = rc.cond.clone();
    if let Some(s) = req.search.as_deref().filter(|s| !s.is_empty()) {
        cond.push(&format!(" AND anon_chi IN (SELECT anon_chi FROM {} WHERE contains(pseudonym, ", PSEUDONYM_TABLE));
        cond.bind(text(s));
        cond.push("))");
    }
    let mut q = Frag::text("SELECT count(*) FROM person_year WHERE ");
    q.append(&cond);
    let total = conn.prepare(&q.sql)?.query_row(duckdb::params_from_iter(q.params.iter()), |r| r.get::<_, i64>(0))?.max(0) as u64;
    let end = req.offset.saturating_add(req.limit).min(total);
    if req.offset >= end {
        return Ok(MembersPage { total, offset: req.offset, rows: Vec::new() });
    }
    // The order is total (ties by the unique anon_chi), so reading it backwards is exact.
    let reverse = req.offset > total - end;
    let (dir, nulls, tie, offset) = match (req.desc, reverse) {
        (false, false) => ("ASC", "LAST", "ASC", req.offset),
        (true, false) => ("DESC", "LAST", "ASC", req.offset),
        (false, true) => ("DESC", "FIRST", "DESC", total - end),
        (true, true) => ("ASC", "FIRST", "DESC", total - end),
    };
    // Values as the general path's per-person sums over one row: CAST(coalesce(x, 0) AS DOUBLE).
    let mut q = Frag::text(&format!(
        "SELECT * FROM (SELECT anon_chi, age, {} AS age_band, sex, simd_quintile, lca AS council, ltc_count, \
         CAST(coalesce(health_net_cost, 0) AS DOUBLE) AS health_cost, CAST(coalesce(inpatient_beddays, 0) AS DOUBLE) AS bed_days, \
         CAST(coalesce(emergency_admissions, 0) AS DOUBLE) AS emergency_admissions, hri_scot_band AS hri_band, hri_scotp \
         FROM person_year WHERE ",
        age_band_sql("age")
    ));
    q.append(&cond);
    q.push(&format!(") m ORDER BY {} {dir} NULLS {nulls}, anon_chi {tie} LIMIT ", sort_column(req.sort)));
    q.bind(Value::BigInt((end - req.offset) as i64));
    q.push(" OFFSET ");
    q.bind(Value::BigInt(offset.min(i64::MAX as u64) as i64));
    let mut stmt = conn.prepare(&q.sql)?;
    let mut rows = stmt.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(member_from_row(r)?);
    }
    if reverse {
        out.reverse();
    }
    Ok(MembersPage { total, offset: req.offset, rows: out })
}

/// A member from the first 11 columns of a page query (both paths select them in this order).
fn member_from_row(r: &duckdb::Row<'_>) -> duckdb::Result<Member> {
    Ok(Member {
        id: r.get(0)?,
        age: r.get(1)?,
        age_band: r.get(2)?,
        sex: r.get(3)?,
        simd_quintile: r.get(4)?,
        council: r.get(5)?,
        ltc_count: r.get(6)?,
        health_cost: r.get::<_, Option<f64>>(7)?.unwrap_or(0.0),
        bed_days: r.get::<_, Option<f64>>(8)?.unwrap_or(0.0),
        emergency_admissions: r.get::<_, Option<f64>>(9)?.unwrap_or(0.0),
        hri_band: r.get(10)?,
    })
}
