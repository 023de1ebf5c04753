//! The social care prevention measures (NDTi; definitions and the look-back rule in
//! `model::socialcare`): one grouped query over `event` (the social care records of the
//! cohort's people), `person` (birth month, sex) and `person_year` (residence and SIMD in the
//! entry year).
//!
//! Bound parameters only: the entry years, the end of the data and the cohort's values are `?`;
//! the SQL text is ours.
use crate::model::geography::council_by_lca;
use crate::model::socialcare::{entry_years, Growth, SocialCareBy, SocialCareFigures, SocialCareRow, GROWTH_MONTHS, SOCIAL_CARE_RECIDS};
use crate::model::cohort::CohortSpec;
use crate::model::year::FinYear;
use crate::store::cohort::sql::{people_ctes, text, Frag};
use crate::store::derive::common_sql::age_on_sql;
use crate::store::sql::{fy_end, fy_of_date, fy_start};
use anyhow::{bail, Result};
use duckdb::Connection;

/// Key of an entrant who carries no value for the split.
const NOT_RECORDED: &str = "not recorded";

/// `('HC', 'CH', 'SDS', 'AT')`
fn recid_list() -> String {
    let v: Vec<String> = SOCIAL_CARE_RECIDS.iter().map(|r| format!("'{r}'")).collect();
    format!("({})", v.join(", "))
}

/// The financial years holding any social care record, oldest first.
pub fn social_care_years(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare(&format!("SELECT DISTINCT year FROM event WHERE recid IN {} AND year IS NOT NULL", recid_list()))?;
    let mut years: Vec<FinYear> = st.query_map([], |r| r.get::<_, String>(0))?.filter_map(|y| y.ok()).filter_map(|y| FinYear::parse(&y)).collect();
    years.sort();
    Ok(years.iter().map(FinYear::code).collect())
}

