//! HRI transitions between two financial years at one level (see `model::transitions` for the
//! categories). The HRI population, bands and flag are the loader's own `person_year` columns
//! (`hri_*p`, `hri_*_band`, `hri_*`), the same ones `carepath hri` reads, so the two agree.
use crate::model::hri::HriLevel;
use crate::model::transitions::{from_bands, to_categories, ContinuousHri, HriPersistence, TransitionCell, Transitions};
use crate::model::year::FinYear;
use super::transition_sql::{counts_sql, to_params, Counts};
use crate::store::cohort::sql::{hri_columns, text};
use anyhow::{bail, Result};
use duckdb::Connection;
use std::collections::HashMap;

/// Transitions from `from` to `to` (FY codes, `from` earlier) at `level`, for the people of one
/// board or council in the earlier year when `area` (its code) is given (their later-year band
/// is the one of wherever they live then). `loaded` lists the workspace's years (oldest first),
/// for the continuous-persistence runs.
/// Read from the counts the load stored (`transition_store`) when they are there and current;
/// otherwise computed (and kept per workspace load, as the HRI picture is).
pub fn transitions(conn: &Connection, from: &str, to: &str, level: HriLevel, area: Option<&str>, loaded: &[String]) -> Result<Transitions> {
    let (fy1, fy2) = check(from, to, level, area)?;
    if let Some((counts, persistence)) = super::transition_store::read(conn, fy1, fy2, level, area, loaded)? {
        return assemble(fy1, fy2, level, area, counts, persistence);
    }
    let key = format!("transitions:v1:{from}:{to}:{level:?}:{area:?}");
    let t = crate::store::cohort::get_or_compute(conn, &key, || transitions_fresh(conn, from, to, level, area, loaded))?;
    Ok((*t).clone())
}

/// The two years of a request, refused when they are not years, in the wrong order, or when an
/// area is asked for at Scotland level.
fn check(from: &str, to: &str, level: HriLevel, area: Option<&str>) -> Result<(FinYear, FinYear)> {
    let (Some(fy1), Some(fy2)) = (FinYear::parse(from), FinYear::parse(to)) else {
        bail!("{from:?} and {to:?} must be financial years such as 1920")
    };
    if fy2.start <= fy1.start {
        bail!("--to ({}) must be a later year than --from ({})", fy2.label(), fy1.label());
    }
    if area.is_some() && level == HriLevel::Scotland {
        bail!("an area needs --level board or --level council");
    }
    Ok((fy1, fy2))
}

/// [`transitions`] computed now from `person_year` (not from the stored counts or the per-load
/// cache).
pub fn transitions_fresh(conn: &Connection, from: &str, to: &str, level: HriLevel, area: Option<&str>, loaded: &[String]) -> Result<Transitions> {
    let (fy1, fy2) = check(from, to, level, area)?;
    let (_, flag, _, area_col) = hri_columns(level);
    // the earlier year's people of one area: our own column name, the code bound
    let in_area = if area.is_some() { format!(" AND {area_col} = ?") } else { String::new() };
    let sql = counts_sql(level, "", &in_area, "1, 2");
    let mut stmt = conn.prepare(&sql)?;
    let mut params = vec![text(&fy1.code())];
    params.extend(area.map(text));
    params.extend(to_params(fy2));
    let mut rows = stmt.query(duckdb::params_from_iter(params.iter()))?;
    let mut counts = Counts::new();
    while let Some(r) = rows.next()? {
        counts.push((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?.max(0) as u64));
    }
    let persistence = persistence(conn, fy1, fy2, flag, &in_area, area, loaded)?;
    assemble(fy1, fy2, level, area, counts, persistence)
}

