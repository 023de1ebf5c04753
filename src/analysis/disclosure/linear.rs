//! Exact check: which unknowns can a reader solve for from the published relations?
//!
//! The group-by-group rule ("never leave exactly one suppressed cell in a group") misses cells
//! recoverable by combining several groups (in a cross table, adding two rows and subtracting two
//! columns can isolate one cell). Unknown x_j is recoverable exactly when the unit vector e_j lies
//! in the row space of the relations' coefficient matrix; we test that with exact integer
//! elimination (no floating-point tolerance to get wrong).

/// `eqs[k]` lists (unknown index, coefficient) of relation k; the constants do not matter for
/// recoverability. Returns, per unknown, whether it is uniquely determined. On arithmetic overflow
/// every unknown is reported recoverable, which makes the caller suppress more (fail safe).
pub(super) fn determined(eqs: &[Vec<(usize, i64)>], n: usize) -> Vec<bool> {
    let mut m: Vec<Vec<i128>> = eqs
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| {
            let mut row = vec![0i128; n];
            for &(j, c) in e {
                row[j] += c as i128;
            }
            row
        })
        .collect();
    match reduce(&mut m, n) {
        Some(pivots) => {
            let mut out = vec![false; n];
            for (r, &c) in pivots.iter().enumerate() {
                // Reduced row echelon form: e_c is in the row space iff c's pivot row is ±e_c.
                if m[r].iter().enumerate().all(|(j, &v)| j == c || v == 0) {
                    out[c] = true;
                }
            }
            out
        }
        None => vec![true; n],
    }
}

/// Fraction-free Gauss-Jordan elimination in place; returns the pivot column of each leading row.
fn reduce(m: &mut [Vec<i128>], n: usize) -> Option<Vec<usize>> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..n {
        let Some(p) = (r..m.len()).find(|&i| m[i][c] != 0) else { continue };
        m.swap(r, p);
        for i in 0..m.len() {
            if i == r || m[i][c] == 0 {
                continue;
            }
            let (a, b) = (m[r][c], m[i][c]);
            let pivot_row = m[r].clone();
            for (x, &y) in m[i].iter_mut().zip(&pivot_row) {
                *x = a.checked_mul(*x)?.checked_sub(b.checked_mul(y)?)?;
            }
            normalise(&mut m[i]);
        }
        pivots.push(c);
        r += 1;
        if r == m.len() {
            break;
        }
    }
    Some(pivots)
}

/// Divide a row by the gcd of its entries so numbers stay small.
fn normalise(row: &mut [i128]) {
    let g = row.iter().fold(0i128, |g, &v| gcd(g, v.abs()));
    if g > 1 {
        row.iter_mut().for_each(|v| *v /= g);
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_unknown_in_a_relation_is_determined() {
        // x0 + x1 = k ; x1 = k'  -> both determined
        let d = determined(&[vec![(0, 1), (1, 1)], vec![(1, 1)]], 2);
        assert_eq!(d, vec![true, true]);
    }

    #[test]
    fn two_by_two_block_is_not_determined() {
        // rows: x0+x1, x2+x3 ; columns: x0+x2, x1+x3
        let eqs = vec![vec![(0, 1), (1, 1)], vec![(2, 1), (3, 1)], vec![(0, 1), (2, 1)], vec![(1, 1), (3, 1)]];
        assert_eq!(determined(&eqs, 4), vec![false; 4]);
    }

    #[test]
    fn bridge_between_two_blocks_is_determined() {
        // Block A: rows r1,r2 x cols c1,c2 (x0..x3); block B: rows r3,r4 x cols c3,c4 (x4..x7);
        // bridge x8 at (r2, c3). Every row and column holds >= 2 unknowns, yet
        // r1 + r2 - c1 - c2 = x8.
        let eqs = vec![
            vec![(0, 1), (1, 1)],
            vec![(2, 1), (3, 1), (8, 1)],
            vec![(4, 1), (5, 1)],
            vec![(6, 1), (7, 1)],
            vec![(0, 1), (2, 1)],
            vec![(1, 1), (3, 1)],
            vec![(4, 1), (6, 1), (8, 1)],
            vec![(5, 1), (7, 1)],
        ];
        let d = determined(&eqs, 9);
        assert!(d[8]);
        assert!(d[..8].iter().all(|x| !x));
    }
}
