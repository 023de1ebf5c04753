//! carepath: a terminal explorer for linked health and social care extracts.
//!
//! Layers (each testable without the ones above it):
//! - [`model`]: plain domain types and code lists (no I/O)
//! - [`store`]: everything that talks to DuckDB (open, ingest, derive, queries)
//! - [`analysis`]: pure computations (disclosure control, Lorenz/Gini)
//! - [`synth`]: the synthetic extract generator
//! - [`tui`]: the terminal explorer
pub mod analysis;
pub mod bench;
pub mod cli;
pub mod model;
pub mod store;
pub mod synth;
pub mod tui;
