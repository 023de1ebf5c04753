//! Turn one simulated person into rows of every output file.
use super::csv::*;
use super::date::{fy_end, fy_of, fy_start, quarter_end, quarter_start, Day};
use super::geography::{hb2018, Geography};
use super::health::{Ep, Health, Kind};
use super::hri::HriIn;
use super::person::{Person, N_LTC};
use super::social_care::SocialCare;

pub const SC_DEMOGRAPHICS: usize = 0;
pub const SC_CLIENT: usize = 1;
pub const SC_HOMECARE: usize = 2;
pub const SC_CAREHOME: usize = 3;
pub const SC_SDS: usize = 4;
pub const SC_EQUIPMENT: usize = 5;
pub const SC_IORN: usize = 6;

pub struct Ctx {
    pub seed: u64,
    pub span: super::person::Span,
    /// Requested financial years (start calendar year), ascending.
    pub years: Vec<i32>,
    pub geo: Geography,
    pub extract_date: Day,
    pub hospital_by_council: Vec<String>,
}

pub struct ChunkOut {
    pub bufs: Vec<Vec<u8>>,
    pub rows: Vec<u64>,
    /// HRI inputs per requested year, in individual-file row order.
    pub hri: Vec<Vec<HriIn>>,
}

impl ChunkOut {
    pub fn new(nyears: usize) -> ChunkOut {
        let n = 2 * nyears + 7;
        ChunkOut { bufs: vec![Vec::new(); n], rows: vec![0; n], hri: vec![Vec::new(); nyears] }
    }
}

/// The file-year in which an episode appears (None = it appears in every year it overlaps).
fn file_year(ep: &Ep) -> Option<i32> {
    if ep.kind.inpatient() || ep.kind == Kind::Dd {
        ep.end.map(fy_of)
    } else {
        Some(fy_of(ep.start))
    }
}

fn in_year(ep: &Ep, fy: i32) -> bool {
    match file_year(ep) {
        Some(y) => y == fy,
        None => ep.start <= fy_end(fy),
    }
}

/// Nights inside the FY (admission counted, discharge not); DD counts its last day, not its first.
fn yearstay(ep: &Ep, fy: i32) -> i64 {
    let (fs, fe) = (fy_start(fy), fy_end(fy));
    if ep.kind == Kind::Dd {
        let e = ep.end.unwrap_or(fe).min(fe);
        return (e - ep.start.max(fs - 1)).max(0) as i64;
    }
    if ep.ipdc == b'D' {
        return 0;
    }
    let e = ep.end.unwrap_or(fe + 1).min(fe + 1);
    (e - ep.start.max(fs)).max(0) as i64
}

fn pattype_label(c: u8) -> &'static str {
    match c {
        0 => "Non-Elective",
        1 => "Elective",
        2 => "Maternity",
        _ => "Other",
    }
}

pub fn social_care_id(seed: u64, idx: u64) -> String {
    // a bijection on 0..10^9 (odd multiplier not divisible by 5), so ids never collide
    let m: u64 = 387_420_489;
    let off = seed.wrapping_mul(2_654_435_761) % 1_000_000_000;
    format!("{:09}", (idx.wrapping_mul(m) % 1_000_000_000 + off) % 1_000_000_000)
}

#[derive(Default)]
struct Acc {
    acute_eps: i64,
    acute: i64,
    acute_beddays: i64,
    mat: i64,
    gls: i64,
    gls_beddays: i64,
    mh: i64,
    mh_beddays: i64,
    op_att: i64,
    op_cost: i64,
    op_dna: i64,
    ae: i64,
    ae_n: i64,
    pis: i64,
    pis_items: i64,
    ooh: i64,
    ooh_n: i64,
    dd9_n: i64,
    dd9: i64,
    dd_n: i64,
    dd: i64,
}

