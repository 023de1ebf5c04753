//! Rebuild the canonical model from everything staged: `sc_link` (social care client ->
//! person), `person`, `event`, `person_year` (with HRI). Runs inside the load transaction.
mod event;
mod hri;
mod person;
mod person_year;

use anyhow::Result;
use duckdb::Connection;

/// Inpatient record types: admissions, CIJs and bed days come from these.
pub const INPATIENT: &str = "('01B', '02B', '04B', 'GLS')";

pub fn rebuild(conn: &Connection) -> Result<()> {
    use crate::store::ingest::timing;
    let t = std::time::Instant::now();
    person::build_sc_link(conn)?;
    person::build_person(conn)?;
    timing("derive person", t);
    let t = std::time::Instant::now();
    event::build_event(conn)?;
    timing("derive event", t);
    let t = std::time::Instant::now();
    person_year::build_person_year(conn)?;
    timing("derive person_year", t);
    let t = std::time::Instant::now();
    hri::apply_hri(conn)?;
    timing("derive hri", t);
    // The years list, read on every cohort edit: too slow to take from person_year each time.
    conn.execute_batch("CREATE OR REPLACE TABLE person_year_years AS SELECT DISTINCT year FROM person_year WHERE year IS NOT NULL")?;
    Ok(())
}
