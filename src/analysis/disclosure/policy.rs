//! The disclosure policy: threshold, secondary suppression, rounding, zeros.
use serde::{Deserialize, Serialize};

/// The disclosure policy. Deserialises from TOML/JSON with every field optional; unknown fields
/// are an error so a misspelt setting cannot silently weaken protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Counts from 1 to threshold-1 are withheld (PHS tools default: 10).
    pub threshold: u64,
    /// Complementary suppression so withheld cells cannot be derived from totals.
    pub secondary: bool,
    /// Round shown counts to the nearest multiple of this base (None, 0 or 1: no rounding).
    pub rounding: Option<u64>,
    /// Withhold zeros too.
    pub suppress_zero: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { threshold: 10, secondary: true, rounding: None, suppress_zero: false }
    }
}

impl Policy {
    /// Would this raw count be withheld by primary suppression?
    pub fn is_sensitive(&self, n: u64) -> bool {
        if n == 0 { self.suppress_zero } else { n < self.threshold }
    }

    /// A shown count after rounding (nearest multiple of the base, halves up).
    pub fn round(&self, n: u64) -> u64 {
        match self.rounding {
            Some(b) if b > 1 => (n.saturating_add(b / 2) / b).saturating_mul(b),
            _ => n,
        }
    }
}
