//! Step timings for profiling loads (`CAREPATH_TIMINGS=1`), shared by ingest and derive.

/// With CAREPATH_TIMINGS set, print how long each step took (for profiling loads).
pub fn timing(what: &str, since: std::time::Instant) {
    if std::env::var_os("CAREPATH_TIMINGS").is_some() {
        eprintln!("[timing] {what}: {:.3}s", since.elapsed().as_secs_f64());
    }
}
