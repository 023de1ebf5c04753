//! A synthetic person: demographics, place, latent frailty, long-term conditions and death.
use super::date::{age_on, Day};
use super::geography::Geography;
use super::rng::Rng;

pub const N_LTC: usize = 19;

/// Prevalence curve per LTC (order of `model::ltc::ltcs()`): floor, ceiling, midpoint age,
/// slope (years), deprivation factor (SIMD 1 gets x(1+f), SIMD 5 x(1-f)).
const LTC_CURVE: [(f64, f64, f64, f64, f64); N_LTC] = [
    (0.002, 0.20, 68.0, 9.0, 0.15),  // arth
    (0.05, 0.08, 50.0, 15.0, 0.15),  // asthma
    (0.0, 0.14, 80.0, 7.0, 0.05),    // atrialfib
    (0.002, 0.15, 70.0, 9.0, 0.10),  // cancer
    (0.0, 0.10, 78.0, 8.0, 0.25),    // cvd
    (0.001, 0.02, 50.0, 8.0, 0.50),  // liver
    (0.0, 0.10, 68.0, 7.0, 0.60),    // copd
    (0.0, 0.30, 86.0, 5.0, 0.15),    // dementia
    (0.004, 0.16, 62.0, 9.0, 0.35),  // diabetes
    (0.008, 0.012, 50.0, 20.0, 0.30), // epilepsy
    (0.0, 0.20, 74.0, 8.0, 0.35),    // chd
    (0.0, 0.12, 84.0, 6.0, 0.30),    // hefailure
    (0.0, 0.003, 35.0, 5.0, 0.0),    // ms
    (0.0, 0.025, 82.0, 6.0, 0.0),    // parkinsons
    (0.0, 0.15, 84.0, 6.0, 0.20),    // refailure
    (0.006, 0.006, 0.0, 1.0, 0.0),   // congen
    (0.005, 0.08, 80.0, 8.0, 0.20),  // bloodbfo
    (0.01, 0.10, 65.0, 12.0, 0.15),  // endomet
    (0.01, 0.15, 70.0, 12.0, 0.25),  // digestive
];
pub const DEMENTIA: usize = 7;
pub const COPD: usize = 6;
pub const HEFAILURE: usize = 11;
pub const DIABETES: usize = 8;
pub const CANCER: usize = 3;
pub const MS: usize = 12;
pub const CVD: usize = 4;
pub const CHD: usize = 10;
pub const ASTHMA: usize = 1;

/// Share of the population in 5-year age bands at the start of the span (Scotland-like).
const AGE_BANDS: [f64; 21] = [
    5.0, 5.4, 5.3, 5.3, 6.2, 6.9, 6.6, 6.2, 5.8, 6.6, 7.4, 7.3, 6.5, 5.7, 5.3, 3.6, 2.6, 1.5, 0.6, 0.15, 0.02,
];

#[derive(Debug, Clone)]
pub struct Person {
    pub idx: u64,
    pub sex: u8,
    pub dob: Day,
    pub chi: String,
    pub anon_chi: String,
    /// Datazone index, or None for a dummy (no fixed abode) postcode.
    pub dz: Option<usize>,
    /// 7-character postcode; empty = blank.
    pub postcode: String,
    /// GP practice; None = blank.
    pub gpprac: Option<i32>,
    /// SIMD quintile 1..5 (3 when unknown) used by the risk model.
    pub simd_q: u8,
    pub frailty: f64,
    pub ltc: [Option<Day>; N_LTC],
    pub death: Option<Day>,
}

pub struct Span {
    pub start: Day,
    pub end: Day,
    pub first_fy: i32,
    pub last_fy: i32,
}

fn prevalence(k: usize, age: f64, simd_q: u8) -> f64 {
    let (lo, hi, mid, slope, dep) = LTC_CURVE[k];
    let p = lo + (hi - lo) / (1.0 + (-(age - mid) / slope).exp());
    p * (1.0 + dep * (3.0 - simd_q as f64) / 2.0)
}

