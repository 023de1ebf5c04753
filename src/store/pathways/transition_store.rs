//! HRI transitions stored at load. Each call of `carepath transitions` would otherwise join two
//! years of `person_year` (at country scale 2-6 s, over the 1 s target of issue 13), so the
//! loader stores, inside its transaction, the counts of every pair of loaded years at every
//! level by the earlier year's area, with persistence and the continuous-HRI runs. A request
//! is then a sum over a few rows. The counts are those of `transitions_fresh` (the same SQL,
//! grouped by area as well), and the stored copy is used only under the load stamp it was
//! written with and for the same loaded years.
use super::transition_sql::{counts_sql, to_params, Counts};
use crate::model::hri::HriLevel;
use crate::model::transitions::{ContinuousHri, HriPersistence};
use crate::model::year::FinYear;
use crate::store::cohort::sql::{hri_columns, text};
use anyhow::Result;
use duckdb::types::Value;
use duckdb::Connection;

const LEVELS: [HriLevel; 3] = [HriLevel::Scotland, HriLevel::Board, HriLevel::Council];

fn level_code(level: HriLevel) -> &'static str {
    match level {
        HriLevel::Scotland => "scotland",
        HriLevel::Board => "board",
        HriLevel::Council => "council",
    }
}

/// Compute and store the transitions of every pair of loaded years; the loader calls this
/// inside its transaction, after `person_year` and `person` are rebuilt.
pub fn store_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TABLE transition_pairs (from_year VARCHAR, to_year VARCHAR, stamp VARCHAR, years VARCHAR);
         CREATE OR REPLACE TABLE transition_store (from_year VARCHAR, to_year VARCHAR, level VARCHAR, area VARCHAR,
                                                   from_band VARCHAR, to_band VARCHAR, people BIGINT);
         CREATE OR REPLACE TABLE transition_persistence (from_year VARCHAR, to_year VARCHAR, level VARCHAR, area VARCHAR,
                                                         hri BIGINT, remained BIGINT, died BIGINT);
         CREATE OR REPLACE TABLE transition_runs (from_year VARCHAR, through_year VARCHAR, level VARCHAR, area VARCHAR, people BIGINT);",
    )?;
    let loaded = crate::store::cohort::available_years(conn)?;
    let years: Vec<FinYear> = loaded.iter().filter_map(|y| FinYear::parse(y)).collect();
    let stamp = crate::store::schema::load_stamp(conn)?;
    for (i, fy1) in years.iter().enumerate() {
        for fy2 in &years[i + 1..] {
            for level in LEVELS {
                store_pair(conn, *fy1, *fy2, level)?;
            }
            conn.execute("INSERT INTO transition_pairs VALUES (?, ?, ?, ?)", duckdb::params![fy1.code(), fy2.code(), stamp, loaded.join(",")])?;
        }
        for level in LEVELS {
            store_runs(conn, *fy1, level, &loaded)?;
        }
    }
    Ok(())
}

/// The counts and persistence of one pair at one level, by the earlier year's area.
fn store_pair(conn: &Connection, fy1: FinYear, fy2: FinYear, level: HriLevel) -> Result<()> {
    let head = vec![text(&fy1.code()), text(&fy2.code()), text(level_code(level))];
    let sql = format!("INSERT INTO transition_store SELECT ?, ?, ?, * FROM ({})", counts_sql(level, "f.area, ", "", "1, 2, 3"));
    let mut params = head.clone();
    params.push(text(&fy1.code()));
    params.extend(to_params(fy2));
    conn.prepare(&sql)?.execute(duckdb::params_from_iter(params.iter()))?;

    let (_, flag, _, area_col) = hri_columns(level);
    let (_, to_end) = fy2.bounds();
    let sql = format!(
        "INSERT INTO transition_persistence
         SELECT ?, ?, ?, p.area, count(*), count(*) FILTER (WHERE c.anon_chi IS NOT NULL),
                count(*) FILTER (WHERE d.death_date IS NOT NULL AND d.death_date <= CAST(? AS DATE))
         FROM (SELECT anon_chi, CAST({area_col} AS VARCHAR) AS area FROM person_year WHERE year = ? AND {flag}) p
         LEFT JOIN (SELECT anon_chi FROM person_year WHERE year = ? AND {flag}) c ON c.anon_chi = p.anon_chi
         LEFT JOIN (SELECT anon_chi, death_date FROM person WHERE death_date IS NOT NULL) d ON d.anon_chi = p.anon_chi
         GROUP BY p.area"
    );
    let mut params = head;
    params.extend([text(&to_end), text(&fy1.code()), text(&fy2.code())]);
    conn.prepare(&sql)?.execute(duckdb::params_from_iter(params.iter()))?;
    Ok(())
}

