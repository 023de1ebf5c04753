//! Rows of the SC2 social care extracts for one person, and the per-year social care counts
//! the individual file carries (SDS options, alarms/telecare).
use super::csv::*;
use super::date::{fy_end, fy_of, fy_start, quarter_end, quarter_start, Day};
use super::person::Person;
use super::chunk::{social_care_id, ChunkOut, Ctx, SC_CAREHOME, SC_CLIENT, SC_DEMOGRAPHICS, SC_EQUIPMENT, SC_HOMECARE, SC_IORN, SC_SDS};
use super::social_care::SocialCare;

fn period(fy: i32, q: u32) -> String {
    format!("{fy}Q{q}")
}

fn overlaps(a0: Day, a1: Option<Day>, b0: Day, b1: Day) -> bool {
    a0 <= b1 && a1.is_none_or(|e| e >= b0)
}

const CH_NAMES: [&str; 20] = [
    "Abbeyfield", "Ashgrove", "Beechwood", "Birchwood", "Cedar Lodge", "Elmwood", "Fernlea", "Glenview", "Hawthorn",
    "Larchfield", "Meadowbank", "Oakdene", "Rowan", "Summerhill", "Thistle", "Willowbank", "Heatherbank", "Braeside",
    "Craigard", "Riverside",
];
const PROVIDER_DESC: [&str; 6] =
    ["", "Local Authority/HSCP/NHS Board", "Private", "Other Local Authority", "Third Sector", "Other"];

