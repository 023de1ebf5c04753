//! A synthetic datazone lookup for the 32 councils: datazones, intermediate zones, localities,
//! SIMD 2020v2 ranks with population-weighted deciles/quintiles (Scotland, board, HSCP),
//! urban/rural classes and postcodes. Everything about a place follows from its datazone.
use super::rng::Rng;
use crate::model::geography::{councils, Council};

/// Approximate 2019 council populations (thousands), in the order of `councils()` (lca 01..32),
/// a deprivation tilt (positive = more deprived) and a rurality level 0 (city) .. 3 (remote).
const COUNCIL_SHAPE: [(f64, f64, u8, &[(&str, u32, u32)]); 32] = [
    (229.0, -0.1, 0, &[("AB", 10, 25)]),              // 01 Aberdeen City
    (262.0, -0.5, 2, &[("AB", 30, 54)]),              // 02 Aberdeenshire
    (116.0, 0.0, 2, &[("DD", 7, 11)]),                // 03 Angus
    (86.0, 0.0, 3, &[("PA", 20, 80)]),                // 04 Argyll and Bute
    (115.0, -0.2, 2, &[("TD", 1, 15)]),               // 05 Scottish Borders
    (52.0, 0.4, 1, &[("FK", 10, 14)]),                // 06 Clackmannanshire
    (89.0, 0.9, 0, &[("G", 81, 84)]),                 // 07 West Dunbartonshire
    (148.0, 0.1, 2, &[("DG", 1, 16)]),                // 08 Dumfries and Galloway
    (149.0, 0.9, 0, &[("DD", 1, 5)]),                 // 09 Dundee City
    (122.0, 0.6, 1, &[("KA", 1, 5), ("KA", 16, 18)]),              // 10 East Ayrshire
    (108.0, -1.2, 0, &[("G", 62, 66)]),               // 11 East Dunbartonshire
    (107.0, -0.4, 1, &[("EH", 31, 42)]),              // 12 East Lothian
    (96.0, -1.3, 0, &[("G", 76, 78)]),                // 13 East Renfrewshire
    (527.0, -0.4, 0, &[("EH", 1, 17)]),               // 14 City of Edinburgh
    (161.0, 0.2, 1, &[("FK", 1, 6)]),                 // 15 Falkirk
    (374.0, 0.1, 1, &[("KY", 1, 16)]),                // 16 Fife
    (633.0, 1.0, 0, &[("G", 1, 53)]),                 // 17 Glasgow City
    (236.0, -0.2, 3, &[("IV", 1, 28), ("KW", 1, 14)]), // 18 Highland
    (78.0, 1.0, 1, &[("PA", 15, 19)]),                // 19 Inverclyde
    (93.0, 0.0, 1, &[("EH", 18, 26)]),                // 20 Midlothian
    (96.0, -0.3, 2, &[("IV", 30, 36)]),               // 21 Moray
    (135.0, 0.8, 1, &[("KA", 20, 30)]),               // 22 North Ayrshire
    (341.0, 0.6, 1, &[("ML", 1, 6)]),                 // 23 North Lanarkshire
    (22.0, -0.6, 3, &[("KW", 15, 17)]),               // 24 Orkney Islands
    (152.0, -0.4, 2, &[("PH", 1, 16)]),               // 25 Perth and Kinross
    (179.0, 0.3, 0, &[("PA", 1, 12)]),                // 26 Renfrewshire
    (23.0, -0.7, 3, &[("ZE", 1, 3)]),                 // 27 Shetland Islands
    (113.0, 0.1, 1, &[("KA", 6, 10)]),                // 28 South Ayrshire
    (320.0, 0.1, 1, &[("ML", 7, 12)]),                // 29 South Lanarkshire
    (94.0, -0.3, 2, &[("FK", 7, 9)]),                 // 30 Stirling
    (183.0, 0.2, 1, &[("EH", 47, 55)]),               // 31 West Lothian
    (27.0, -0.2, 3, &[("HS", 1, 9)]),                 // 32 Na h-Eileanan Siar
];

