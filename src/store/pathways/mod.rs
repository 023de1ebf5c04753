//! Pathway queries over the canonical model: HRI transitions across years (`transitions`),
//! pathways after or before an index event and time to a target event. SQL with bound
//! parameters only; the only text spliced is our own (column names, fixed code lists).
pub mod index;
mod sequences;
mod time_to;
mod transition_sql;
pub mod transition_store;
mod transitions;
mod triggers;

pub use sequences::{paths_key, pathways, pathways_from, person_paths, person_paths_cached, Paths, PersonPaths};
pub use time_to::time_to;
pub use transitions::{transitions, transitions_fresh};
pub use triggers::triggers;
