//! `carepath generate`: write a synthetic linked extract.
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of people
    #[arg(long, default_value_t = 20_000)]
    pub people: u64,
    /// Financial years, comma separated (e.g. 1819,1920,2021)
    #[arg(long, value_delimiter = ',', default_value = "1819,1920,2021")]
    pub years: Vec<String>,
    /// Seed: the same seed gives the same bytes
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("the generator is not built yet")
}