pub fn write_social_care(ctx: &Ctx, p: &Person, sc: &SocialCare, out: &mut ChunkOut) {
    if !sc.any() {
        return;
    }
    let Some(dz) = p.dz else { return };
    let ny = ctx.years.len();
    let c = ctx.geo.council(dz);
    let sl = c.sending_location.as_str();
    let id = social_care_id(ctx.seed, p.idx);
    let base = 2 * ny;
    let quarters: Vec<(i32, u32)> = ctx.years.iter().flat_map(|&fy| (1..=4).map(move |q| (fy, q))).collect();
    let alive_in = |s: Day, e: Day| p.dob <= e && p.death.is_none_or(|d| d >= s);
    // home care
    for hc in &sc.hc {
        for &(fy, q) in &quarters {
            let (qs, qe) = (quarter_start(fy, q), quarter_end(fy, q));
            if !overlaps(hc.start, hc.end, qs, qe) || !alive_in(qs, qe) {
                continue;
            }
            let a = hc.start.max(qs);
            let e = hc.end.unwrap_or(qe).min(qe);
            let hours = (hc.hours_per_week_on(a) * (e - a + 1) as f64 / 7.0 * 100.0).round() as i64;
            let b = &mut out.bufs[base + SC_HOMECARE];
            s(b, sl);
            s(b, &c.name);
            s(b, &id);
            s(b, &period(fy, q));
            int(b, fy as i64);
            int(b, q as i64);
            date(b, hc.start);
            opt_date(b, hc.end);
            date(b, qs);
            date(b, qe);
            int(b, hc.service as i64);
            int(b, hc.provider as i64);
            int(b, hc.reablement as i64);
            hundredths(b, hours);
            hundredths(b, hours * hc.multistaff as i64);
            int(b, hc.multistaff as i64);
            end_row(b);
            out.rows[base + SC_HOMECARE] += 1;
        }
    }
    // care homes
    for ch in &sc.ch {
        let cd = ctx.geo.council_dz[ctx.geo.datazones[dz].council];
        let home_dz = cd.0 + (ch.home as usize * 7919) % (cd.1 - cd.0).max(1);
        let name = format!("{} Care Home", CH_NAMES[(ch.home as usize + dz / 7) % CH_NAMES.len()]);
        for &(fy, q) in &quarters {
            let (qs, qe) = (quarter_start(fy, q), quarter_end(fy, q));
            if !overlaps(ch.adm, ch.dis, qs, qe) {
                continue;
            }
            let b = &mut out.bufs[base + SC_CAREHOME];
            s(b, sl);
            s(b, &id);
            s(b, &period(fy, q));
            date(b, qs);
            date(b, qe);
            s(b, &name);
            s(b, &ctx.geo.datazones[home_dz].postcodes[0]);
            int(b, ch.provider as i64);
            s(b, PROVIDER_DESC[ch.provider as usize]);
            int(b, ch.typ as i64);
            int(b, ch.nursing as i64);
            date(b, ch.adm);
            opt_date(b, ch.dis);
            int(b, p.age_at(ch.adm.max(qs)) as i64);
            end_row(b);
            out.rows[base + SC_CAREHOME] += 1;
        }
    }
    for sd in &sc.sds {
        for &(fy, q) in &quarters {
            let (qs, qe) = (quarter_start(fy, q), quarter_end(fy, q));
            if !overlaps(sd.start, sd.end, qs, qe) || !alive_in(qs, qe) {
                continue;
            }
            let b = &mut out.bufs[base + SC_SDS];
            s(b, sl);
            s(b, &id);
            s(b, &period(fy, q));
            date(b, qs);
            date(b, qe);
            date(b, sd.start);
            opt_date(b, sd.end);
            for o in sd.options {
                int(b, o as i64);
            }
            end_row(b);
            out.rows[base + SC_SDS] += 1;
        }
    }
    for at in &sc.at {
        for &(fy, q) in &quarters {
            let (qs, qe) = (quarter_start(fy, q), quarter_end(fy, q));
            if !overlaps(at.start, at.end, qs, qe) || !alive_in(qs, qe) {
                continue;
            }
            let b = &mut out.bufs[base + SC_EQUIPMENT];
            s(b, sl);
            s(b, &id);
            s(b, &period(fy, q));
            date(b, qs);
            date(b, qe);
            int(b, at.typ as i64);
            date(b, at.start);
            opt_date(b, at.end);
            end_row(b);
            out.rows[base + SC_EQUIPMENT] += 1;
        }
    }
    for &(d, g) in &sc.iorn {
        let fy = fy_of(d);
        if !ctx.years.contains(&fy) {
            continue;
        }
        let q = quarters.iter().find(|(y, q)| *y == fy && quarter_start(*y, *q) <= d && d <= quarter_end(*y, *q));
        let Some(&(_, q)) = q else { continue };
        let b = &mut out.bufs[base + SC_IORN];
        s(b, sl);
        s(b, &id);
        s(b, &period(fy, q));
        date(b, d);
        s(b, ["A", "B", "C", "D", "E", "F", "G", "H", "I"][(g as usize).min(8)]);
        end_row(b);
        out.rows[base + SC_IORN] += 1;
    }
    // client characteristics per financial year with any service
    for &fy in &ctx.years {
        let (fs, fe) = (fy_start(fy), fy_end(fy));
        let active = sc.hc.iter().any(|x| overlaps(x.start, x.end, fs, fe))
            || sc.ch.iter().any(|x| overlaps(x.adm, x.dis, fs, fe))
            || sc.sds.iter().any(|x| overlaps(x.start, x.end, fs, fe))
            || sc.at.iter().any(|x| overlaps(x.start, x.end, fs, fe));
        if !active || !alive_in(fs, fe) {
            continue;
        }
        let age = p.age_at(fs);
        let in_ch = sc.ch.iter().any(|x| x.typ == 3 && overlaps(x.adm, x.dis, fs, fe));
        let h = (p.idx.wrapping_mul(0x9E37_79B9) ^ fy as u64) % 100;
        let b = &mut out.bufs[base + SC_CLIENT];
        s(b, sl);
        s(b, &id);
        int(b, fy as i64);
        let palliative = p.death.is_some_and(|d| d <= fe + 90);
        let flags = [
            p.has_ltc(super::person::DEMENTIA, fe),
            h < 8,
            sc.learning_disability,
            age >= 65 && h % 3 == 0,
            h == 50,
            h == 51 || h == 52,
            palliative,
            false,
            age >= 75 && h < 70,
            p.has_ltc(13, fe) || p.has_ltc(super::person::MS, fe),
            sc.learning_disability && h < 20,
            h == 99,
        ];
        for f in flags {
            int(b, f as i64);
        }
        int(b, sc.living_alone as i64);
        int(b, sc.unpaid_carer as i64);
        int(b, (h < 60) as i64);
        int(b, (h % 20 == 1) as i64);
        int(b, (h % 12 == 2) as i64);
        int(b, if in_ch { 3 } else if h % 25 == 3 { 2 } else { 1 });
        end_row(b);
        out.rows[base + SC_CLIENT] += 1;
    }
    // demographics: one (latest) record per client
    let last_fy = *ctx.years.last().unwrap_or(&ctx.span.last_fy);
    let (pfy, pq) = match p.death.filter(|d| *d <= fy_end(last_fy)) {
        Some(d) => {
            let fy = fy_of(d);
            let q = (1..=4).find(|&q| d <= quarter_end(fy, q)).unwrap_or(4);
            (fy, q)
        }
        None => (last_fy, 4),
    };
    let b = &mut out.bufs[base + SC_DEMOGRAPHICS];
    s(b, sl);
    s(b, &c.name);
    s(b, &id);
    s(b, &p.chi);
    date(b, p.dob);
    opt_date(b, p.death.filter(|d| *d <= ctx.span.end));
    s(b, &p.postcode);
    s(b, if p.idx % 17 == 0 { "" } else { p.postcode.as_str() });
    int(b, p.sex as i64);
    s(b, &period(pfy, pq));
    int(b, 1);
    date(b, ctx.extract_date);
    end_row(b);
    out.rows[base + SC_DEMOGRAPHICS] += 1;
}

