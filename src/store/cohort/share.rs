//! Percentages of a whole, shared by attrition and characterisation.

/// 100 * n / d; none of an empty whole.
pub(crate) fn pct(n: u64, d: u64) -> Option<f64> {
    if d == 0 {
        None
    } else {
        Some(100.0 * n as f64 / d as f64)
    }
}
