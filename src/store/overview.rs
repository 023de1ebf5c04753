//! The figures of the Overview screen for one financial year: population, cost, the HRI
//! headline (Scotland level), a Lorenz curve of health cost, and cost/people by service, age
//! band and SIMD quintile.
use anyhow::Result;
use duckdb::Connection;

pub use crate::model::figures::Overview;


pub const AGE_BANDS: [(&str, i64, i64); 6] =
    [("0-17", 0, 17), ("18-44", 18, 44), ("45-64", 45, 64), ("65-74", 65, 74), ("75-84", 75, 84), ("85+", 85, 200)];

/// SQL CASE giving the age band label of `age`.
pub fn age_band_sql(age: &str) -> String {
    let whens: Vec<String> =
        AGE_BANDS.iter().map(|(l, lo, hi)| format!("WHEN {age} BETWEEN {lo} AND {hi} THEN '{l}'")).collect();
    format!("CASE {} ELSE 'unknown' END", whens.join(" "))
}

/// The overview of `year` (default: the latest), from the copy the load stored when it is
/// current: a reopened workspace shows its first screen without scanning the model (at
/// country scale the figures take seconds to compute). Computed when not stored.
pub fn overview(conn: &Connection, year: Option<&str>) -> Result<Overview> {
    if let Some(o) = stored(conn, year) {
        return Ok(o);
    }
    compute(conn, year)
}

/// Compute and store the overview of every year; the loader calls this inside its transaction
/// (so the stored copy is always that of the model it sits beside).
pub fn store_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TABLE overview_store (year VARCHAR, latest BOOLEAN, stamp VARCHAR, figures VARCHAR)",
    )?;
    let all = crate::store::cohort::available_years(conn)?;
    let stamp = crate::store::schema::load_stamp(conn)?;
    for y in &all {
        let o = compute(conn, Some(y))?;
        let json = serde_json::to_string(&o)?;
        conn.execute(
            "INSERT INTO overview_store VALUES (?, ?, ?, ?)",
            duckdb::params![y, Some(y) == all.last(), stamp, json],
        )?;
    }
    Ok(())
}

/// The stored overview of `year` (or of the latest year), if present and current.
fn stored(conn: &Connection, year: Option<&str>) -> Option<Overview> {
    let stamp = crate::store::schema::load_stamp(conn).ok()?;
    let json: String = conn
        .query_row(
            "SELECT figures FROM overview_store WHERE stamp = ? AND (year = ? OR (? IS NULL AND latest))",
            duckdb::params![stamp, year, year],
            |r| r.get(0),
        )
        .ok()?;
    serde_json::from_str(&json).ok()
}

/// Compute the overview figures from the model.
pub fn compute(conn: &Connection, year: Option<&str>) -> Result<Overview> {
    let years = crate::store::cohort::available_years(conn)?;
    let year = match year.map(str::to_string).or_else(|| years.last().cloned()) {
        Some(y) => y,
        None => return Ok(Overview::default()),
    };
    let mut o = Overview { year: year.clone(), years: years.clone(), ..Default::default() };
    let (people, cost, hri, scored, hri_cost, scored_cost, hri_bd, scored_bd): (i64, f64, i64, i64, f64, f64, f64, f64) =
        conn.query_row(
            "SELECT count(*), coalesce(sum(health_net_cost), 0),
                    count(*) FILTER (WHERE hri_scot), count(*) FILTER (WHERE hri_scotp IS NOT NULL),
                    coalesce(sum(health_net_cost) FILTER (WHERE hri_scot), 0),
                    coalesce(sum(health_net_cost) FILTER (WHERE hri_scotp IS NOT NULL), 0),
                    coalesce(sum(acute_beddays) FILTER (WHERE hri_scot), 0),
                    coalesce(sum(acute_beddays) FILTER (WHERE hri_scotp IS NOT NULL), 0)
             FROM person_year WHERE year = ?",
            [&year],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )?;
    o.people = people;
    o.health_cost = cost;
    o.hri_people = hri;
    o.hri_pct_people = pct(hri as f64, scored as f64);
    o.hri_pct_cost = pct(hri_cost, scored_cost);
    o.hri_pct_acute_beddays = pct(hri_bd, scored_bd);
    o.events = conn.query_row("SELECT count(*) FROM event WHERE year = ?", [&year], |r| r.get(0))?;
    if let Some(prev) = years.iter().take_while(|y| **y != year).last() {
        let (was, still): (i64, i64) = conn.query_row(
            "SELECT count(*), count(*) FILTER (WHERE n.hri_scot) FROM person_year p
             LEFT JOIN person_year n ON n.anon_chi = p.anon_chi AND n.year = ?
             WHERE p.year = ? AND p.hri_scot",
            [&year, prev],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if was > 0 {
            o.persistence_pct = Some(pct(still as f64, was as f64));
        }
    }
    // Lorenz: people cheapest first in 50 equal groups; Gini exactly from the sorted costs.
    let mut st = conn.prepare(
        "SELECT g, count(*), sum(c) FROM (SELECT health_net_cost AS c, ntile(50) OVER (ORDER BY health_net_cost, anon_chi) AS g
         FROM person_year WHERE year = ?) GROUP BY g ORDER BY g",
    )?;
    let groups: Vec<(i64, i64, f64)> =
        st.query_map([&year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let (mut n_acc, mut c_acc) = (0.0, 0.0);
    o.lorenz.push((0.0, 0.0));
    for (_, n, c) in groups {
        n_acc += n as f64;
        c_acc += c;
        o.lorenz.push((n_acc / (people.max(1) as f64), if cost > 0.0 { c_acc / cost } else { 0.0 }));
    }
    o.gini = conn.query_row(
        "SELECT CASE WHEN count(*) > 0 AND sum(c) > 0 THEN 2.0 * sum(i * c) / (count(*) * sum(c)) - (count(*) + 1.0) / count(*) ELSE 0 END
         FROM (SELECT health_net_cost AS c, row_number() OVER (ORDER BY health_net_cost, anon_chi) AS i FROM person_year WHERE year = ?)",
        [&year],
        |r| r.get(0),
    )?;
    let mut st = conn.prepare(
        "SELECT coalesce(s.service_name, e.recid), sum(e.cost), count(DISTINCT e.anon_chi) FROM event e
         LEFT JOIN ref_service s USING (recid) WHERE e.year = ? AND e.recid NOT IN ('NRS')
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    o.by_service = st.query_map([&year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let band = age_band_sql("age");
    let mut st = conn.prepare(&format!(
        "SELECT {band} AS band, sum(health_net_cost), count(*) FROM person_year WHERE year = ? GROUP BY band"
    ))?;
    let mut by_age: Vec<(String, f64, i64)> =
        st.query_map([&year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    by_age.sort_by_key(|(b, _, _)| AGE_BANDS.iter().position(|(l, _, _)| l == b).unwrap_or(99));
    o.by_age = by_age;
    let mut st = conn.prepare(
        "SELECT coalesce(CAST(simd_quintile AS VARCHAR), 'unknown'), sum(health_net_cost), count(*) FROM person_year
         WHERE year = ? GROUP BY 1 ORDER BY 1",
    )?;
    o.by_simd = st.query_map([&year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(o)
}

fn pct(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        100.0 * a / b
    } else {
        0.0
    }
}
