//! Load one person's timeline from the canonical model with bound parameters.
//!
//! Every query filters on `anon_chi = ?`: `event` and `person` are stored sorted by `anon_chi`
//! and `person_year` by (`year`, `anon_chi`), so DuckDB's zone maps (row-group min/max) skip all
//! but the row groups holding that person; nothing scans the whole event table. `person_year` is
//! sorted by year first (for cohort queries) and LTC incidence dates live in the staged extracts,
//! so both are copied once per load into one side table sorted by person, `timeline_person`
//! (one row per person-year, one per LTC onset), built by [`prepare`] or lazily on the first
//! timeline after a load, and rebuilt when the load log changes. If the workspace is read-only
//! and the side table is missing or stale, the canonical tables are read directly (slower, same
//! answer).
//!
//! [`load_timeline`] reads only; showing a timeline to someone goes through the operations layer
//! (`ops::Query::Timeline`), which audits the view and replaces the id by a pseudonym.
mod build;

pub use build::{assemble, EventRow};

use crate::model::ltc::ltcs;
use crate::model::timeline::{fy_bounds, fy_label, Day, LtcOnset, PersonHeader, Timeline, YearSummary};
use crate::store::sql::ident;
use anyhow::Result;
use duckdb::{params, Connection, OptionalExt};

/// The person asked for is not in the workspace (a clear, typed error for CLI and TUI).
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error("no person with id {0:?} in this workspace (ids are anon_chi values and are case-sensitive)")]
    UnknownPerson(String),
    #[error("the workspace has no data loaded yet: run `carepath load <extracts> --workspace <file>` first")]
    NoModel,
}

/// The side table sorted by person (person-years and LTC onsets) and its freshness stamp table.
pub const SIDE_TABLE: &str = "timeline_person";
const CACHE_META: &str = "timeline_cache";

/// `person_year` columns a year line needs (same order in the side table and the direct read).
const YEAR_COLUMNS: &str = "year, CAST(age AS BIGINT) AS age, health_net_cost, coalesce(ch_cost, 0) + coalesce(hc_cost, 0) AS social_care_cost, dn_cost,
    emergency_admissions, elective_admissions, ae_attendances, acute_beddays, inpatient_beddays, dd_beddays,
    ch_beddays, hc_hours, pis_items, ltc_count, hri_scot, hri_scot_band, hri_hb_band, hri_lca_band, died_in_year";

/// Days since 1970-01-01 of a DATE column, as SQL.
fn day(col: &str) -> String {
    format!("CAST(date_diff('day', DATE '1970-01-01', {col}) AS INTEGER)")
}

/// Is this id a person in the workspace?
pub fn person_exists(conn: &Connection, anon_chi: &str) -> Result<bool> {
    let mut st = conn.prepare_cached("SELECT count(*) FROM person WHERE anon_chi = ?")?;
    let n: i64 = st.query_row([anon_chi], |r| r.get(0))?;
    Ok(n > 0)
}

/// Load one person's whole timeline (all years, all services). Reads only: no audit entry (a
/// viewer goes through `ops::Query::Timeline`). Errors with [`TimelineError::UnknownPerson`]
/// if the id is not in the workspace.
pub fn load_timeline(conn: &Connection, anon_chi: &str) -> Result<Timeline> {
    // One query in the common case: the side table row set carries its own freshness flag. A
    // stale or missing table, or no person header, is checked (and rebuilt if we can) once.
    let side = match load_side(conn, anon_chi) {
        Ok(Some(side)) if side.0.is_some() => Some(side),
        _ if ensure_side_table(conn)? => load_side(conn, anon_chi)?,
        _ => None,
    };
    let (person, mut years, ltc_onsets) = match side {
        Some(side) => side,
        None => (load_person(conn, anon_chi)?, load_years_direct(conn, anon_chi)?, load_ltc_direct(conn, anon_chi)?),
    };
    let person = person.ok_or_else(|| TimelineError::UnknownPerson(anon_chi.to_string()))?;
    let rows = load_event_rows(conn, anon_chi)?;
    for y in &mut years {
        y.total_cost = rows.iter().filter(|r| r.year.as_deref() == Some(y.year.as_str())).map(|r| r.cost).sum();
    }
    years.sort_by_key(|y| (y.start, y.year.clone()));
    Ok(assemble(person, rows, years, ltc_onsets))
}

/// A few person ids for benchmarks (deterministic for a given seed): people with events.
pub fn sample_person_ids(conn: &Connection, n: usize, seed: u64) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT anon_chi FROM (SELECT anon_chi FROM person ORDER BY hash(anon_chi || ?) LIMIT {n}) ORDER BY anon_chi"
    );
    let mut st = conn.prepare(&sql)?;
    let ids =
        st.query_map([seed.to_string()], |r| r.get::<_, String>(0))?.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// Build the side tables the timeline uses (LTC onsets per person, sorted by person) if they are
