//! `Query::Export`: a cohort's published tables written as files (CSV, JSON or Parquet), and on
//! request the person-level rows and the pseudonym -> anon_chi map, each audited before a byte
//! is written. Files are owner-only (0600): they are written inside the secure session.
use super::gate::{self, DisclosureNote};
use super::tables::{self, NamedTable};
use super::context::{Audience, Context, Sdc};
use super::{audit, pseudonym, OpsError};
use crate::analysis::disclosure::{self, Cell, Policy, Table};
use crate::model::cohort::CohortSpec;
use crate::model::figures::{MemberSort, PageRequest};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
    Parquet,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Parquet => "parquet",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportRequest {
    pub spec: CohortSpec,
    /// Folder the files go into (created if needed).
    pub out: PathBuf,
    pub format: ExportFormat,
    /// The disclosure policy; None = raw figures (audited as an output without disclosure
    /// control). An export is always an output, whatever the client's screen setting.
    pub policy: Option<Policy>,
    /// Also write `members.<ext>`: one row per person (pseudonyms), audited.
    pub person_level: bool,
    /// Also write `pseudonyms.<ext>`: pseudonym -> anon_chi for the cohort, audited.
    pub reveal_ids: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportReport {
    pub files: Vec<PathBuf>,
    /// The cohort size as published (None when withheld).
    pub people: Option<u64>,
    pub disclosure: DisclosureNote,
    /// One line for the user, consistent with the suppression (no withheld count in it).
    pub message: String,
}

pub(super) fn run(ctx: &Context, req: &ExportRequest, spec: &CohortSpec) -> Result<ExportReport, OpsError> {
    use crate::store::cohort as engine;
    let conn = &ctx.conn;
    let att = engine::count_and_attrition(conn, spec)?;
    let ch = engine::characterise(conn, spec)?;
    let set = tables::cohort_set(&att, &ch);
    let sdc = match &req.policy {
        Some(p) => Sdc::On(p.clone()),
        None => Sdc::Off,
    };
    let what = format!("export to {}: {}", req.out.display(), audit::describe_spec("cohort", spec));
    let published = gate::publish_with(ctx, &sdc, Audience::Output, &what, set, ())?;
    std::fs::create_dir_all(&req.out).map_err(|e| OpsError::file("could not create", &req.out, e))?;
    let ext = req.format.extension();
    let mut files = Vec::new();
    for nt in &published.tables {
        let path = req.out.join(format!("{}.{ext}", nt.name));
        write_table(conn, nt, &path, req.format)?;
        files.push(path);
    }
    let last = published.tables.first().map(|t| t.table.rows.len().saturating_sub(1)).unwrap_or(0);
    let people = match published.cell("attrition", last, 2) {
        Some(Cell::Count(n)) => Some(*n),
        _ => None,
    };
    if req.person_level || req.reveal_ids {
        pseudonym::ensure(conn)?;
        let page = engine::members_page(
            conn,
            spec,
            &PageRequest { sort: MemberSort::AnonChi, desc: false, offset: 0, limit: att.count.max(1), search: None },
        )?;
        let anon: Vec<String> = page.rows.iter().map(|m| m.id.clone()).collect();
        let map = pseudonym::of(conn, &anon)?;
        let pseudo = |a: &str| map.get(a).cloned().unwrap_or_else(|| "P?".into());
        if req.person_level {
            let path = req.out.join(format!("members.{ext}"));
            // Recorded before anything is written, so an interrupted write is still on record.
            audit::append(
                conn,
                ctx.identity(),
                &ctx.workspace,
                &audit::Entry { action: "export person-level", query: &format!("{what} -> {}", path.display()), rows: page.rows.len() as u64, release_id: None },
            )?;
            let mut t = Table::new([
                "person", "age", "age_band", "sex", "simd_quintile", "council", "ltc_count", "health_cost", "bed_days", "emergency_admissions", "hri_band",
            ]);
            let txt = |s: Option<String>| s.map(Cell::Text).unwrap_or(Cell::Empty);
            let mut rows: Vec<(String, Vec<Cell>)> = page
                .rows
                .iter()
                .map(|m| {
                    let p = pseudo(&m.id);
                    (
                        p.clone(),
                        vec![
                            Cell::Text(p),
                            txt(m.age.map(|v| v.to_string())),
                            Cell::Text(m.age_band.clone()),
                            txt(m.sex.clone()),
                            txt(m.simd_quintile.map(|v| v.to_string())),
                            txt(m.council.clone()),
                            txt(m.ltc_count.map(|v| v.to_string())),
                            Cell::Text(format!("{:.2}", m.health_cost)),
                            Cell::Text(format!("{}", m.bed_days)),
                            Cell::Text(format!("{}", m.emergency_admissions)),
                            txt(m.hri_band.clone()),
                        ],
                    )
                })
                .collect();
            // Sorted by pseudonym: an order by anon_chi would be an order by CHI.
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, r) in rows {
                t.push_row(r);
            }
            write_table(conn, &NamedTable { name: "members".into(), title: String::new(), table: t, keys: Vec::new() }, &path, req.format)?;
            files.push(path);
        }
        if req.reveal_ids {
            let path = req.out.join(format!("pseudonyms.{ext}"));
            audit::append(
                conn,
                ctx.identity(),
                &ctx.workspace,
                &audit::Entry { action: "reveal ids", query: &format!("{what} -> {}", path.display()), rows: anon.len() as u64, release_id: None },
            )?;
            let mut pairs: Vec<(String, String)> = anon.iter().map(|a| (pseudo(a), a.clone())).collect();
            pairs.sort();
            let mut t = Table::new(["person", "anon_chi"]);
            for (p, a) in pairs {
                t.push_row(vec![Cell::Text(p), Cell::Text(a)]);
            }
            write_table(conn, &NamedTable { name: "pseudonyms".into(), title: String::new(), table: t, keys: Vec::new() }, &path, req.format)?;
            files.push(path);
        }
    }
    let d = &published.disclosure;
    let size = match people {
        Some(n) => format!("{} people's cohort tables", crate::format::thousands(n as i64)),
        None => "cohort tables (the cohort size is withheld by disclosure control)".to_string(),
    };
    let control = match d.threshold {
        Some(t) => format!("{} cell{} withheld by disclosure control, threshold {t}", d.withheld, if d.withheld == 1 { "" } else { "s" }),
        None => "NO disclosure control (--no-sdc; recorded in the audit log)".to_string(),
    };
    let message = format!("Exported {size} ({control}):");
    Ok(ExportReport { files, people, disclosure: published.disclosure.clone(), message })
}

