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
    person::build_sc_link(conn)?;
    person::build_person(conn)?;
    event::build_event(conn)?;
    person_year::build_person_year(conn)?;
    hri::apply_hri(conn)?;
    Ok(())
}
