//! Cohort definitions (being written: issue 4).