/// Write one table: CSV (quoted, neutralised), JSON (an array of row objects), or Parquet
/// (via DuckDB, text columns, staged beside the target in the output folder).
fn write_table(conn: &duckdb::Connection, nt: &NamedTable, path: &Path, format: ExportFormat) -> Result<(), OpsError> {
    let t = &nt.table;
    match format {
        ExportFormat::Csv => write_private(path, disclosure::to_csv(t).as_bytes())?,
        ExportFormat::Json => {
            let rows: Vec<serde_json::Value> = t
                .rows
                .iter()
                .map(|r| serde_json::Value::Object(t.columns.iter().cloned().zip(r.iter().map(Cell::to_json)).collect()))
                .collect();
            let text = serde_json::to_string_pretty(&rows).map_err(|e| OpsError::Other(e.to_string()))? + "\n";
            write_private(path, text.as_bytes())?;
        }
        ExportFormat::Parquet => {
            let cols: Vec<String> = t.columns.iter().map(|c| format!("{} VARCHAR", crate::store::sql::ident(c))).collect();
            conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE carepath_export ({})", cols.join(", ")))?;
            {
                let mut app = conn.appender("carepath_export")?;
                for r in &t.rows {
                    let vals: Vec<Option<String>> = r
                        .iter()
                        .map(|c| match c {
                            Cell::Empty => None,
                            Cell::Text(s) => Some(disclosure::neutralise(s)),
                            other => Some(other.render()),
                        })
                        .collect();
                    let refs: Vec<&dyn duckdb::ToSql> = vals.iter().map(|v| v as &dyn duckdb::ToSql).collect();
                    app.append_row(refs.as_slice())?;
                }
                app.flush()?;
            }
            // COPY takes a literal file name: ours, in the output folder, quotes doubled.
            let dir = path.parent().unwrap_or(Path::new("."));
            let tmp = dir.join(format!(".carepath-export-{}.parquet", std::process::id()));
            let tmp_s = tmp.to_string_lossy().replace('\'', "''");
            conn.execute_batch(&format!("COPY carepath_export TO '{tmp_s}' (FORMAT parquet); DROP TABLE carepath_export;"))?;
            set_private(&tmp);
            std::fs::rename(&tmp, path).map_err(|e| OpsError::file("could not write", path, e))?;
        }
    }
    Ok(())
}

/// Write a file that is owner-only from its first byte (an existing file is made owner-only
/// before it is truncated and rewritten).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), OpsError> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).map_err(|e| OpsError::file("could not write", path, e))?;
    set_private(path);
    f.set_len(0).and_then(|_| f.write_all(bytes)).map_err(|e| OpsError::file("could not write", path, e))?;
    Ok(())
}

#[cfg(unix)]
fn set_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn set_private(_path: &Path) {}
