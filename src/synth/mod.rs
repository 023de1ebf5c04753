//! The synthetic extract generator (issue 3): people who behave like the published figures,
//! written in the SLF episode/individual and SC2 layouts, deterministic for a seed, streaming.
//!
//! Pipeline: (1) dates of birth and sexes, then unique CHIs, in person order; (2) people are
//! simulated in chunks on two threads (each person has its own random stream), and the rows of
//! each chunk are appended in order to one CSV per output file, so memory stays bounded;
//! (3) HRI flags are computed per year from compact (cost, anon_chi, board, council) numbers and
//! appended to the individual rows; (4) files meant as Parquet are converted by DuckDB
//! (`COPY ... TO` with explicit column types, threads = 1, so the bytes are reproducible).
pub mod chi;
pub mod csv;
pub mod date;
pub mod geography;
pub mod health;
pub mod hri;
pub mod layout;
pub mod person;
pub mod rng;
pub mod rows;
pub mod social_care;
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

pub fn generate(opts: &GenerateOptions) -> anyhow::Result<GenerateSummary> {
    writer::run(opts)
}