/// The measures for the cohort's people (None: everyone). `from` is a checked FY code.
pub fn socialcare(conn: &Connection, spec: Option<&CohortSpec>, by: SocialCareBy, from: Option<&str>, lookback: u32) -> Result<SocialCareFigures> {
    let sc_years = social_care_years(conn)?;
    let (Some(first), Some(last)) = (sc_years.first(), sc_years.last()) else {
        bail!("the workspace holds no social care records (recid HC, CH, SDS or AT): load SLF episode files or SC2 extracts with social care first");
    };
    if let Some(f) = from {
        if !sc_years.iter().any(|y| y == f) {
            bail!(
                "--from {}: the workspace holds social care records for {} only",
                crate::model::year::label(f),
                sc_years.iter().map(|y| crate::model::year::label(y)).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let years = entry_years(&sc_years, lookback, from);
    if years.is_empty() {
        bail!(
            "no entry year to count: with --lookback {lookback} a year needs {lookback} earlier year(s) of social care data{}, and the workspace holds {} to {} ({} year(s)). Load earlier years or lower --lookback (0 counts everyone first seen in the first year as new)",
            from.map(|f| format!(" and --from is {}", crate::model::year::label(f))).unwrap_or_default(),
            crate::model::year::label(first),
            crate::model::year::label(last),
            sc_years.len()
        );
    }
    let data_end = FinYear::parse(last).map(|y| y.bounds().1).unwrap_or_default();
    let q = query(conn, spec, by, &years, &data_end)?;
    let mut rows = Vec::new();
    let mut total = SocialCareRow::empty("total");
    let mut simd: [Option<SocialCareRow>; 2] = [None, None];
    for (kind, mut r) in query_rows(conn, &q)? {
        match kind {
            Kind::Total => {
                r.group = "total".into();
                total = r;
            }
            Kind::Group => {
                r.group = label(by, &r.group);
                rows.push(r);
            }
            Kind::Simd => match r.group.as_str() {
                "1" => simd[0] = Some(SocialCareRow { group: label(SocialCareBy::Simd, "1"), ..r }),
                "5" => simd[1] = Some(SocialCareRow { group: label(SocialCareBy::Simd, "5"), ..r }),
                _ => {}
            },
        }
    }
    order(by, &mut rows);
    let simd_extremes = (by != SocialCareBy::Simd).then(|| {
        let [a, b] = simd;
        [a.unwrap_or_else(|| SocialCareRow::empty(&label(SocialCareBy::Simd, "1"))), b.unwrap_or_else(|| SocialCareRow::empty(&label(SocialCareBy::Simd, "5")))]
    });
    Ok(SocialCareFigures { by, lookback, years, social_care_years: sc_years, rows, total, simd_extremes })
}

/// The split's key of an entrant (our own SQL text only; NULL: not recorded).
fn key_sql(by: SocialCareBy) -> &'static str {
    match by {
        SocialCareBy::Year => "x.entry_year",
        SocialCareBy::Council => "nullif(trim(CAST(py.lca AS VARCHAR)), '')",
        SocialCareBy::Locality => "nullif(trim(CAST(py.locality AS VARCHAR)), '')",
        SocialCareBy::Simd => SIMD_KEY,
        SocialCareBy::Sex => "nullif(trim(CAST(p.sex AS VARCHAR)), '')",
    }
}

const SIMD_KEY: &str = "CAST(py.simd_quintile AS VARCHAR)";

fn query(conn: &Connection, spec: Option<&CohortSpec>, by: SocialCareBy, years: &[String], data_end: &str) -> Result<Frag> {
    let mut q = people_ctes(conn, spec)?;
    // the people's social care records, each with the days it ran in its financial year
    q.push(&format!(
        ", sc AS MATERIALIZED (SELECT e.event_id, e.anon_chi, e.recid, e.start_date, e.hc_hours,
             greatest(e.start_date, {fs}) AS run_from, least(coalesce(e.end_date, {fe}), {fe}) AS run_to
           FROM event e WHERE e.recid IN {recids} AND e.start_date IS NOT NULL AND e.year IS NOT NULL
             AND e.anon_chi IN (SELECT anon_chi FROM people))
         , entry AS (SELECT anon_chi, min(start_date) AS entry_date FROM sc GROUP BY anon_chi)
         , x AS (SELECT anon_chi, entry_date, {entry_fy} AS entry_year FROM entry)",
        fs = fy_start("e.year"),
        fe = fy_end("e.year"),
        recids = recid_list(),
        entry_fy = fy_of_date("entry_date"),
    ));
    // the entrants of the counted years, with their age, group and SIMD quintile
    q.push(&format!(
        ", who AS MATERIALIZED (SELECT x.anon_chi, x.entry_date,
             CASE WHEN p.birth_ym IS NOT NULL THEN CAST({age} AS DOUBLE) END AS age, p.birth_ym, {key} AS g, {SIMD_KEY} AS q
           FROM x LEFT JOIN person p ON p.anon_chi = x.anon_chi
           LEFT JOIN person_year py ON py.anon_chi = x.anon_chi AND py.year = x.entry_year
           WHERE x.entry_year IN (",
        age = age_on_sql("x.entry_date", "p.birth_ym"),
        key = key_sql(by),
    ));
    for (i, y) in years.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(text(y));
    }
    q.push("))");
    // home care rows with hours, and the first package's hours per week
    q.push(
        ", hc AS (SELECT sc.*, date_diff('day', run_from, run_to) + 1 AS run_days FROM sc
             WHERE recid = 'HC' AND hc_hours IS NOT NULL AND hc_hours >= 0 AND anon_chi IN (SELECT anon_chi FROM who))
         , first_hc AS (SELECT anon_chi, hc_hours * 7.0 / run_days AS hpw FROM (
             SELECT hc.*, row_number() OVER (PARTITION BY anon_chi ORDER BY start_date, run_from, event_id) AS rn FROM hc WHERE run_days > 0)
           WHERE rn = 1)",
    );
    // hours per week in each window after entry, for entrants followed that long
    for m in GROWTH_MONTHS {
        q.push(&format!(
            ", w{m} AS (SELECT w.anon_chi, w.entry_date, CAST(w.entry_date + INTERVAL {m} MONTH AS DATE) AS w_end FROM who w
                 WHERE CAST(w.entry_date + INTERVAL {m} MONTH AS DATE) <= CAST("
        ));
        q.bind(text(data_end));
        q.push(&format!(
            " AS DATE) + 1 AND w.anon_chi IN (SELECT anon_chi FROM first_hc))
             , g{m} AS (SELECT w.anon_chi,
                 coalesce(sum(CASE WHEN hc.run_days > 0 THEN hc.hc_hours
                   * greatest(0, date_diff('day', greatest(hc.run_from, w.entry_date), least(hc.run_to, CAST(w.w_end - 1 AS DATE))) + 1)
                   / hc.run_days END), 0) * 7.0 / date_diff('day', w.entry_date, w.w_end) AS hpw
               FROM w{m} w LEFT JOIN hc ON hc.anon_chi = w.anon_chi GROUP BY w.anon_chi, w.entry_date, w.w_end)"
        ));
    }
    q.push(
        ", ch AS (SELECT anon_chi, min(start_date) AS admitted FROM sc WHERE recid = 'CH' AND anon_chi IN (SELECT anon_chi FROM who) GROUP BY anon_chi)",
    );
    q.push(&format!(
        ", per AS (SELECT who.g, who.q, who.age, f.hpw AS first_hpw,
             g6.hpw - f.hpw AS c6, g12.hpw - f.hpw AS c12, g24.hpw - f.hpw AS c24,
             ch.admitted, CASE WHEN ch.admitted IS NOT NULL AND who.birth_ym IS NOT NULL THEN CAST({ch_age} AS DOUBLE) END AS ch_age,
             CAST(date_diff('day', who.entry_date, ch.admitted) AS DOUBLE) AS ch_days
           FROM who LEFT JOIN first_hc f ON f.anon_chi = who.anon_chi
           LEFT JOIN g6 ON g6.anon_chi = who.anon_chi LEFT JOIN g12 ON g12.anon_chi = who.anon_chi LEFT JOIN g24 ON g24.anon_chi = who.anon_chi
           LEFT JOIN ch ON ch.anon_chi = who.anon_chi)",
        ch_age = age_on_sql("ch.admitted", "who.birth_ym"),
    ));
    // the SIMD quintiles beside the split's groups, for the gap (by SIMD they are the groups)
    let (sets, simd_grouping, k) =
        if by == SocialCareBy::Simd { ("(g), ()", "1", "coalesce(g, '')") } else { ("(g), (q), ()", "grouping(q)", "coalesce(g, q, '')") };
    q.push(&format!(
        " SELECT grouping(g), {simd_grouping}, {k} AS k,
             count(*), avg(age), median(age),
             count(first_hpw), avg(first_hpw), median(first_hpw),
             count(c6), avg(c6), count(c12), avg(c12), count(c24), avg(c24),
             count(admitted), avg(ch_age), median(ch_age), median(ch_days)
           FROM per GROUP BY GROUPING SETS ({sets})"
    ));
    Ok(q)
}

