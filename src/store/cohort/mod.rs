//! Cohort queries (being written: issue 4).
