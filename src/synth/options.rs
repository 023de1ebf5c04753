//! What to generate (people, years, seed, format, layout, quirks) and what was written.
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Parquet,
    Csv,
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub people: u64,
    pub years: Vec<String>,
    pub seed: u64,
    pub out: PathBuf,
    pub format: FileFormat,
    /// Years written as CSV even when `format` is Parquet (the sample exercises both readers).
    pub csv_years: Vec<String>,
    pub progress: bool,
}

#[derive(Debug, Clone, Default)]
pub struct GenerateSummary {
    /// (path, rows, bytes) per file written.
    pub files: Vec<(PathBuf, u64, u64)>,
}

/// Which columns the SLF files carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// The subset of columns carepath's loader has always read, no quirks.
    #[default]
    Core,
    /// Every published column (`slf_episode_columns.csv` 266, `slf_individual_columns.csv` 206,
    /// PHS's order and types) and the quirks of real extracts: rows without a CHI, inpatient and
    /// DD episodes in every FY file they overlap, blank/dummy/English postcodes and English
    /// practices, a Scottish postcode missing from the lookup, `keep_population = 0` for some
    /// NSUs.
    Full,
}

/// How the extract is laid out (beyond what `GenerateOptions` says).
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    pub layout: Layout,
    /// Full layout without `hb2019`: boards only as `hbrescode` (2018 codes S08000021 GG&C,
    /// S08000023 Lanarkshire), as older extracts have them.
    pub hbrescode_only: bool,
    /// Write the CSV files gzip-compressed (`.csv.gz`).
    pub gzip_csv: bool,
}
