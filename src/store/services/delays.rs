//! The delays view: the year's delayed discharge episodes (recid `DD`) of a cohort's people,
//! grouped one way (see `model::delays`). People are distinct people with a delay in the
//! group; episodes are DD rows of the year's file; bed days are the file's (PHS: `yearstay`,
//! last day counted and first not); Code 9 bed days those with `primary_delay_reason = '9'`
//! (a row with no reason is in neither Code 9 nor the rest, as in PHS's individual file). By
//! month, bed days are the days of each month by the same rule, and the census is the last
//! Thursday of the month. DD rows without a CHI have no person and are left out.
use crate::model::cohort::CohortSpec;
use crate::model::delays::{delay_end_reason_name, delay_reason, delay_reasons, DelayBy, DelayFigures, DelayRow, LENGTH_BANDS};
use crate::model::geography::{council_by_lca, partnerships};
use crate::model::timeline::specialty_name;
use crate::model::year::FinYear;
use crate::store::cohort::sql::{people_ctes, text, Frag};
use anyhow::{bail, Result};
use duckdb::Connection;
use std::collections::HashMap;

/// The total row, after the groups' rows of the same statement (`dd` is read once).
const TOTAL: &str = " UNION ALL SELECT '\u{1}total', count(DISTINCT anon_chi), count(*), coalesce(sum(beddays), 0), coalesce(sum(CASE WHEN code9 THEN beddays END), 0), CAST(NULL AS BIGINT) FROM dd";
/// Its key (no code or name holds a control character).
const TOTAL_KEY: &str = "\u{1}total";

/// Key of a row that carries no value for the split.
const NOT_RECORDED: &str = "not recorded";

/// The DD rows the view reads, stored at load: the view then reads about 100k rows at country
/// scale rather than `event`'s record type and year columns (27.9M rows, 3-4 s a call).
pub const DD_TABLE: &str = "dd_event";

/// Build the DD side table (the loader calls this inside its transaction, after `event`).
pub fn store(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TABLE {DD_TABLE} AS
         SELECT anon_chi, year, start_date, end_date, beddays, code9, location, spec, delay_end_reason, cij_marker,
                delay_reason, delay_reason_secondary
         FROM event WHERE recid = 'DD' AND anon_chi IS NOT NULL ORDER BY year, anon_chi"
    ))?;
    crate::store::stamps::mark(conn, DD_TABLE)
}

/// Where the DD rows of a year are read from: the side table when this load built it, else
/// `event` (a workspace loaded before it existed). Our own text; the year is bound after it.
fn dd_source(conn: &Connection) -> String {
    if crate::store::stamps::current(conn, DD_TABLE) {
        format!("{DD_TABLE} e WHERE e.year = ")
    } else {
        "event e WHERE e.recid = 'DD' AND e.year = ".into()
    }
}

pub fn delays(conn: &Connection, spec: Option<&CohortSpec>, year: &str, by: DelayBy) -> Result<DelayFigures> {
    let Some(fy) = FinYear::parse(year) else { bail!("{year:?} is not a financial year") };
    let (fy_from, fy_to) = fy.bounds();
    let mut q = people_ctes(conn, spec)?;
    // materialised: the groups and the total read it once
    q.push(", dd AS MATERIALIZED (SELECT e.anon_chi, e.year, e.start_date, e.end_date, e.beddays, e.code9, e.location, e.spec, e.delay_end_reason, e.cij_marker, CASE WHEN e.code9 THEN coalesce(nullif(trim(e.delay_reason_secondary), ''), '9') ELSE nullif(trim(e.delay_reason), '') END AS reason, ");
    q.push("date_diff('day', e.start_date, least(coalesce(e.end_date, CAST(").bind(text(&fy_to)).push(" AS DATE)), CAST(").bind(text(&fy_to));
    q.push(" AS DATE))) AS delay_days FROM ").push(&dd_source(conn)).bind(text(year));
    q.push(" AND e.anon_chi IS NOT NULL");
    if spec.is_some() {
        q.push(" AND e.anon_chi IN (SELECT anon_chi FROM people)");
    }
    q.push(")");
    let mut rows = if by == DelayBy::Month {
        let mut m = month_sql(q, &fy_from, &fy_to);
        m.push(TOTAL);
        query_rows(conn, &m)?
    } else {
        let mut g = q;
        if by == DelayBy::ReasonGroup {
            // the code list, as bound values
            g.push(", codes(code, grp) AS (VALUES ");
            for (i, r) in delay_reasons().iter().enumerate() {
                if i > 0 {
                    g.push(", ");
                }
                g.push("(").bind(text(&r.code.to_ascii_uppercase())).push(", ").bind(text(&group_label(r))).push(")");
            }
            g.push(")");
        }
        g.push(&format!(", keyed AS (SELECT dd.*, {} AS g FROM dd ", key_sql(by)));
        g.append(&joins(by, year));
        g.push(")");
        g.push(
            " SELECT coalesce(g, '') AS g, count(DISTINCT anon_chi), count(*), coalesce(sum(beddays), 0), coalesce(sum(CASE WHEN code9 THEN beddays END), 0), CAST(NULL AS BIGINT)
              FROM keyed GROUP BY ALL",
        );
        g.push(TOTAL);
        let mut rows = query_rows(conn, &g)?;
        for r in &mut rows {
            if r.group != TOTAL_KEY {
                r.group = label(by, &r.group);
            }
        }
        rows
    };
    let at = rows.iter().position(|r| r.group == TOTAL_KEY);
    let total = match at {
        Some(i) => rows.remove(i),
        None => empty_row("total"),
    };
    let total = DelayRow { group: "total".into(), ..total };
    order(by, &mut rows);
    Ok(DelayFigures { year: year.to_string(), by, rows, total })
}

