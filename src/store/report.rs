//! The load report: what each file gave (read / loaded / rejected), how well the datasets link,
//! and what the workspace now holds (people, events, years, dates, cost, rejects by reason).
use crate::store::detect::{FileFormat, Kind};
use anyhow::Result;
use duckdb::Connection;
use std::collections::BTreeMap;

/// What happened to one file in a load.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileOutcome {
    pub path: String,
    pub kind: Option<Kind>,
    pub format: Option<FileFormat>,
    /// `loaded`, `replaced` (a newer version of a file loaded before), `already loaded`, `skipped`.
    pub status: String,
    pub note: Option<String>,
    pub rows_read: i64,
    pub rows_loaded: i64,
    pub rows_rejected: i64,
    /// What the load noticed in this file and how it dealt with it (repeated column names,
    /// CHI columns replaced by the anonymised id).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl FileOutcome {
    /// A file the load did not read, and why.
    pub(crate) fn skipped(path: &std::path::Path, note: String) -> FileOutcome {
        FileOutcome {
            path: path.display().to_string(),
            kind: None,
            format: None,
            status: "skipped".into(),
            note: Some(note),
            rows_read: 0,
            rows_loaded: 0,
            rows_rejected: 0,
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DatasetSummary {
    pub dataset: String,
    pub rows: i64,
    /// Rows that link to a person (SC2 via demographics; SLF episodes via an individual-file row).
    pub linked: Option<i64>,
    pub unlinked: Option<i64>,
    /// linked / rows, as a percentage.
    pub linkage_rate: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadReport {
    pub files: Vec<FileOutcome>,
    pub people: i64,
    pub events: i64,
    pub years: Vec<String>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Sum of `health_net_cost` over all person-years (excludes DN and social care).
    pub health_cost: f64,
    /// Sum of all event costs, health and social care.
    pub total_cost: f64,
    pub rejects_total: i64,
    pub rejects_by_reason: BTreeMap<String, i64>,
    pub datasets: Vec<DatasetSummary>,
    /// Person-years where an individual file's own HRI % disagrees with PHS's rule computed here.
    pub hri_disagreements: i64,
    /// Rows that disagree with each other (same person-year twice, ...), with the rule used.
    pub conflicts: Vec<super::ingest::validate::Conflict>,
    /// Episode rows without a CHI: kept as activity (in `event`, no person), never in
    /// person-level figures (PHS keeps them in the episode file, `R/create_episode_file.R` L139-153).
    pub rows_without_person: i64,
    /// Per financial year, the files that make it up and where its costs come from.
    pub year_sources: Vec<YearSources>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct YearSources {
    pub year: String,
    /// `kind: path` of every loaded file with rows for the year.
    pub files: Vec<String>,
    /// `episode file` when the year's episode rows hold health activity, else `individual file`
    /// (or `none` when neither says).
    pub costs_from: String,
}

fn year_sources(conn: &Connection) -> Result<Vec<YearSources>> {
    let mut st = conn.prepare(
        "WITH f AS (
           SELECT DISTINCT year, file_id FROM stg_episode
           UNION SELECT DISTINCT year, file_id FROM stg_individual),
         h AS (SELECT DISTINCT year FROM stg_episode WHERE recid IN ('01B', '02B', '04B', 'GLS', '00B', 'AE2', 'PIS', 'OoH')),
         i AS (SELECT DISTINCT year FROM stg_individual)
         SELECT f.year, string_agg(l.kind || ': ' || l.path, chr(31) ORDER BY l.file_id),
                CASE WHEN f.year IN (SELECT year FROM h) THEN 'episode file'
                     WHEN f.year IN (SELECT year FROM i) THEN 'individual file' ELSE 'none' END
         FROM f JOIN load_log l USING (file_id) WHERE f.year IS NOT NULL
         GROUP BY f.year ORDER BY f.year",
    )?;
    let rows = st.query_map([], |r| {
        let files: String = r.get(1)?;
        // unit separator: never in a path
        Ok(YearSources { year: r.get(0)?, files: files.split('\u{1f}').map(String::from).collect(), costs_from: r.get(2)? })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn one_i64(conn: &Connection, sql: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0))?.unwrap_or(0))
}

pub fn build(conn: &Connection, files: Vec<FileOutcome>) -> Result<LoadReport> {
    let people = one_i64(conn, "SELECT count(*) FROM person")?;
    let events = one_i64(conn, "SELECT count(*) FROM event")?;
    let mut years = Vec::new();
    {
        let mut st = conn.prepare("SELECT DISTINCT year FROM person_year ORDER BY year")?;
        for y in st.query_map([], |r| r.get::<_, String>(0))? {
            years.push(y?);
        }
    }
    let (first_date, last_date): (Option<String>, Option<String>) = conn.query_row(
        "SELECT CAST(min(start_date) AS VARCHAR), CAST(max(coalesce(end_date, start_date)) AS VARCHAR) FROM event",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let health_cost: f64 =
        conn.query_row("SELECT coalesce(sum(health_net_cost), 0) FROM person_year", [], |r| r.get(0))?;
    let total_cost: f64 = conn.query_row("SELECT coalesce(sum(cost), 0) FROM event", [], |r| r.get(0))?;
    let mut rejects_by_reason = BTreeMap::new();
    {
        let mut st = conn.prepare("SELECT reason, count(*) FROM load_rejects GROUP BY reason ORDER BY reason")?;
        for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (k, v) = r?;
            rejects_by_reason.insert(k, v);
        }
    }
    let rejects_total = rejects_by_reason.values().sum();
    let hri_disagreements = one_i64(conn, "SELECT count(*) FROM hri_disagreements")?;
    let rows_without_person = one_i64(conn, "SELECT count(*) FROM event WHERE anon_chi IS NULL")?;
    let year_sources = year_sources(conn)?;
    Ok(LoadReport {
        files,
        people,
        events,
        years,
        first_date,
        last_date,
        health_cost,
        total_cost,
        rejects_total,
        rejects_by_reason,
        datasets: datasets(conn)?,
        hri_disagreements,
        conflicts: super::ingest::validate::conflicts(conn)?,
        rows_without_person,
        year_sources,
    })
}

fn datasets(conn: &Connection) -> Result<Vec<DatasetSummary>> {
    let mut out = Vec::new();
    let episodes = one_i64(conn, "SELECT count(*) FROM stg_episode")?;
    if episodes > 0 {
        let with_individual = one_i64(conn, "SELECT count(DISTINCT year) FROM stg_individual")?;
        let (linked, note) = if with_individual > 0 {
            let unknown = one_i64(
                conn,
                "SELECT count(*) FROM stg_episode e WHERE e.year IN (SELECT year FROM stg_individual)
                 AND NOT EXISTS (SELECT 1 FROM stg_individual i WHERE i.anon_chi = e.anon_chi AND i.year = e.year)",
            )?;
            (Some(episodes - unknown), format!("{unknown} episode rows whose person is not in that year's individual file"))
        } else {
            (None, "no individual file loaded: people are taken from the episodes".to_string())
        };
        out.push(summary("SLF episodes", episodes, linked, note));
    }
    let individual = one_i64(conn, "SELECT count(*) FROM stg_individual")?;
    if individual > 0 {
        out.push(summary("SLF individual", individual, None, "one row per person per year".into()));
    }
    let demog = one_i64(conn, "SELECT count(*) FROM stg_sc_demographics")?;
    if demog > 0 {
        let clients = one_i64(conn, "SELECT count(*) FROM sc_link")?;
        out.push(summary("SC2 demographics", demog, None, format!("{clients} social care clients linked to a person")));
    }
    for (name, table) in [
        ("SC2 client", "stg_sc_client"),
        ("SC2 home care", "stg_sc_homecare"),
        ("SC2 care home", "stg_sc_carehome"),
        ("SC2 SDS", "stg_sc_sds"),
        ("SC2 alarms/telecare", "stg_sc_equipment"),
        ("SC2 IoRN", "stg_sc_iorn"),
    ] {
        let rows = one_i64(conn, &format!("SELECT count(*) FROM {table}"))?;
        if rows == 0 {
            continue;
        }
        let linked = one_i64(conn, &format!("SELECT count(*) FROM {table} JOIN sc_link USING (sending_location, social_care_id)"))?;
        let note = if linked < rows {
            format!("{} rows have no demographics row for their sending_location + social_care_id (not used until one is loaded)", rows - linked)
        } else {
            "all rows linked to a person".into()
        };
        out.push(summary(name, rows, Some(linked), note));
    }
    let lookup = one_i64(conn, "SELECT count(*) FROM stg_simd_lookup")?;
    if lookup > 0 {
        let unmatched = one_i64(
            conn,
            "SELECT count(*) FROM person WHERE datazone2011 IS NOT NULL AND datazone2011 NOT IN (SELECT datazone2011 FROM stg_simd_lookup)",
        )?;
        out.push(summary("SIMD lookup", lookup, None, format!("{unmatched} people live in a datazone the lookup does not have")));
    }
    Ok(out)
}

fn summary(name: &str, rows: i64, linked: Option<i64>, note: String) -> DatasetSummary {
    DatasetSummary {
        dataset: name.to_string(),
        rows,
        linked,
        unlinked: linked.map(|l| rows - l),
        linkage_rate: linked.map(|l| if rows > 0 { 100.0 * l as f64 / rows as f64 } else { 0.0 }),
        note,
    }
}
