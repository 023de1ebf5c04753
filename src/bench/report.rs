//! The benchmark report: figures with their baseline and target, printed as a table or JSON.
use super::stats::{p50, p95, Machine};
use super::config::BenchConfig;
use serde::Serialize;
use std::collections::BTreeMap;

/// A performance target of DESIGN.md section 5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Target {
    /// p50 / baseline p50 at most this.
    RatioMax(f64),
    /// p95 at most this many ms.
    P95MaxMs(f64),
    /// Worst sample at most this many ms.
    MaxMs(f64),
    /// At most this many MB.
    MaxMb(f64),
    /// Reported, no target.
    None,
}

impl Target {
    pub fn describe(&self) -> String {
        match self {
            Target::RatioMax(r) => format!("<= {r}x baseline"),
            Target::P95MaxMs(ms) => format!("p95 <= {ms} ms"),
            Target::MaxMs(ms) => format!("<= {ms} ms"),
            Target::MaxMb(mb) => format!("<= {:.0} GB", mb / 1024.0),
            Target::None => "-".into(),
        }
    }
}

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    /// `ms` or `MB`.
    pub unit: String,
    /// Number of samples.
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
    pub baseline: Option<String>,
    pub baseline_n: usize,
    pub baseline_p50: Option<f64>,
    pub baseline_p95: Option<f64>,
    /// p50 / baseline p50.
    pub ratio: Option<f64>,
    pub target: Target,
    pub target_text: String,
    /// None when there is no target.
    pub met: Option<bool>,
}

impl Figure {
    fn build(name: &str, unit: &str, v: &[f64], baseline: Option<(&str, &[f64])>, target: Target) -> Figure {
        let (p50v, p95v) = (p50(v), p95(v));
        let max = v.iter().cloned().fold(0.0, f64::max);
        let (bname, bn, bp50, bp95) = match baseline {
            Some((n, b)) if !b.is_empty() => (Some(n.to_string()), b.len(), Some(p50(b)), Some(p95(b))),
            _ => (None, 0, None, None),
        };
        let ratio = bp50.filter(|b| *b > 0.0).map(|b| p50v / b);
        let met = match target {
            Target::RatioMax(r) => ratio.map(|x| x <= r),
            Target::P95MaxMs(ms) => Some(p95v <= ms),
            Target::MaxMs(ms) => Some(max <= ms),
            Target::MaxMb(mb) => Some(max <= mb),
            Target::None => None,
        };
        Figure {
            name: name.into(),
            unit: unit.into(),
            n: v.len(),
            p50: p50v,
            p95: p95v,
            max,
            baseline: bname,
            baseline_n: bn,
            baseline_p50: bp50,
            baseline_p95: bp95,
            ratio,
            target,
            target_text: target.describe(),
            met,
        }
    }

    /// Timed samples (ms).
    pub fn samples(name: &str, v: &[f64], baseline: Option<(&str, &[f64])>, target: Target) -> Figure {
        Figure::build(name, "ms", v, baseline, target)
    }

    /// One timed run (ms).
    pub fn single(name: &str, ms: f64, baseline: Option<(&str, f64)>, target: Target) -> Figure {
        let b = baseline.map(|(n, v)| (n, vec![v]));
        Figure::build(name, "ms", &[ms], b.as_ref().map(|(n, v)| (*n, v.as_slice())), target)
    }

    /// A memory figure (MB).
    pub fn memory(name: &str, mb: f64, max_mb: f64) -> Figure {
        Figure::build(name, "MB", &[mb], None, Target::MaxMb(max_mb))
    }
}

/// One timed cohort edit.
#[derive(Debug, Clone, Serialize)]
pub struct EditSample {
    pub round: usize,
    pub edit: String,
    pub enabled_filters: usize,
    pub count: u64,
    /// The hand-written SQL's count (see [`super::edits`] for why it can differ a little).
    pub baseline_count: u64,
    pub ms: f64,
    pub baseline_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scale: String,
    pub people: u64,
    pub years: Vec<String>,
    pub seed: u64,
    pub machine: Machine,
    pub duckdb_memory_limit: String,
    pub carepath_version: String,
    /// Seconds spent generating (None: the extracts were cached).
    pub generation_s: Option<f64>,
    pub extract_files: usize,
    pub extract_bytes: u64,
    /// Rows of the derived tables.
    pub rows: BTreeMap<String, u64>,
    /// The year cohorts are counted in (the latest).
    pub cohort_year: String,
    pub figures: Vec<Figure>,
    pub cohort_edits: Vec<EditSample>,
    /// p50 draw time per screen (ms).
    pub draw_by_screen: BTreeMap<String, f64>,
    /// Peak RSS of the whole process up to the end of the loads (both loads), MB.
    pub peak_rss_load_mb: f64,
    /// Peak RSS from the reopen to the end (exploring), MB.
    pub peak_rss_explore_mb: f64,
    /// Whether the peak could be reset between the phases (if not, the exploring peak includes
    /// the loads).
    pub rss_reset: bool,
    /// Print each figure on stderr as it is measured (a long run that is stopped still shows
    /// what it measured).
    #[serde(skip)]
    pub verbose: bool,
}

