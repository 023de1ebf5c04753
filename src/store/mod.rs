//! Everything that talks to DuckDB: opening a workspace the secure way, ingesting extracts,
//! deriving the canonical model (`person`, `event`, `person_year`) and the load report.
pub mod cohort;
pub mod derive;
pub mod detect;
pub mod ingest;
pub mod overview;
pub mod pathways;
pub mod open;
pub mod population;
pub mod probe;
pub mod projection;
pub mod reclaim;
pub mod services;
pub mod reference;
pub mod report;
pub mod schema;
pub mod series;
pub mod series_sql;
pub mod series_store;
pub mod sql;
pub mod stamps;
pub mod timeline;
pub mod timing;

pub use open::{default_workspace_for, default_workspace_for_extracts, Workspace};