/// The split's key of a `dd` row (our own SQL text only).
fn key_sql(by: DelayBy) -> String {
    match by {
        DelayBy::Reason => "reason".into(),
        DelayBy::ReasonGroup => "CASE WHEN reason IS NULL THEN NULL ELSE coalesce(codes.grp, '?' || reason) END".into(),
        DelayBy::Council => "py.lca".into(),
        DelayBy::Hscp => "py.hscp2019".into(),
        DelayBy::Locality => "py.locality".into(),
        DelayBy::Hospital => "dd.location".into(),
        DelayBy::Specialty => "dd.spec".into(),
        DelayBy::Length => {
            let mut s = String::from("CASE");
            for (i, (lo, hi, _)) in LENGTH_BANDS.iter().enumerate() {
                match hi {
                    Some(h) => s.push_str(&format!(" WHEN delay_days BETWEEN {lo} AND {h} THEN '{i}'")),
                    None => s.push_str(&format!(" WHEN delay_days >= {lo} THEN '{i}'")),
                }
            }
            s.push_str(" END");
            s
        }
        DelayBy::Destination => "CAST(dd.delay_end_reason AS VARCHAR)".into(),
        DelayBy::Admission => "CASE WHEN adm.anon_chi IS NULL THEN 'no linked stay'
                                    WHEN adm.emergency AND EXISTS (SELECT 1 FROM event x WHERE x.anon_chi = dd.anon_chi AND x.recid = 'AE2'
                                         AND x.start_date BETWEEN adm.start_date - 1 AND adm.start_date) THEN 'emergency admission via A&E'
                                    WHEN adm.emergency THEN 'emergency admission, not via A&E'
                                    WHEN adm.elective THEN 'elective admission'
                                    ELSE 'other admission' END"
            .into(),
        DelayBy::Origin => "CASE WHEN EXISTS (SELECT 1 FROM event ch WHERE ch.anon_chi = dd.anon_chi AND ch.recid = 'CH'
                                   AND ch.start_date <= coalesce(adm.start_date, dd.start_date)
                                   AND (ch.end_date IS NULL OR ch.end_date >= coalesce(adm.start_date, dd.start_date)))
                                 THEN 'from a care home' ELSE 'not from a care home' END"
            .into(),
        // the month split has its own query (`month_sql`)
        DelayBy::Month => "NULL".into(),
    }
}

/// Joins a split needs: the person-year of residence, or the stay the delay belongs to (its
/// first inpatient episode: its start and whether it was an emergency or elective admission).
fn joins(by: DelayBy, year: &str) -> Frag {
    let mut f = Frag::new();
    match by {
        DelayBy::Council | DelayBy::Hscp | DelayBy::Locality => {
            f.push("LEFT JOIN person_year py ON py.anon_chi = dd.anon_chi AND py.year = ").bind(text(year));
        }
        DelayBy::Admission | DelayBy::Origin => {
            f.push(
                "LEFT JOIN (
                   SELECT a.anon_chi, a.year, a.cij_marker, min(a.start_date) AS start_date,
                          arg_min(a.emergency, a.start_date) AS emergency, arg_min(a.elective, a.start_date) AS elective
                   FROM event a WHERE a.recid IN ('01B', '02B', '04B', 'GLS') AND a.cij_marker IS NOT NULL
                     AND a.anon_chi IN (SELECT anon_chi FROM dd)
                   GROUP BY a.anon_chi, a.year, a.cij_marker
                 ) adm ON adm.anon_chi = dd.anon_chi AND adm.year = dd.year AND adm.cij_marker = dd.cij_marker",
            );
        }
        DelayBy::ReasonGroup => {
            f.push("LEFT JOIN codes ON codes.code = upper(dd.reason)");
        }
        _ => {}
    }
    f
}

