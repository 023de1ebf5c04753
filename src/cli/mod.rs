//! Command line: every headless capability is a subcommand; no subcommand opens the TUI.
pub mod audit;
pub mod bench;
pub mod cohort;
pub mod compare;
pub mod cube;
pub mod delays;
pub mod disclosure_args;
pub mod doctor;
pub mod export;
pub mod generate;
pub mod hri;
pub mod load;
pub mod output;
pub mod overview;
pub mod pathways;
pub mod socialcare;
pub mod project;
pub mod spc;
pub mod spec_flags;
pub mod time_to;
pub mod timeline;
pub mod transitions;
pub mod triggers;
pub mod unscheduled;
pub mod version;
pub mod workspace;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "carepath",
    version,
    about = "Explore linked health and social care extracts (SLF / SC2) in the terminal",
    long_about = "Explore linked health and social care extracts (Source Linkage Files and SC2 social care) \
in an embedded DuckDB workspace. With no subcommand, opens the terminal explorer on PATH \
(a workspace file or a folder of extracts), or on the bundled sample-data.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Workspace file (.duckdb) or folder of extracts to open (default: sample-data)
    pub path: Option<PathBuf>,
    /// ASCII only: no box drawing, block or braille characters (old terminals)
    #[arg(long)]
    pub ascii: bool,
    /// Let the mouse scroll and click (off by default)
    #[arg(long)]
    pub mouse: bool,
    /// Key bindings file (TOML; default ~/.config/carepath/keys.toml when it exists)
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load extracts (files or folders) into a workspace and print the load report
    Load(load::LoadArgs),
    /// Overview of a year: people, cost, HRI headline, by service, age and SIMD (disclosure-controlled)
    Overview(overview::OverviewArgs),
    /// Count, attrition and characterisation of a cohort (spec file or inline filters)
    Cohort(cohort::CohortArgs),
    /// High Resource Individuals: shares, bands, Lorenz curve, Gini, persistence
    Hri(hri::HriArgs),
    /// One person's care pathway across all years and services (anonymised)
    Timeline(timeline::TimelineArgs),
    /// HRI pathways across years: band in one year to band (or Died / Not present) in a later one
    Transitions(transitions::TransitionsArgs),
    /// Triggers before becoming an HRI: the year before, new HRIs beside a matched comparison
    Triggers(triggers::TriggersArgs),
    /// Delayed discharges of a year: people, episodes, bed days and Code 9 by reason, place, month, length...
    Delays(delays::DelaysArgs),
    /// Unscheduled care of a year: A&E, repeat attenders, emergency admissions, PPAs, 28-day readmissions per 1,000
    Unscheduled(unscheduled::UnscheduledArgs),
    /// Two cohorts side by side: size, overlap, make-up, cost per person by service, ratio, SMD, standardised ratio
    Compare(compare::CompareArgs),
    /// The resource cube: a measure (cost, bed days, admissions, HRIs...) by one or two dimensions, per 1,000 or standardised
    Cube(cube::CubeArgs),
    /// Monthly or weekly series of a measure for an area, with XmR control charts (Making Data Count)
    Spc(spc::SpcArgs),
    /// Social care prevention measures (NDTi): entrants, age at entry, first home-care package, growth of hours, care-home moves
    Socialcare(socialcare::SocialCareArgs),
    /// Projections to 2035: base-year rates per area, sex and age band x projected population, beds needed, scenarios
    Project(project::ProjectArgs),
    /// Pathways after (and before) an index event: step sequences with people and median days
    Pathways(pathways::PathwaysArgs),
    /// Time from an index event to a target event: cumulative incidence at 30/90/180/365 days
    TimeTo(time_to::TimeToArgs),
    /// Export a cohort's attrition and characterisation with disclosure control applied
    Export(export::ExportArgs),
    /// Generate a synthetic linked extract (SLF + SC2 layouts), deterministic by seed
    Generate(generate::GenerateArgs),
    /// Benchmarks at sample, region and country scale against raw DuckDB baselines
    Bench(bench::BenchArgs),
    /// The workspace's audit log (who saw or released what) and a check that it is whole
    Audit(audit::AuditArgs),
    /// Check this installation: version, DuckDB, Parquet, offline settings, memory, terminal, sample (no patient data)
    Doctor(doctor::DoctorArgs),
}

/// Parse the command line, run it, and return the process exit code.
pub fn run() -> i32 {
    // `--version` names the commit and the DuckDB inside, known only once the binary runs.
    let matches = Cli::command().version(version::clap_version()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Some(Command::Load(args)) => load::run(&args),
        Some(Command::Generate(args)) => generate::run(&args),
        Some(Command::Overview(args)) => overview::run(&args),
        Some(Command::Cohort(args)) => cohort::run(&args),
        Some(Command::Hri(args)) => hri::run(&args),
        Some(Command::Timeline(args)) => timeline::run(&args),
        Some(Command::Transitions(args)) => transitions::run(&args),
        Some(Command::Triggers(args)) => triggers::run(&args),
        Some(Command::Delays(args)) => delays::run(&args),
        Some(Command::Unscheduled(args)) => unscheduled::run(&args),
        Some(Command::Cube(args)) => cube::run(&args),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Spc(args)) => spc::run(&args),
        Some(Command::Socialcare(args)) => socialcare::run(&args),
        Some(Command::Project(args)) => project::run(&args),
        Some(Command::Pathways(args)) => pathways::run(&args),
        Some(Command::TimeTo(args)) => time_to::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Bench(args)) => bench::run(&args),
        Some(Command::Audit(args)) => audit::run(&args),
        Some(Command::Doctor(args)) => doctor::run(&args),
        None => {
            let opts = crate::tui::TuiOptions { ascii: cli.ascii, mouse: cli.mouse, keys: cli.keys.clone() };
            crate::tui::run(cli.path.as_deref(), &opts)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::note(&format!("carepath: {}", output::describe_error(&e)));
            match e.downcast_ref::<crate::ops::OpsError>() {
                Some(crate::ops::OpsError::Cancelled) => 130,
                _ => 1,
            }
        }
    }
}
