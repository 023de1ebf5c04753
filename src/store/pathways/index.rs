//! The people and their index events, as SQL: a `people` CTE (the cohort's members, or
//! everyone) and an `ix` CTE with one row per indexed person: `ix_date`, `ix_ord` (the index's
//! step code, for same-day order), `ix_event` (its event id), `ix_year` and `ix_cij` (its stay).
//! The step code and event conditions live in `store::cohort::sequence` (the temporal cohort
//! filter uses them too). Every value from the user is a bound parameter; the SQL text is our own.
use crate::model::cohort::CohortSpec;
use crate::model::pathways::{death_code, EventSpec, IndexKind, StepLevel};
use crate::model::year::FinYear;
use crate::store::cohort::sql::{build, fy_key, hri_columns, text, Frag};
use crate::store::sql::fy_start;
use anyhow::{anyhow, bail, Result};
use duckdb::Connection;

/// Event id of a death (after every event of its day).
pub const DEATH_EVENT_ID: &str = "9223372036854775807";

pub use crate::store::cohort::sequence::step_code;

/// The condition of an event kind on `alias`'s `event` columns, as a fragment.
pub fn event_condition(e: &EventSpec, alias: &str) -> Result<Frag> {
    let (sql, params) = crate::store::cohort::sequence::event_condition(e, alias)?;
    Ok(Frag { sql, params })
}

/// The window and the `WITH people AS (...), ix AS (...)` CTEs (ending without a comma).
pub struct Indexed {
    pub ctes: Frag,
    /// Financial years of the window, oldest first.
    pub years: Vec<String>,
    /// First and last day of the window.
    pub window: (String, String),
}

/// `people` and `ix` for `spec` (None: everyone, every loaded year) and the index `e`.
pub fn indexed(conn: &Connection, spec: Option<&CohortSpec>, e: &EventSpec, level: StepLevel, loaded: &[String]) -> Result<Indexed> {
    let (mut ctes, years) = match spec {
        Some(spec) => {
            let c = build(conn, spec, false)?;
            let mut f = c.ctes;
            f.push(", people AS (SELECT anon_chi FROM cohort WHERE in_cohort AND anon_chi IS NOT NULL)");
            (f, c.years)
        }
        None => (Frag::text("WITH people AS (SELECT anon_chi FROM person WHERE anon_chi IS NOT NULL)"), loaded.to_vec()),
    };
    let (Some(first), Some(last)) = (years.first().and_then(|y| FinYear::parse(y)), years.last().and_then(|y| FinYear::parse(y))) else {
        bail!("the workspace has no financial years loaded (run `carepath load`)")
    };
    let window = (first.bounds().0, last.bounds().1);
    ctes.push(", ix AS (");
    match e.kind {
        IndexKind::Hri => {
            let (_, flag, _, _) = hri_columns(e.hri_level);
            ctes.push(&format!(
                "SELECT anon_chi, {start} AS ix_date, -1 AS ix_ord, CAST(NULL AS BIGINT) AS ix_event, CAST(NULL AS VARCHAR) AS ix_year, \
                 CAST(NULL AS BIGINT) AS ix_cij FROM (SELECT anon_chi, arg_min(year, {key}) AS y FROM person_year \
                 WHERE {flag} AND anon_chi IN (SELECT anon_chi FROM people) AND year IN ",
                start = fy_start("y"),
                key = fy_key("year"),
            ));
            ctes.bind_list(years.iter().map(|y| text(y)));
            ctes.push(" GROUP BY anon_chi)");
        }
        IndexKind::Ltc => {
            let code = e.checked_code().map_err(|m| anyhow!(m))?.unwrap_or_default();
            require_person_ltc(conn)?;
            // A date, not an event: the events of that day are steps after it.
            ctes.push(
                "SELECT anon_chi, first_date AS ix_date, -1 AS ix_ord, CAST(NULL AS BIGINT) AS ix_event, CAST(NULL AS VARCHAR) AS ix_year, \
                 CAST(NULL AS BIGINT) AS ix_cij FROM person_ltc WHERE ltc = ",
            );
            ctes.bind(text(&code));
            ctes.push(" AND anon_chi IN (SELECT anon_chi FROM people) AND first_date BETWEEN CAST(");
            ctes.bind(text(&window.0));
            ctes.push(" AS DATE) AND CAST(");
            ctes.bind(text(&window.1));
            ctes.push(" AS DATE)");
        }
        IndexKind::Death => {
            ctes.push(&format!(
                "SELECT anon_chi, death_date AS ix_date, {d} AS ix_ord, CAST({DEATH_EVENT_ID} AS BIGINT) AS ix_event, CAST(NULL AS VARCHAR) AS ix_year, \
                 CAST(NULL AS BIGINT) AS ix_cij FROM person WHERE anon_chi IN (SELECT anon_chi FROM people) AND death_date BETWEEN CAST(",
                d = death_code(level)
            ));
            ctes.bind(text(&window.0));
            ctes.push(" AS DATE) AND CAST(");
            ctes.bind(text(&window.1));
            ctes.push(" AS DATE)");
        }
        _ => {
            ctes.push(&format!(
                "SELECT e.anon_chi, e.start_date AS ix_date, coalesce({code}, -1) AS ix_ord, e.event_id AS ix_event, e.year AS ix_year, \
                 e.cij_marker AS ix_cij FROM event e WHERE e.anon_chi IN (SELECT anon_chi FROM people) AND ",
                code = step_code(level, "e")
            ));
            ctes.append(&event_condition(e, "e")?);
            ctes.push(" AND e.start_date BETWEEN CAST(");
            ctes.bind(text(&window.0));
            ctes.push(" AS DATE) AND CAST(");
            ctes.bind(text(&window.1));
            ctes.push(&format!(
                " AS DATE) QUALIFY row_number() OVER (PARTITION BY e.anon_chi ORDER BY e.start_date, coalesce({code}, -1), e.event_id) = 1",
                code = step_code(level, "e")
            ));
        }
    }
    ctes.push(")");
    Ok(Indexed { ctes, years, window })
}

/// `person_ltc` is made by every load since LTC indexes came in; a workspace loaded before has none.
pub fn require_person_ltc(conn: &Connection) -> Result<()> {
    let n: i64 = conn.query_row("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_ltc' AND schema_name = 'main'", [], |r| r.get(0))?;
    if n == 0 {
        bail!("this workspace was loaded by an older carepath and has no LTC dates: load the extracts again (`carepath load`) to use an LTC index or target")
    }
    Ok(())
}

/// Last day of the data: the end of the latest loaded year.
pub fn data_end(loaded: &[String]) -> Result<String> {
    loaded.last().and_then(|y| FinYear::parse(y)).map(|y| y.bounds().1).ok_or_else(|| anyhow!("the workspace has no financial years loaded (run `carepath load`)"))
}