/// Date of birth and sex of person `idx` (its own random stream, so CHIs can be allocated first).
pub fn dob_and_sex(seed: u64, idx: u64, span: &Span) -> (Day, u8) {
    let mut r = Rng::new(super::rng::derive(seed, 2, idx));
    let sex = if r.chance(0.488) { 1 } else { 2 };
    let years = (span.last_fy - span.first_fy + 1) as f64;
    let dob = if r.chance(0.0095 * years) {
        span.start + r.below((span.end - span.start + 1) as u64) as i32
    } else {
        let mut w = AGE_BANDS;
        // women live longer: tilt the oldest bands
        if sex == 2 {
            for (i, x) in w.iter_mut().enumerate().skip(15) {
                *x *= 1.0 + 0.12 * (i - 14) as f64;
            }
        }
        let band = r.weighted(&w);
        let age_days = (band as f64 * 5.0 + r.f64() * 5.0) * 365.25;
        span.start - 1 - age_days as i32
    };
    (dob, sex)
}

impl Person {
    pub fn age_at(&self, day: Day) -> i32 {
        age_on(self.dob, day)
    }

    pub fn ltc_count_at(&self, day: Day) -> u32 {
        self.ltc.iter().filter(|d| d.is_some_and(|d| d <= day)).count() as u32
    }

    pub fn has_ltc(&self, k: usize, day: Day) -> bool {
        self.ltc[k].is_some_and(|d| d <= day)
    }

    pub fn alive_on(&self, day: Day) -> bool {
        day >= self.dob && self.death.is_none_or(|d| day <= d)
    }
}

/// English GP practice codes PHS lists (`R/add_hri_variables.R` L40) and the dummy 9995 that
/// `R/convert_eng_gpprac_to_dummy.R` writes for them.
pub const ENGLISH_PRACTICES: [i32; 8] = [99942, 99957, 99961, 99976, 99981, 99995, 99999, 9995];
/// Postcode areas in England near the border (never in the Scottish postcode lookup).
const ENGLISH_OUTWARD: [&str; 6] = ["CA1", "CA3", "NE66", "DH1", "LA1", "NE1"];

/// Address quirks of real extracts (full layout only), drawn from the person's own quirk stream:
/// English residents, blank postcodes (with and without a practice), the dummy postcodes
/// BF010AA / ZZ01 / ZZ61, a Scottish postcode with an English practice, and a Scottish-area
/// postcode missing from the lookup (so no board or council).
fn quirk_address(
    q: &mut Rng,
    dz: Option<usize>,
    postcode: String,
    gpprac: Option<i32>,
) -> (Option<usize>, String, Option<i32>) {
    let u = q.f64();
    let english_gp = |q: &mut Rng| if q.chance(0.7) { 9995 } else { *q.pick(&ENGLISH_PRACTICES[..7]) };
    if u < 0.0020 {
        let inward = format!("{}{}{}", q.below(10), ["A", "B", "D", "E"][q.below(4) as usize], ["F", "G", "H", "J"][q.below(4) as usize]);
        let out = *q.pick(&ENGLISH_OUTWARD);
        (None, format!("{out}{}{inward}", " ".repeat(4 - out.len())), Some(english_gp(q)))
    } else if u < 0.0025 {
        (None, String::new(), gpprac)
    } else if u < 0.0028 {
        (None, String::new(), None)
    } else if u < 0.0031 {
        (None, "BF010AA".to_string(), gpprac)
    } else if u < 0.0036 {
        let pc = if q.chance(0.5) { "ZZ011AA" } else { "ZZ611AA" };
        (None, pc.to_string(), gpprac)
    } else if u < 0.0041 {
        (dz, postcode, Some(english_gp(q)))
    } else if u < 0.0046 {
        // a real-looking district of the person's area that the lookup does not hold
        let area = super::hri::postcode_area(&postcode).to_string();
        let out = format!("{area}99");
        (None, format!("{out}{}9ZZ", " ".repeat(4 - out.len())), gpprac)
    } else {
        (dz, postcode, gpprac)
    }
}

