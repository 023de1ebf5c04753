//! `carepath timeline` (being written).
use clap::Args;

#[derive(Debug, Args)]
pub struct TimelineArgs {}

pub fn run(_args: &TimelineArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
