//! `carepath export`: a cohort's attrition and characterisation as CSV or Parquet files with the
//! disclosure policy applied (one gate: `analysis::disclosure::apply`). Person-level rows are
//! written only with `--person-level`, and that is recorded in the workspace's audit log.
//!
//! Files written into `--out DIR`: `attrition.<ext>`, `characterisation.<ext>`,
//! `measures.<ext>` (and `members.<ext>` with `--person-level`).
use super::cohort::{open_existing, spec_from_flags, spec_name, CohortFlags};
use super::output::{Format, TextTable};
use crate::analysis::disclosure::{self, at, Base, Cell, Derived, Member, Policy, Table};
use crate::store::cohort::{self as engine, Attrition, Characterisation, MemberSort, PageRequest};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Workspace file (default: sample-data/.carepath/workspace.duckdb)
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub cohort: CohortFlags,
    /// Output folder (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// File format
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Disclosure policy file (TOML: threshold, secondary, rounding, suppress_zero)
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Counts below this are withheld (default 10)
    #[arg(long)]
    pub threshold: Option<u64>,
    /// Round shown counts to a multiple of this base
    #[arg(long)]
    pub rounding: Option<u64>,
    /// Withhold zeros too
    #[arg(long)]
    pub suppress_zero: bool,
    /// Also write person-level rows (members.*). Recorded in the audit log.
    #[arg(long)]
    pub person_level: bool,
}

/// The published (policy-applied) tables of a cohort: (file stem, table).
pub fn publish(policy: &Policy, att: &Attrition, ch: &Characterisation) -> Vec<(String, Table)> {
    raw_tables(att, ch).into_iter().map(|(n, t)| (n, disclosure::apply(policy, &t))).collect()
}

/// The raw tables with their additive relations, before the gate.
pub fn raw_tables(att: &Attrition, ch: &Characterisation) -> Vec<(String, Table)> {
    vec![
        ("attrition".to_string(), attrition_table(att)),
        ("characterisation".to_string(), characterisation_table(ch)),
        ("measures".to_string(), measures_table(ch)),
    ]
}

fn derived(value: Option<f64>, decimals: u8, of: disclosure::CellRef) -> Cell {
    Cell::Derived(Derived { value: value.unwrap_or(f64::NAN), decimals, of, ratio: None })
}

pub fn attrition_table(att: &Attrition) -> Table {
    let mut t = Table::new(["step", "filter", "remaining", "pct_of_start", "pct_change"]);
    for (i, s) in att.steps.iter().enumerate() {
        t.push_row(vec![Cell::Text(i.to_string()), Cell::Text(s.filter.clone()), Cell::Count(s.remaining), Cell::Empty, Cell::Empty]);
    }
    for i in 0..t.rows.len() {
        t.rows[i][3] = t.percent(at(i, 2), Base::Cell(at(0, 2)), 1);
        if i > 0 {
            t.rows[i][4] = t.percent_change(at(i, 2), Base::Cell(at(i - 1, 2)), 1);
        }
    }
    let rows: Vec<usize> = (0..t.rows.len()).collect();
    // Attrition never increases; if it somehow did, validation fails closed in `apply`.
    let _ = t.add_attrition(2, &rows);
    t
}

pub fn characterisation_table(ch: &Characterisation) -> Table {
    let mut t = Table::new(["section", "category", "cohort_n", "cohort_pct", "population_n", "population_pct"]);
    let mut first_total: Option<usize> = None;
    for b in &ch.breakdowns {
        let start = t.rows.len();
        for r in &b.rows {
            t.push_row(vec![
                Cell::Text(b.name.clone()),
                Cell::Text(r.label.clone()),
                Cell::Count(r.cohort),
                Cell::Empty,
                Cell::Count(r.population),
                Cell::Empty,
            ]);
        }
        let total = t.push_row(vec![
            Cell::Text(b.name.clone()),
            Cell::Text("Total".into()),
            Cell::Count(ch.cohort_people),
            Cell::Empty,
            Cell::Count(ch.population_people),
            Cell::Empty,
        ]);
        first_total.get_or_insert(total);
        for r in start..=total {
            t.rows[r][3] = t.percent(at(r, 2), Base::Cell(at(total, 2)), 1);
            t.rows[r][5] = t.percent(at(r, 4), Base::Cell(at(total, 4)), 1);
        }
        t.group_in_column(2, start..total, Member::Cell(at(total, 2)));
        t.group_in_column(4, start..total, Member::Cell(at(total, 4)));
        for (k, r) in b.rows.iter().enumerate() {
            // population = cohort + the rest (the rest is not shown but follows).
            t.add_group(Member::Cell(at(start + k, 4)), vec![Member::Cell(at(start + k, 2)), Member::Hidden(r.population - r.cohort.min(r.population))]);
        }
        t.add_group(Member::Cell(at(total, 4)), vec![Member::Cell(at(total, 2)), Member::Hidden(ch.population_people - ch.cohort_people.min(ch.population_people))]);
    }
    let base = first_total.unwrap_or(0);
    for l in &ch.ltcs {
        let r = t.push_row(vec![
            Cell::Text("ltc".into()),
            Cell::Text(l.label.clone()),
            Cell::Count(l.cohort),
            Cell::Empty,
            Cell::Count(l.population),
            Cell::Empty,
        ]);
        t.rows[r][3] = t.percent(at(r, 2), Base::Cell(at(base, 2)), 1);
        t.rows[r][5] = t.percent(at(r, 4), Base::Cell(at(base, 4)), 1);
        t.add_group(Member::Cell(at(r, 4)), vec![Member::Cell(at(r, 2)), Member::Hidden(l.population - l.cohort.min(l.population))]);
        // people without the LTC follow from the total too
        t.add_group(Member::Cell(at(base, 2)), vec![Member::Cell(at(r, 2)), Member::Hidden(ch.cohort_people - l.cohort.min(ch.cohort_people))]);
    }
    t
}

