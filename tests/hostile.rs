//! The hostile suite: each class of attack a hostile tester found (issue 18), built at test time
//! and run against the real binary, with what the analyst must see or get. One module per class:
//! `crash` (kill -9 at every stage of a load), `files` (names with pattern characters, symlink
//! loops, FIFOs, a foreign file as workspace), `privacy` (CHI columns, owner-only files),
//! `identity` (content fingerprint), `errors` (lock, full disk), `values` (numbers that are not
//! numbers, implausible values, odd Parquet and CSV shapes), `conflicts` (rows that disagree).
//! `fuzz` holds an on-demand mutation fuzzer over the CSV and Parquet readers (`--ignored`).
mod common;

#[path = "hostile/support.rs"]
mod support;

#[path = "hostile/conflicts.rs"]
mod conflicts;
#[path = "hostile/crash.rs"]
mod crash;
#[path = "hostile/errors.rs"]
mod errors;
#[path = "hostile/files.rs"]
mod files;
#[path = "hostile/fuzz.rs"]
mod fuzz;
#[path = "hostile/identity.rs"]
mod identity;
#[path = "hostile/privacy.rs"]
mod privacy;
#[path = "hostile/values.rs"]
mod values;
