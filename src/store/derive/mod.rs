//! Rebuild the canonical model from everything staged: `sc_link` (social care client ->
//! person), `person`, `event`, `person_year` (with HRI). Runs inside the load transaction.
pub(crate) mod common_sql;
mod event;
mod hri;
mod person;
mod person_year;

use anyhow::Result;
use duckdb::Connection;

/// Care home cost per day and home care cost per hour by FY (and council), from `assets/`
/// (see `model::costs`), as temporary tables for this rebuild.
fn build_rate_tables(conn: &Connection) -> Result<()> {
    use crate::model::costs;
    use duckdb::params;
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE ch_rate (year VARCHAR, nursing INTEGER, cost_per_day DOUBLE);
         CREATE OR REPLACE TEMP TABLE hc_rate (year VARCHAR, lca VARCHAR, hourly_cost DOUBLE);",
    )?;
    let mut ch = conn.prepare("INSERT INTO ch_rate VALUES (?, ?, ?)")?;
    for r in costs::care_home_rates_by_year() {
        ch.execute(params![r.year, r.nursing, r.cost_per_day])?;
    }
    let mut hc = conn.prepare("INSERT INTO hc_rate VALUES (?, ?, ?)")?;
    for r in costs::home_care_rates_by_year() {
        hc.execute(params![r.year, r.lca, r.hourly_cost])?;
    }
    Ok(())
}

pub fn rebuild(conn: &Connection) -> Result<()> {
    use crate::store::timing::timing;
    build_rate_tables(conn)?;
    let t = std::time::Instant::now();
    person::build_sc_link(conn)?;
    person::build_person(conn)?;
    timing("derive person", t);
    let t = std::time::Instant::now();
    event::build_event(conn)?;
    timing("derive event", t);
    let t = std::time::Instant::now();
    // one year at a time, HRI ranks included (see `person_year`)
    person_year::build_person_year(conn)?;
    timing("derive person_year and hri", t);
    // The years list, read on every cohort edit: too slow to take from person_year each time.
    conn.execute_batch("CREATE OR REPLACE TABLE person_year_years AS SELECT DISTINCT year FROM person_year WHERE year IS NOT NULL")?;
    Ok(())
}
