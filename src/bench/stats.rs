//! Small measurement helpers: percentiles, a stopwatch, the machine and the process's memory.
use serde::Serialize;
use std::time::Instant;

/// Milliseconds taken by `f`, and what it returned.
pub fn time_ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed().as_secs_f64() * 1e3, v)
}

/// Nearest-rank percentile (`p` in 0..=1) of the samples; 0 when there are none.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut v = samples.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = (p * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

pub fn p50(samples: &[f64]) -> f64 {
    percentile(samples, 0.5)
}

pub fn p95(samples: &[f64]) -> f64 {
    percentile(samples, 0.95)
}

/// The machine the figures were measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_gb: f64,
    pub cpu: String,
    pub os: String,
    /// 1-minute load average when the run started and when it ended (from /proc/loadavg): above
    /// the core count, other processes were competing for the CPU and times are inflated.
    pub load_avg_start: f64,
    pub load_avg_end: f64,
}

impl Machine {
    pub fn detect() -> Machine {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let memory_gb = proc_kb("/proc/meminfo", "MemTotal:").map(|kb| kb as f64 / 1024.0 / 1024.0).unwrap_or(0.0);
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_string()))
            .unwrap_or_else(|| "unknown".into());
        let os = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!("{} {}", std::env::consts::OS, s.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.to_string());
        let l = load_avg();
        Machine { cores, memory_gb, cpu, os, load_avg_start: l, load_avg_end: l }
    }
}

/// 1-minute load average (0 when unknown).
pub fn load_avg() -> f64 {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| s.split_whitespace().next()?.parse().ok()).unwrap_or(0.0)
}

/// A `kB` field of a /proc status-like file.
fn proc_kb(path: &str, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

/// Peak resident set size of this process so far (VmHWM), in MB.
pub fn peak_rss_mb() -> f64 {
    proc_kb("/proc/self/status", "VmHWM:").map(|kb| kb as f64 / 1024.0).unwrap_or(0.0)
}

/// Current resident set size (VmRSS), in MB.
pub fn rss_mb() -> f64 {
    proc_kb("/proc/self/status", "VmRSS:").map(|kb| kb as f64 / 1024.0).unwrap_or(0.0)
}

/// Reset the peak RSS to the current RSS (Linux >= 4.0: write 5 to clear_refs). Returns
/// whether it worked; when it does not, later peaks include earlier phases.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(|x| x as f64).collect();
        assert_eq!(p50(&v), 50.0);
        assert_eq!(p95(&v), 95.0);
        assert_eq!(p95(&[3.0]), 3.0);
        assert_eq!(p50(&[]), 0.0);
        assert_eq!(p50(&[2.0, 1.0, 3.0]), 2.0);
    }
}
