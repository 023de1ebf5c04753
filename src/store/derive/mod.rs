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

/// `arg_max(col, sk) FILTER (WHERE col IS NOT NULL) AS alias, ...`: each column's latest known
/// value by the sort key `sk` (person and person_year take geography and SIMD this way).
pub(crate) fn latest_known(cols: &[(&str, &str)]) -> String {
    cols.iter()
        .map(|(col, alias)| format!("arg_max({col}, sk) FILTER (WHERE {col} IS NOT NULL) AS {alias}"))
        .collect::<Vec<_>>()
        .join(",\n             ")
}

/// Geography and SIMD columns of the SLF files with the names the model gives them; person and
/// person_year both take the latest known value of each.
pub(crate) const GEOGRAPHY: [(&str, &str); 11] = [
    ("lca", "lca"),
    ("ca2019", "ca2019"),
    ("hb2019", "hb2019"),
    ("hscp2019", "hscp2019"),
    ("locality", "locality"),
    ("datazone2011", "datazone2011"),
    ("simd2020v2_rank", "simd_rank"),
    ("simd2020v2_sc_decile", "simd_decile"),
    ("simd2020v2_sc_quintile", "simd_quintile"),
    ("ur2_2022", "ur2"),
    ("ur8_2022", "ur8"),
];

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
