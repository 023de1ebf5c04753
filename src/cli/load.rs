//! `carepath load`: load extracts into a workspace and print the load report.
use super::output::{pounds, thousands, Format, TextTable};
use crate::store::{self, report::LoadReport, Workspace};
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Files or folders of extracts (Parquet, CSV or CSV.gz); folders are scanned
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Workspace file (default: <first folder>/.carepath/workspace.duckdb)
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Say what a file is when its columns are ambiguous: FILE=KIND (KIND: episode, individual,
    /// sc_demographics, sc_client, sc_homecare, sc_carehome, sc_sds, sc_equipment, sc_iorn,
    /// simd_lookup); may be repeated
    #[arg(long = "kind", value_name = "FILE=KIND")]
    pub kinds: Vec<String>,
    /// Also copy each file, as read, into the workspace (raw_<kind>_<n> tables, CHIs
    /// anonymised); by default only the checked, canonical rows are stored
    #[arg(long)]
    pub keep_raw: bool,
    /// Output format of the load report
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The workspace a load of `paths` uses when none is named.
pub fn default_workspace(paths: &[PathBuf]) -> PathBuf {
    store::default_workspace_for_extracts(paths.first().map(PathBuf::as_path).unwrap_or(Path::new(".")))
}

pub fn run(args: &LoadArgs) -> Result<i32> {
    let ws_path = args.workspace.clone().unwrap_or_else(|| default_workspace(&args.paths));
    let t = std::time::Instant::now();
    let ws = Workspace::open(&ws_path)?;
    crate::store::timing::timing("open", t);
    let ctx = crate::ops::Context::new(ws.conn, &ws_path, crate::ops::Audience::Output);
    let mut kinds = Vec::new();
    for k in &args.kinds {
        kinds.push(store::ingest::LoadOptions::parse_kind(k)?);
    }
    let query = crate::ops::Query::Load { paths: args.paths.clone(), options: store::ingest::LoadOptions { kinds, keep_raw: args.keep_raw, latest_year_first: false } };
    let answer = match crate::ops::run(&query, &ctx) {
        Ok(a) => a,
        Err(e) => return Err(gave_back_space(e, ctx.close_reclaiming())),
    };
    let crate::ops::Answer::Loaded(report) = answer else { anyhow::bail!("unexpected answer to a load") };
    match args.format {
        Format::Json => super::output::emit(&(serde_json::to_string_pretty(&report)? + "\n")),
        Format::Csv => super::output::emit(&render_csv(&report)),
        Format::Table => super::output::emit(&render(&report, &ws_path)),
    }
    store::ingest::pause_for_tests("report");
    Ok(0)
}

/// A failed load's error, saying that the space it had taken in the workspace was given back
/// (or why not).
fn gave_back_space(e: crate::ops::OpsError, freed: Result<u64, crate::ops::OpsError>) -> anyhow::Error {
    match freed {
        Ok(0) => anyhow::Error::from(e),
        Ok(n) => anyhow::anyhow!("{e}; the {} it had written to the workspace were given back", crate::format::bytes(n)),
        Err(f) => anyhow::anyhow!("{e}; and the space it took could not be given back: {f}"),
    }
}

/// One CSV row per file read (name, kind, status, rows read, loaded, rejected).
pub fn render_csv(r: &LoadReport) -> String {
    let mut s = String::from("file,kind,status,note,rows_read,rows_loaded,rows_rejected\n");
    for f in &r.files {
        s.push_str(&crate::format::csv_line([
            f.path.clone(),
            f.kind.map(|k| k.label().to_string()).unwrap_or_default(),
            f.status.clone(),
            f.note.clone().unwrap_or_default(),
            f.rows_read.to_string(),
            f.rows_loaded.to_string(),
            f.rows_rejected.to_string(),
        ]));
        s.push('\n');
    }
    s
}

pub fn render(r: &LoadReport, ws: &Path) -> String {
    let mut s = format!("Workspace {}\n\n", ws.display());
    let mut t = TextTable::new(&["file", "kind", "status", "read", "loaded", "rejected"]);
    for f in &r.files {
        let name = Path::new(&f.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let status = match &f.note {
            Some(n) => format!("{} ({n})", f.status),
            None => f.status.clone(),
        };
        t.row(vec![
            name,
            f.kind.map(|k| k.label().to_string()).unwrap_or_default(),
            status,
            thousands(f.rows_read),
            thousands(f.rows_loaded),
            thousands(f.rows_rejected),
        ]);
    }
    s.push_str(&t.render());
    s.push('\n');
    let mut d = TextTable::new(&["dataset", "rows", "linked", "linkage", "note"]);
    for x in &r.datasets {
        d.row(vec![
            x.dataset.clone(),
            thousands(x.rows),
            x.linked.map(thousands).unwrap_or_else(|| "-".into()),
            x.linkage_rate.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into()),
            x.note.clone(),
        ]);
    }
    s.push_str(&d.render());
    s.push('\n');
    s.push_str(&format!(
        "People {}   Events {}   Years {}   Dates {} to {}\nHealth cost {} (excludes DN and social care)   All costs {}\n",
        thousands(r.people),
        thousands(r.events),
        r.years.join(" "),
        r.first_date.as_deref().unwrap_or("-"),
        r.last_date.as_deref().unwrap_or("-"),
        pounds(r.health_cost),
        pounds(r.total_cost)
    ));
    if r.rows_without_person > 0 {
        s.push_str(&format!(
            "Rows without a person: {} (episode rows with no CHI: kept as activity, left out of person-level figures)\n",
            thousands(r.rows_without_person)
        ));
    }
    for y in &r.year_sources {
        s.push_str(&format!("Year {}: costs from the {}; files: {}\n", y.year, y.costs_from, y.files.join(", ")));
    }
    if r.hri_disagreements > 0 {
        s.push_str(&format!(
            "HRI: {} person-year values in the individual files disagree with PHS's rule as computed here (kept the file's; see table hri_disagreements)\n",
            thousands(r.hri_disagreements)
        ));
    }
    for f in &r.files {
        for w in &f.warnings {
            let name = Path::new(&f.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            s.push_str(&format!("Note: {name}: {w}\n"));
        }
    }
    for c in &r.conflicts {
        s.push_str(&format!("Conflict: {} {}; {}\n", thousands(c.count), c.what, c.rule));
    }
    if r.rejects_total == 0 {
        s.push_str("Rejected rows: none\n");
    } else {
        s.push_str(&format!("Rejected rows: {} (each is in table load_rejects with file, row, column and reason)\n", thousands(r.rejects_total)));
        let mut t = TextTable::new(&["reason", "rows"]);
        for (k, v) in &r.rejects_by_reason {
            t.row(vec![k.clone(), thousands(*v)]);
        }
        s.push_str(&t.render());
    }
    s
}
