//! Health journeys: inpatient stays (CIJs) made of episodes, delayed discharges, contacts
//! (outpatients, A&E, out of hours), prescribing, deaths; plus the hospital discharges that lead
//! into social care (see `social_care`).
use super::date::{fy_end, fy_start, Day};
use super::person::{self, Person, Span};
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Acute,
    Gls,
    Maternity,
    Mh,
    Op,
    Ae,
    Pis,
    Ooh,
    Dd,
    Nrs,
}

impl Kind {
    pub fn recid(&self) -> &'static str {
        match self {
            Kind::Acute => "01B",
            Kind::Gls => "GLS",
            Kind::Maternity => "02B",
            Kind::Mh => "04B",
            Kind::Op => "00B",
            Kind::Ae => "AE2",
            Kind::Pis => "PIS",
            Kind::Ooh => "OoH",
            Kind::Dd => "DD",
            Kind::Nrs => "NRS",
        }
    }
    pub fn inpatient(&self) -> bool {
        matches!(self, Kind::Acute | Kind::Gls | Kind::Maternity | Kind::Mh)
    }
}

/// A continuous inpatient journey.
#[derive(Debug, Clone)]
pub struct Stay {
    pub start: Day,
    pub end: Option<Day>,
    /// 0 non-elective, 1 elective, 2 maternity, 9 other
    pub pattype_code: u8,
    pub ipdc: u8,
    pub admtype: &'static str,
    pub adm_spec: &'static str,
    pub dis_spec: &'static str,
    pub ppa: bool,
    pub delay: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct DdInfo {
    pub primary: &'static str,
    pub secondary: &'static str,
    pub end_reason: u8,
    pub code9: bool,
}

#[derive(Debug, Clone)]
pub struct Ep {
    pub kind: Kind,
    pub start: Day,
    pub end: Option<Day>,
    pub time1: Option<u32>,
    pub time2: Option<u32>,
    pub smrtype: &'static str,
    pub spec: &'static str,
    pub ipdc: u8,
    pub stay: Option<usize>,
    pub diag: [&'static str; 4],
    pub attendance: u8,
    pub tadm: &'static str,
    pub mpat: &'static str,
    pub disch: &'static str,
    pub dischto: &'static str,
    pub items: u32,
    /// Cost charged once, in the year of the episode's start (pence).
    pub fixed_pence: i64,
    /// Cost per night inside the year (pence).
    pub daily_pence: i64,
    pub dna: bool,
    pub dd: Option<DdInfo>,
    pub ae: Option<(&'static str, &'static str, &'static str)>,
    pub refsource: &'static str,
    pub ooh_case: u64,
}

impl Ep {
    pub fn new(kind: Kind, start: Day, end: Option<Day>, smrtype: &'static str) -> Ep {
        Ep {
            kind,
            start,
            end,
            time1: None,
            time2: None,
            smrtype,
            spec: "",
            ipdc: 0,
            stay: None,
            diag: ["", "", "", ""],
            attendance: 0,
            tadm: "",
            mpat: "",
            disch: "",
            dischto: "",
            items: 0,
            fixed_pence: 0,
            daily_pence: 0,
            dna: false,
            dd: None,
            ae: None,
            refsource: "",
            ooh_case: 0,
        }
    }
}

/// What happens to someone leaving hospital (drives social care).
#[derive(Debug, Clone, Copy)]
pub struct Discharge {
    pub day: Day,
    pub to_care_home: bool,
    pub home_care: bool,
}

pub struct Health {
    pub stays: Vec<Stay>,
    pub eps: Vec<Ep>,
    pub discharges: Vec<Discharge>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Adm {
    Emergency,
    Crisis,
    Elective,
    DayCase,
    Maternity,
    Mh,
}

fn band(age: i32) -> usize {
    match age {
        i32::MIN..=0 => 0,
        1..=4 => 1,
        5..=15 => 2,
        16..=24 => 3,
        25..=44 => 4,
        45..=64 => 5,
        65..=74 => 6,
        75..=84 => 7,
        _ => 8,
    }
}

const EM_RATE: [f64; 9] = [0.22, 0.09, 0.035, 0.045, 0.045, 0.06, 0.10, 0.16, 0.26];
const EM_LOS: [f64; 9] = [0.8, 0.7, 0.7, 1.0, 1.3, 2.0, 3.5, 6.0, 8.5];
const CRISIS: [f64; 9] = [0.0005, 0.0005, 0.0005, 0.0015, 0.0015, 0.003, 0.006, 0.012, 0.02];
const ELECTIVE: [f64; 9] = [0.005, 0.008, 0.008, 0.012, 0.018, 0.035, 0.05, 0.045, 0.025];
const DAYCASE: [f64; 9] = [0.01, 0.02, 0.02, 0.03, 0.05, 0.09, 0.13, 0.11, 0.06];
const AE_RATE: [f64; 9] = [0.35, 0.3, 0.2, 0.3, 0.22, 0.18, 0.2, 0.28, 0.42];
const OP_RATE: [f64; 9] = [0.2, 0.15, 0.15, 0.15, 0.2, 0.3, 0.45, 0.5, 0.4];
const OOH_RATE: [f64; 9] = [0.4, 0.3, 0.1, 0.1, 0.1, 0.1, 0.14, 0.22, 0.4];
const PIS_ANY: [f64; 9] = [0.4, 0.55, 0.5, 0.6, 0.66, 0.82, 0.93, 0.96, 0.97];
pub const DEP: [f64; 6] = [1.0, 1.45, 1.2, 1.0, 0.85, 0.72];

const GENERIC_ADULT: [&str; 10] = ["R074", "J189", "N390", "K590", "R55X", "L031", "K529", "J22X", "R104", "R296"];
const GENERIC_CHILD: [&str; 5] = ["J069", "R509", "A099", "J210", "S099"];
const CRISIS_DIAG: [&str; 5] = ["S720", "I639", "I214", "A419", "K922"];
const ELECTIVE_DIAG: [&str; 7] = ["M179", "M169", "K409", "N40X", "C509", "K802", "M2322"];
const DAYCASE_DIAG: [&str; 6] = ["H259", "K635", "D126", "Z511", "N209", "K219"];
const MH_DIAG: [&str; 5] = ["F200", "F322", "F102", "F603", "F312"];
const PPA_PREFIX: [&str; 7] = ["J44", "J45", "I50", "I20", "E10", "E11", "N39"];
const DD_REASONS: [(&str, &str, f64); 13] = [
    ("11A", "", 0.2),
    ("11B", "", 0.05),
    ("23C", "", 0.05),
    ("24B", "", 0.1),
    ("24C", "", 0.1),
    ("25A", "", 0.1),
    ("25D", "", 0.1),
    ("44", "", 0.02),
    ("51", "", 0.03),
    ("71", "", 0.04),
    ("9", "51X", 0.12),
    ("9", "24EX", 0.05),
    ("9", "25X", 0.04),
];

fn ltc_diag(k: usize) -> &'static str {
    [
        "M199", "J459", "I480", "C349", "I639", "K703", "J441", "F019", "E119", "G409", "I209", "I500", "G35X",
        "G20X", "N184", "Q249", "D649", "E039", "K573",
    ][k]
}

fn person_diags(p: &Person, day: Day, first: &'static str, rng: &mut Rng) -> [&'static str; 4] {
    let mut d = [first, "", "", ""];
    let mut n = 1;
    for k in 0..person::N_LTC {
        if n >= 4 {
            break;
        }
        if p.has_ltc(k, day) && rng.chance(0.6) {
            let c = ltc_diag(k);
            if c != first {
                d[n] = c;
                n += 1;
            }
        }
    }
    d
}

fn emergency_diag(p: &Person, day: Day, age: i32, rng: &mut Rng) -> &'static str {
    if age < 16 {
        return *rng.pick(&GENERIC_CHILD);
    }
    let mine: Vec<usize> = (0..person::N_LTC).filter(|&k| p.has_ltc(k, day)).collect();
    if !mine.is_empty() && rng.chance(0.55) {
        ltc_diag(*rng.pick(&mine))
    } else {
        *rng.pick(&GENERIC_ADULT)
    }
}

fn eol_mult(p: &Person, day: Day) -> f64 {
    match p.death {
        Some(d) if d - day < 90 => 7.0,
        Some(d) if d - day < 365 => 2.5,
        _ => 1.0,
    }
}

struct Cand {
    day: Day,
    adm: Adm,
    terminal: bool,
}

/// Simulate a person's health activity over the whole span.
pub fn simulate(p: &Person, span: &Span, rng: &mut Rng) -> Health {
    let mut cands: Vec<Cand> = Vec::new();
    let last_day = p.death.unwrap_or(span.end).min(span.end);
    let dep = DEP[p.simd_q as usize];
    // inpatient admissions, year by year (emergency rate in pieces to follow end-of-life risk)
    for fy in span.first_fy..=span.last_fy {
        let s = fy_start(fy).max(p.dob);
        let e = fy_end(fy).min(last_day);
        if s > e {
            continue;
        }
        let age = p.age_at(s);
        let b = band(age);
        let nltc = p.ltc_count_at(s) as f64;
        let mm = 1.0 + 0.3 * nltc;
        // emergency: piecewise by end-of-life multiplier, in 30-day slices
        let base = EM_RATE[b] * dep * p.frailty * mm / 365.0;
        let mut d = s;
        while d <= e {
            let de = (d + 29).min(e);
            let n = rng.poisson(base * eol_mult(p, d) * (de - d + 1) as f64);
            for _ in 0..n {
                cands.push(Cand { day: d + rng.below((de - d + 1) as u64) as i32, adm: Adm::Emergency, terminal: false });
            }
            d = de + 1;
        }
        let frac = (e - s + 1) as f64 / 365.0;
        if rng.chance(CRISIS[b] * dep.sqrt() * frac) {
            cands.push(Cand { day: s + rng.below((e - s + 1) as u64) as i32, adm: Adm::Crisis, terminal: false });
        }
        for _ in 0..rng.poisson(ELECTIVE[b] * (1.0 + 0.1 * nltc) * frac) {
            cands.push(Cand { day: s + rng.below((e - s + 1) as u64) as i32, adm: Adm::Elective, terminal: false });
        }
        for _ in 0..rng.poisson(DAYCASE[b] * (1.0 + 0.1 * nltc) * frac) {
            cands.push(Cand { day: s + rng.below((e - s + 1) as u64) as i32, adm: Adm::DayCase, terminal: false });
        }
        if p.sex == 2 && (16..45).contains(&age) {
            let fert = match age {
                16..=19 => 0.02,
                20..=24 => 0.05,
                25..=29 => 0.08,
                30..=34 => 0.10,
                35..=39 => 0.06,
                _ => 0.015,
            };
            if rng.chance(fert * frac) {
                cands.push(Cand { day: s + rng.below((e - s + 1) as u64) as i32, adm: Adm::Maternity, terminal: false });
            }
        }
        if age >= 16 {
            let mh = 0.0025 * dep * p.frailty.sqrt() * frac;
            if rng.chance(mh) {
                cands.push(Cand { day: s + rng.below((e - s + 1) as u64) as i32, adm: Adm::Mh, terminal: false });
            }
        }
    }
    // dying in hospital: the last admission ends on the day of death
    if let Some(death) = p.death {
        if death <= span.end {
            let age = p.age_at(death);
            if rng.chance(if age >= 65 { 0.5 } else { 0.35 }) {
                let los = rng.lognormal(7.0, 0.9).round().clamp(0.0, 120.0) as i32;
                let day = (death - los).max(p.dob);
                cands.retain(|c| c.day < day);
                cands.push(Cand { day, adm: Adm::Emergency, terminal: true });
            }
        }
    }
    cands.sort_by_key(|c| (c.day, c.terminal));

    let mut h = Health { stays: Vec::new(), eps: Vec::new(), discharges: Vec::new() };
    let mut busy_until: Day = i32::MIN;
    let mut blocked: Vec<(Day, Day)> = Vec::new();
    // long-stay mental health residents: an ongoing admission that began before the span
    if p.dob < span.start - 25 * 365 && rng.chance(0.0006 * dep) {
        let start = span.start - 30 - rng.below(2000) as i32;
        let end = p.death.filter(|d| *d <= span.end);
        let si = h.stays.len();
        h.stays.push(Stay {
            start,
            end,
            pattype_code: 0,
            ipdc: b'I',
            admtype: "20",
            adm_spec: "G1",
            dis_spec: "G1",
            ppa: false,
            delay: false,
        });
        let mut ep = Ep::new(Kind::Mh, start, end, "Psych-IP");
        ep.spec = "G1";
        ep.ipdc = b'I';
        ep.stay = Some(si);
        ep.diag = ["F200", "", "", ""];
        ep.tadm = "20";
        ep.fixed_pence = 0;
        ep.daily_pence = rng.range(40_000, 48_000);
        if end.is_some() {
            ep.disch = "40";
            ep.dischto = "00";
        }
        h.eps.push(ep);
        busy_until = end.unwrap_or(span.end + 1);
        blocked.push((start, busy_until));
        cands.retain(|c| c.terminal);
        if end.is_none() {
            cands.clear();
        }
    }
    let death = p.death.filter(|d| *d <= span.end);
    for ci in 0..cands.len() {
        let c = &cands[ci];
        let mut day = c.day;
        if day <= busy_until {
            if c.terminal {
                continue;
            }
            day = busy_until + 1 + rng.below(5) as i32;
        }
        if day > last_day {
            continue;
        }
        let age = p.age_at(day).max(0);
        let b = band(age);
        let (mut los, kind) = match c.adm {
            Adm::Emergency => {
                if c.terminal {
                    (death.unwrap_or(day) - day, Kind::Acute)
                } else {
                    (rng.lognormal(EM_LOS[b] * p.frailty.powf(0.6), 1.0).round() as i32, Kind::Acute)
                }
            }
            Adm::Crisis => (rng.lognormal(if age >= 65 { 28.0 } else { 16.0 }, 0.7).round() as i32, Kind::Acute),
            Adm::Elective => (rng.lognormal(1.5, 0.8).round().max(1.0) as i32, Kind::Acute),
            Adm::DayCase => (0, Kind::Acute),
            Adm::Maternity => (rng.range(1, 4) as i32, Kind::Maternity),
            Adm::Mh => (rng.lognormal(24.0, 1.0).round().max(1.0) as i32, Kind::Mh),
        };
        los = los.clamp(0, 400);
        // the next terminal admission (if any) bounds this stay
        let next_terminal = cands[ci + 1..].iter().find(|x| x.terminal).map(|x| x.day);
        let mut end = day + los;
        let mut dies = c.terminal;
        if let Some(d) = death {
            if end >= d {
                end = d;
                dies = true;
            }
        }
        if let Some(t) = next_terminal {
            if !dies && end >= t {
                end = t - 1;
                if end < day {
                    continue;
                }
            }
        }
        if end > span.end {
            // still in hospital after the span: not yet in any file
            continue;
        }
        let los = end - day;
        busy_until = end;
        let si = h.stays.len();
        let (pattype, admtype, ipdc) = match c.adm {
            Adm::Emergency | Adm::Crisis => (0u8, *rng.pick(&["36", "35", "33", "30", "38", "20"]), b'I'),
            Adm::Elective => (1, "11", b'I'),
            Adm::DayCase => (1, "12", b'D'),
            Adm::Maternity => (2, "42", b'I'),
            Adm::Mh => (0, "20", b'I'),
        };
        let diag1 = match c.adm {
            Adm::Emergency => emergency_diag(p, day, age, rng),
            Adm::Crisis => {
                if age >= 65 && rng.chance(0.4) {
                    "S720"
                } else {
                    *rng.pick(&CRISIS_DIAG)
                }
            }
            Adm::Elective => *rng.pick(&ELECTIVE_DIAG),
            Adm::DayCase => *rng.pick(&DAYCASE_DIAG),
            Adm::Maternity => *rng.pick(&["O800", "O701", "O420"]),
            Adm::Mh => {
                if age >= 70 {
                    "F03X"
                } else {
                    *rng.pick(&MH_DIAG)
                }
            }
        };
        let diags = person_diags(p, day, diag1, rng);
        let ppa = pattype == 0 && c.adm != Adm::Mh && PPA_PREFIX.iter().any(|x| diag1.starts_with(x));
        // episodes of the stay
        let first_spec = match c.adm {
            Adm::Emergency | Adm::Crisis => {
                if age < 16 {
                    "AF"
                } else if diag1 == "S720" {
                    "C8"
                } else if age >= 85 && rng.chance(0.4) {
                    "AB"
                } else {
                    "A1"
                }
            }
            Adm::Elective => *rng.pick(&["C8", "C1", "CB", "C5", "F2"]),
            Adm::DayCase => *rng.pick(&["C7", "A9", "C1", "H2", "CB"]),
            Adm::Maternity => "F3",
            Adm::Mh => {
                if age >= 65 {
                    "G4"
                } else {
                    "G1"
                }
            }
        };
        let mut parts: Vec<(Day, Day, Kind, &'static str)> = Vec::new();
        let emergencyish = matches!(c.adm, Adm::Emergency | Adm::Crisis);
        if emergencyish && age >= 65 && los >= 7 && rng.chance(0.35) {
            let t1 = day + 1 + rng.below((los / 2).max(1) as u64) as i32;
            if c.adm == Adm::Crisis && age >= 75 && los >= 21 && rng.chance(0.5) {
                let t2 = t1 + (end - t1) / 3;
                parts.push((day, t1, kind, first_spec));
                parts.push((t1, t2, Kind::Acute, "AB"));
                parts.push((t2, end, Kind::Gls, "AB"));
            } else {
                parts.push((day, t1, kind, first_spec));
                parts.push((t1, end, Kind::Acute, "AB"));
            }
        } else {
            parts.push((day, end, kind, first_spec));
        }
        let dis_spec = parts.last().map(|x| x.3).unwrap_or(first_spec);
        // delayed discharge and where the person goes
        let mut dd: Option<(Day, DdInfo)> = None;
        let mut to_ch = false;
        let mut to_hc = false;
        if !dies && emergencyish && age >= 65 && los >= 5 {
            let pd = (match b {
                6 => 0.08,
                7 => 0.16,
                _ => 0.24,
            }) * (if c.adm == Adm::Crisis { 1.6 } else { 1.0 });
            if rng.chance(pd) {
                let rdd = day + (los as f64 * (0.5 + 0.35 * rng.f64())).round().max(2.0) as i32;
                if rdd < end {
                    let w: Vec<f64> = DD_REASONS.iter().map(|r| r.2).collect();
                    let (prim, sec, _) = DD_REASONS[rng.weighted(&w)];
                    let placement = prim.starts_with("24") || sec == "24EX" || prim == "23C";
                    let homecare = matches!(prim, "25A" | "25D" | "11A" | "11B" | "23D") || sec == "25X";
                    to_ch = placement && rng.chance(0.75);
                    to_hc = !to_ch && homecare && rng.chance(0.6);
                    let end_reason = if to_ch {
                        1
                    } else if to_hc {
                        2
                    } else {
                        3
                    };
                    dd = Some((rdd, DdInfo { primary: prim, secondary: sec, end_reason, code9: prim == "9" }));
                }
            }
            if dd.is_none() {
                let pch = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.015, 0.04, 0.08][b]
                    + if p.has_ltc(person::DEMENTIA, day) { 0.12 } else { 0.0 };
                let phc = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.08, 0.14, 0.2][b];
                to_ch = rng.chance(pch);
                to_hc = !to_ch && rng.chance(phc);
            }
        }
        h.stays.push(Stay {
            start: day,
            end: Some(end),
            pattype_code: pattype,
            ipdc,
            admtype,
            adm_spec: first_spec,
            dis_spec,
            ppa,
            delay: dd.is_some(),
        });
        let nparts = parts.len();
        for (k, (s, e, kd, spec)) in parts.into_iter().enumerate() {
            let smrtype = match (kd, ipdc) {
                (Kind::Acute, b'D') => "Acute-DC",
                (Kind::Acute, _) => "Acute-IP",
                (Kind::Gls, _) => "GLS-IP",
                (Kind::Maternity, _) => "Matern-IP",
                _ => "Psych-IP",
            };
            let mut ep = Ep::new(kd, s, Some(e), smrtype);
            ep.spec = spec;
            ep.ipdc = ipdc;
            ep.stay = Some(si);
            ep.diag = diags;
            ep.tadm = admtype;
            if kd == Kind::Maternity {
                ep.mpat = "1";
            }
            let last = k + 1 == nparts;
            ep.disch = if last && dies {
                "40"
            } else if last {
                "11"
            } else {
                "12"
            };
            ep.dischto = if last && dies {
                "00"
            } else if last && to_ch {
                "25"
            } else if last {
                if rng.chance(0.35) {
                    "11"
                } else {
                    "12"
                }
            } else {
                "41"
            };
            let (fixed, daily) = match (c.adm, kd) {
                (_, Kind::Gls) => (0, rng.range(30_000, 36_000)),
                (Adm::DayCase, _) => (rng.range(80_000, 140_000), 0),
                (Adm::Elective, _) => (rng.range(220_000, 340_000), rng.range(58_000, 66_000)),
                (Adm::Maternity, _) => (rng.range(120_000, 170_000), rng.range(65_000, 75_000)),
                (Adm::Mh, _) => (50_000, rng.range(40_000, 48_000)),
                _ => (if k == 0 { rng.range(90_000, 150_000) } else { 0 }, rng.range(58_000, 68_000)),
            };
            ep.fixed_pence = fixed;
            ep.daily_pence = daily;
            h.eps.push(ep);
        }
        if let Some((rdd, info)) = dd {
            let mut ep = Ep::new(Kind::Dd, rdd, Some(end), "DD-CIJ");
            ep.stay = Some(si);
            ep.spec = dis_spec;
            ep.dd = Some(info);
            h.eps.push(ep);
        }
        // an A&E attendance leads most emergency admissions
        if emergencyish && rng.chance(0.7) {
            let t1 = rng.range(0, 86_399) as u32;
            let mut ep = Ep::new(Kind::Ae, day, Some(day), "A & E");
            ep.time1 = Some(t1);
            let t2 = t1 + rng.range(3_600, 6 * 3_600) as u32;
            ep.end = Some(day + (t2 / 86_400) as i32);
            ep.time2 = Some(t2 % 86_400);
            ep.ae = Some(("01", "01", if age >= 65 { "02C" } else { "01A" }));
            ep.refsource = ep.ae.map(|x| x.2).unwrap_or("");
            ep.fixed_pence = rng.range(14_000, 22_000);
            ep.diag = [diag1, "", "", ""];
            h.eps.push(ep);
        }
        if !dies {
            h.discharges.push(Discharge { day: end, to_care_home: to_ch, home_care: to_hc });
        }
        blocked.push((day, end));
    }
    let in_hospital = |d: Day, blocked: &Vec<(Day, Day)>| blocked.iter().any(|(a, b)| d > *a && d < *b);
    // contacts and prescribing, year by year
    for fy in span.first_fy..=span.last_fy {
        let s = fy_start(fy).max(p.dob);
        let e = fy_end(fy).min(last_day);
        if s > e {
            continue;
        }
        let age = p.age_at(s).max(0);
        let b = band(age);
        let nltc = p.ltc_count_at(s) as f64;
        let frac = (e - s + 1) as f64 / 365.0;
        let eol = eol_mult(p, e).min(3.0);
        for _ in 0..rng.poisson(AE_RATE[b] * dep * p.frailty.sqrt() * eol * frac) {
            let d = s + rng.below((e - s + 1) as u64) as i32;
            if in_hospital(d, &blocked) {
                continue;
            }
            let t1 = rng.range(0, 86_399) as u32;
            let t2 = t1 + rng.range(1_800, 5 * 3_600) as u32;
            let mut ep = Ep::new(Kind::Ae, d, Some(d + (t2 / 86_400) as i32), "A & E");
            ep.time1 = Some(t1);
            ep.time2 = Some(t2 % 86_400);
            let cat = if rng.chance(0.05) { "02" } else { "01" };
            let arr = if age >= 75 && rng.chance(0.5) { "01" } else { "03" };
            ep.ae = Some((arr, cat, if rng.chance(0.7) { "01A" } else { "02A" }));
            ep.refsource = ep.ae.map(|x| x.2).unwrap_or("");
            ep.fixed_pence = rng.range(11_000, 19_000);
            h.eps.push(ep);
        }
        for _ in 0..rng.poisson(OP_RATE[b] * (1.0 + 0.25 * nltc) * frac) {
            let d = s + rng.below((e - s + 1) as u64) as i32;
            if in_hospital(d, &blocked) {
                continue;
            }
            let mut ep = Ep::new(Kind::Op, d, Some(d), "Outpatient");
            let u = rng.f64();
            let dna_p = 0.06 * DEP[p.simd_q as usize];
            ep.attendance = if u < dna_p {
                8
            } else if u < dna_p + 0.01 {
                5
            } else {
                1
            };
            ep.dna = ep.attendance != 1;
            ep.spec = if p.has_ltc(person::CHD, d) {
                "A2"
            } else if p.has_ltc(person::COPD, d) {
                "AQ"
            } else if p.has_ltc(person::DIABETES, d) {
                "A8"
            } else {
                *rng.pick(&["C8", "C1", "A7", "C5", "C7", "F2", "AF", "A9"])
            };
            ep.refsource = "H";
            ep.fixed_pence = rng.range(13_000, 20_000);
            h.eps.push(ep);
        }
        for _ in 0..rng.poisson(OOH_RATE[b] * (1.0 + 0.15 * nltc) * eol * frac) {
            let d = s + rng.below((e - s + 1) as u64) as i32;
            if in_hospital(d, &blocked) {
                continue;
            }
            let u = rng.f64();
            let homev = if age >= 75 { 0.4 } else { 0.1 };
            let (smr, lo, hi) = if u < homev {
                ("OOH-HomeV", 12_000, 20_000)
            } else if u < homev + 0.3 {
                ("OOH-Advice", 3_000, 5_000)
            } else {
                ("OOH-PCC", 7_000, 11_000)
            };
            let t1 = (rng.range(18 * 3600, 32 * 3600) % 86_400) as u32;
            let mut ep = Ep::new(Kind::Ooh, d, Some(d), smr);
            ep.time1 = Some(t1);
            let t2 = t1 + rng.range(600, 3_600) as u32;
            ep.end = Some(d + (t2 / 86_400) as i32);
            ep.time2 = Some(t2 % 86_400);
            ep.refsource = "N";
            ep.ooh_case = rng.next_u64();
            ep.fixed_pence = rng.range(lo, hi);
            h.eps.push(ep);
        }
        // prescribing: one summary row per person-year, dated 31 March
        let pany = if nltc > 0.0 { 0.97 } else { PIS_ANY[b] };
        if rng.chance(pany * frac.max(0.3)) {
            let mean = (2.0 + 9.0 * nltc + (age as f64 - 40.0).max(0.0) / 4.0) * p.frailty.powf(0.3) * frac;
            let items = rng.poisson(mean.max(0.5)).max(1);
            let mut cost = items as f64 * rng.lognormal(10.0, 0.35);
            if p.has_ltc(person::MS, e) && rng.chance(0.6) {
                cost += rng.lognormal(9_000.0, 0.3) * frac;
            }
            // biologics for inflammatory arthritis: a steady, high prescribing cost every year
            if p.has_ltc(0, e) && (p.idx.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) % 1000 < 20 {
                cost += rng.lognormal(11_000.0, 0.25) * frac;
            }
            if p.has_ltc(person::CANCER, e) && rng.chance(0.06) {
                cost += rng.lognormal(7_000.0, 0.6) * frac;
            }
            let mut ep = Ep::new(Kind::Pis, fy_end(fy), Some(fy_end(fy)), "PIS");
            ep.items = items;
            ep.fixed_pence = (cost * 100.0).round() as i64;
            h.eps.push(ep);
        }
    }
    if let Some(d) = death {
        h.eps.push(Ep::new(Kind::Nrs, d, Some(d), "NRS Deaths"));
        // the rare data-quality case: an outpatient appointment booked after death (a DNA)
        if rng.chance(0.004) {
            let a = d + rng.range(3, 60) as i32;
            if a <= span.end && a <= fy_end(super::date::fy_of(d)) {
                let mut ep = Ep::new(Kind::Op, a, Some(a), "Outpatient");
                ep.attendance = 8;
                ep.dna = true;
                ep.spec = "A1";
                ep.refsource = "H";
                ep.fixed_pence = 16_000;
                h.eps.push(ep);
            }
        }
    }
    h
}
