//! The full published layout: each row is first written in the core layout (`layout.rs`), then
//! placed into the published column order with the full-only values added (`Extras`).
use super::csv::{push_hundredths, push_int};
use super::date::{push_iso, to_ymd, Day};
use super::layout::Cols;
use anyhow::{bail, Result};

/// Where each published column's value comes from: a core column, or (None) an extra/NULL.
pub struct Assembler {
    pub cols: Cols,
    from_core: Vec<Option<usize>>,
    n_core: usize,
}

fn find(cols: Cols, name: &str) -> Option<usize> {
    cols.iter().position(|(n, _)| *n == name)
}

impl Assembler {
    /// Every core column must be in the published list, except those the full layout drops on
    /// purpose (`dropped`, e.g. `hb2019` in an hbrescode-only extract).
    pub fn new(core: Cols, cols: Cols, dropped: &[&str]) -> Result<Assembler> {
        for (n, _) in core {
            if find(cols, n).is_none() && !dropped.contains(n) {
                bail!("generator: core column {n} is not in the published layout");
            }
        }
        let from_core = cols.iter().map(|(n, _)| find(core, n)).collect();
        Ok(Assembler { cols, from_core, n_core: core.len() })
    }

    pub fn ix(&self, name: &str) -> Option<usize> {
        find(self.cols, name)
    }

    /// Append one published row to `out`: `core` is one core-layout CSV line (no newline; the
    /// generator's values never contain commas), `x` the extras.
    pub fn assemble(&self, core: &[u8], x: &Extras, out: &mut Vec<u8>) {
        let mut fields: Vec<(usize, usize)> = Vec::with_capacity(self.n_core);
        let mut start = 0;
        for (i, &b) in core.iter().enumerate() {
            if b == b',' {
                fields.push((start, i));
                start = i + 1;
            }
        }
        fields.push((start, core.len()));
        for (j, src) in self.from_core.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            if let Some((s, e)) = x.get(j) {
                out.extend_from_slice(&x.vals[s..e]);
            } else if let Some(&(s, e)) = src.and_then(|c| fields.get(c)) {
                out.extend_from_slice(&core[s..e]);
            }
        }
        out.push(b'\n');
    }
}

/// Values for published columns that the core layout lacks (or overrides), by column index.
#[derive(Default)]
pub struct Extras {
    vals: Vec<u8>,
    at: Vec<(u32, u32)>,
}

impl Extras {
    pub fn new(n: usize) -> Extras {
        Extras { vals: Vec::with_capacity(512), at: vec![(u32::MAX, 0); n] }
    }
    pub fn clear(&mut self) {
        self.vals.clear();
        for a in self.at.iter_mut() {
            a.0 = u32::MAX;
        }
    }
    fn get(&self, j: usize) -> Option<(usize, usize)> {
        let (s, e) = *self.at.get(j)?;
        (s != u32::MAX).then_some((s as usize, e as usize))
    }
    fn mark(&mut self, j: Option<usize>, s: usize) {
        if let Some(a) = j.and_then(|j| self.at.get_mut(j)) {
            *a = (s as u32, self.vals.len() as u32);
        }
    }
    pub fn s(&mut self, j: Option<usize>, v: &str) {
        let s = self.vals.len();
        self.vals.extend_from_slice(v.as_bytes());
        self.mark(j, s);
    }
    pub fn int(&mut self, j: Option<usize>, v: i64) {
        let s = self.vals.len();
        push_int(&mut self.vals, v);
        self.mark(j, s);
    }
    pub fn hundredths(&mut self, j: Option<usize>, v: i64) {
        let s = self.vals.len();
        push_hundredths(&mut self.vals, v);
        self.mark(j, s);
    }
    pub fn date(&mut self, j: Option<usize>, d: Day) {
        let s = self.vals.len();
        push_iso(&mut self.vals, d);
        self.mark(j, s);
    }
    /// Force NULL (over a core value).
    pub fn null(&mut self, j: Option<usize>) {
        let s = self.vals.len();
        self.mark(j, s);
    }
}

