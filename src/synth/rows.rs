//! Turn one simulated person into rows of the SLF episode and individual files (the SC2 rows
//! are in `sc_rows`). Every row is written in the core layout first; in the full layout it is
//! then placed in the published column order with the full-only values (`full.rs`).
use super::chunk::{social_care_id, ChunkOut, Ctx, FullCtx};
use super::csv::*;
use super::date::{fy_end, fy_of, fy_start};
use super::full::{self, Extras};
use super::geography::hb2018;
use super::health::{Ep, Health, Kind};
use super::hri::HriIn;
use super::person::{Person, N_LTC};
use super::rng::{derive, Rng};
use super::sc_rows::{self, ScYear};
use super::social_care::SocialCare;
use super::vintages;

/// The file-year in which an episode appears (None = it appears in every year it overlaps).
fn file_year(ep: &Ep) -> Option<i32> {
    if ep.kind.inpatient() || ep.kind == Kind::Dd {
        ep.end.map(fy_of)
    } else {
        Some(fy_of(ep.start))
    }
}

/// Core layout: one file per episode (the year of discharge). Full layout: like a real SLF,
/// an inpatient or delayed-discharge episode is in every FY file it overlaps
/// (`R/is_date_in_fyyear.R`; DD: `R/process_extract_delayed_discharges.R` L80-90), each with
/// that year's yearstay and cost.
fn in_year(ep: &Ep, fy: i32, full: bool) -> bool {
    if full && (ep.kind.inpatient() || ep.kind == Kind::Dd) {
        return ep.start <= fy_end(fy) && ep.end.is_none_or(|e| e >= fy_start(fy));
    }
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


/// One episode's figures in one file-year.
struct Fig {
    ys: i64,
    /// Inpatient or DD: has a length of stay and yearstay.
    interval: bool,
    net: Option<i64>,
    charged: Option<i64>,
    /// Full layout: nights and net cost by calendar month.
    nights: [i64; 13],
    month_cost: [i64; 13],
}

fn figures(e: &Ep, fy: i32, full: bool) -> Fig {
    let (fs, fe) = (fy_start(fy), fy_end(fy));
    let ys = yearstay(e, fy);
    let interval = e.kind.inpatient() || e.kind == Kind::Dd;
    let mut nights = [0i64; 13];
    let mut month_cost = [0i64; 13];
    let charged = if !full {
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
        charged.map(full::round25)
    } else if e.kind.inpatient() {
        // each year's file carries the nights (and their cost) inside that year; the fixed
        // part of the cost belongs to the month of admission
        if e.ipdc != b'D' {
            nights = full::monthly_nights(fy, e.start, e.end.unwrap_or(fe + 1));
        }
        for (m, n) in nights.iter().enumerate().skip(1) {
            month_cost[m] = e.daily_pence * n;
        }
        if e.start >= fs {
            month_cost[full::month_of(e.start) as usize] += e.fixed_pence;
        }
        for c in month_cost.iter_mut() {
            *c = full::round25(*c);
        }
        Some(month_cost.iter().sum())
    } else if e.kind == Kind::Dd {
        nights = full::monthly_nights(fy, e.start + 1, e.end.unwrap_or(fe) + 1);
        None
    } else if e.kind == Kind::Nrs {
        None
    } else {
        let c = full::round25(e.fixed_pence);
        month_cost[full::month_of(e.start) as usize] = c;
        Some(c)
    };
    let net = charged.map(|c| if e.dna { 0 } else { c });
    if e.dna {
        month_cost = [0; 13];
    }
    Fig { ys, interval, net, charged, nights, month_cost }
}

/// Person-year facts of the full layout that PHS adds from other sources.
struct PyFacts {
    demographic_cohort: &'static str,
    service_use_cohort: &'static str,
    /// SPARRA / HHG scores at the start and end of the FY (None: not in the cohort, under 16).
    sparra: Option<(i64, i64)>,
    hhg: Option<(i64, i64)>,
}

/// Simplified from PHS's cohort lookups (`R/create_demographic_lookup.R`,
/// `R/create_service_use_lookup.R`): the demographic cohort by the first rule that applies
/// (end of life, frailty, high complex conditions, maternity/newborn, mental health, substance
/// misuse, medium/low complex conditions, major conditions, healthy and low user); the
/// service-use cohort is the service group with the highest cost. SPARRA/HHG are synthetic
/// risk scores (0-100) rising with age, conditions, frailty and emergency admissions.
fn person_year_facts(p: &Person, fy: i32, eps: &[&Ep], figs: &[Fig], stays: &[&super::health::Stay]) -> PyFacts {
    let (fs, fe) = (fy_start(fy), fy_end(fy));
    let age = p.age_at(super::date::from_ymd(fy, 9, 30)).max(0);
    let ltc_start = p.ltc_count_at(fs) as i64;
    let ltc_end = p.ltc_count_at(fe) as i64;
    let has = |k: Kind| eps.iter().any(|e| e.kind == k);
    let substance = eps.iter().any(|e| diag_any(e, &["F1"]));
    let emergencies = stays.iter().filter(|s| s.pattype_code == 0).count() as i64;
    let dies = p.death.is_some_and(|d| d >= fs && d <= fe);
    let demographic_cohort = if dies {
        "End of Life"
    } else if age >= 65 && (p.has_ltc(super::person::DEMENTIA, fe) || has(Kind::Gls) || p.frailty > 2.5) {
        "Frailty"
    } else if ltc_end >= 4 {
        "High Complex Conditions"
    } else if has(Kind::Maternity) || age == 0 {
        "Maternity and Healthy Newborns"
    } else if has(Kind::Mh) {
        "Mental Health"
    } else if substance {
        "Substance Misuse"
    } else if ltc_end >= 2 {
        "Medium Complex Conditions"
    } else if ltc_end == 1 {
        "Low Complex Conditions"
    } else if emergencies > 0 {
        if age < 18 {
            "Child Major Conditions"
        } else {
            "Adult Major Conditions"
        }
    } else {
        "Healthy and Low User"
    };
    let mut cost = [0i64; 9];
    const GROUPS: [&str; 9] = [
        "Psychiatry", "Maternity", "Geriatric", "Elective Inpatient", "Routine Daycase", "Single Emergency",
        "Prescribing", "Outpatients", "Unscheduled Care",
    ];
    for (e, f) in eps.iter().zip(figs) {
        let c = f.net.unwrap_or(0);
        let g = match e.kind {
            Kind::Mh => 0,
            Kind::Maternity => 1,
            Kind::Gls => 2,
            Kind::Acute if e.ipdc == b'D' => 4,
            Kind::Acute => match e.stay.map(|_| e.tadm) {
                Some(t) if t.starts_with('1') => 3,
                _ => 5,
            },
            Kind::Pis => 6,
            Kind::Op => 7,
            Kind::Ae | Kind::Ooh => 8,
            _ => continue,
        };
        cost[g] += c;
    }
    let best = (0..9).max_by_key(|&g| (cost[g], std::cmp::Reverse(g))).filter(|&g| cost[g] > 0);
    let service_use_cohort = match best {
        None => "Unassigned",
        Some(5) if emergencies > 1 => "Multiple Emergency",
        Some(g) => GROUPS[g],
    };
    let score = |ltc: i64, em: i64, a: i32| {
        let r = (0.01 + 0.02 * ltc as f64 + 0.2 * em as f64 + 0.004 * (a - 40).max(0) as f64) * p.frailty.sqrt();
        ((100.0 * (1.0 - (-r).exp())).round() as i64).clamp(1, 99)
    };
    let sparra = (age >= 16).then(|| (score(ltc_start, 0, age), score(ltc_end, emergencies, age + 1)));
    let hhg = sparra.map(|(a, b)| ((a * 3 + 2) / 5, (b * 3 + 2) / 5));
    PyFacts { demographic_cohort, service_use_cohort, sparra, hhg }
}

/// Does any of the episode's diagnoses start with one of the prefixes?
fn diag_any(e: &Ep, prefixes: &[&str]) -> bool {
    e.diag.iter().any(|d| !d.is_empty() && prefixes.iter().any(|p| d.starts_with(p)))
}

#[allow(clippy::too_many_arguments)]
fn write_core_episode(
    line: &mut Vec<u8>,
    year: &str,
    e: &Ep,
    f: &Fig,
    demo: &[u8],
    geo_seg: &[u8],
    ltc_seg: &[u8],
    hospital: (&str, &str),
    stay: Option<(&super::health::Stay, Option<i64>)>,
    dd_lca: &str,
    fy: i32,
) {
    let fe = fy_end(fy);
    s(line, year);
    s(line, e.kind.recid());
    date(line, e.start);
    opt_date(line, e.end);
    opt_time(line, e.time1);
    opt_time(line, e.time2);
    s(line, e.smrtype);
    line.extend_from_slice(demo);
    let at_hospital = matches!(e.kind, Kind::Acute | Kind::Gls | Kind::Maternity | Kind::Mh | Kind::Op | Kind::Ae | Kind::Dd);
    if at_hospital {
        s(line, hospital.0);
        s(line, hospital.1);
    } else {
        nulls(line, 2);
    }
    line.extend_from_slice(geo_seg);
    if e.ipdc != 0 {
        s(line, if e.ipdc == b'D' { "D" } else { "I" });
    } else {
        null(line);
    }
    opt_s(line, e.spec);
    match stay {
        Some((st, marker)) => {
            opt_int(line, marker);
            date(line, st.start);
            opt_date(line, st.end);
            int(line, st.pattype_code as i64);
            s(line, if st.ipdc == b'D' { "D" } else { "I" });
            s(line, st.admtype);
            s(line, st.adm_spec);
            s(line, st.dis_spec);
            s(line, pattype_label(st.pattype_code));
            int(line, st.ppa as i64);
            s(line, if st.delay { "true" } else { "false" });
        }
        None => nulls(line, 11),
    }
    for d in e.diag {
        opt_s(line, d);
    }
    nulls(line, 2);
    line.extend_from_slice(ltc_seg);
    opt_int(line, if e.attendance != 0 { Some(e.attendance as i64) } else { None });
    if f.interval {
        let end = e.end.unwrap_or(fe + 1).min(if e.end.is_none() { fe + 1 } else { i32::MAX });
        int(line, (end - e.start) as i64);
    } else {
        null(line);
    }
    opt_s(line, e.mpat);
    opt_s(line, e.tadm);
    opt_s(line, e.disch);
    opt_s(line, e.dischto);
    opt_int(line, if e.kind == Kind::Pis { Some(e.items as i64) } else { None });
    if f.interval {
        int(line, f.ys);
    } else {
        null(line);
    }
    match f.net {
        Some(c) => hundredths(line, c),
        None => null(line),
    }
    match f.charged {
        Some(c) => hundredths(line, c),
        None => null(line),
    }
    match e.dd {
        Some(dd) => {
            s(line, dd_lca);
            int(line, dd.end_reason as i64);
            s(line, dd.primary);
            opt_s(line, dd.secondary);
            s(line, "1");
        }
        None => nulls(line, 5),
    }
    match e.ae {
        Some((arr, cat, _)) => {
            s(line, arr);
            s(line, e.refsource);
            s(line, cat);
        }
        None => {
            null(line);
            opt_s(line, e.refsource);
            null(line);
        }
    }
    if e.kind == Kind::Ooh {
        s(line, &format!("{:016X}", e.ooh_case));
    } else {
        null(line);
    }
    end_row(line);
}

/// Person-level values of the full layout, the same on every row of the person.
struct PersonExtras {
    hbpraccode: Option<&'static str>,
    hscp2018: Option<&'static str>,
    ca2018: Option<&'static str>,
    ur6: Option<i64>,
    ur3: Option<i64>,
    cluster: Option<String>,
}

fn person_extras(ctx: &Ctx, p: &Person) -> PersonExtras {
    let cs = crate::model::geography::councils();
    let pc = full::practice_council(p.gpprac).and_then(|ci| cs.get(ci));
    let c = p.dz.map(|d| ctx.geo.council(d));
    let d = p.dz.map(|d| &ctx.geo.datazones[d]);
    PersonExtras {
        hbpraccode: pc.map(|c| c.hb2019.as_str()),
        hscp2018: c.map(|c| vintages::hscp2018(&c.hscp2019)),
        ca2018: c.map(|c| vintages::ca2018(&c.ca2019)),
        ur6: d.map(|d| d.ur6() as i64),
        ur3: d.map(|d| d.ur3() as i64),
        cluster: pc.map(|c| full::cluster_name(p.gpprac, &c.name)),
    }
}

fn set_opt_s(x: &mut Extras, j: Option<usize>, v: Option<&str>) {
    if let Some(v) = v {
        x.s(j, v);
    }
}

fn set_opt_int(x: &mut Extras, j: Option<usize>, v: Option<i64>) {
    if let Some(v) = v {
        x.int(j, v);
    }
}

pub fn write_person(ctx: &Ctx, p: &Person, h: &Health, sc: &SocialCare, out: &mut ChunkOut) {
    let ny = ctx.years.len();
    let fctx = ctx.full.as_ref();
    let is_full = fctx.is_some();
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
    let hospital = match council {
        Some(c) => (ctx.hospital_by_council[p.dz.map(|d| ctx.geo.datazones[d].council).unwrap_or(0)].as_str(), c.hb2019.as_str()),
        None => (ctx.hospital_by_council[16].as_str(), "S08000031"),
    };
    let dd_lca = council.map(|c| c.ca2019.as_str()).unwrap_or("");
    // PHS's HRI population (`R/add_hri_variables.R` L25-47, L98)
    let resident = super::hri::scottish_resident(&p.postcode, &ctx.lookup_areas);
    let pe = fctx.map(|_| person_extras(ctx, p));
    let mut xe = fctx.map(|f| Extras::new(f.ep.cols.len()));
    let mut xi = fctx.map(|f| Extras::new(f.ind.cols.len()));
    let mut line: Vec<u8> = Vec::with_capacity(512);
    for (yi, &fy) in ctx.years.iter().enumerate() {
        let (fs, fe) = (fy_start(fy), fy_end(fy));
        if p.dob > fe || p.death.is_some_and(|d| d < fs) {
            continue;
        }
        let year = format!("{:02}{:02}", fy % 100, (fy + 1) % 100);
        let age = p.age_at(super::date::from_ymd(fy, 9, 30)).max(0) as i64;
        let death = p.death.filter(|d| *d <= fe);
        let eps: Vec<&Ep> = h.eps.iter().filter(|e| in_year(e, fy, is_full)).collect();
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
        opt_int(&mut demo, p.gpprac.map(|g| g as i64));
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
        let stays: Vec<&super::health::Stay> = stay_ids.iter().map(|&i| &h.stays[i]).collect();
        let mut sorted = eps.clone();
        sorted.sort_by_key(|e| (e.start, e.time1.unwrap_or(0), e.end.unwrap_or(i32::MAX), e.kind == Kind::Dd));
        let figs: Vec<Fig> = sorted.iter().map(|e| figures(e, fy, is_full)).collect();
        let facts = fctx.map(|_| person_year_facts(p, fy, &sorted, &figs, &stays));
        let mut acc = Acc::default();
        let mut groups = [full::GroupAcc::default(); 4];
        let mut op_dna_cost = 0i64;
        let mut ooh_by = [0i64; 3];
        let mut ooh_minutes = 0i64;
        let mut dd_markers: Vec<i64> = Vec::new();
        let mut nrows = 0u64;
        for (e, f) in sorted.iter().zip(&figs) {
            let st = e.stay.map(|si| (&h.stays[si], marker(si)));
            line.clear();
            write_core_episode(&mut line, &year, e, f, &demo, &geo_seg, &ltc_seg, hospital, st, dd_lca, fy);
            let buf = &mut out.bufs[yi];
            match (fctx, xe.as_mut(), pe.as_ref(), facts.as_ref()) {
                (Some(fc), Some(x), Some(pe), Some(facts)) => {
                    x.clear();
                    episode_extras(fc, x, pe, Some(facts), e, f, st);
                    fc.ep.assemble(&line[..line.len() - 1], x, buf);
                }
                _ => buf.extend_from_slice(&line),
            }
            nrows += 1;
            // individual-file accumulators
            let c = f.net.unwrap_or(0);
            let ys = f.ys;
            let pattype = st.map(|(s, _)| s.pattype_code);
            match e.kind {
                Kind::Acute => {
                    acc.acute_eps += 1;
                    acc.acute += c;
                    if e.ipdc == b'I' {
                        acc.acute_beddays += ys;
                    }
                    groups[0].add(e.ipdc, pattype, c, ys);
                }
                Kind::Gls => {
                    acc.gls += c;
                    acc.gls_beddays += ys;
                    groups[2].add(e.ipdc, pattype, c, ys);
                }
                Kind::Maternity => {
                    acc.mat += c;
                    groups[1].add(e.ipdc, pattype, c, ys);
                }
                Kind::Mh => {
                    acc.mh += c;
                    acc.mh_beddays += ys;
                    groups[3].add(e.ipdc, pattype, c, ys);
                }
                Kind::Op => {
                    if e.dna {
                        acc.op_dna += 1;
                        op_dna_cost += f.charged.unwrap_or(0);
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
                    match e.smrtype {
                        "OOH-HomeV" => ooh_by[0] += 1,
                        "OOH-Advice" => ooh_by[1] += 1,
                        _ => ooh_by[2] += 1,
                    }
                    if let (Some(t1), Some(t2), Some(end)) = (e.time1, e.time2, e.end) {
                        ooh_minutes += ((end - e.start) as i64 * 86_400 + t2 as i64 - t1 as i64) / 60;
                    }
                }
                Kind::Dd => {
                    if let Some(m) = st.and_then(|(_, m)| m) {
                        dd_markers.push(m);
                    }
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
            line.clear();
            s(&mut line, &year);
            s(&mut line, "NSU");
            nulls(&mut line, 4);
            s(&mut line, "Non-User");
            line.extend_from_slice(&demo);
            nulls(&mut line, 2);
            line.extend_from_slice(&geo_seg);
            nulls(&mut line, 2 + 11 + 6);
            line.extend_from_slice(&ltc_seg);
            nulls(&mut line, 19);
            end_row(&mut line);
            let buf = &mut out.bufs[yi];
            match (fctx, xe.as_mut(), pe.as_ref()) {
                (Some(fc), Some(x), Some(pe)) => {
                    x.clear();
                    person_row_extras(&fc.ep_ix, x, pe, facts.as_ref());
                    fc.ep.assemble(&line[..line.len() - 1], x, buf);
                }
                _ => buf.extend_from_slice(&line),
            }
            nrows += 1;
        }
        if let (Some(fc), Some(x), Some(pe)) = (fctx, xe.as_mut(), pe.as_ref()) {
            nrows += write_rows_without_chi(ctx, fc, x, pe, p, fy, &year, &geo_seg, hbres, hospital, &mut line, &mut out.bufs[yi]);
        }
        out.rows[yi] += nrows;
        // individual file row
        let health = acc.acute + acc.mat + acc.mh + acc.gls + acc.op_cost + acc.ae + acc.pis + acc.ooh;
        dd_markers.sort_unstable();
        dd_markers.dedup();
        line.clear();
        let b = &mut line;
        s(b, &p.anon_chi);
        int(b, p.sex as i64);
        s(b, &p.postcode);
        date(b, p.dob);
        opt_int(b, p.gpprac.map(|g| g as i64));
        s(b, &year);
        int(b, age);
        opt_date(b, death);
        int(b, death.is_some() as i64);
        int(b, 1);
        int(b, stays.len() as i64);
        int(b, stays.iter().filter(|x| x.pattype_code == 1).count() as i64);
        int(b, stays.iter().filter(|x| x.pattype_code == 0).count() as i64);
        // CIJs with a DD row in this year's file (`R/create_individual_file.R` L209-213)
        int(b, dd_markers.len() as i64);
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
        let ib = &mut out.bufs[ny + yi];
        match (fctx, xi.as_mut(), pe.as_ref(), facts.as_ref()) {
            (Some(fc), Some(x), Some(pe), Some(facts)) => {
                x.clear();
                let ix = &fc.ind_ix;
                x.s(ix.hbpraccode, pe.hbpraccode.unwrap_or(""));
                set_opt_s(x, ix.hscp2018, pe.hscp2018);
                set_opt_s(x, ix.ca2018, pe.ca2018);
                set_opt_int(x, ix.ur6_2022, pe.ur6);
                set_opt_int(x, ix.ur3_2022, pe.ur3);
                set_opt_s(x, ix.cluster, pe.cluster.as_deref());
                x.s(ix.demographic_cohort, facts.demographic_cohort);
                x.s(ix.service_use_cohort, facts.service_use_cohort);
                if let Some((a, z)) = facts.sparra {
                    x.int(ix.sparra_start_fy, a);
                    x.int(ix.sparra_end_fy, z);
                }
                if let Some((a, z)) = facts.hhg {
                    x.int(ix.hhg_start_fy, a);
                    x.int(ix.hhg_end_fy, z);
                }
                x.int(ix.keep_population, keep_population(ctx.seed, p.idx, fy, nsu));
                x.int(ix.cij_mat, stays.iter().filter(|x| x.pattype_code == 2).count() as i64);
                x.hundredths(ix.health_net_cost_inc_dnas, health + op_dna_cost);
                x.int(ix.preventable_beddays, preventable_beddays(&stays, fy));
                x.hundredths(ix.op_cost_dnas, op_dna_cost);
                for (g, gi) in groups.iter().zip(&fc.groups) {
                    g.write(gi, x);
                }
                for (j, v) in [(ix.ooh_homev, ooh_by[0]), (ix.ooh_advice, ooh_by[1]), (ix.ooh_pcc, ooh_by[2])] {
                    x.int(j, v);
                }
                for j in [ix.cmh_contacts, ix.ooh_dn, ix.ooh_nhs24, ix.ooh_other, ix.ooh_covid_advice, ix.ooh_covid_assessment, ix.ooh_covid_other, ix.dn_episodes, ix.dn_contacts, ix.hl1_in_fy] {
                    x.int(j, 0);
                }
                x.int(ix.ooh_consultation_time, ooh_minutes);
                x.hundredths(ix.dn_cost, 0);
                let scy: ScYear = sc_rows::year_counts(p, sc, fy).unwrap_or_default();
                for (j, v) in [ix.sds_option_1, ix.sds_option_2, ix.sds_option_3, ix.sds_option_4].into_iter().zip(scy.sds) {
                    x.int(j, v);
                }
                x.int(ix.at_alarms, scy.alarms);
                x.int(ix.at_telecare, scy.telecare);
                if let Some(l) = &scy.latest {
                    x.s(ix.sc_latest_submission, l);
                    x.s(ix.social_care_id, &social_care_id(ctx.seed, p.idx));
                }
                fc.ind.assemble(&line[..line.len() - 1], x, ib);
            }
            _ => ib.extend_from_slice(&line),
        }
        out.rows[ny + yi] += 1;
        let mut anon = [0u8; 16];
        anon.copy_from_slice(&p.anon_chi.as_bytes()[..16]);
        out.hri[yi].push(HriIn {
            cost: health,
            anon,
            // PHS groups boards by hbrescode; one hb2018 code per hb2019 code, so the index of
            // the hb2019 board is the same partition
            hb: p.dz.map(|d| board_index(&ctx.geo.council(d).hb2019)).unwrap_or(255),
            lca: p.dz.map(|d| ctx.geo.datazones[d].council as u8).unwrap_or(255),
            resident,
        });
    }
    sc_rows::write_social_care(ctx, p, sc, out);
}

/// `keep_population` (`R/add_keep_population_flag.R`): service users are always kept; PHS
/// keeps NSUs at random so that the file matches the population estimates, and drops the rest
/// (here about one NSU in eight, by a hash of seed, person and year).
fn keep_population(seed: u64, idx: u64, fy: i32, nsu: bool) -> i64 {
    if !nsu {
        return 1;
    }
    let h = derive(seed, 7, idx.wrapping_mul(4096).wrapping_add(fy as u64));
    (h % 8 != 0) as i64
}

/// `preventable_beddays` (`R/aggregate_by_chi.R` L172-188): for each CIJ that began with a PPA,
/// min(cij_end_date, end of FY) - max(cij_start_date, start of FY); NA (skipped) for open CIJs.
fn preventable_beddays(stays: &[&super::health::Stay], fy: i32) -> i64 {
    stays
        .iter()
        .filter(|s| s.ppa)
        .filter_map(|s| s.end.map(|e| (e.min(fy_end(fy)) - s.start.max(fy_start(fy))) as i64))
        .sum()
}

fn person_row_extras(ix: &full::EpIx, x: &mut Extras, pe: &PersonExtras, facts: Option<&PyFacts>) {
    set_opt_s(x, ix.hbpraccode, pe.hbpraccode);
    set_opt_s(x, ix.hscp2018, pe.hscp2018);
    set_opt_s(x, ix.ca2018, pe.ca2018);
    set_opt_int(x, ix.ur6_2022, pe.ur6);
    set_opt_int(x, ix.ur3_2022, pe.ur3);
    set_opt_s(x, ix.cluster, pe.cluster.as_deref());
    if let Some(f) = facts {
        x.s(ix.demographic_cohort, f.demographic_cohort);
        x.s(ix.service_use_cohort, f.service_use_cohort);
        if let Some((a, z)) = f.sparra {
            x.int(ix.sparra_start_fy, a);
            x.int(ix.sparra_end_fy, z);
        }
        if let Some((a, z)) = f.hhg {
            x.int(ix.hhg_start_fy, a);
            x.int(ix.hhg_end_fy, z);
        }
    }
}

fn episode_extras(
    fc: &FullCtx,
    x: &mut Extras,
    pe: &PersonExtras,
    facts: Option<&PyFacts>,
    e: &Ep,
    f: &Fig,
    st: Option<(&super::health::Stay, Option<i64>)>,
) {
    let ix = &fc.ep_ix;
    person_row_extras(ix, x, pe, facts);
    if f.interval {
        for m in 1..=12 {
            x.int(fc.months.beddays[m], f.nights[m]);
        }
    }
    if f.net.is_some() {
        for m in 1..=12 {
            x.hundredths(fc.months.cost[m], f.month_cost[m]);
        }
    }
    if matches!(e.kind, Kind::Acute | Kind::Gls) {
        // SMR01 (acute and GLS) episodes carry the SMR01 CIS marker; here the CIJ's
        set_opt_int(x, ix.smr01_cis_marker, st.and_then(|(_, m)| m));
    }
    if e.kind.inpatient() || e.kind == Kind::Ae {
        x.int(ix.alcohol_adm, diag_any(e, &["F10", "K70", "X45", "Y90", "Y91"]) as i64);
        x.int(ix.submis_adm, diag_any(e, &["F11", "F12", "F13", "F14", "F15", "F16", "F18", "F19"]) as i64);
        x.int(ix.falls_adm, diag_any(e, &["W0", "W1", "S720"]) as i64);
        x.int(ix.selfharm_adm, diag_any(e, &["X6", "X7", "X80", "X81", "X82", "X83", "X84"]) as i64);
    }
    if e.kind.inpatient() {
        x.int(ix.commhosp, 0);
    }
    if e.kind == Kind::Nrs {
        // main cause of death: the most recent long-term condition's code, else a common cause
        x.s(ix.deathdiag1, e.diag.first().filter(|d| !d.is_empty()).copied().unwrap_or("I259"));
    }
    if e.kind == Kind::Ooh {
        x.s(ix.kis_accessed, if e.ooh_case % 3 == 0 { "Y" } else { "N" });
    }
}

/// Activity without a CHI (`R/create_episode_file.R` L139-153 keeps rows whose CHI is blank or
/// invalid; only the individual file drops them): now and then an A&E attendance or GP out of
/// hours contact of an unidentified person, with the postcode recorded but no anon_chi, sex,
/// date of birth or age. About one person-year in 120 adds one.
#[allow(clippy::too_many_arguments)]
fn write_rows_without_chi(
    ctx: &Ctx,
    fc: &FullCtx,
    x: &mut Extras,
    pe: &PersonExtras,
    p: &Person,
    fy: i32,
    year: &str,
    geo_seg: &[u8],
    hbres: &str,
    hospital: (&str, &str),
    line: &mut Vec<u8>,
    buf: &mut Vec<u8>,
) -> u64 {
    let mut q = Rng::new(derive(ctx.seed, 6, p.idx.wrapping_mul(4096).wrapping_add(fy as u64)));
    if !q.chance(1.0 / 120.0) {
        return 0;
    }
    let day = fy_start(fy) + q.below(365) as i32;
    let ae = q.chance(0.7);
    let mut e = if ae {
        let mut e = super::health::Ep::new(Kind::Ae, day, Some(day), "A & E");
        e.ae = Some(("03", "01", "01A"));
        e.refsource = "01A";
        e.fixed_pence = q.range(11_000, 19_000);
        e
    } else {
        let mut e = super::health::Ep::new(Kind::Ooh, day, Some(day), "OOH-PCC");
        e.refsource = "N";
        e.ooh_case = q.next_u64();
        e.fixed_pence = q.range(7_000, 11_000);
        e
    };
    let t1 = q.range(0, 80_000) as u32;
    e.time1 = Some(t1);
    e.time2 = Some(t1 + q.range(600, 6_000) as u32);
    let f = figures(&e, fy, true);
    let mut demo = Vec::with_capacity(64);
    null(&mut demo); // anon_chi
    int(&mut demo, 0); // gender not known
    nulls(&mut demo, 5); // dob, age, deceased, death_date, activity_after_death
    opt_int(&mut demo, p.gpprac.map(|g| g as i64));
    s(&mut demo, &p.postcode);
    s(&mut demo, hbres);
    let ltc: Vec<u8> = {
        let mut v = Vec::new();
        nulls(&mut v, N_LTC);
        for _ in 0..N_LTC {
            int(&mut v, 0);
        }
        v
    };
    line.clear();
    write_core_episode(line, year, &e, &f, &demo, geo_seg, &ltc, hospital, None, "", fy);
    x.clear();
    episode_extras(fc, x, pe, None, &e, &f, None);
    fc.ep.assemble(&line[..line.len() - 1], x, buf);
    1
}

fn board_index(hb: &str) -> u8 {
    crate::model::geography::boards().iter().position(|b| b.hb2019 == hb).unwrap_or(254) as u8
}
