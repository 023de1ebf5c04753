//! `carepath hri` (being written).
use clap::Args;

#[derive(Debug, Args)]
pub struct HriArgs {}

pub fn run(_args: &HriArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
