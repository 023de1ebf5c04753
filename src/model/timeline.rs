//! Timeline model (being written: issue 5).
