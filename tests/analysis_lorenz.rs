//! Gini / Lorenz / top share against independent formulas: the mean absolute difference
//! (G = sum_ij |xi - xj| / (2 n^2 mean)) and 1 - 2 * (trapezoid area under the Lorenz vertices).

use carepath::analysis::lorenz::{gini, lorenz, top_share};

fn costs(n: usize, seed: u64) -> Vec<f64> {
    // Skewed like health cost: most people cheap, a few very expensive.
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = ((s >> 11) as f64) / ((1u64 << 53) as f64);
            if u < 0.3 { 0.0 } else { (u * 8.0).exp() * 10.0 }
        })
        .collect()
}

fn gini_pairwise(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sum: f64 = v.iter().flat_map(|a| v.iter().map(move |b| (a - b).abs())).sum();
    sum / (2.0 * n * n * mean)
}

#[test]
fn gini_matches_mean_absolute_difference_and_lorenz_area() {
    for (n, seed) in [(1, 1), (2, 2), (17, 3), (500, 4)] {
        let v = costs(n, seed);
        if v.iter().sum::<f64>() == 0.0 {
            continue;
        }
        let g = gini(&v);
        assert!((g - gini_pairwise(&v)).abs() < 1e-9, "n={n}: {g} vs pairwise");
        // n+1 points are exactly the curve's vertices, so the trapezoid area is exact.
        let curve = lorenz(&v, n + 1);
        let area: f64 = curve.windows(2).map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0).sum();
        assert!((g - (1.0 - 2.0 * area)).abs() < 1e-9, "n={n}: {g} vs area");
    }
}

#[test]
fn known_values_and_endpoints() {
    assert_eq!(gini(&[0.0, 0.0, 0.0, 1.0]), 0.75);
    assert_eq!(gini(&[3.0; 5]), 0.0);
    let curve = lorenz(&costs(1000, 9), 101);
    assert_eq!(curve.len(), 101);
    assert_eq!(curve[0], (0.0, 0.0));
    assert_eq!(curve[100], (1.0, 1.0));
}

#[test]
fn top_share_is_the_curve_read_from_the_top() {
    let v = costs(1000, 11);
    let total: f64 = v.iter().sum();
    let mut sorted = v.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    // Top 2% = the 20 most expensive people exactly.
    let top20: f64 = sorted[..20].iter().sum();
    assert!((top_share(&v, 0.02) - top20 / total).abs() < 1e-12);
    let curve = lorenz(&v, 51);
    assert!((top_share(&v, 0.02) - (1.0 - curve[49].1)).abs() < 1e-12);
}