/// missing or older than the latest load. Cheap when fresh. Call after a load to keep the
/// first timeline opening fast; `load_timeline` calls it too.
pub fn prepare(conn: &Connection) -> Result<()> {
    ensure_side_table(conn).map(|_| ())
}

/// Build the side table unconditionally, without first probing for it: inside a transaction a
/// failed probe (table not there yet) would abort the whole transaction. The loader calls this.
pub fn rebuild_side_table(conn: &Connection) -> Result<()> {
    side_table_statements(conn)
}

/// Make sure the side table is fresh; Ok(false) if it is stale and cannot be built (read-only).
fn ensure_side_table(conn: &Connection) -> Result<bool> {
    let sql = format!("SELECT {}", fresh_sql());
    let fresh: Option<bool> =
        conn.prepare_cached(&sql).and_then(|mut st| st.query_row([], |r| r.get(0))).ok().flatten();
    if fresh == Some(true) {
        return Ok(true);
    }
    build_side_table(conn)
}

/// SQL: is the side table's stamp the current one? (Errors if the side tables do not exist.)
fn fresh_sql() -> String {
    format!("(SELECT stamp FROM {CACHE_META} WHERE name = '{SIDE_TABLE}') = {}", stamp_sql())
}

/// Freshness stamp: the side table's layout version and the state of the load log (a new or
/// replaced file changes the largest file id, the count or the latest load time).
fn stamp_sql() -> String {
    format!("('side-v2:' || {})", crate::store::schema::LOAD_STAMP_SQL)
}

/// The statements that (re)build the side table and stamp it; no transaction handling here.
fn side_table_statements(conn: &Connection) -> Result<()> {
    let stamp: String = conn.query_row(&format!("SELECT {}", stamp_sql()), [], |r| r.get(0))?;
    let mins: Vec<String> =
        ltcs().iter().map(|l| format!("min({}) AS {}", ident(&format!("{}_date", l.code)), ident(&l.code))).collect();
    let cols: Vec<String> = ltcs().iter().map(|l| ident(&l.code)).collect();
    let build = format!(
        "CREATE TABLE IF NOT EXISTS {CACHE_META} (name VARCHAR PRIMARY KEY, stamp VARCHAR);
         CREATE OR REPLACE TABLE {SIDE_TABLE} AS
         SELECT * FROM (
           SELECT p.anon_chi, 'person' AS kind, {PERSON_COLUMNS} FROM {PERSON_FROM}
           UNION ALL BY NAME
           SELECT anon_chi, 'year' AS kind, {YEAR_COLUMNS}, CAST(NULL AS VARCHAR) AS ltc, CAST(NULL AS DATE) AS onset FROM person_year
           UNION ALL BY NAME
           SELECT anon_chi, 'ltc' AS kind, ltc, onset FROM (
             UNPIVOT (SELECT anon_chi, {mins} FROM (
                        SELECT * FROM stg_episode UNION ALL BY NAME SELECT * FROM stg_individual)
                      GROUP BY anon_chi)
             ON {cols} INTO NAME ltc VALUE onset)
           WHERE onset IS NOT NULL)
         ORDER BY anon_chi, kind, year, onset, ltc;",
        mins = mins.join(", "),
        cols = cols.join(", "),
    );
    conn.execute_batch(&build)?;
    conn.execute(&format!("INSERT OR REPLACE INTO {CACHE_META} VALUES (?, ?)"), params![SIDE_TABLE, stamp])?;
    Ok(())
}

/// Build the side table in its own transaction; Ok(false) when it cannot be (read-only).
fn build_side_table(conn: &Connection) -> Result<bool> {
    if conn.execute_batch("BEGIN TRANSACTION").is_err() {
        return Ok(false);
    }
    match side_table_statements(conn) {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            Ok(true)
        }
        Err(_) => {
            let _ = conn.execute_batch("ROLLBACK");
            Ok(false)
        }
    }
}

fn load_person(conn: &Connection, anon_chi: &str) -> Result<Option<PersonHeader>> {
    let sql = format!(
        "SELECT p.sex, {}, {}, council_name, board_name, simd_quintile FROM (SELECT p.anon_chi, {PERSON_COLUMNS} FROM {PERSON_FROM}) p WHERE p.anon_chi = ?",
        day("p.birth_ym"),
        day("p.death_date")
    );
    let mut st = conn.prepare_cached(&sql)?;
    let p = st.query_row([anon_chi], |r| person_row(r, anon_chi, 0)).optional()?;
    Ok(p)
}

