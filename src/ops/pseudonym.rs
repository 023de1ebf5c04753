//! Display pseudonyms: every person shown on a screen, in a member list or in an export is a
//! workspace-local person number (`P000123`), never `anon_chi` (which is base64 of the CHI and
//! so gives date of birth and sex).
//!
//! Numbers are dealt in a random order (DuckDB `random()`) the first time a person is seen and
//! kept in the workspace table `person_pseudonym`, so they are stable for that workspace (a
//! later load appends new people and keeps everyone's number) and cannot be derived from the
//! CHI without the workspace. Mapping back to `anon_chi` (to link with other SLF work) is only
//! the audited `export --reveal-ids`.
use super::OpsError;
use crate::store::cohort::PSEUDONYM_TABLE;
use duckdb::Connection;
use std::collections::HashMap;

const META: &str = "person_pseudonym_stamp";

/// Give every person in `person` a number (new people only), once per load.
pub fn ensure(conn: &Connection) -> Result<(), OpsError> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {PSEUDONYM_TABLE} (anon_chi VARCHAR NOT NULL, n BIGINT NOT NULL, pseudonym VARCHAR NOT NULL);
         CREATE TABLE IF NOT EXISTS {META} (stamp VARCHAR);"
    ))?;
    let stamp = crate::store::schema::load_stamp(conn)?;
    let seen: Option<String> = conn.query_row(&format!("SELECT max(stamp) FROM {META}"), [], |r| r.get(0))?;
    if seen.as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    conn.execute_batch(&format!(
        "BEGIN;
         INSERT INTO {PSEUDONYM_TABLE}
           SELECT anon_chi, n, printf('P%06d', n) FROM (
             SELECT anon_chi, (SELECT coalesce(max(n), 0) FROM {PSEUDONYM_TABLE}) + row_number() OVER (ORDER BY r, anon_chi) AS n
             FROM (SELECT anon_chi, random() AS r FROM (SELECT DISTINCT anon_chi FROM person WHERE anon_chi IS NOT NULL
                   AND anon_chi NOT IN (SELECT anon_chi FROM {PSEUDONYM_TABLE}))));
         DELETE FROM {META};
         COMMIT;"
    ))?;
    conn.execute(&format!("INSERT INTO {META} VALUES (?)"), [&stamp])?;
    Ok(())
}

/// The person number a user typed (`P000123`, `p123`, `123`), if it is one.
pub fn parse(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.strip_prefix(['P', 'p']).unwrap_or(t);
    if digits.is_empty() || digits.len() > 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The `anon_chi` behind a pseudonym, for the store's queries (never shown).
pub fn resolve(conn: &Connection, pseudonym: &str) -> Result<Option<(String, String)>, OpsError> {
    ensure(conn)?;
    let Some(n) = parse(pseudonym) else { return Ok(None) };
    let mut st = conn.prepare_cached(&format!("SELECT anon_chi, pseudonym FROM {PSEUDONYM_TABLE} WHERE n = ?"))?;
    let mut rows = st.query([n as i64])?;
    match rows.next()? {
        Some(r) => Ok(Some((r.get(0)?, r.get(1)?))),
        None => Ok(None),
    }
}

/// Pseudonyms of these `anon_chi` values (a temp table join: any number of ids, all bound).
pub fn of(conn: &Connection, ids: &[String]) -> Result<HashMap<String, String>, OpsError> {
    ensure(conn)?;
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE carepath_ids (anon_chi VARCHAR)")?;
    {
        let mut app = conn.appender("carepath_ids")?;
        for id in ids {
            app.append_row([id])?;
        }
        app.flush()?;
    }
    let mut st = conn.prepare(&format!(
        "SELECT i.anon_chi, p.pseudonym FROM carepath_ids i JOIN {PSEUDONYM_TABLE} p ON p.anon_chi = i.anon_chi"
    ))?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for r in rows {
        let (a, p) = r?;
        out.insert(a, p);
    }
    conn.execute_batch("DROP TABLE IF EXISTS carepath_ids")?;
    Ok(out)
}

/// Replace each `anon_chi` in place by its pseudonym; a person without one (cannot happen after
/// [`ensure`]) is shown as `P?` rather than by their `anon_chi`.
pub fn replace_all(conn: &Connection, ids: &mut [&mut String]) -> Result<(), OpsError> {
    let raw: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let map = of(conn, &raw)?;
    for id in ids.iter_mut() {
        let p = map.get(id.as_str()).cloned().unwrap_or_else(|| "P?".to_string());
        **id = p;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_person_numbers() {
        assert_eq!(super::parse("P000123"), Some(123));
        assert_eq!(super::parse("p7"), Some(7));
        assert_eq!(super::parse(" 42 "), Some(42));
        assert_eq!(super::parse("MjEwNzQxMTEyMw=="), None);
        assert_eq!(super::parse("P"), None);
    }
}
