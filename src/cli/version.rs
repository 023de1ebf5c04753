//! What this binary is: carepath's version, the commit it was built from (see `build.rs`), its
//! target and the DuckDB compiled into it. `carepath --version` prints [`version_line`];
//! `carepath doctor` reports the same facts with the rest.
use std::ffi::CStr;

/// carepath's own version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The source commit, or "unknown" when the build had neither git nor a bundle's record.
pub const GIT_COMMIT: &str = env!("CAREPATH_GIT_COMMIT");

/// The target triple the binary was built for (e.g. `x86_64-unknown-linux-gnu`).
pub const TARGET: &str = env!("CAREPATH_TARGET");

/// The version of the DuckDB library linked into this binary (e.g. `v1.2.0`), asked of the
/// library itself, so it cannot disagree with what the engine runs; needs no database.
pub fn duckdb_library_version() -> String {
    // SAFETY: duckdb_library_version takes no arguments and returns a pointer to a static,
    // NUL-terminated string owned by the library (or NULL, handled below).
    let ptr = unsafe { duckdb::ffi::duckdb_library_version() };
    if ptr.is_null() {
        return "unknown".to_string();
    }
    // SAFETY: non-null, static and NUL-terminated (see above).
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

/// The short commit id shown beside the version (12 characters, as `git log` abbreviates).
pub fn short_commit() -> &'static str {
    GIT_COMMIT.get(..12).unwrap_or(GIT_COMMIT)
}

/// `carepath 0.1.0 (commit 0123456789ab, DuckDB v1.2.0, x86_64-unknown-linux-gnu)`.
pub fn version_line() -> String {
    format!("carepath {VERSION} (commit {}, DuckDB {}, {TARGET})", short_commit(), duckdb_library_version())
}

/// The text after "carepath " in `--version` (clap prints the name itself).
pub fn clap_version() -> &'static str {
    // clap keeps the version as a `&'static str`; it is built once per process, at start.
    let line = version_line();
    let rest = line.strip_prefix("carepath ").unwrap_or(&line).to_string();
    Box::leak(rest.into_boxed_str())
}
