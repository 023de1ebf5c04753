//! What a benchmark run measures: the scale, its people and years, and the run's settings.
use std::path::PathBuf;

/// The benchmark scales of issue 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// 20,000 people
    Sample,
    /// 500,000 people
    Region,
    /// 5,500,000 people (Scotland)
    Country,
}

impl Scale {
    pub fn people(&self) -> u64 {
        match self {
            Scale::Sample => 20_000,
            Scale::Region => 500_000,
            Scale::Country => 5_500_000,
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Scale::Sample => "sample",
            Scale::Region => "region",
            Scale::Country => "country",
        }
    }
}

/// The seed every scale is generated with.
pub const SEED: u64 = 42;
/// The three financial years every scale is generated with.
pub const YEARS: [&str; 3] = ["1819", "1920", "2021"];
/// Members fetched per page (the TUI's page size).
pub const PAGE: u64 = crate::tui::explore::PAGE;
/// Frame size of the draw benchmark.
pub const FRAME: (u16, u16) = (200, 60);

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Name printed in the report (`sample`, `region`, `country`, or anything for a custom size).
    pub scale: String,
    pub people: u64,
    pub years: Vec<String>,
    pub seed: u64,
    /// Folder for the generated extracts, the workspace and the baseline database.
    pub cache: PathBuf,
    /// Rounds of the cohort edit sequence (each round starts from an empty cohort).
    pub rounds: usize,
    /// People whose timeline is opened.
    pub timeline_people: usize,
    /// Of those, how many are also read by the raw baseline (a scan of every raw file each).
    pub timeline_baseline_people: usize,
    /// Draws per screen.
    pub draws: usize,
    /// Progress lines on stderr.
    pub progress: bool,
    /// After the timed phases, write DuckDB's EXPLAIN ANALYZE profile of the main query of each
    /// library call to `cache/profiles/<call>.txt` (not timed).
    pub profile: bool,
    /// Skip both loads and use the workspace and baseline database left by an earlier run.
    pub reuse_workspace: bool,
}

impl BenchConfig {
    pub fn for_scale(scale: Scale, cache: PathBuf) -> BenchConfig {
        BenchConfig {
            scale: scale.name().into(),
            people: scale.people(),
            years: YEARS.iter().map(|s| s.to_string()).collect(),
            seed: SEED,
            cache,
            rounds: 3,
            timeline_people: 100,
            timeline_baseline_people: 20,
            draws: 50,
            progress: true,
            profile: false,
            reuse_workspace: false,
        }
    }
}