#[allow(clippy::too_many_arguments)]
/// Build person `idx` (CHI supplied by the allocator). `quirks`: the person's own stream for
/// the address quirks of the full layout (None: the core layout, no quirks).
pub fn build(
    idx: u64,
    dob: Day,
    sex: u8,
    chi: String,
    span: &Span,
    geo: &Geography,
    rng: &mut Rng,
    quirks: Option<&mut Rng>,
) -> Person {
    let anon_chi = super::chi::anon_chi(&chi);
    let (dz, postcode, gpprac, simd_q) = if rng.chance(0.0015) {
        // no fixed abode: a dummy postcode, no geography
        let pc = if rng.chance(0.5) { "NF1 1AB" } else { "NK010AA" };
        let gp = if rng.chance(0.1) { 9995 } else { 10_000 + 17_000 + 2 };
        (None, pc.to_string(), Some(gp), 3)
    } else {
        let dz = geo.pick_datazone(rng);
        let d = &geo.datazones[dz];
        let pc = d.postcodes[rng.below(d.postcodes.len() as u64) as usize].clone();
        let gp = geo.pick_practice(dz, rng);
        (Some(dz), pc, Some(gp), d.sc_quintile)
    };
    let (dz, postcode, gpprac, simd_q) = match quirks {
        Some(q) if dz.is_some() => {
            let (dz2, pc, gp) = quirk_address(q, dz, postcode, gpprac);
            let sq = if dz2.is_some() { simd_q } else { 3 };
            (dz2, pc, gp, sq)
        }
        _ => (dz, postcode, gpprac, simd_q),
    };
    let frailty = rng.gamma(0.45) / 0.45;
    let ltc_mult = frailty.powf(0.3);
    let mut ltc = [None; N_LTC];
    let (a0, a1) = (age_on(dob, span.start).max(0) as f64, age_on(dob, span.end) as f64);
    for (k, slot) in ltc.iter_mut().enumerate() {
        let p0 = if dob < span.start { prevalence(k, a0, simd_q) * ltc_mult } else { 0.0 };
        let p1 = prevalence(k, a1, simd_q) * ltc_mult;
        let u = rng.f64();
        if u < p0 {
            let lo = dob.max(span.start - 3650);
            *slot = Some(lo + rng.below((span.start - lo).max(1) as u64) as i32);
        } else if u < p1.max(p0) {
            let lo = dob.max(span.start);
            *slot = Some(lo + rng.below((span.end - lo + 1).max(1) as u64) as i32);
        }
    }
    let mut p = Person { idx, sex, dob, chi, anon_chi, dz, postcode, gpprac, simd_q, frailty, ltc, death: None };
    // death: yearly hazard by age, deprivation, frailty and multimorbidity
    for fy in span.first_fy..=span.last_fy {
        let s = super::date::fy_start(fy).max(dob);
        let e = super::date::fy_end(fy);
        if s > e {
            continue;
        }
        let age = age_on(dob, s) as f64;
        let base = if age < 1.0 { 0.003 } else { (-10.2 + 0.092 * age).exp() };
        let dep = [0.0, 1.35, 1.15, 1.0, 0.88, 0.75][simd_q as usize];
        let mm = (1.0 + 0.25 * p.ltc_count_at(s) as f64) / (1.0 + 0.05 * age / 10.0);
        let q = (base * dep * frailty.powf(0.6) * mm).min(0.6);
        let frac = (e - s + 1) as f64 / 365.0;
        if rng.chance(q * frac) {
            p.death = Some(s + rng.below((e - s + 1) as u64) as i32);
            break;
        }
    }
    // nobody has a condition diagnosed after death
    if let Some(d) = p.death {
        for slot in p.ltc.iter_mut() {
            if slot.is_some_and(|x| x > d) {
                *slot = None;
            }
        }
    }
    p
}
