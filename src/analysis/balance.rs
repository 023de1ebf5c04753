//! Covariate balance between two groups (pure): the standardised mean difference, as ATLAS and
//! the cohort-method literature report it (Austin 2009, "Balance diagnostics for comparing the
//! distribution of baseline covariates"): the difference in means over the pooled standard
//! deviation sqrt((s1^2 + s2^2) / 2); for a proportion the standard deviation is sqrt(p(1-p)).

/// SMD of two means with their standard deviations (None when both deviations are 0).
pub fn smd(mean_a: f64, sd_a: f64, mean_b: f64, sd_b: f64) -> Option<f64> {
    let pooled = ((sd_a * sd_a + sd_b * sd_b) / 2.0).sqrt();
    (pooled > 0.0 && pooled.is_finite()).then(|| (mean_a - mean_b) / pooled)
}

/// SMD of two proportions (0..1).
pub fn smd_proportion(p_a: f64, p_b: f64) -> Option<f64> {
    smd(p_a, (p_a * (1.0 - p_a)).sqrt(), p_b, (p_b * (1.0 - p_b)).sqrt())
}

/// A over B (None when B is 0).
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0 && a.is_finite() && b.is_finite()).then(|| a / b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smd_uses_the_pooled_deviation() {
        // (10 - 6) / sqrt((3^2 + 5^2) / 2) = 4 / sqrt(17)
        let d = smd(10.0, 3.0, 6.0, 5.0).unwrap_or(f64::NAN);
        assert!((d - 4.0 / 17f64.sqrt()).abs() < 1e-12);
        // 0.5 vs 0.2: 0.3 / sqrt((0.25 + 0.16) / 2)
        let p = smd_proportion(0.5, 0.2).unwrap_or(f64::NAN);
        assert!((p - 0.3 / 0.205f64.sqrt()).abs() < 1e-12);
        assert_eq!(smd(1.0, 0.0, 1.0, 0.0), None);
        assert_eq!(ratio(3.0, 0.0), None);
        assert_eq!(ratio(3.0, 2.0), Some(1.5));
    }
}