/// The transitions table from its counts (fresh or stored: both go through the same checks).
fn assemble(fy1: FinYear, fy2: FinYear, level: HriLevel, area: Option<&str>, rows: Counts, persistence: HriPersistence) -> Result<Transitions> {
    let mut counts: HashMap<(String, String), u64> = HashMap::new();
    for (f, t, n) in rows {
        let (Some(f), Some(t)) = (f, t) else {
            bail!("a person-year of {} has an HRI % but no band: reload the workspace (carepath load)", fy1.label())
        };
        *counts.entry((f, t)).or_default() += n;
    }
    let mut cells = Vec::new();
    let mut from_totals = Vec::new();
    for fb in from_bands() {
        let mut total = 0;
        for tb in to_categories() {
            let people = counts.get(&(fb.to_string(), tb.to_string())).copied().unwrap_or(0);
            total += people;
            cells.push(TransitionCell { from_band: fb.into(), to_band: tb.into(), people });
        }
        from_totals.push((fb.to_string(), total));
    }
    let known: u64 = counts.values().sum();
    if known != from_totals.iter().map(|(_, n)| n).sum::<u64>() {
        bail!("unexpected HRI band or category in the workspace for {} to {}: reload the workspace (carepath load)", fy1.label(), fy2.label());
    }
    Ok(Transitions { from_year: fy1.code(), to_year: fy2.code(), level, area: area.map(String::from), from_totals, cells, persistence })
}

/// Persistence as `carepath hri` counts it (`store::cohort::hri`): the earlier year's HRIs, those
/// HRIs again in the later year (any area), those dead by the end of the later year; and the
/// runs of consecutive HRI years; of one area's earlier-year HRIs when `in_area` (the condition)
/// and `area` (its code) are given, as `carepath hri` counts an area's persistence.
fn persistence(conn: &Connection, fy1: FinYear, fy2: FinYear, flag: &str, in_area: &str, area: Option<&str>, loaded: &[String]) -> Result<HriPersistence> {
    let (_, to_end) = fy2.bounds();
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE c.anon_chi IS NOT NULL),
                count(*) FILTER (WHERE d.death_date IS NOT NULL AND d.death_date <= CAST(? AS DATE))
         FROM (SELECT anon_chi FROM person_year WHERE year = ? AND {flag}{in_area}) p
         LEFT JOIN (SELECT anon_chi FROM person_year WHERE year = ? AND {flag}) c ON c.anon_chi = p.anon_chi
         LEFT JOIN (SELECT anon_chi, death_date FROM person WHERE death_date IS NOT NULL) d ON d.anon_chi = p.anon_chi"
    );
    let mut params = vec![text(&to_end), text(&fy1.code())];
    params.extend(area.map(text));
    params.push(text(&fy2.code()));
    let (hri, remained, died): (i64, i64, i64) =
        conn.prepare(&sql)?.query_row(duckdb::params_from_iter(params.iter()), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let (hri, remained, died) = (hri.max(0) as u64, remained.max(0) as u64, died.max(0) as u64);
    let mut continuous = Vec::new();
    let mut run = vec![fy1.code()];
    for start in fy1.start + 1..=fy2.start {
        let code = FinYear { start }.code();
        if !loaded.contains(&code) {
            break;
        }
        run.push(code.clone());
        let marks = vec!["?"; run.len()].join(", ");
        let q = format!(
            "SELECT count(*) FROM (SELECT anon_chi FROM person_year WHERE year IN ({marks}) AND {flag}
               AND anon_chi IN (SELECT anon_chi FROM person_year WHERE year = ? AND {flag}{in_area})
             GROUP BY anon_chi HAVING count(DISTINCT year) = ?)"
        );
        let mut params: Vec<duckdb::types::Value> = run.iter().map(|y| text(y)).collect();
        params.push(text(&fy1.code()));
        params.extend(area.map(text));
        params.push(duckdb::types::Value::BigInt(run.len() as i64));
        let n: i64 = conn.prepare(&q)?.query_row(duckdb::params_from_iter(params.iter()), |r| r.get(0))?;
        continuous.push(ContinuousHri { through_year: code, years: run.len() as u32, people: n.max(0) as u64 });
    }
    let share = if hri > 0 { Some(remained as f64 / hri as f64) } else { None };
    Ok(HriPersistence { hri_people: hri, remained, died, share, continuous })
}
