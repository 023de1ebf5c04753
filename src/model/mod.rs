//! Plain domain types and code lists. No I/O: code lists are compiled in from `assets/`.
pub mod audit;
pub mod codes;
pub mod costs;
pub mod cohort;
pub mod events;
pub mod figures;
pub mod geography;
pub mod hri;
pub mod pathways;
pub mod ltc;
pub mod ppa;
pub mod series;
pub mod service;
pub mod timeline;
pub mod transitions;
pub mod triggers;
pub mod year;