/// Person header columns (no date of birth: only the birth month, used for ages).
const PERSON_COLUMNS: &str =
    "p.sex, p.birth_ym, p.death_date, c.council_name, b.board_name, CAST(p.simd_quintile AS BIGINT) AS simd_quintile";
const PERSON_FROM: &str =
    "person p LEFT JOIN ref_council c ON c.lca = p.lca LEFT JOIN ref_board b ON b.hb2019 = p.hb2019";

fn person_row(r: &duckdb::Row<'_>, anon_chi: &str, at: usize) -> duckdb::Result<PersonHeader> {
    let mut h = PersonHeader::new(anon_chi).with_birth_ym(r.get::<_, Option<Day>>(at + 1)?);
    h.sex = r.get(at)?;
    h.death = r.get(at + 2)?;
    h.council = r.get(at + 3)?;
    h.board = r.get(at + 4)?;
    h.simd_quintile = r.get(at + 5)?;
    Ok(h)
}

const EVENT_COLUMNS: &str =
    "event_id, year, recid, smrtype, {start}, {end}, cost, beddays, stay, cij_marker, {cs}, {ce},
    emergency, elective, ipdc, spec, tadm, diag1, diag2, diag3, diag4, diag5, diag6, ppa, attendance_status,
    delay_reason, delay_reason_secondary, code9, delay_end_reason, ae_attendcat, ae_arrivalmode, prescribing_items,
    ch_nursing, ch_admission_type, hc_hours, hc_service, hc_reablement, sds_option, source, file_id, source_row";