impl Report {
    pub fn new(cfg: &BenchConfig, machine: Machine) -> Report {
        Report {
            scale: cfg.scale.clone(),
            people: cfg.people,
            years: cfg.years.clone(),
            seed: cfg.seed,
            machine,
            duckdb_memory_limit: format!(
                "{} exploring, {} MB loading",
                crate::store::open::MEMORY_LIMIT,
                crate::store::open::load_memory_limit_mb()
            ),
            carepath_version: env!("CARGO_PKG_VERSION").into(),
            generation_s: None,
            extract_files: 0,
            extract_bytes: 0,
            rows: BTreeMap::new(),
            cohort_year: String::new(),
            figures: Vec::new(),
            cohort_edits: Vec::new(),
            draw_by_screen: BTreeMap::new(),
            peak_rss_load_mb: 0.0,
            peak_rss_explore_mb: 0.0,
            rss_reset: false,
            verbose: cfg.progress,
        }
    }

    pub fn push(&mut self, f: Figure) {
        if self.verbose {
            eprintln!(
                "[bench {}] {}: n={} p50 {} p95 {}{}",
                self.scale,
                f.name,
                f.n,
                if f.unit == "MB" { format!("{:.0} MB", f.p50) } else { fmt_ms(f.p50) },
                if f.unit == "MB" { format!("{:.0} MB", f.p95) } else { fmt_ms(f.p95) },
                match (f.baseline_p50, f.ratio) {
                    (Some(b), Some(r)) => format!(" (baseline p50 {}, ratio {r:.2}x)", fmt_ms(b)),
                    _ => String::new(),
                }
            );
        }
        self.figures.push(f);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record_edit(&mut self, round: usize, edit: &str, enabled: usize, count: u64, baseline_count: u64, ms: f64, bms: f64) {
        self.cohort_edits.push(EditSample {
            round,
            edit: edit.into(),
            enabled_filters: enabled,
            count,
            baseline_count,
            ms,
            baseline_ms: bms,
        });
    }

    pub fn figure(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }

    /// The human table (Markdown, so it pastes into BENCHMARKS.md as is).
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "carepath bench: scale {} ({} people, years {}, seed {})\n",
            self.scale,
            group(self.people),
            self.years.join(","),
            self.seed
        ));
        s.push_str(&format!(
            "machine: {} cores, {:.1} GB memory, {} ({}); DuckDB memory_limit {}; load average {:.1} at start, {:.1} at end\n",
            self.machine.cores,
            self.machine.memory_gb,
            self.machine.cpu,
            self.machine.os,
            self.duckdb_memory_limit,
            self.machine.load_avg_start,
            self.machine.load_avg_end
        ));
        let gen = match self.generation_s {
            Some(g) => format!("generated in {g:.1} s"),
            None => "cached".into(),
        };
        s.push_str(&format!(
            "extracts: {} files, {:.1} MB ({gen}); rows: {}\n\n",
            self.extract_files,
            self.extract_bytes as f64 / 1e6,
            self.rows.iter().map(|(k, v)| format!("{k} {}", group(*v))).collect::<Vec<_>>().join(", ")
        ));
        s.push_str("| figure | n | p50 | p95 | baseline p50 | ratio | target | met |\n");
        s.push_str("|---|---:|---:|---:|---:|---:|---|---|\n");
        for f in &self.figures {
            let v = |x: f64| if f.unit == "MB" { format!("{x:.0} MB") } else { fmt_ms(x) };
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                f.name,
                f.n,
                v(f.p50),
                v(f.p95),
                f.baseline_p50.map(fmt_ms).unwrap_or_else(|| "-".into()),
                f.ratio.map(|r| format!("{r:.2}x")).unwrap_or_else(|| "-".into()),
                f.target_text,
                match f.met {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "-",
                }
            ));
        }
        s.push('\n');
        s.push_str("baselines: ");
        let bl: Vec<String> = self
            .figures
            .iter()
            .filter_map(|f| f.baseline.as_ref().map(|b| format!("{}: {b} (n={})", f.name, f.baseline_n)))
            .collect();
        s.push_str(&bl.join("; "));
        s.push('\n');
        s.push_str(&format!(
            "peak RSS: loads {:.0} MB, exploring {:.0} MB{}\n",
            self.peak_rss_load_mb,
            self.peak_rss_explore_mb,
            if self.rss_reset { "" } else { " (could not reset the peak: includes the loads)" }
        ));
        s.push_str(&format!(
            "draw p50 by screen: {}\n",
            self.draw_by_screen.iter().map(|(k, v)| format!("{k} {}", fmt_ms(*v))).collect::<Vec<_>>().join(", ")
        ));
        s
    }
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1e3)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_and_target() {
        let f = Figure::single("load", 150.0, Some(("b", 100.0)), Target::RatioMax(1.5));
        assert_eq!(f.ratio, Some(1.5));
        assert_eq!(f.met, Some(true));
        let f = Figure::samples("x", &[1.0, 2.0, 200.0], None, Target::P95MaxMs(100.0));
        assert_eq!(f.met, Some(false));
        assert_eq!(group(5_500_000), "5,500,000");
    }
}
