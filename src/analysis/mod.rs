//! Pure computations: disclosure control, Lorenz/Gini, pathway aggregation, time to event, SPC.
pub mod balance;
pub mod disclosure;
pub mod lorenz;
pub mod pathways;
pub mod projection;
pub mod spc;
pub mod standardise;
pub mod survival;