/// By month: each DD row's days in each month of the year (last day counted, first not; an
/// open delay to the end of the year) and whether it was open on the census day.
fn month_sql(mut q: Frag, fy_from: &str, fy_to: &str) -> Frag {
    q.push(", months AS (SELECT CAST(m AS DATE) AS ms, CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS me FROM generate_series(CAST(");
    q.bind(text(fy_from)).push(" AS DATE), CAST(").bind(text(fy_to)).push(" AS DATE), INTERVAL 1 MONTH) t(m))");
    q.push(", cen AS (SELECT ms, me, me - CAST((dayofweek(me) + 3) % 7 AS INTEGER) AS census FROM months)");
    q.push(", per AS (SELECT strftime(cen.ms, '%Y-%m') AS g, dd.anon_chi, dd.code9, cen.census, dd.start_date, dd.end_date,
              greatest(0, date_diff('day', greatest(dd.start_date + 1, cen.ms), least(coalesce(dd.end_date, cen.me), cen.me)) + 1) AS days
            FROM dd CROSS JOIN cen)");
    q.push(
        " SELECT g, count(DISTINCT anon_chi) FILTER (WHERE days > 0), count(*) FILTER (WHERE days > 0), sum(days), sum(CASE WHEN code9 THEN days ELSE 0 END),
                 count(DISTINCT anon_chi) FILTER (WHERE start_date <= census AND (end_date IS NULL OR end_date > census))
          FROM per GROUP BY g",
    );
    q
}

fn empty_row(group: &str) -> DelayRow {
    DelayRow { group: group.into(), people: 0, episodes: 0, bed_days: 0.0, code9_bed_days: 0.0, census_people: None }
}

fn query_rows(conn: &Connection, q: &Frag) -> Result<Vec<DelayRow>> {
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let n = |i: usize| -> Result<u64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64) };
        out.push(DelayRow {
            group: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            people: n(1)?,
            episodes: n(2)?,
            bed_days: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
            code9_bed_days: r.get::<_, Option<f64>>(4)?.unwrap_or(0.0),
            census_people: r.get::<_, Option<i64>>(5)?.map(|v| v.max(0) as u64),
        });
    }
    Ok(out)
}

/// What a reader sees for a key: a name beside its code where the code lists know it. Every
/// label is distinct for distinct keys (codes stay in them), so no two groups merge.
fn label(by: DelayBy, key: &str) -> String {
    if key.is_empty() {
        return NOT_RECORDED.into();
    }
    match by {
        DelayBy::Reason => match delay_reason(key) {
            Some(r) if r.group == "Code 9" && key != "9" => format!("Code 9 {key}: {}", r.description),
            Some(r) => format!("{key}: {}", r.description),
            None => format!("{key} (not in the code list)"),
        },
        DelayBy::ReasonGroup => match key.strip_prefix('?') {
            Some(code) => format!("code {code} (not in the code list)"),
            None => key.to_string(),
        },
        DelayBy::Council => council_by_lca(key).map(|c| c.name.clone()).unwrap_or_else(|| format!("council {key}")),
        DelayBy::Hscp => partnerships().iter().find(|p| p.hscp2019 == key).map(|p| p.name.clone()).unwrap_or_else(|| format!("partnership {key}")),
        DelayBy::Specialty => match specialty_name(key) {
            Some(n) => format!("{key} {n}"),
            None => format!("specialty {key}"),
        },
        DelayBy::Length => key.parse::<usize>().ok().and_then(|i| LENGTH_BANDS.get(i)).map(|b| b.2.to_string()).unwrap_or_else(|| key.to_string()),
        DelayBy::Destination => match key.parse::<i64>().ok().and_then(delay_end_reason_name) {
            Some(n) => format!("{key}: {n}"),
            None => format!("code {key}"),
        },
        _ => key.to_string(),
    }
}

/// A reason group as shown: the publication's group first (the part that tells groups apart
/// on a narrow screen), then its heading ("Place Availability (Health and Social Care
/// Reasons)"); Code 9's subgroups already name it.
fn group_label(r: &crate::model::delays::DelayReason) -> String {
    if r.subgroup.contains(&r.group) {
        r.subgroup.clone()
    } else {
        format!("{} ({})", r.subgroup, r.group)
    }
}

/// Months and lengths in their own order; everything else by bed days, largest first.
fn order(by: DelayBy, rows: &mut [DelayRow]) {
    match by {
        DelayBy::Month => rows.sort_by(|a, b| a.group.cmp(&b.group)),
        DelayBy::Length => {
            let pos: HashMap<&str, usize> = LENGTH_BANDS.iter().enumerate().map(|(i, b)| (b.2, i)).collect();
            rows.sort_by_key(|r| pos.get(r.group.as_str()).copied().unwrap_or(usize::MAX));
        }
        _ => rows.sort_by(|a, b| b.bed_days.total_cmp(&a.bed_days).then_with(|| a.group.cmp(&b.group))),
    }
}
