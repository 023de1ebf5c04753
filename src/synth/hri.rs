//! High Resource Individuals, computed exactly as the loader recomputes them: per year, among
//! Scottish residents, per geography (Scotland, board of residence, council) sort by
//! health_net_cost DESC then anon_chi ASC; cumulative % = 100 * running sum / geography total;
//! HRI when the cumulative % <= 50; missing board/council -> NULL % and false.

#[derive(Debug, Clone, Copy)]
pub struct HriIn {
    /// health_net_cost in pence (sums are exact).
    pub cost: i64,
    pub anon: [u8; 16],
    /// Board / council index, 255 = missing.
    pub hb: u8,
    pub lca: u8,
    pub resident: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct HriOut {
    pub scot: Option<f64>,
    pub hb: Option<f64>,
    pub lca: Option<f64>,
}

pub fn compute(rows: &[HriIn]) -> Vec<HriOut> {
    let mut out = vec![HriOut::default(); rows.len()];
    let mut order: Vec<u32> = (0..rows.len() as u32).filter(|&i| rows[i as usize].resident).collect();
    order.sort_unstable_by(|&a, &b| {
        let (x, y) = (&rows[a as usize], &rows[b as usize]);
        y.cost.cmp(&x.cost).then_with(|| x.anon.cmp(&y.anon)).then(a.cmp(&b))
    });
    let total: i128 = order.iter().map(|&i| rows[i as usize].cost as i128).sum();
    let mut tot_hb = [0i128; 256];
    let mut tot_lca = [0i128; 256];
    for &i in &order {
        let r = &rows[i as usize];
        tot_hb[r.hb as usize] += r.cost as i128;
        tot_lca[r.lca as usize] += r.cost as i128;
    }
    let (mut run, mut run_hb, mut run_lca) = (0i128, [0i128; 256], [0i128; 256]);
    let pct = |run: i128, tot: i128| if tot == 0 { None } else { Some(100.0 * run as f64 / tot as f64) };
    for &i in &order {
        let r = &rows[i as usize];
        run += r.cost as i128;
        let o = &mut out[i as usize];
        o.scot = pct(run, total);
        if r.hb != 255 {
            run_hb[r.hb as usize] += r.cost as i128;
            o.hb = pct(run_hb[r.hb as usize], tot_hb[r.hb as usize]);
        }
        if r.lca != 255 {
            run_lca[r.lca as usize] += r.cost as i128;
            o.lca = pct(run_lca[r.lca as usize], tot_lca[r.lca as usize]);
        }
    }
    out
}

/// Append `,hri_scot,hri_scotp,hri_hb,hri_hbp,hri_lca,hri_lcap` values (no trailing newline).
pub fn push_fields(b: &mut Vec<u8>, o: &HriOut) {
    for v in [o.scot, o.hb, o.lca] {
        match v {
            Some(p) => {
                b.extend_from_slice(if p <= 50.0 { b",true," } else { b",false," });
                b.extend_from_slice(format!("{p}").as_bytes());
            }
            None => b.extend_from_slice(b",false,"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cumulative_share() {
        let mk = |cost, c: u8| HriIn { cost, anon: [c; 16], hb: 0, lca: 0, resident: true };
        let rows = vec![mk(100, b'a'), mk(300, b'b'), mk(100, b'c'), mk(500, b'd')];
        let o = compute(&rows);
        assert_eq!(o[3].scot, Some(50.0));
        assert_eq!(o[1].scot, Some(80.0));
        assert_eq!(o[0].scot, Some(90.0));
        assert_eq!(o[2].scot, Some(100.0));
    }
}
