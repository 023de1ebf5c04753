//! The synthetic extract generator (issue 3): people who behave like the published figures,
//! written in the SLF episode/individual and SC2 layouts, deterministic for a seed, streaming.
//!
//! Pipeline: (1) dates of birth and sexes, then unique CHIs, in person order; (2) people are
//! simulated in chunks on two threads (each person has its own random stream), and the rows of
//! each chunk are appended in order to one CSV per output file, so memory stays bounded;
//! (3) HRI flags are computed per year from compact (cost, anon_chi, board, council) numbers and
//! appended to the individual rows; (4) files meant as Parquet are converted by DuckDB
//! (`COPY ... TO` with explicit column types, threads = 1, so the bytes are reproducible).
//!
//! Two layouts (`Layout`): the core subset of columns, and the full published layout with the
//! quirks of real extracts (`full.rs`, `published.rs`). The HRI columns follow PHS's current R
//! rule in both (`hri.rs`).
pub mod chi;
pub mod csv;
pub mod date;
pub mod full;
pub mod geography;
pub mod health;
pub mod hri;
pub mod layout;
pub mod person;
pub mod published;
pub mod rng;
pub mod rows;
pub mod sc_rows;
pub mod social_care;
pub mod vintages;
pub mod writer;

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

/// Generate in the core layout (what existing callers and fixtures expect).
pub fn generate(opts: &GenerateOptions) -> anyhow::Result<GenerateSummary> {
    writer::run(opts, &ExtractOptions::default())
}

pub fn generate_with(opts: &GenerateOptions, extract: &ExtractOptions) -> anyhow::Result<GenerateSummary> {
    writer::run(opts, extract)
}
