//! Disclosure flags shared by every subcommand that prints or writes aggregates. Disclosure
//! control is on by default (threshold 10, secondary suppression); `--no-sdc` prints raw figures,
//! says so in the output, and is written to the audit log.
use crate::analysis::disclosure::Policy;
use crate::ops::{OpsError, Sdc};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args, Clone, Default)]
pub struct DisclosureArgs {
    /// Raw figures without disclosure control (said in the output; recorded in the audit log)
    #[arg(long, conflicts_with_all = ["threshold", "rounding", "policy", "suppress_zero"])]
    pub no_sdc: bool,
    /// Counts below this are withheld (default and minimum 10; can only be raised)
    #[arg(long)]
    pub threshold: Option<u64>,
    /// Round shown counts to a multiple of this base
    #[arg(long)]
    pub rounding: Option<u64>,
    /// Withhold zeros too
    #[arg(long)]
    pub suppress_zero: bool,
    /// Disclosure policy file (TOML: threshold, secondary, rounding, suppress_zero)
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Accepted for compatibility: disclosure control is now on by default
    #[arg(long, hide = true)]
    pub sdc: bool,
}

impl DisclosureArgs {
    /// The policy the flags ask for (None with --no-sdc). A threshold below the minimum, or a
    /// policy file turning secondary suppression off, is refused.
    pub fn policy(&self) -> Result<Option<Policy>, OpsError> {
        if self.no_sdc {
            return Ok(None);
        }
        let mut p = match &self.policy {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| OpsError::file("could not read policy", path, e))?;
                toml::from_str::<Policy>(&text).map_err(|e| OpsError::Policy(format!("policy {}: {}", path.display(), e.to_string().trim())))?
            }
            None => Policy::default(),
        };
        if let Some(t) = self.threshold {
            p.threshold = t;
        }
        if self.rounding.is_some() {
            p.rounding = self.rounding;
        }
        if self.suppress_zero {
            p.suppress_zero = true;
        }
        if !p.secondary {
            return Err(OpsError::Policy(
                "a policy without secondary suppression lets withheld counts be recovered from totals; it is not accepted (use --no-sdc, which is audited, for raw figures)".into(),
            ));
        }
        crate::ops::gate_check(&p)?;
        Ok(Some(p))
    }

    pub fn sdc(&self) -> Result<Sdc, OpsError> {
        Ok(match self.policy()? {
            Some(p) => Sdc::On(p),
            None => Sdc::Off,
        })
    }
}