pub fn measures_table(ch: &Characterisation) -> Table {
    let mut t = Table::new([
        "measure",
        "cohort_per_person",
        "population_per_person",
        "cohort_share_of_population_pct",
        "cohort_users",
        "population_users",
    ]);
    t.push_row(vec![
        Cell::Text("people".into()),
        Cell::Count(ch.cohort_people),
        Cell::Count(ch.population_people),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    t.add_group(Member::Cell(at(0, 2)), vec![Member::Cell(at(0, 1)), Member::Hidden(ch.population_people - ch.cohort_people.min(ch.population_people))]);
    for m in &ch.measures {
        let r = t.push_row(vec![
            Cell::Text(m.measure.clone()),
            derived(m.cohort_per_person, 2, at(0, 1)),
            derived(m.population_per_person, 2, at(0, 2)),
            Cell::Empty,
            Cell::Count(m.cohort_users),
            Cell::Count(m.population_users),
        ]);
        // The share is withheld with the cohort's users (a share from one or two people's
        // costs would disclose them), and with the cohort count.
        t.rows[r][3] = derived(m.cohort_share_pct, 2, at(r, 4));
        t.add_group(Member::Cell(at(r, 5)), vec![Member::Cell(at(r, 4)), Member::Hidden(m.population_users - m.cohort_users.min(m.population_users))]);
        t.add_group(Member::Cell(at(0, 1)), vec![Member::Cell(at(r, 4)), Member::Hidden(ch.cohort_people - m.cohort_users.min(ch.cohort_people))]);
    }
    // The share also depends on the cohort count; withhold it when that is withheld.
    t
}

/// Render published tables for the terminal/CLI (`cohort --sdc`).
pub fn render_published(tables: &[(String, Table)], format: Format) -> Result<String> {
    Ok(match format {
        Format::Json => {
            let mut obj = serde_json::Map::new();
            for (name, t) in tables {
                let rows: Vec<serde_json::Value> = t
                    .rows
                    .iter()
                    .map(|r| {
                        let mut o = serde_json::Map::new();
                        for (c, cell) in t.columns.iter().zip(r) {
                            o.insert(c.clone(), cell.to_json());
                        }
                        serde_json::Value::Object(o)
                    })
                    .collect();
                obj.insert(name.clone(), serde_json::Value::Array(rows));
            }
            serde_json::to_string_pretty(&serde_json::Value::Object(obj))? + "\n"
        }
        Format::Csv => tables.iter().map(|(n, t)| format!("# {n}\n{}", disclosure::to_csv(t))).collect::<Vec<_>>().join("\n"),
        Format::Table => {
            let mut s = String::new();
            for (n, t) in tables {
                let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
                let mut tt = TextTable::new(&cols);
                for r in &t.rows {
                    tt.row(r.iter().map(|c| c.render()).collect());
                }
                s.push_str(&format!("{n} (disclosure control applied; * = withheld)\n{}\n", tt.render()));
            }
            s
        }
    })
}

fn policy_from(args: &ExportArgs) -> Result<Policy> {
    let mut p = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("could not read policy {}", path.display()))?;
            toml::from_str::<Policy>(&text).map_err(|e| anyhow::anyhow!("policy {}: {}", path.display(), e.to_string().trim()))?
        }
        None => Policy::default(),
    };
    if let Some(t) = args.threshold {
        p.threshold = t;
    }
    if args.rounding.is_some() {
        p.rounding = args.rounding;
    }
    if args.suppress_zero {
        p.suppress_zero = true;
    }
    if p.threshold == 0 {
        bail!("a disclosure threshold of 0 withholds nothing; use 1 or more");
    }
    Ok(p)
}

