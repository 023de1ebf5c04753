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
pub mod chunk;
pub mod csv;
pub mod date;
pub mod full;
pub mod geography;
pub mod health;
pub mod hri;
pub mod layout;
pub mod options;
pub mod person;
pub mod published;
pub mod rng;
pub mod rows;
pub mod sc_rows;
pub mod social_care;
pub mod vintages;
pub mod writer;

pub use options::{ExtractOptions, FileFormat, GenerateOptions, GenerateSummary, Layout};

/// Generate in the core layout (what existing callers and fixtures expect).
pub fn generate(opts: &GenerateOptions) -> anyhow::Result<GenerateSummary> {
    writer::run(opts, &ExtractOptions::default())
}

pub fn generate_with(opts: &GenerateOptions, extract: &ExtractOptions) -> anyhow::Result<GenerateSummary> {
    writer::run(opts, extract)
}