/// Social care counts of one person-year for the individual file, from the same packages and
/// quarters as the SC2 rows: `sds_option_1..3` count the packages that include each option,
/// `sds_option_4` the packages with more than one option (`R/process_sc_all_sds.R` L60-76:
/// each option received becomes an SDS-n episode, plus SDS-4 for a mix; the individual file
/// counts the SDS-n episodes, `R/create_individual_file.R` `add_sds_columns`); `at_alarms` /
/// `at_telecare` count AT-Alarm / AT-Tele packages (`add_at_columns`).
#[derive(Debug, Default, Clone)]
pub struct ScYear {
    pub sds: [i64; 4],
    pub alarms: i64,
    pub telecare: i64,
    /// The latest quarter with any SC2 row for this person in the year (`sc_latest_submission`).
    pub latest: Option<String>,
}

pub fn year_counts(p: &Person, sc: &SocialCare, fy: i32) -> Option<ScYear> {
    if !sc.any() || p.dz.is_none() {
        return None;
    }
    let alive_in = |s: Day, e: Day| p.dob <= e && p.death.is_none_or(|d| d >= s);
    let written = |start: Day, end: Option<Day>| -> Option<u32> {
        (1..=4u32).rev().find(|&q| {
            let (qs, qe) = (quarter_start(fy, q), quarter_end(fy, q));
            overlaps(start, end, qs, qe) && alive_in(qs, qe)
        })
    };
    let mut y = ScYear::default();
    let mut latest: Option<u32> = None;
    for sd in &sc.sds {
        if let Some(q) = written(sd.start, sd.end) {
            for (k, &o) in sd.options.iter().enumerate() {
                y.sds[k] += (o == 1) as i64;
            }
            y.sds[3] += (sd.options.iter().filter(|&&o| o == 1).count() > 1) as i64;
            latest = latest.max(Some(q));
        }
    }
    for at in &sc.at {
        if let Some(q) = written(at.start, at.end) {
            if at.typ == 1 {
                y.alarms += 1;
            } else {
                y.telecare += 1;
            }
            latest = latest.max(Some(q));
        }
    }
    for hc in &sc.hc {
        if let Some(q) = written(hc.start, hc.end) {
            latest = latest.max(Some(q));
        }
    }
    for ch in &sc.ch {
        if let Some(q) = (1..=4u32).rev().find(|&q| overlaps(ch.adm, ch.dis, quarter_start(fy, q), quarter_end(fy, q))) {
            latest = latest.max(Some(q));
        }
    }
    y.latest = latest.map(|q| period(fy, q));
    Some(y)
}
