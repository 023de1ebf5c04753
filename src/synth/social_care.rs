//! Social care (SC2): home care packages that may grow, care home stays (mostly after a hospital
//! stay of an older person), alarms/telecare, self-directed support, IoRN assessments.
use super::date::{fy_end, fy_start, Day};
use super::health::{Health, DEP};
use super::person::{self, Person, Span};
use super::rng::Rng;

#[derive(Debug, Clone)]
pub struct HomeCare {
    pub start: Day,
    pub end: Option<Day>,
    pub weekly_hours: f64,
    /// Multiplier applied every 26 weeks (1.0 = flat package).
    pub growth: f64,
    pub service: u8,
    pub provider: u8,
    pub reablement: u8,
    pub multistaff: u8,
}

impl HomeCare {
    pub fn hours_per_week_on(&self, day: Day) -> f64 {
        let steps = ((day - self.start).max(0) / 182) as i32;
        (self.weekly_hours * self.growth.powi(steps) * 4.0).round() / 4.0
    }
}

#[derive(Debug, Clone)]
pub struct CareHome {
    pub adm: Day,
    pub dis: Option<Day>,
    pub typ: u8,
    pub nursing: u8,
    pub home: u32,
    pub provider: u8,
}

#[derive(Debug, Clone)]
pub struct Equipment {
    pub typ: u8,
    pub start: Day,
    pub end: Option<Day>,
}

#[derive(Debug, Clone)]
pub struct Sds {
    pub start: Day,
    pub end: Option<Day>,
    pub options: [u8; 3],
}

#[derive(Debug, Clone, Default)]
pub struct SocialCare {
    pub hc: Vec<HomeCare>,
    pub ch: Vec<CareHome>,
    pub at: Vec<Equipment>,
    pub sds: Vec<Sds>,
    pub iorn: Vec<(Day, u8)>,
    pub living_alone: u8,
    pub unpaid_carer: u8,
    pub learning_disability: bool,
}

impl SocialCare {
    pub fn any(&self) -> bool {
        !(self.hc.is_empty() && self.ch.is_empty() && self.at.is_empty() && self.sds.is_empty())
    }
    fn in_care_home(&self, d: Day) -> bool {
        self.ch.iter().any(|c| c.typ == 3 && c.adm <= d && c.dis.is_none_or(|x| x >= d))
    }
}

/// Sending locations that submit IoRN (see linked-extracts.md 2.3).
const IORN_COUNCILS: [&str; 9] = ["150", "200", "240", "280", "290", "320", "330", "340", "350"];

fn provider(rng: &mut Rng) -> u8 {
    [2u8, 2, 2, 2, 2, 2, 1, 1, 4, 5][rng.below(10) as usize]
}

