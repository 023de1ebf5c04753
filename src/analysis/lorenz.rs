//! Concentration of resource use: Lorenz curve, Gini coefficient, "top x% hold y%".
//!
//! People are sorted cheapest first; L(p) is the share of the total held by the cheapest share p
//! of people, linear between people (the usual piecewise-linear empirical curve). Conventions:
//! - negative and non-finite values count as 0 (cost adjustments below zero would push the
//!   curve outside the unit square; a missing cost is no cost);
//! - with no people, or a total of 0, the curve is the line of equality and the Gini is 0
//!   (nobody holds more than anyone else).

/// `points` points of the curve at p = 0, 1/(points-1), ..., 1 (at least 2: (0,0) and (1,1)).
/// `lorenz(v, 101)` gives every percentile.
pub fn lorenz(values: &[f64], points: usize) -> Vec<(f64, f64)> {
    let c = Cumulative::new(values);
    let k = points.max(2) - 1;
    (0..=k)
        .map(|i| {
            let p = if i == k { 1.0 } else { i as f64 / k as f64 };
            (p, c.share_below(p))
        })
        .collect()
}

/// Gini coefficient, exact from the sorted values, without the small-sample n/(n-1) factor:
/// G = sum_i (2i - n - 1) x_(i) / (n sum x), i = 1..n ascending, which equals
/// (2 sum i x_(i))/(n sum x) - (n+1)/n and 1 - 2 * (area under the piecewise-linear Lorenz curve).
/// 0 when everyone holds the same; (n-1)/n, tending to 1, when one person holds everything;
/// [0,0,0,1] gives 0.75.
pub fn gini(values: &[f64]) -> f64 {
    let sorted = clean_sorted(values);
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().sum();
    if sorted.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum();
    weighted / (n * total)
}

/// Share of the total held by the top `fraction` of people (clamped to 0..=1), i.e.
/// 1 - L(1 - fraction); a fraction that cuts a person in two takes that part of them.
/// With no people or a zero total this is `fraction` (line of equality).
pub fn top_share(values: &[f64], fraction: f64) -> f64 {
    let f = if fraction.is_nan() { 0.0 } else { fraction.clamp(0.0, 1.0) };
    let c = Cumulative::new(values);
    if c.flat() {
        return f;
    }
    1.0 - c.share_below(1.0 - f)
}

/// Values sorted ascending with their running total, for reading L(p).
struct Cumulative {
    sorted: Vec<f64>,
    /// prefix[i] = sum of the i smallest values.
    prefix: Vec<f64>,
}

impl Cumulative {
    fn new(values: &[f64]) -> Self {
        let sorted = clean_sorted(values);
        let mut prefix = Vec::with_capacity(sorted.len() + 1);
        let mut running = 0.0;
        prefix.push(running);
        for x in &sorted {
            running += x;
            prefix.push(running);
        }
        Cumulative { sorted, prefix }
    }

    /// No people or nothing to share: the line of equality.
    fn flat(&self) -> bool {
        self.sorted.is_empty() || self.prefix[self.sorted.len()] <= 0.0
    }

    /// L(p), interpolating within the person the cut falls on.
    fn share_below(&self, p: f64) -> f64 {
        let n = self.sorted.len();
        let total = self.prefix[n];
        if self.flat() {
            return p;
        }
        if p >= 1.0 {
            return 1.0;
        }
        let k = p.max(0.0) * n as f64;
        let i = (k.floor() as usize).min(n - 1);
        let part = self.prefix[i] + (k - i as f64) * self.sorted[i];
        (part / total).clamp(0.0, 1.0)
    }
}

fn clean_sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().map(|&x| if x.is_finite() && x > 0.0 { x } else { 0.0 }).collect();
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn gini_known_distributions() {
        assert!(close(gini(&[0.0, 0.0, 0.0, 1.0]), 0.75));
        assert!(close(gini(&[5.0; 7]), 0.0));
        assert!(close(gini(&[1.0, 2.0, 3.0, 4.0]), 0.25)); // sum|xi-xj|/(2 n^2 mean) = 20/80
        assert!(close(gini(&[4.0, 1.0, 3.0, 2.0]), 0.25)); // order does not matter
        let mut one = vec![0.0; 999];
        one.push(10.0);
        assert!(close(gini(&one), 0.999));
    }

    #[test]
    fn gini_degenerate_inputs_are_zero() {
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[0.0, 0.0]), 0.0);
        assert_eq!(gini(&[f64::NAN, -3.0]), 0.0);
    }

    #[test]
    fn lorenz_endpoints_and_shape() {
        let c = lorenz(&[0.0, 0.0, 0.0, 1.0], 5);
        assert_eq!(c.first(), Some(&(0.0, 0.0)));
        assert_eq!(c.last(), Some(&(1.0, 1.0)));
        assert_eq!(c, vec![(0.0, 0.0), (0.25, 0.0), (0.5, 0.0), (0.75, 0.0), (1.0, 1.0)]);
        assert_eq!(lorenz(&[], 0), vec![(0.0, 0.0), (1.0, 1.0)]);
        let eq = lorenz(&[2.0; 10], 11);
        assert!(eq.iter().all(|&(p, l)| close(p, l)));
    }

    #[test]
    fn lorenz_is_monotone_and_below_equality() {
        let v: Vec<f64> = (0..50).map(|i| ((i * 37) % 11) as f64 * 13.5).collect();
        let c = lorenz(&v, 101);
        for w in c.windows(2) {
            assert!(w[1].1 >= w[0].1);
        }
        assert!(c.iter().all(|&(p, l)| l <= p + 1e-12));
    }

    #[test]
    fn top_share_reads_the_curve_from_the_top() {
        let v = [0.0, 0.0, 0.0, 1.0];
        assert!(close(top_share(&v, 0.25), 1.0));
        assert!(close(top_share(&v, 0.125), 0.5)); // half of the top person
        assert!(close(top_share(&[1.0, 2.0, 3.0, 4.0], 0.5), 0.7));
        assert!(close(top_share(&[1.0, 1.0], 0.5), 0.5));
        assert_eq!(top_share(&[], 0.3), 0.3);
        assert_eq!(top_share(&v, 0.0), 0.0);
        assert_eq!(top_share(&v, 2.0), 1.0);
    }
}
