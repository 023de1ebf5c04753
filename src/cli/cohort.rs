//! `carepath cohort` (being written).
use clap::Args;

#[derive(Debug, Args)]
pub struct CohortArgs {}

pub fn run(_args: &CohortArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
