//! Pure computations: disclosure control, Lorenz/Gini, pathway aggregation.
pub mod disclosure;
pub mod lorenz;