pub fn simulate(p: &Person, span: &Span, health: &Health, sending_location: &str, rng: &mut Rng) -> SocialCare {
    let mut sc = SocialCare {
        living_alone: if rng.chance(0.05) {
            9
        } else if rng.chance(0.45) {
            1
        } else {
            0
        },
        unpaid_carer: if rng.chance(0.5) { 1 } else { 0 },
        ..Default::default()
    };
    if p.dz.is_none() {
        return sc;
    }
    let last = p.death.unwrap_or(span.end + 1);
    let dep = DEP[p.simd_q as usize];
    let iorn = IORN_COUNCILS.contains(&sending_location);
    // (day, source) of entry events: 0 = community, 1 = hospital discharge
    let mut hc_starts: Vec<(Day, bool)> = Vec::new();
    let mut ch_starts: Vec<Day> = Vec::new();
    for d in &health.discharges {
        if d.to_care_home {
            ch_starts.push(d.day);
        } else if d.home_care {
            hc_starts.push((d.day, true));
        }
    }
    for fy in span.first_fy..=span.last_fy {
        let s = fy_start(fy).max(p.dob);
        let e = fy_end(fy).min(last);
        if s > e {
            continue;
        }
        let age = p.age_at(s);
        let dem = p.has_ltc(person::DEMENTIA, s);
        let b = match age {
            i32::MIN..=64 => 0,
            65..=74 => 1,
            75..=84 => 2,
            _ => 3,
        };
        let day = |rng: &mut Rng| s + rng.below((e - s + 1) as u64) as i32;
        let f = p.frailty.powf(0.3) * dep.sqrt() * if dem { 1.8 } else { 1.0 };
        if rng.chance([0.0015, 0.008, 0.025, 0.06][b] * f) {
            let d = day(rng);
            hc_starts.push((d, false));
        }
        if rng.chance([0.0, 0.0015, 0.004, 0.012][b] * f * if dem { 2.0 } else { 1.0 }) {
            ch_starts.push(day(rng));
        }
        if rng.chance([0.0005, 0.01, 0.03, 0.06][b] * if sc.living_alone == 1 { 1.6 } else { 0.8 }) {
            let st = day(rng);
            if !sc.at.iter().any(|a| a.end.is_none_or(|x| x >= st)) {
                let typ = if rng.chance(0.7) { 1 } else { 2 };
                sc.at.push(Equipment { typ, start: st, end: None });
                if typ == 1 && rng.chance(0.3) {
                    sc.at.push(Equipment { typ: 2, start: st + rng.range(0, 200) as i32, end: None });
                }
            }
        }
    }
    // younger adults with a learning disability: a long-running package (SDS)
    if p.age_at(span.start) >= 18 && p.age_at(span.start) < 65 && rng.chance(0.004) {
        sc.learning_disability = true;
        let st = span.start - rng.range(30, 3000) as i32;
        let o1 = rng.chance(0.35);
        sc.sds.push(Sds { start: st, end: None, options: [o1 as u8, rng.chance(0.15) as u8, (!o1) as u8] });
        if !o1 {
            sc.hc.push(HomeCare {
                start: st,
                end: None,
                weekly_hours: rng.lognormal(12.0, 0.5),
                growth: 1.0,
                service: 2,
                provider: 4,
                reablement: 0,
                multistaff: 1,
            });
        }
    }
    // care homes: long-term admissions (from hospital or the community) and respite
    ch_starts.sort();
    let mut ch_start: Option<Day> = None;
    if let Some(&d) = ch_starts.first() {
        if d < last && d <= span.end {
            ch_start = Some(d);
            let home = rng.below(40) as u32;
            sc.ch.push(CareHome {
                adm: d,
                dis: p.death.filter(|x| *x <= span.end),
                typ: 3,
                nursing: if rng.chance(0.05) {
                    9
                } else if rng.chance(0.6) {
                    1
                } else {
                    0
                },
                home,
                provider: provider(rng),
            });
            if iorn {
                sc.iorn.push((d + rng.range(7, 40) as i32, 4 + rng.below(5) as u8));
            }
        }
    }
    // home care packages
    hc_starts.sort();
    let mut busy: Day = i32::MIN;
    for (d, from_hospital) in hc_starts {
        if d <= busy || d >= last || ch_start.is_some_and(|c| d >= c) {
            continue;
        }
        let reab = from_hospital && rng.chance(0.3);
        let mut end = if reab { Some(d + 42) } else { None };
        if end.is_none() && rng.chance(0.25) {
            end = Some(d + rng.range(60, 900) as i32);
        }
        let limit = ch_start.unwrap_or(last).min(last);
        if let Some(x) = end {
            if x >= limit {
                end = None;
            }
        }
        if end.is_none() && limit <= span.end {
            end = Some(limit);
        }
        let hc = HomeCare {
            start: d,
            end,
            weekly_hours: rng.lognormal(if from_hospital { 8.0 } else { 5.0 }, 0.6).clamp(1.0, 60.0),
            growth: if !reab && rng.chance(0.4) { 1.1 + 0.2 * rng.f64() } else { 1.0 },
            service: if rng.chance(0.85) { 2 } else { 1 },
            provider: provider(rng),
            reablement: if reab {
                1
            } else if rng.chance(0.05) {
                9
            } else {
                0
            },
            multistaff: if rng.chance(0.15) { 2 } else { 1 },
        };
        busy = hc.end.unwrap_or(span.end + 1);
        if rng.chance(0.55) {
            let u = rng.f64();
            let options = if u < 0.8 {
                [0, 0, 1]
            } else if u < 0.88 {
                [1, 0, 0]
            } else if u < 0.95 {
                [0, 1, 0]
            } else {
                [1, 0, 1]
            };
            sc.sds.push(Sds { start: hc.start, end: hc.end, options });
        }
        if iorn {
            sc.iorn.push((d + rng.range(0, 30) as i32, 1 + rng.below(6) as u8));
        }
        // a respite stay for some carers' relief
        if rng.chance(0.12) && !sc.ch.iter().any(|c| c.typ == 1) {
            let r = d + rng.range(60, 400) as i32;
            let re = r + rng.range(7, 27) as i32;
            if re < hc.end.unwrap_or(span.end).min(last - 1) && re <= span.end && !sc.in_care_home(r) {
                sc.ch.push(CareHome { adm: r, dis: Some(re), typ: 1, nursing: 0, home: rng.below(40) as u32, provider: 2 });
            }
        }
        // reablement followed by a continuing package
        let follow = reab && rng.chance(0.5);
        let hc_end = hc.end;
        sc.hc.push(hc);
        if follow {
            if let Some(x) = hc_end {
                if x + 1 < limit && x < span.end {
                    let e2 = if limit <= span.end { Some(limit) } else { None };
                    sc.hc.push(HomeCare {
                        start: x + 1,
                        end: e2,
                        weekly_hours: rng.lognormal(6.0, 0.5).clamp(1.0, 40.0),
                        growth: if rng.chance(0.4) { 1.1 + 0.2 * rng.f64() } else { 1.0 },
                        service: 2,
                        provider: provider(rng),
                        reablement: 0,
                        multistaff: 1,
                    });
                    busy = e2.unwrap_or(span.end + 1);
                }
            }
        }
    }
    // alarms/telecare end at death or a long-term care home move
    let stop = ch_start.unwrap_or(last).min(last);
    sc.at.retain(|a| a.start < stop);
    for a in sc.at.iter_mut() {
        if stop <= span.end {
            a.end = Some(stop);
        }
    }
    sc.ch.sort_by_key(|c| c.adm);
    sc.iorn.retain(|(d, _)| *d <= span.end && *d < last);
    sc
}