pub fn write_person(ctx: &Ctx, p: &Person, h: &Health, sc: &SocialCare, out: &mut ChunkOut) {
    let ny = ctx.years.len();
    let dz = p.dz.map(|d| &ctx.geo.datazones[d]);
    let council = p.dz.map(|d| ctx.geo.council(d));
    // person-level segments
    let mut geo_seg = Vec::with_capacity(160);
    match (dz, council) {
        (Some(d), Some(c)) => {
            s(&mut geo_seg, &c.lca);
            s(&mut geo_seg, &d.locality);
            s(&mut geo_seg, &d.code);
            s(&mut geo_seg, &c.hb2019);
            s(&mut geo_seg, &c.hscp2019);
            s(&mut geo_seg, &c.ca2019);
            for v in [d.rank as i64, d.sc_decile as i64, d.sc_quintile as i64, d.hb_decile as i64, d.hb_quintile as i64] {
                int(&mut geo_seg, v);
            }
            for v in [d.hscp_decile as i64, d.hscp_quintile as i64, d.ur8 as i64, d.ur2() as i64] {
                int(&mut geo_seg, v);
            }
        }
        _ => nulls(&mut geo_seg, 15),
    }
    let hbres = council.map(|c| hb2018(&c.hb2019)).unwrap_or("");
    let (hbtreat, location) = match council {
        Some(c) => (c.hb2019.as_str(), ctx.hospital_by_council[p.dz.map(|d| ctx.geo.datazones[d].council).unwrap_or(0)].as_str()),
        None => ("S08000031", ctx.hospital_by_council[16].as_str()),
    };
    let resident = p.gpprac != 9995; // all synthetic postcodes are Scottish or dummy
    for (yi, &fy) in ctx.years.iter().enumerate() {
        let (fs, fe) = (fy_start(fy), fy_end(fy));
        if p.dob > fe || p.death.is_some_and(|d| d < fs) {
            continue;
        }
        let year = format!("{:02}{:02}", fy % 100, (fy + 1) % 100);
        let age = p.age_at(super::date::from_ymd(fy, 9, 30)).max(0) as i64;
        let death = p.death.filter(|d| *d <= fe);
        let eps: Vec<&Ep> = h.eps.iter().filter(|e| in_year(e, fy)).collect();
        let after_death = death.is_some_and(|d| {
            eps.iter().any(|e| !matches!(e.kind, Kind::Pis | Kind::Nrs) && e.start > d)
        });
        let mut demo = Vec::with_capacity(120);
        s(&mut demo, &p.anon_chi);
        int(&mut demo, p.sex as i64);
        date(&mut demo, p.dob);
        int(&mut demo, age);
        int(&mut demo, death.is_some() as i64);
        opt_date(&mut demo, death);
        int(&mut demo, after_death as i64);
        int(&mut demo, p.gpprac as i64);
        s(&mut demo, &p.postcode);
        s(&mut demo, hbres);
        let mut ltc_seg = Vec::with_capacity(N_LTC * 3);
        for d in p.ltc.iter() {
            opt_date(&mut ltc_seg, *d);
        }
        for d in p.ltc.iter() {
            int(&mut ltc_seg, d.is_some_and(|x| x <= fe) as i64);
        }
        // CIJ markers: stays present in this year's file, in order of admission
        let mut stay_ids: Vec<usize> = eps.iter().filter_map(|e| e.stay).collect();
        stay_ids.sort_by_key(|&i| (h.stays[i].start, i));
        stay_ids.dedup();
        let marker = |si: usize| stay_ids.iter().position(|&x| x == si).map(|m| m as i64 + 1);
        let mut acc = Acc::default();
        let buf = &mut out.bufs[yi];
        let mut nrows = 0u64;
        let mut sorted = eps.clone();
        sorted.sort_by_key(|e| (e.start, e.time1.unwrap_or(0), e.end.unwrap_or(i32::MAX), e.kind == Kind::Dd));
        for e in &sorted {
            s(buf, &year);
            s(buf, e.kind.recid());
            date(buf, e.start);
            opt_date(buf, e.end);
            opt_time(buf, e.time1);
            opt_time(buf, e.time2);
            s(buf, e.smrtype);
            buf.extend_from_slice(&demo);
            let hospital = matches!(e.kind, Kind::Acute | Kind::Gls | Kind::Maternity | Kind::Mh | Kind::Op | Kind::Ae | Kind::Dd);
            if hospital {
                s(buf, location);
                s(buf, hbtreat);
            } else {
                nulls(buf, 2);
            }
            buf.extend_from_slice(&geo_seg);
            if e.ipdc != 0 {
                s(buf, if e.ipdc == b'D' { "D" } else { "I" });
            } else {
                null(buf);
            }
            opt_s(buf, e.spec);
            match e.stay {
                Some(si) => {
                    let st = &h.stays[si];
                    opt_int(buf, marker(si));
                    date(buf, st.start);
                    opt_date(buf, st.end);
                    int(buf, st.pattype_code as i64);
                    s(buf, if st.ipdc == b'D' { "D" } else { "I" });
                    s(buf, st.admtype);
                    s(buf, st.adm_spec);
                    s(buf, st.dis_spec);
                    s(buf, pattype_label(st.pattype_code));
                    int(buf, st.ppa as i64);
                    s(buf, if st.delay { "true" } else { "false" });
                }
                None => nulls(buf, 11),
            }
            for d in e.diag {
                opt_s(buf, d);
            }
            nulls(buf, 2);
            buf.extend_from_slice(&ltc_seg);
            opt_int(buf, if e.attendance != 0 { Some(e.attendance as i64) } else { None });
            let ys = yearstay(e, fy);
            let interval = e.kind.inpatient() || e.kind == Kind::Dd;
            if interval {
                let end = e.end.unwrap_or(fe + 1).min(if e.end.is_none() { fe + 1 } else { i32::MAX });
                int(buf, (end - e.start) as i64);
            } else {
                null(buf);
            }
            opt_s(buf, e.mpat);
            opt_s(buf, e.tadm);
            opt_s(buf, e.disch);
            opt_s(buf, e.dischto);
            opt_int(buf, if e.kind == Kind::Pis { Some(e.items as i64) } else { None });
            if interval {
                int(buf, ys);
            } else {
                null(buf);
            }
            let charged = if e.kind.inpatient() {
                let fixed = if e.end.is_some() || e.start >= fs { e.fixed_pence } else { 0 };
                Some(fixed + e.daily_pence * ys)
            } else if matches!(e.kind, Kind::Dd | Kind::Nrs) {
                None
            } else {
                Some(e.fixed_pence)
            };
            // costs are whole multiples of 25p: exact in binary floating point, so any reader's
            // sums (and so its HRI order, ties included) match ours exactly
            let charged = charged.map(|c| (c + 12).div_euclid(25) * 25);
            let net = charged.map(|c| if e.dna { 0 } else { c });
            match net {
                Some(c) => hundredths(buf, c),
                None => null(buf),
            }
            match charged {
                Some(c) => hundredths(buf, c),
                None => null(buf),
            }
            match e.dd {
                Some(dd) => {
                    s(buf, council.map(|c| c.ca2019.as_str()).unwrap_or(""));
                    int(buf, dd.end_reason as i64);
                    s(buf, dd.primary);
                    opt_s(buf, dd.secondary);
                    s(buf, "1");
                }
                None => nulls(buf, 5),
            }
            match e.ae {
                Some((arr, cat, _)) => {
                    s(buf, arr);
                    s(buf, e.refsource);
                    s(buf, cat);
                }
                None => {
                    null(buf);
                    opt_s(buf, e.refsource);
                    null(buf);
                }
            }
            if e.kind == Kind::Ooh {
                s(buf, &format!("{:016X}", e.ooh_case));
            } else {
                null(buf);
            }
            end_row(buf);
            nrows += 1;
            // individual-file accumulators
            let c = net.unwrap_or(0);
            match e.kind {
                Kind::Acute => {
                    acc.acute_eps += 1;
                    acc.acute += c;
                    if e.ipdc == b'I' {
                        acc.acute_beddays += ys;
                    }
                }
                Kind::Gls => {
                    acc.gls += c;
                    acc.gls_beddays += ys;
                }
                Kind::Maternity => acc.mat += c,
                Kind::Mh => {
                    acc.mh += c;
                    acc.mh_beddays += ys;
                }
                Kind::Op => {
                    if e.dna {
                        acc.op_dna += 1;
                    } else {
                        acc.op_att += 1;
                        acc.op_cost += c;
                    }
                }
                Kind::Ae => {
                    acc.ae += c;
                    acc.ae_n += 1;
                }
                Kind::Pis => {
                    acc.pis += c;
                    acc.pis_items += e.items as i64;
                }
                Kind::Ooh => {
                    acc.ooh += c;
                    acc.ooh_n += 1;
                }
                Kind::Dd => {
                    if e.dd.is_some_and(|d| d.code9) {
                        acc.dd9_n += 1;
                        acc.dd9 += ys;
                    } else {
                        acc.dd_n += 1;
                        acc.dd += ys;
                    }
                }
                Kind::Nrs => {}
            }
        }
        let nsu = sorted.is_empty();
        if nsu {
            s(buf, &year);
            s(buf, "NSU");
            nulls(buf, 4);
            s(buf, "Non-User");
            buf.extend_from_slice(&demo);
            nulls(buf, 2);
            buf.extend_from_slice(&geo_seg);
            nulls(buf, 2 + 11 + 6);
            buf.extend_from_slice(&ltc_seg);
            nulls(buf, 19);
            end_row(buf);
            nrows += 1;
        }
        out.rows[yi] += nrows;
        // individual file row
        let health = acc.acute + acc.mat + acc.mh + acc.gls + acc.op_cost + acc.ae + acc.pis + acc.ooh;
        let stays: Vec<&super::health::Stay> = stay_ids.iter().map(|&i| &h.stays[i]).collect();
        let b = &mut out.bufs[ny + yi];
        s(b, &p.anon_chi);
        int(b, p.sex as i64);
        s(b, &p.postcode);
        date(b, p.dob);
        int(b, p.gpprac as i64);
        s(b, &year);
        int(b, age);
        opt_date(b, death);
        int(b, death.is_some() as i64);
        int(b, 1);
        int(b, stays.len() as i64);
        int(b, stays.iter().filter(|x| x.pattype_code == 1).count() as i64);
        int(b, stays.iter().filter(|x| x.pattype_code == 0).count() as i64);
        int(b, stays.iter().filter(|x| x.delay).count() as i64);
        int(b, stays.iter().filter(|x| x.ppa).count() as i64);
        hundredths(b, health);
        int(b, acc.acute_eps);
        hundredths(b, acc.acute);
        int(b, acc.acute_beddays);
        hundredths(b, acc.mat);
        hundredths(b, acc.gls);
        int(b, acc.gls_beddays);
        int(b, acc.op_att);
        hundredths(b, acc.op_cost);
        int(b, acc.op_dna);
        hundredths(b, acc.ae);
        int(b, acc.ae_n);
        hundredths(b, acc.pis);
        int(b, acc.pis_items);
        int(b, acc.dd_n);
        int(b, acc.dd);
        int(b, acc.dd9_n);
        int(b, acc.dd9);
        hundredths(b, acc.mh);
        int(b, acc.mh_beddays);
        int(b, acc.ooh_n);
        hundredths(b, acc.ooh);
        int(b, nsu as i64);
        b.extend_from_slice(&ltc_seg);
        // lca, locality, datazone2011, hb2019, hbrescode, hscp2019, ca2019, simd.., ur..
        match (dz, council) {
            (Some(d), Some(c)) => {
                s(b, &c.lca);
                s(b, &d.locality);
                s(b, &d.code);
                s(b, &c.hb2019);
                s(b, hbres);
                s(b, &c.hscp2019);
                s(b, &c.ca2019);
                for v in [d.rank as i64, d.sc_decile as i64, d.sc_quintile as i64, d.hb_decile as i64, d.hb_quintile as i64] {
                    int(b, v);
                }
                for v in [d.hscp_decile as i64, d.hscp_quintile as i64, d.ur8 as i64, d.ur2() as i64] {
                    int(b, v);
                }
            }
            _ => nulls(b, 16),
        }
        end_row(b);
        out.rows[ny + yi] += 1;
        let mut anon = [0u8; 16];
        anon.copy_from_slice(&p.anon_chi.as_bytes()[..16]);
        out.hri[yi].push(HriIn {
            cost: health,
            anon,
            hb: p.dz.map(|d| board_index(&ctx.geo.council(d).hb2019)).unwrap_or(255),
            lca: p.dz.map(|d| ctx.geo.datazones[d].council as u8).unwrap_or(255),
            resident,
        });
    }
    write_social_care(ctx, p, sc, out);
}

fn board_index(hb: &str) -> u8 {
    crate::model::geography::boards().iter().position(|b| b.hb2019 == hb).unwrap_or(254) as u8
}

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

fn write_social_care(ctx: &Ctx, p: &Person, sc: &SocialCare, out: &mut ChunkOut) {
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