pub fn run(args: &ExportArgs) -> Result<i32> {
    let spec = spec_from_flags(&args.cohort)?;
    let policy = policy_from(args)?;
    let ws = open_existing(args.workspace.as_deref())?;
    let att = engine::count_and_attrition(&ws.conn, &spec)?;
    let ch = engine::characterise(&ws.conn, &spec)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("could not create {}", args.out.display()))?;
    let ext = match args.format {
        ExportFormat::Csv => "csv",
        ExportFormat::Parquet => "parquet",
    };
    let mut written = Vec::new();
    let mut withheld = 0usize;
    for (name, table) in publish(&policy, &att, &ch) {
        withheld += table.rows.iter().flatten().filter(|c| **c == Cell::Suppressed).count();
        let path = args.out.join(format!("{name}.{ext}"));
        write_table(&ws.conn, &table, &path, args.format)?;
        written.push(path);
    }
    crate::store::schema::audit(
        &ws.conn,
        "export",
        &format!(
            "spec {:?}: attrition and characterisation of {} people to {} (threshold {}, secondary {}, rounding {:?})",
            spec_name(&spec),
            att.count,
            args.out.display(),
            policy.threshold,
            policy.secondary,
            policy.rounding
        ),
    )?;
    if args.person_level {
        let path = args.out.join(format!("members.{ext}"));
        // Recorded before anything is written, so an interrupted write is still on record.
        crate::store::schema::audit(
            &ws.conn,
            "export person-level",
            &format!("spec {:?}: {} person-level rows to {}", spec_name(&spec), att.count, path.display()),
        )?;
        let page = engine::members_page(
            &ws.conn,
            &spec,
            &PageRequest { sort: MemberSort::AnonChi, desc: false, offset: 0, limit: att.count.max(1), search: None },
        )?;
        let mut t = Table::new([
            "anon_chi",
            "age",
            "age_band",
            "sex",
            "simd_quintile",
            "council",
            "ltc_count",
            "health_cost",
            "bed_days",
            "emergency_admissions",
            "hri_band",
        ]);
        let txt = |s: Option<String>| s.map(Cell::Text).unwrap_or(Cell::Empty);
        for m in page.rows {
            t.push_row(vec![
                Cell::Text(m.anon_chi),
                txt(m.age.map(|v| v.to_string())),
                Cell::Text(m.age_band),
                txt(m.sex),
                txt(m.simd_quintile.map(|v| v.to_string())),
                txt(m.council),
                txt(m.ltc_count.map(|v| v.to_string())),
                Cell::Text(format!("{:.2}", m.health_cost)),
                Cell::Text(format!("{}", m.bed_days)),
                Cell::Text(format!("{}", m.emergency_admissions)),
                txt(m.hri_band),
            ]);
        }
        write_table(&ws.conn, &t, &path, args.format)?;
        written.push(path);
    }
    eprintln!(
        "Exported {} people's cohort tables ({} cell{} withheld by disclosure control, threshold {}):",
        att.count,
        withheld,
        if withheld == 1 { "" } else { "s" },
        policy.threshold
    );
    for p in &written {
        println!("{}", p.display());
    }
    Ok(0)
}

/// Write a published table as CSV (neutralised) or Parquet (via DuckDB, text columns).
fn write_table(conn: &duckdb::Connection, t: &Table, path: &Path, format: ExportFormat) -> Result<()> {
    match format {
        ExportFormat::Csv => {
            std::fs::write(path, disclosure::to_csv(t)).with_context(|| format!("could not write {}", path.display()))?;
        }
        ExportFormat::Parquet => {
            // Column names are ours; values are appended (bound), never spliced. The COPY target
            // is a file name we make ourselves, then moved to the user's path.
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
            let tmp = std::env::temp_dir().join(format!("carepath-export-{}-{}.parquet", std::process::id(), t.rows.len()));
            let tmp_s = tmp.to_string_lossy().to_string();
            if tmp_s.contains('\'') {
                bail!("temporary folder {} has a quote in its name; set TMPDIR", tmp_s);
            }
            conn.execute_batch(&format!("COPY carepath_export TO '{tmp_s}' (FORMAT parquet); DROP TABLE carepath_export;"))?;
            std::fs::copy(&tmp, path).with_context(|| format!("could not write {}", path.display()))?;
            let _ = std::fs::remove_file(&tmp);
        }
    }
    Ok(())
}
