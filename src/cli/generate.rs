//! `carepath generate`: write a synthetic linked extract.
use crate::synth::{self, FileFormat, GenerateOptions};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Parquet,
    Csv,
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
    pub format: FormatArg,
    /// Financial years written as CSV even when the format is Parquet (e.g. 2021)
    #[arg(long, value_delimiter = ',')]
    pub csv_years: Vec<String>,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<i32> {
    crate::ops::limits::generated_people(args.people)?;
    let opts = GenerateOptions {
        people: args.people,
        years: args.years.clone(),
        seed: args.seed,
        out: args.out.clone(),
        format: match args.format {
            FormatArg::Parquet => FileFormat::Parquet,
            FormatArg::Csv => FileFormat::Csv,
        },
        csv_years: args.csv_years.clone(),
        progress: true,
    };
    let t = Instant::now();
    let summary = synth::generate(&opts)?;
    let secs = t.elapsed().as_secs_f64();
    let mut out = format!("{:<48} {:>12} {:>14}\n", "file", "rows", "bytes");
    let (mut rows, mut bytes) = (0u64, 0u64);
    for (path, r, b) in &summary.files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push_str(&format!("{name:<48} {r:>12} {b:>14}\n"));
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
    super::output::emit(&out);
    Ok(0)
}