/// Calendar month (1..12) of a day.
pub fn month_of(d: Day) -> u32 {
    to_ymd(d).1
}

/// First day of each FY month (April..March) and the day after the FY.
pub fn fy_month_starts(fy: i32) -> [Day; 13] {
    use super::date::from_ymd;
    let mut m = [0; 13];
    for (k, slot) in m.iter_mut().enumerate().take(12) {
        let (y, mo) = if k < 9 { (fy, k as u32 + 4) } else { (fy + 1, k as u32 - 8) };
        *slot = from_ymd(y, mo, 1);
    }
    m[12] = from_ymd(fy + 1, 4, 1);
    m
}

/// Nights of the half-open interval [a, b) in each FY month, indexed by calendar month 1..12.
/// Inpatients use [admission, discharge) (`R/create_monthly_beddays.R`, count_last = FALSE),
/// delayed discharges (admission, end] = [start + 1, end + 1) (count_last = TRUE).
pub fn monthly_nights(fy: i32, a: Day, b: Day) -> [i64; 13] {
    let m = fy_month_starts(fy);
    let mut out = [0i64; 13];
    for k in 0..12 {
        let n = (b.min(m[k + 1]) - a.max(m[k])).max(0) as i64;
        out[month_of(m[k]) as usize] = n;
    }
    out
}

