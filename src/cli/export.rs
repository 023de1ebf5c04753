//! `carepath export` (being written).
use clap::Args;

#[derive(Debug, Args)]
pub struct ExportArgs {}

pub fn run(_args: &ExportArgs) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