/// All of one person's rows of `event`, in storage order.
pub fn load_event_rows(conn: &Connection, anon_chi: &str) -> Result<Vec<EventRow>> {
    let cols = EVENT_COLUMNS
        .replace("{start}", &day("start_date"))
        .replace("{end}", &day("end_date"))
        .replace("{cs}", &day("cij_start_date"))
        .replace("{ce}", &day("cij_end_date"));
    let sql = format!("SELECT {cols} FROM event WHERE anon_chi = ? ORDER BY start_date NULLS FIRST, event_id");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st
        .query_map([anon_chi], |r| {
            let diags: Vec<String> = (17..23).filter_map(|i| r.get::<_, Option<String>>(i).ok().flatten()).collect();
            Ok(EventRow {
                event_id: r.get(0)?,
                year: r.get(1)?,
                recid: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                smrtype: r.get(3)?,
                start: r.get(4)?,
                end: r.get(5)?,
                cost: r.get::<_, Option<f64>>(6)?.unwrap_or(0.0),
                beddays: r.get::<_, Option<f64>>(7)?.unwrap_or(0.0),
                stay: r.get(8)?,
                cij_marker: r.get(9)?,
                cij_start: r.get(10)?,
                cij_end: r.get(11)?,
                emergency: r.get::<_, Option<bool>>(12)?.unwrap_or(false),
                elective: r.get::<_, Option<bool>>(13)?.unwrap_or(false),
                ipdc: r.get(14)?,
                spec: r.get(15)?,
                tadm: r.get(16)?,
                diagnoses: diags,
                ppa: r.get::<_, Option<bool>>(23)?.unwrap_or(false),
                attendance_status: r.get(24)?,
                delay_reason: r.get(25)?,
                delay_reason_secondary: r.get(26)?,
                code9: r.get::<_, Option<bool>>(27)?.unwrap_or(false),
                delay_end_reason: r.get(28)?,
                ae_attendcat: r.get(29)?,
                ae_arrivalmode: r.get(30)?,
                prescribing_items: r.get(31)?,
                ch_nursing: r.get(32)?,
                ch_admission_type: r.get(33)?,
                hc_hours: r.get(34)?,
                hc_service: r.get(35)?,
                hc_reablement: r.get(36)?,
                sds_option: r.get(37)?,
                source: r.get(38)?,
                file_id: r.get(39)?,
                source_row: r.get(40)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn year_row(r: &duckdb::Row<'_>, at: usize) -> duckdb::Result<YearSummary> {
    let year: String = r.get(at)?;
    let (start, end) = fy_bounds(&year).unwrap_or((0, 0));
    let f = |i: usize| -> duckdb::Result<f64> { Ok(r.get::<_, Option<f64>>(at + i)?.unwrap_or(0.0)) };
    let n = |i: usize| -> duckdb::Result<i64> { Ok(r.get::<_, Option<i64>>(at + i)?.unwrap_or(0)) };
    Ok(YearSummary {
        label: fy_label(&year),
        start,
        end,
        age: r.get(at + 1)?,
        health_cost: f(2)?,
        social_care_cost: f(3)?,
        dn_cost: f(4)?,
        total_cost: 0.0,
        emergency_admissions: n(5)?,
        elective_admissions: n(6)?,
        ae_attendances: n(7)?,
        acute_beddays: f(8)?,
        inpatient_beddays: f(9)?,
        dd_beddays: f(10)?,
        ch_beddays: f(11)?,
        hc_hours: f(12)?,
        pis_items: f(13)?,
        ltc_count: n(14)?,
        hri_scot: r.get::<_, Option<bool>>(at + 15)?.unwrap_or(false),
        hri_scot_band: r.get(at + 16)?,
        hri_hb_band: r.get(at + 17)?,
        hri_lca_band: r.get(at + 18)?,
        died_in_year: r.get::<_, Option<bool>>(at + 19)?.unwrap_or(false),
        year,
    })
}

fn ltc_onset(code: String, date: Day) -> LtcOnset {
    let label = crate::model::ltc::ltc(&code).map(|l| l.label.clone()).unwrap_or_else(|| code.clone());
    LtcOnset { ltc: code, label, date }
}

type Side = (Option<PersonHeader>, Vec<YearSummary>, Vec<LtcOnset>);

/// Person header, year lines and LTC onsets from the side table (one row-group read; the
/// caller has checked it is fresh).
fn load_side(conn: &Connection, anon_chi: &str) -> Result<Option<Side>> {
    let year_cols: Vec<&str> = vec![
        "year",
        "age",
        "health_net_cost",
        "social_care_cost",
        "dn_cost",
        "emergency_admissions",
        "elective_admissions",
        "ae_attendances",
        "acute_beddays",
        "inpatient_beddays",
        "dd_beddays",
        "ch_beddays",
        "hc_hours",
        "pis_items",
        "ltc_count",
        "hri_scot",
        "hri_scot_band",
        "hri_hb_band",
        "hri_lca_band",
        "died_in_year",
    ];
    let sql = format!(
        "SELECT {fresh} AS fresh, kind, ltc, {onset}, sex, {birth}, {death}, council_name, board_name, simd_quintile, {cols}
         FROM {SIDE_TABLE} WHERE anon_chi = ?",
        fresh = fresh_sql(),
        onset = day("onset"),
        birth = day("birth_ym"),
        death = day("death_date"),
        cols = year_cols.join(", ")
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut person = None;
    let mut years = Vec::new();
    let mut ltc = Vec::new();
    let mut q = st.query([anon_chi])?;
    while let Some(r) = q.next()? {
        if r.get::<_, Option<bool>>(0)? != Some(true) {
            return Ok(None);
        }
        let kind: Option<String> = r.get(1)?;
        match kind.as_deref() {
            Some("person") => person = Some(person_row(r, anon_chi, 4)?),
            Some("year") => years.push(year_row(r, 10)?),
            Some(_) => {
                if let (Some(code), Some(d)) = (r.get::<_, Option<String>>(2)?, r.get::<_, Option<Day>>(3)?) {
                    ltc.push(ltc_onset(code, d));
                }
            }
            None => {}
        }
    }
    ltc.sort_by(|a, b| (a.date, &a.ltc).cmp(&(b.date, &b.ltc)));
    Ok(Some((person, years, ltc)))
}

/// Year lines straight from `person_year` (read-only workspace without a fresh side table).
fn load_years_direct(conn: &Connection, anon_chi: &str) -> Result<Vec<YearSummary>> {
    let sql = format!("SELECT {YEAR_COLUMNS} FROM person_year WHERE anon_chi = ?");
    let mut st = conn.prepare_cached(&sql)?;
    let years = st.query_map([anon_chi], |r| year_row(r, 0))?.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(years)
}

/// LTC onsets straight from the staged extracts (read-only workspace without a fresh side table).
fn load_ltc_direct(conn: &Connection, anon_chi: &str) -> Result<Vec<LtcOnset>> {
    let mins: Vec<String> =
        ltcs().iter().map(|l| day(&format!("min({})", ident(&format!("{}_date", l.code))))).collect();
    let sql = format!(
        "SELECT {} FROM (SELECT * FROM stg_episode WHERE anon_chi = ? UNION ALL BY NAME SELECT * FROM stg_individual WHERE anon_chi = ?)",
        mins.join(", ")
    );
    let mut st = conn.prepare(&sql)?;
    let vals: Vec<Option<Day>> = st.query_row(params![anon_chi, anon_chi], |r| {
        (0..ltcs().len()).map(|i| r.get::<_, Option<Day>>(i)).collect::<std::result::Result<Vec<_>, _>>()
    })?;
    let mut out: Vec<LtcOnset> =
        ltcs().iter().zip(vals).filter_map(|(l, d)| d.map(|d| ltc_onset(l.code.clone(), d))).collect();
    out.sort_by(|a, b| (a.date, &a.ltc).cmp(&(b.date, &b.ltc)));
    Ok(out)
}