const LOCALITY_NAMES: [&str; 8] = ["North", "South", "East", "West", "Central", "Coast", "Rural", "Valley"];
const INWARD_LETTERS: &[u8; 20] = b"ABDEFGHJLNPQRSTUWXYZ";
pub const POSTCODES_PER_DZ: usize = 4;

#[derive(Debug, Clone)]
pub struct Datazone {
    pub code: String,
    pub intzone: String,
    pub council: usize,
    pub locality: String,
    pub pop: u32,
    pub rank: u32,
    pub sc_decile: u8,
    pub sc_quintile: u8,
    pub hb_decile: u8,
    pub hb_quintile: u8,
    pub hscp_decile: u8,
    pub hscp_quintile: u8,
    pub ur8: u8,
    pub postcodes: Vec<String>,
}

impl Datazone {
    pub fn ur6(&self) -> u8 {
        [0, 1, 2, 3, 4, 4, 5, 6, 6][self.ur8 as usize]
    }
    pub fn ur3(&self) -> u8 {
        match self.ur8 {
            1..=5 => 1,
            6 => 2,
            _ => 3,
        }
    }
    pub fn ur2(&self) -> u8 {
        if self.ur8 <= 5 {
            1
        } else {
            2
        }
    }
}

pub struct Geography {
    pub datazones: Vec<Datazone>,
    /// Cumulative population for weighted picking.
    cum_pop: Vec<u64>,
    /// Datazone index range per council.
    pub council_dz: Vec<(usize, usize)>,
    pub practices_per_council: Vec<u32>,
}

/// The hb2018 code the SLF uses for `hbrescode` (differs from hb2019 for GG&C and Lanarkshire).
pub fn hb2018(hb2019: &str) -> &str {
    super::vintages::hb2018(hb2019)
}

fn pc7(outward: &str, inward: &str) -> String {
    let pad = 7 - outward.len() - inward.len();
    format!("{}{}{}", outward, " ".repeat(pad), inward)
}

fn deciles_within(dzs: &mut [Datazone], idx: &[usize], set: fn(&mut Datazone, u8)) {
    let mut order: Vec<usize> = idx.to_vec();
    order.sort_by_key(|&i| dzs[i].rank);
    let total: u64 = order.iter().map(|&i| dzs[i].pop as u64).sum();
    let mut cum = 0u64;
    for &i in &order {
        // population-weighted: the decile of the cumulative population at the zone's midpoint
        let mid = cum * 2 + dzs[i].pop as u64;
        cum += dzs[i].pop as u64;
        let dec = ((mid * 10) / (2 * total.max(1))) as u8 + 1;
        set(&mut dzs[i], dec.min(10));
    }
}

