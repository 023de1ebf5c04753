//! Direct standardisation (pure): a rate per 1,000 that a group would have if it had the
//! standard population's age-sex structure, so groups of different ages can be compared.
//!
//! DSR = sum over strata s of w_s x (events_s / people_s) / sum of w_s, x 1,000, over every
//! stratum of the standard (a stratum the group has no people in adds a rate of 0 and keeps
//! its weight, so every group is put on the same whole standard population).
use std::collections::HashMap;

/// A stratum: an age group (index into the standard's groups) and a sex ("F" or "M").
pub type Stratum = (usize, String);

/// Events and people of one group in each stratum it has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StratumCounts {
    pub events: f64,
    pub people: u64,
}

/// The directly standardised rate per 1,000 of a group with `counts` per stratum, against the
/// standard `weights` (None when the standard has no weight at all).
pub fn direct_rate(counts: &HashMap<Stratum, StratumCounts>, weights: &HashMap<Stratum, f64>) -> Option<f64> {
    let all: f64 = weights.values().sum();
    if all <= 0.0 {
        return None;
    }
    let weighted: f64 = weights
        .iter()
        .filter_map(|(s, w)| counts.get(s).filter(|c| c.people > 0).map(|c| w * c.events / c.people as f64))
        .sum();
    Some(weighted / all * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(g: usize, sex: &str) -> Stratum {
        (g, sex.to_string())
    }

    #[test]
    fn weights_the_stratum_rates_by_the_standard() {
        // standard: young 3 parts, old 1 part (both sexes alike): 30, 30, 10, 10 = 80
        let weights: HashMap<Stratum, f64> = [(s(0, "F"), 30.0), (s(0, "M"), 30.0), (s(1, "F"), 10.0), (s(1, "M"), 10.0)].into();
        // the group: young F 2 events / 100 people, old F 10 / 50; no men
        let counts: HashMap<Stratum, StratumCounts> =
            [(s(0, "F"), StratumCounts { events: 2.0, people: 100 }), (s(1, "F"), StratumCounts { events: 10.0, people: 50 })].into();
        // (30 x 0.02 + 10 x 0.2) / 80 x 1000 = (0.6 + 2) / 80 x 1000 = 32.5
        let r = direct_rate(&counts, &weights).unwrap_or(f64::NAN);
        assert!((r - 32.5).abs() < 1e-9, "{r}");
        assert_eq!(direct_rate(&counts, &HashMap::new()), None);
    }
}