/// The continuous-HRI runs from `fy1`: people HRI in every year from `fy1` through each later
/// year, while the years are loaded one after another (as `transitions_fresh` counts them).
fn store_runs(conn: &Connection, fy1: FinYear, level: HriLevel, loaded: &[String]) -> Result<()> {
    let (_, flag, _, area_col) = hri_columns(level);
    let mut run = vec![fy1.code()];
    for start in fy1.start + 1.. {
        let code = FinYear { start }.code();
        if !loaded.contains(&code) {
            break;
        }
        run.push(code.clone());
        let marks = vec!["?"; run.len()].join(", ");
        let sql = format!(
            "INSERT INTO transition_runs
             SELECT ?, ?, ?, p.area, count(*)
             FROM (SELECT anon_chi FROM person_year WHERE year IN ({marks}) AND {flag} GROUP BY anon_chi HAVING count(DISTINCT year) = ?) r
             JOIN (SELECT anon_chi, CAST({area_col} AS VARCHAR) AS area FROM person_year WHERE year = ? AND {flag}) p ON p.anon_chi = r.anon_chi
             GROUP BY p.area"
        );
        let mut params = vec![text(&fy1.code()), text(&code), text(level_code(level))];
        params.extend(run.iter().map(|y| text(y)));
        params.push(Value::BigInt(run.len() as i64));
        params.push(text(&fy1.code()));
        conn.prepare(&sql)?.execute(duckdb::params_from_iter(params.iter()))?;
    }
    Ok(())
}

/// Whether the stored pair answers: written under the current load stamp for the same loaded
/// years. No table (a workspace loaded before this existed): no.
fn pair_stored(conn: &Connection, fy1: FinYear, fy2: FinYear, loaded: &[String]) -> bool {
    let Ok(stamp) = crate::store::schema::load_stamp(conn) else { return false };
    let n: Result<i64, _> = conn.query_row(
        "SELECT count(*) FROM transition_pairs WHERE from_year = ? AND to_year = ? AND stamp = ? AND years = ?",
        duckdb::params![fy1.code(), fy2.code(), stamp, loaded.join(",")],
        |r| r.get(0),
    );
    matches!(n, Ok(n) if n > 0)
}

/// Whether the load stored the pair `from` to `to` (FY codes) for these loaded years.
pub fn present(conn: &Connection, from: &str, to: &str, loaded: &[String]) -> bool {
    match (FinYear::parse(from), FinYear::parse(to)) {
        (Some(a), Some(b)) => pair_stored(conn, a, b, loaded),
        _ => false,
    }
}

/// `area = ?` when an area is asked for (its code bound), else every area of the level.
fn area_filter(area: Option<&str>, params: &mut Vec<Value>) -> &'static str {
    match area {
        Some(a) => {
            params.push(text(a));
            " AND area = ?"
        }
        None => "",
    }
}

/// The stored counts and persistence of a request, or None when the load did not store them
/// (then the caller computes them).
pub(super) fn read(conn: &Connection, fy1: FinYear, fy2: FinYear, level: HriLevel, area: Option<&str>, loaded: &[String]) -> Result<Option<(Counts, HriPersistence)>> {
    if !pair_stored(conn, fy1, fy2, loaded) {
        return Ok(None);
    }
    let key = || vec![text(&fy1.code()), text(&fy2.code()), text(level_code(level))];
    let mut params = key();
    let cond = area_filter(area, &mut params);
    let mut st = conn.prepare(&format!(
        "SELECT from_band, to_band, sum(people) FROM transition_store WHERE from_year = ? AND to_year = ? AND level = ?{cond} GROUP BY ALL"
    ))?;
    let mut rows = st.query(duckdb::params_from_iter(params.iter()))?;
    let mut counts = Counts::new();
    while let Some(r) = rows.next()? {
        let n: Option<i64> = r.get(2)?;
        counts.push((r.get(0)?, r.get(1)?, n.unwrap_or(0).max(0) as u64));
    }
    let mut params = key();
    let cond = area_filter(area, &mut params);
    let (hri, remained, died): (Option<i64>, Option<i64>, Option<i64>) = conn
        .prepare(&format!(
            "SELECT sum(hri), sum(remained), sum(died) FROM transition_persistence WHERE from_year = ? AND to_year = ? AND level = ?{cond}"
        ))?
        .query_row(duckdb::params_from_iter(params.iter()), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let u = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
    let (hri, remained, died) = (u(hri), u(remained), u(died));
    let mut continuous = Vec::new();
    let mut years = 1;
    for start in fy1.start + 1..=fy2.start {
        let code = FinYear { start }.code();
        if !loaded.contains(&code) {
            break;
        }
        years += 1;
        let mut params = vec![text(&fy1.code()), text(&code), text(level_code(level))];
        let cond = area_filter(area, &mut params);
        let n: Option<i64> = conn
            .prepare(&format!("SELECT sum(people) FROM transition_runs WHERE from_year = ? AND through_year = ? AND level = ?{cond}"))?
            .query_row(duckdb::params_from_iter(params.iter()), |r| r.get(0))?;
        continuous.push(ContinuousHri { through_year: code, years, people: u(n) });
    }
    let share = if hri > 0 { Some(remained as f64 / hri as f64) } else { None };
    Ok(Some((counts, HriPersistence { hri_people: hri, remained, died, share, continuous })))
}