enum Kind {
    Group,
    Simd,
    Total,
}

fn query_rows(conn: &Connection, q: &Frag) -> Result<Vec<(Kind, SocialCareRow)>> {
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let n = |i: usize| -> Result<u64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64) };
        let f = |i: usize| -> Result<Option<f64>> { Ok(r.get::<_, Option<f64>>(i)?.filter(|v| v.is_finite())) };
        let (gg, gq) = (r.get::<_, Option<i64>>(0)?.unwrap_or(0), r.get::<_, Option<i64>>(1)?.unwrap_or(0));
        let kind = match (gg, gq) {
            (0, _) => Kind::Group,
            (_, 0) => Kind::Simd,
            _ => Kind::Total,
        };
        out.push((
            kind,
            SocialCareRow {
                group: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                entrants: n(3)?,
                mean_age_at_entry: f(4)?,
                median_age_at_entry: f(5)?,
                hc_entrants: n(6)?,
                mean_first_hc_hours_per_week: f(7)?,
                median_first_hc_hours_per_week: f(8)?,
                growth: [
                    Growth { followed: n(9)?, mean_change: f(10)? },
                    Growth { followed: n(11)?, mean_change: f(12)? },
                    Growth { followed: n(13)?, mean_change: f(14)? },
                ],
                care_home_movers: n(15)?,
                mean_age_at_care_home: f(16)?,
                median_age_at_care_home: f(17)?,
                median_days_to_care_home: f(18)?,
            },
        ));
    }
    Ok(out)
}

/// What a reader sees for a key (codes kept beside names, so no two groups merge).
fn label(by: SocialCareBy, key: &str) -> String {
    if key.is_empty() {
        return NOT_RECORDED.into();
    }
    match by {
        SocialCareBy::Year => crate::model::year::label(key),
        SocialCareBy::Council => council_by_lca(key).map(|c| c.name.clone()).unwrap_or_else(|| format!("council {key}")),
        SocialCareBy::Locality => key.to_string(),
        SocialCareBy::Simd => match key {
            "1" => "SIMD 1 (most deprived)".into(),
            "5" => "SIMD 5 (least deprived)".into(),
            k => format!("SIMD {k}"),
        },
        SocialCareBy::Sex => match key {
            "F" => "female".into(),
            "M" => "male".into(),
            k => format!("sex {k}"),
        },
    }
}

/// Years, quintiles and sex in their own order; places by entrants, most first; "not recorded"
/// last.
fn order(by: SocialCareBy, rows: &mut [SocialCareRow]) {
    let last = |r: &SocialCareRow| r.group == NOT_RECORDED;
    match by {
        SocialCareBy::Year | SocialCareBy::Simd | SocialCareBy::Sex => rows.sort_by(|a, b| last(a).cmp(&last(b)).then_with(|| a.group.cmp(&b.group))),
        _ => rows.sort_by(|a, b| last(a).cmp(&last(b)).then_with(|| b.entrants.cmp(&a.entrants)).then_with(|| a.group.cmp(&b.group))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socialcare_labels_and_order() {
        assert_eq!(label(SocialCareBy::Year, "1920"), "2019/20");
        assert_eq!(label(SocialCareBy::Simd, "5"), "SIMD 5 (least deprived)");
        assert_eq!(label(SocialCareBy::Sex, ""), NOT_RECORDED);
        let mut rows: Vec<SocialCareRow> = ["not recorded", "2020/21", "2019/20"].iter().map(|g| SocialCareRow::empty(g)).collect();
        order(SocialCareBy::Year, &mut rows);
        let g: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(g, ["2019/20", "2020/21", "not recorded"]);
    }
}
