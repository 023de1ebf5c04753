//! High Resource Individuals as PHS's current R code computes them (`R/add_hri_variables.R`,
//! createslf f95ea431), independently of `store/`:
//! - population: Scottish residents only, i.e. the postcode area (`^[A-Z]{1,3}`) is an area of
//!   the SLF postcode lookup (`flag_non_scottish_residents`, L25-47, `scottish_resident == 0`
//!   kept at L98). Blank and dummy postcodes (BF010AA, NF1 1AB, NK010AA, ZZ01, ZZ61) are codes
//!   2-4 and so excluded, whatever the practice (English practices 99942/57/61/76/81/95/99 only
//!   choose between codes 1, 3 and 4, all excluded);
//! - per year and geography (Scotland, `hbrescode`, `lca`): sort by health_net_cost descending
//!   (rows arrive in anon_chi order, so ties fall in anon_chi ascending), cumulative % of the
//!   geography's total (L101-122); HRI when the cumulative % <= 50 (L126-128);
//! - missing board/council: flag FALSE, % NA (L129-133); people outside the population get NA
//!   in all six columns (the left join at L146).
use std::collections::HashSet;

#[derive(Debug, Clone, Copy)]
pub struct HriIn {
    /// health_net_cost in pence (sums are exact).
    pub cost: i64,
    pub anon: [u8; 16],
    /// Board (`hbrescode`) / council index, 255 = missing.
    pub hb: u8,
    pub lca: u8,
    /// In PHS's HRI population (`scottish_resident == 0`).
    pub resident: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct HriOut {
    /// False: outside the HRI population, all six columns NA.
    pub included: bool,
    pub scot: Option<f64>,
    pub hb: Option<f64>,
    pub lca: Option<f64>,
}

/// The postcode area as PHS extracts it: `stringr::str_match(postcode, "^[A-Z]{1,3}")`.
pub fn postcode_area(postcode: &str) -> &str {
    let n = postcode.bytes().take(3).take_while(|b| b.is_ascii_uppercase()).count();
    &postcode[..n]
}

/// `scottish_resident == 0` (`R/add_hri_variables.R` L25-47): the postcode's area is one of the
/// areas of the postcode lookup. Blank, dummy and non-Scottish postcodes are not.
pub fn scottish_resident(postcode: &str, lookup_areas: &HashSet<String>) -> bool {
    let a = postcode_area(postcode);
    !a.is_empty() && lookup_areas.contains(a)
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
        o.included = true;
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
    if !o.included {
        b.extend_from_slice(b",,,,,,");
        return;
    }
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

    #[test]
    fn residency_follows_the_postcode_area_only() {
        let areas: HashSet<String> = ["G", "EH", "KW"].iter().map(|s| s.to_string()).collect();
        assert!(scottish_resident("G12 8QQ", &areas));
        assert!(scottish_resident("EH1 1AA", &areas));
        assert!(!scottish_resident("NF1 1AB", &areas));
        assert!(!scottish_resident("NK010AA", &areas));
        assert!(!scottish_resident("BF010AA", &areas));
        assert!(!scottish_resident("ZZ011AA", &areas));
        assert!(!scottish_resident("", &areas));
        assert!(!scottish_resident("CA1 1AA", &areas));
        let mut r = vec![HriIn { cost: 10, anon: [b'a'; 16], hb: 255, lca: 3, resident: true }];
        r.push(HriIn { cost: 99, anon: [b'b'; 16], hb: 1, lca: 1, resident: false });
        let o = compute(&r);
        assert!(o[0].included && o[0].scot == Some(100.0) && o[0].hb.is_none() && o[0].lca == Some(100.0));
        assert!(!o[1].included);
        let mut b = Vec::new();
        push_fields(&mut b, &o[1]);
        assert_eq!(b, b",,,,,,");
    }
}
