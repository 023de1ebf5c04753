//! Timeline queries (being written: issue 5).
