//! Time from the index to a target event: per indexed person the days to the first target after
//! the index (same order as pathways: a same-day event of a later step counts; an episode of the
//! index's own stay that is the index's step does not, and for an admission target nothing of
//! the index's stay does, so a readmission is a new stay), and the
//! days to censoring: death (for a non-death target) or the end of the data, whichever is first.
use super::index::{data_end, event_condition, indexed, step_code};
use crate::analysis::survival::{curve, Subject};
use crate::model::cohort::{geography_name, GeoKind};
use crate::model::pathways::{Curve, IndexKind, SplitBy, StepLevel, TimeToFigures, TimeToRequest, HORIZONS};
use crate::store::cohort::sql::{age_band_sql, hri_columns, text};
use crate::store::sql::{fy_of_date, fy_start};
use anyhow::{Context, Result};
use duckdb::Connection;
use std::collections::BTreeMap;

pub fn time_to(conn: &Connection, req: &TimeToRequest, loaded: &[String]) -> Result<TimeToFigures> {
    let level = StepLevel::Grouped;
    let ix = indexed(conn, req.spec.as_ref(), &req.index, level, loaded)?;
    let end = data_end(loaded)?;
    let mut q = ix.ctes.clone();
    q.push(", tg AS (");
    match req.target.kind {
        IndexKind::Death => {
            q.push("SELECT ix.anon_chi, date_diff('day', ix.ix_date, p.death_date) AS t FROM ix JOIN person p ON p.anon_chi = ix.anon_chi WHERE p.death_date >= ix.ix_date");
        }
        IndexKind::Ltc => {
            // Those who had it before the index are not at risk; counting them as never reaching
            // it would understate the incidence, so it is refused rather than half-done.
            anyhow::bail!("a long-term condition can be the index of time-to, not its target (people who had it recorded before the index are not at risk)")
        }
        IndexKind::Hri => {
            let (_, flag, _, _) = hri_columns(req.target.hri_level);
            q.push(&format!(
                "SELECT ix.anon_chi, min(date_diff('day', ix.ix_date, {s})) AS t FROM ix JOIN person_year py ON py.anon_chi = ix.anon_chi \
                 WHERE py.{flag} AND {s} > ix.ix_date GROUP BY ix.anon_chi",
                s = fy_start("py.year")
            ));
        }
        _ => {
            let code = step_code(level, "e");
            // an admission target is a new stay: nothing of the index's own stay counts; for
            // other targets only the index's own step within its stay is excluded (a DD inside
            // the index stay is a DD after the admission)
            let same_step = if req.target.kind == IndexKind::EmergencyAdmission { String::new() } else { format!(" AND {code} = ix.ix_ord") };
            q.push(&format!(
                "SELECT ix.anon_chi, min(date_diff('day', ix.ix_date, e.start_date)) AS t FROM event e JOIN ix ON ix.anon_chi = e.anon_chi \
                 WHERE e.start_date >= ix.ix_date AND "
            ));
            q.append(&event_condition(&req.target, "e")?);
            q.push(&format!(
                " AND (e.start_date > ix.ix_date OR coalesce({code}, -1) > ix.ix_ord
                       OR (coalesce({code}, -1) = ix.ix_ord AND e.event_id > coalesce(ix.ix_event, -1)))
                   AND NOT coalesce(ix.ix_cij IS NOT NULL AND e.year = ix.ix_year AND e.cij_marker = ix.ix_cij{same_step}, false)
                 GROUP BY ix.anon_chi"
            ));
        }
    }
    q.push(")");
    let death_censors = req.target.kind != IndexKind::Death;
    q.push(&format!(
        " SELECT tg.t, greatest(0, date_diff('day', ix.ix_date, least({death}CAST(? AS DATE)))) AS c, {split}
          FROM ix LEFT JOIN tg ON tg.anon_chi = ix.anon_chi LEFT JOIN person p ON p.anon_chi = ix.anon_chi
          LEFT JOIN person_year py ON py.anon_chi = ix.anon_chi AND py.year = {fy}",
        death = if death_censors { "coalesce(p.death_date, CAST('9999-12-31' AS DATE)), " } else { "" },
        split = split_sql(req.by),
        fy = fy_of_date("ix.ix_date"),
    ));
    q.params.push(text(&end));
    let mut groups: BTreeMap<String, Vec<Subject>> = BTreeMap::new();
    let mut all = Vec::new();
    {
        let mut stmt = conn.prepare(&q.sql).context("could not build the time-to-event query")?;
        let mut rows = stmt.query(duckdb::params_from_iter(q.params.iter()))?;
        while let Some(r) = rows.next()? {
            let t: Option<i64> = r.get(0)?;
            let c: i64 = r.get::<_, Option<i64>>(1)?.unwrap_or(0);
            let g: Option<String> = r.get(2)?;
            let s = match t {
                Some(t) if t <= c => Subject { time: t.max(0) as u32, event: true },
                _ => Subject { time: c.max(0) as u32, event: false },
            };
            all.push(s);
            if req.by.is_some() {
                groups.entry(g.unwrap_or_else(|| "Unknown".into())).or_default().push(s);
            }
        }
    }
    let mut curves = vec![Curve { group: "All".into(), people: all.len() as u64, points: curve(&all, &HORIZONS) }];
    let mut keys: Vec<String> = groups.keys().cloned().collect();
    keys.sort_by_key(|k| order_key(req.by, k));
    for k in keys {
        let s = &groups[&k];
        let label = match req.by {
            Some(SplitBy::Council) if k != "Unknown" => geography_name(&k, GeoKind::Council).unwrap_or_else(|| k.clone()),
            _ => k.clone(),
        };
        curves.push(Curve { group: label, people: s.len() as u64, points: curve(s, &HORIZONS) });
    }
    Ok(TimeToFigures { index: req.index.label(), target: req.target.label(), by: req.by, data_end: end, curves })
}

/// The split's category at the index, as text (NULL: Unknown).
fn split_sql(by: Option<SplitBy>) -> String {
    match by {
        None => "CAST(NULL AS VARCHAR)".into(),
        Some(SplitBy::AgeBand) => age_band_sql("py.age"),
        Some(SplitBy::Sex) => "p.sex".into(),
        Some(SplitBy::Simd) => "CAST(py.simd_quintile AS VARCHAR)".into(),
        Some(SplitBy::Council) => "py.lca".into(),
    }
}

/// Categories in their natural order (age bands as listed, Unknown last).
fn order_key(by: Option<SplitBy>, k: &str) -> (u8, usize, String) {
    if k == "Unknown" {
        return (2, 0, String::new());
    }
    if by == Some(SplitBy::AgeBand) {
        let pos = crate::model::cohort::age_bands().iter().position(|(l, _, _)| *l == k).unwrap_or(usize::MAX);
        return (0, pos, k.to_string());
    }
    (1, 0, k.to_string())
}
