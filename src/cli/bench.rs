//! `carepath bench`: the performance targets of DESIGN.md section 5 measured at a scale, each
//! against a baseline in the same run (see [`crate::bench`]).
use crate::bench::{self, BenchConfig, Scale};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchFormat {
    Table,
    Json,
    /// One row per measured figure (medians, p95, baseline, ratio, target)
    Csv,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// sample = 20,000 people, region = 500,000, country = 5,500,000 (3 financial years each)
    #[arg(long, value_enum, default_value = "sample")]
    pub scale: Scale,
    /// Folder for the generated extracts (kept between runs), workspace and baseline database
    /// (default ~/.cache/carepath-bench/<scale>)
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// What to print on stdout
    #[arg(long, value_enum, default_value = "table")]
    pub format: BenchFormat,
    /// Also write the report as JSON to this file
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the number of people (a custom scale; the report names it "custom")
    #[arg(long, hide = true)]
    pub people: Option<u64>,
    /// Rounds of the cohort edit sequence
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Also write DuckDB profiles (EXPLAIN ANALYZE trees) of each library call's main query to
    /// <cache>/profiles/ (after the timed phases)
    #[arg(long)]
    pub profile: bool,
    /// No progress lines on stderr
    #[arg(long)]
    pub quiet: bool,
    /// Keep the workspace and baseline database of the last run at this scale and measure only
    /// the exploring figures (no load figures); for iterating on query speed
    #[arg(long)]
    pub reuse_workspace: bool,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<i32> {
    let cache = args.cache.clone().unwrap_or_else(|| bench::default_cache(args.scale.name()));
    let mut cfg = BenchConfig::for_scale(args.scale, cache);
    if let Some(p) = args.people {
        cfg.people = p;
        cfg.scale = "custom".into();
    }
    cfg.rounds = args.rounds.max(1);
    cfg.progress = !args.quiet;
    cfg.profile = args.profile;
    cfg.reuse_workspace = args.reuse_workspace;
    let report = bench::run(&cfg)?;
    let json = report.to_json()?;
    if let Some(out) = &args.out {
        std::fs::write(out, &json).map_err(|e| anyhow::anyhow!("could not write {}: {e}", out.display()))?;
    }
    match args.format {
        BenchFormat::Table => super::output::emit(&report.to_table()),
        BenchFormat::Json => super::output::emit(&format!("{json}\n")),
        BenchFormat::Csv => super::output::emit(&figures_csv(&report.figures)),
    }
    Ok(0)
}

/// The figures as CSV: name, unit, samples, p50, p95, max, baseline and its p50/p95, ratio,
/// target and whether it is met.
fn figures_csv(figures: &[crate::bench::Figure]) -> String {
    let opt = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_default();
    let mut s = String::from("name,unit,n,p50,p95,max,baseline,baseline_n,baseline_p50,baseline_p95,ratio,target,met\n");
    for f in figures {
        let cells = [
            f.name.clone(),
            f.unit.clone(),
            f.n.to_string(),
            format!("{:.3}", f.p50),
            format!("{:.3}", f.p95),
            format!("{:.3}", f.max),
            f.baseline.clone().unwrap_or_default(),
            f.baseline_n.to_string(),
            opt(f.baseline_p50),
            opt(f.baseline_p95),
            opt(f.ratio),
            f.target_text.clone(),
            f.met.map(|m| m.to_string()).unwrap_or_default(),
        ];
        s.push_str(&crate::format::csv_line(cells.iter()));
        s.push('\n');
    }
    s
}
