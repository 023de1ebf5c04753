//! `carepath generate`: write a synthetic linked extract.
use crate::synth::{self, ExtractOptions, FileFormat, GenerateOptions, Layout};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Parquet,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// Every published SLF column (266 episode, 206 individual) and the quirks of real extracts
    Full,
    /// The subset of columns carepath has always read, no quirks
    Core,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of people
    #[arg(long, default_value_t = 20_000)]
    pub people: u64,
    /// Financial years, comma separated (e.g. 1819,1920,2021)
    #[arg(long, value_delimiter = ',', default_value = "1819,1920,2021")]
    pub years: Vec<String>,
    /// Seed: the same seed gives the same bytes
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder
    #[arg(long)]
    pub out: PathBuf,
    /// File format of the extracts
    #[arg(long, value_enum, default_value = "parquet")]
    pub file_format: FormatArg,
    /// Format of the summary printed (the files written)
    #[arg(long, value_enum, default_value_t = super::output::Format::Table)]
    pub format: super::output::Format,
    /// Financial years written as CSV even when the format is Parquet (e.g. 2021)
    #[arg(long, value_delimiter = ',')]
    pub csv_years: Vec<String>,
    /// Column layout of the SLF files
    #[arg(long, value_enum, default_value = "full")]
    pub layout: LayoutArg,
    /// Boards only as hbrescode (2018 codes), no hb2019 column (full layout)
    #[arg(long)]
    pub hbrescode_only: bool,
    /// Write CSV files gzip-compressed (.csv.gz)
    #[arg(long)]
    pub gzip_csv: bool,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<i32> {
    crate::ops::limits::generated_people(args.people)?;
    let opts = GenerateOptions {
        people: args.people,
        years: args.years.clone(),
        seed: args.seed,
        out: args.out.clone(),
        format: match args.file_format {
            FormatArg::Parquet => FileFormat::Parquet,
            FormatArg::Csv => FileFormat::Csv,
        },
        csv_years: args.csv_years.clone(),
        progress: true,
    };
    let extract = ExtractOptions {
        layout: match args.layout {
            LayoutArg::Full => Layout::Full,
            LayoutArg::Core => Layout::Core,
        },
        hbrescode_only: args.hbrescode_only,
        gzip_csv: args.gzip_csv,
    };
    let t = Instant::now();
    let summary = synth::generate_with(&opts, &extract)?;
    let secs = t.elapsed().as_secs_f64();
    let out = match args.format {
        super::output::Format::Table => summary_table(args, &summary, secs),
        super::output::Format::Csv => summary_csv(&summary),
        super::output::Format::Json => summary_json(args, &summary, secs)?,
    };
    super::output::emit(&out);
    Ok(0)
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn summary_table(args: &GenerateArgs, summary: &synth::GenerateSummary, secs: f64) -> String {
    let mut out = format!("{:<48} {:>12} {:>14}\n", "file", "rows", "bytes");
    let (mut rows, mut bytes) = (0u64, 0u64);
    for (path, r, b) in &summary.files {
        out.push_str(&format!("{:<48} {r:>12} {b:>14}\n", file_name(path)));
        rows += r;
        bytes += b;
    }
    out.push_str(&format!("{:<48} {:>12} {:>14}\n", "total", rows, bytes));
    out.push_str(&format!(
        "generated {} people, years {}, seed {} into {} in {:.1} s\n",
        args.people,
        args.years.join(","),
        args.seed,
        args.out.display(),
        secs
    ));
    out
}

fn summary_csv(summary: &synth::GenerateSummary) -> String {
    let mut out = String::from("file,rows,bytes\n");
    for (path, r, b) in &summary.files {
        out.push_str(&crate::format::csv_line([file_name(path), r.to_string(), b.to_string()].iter()));
        out.push('\n');
    }
    out
}

fn summary_json(args: &GenerateArgs, summary: &synth::GenerateSummary, secs: f64) -> anyhow::Result<String> {
    let files: Vec<serde_json::Value> =
        summary.files.iter().map(|(p, r, b)| serde_json::json!({"file": file_name(p), "rows": r, "bytes": b})).collect();
    let v = serde_json::json!({
        "people": args.people,
        "years": args.years,
        "seed": args.seed,
        "out": args.out.display().to_string(),
        "seconds": secs,
        "files": files,
    });
    Ok(serde_json::to_string_pretty(&v)? + "\n")
}