pub const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Round to a whole multiple of 25p (exact in binary floating point, so every reader's sums and
/// HRI orders agree).
pub fn round25(p: i64) -> i64 {
    (p + 12).div_euclid(25) * 25
}

/// The council index (0..31) a synthetic Scottish practice code belongs to (see
/// `Geography::pick_practice`), None for English practices and blanks.
pub fn practice_council(gpprac: Option<i32>) -> Option<usize> {
    let g = gpprac?;
    if (11_000..43_000).contains(&g) {
        Some((g as usize - 10_000) / 1_000 - 1)
    } else {
        None
    }
}

/// A GP cluster name for a synthetic practice: practices of a council in groups of six.
pub fn cluster_name(gpprac: Option<i32>, council_name: &str) -> String {
    let k = gpprac.map(|g| (g % 1_000 - 2) / 5).unwrap_or(0);
    format!("{council_name} Cluster {}", k / 6 + 1)
}

/// Resolve published column indices by field name once (None when a layout lacks the column).
macro_rules! indices {
    ($name:ident { $($f:ident),* $(,)? }) => {
        pub struct $name { $(pub $f: Option<usize>),* }
        impl $name {
            pub fn resolve(a: &Assembler) -> $name {
                $name { $($f: a.ix(stringify!($f))),* }
            }
        }
    };
}

indices!(EpIx {
    hbpraccode, hscp2018, ca2018, ur6_2022, ur3_2022, cluster, demographic_cohort, service_use_cohort,
    smr01_cis_marker, deathdiag1, alcohol_adm, submis_adm, falls_adm, selfharm_adm,
    sparra_start_fy, sparra_end_fy, hhg_start_fy, hhg_end_fy, commhosp, kis_accessed,
});

indices!(IndIx {
    hbpraccode, hscp2018, ca2018, ur6_2022, ur3_2022, cluster, demographic_cohort, service_use_cohort,
    sparra_start_fy, sparra_end_fy, hhg_start_fy, hhg_end_fy, keep_population, cij_mat,
    health_net_cost_inc_dnas, preventable_beddays, op_cost_dnas, cmh_contacts,
    ooh_homev, ooh_advice, ooh_dn, ooh_nhs24, ooh_other, ooh_pcc, ooh_covid_advice, ooh_covid_assessment,
    ooh_covid_other, ooh_consultation_time, dn_episodes, dn_cost, dn_contacts,
    at_alarms, at_telecare, sds_option_1, sds_option_2, sds_option_3, sds_option_4, hl1_in_fy,
    sc_latest_submission, social_care_id,
});

/// Monthly bed-day and cost columns (`jan_beddays` .. `dec_cost`), by calendar month 1..12.
pub struct MonthIx {
    pub beddays: [Option<usize>; 13],
    pub cost: [Option<usize>; 13],
}

impl MonthIx {
    pub fn resolve(a: &Assembler) -> MonthIx {
        let mut m = MonthIx { beddays: [None; 13], cost: [None; 13] };
        for (k, name) in MONTHS.iter().enumerate() {
            m.beddays[k + 1] = a.ix(&format!("{name}_beddays"));
            m.cost[k + 1] = a.ix(&format!("{name}_cost"));
        }
        m
    }
}

/// Individual-file inpatient measures of one service (`acute`, `mat`, `gls`, `mh`), as
/// `R/create_individual_file.R` `add_ipdc_cols` builds them.
pub struct GroupIx {
    pub episodes: Option<usize>,
    pub inpatient_cost: Option<usize>,
    pub inpatient_episodes: Option<usize>,
    pub inpatient_beddays: Option<usize>,
    pub el: [Option<usize>; 3],
    pub non_el: [Option<usize>; 3],
    pub daycase_episodes: Option<usize>,
    pub daycase_cost: Option<usize>,
}

impl GroupIx {
    pub fn resolve(a: &Assembler, prefix: &str) -> GroupIx {
        let c = |s: &str| a.ix(&format!("{prefix}_{s}"));
        GroupIx {
            episodes: c("episodes"),
            inpatient_cost: c("inpatient_cost"),
            inpatient_episodes: c("inpatient_episodes"),
            inpatient_beddays: c("inpatient_beddays"),
            el: [c("el_inpatient_episodes"), c("el_inpatient_beddays"), c("el_inpatient_cost")],
            non_el: [c("non_el_inpatient_episodes"), c("non_el_inpatient_beddays"), c("non_el_inpatient_cost")],
            daycase_episodes: c("daycase_episodes"),
            daycase_cost: c("daycase_cost"),
        }
    }
}

/// Sums of one service's inpatient measures over a person-year.
#[derive(Default, Clone, Copy)]
pub struct GroupAcc {
    pub episodes: i64,
    pub ip: [i64; 3],
    pub el: [i64; 3],
    pub non_el: [i64; 3],
    pub dc: [i64; 2],
}

impl GroupAcc {
    /// One episode: ipdc `I`/`D`, CIJ patient type code (0 non-elective, 1 elective), net cost
    /// in pence, yearstay.
    pub fn add(&mut self, ipdc: u8, pattype: Option<u8>, cost: i64, beddays: i64) {
        self.episodes += 1;
        if ipdc == b'D' {
            self.dc[0] += 1;
            self.dc[1] += cost;
            return;
        }
        self.ip[0] += 1;
        self.ip[1] += beddays;
        self.ip[2] += cost;
        let t = match pattype {
            Some(1) => &mut self.el,
            Some(0) => &mut self.non_el,
            _ => return,
        };
        t[0] += 1;
        t[1] += beddays;
        t[2] += cost;
    }

    pub fn write(&self, ix: &GroupIx, x: &mut Extras) {
        x.int(ix.episodes, self.episodes);
        x.hundredths(ix.inpatient_cost, self.ip[2]);
        x.int(ix.inpatient_episodes, self.ip[0]);
        x.int(ix.inpatient_beddays, self.ip[1]);
        x.int(ix.el[0], self.el[0]);
        x.int(ix.el[1], self.el[1]);
        x.hundredths(ix.el[2], self.el[2]);
        x.int(ix.non_el[0], self.non_el[0]);
        x.int(ix.non_el[1], self.non_el[1]);
        x.hundredths(ix.non_el[2], self.non_el[2]);
        x.int(ix.daycase_episodes, self.dc[0]);
        x.hundredths(ix.daycase_cost, self.dc[1]);
    }
}
