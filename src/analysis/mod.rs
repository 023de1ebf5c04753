//! Pure computations: disclosure control, Lorenz/Gini, pathway aggregation, time to event.
pub mod disclosure;
pub mod lorenz;
pub mod pathways;
pub mod survival;
