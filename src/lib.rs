//! carepath: a terminal explorer for linked health and social care extracts.
//!
//! Layers (each testable without the ones above it):
//! - [`model`]: plain domain types and code lists (no I/O)
//! - [`store`]: everything that talks to DuckDB (open, ingest, derive, queries)
//! - [`analysis`]: pure computations (disclosure control, Lorenz/Gini)
//! - [`ops`]: the operations layer: typed Query -> Answer, the one place where disclosure control
//!   and audit happen; the explorer, every CLI subcommand and export call it
//! - [`format`]: numbers, money, ids, terminal-safe text and CSV cells for every client
//! - [`synth`]: the synthetic extract generator
//! - [`tui`]: the terminal explorer
pub mod analysis;
pub mod bench;
pub mod cli;
pub mod format;
pub mod model;
pub mod ops;
pub mod store;
pub mod synth;
pub mod tui;