impl Geography {
    pub fn build(seed: u64) -> Geography {
        let cs = councils();
        let mut rng = Rng::new(super::rng::derive(seed, 1, 0));
        let total_k: f64 = COUNCIL_SHAPE.iter().map(|s| s.0).sum();
        const N_DZ: usize = 6976;
        // datazones per council, proportional to population (at least 30)
        let mut counts: Vec<usize> =
            COUNCIL_SHAPE.iter().map(|s| ((s.0 / total_k) * N_DZ as f64).round().max(30.0) as usize).collect();
        let sum: usize = counts.iter().sum();
        // fix the total to exactly 6976 on the largest council
        let big = 16;
        counts[big] = (counts[big] as i64 + N_DZ as i64 - sum as i64) as usize;
        let mut datazones = Vec::with_capacity(N_DZ);
        let mut council_dz = Vec::with_capacity(32);
        let mut scores = Vec::with_capacity(N_DZ);
        let mut iz = 0usize;
        for (ci, _c) in cs.iter().enumerate() {
            let shape = &COUNCIL_SHAPE[ci];
            let start = datazones.len();
            let n_loc = (2 + counts[ci] / 120).min(LOCALITY_NAMES.len());
            let mut outward_counters: Vec<u32> = Vec::new();
            let districts: Vec<String> = shape
                .3
                .iter()
                .flat_map(|(a, lo, hi)| (*lo..=*hi).map(move |d| format!("{a}{d}")))
                .collect();
            outward_counters.resize(districts.len(), 0);
            for k in 0..counts[ci] {
                let dz_index = datazones.len();
                if k % 6 == 0 {
                    iz += 1;
                }
                let loc = k * n_loc / counts[ci];
                let rural = shape.2 as f64;
                let ur8 = {
                    let w: [f64; 8] = match shape.2 {
                        0 => [0.85, 0.1, 0.03, 0.0, 0.0, 0.02, 0.0, 0.0],
                        1 => [0.0, 0.6, 0.15, 0.02, 0.0, 0.2, 0.03, 0.0],
                        2 => [0.0, 0.3, 0.2, 0.05, 0.0, 0.3, 0.15, 0.0],
                        _ => [0.0, 0.0, 0.05, 0.2, 0.15, 0.1, 0.25, 0.25],
                    };
                    rng.weighted(&w) as u8 + 1
                };
                let _ = rural;
                let mut postcodes = Vec::with_capacity(POSTCODES_PER_DZ);
                for _ in 0..POSTCODES_PER_DZ {
                    let di = (dz_index * 7 + postcodes.len() * 3) % districts.len();
                    let n = outward_counters[di];
                    outward_counters[di] += 1;
                    let digit = (n / 400) % 10;
                    let l1 = INWARD_LETTERS[((n / 20) % 20) as usize] as char;
                    let l2 = INWARD_LETTERS[(n % 20) as usize] as char;
                    postcodes.push(pc7(&districts[di], &format!("{digit}{l1}{l2}")));
                }
                let pop = 500 + rng.below(700) as u32;
                scores.push(shape.1 + 1.1 * rng.normal());
                datazones.push(Datazone {
                    code: format!("S01{:06}", 6506 + dz_index),
                    intzone: format!("S02{:06}", 1236 + iz - 1),
                    council: ci,
                    locality: format!("{} {}", cs[ci].name, LOCALITY_NAMES[loc]),
                    pop,
                    rank: 0,
                    sc_decile: 0,
                    sc_quintile: 0,
                    hb_decile: 0,
                    hb_quintile: 0,
                    hscp_decile: 0,
                    hscp_quintile: 0,
                    ur8,
                    postcodes,
                });
            }
            council_dz.push((start, datazones.len()));
        }
        // SIMD rank: most deprived (highest score) = 1; ties broken by datazone index.
        let mut order: Vec<usize> = (0..datazones.len()).collect();
        order.sort_by(|&a, &b| scores[b].partial_cmp(&scores[a]).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)));
        for (r, &i) in order.iter().enumerate() {
            datazones[i].rank = r as u32 + 1;
        }
        let all: Vec<usize> = (0..datazones.len()).collect();
        deciles_within(&mut datazones, &all, |d, x| d.sc_decile = x);
        let mut boards: Vec<&str> = cs.iter().map(|c| c.hb2019.as_str()).collect();
        boards.sort();
        boards.dedup();
        for b in boards {
            let idx: Vec<usize> = all.iter().copied().filter(|&i| cs[datazones[i].council].hb2019 == b).collect();
            deciles_within(&mut datazones, &idx, |d, x| d.hb_decile = x);
        }
        let mut hscps: Vec<&str> = cs.iter().map(|c| c.hscp2019.as_str()).collect();
        hscps.sort();
        hscps.dedup();
        for h in hscps {
            let idx: Vec<usize> = all.iter().copied().filter(|&i| cs[datazones[i].council].hscp2019 == h).collect();
            deciles_within(&mut datazones, &idx, |d, x| d.hscp_decile = x);
        }
        for d in datazones.iter_mut() {
            d.sc_quintile = d.sc_decile.div_ceil(2);
            d.hb_quintile = d.hb_decile.div_ceil(2);
            d.hscp_quintile = d.hscp_decile.div_ceil(2);
        }
        let mut cum_pop = Vec::with_capacity(datazones.len());
        let mut acc = 0u64;
        for d in &datazones {
            acc += d.pop as u64;
            cum_pop.push(acc);
        }
        let practices_per_council =
            COUNCIL_SHAPE.iter().map(|s| ((s.0 / 6.0).round() as u32).clamp(3, 150)).collect();
        Geography { datazones, cum_pop, council_dz, practices_per_council }
    }

    /// Postcode areas (`^[A-Z]{1,3}`) of every postcode in the lookup: what PHS's HRI step
    /// takes as Scottish (`R/add_hri_variables.R` L25-30).
    pub fn postcode_areas(&self) -> std::collections::HashSet<String> {
        self.datazones.iter().flat_map(|d| d.postcodes.iter()).map(|p| super::hri::postcode_area(p).to_string()).collect()
    }

    /// A datazone picked in proportion to its population.
    pub fn pick_datazone(&self, rng: &mut Rng) -> usize {
        let total = *self.cum_pop.last().unwrap_or(&1);
        let x = rng.below(total);
        self.cum_pop.partition_point(|&c| c <= x)
    }

    pub fn council(&self, dz: usize) -> &'static Council {
        &councils()[self.datazones[dz].council]
    }

    /// A GP practice code (5-digit integer) in the datazone's council.
    pub fn pick_practice(&self, dz: usize, rng: &mut Rng) -> i32 {
        let ci = self.datazones[dz].council;
        let n = self.practices_per_council[ci];
        10_000 + (ci as i32 + 1) * 1_000 + rng.below(n as u64) as i32 * 5 + 2
    }

    /// The lookup CSV (`lookup-datazone-simd2020v2.csv`).
    pub fn lookup_csv(&self) -> String {
        let mut s = String::from(
            "datazone2011,intzone2011,hb2019,hscp2019,ca2019,lca,hscp_locality,simd2020v2_rank,simd2020v2_sc_decile,\
simd2020v2_sc_quintile,simd2020v2_hb2019_decile,simd2020v2_hb2019_quintile,simd2020v2_hscp2019_decile,\
simd2020v2_hscp2019_quintile,ur8_2022,ur6_2022,ur3_2022,ur2_2022,pop_2017\n",
        );
        for d in &self.datazones {
            let c = &councils()[d.council];
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                d.code,
                d.intzone,
                c.hb2019,
                c.hscp2019,
                c.ca2019,
                c.lca,
                d.locality,
                d.rank,
                d.sc_decile,
                d.sc_quintile,
                d.hb_decile,
                d.hb_quintile,
                d.hscp_decile,
                d.hscp_quintile,
                d.ur8,
                d.ur6(),
                d.ur3(),
                d.ur2(),
                d.pop
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn lookup_is_consistent() {
        let g = Geography::build(7);
        assert_eq!(g.datazones.len(), 6976);
        assert_eq!(g.datazones[0].code, "S01006506");
        assert_eq!(g.datazones[6975].code, "S01013481");
        assert_eq!(g.council_dz.len(), 32);
        let mut pcs: Vec<&String> = g.datazones.iter().flat_map(|d| d.postcodes.iter()).collect();
        assert!(pcs.iter().all(|p| p.len() == 7));
        pcs.sort();
        let n = pcs.len();
        pcs.dedup();
        assert_eq!(pcs.len(), n, "postcodes must be unique");
        for q in 1..=5u8 {
            assert!(g.datazones.iter().any(|d| d.sc_quintile == q));
        }
    }
}
