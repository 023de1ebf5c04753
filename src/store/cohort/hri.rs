//! The HRI picture for one year and level: how many HRIs, their share of people, health cost and
//! acute bed days, the five bands, the Lorenz curve and Gini of health cost, top-x% shares, and
//! persistence from the previous year; per area at board or council level.
//!
//! Population: person-years of the year with an HRI % at the level (Scottish residents with a
//! known area; the loader's `hri_*p` is NULL otherwise). Persistence: of the previous year's
//! HRIs at the level (grouped by their area that year), how many are HRIs at the same level
//! this year (in any area), and how many have died by the end of this year.
use super::sql::{hri_columns, text};
use crate::analysis::lorenz::{gini, lorenz, top_share};
use crate::model::cohort::{geography_name, GeoKind};
use crate::model::hri::{HriLevel, BANDS};
use crate::model::year::FinYear;
use anyhow::{bail, Result};
use duckdb::arrow::array::{Array, ArrayRef, AsArray};
use duckdb::arrow::datatypes::{Float64Type, Int64Type};
use duckdb::Connection;
pub use crate::model::figures::{BandRow, HriArea, HriPicture, Persistence, TopShare};
use std::collections::BTreeMap;






/// Fractions of people listed in `top_shares`.
pub const TOP_FRACTIONS: [f64; 5] = [0.01, 0.02, 0.05, 0.10, 0.20];

#[derive(Default, Clone)]
struct Acc {
    people: u64,
    hri_people: u64,
    cost: f64,
    hri_cost: f64,
    bed: f64,
    hri_bed: f64,
    bands: BTreeMap<String, (u64, f64, f64)>,
    costs: Vec<f64>,
    prev_hri: u64,
    remained: u64,
    died: u64,
}

/// `lorenz_points` points of the Lorenz curve (e.g. 21 for every 5%).
/// The picture depends only on the loaded data, so it is kept per workspace load (see
/// `cache`): revisiting a year and level is instant.
pub fn hri_picture(conn: &Connection, year: &str, level: HriLevel, lorenz_points: usize) -> Result<HriPicture> {
    let Some(fy) = FinYear::parse(year) else { bail!("{year:?} is not a financial year (expected e.g. 1920)") };
    let key = format!("hri-picture:v1:{}:{level:?}:{lorenz_points}", fy.code());
    let pic = super::cache::get_or_compute(conn, &key, || compute(conn, fy, level, lorenz_points))?;
    Ok((*pic).clone())
}

fn compute(conn: &Connection, fy: FinYear, level: HriLevel, lorenz_points: usize) -> Result<HriPicture> {
    let year = fy.code();
    let (pcol, flag, band, area) = hri_columns(level);
    let exists: i64 = conn.query_row("SELECT count(*) FROM person_year WHERE year = ?", [&year], |r| r.get(0))?;
    if exists == 0 {
        let years = super::sql::available_years(conn)?;
        bail!("no person-years for {} in the workspace (years loaded: {})", fy.label(), years.join(", "));
    }
    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();
    let from = format!("FROM person_year WHERE year = ? AND {pcol} IS NOT NULL");
    // One small GROUP BY (area, band, HRI flag) gives the counts and sums, and each group's
    // costs as a list, fetched as Arrow (not row by row); each area's costs are sorted once below.
    {
        let sql = format!(
            "SELECT coalesce({area}, 'Unknown'), {band}, coalesce({flag}, false) AS h, count(*), \
             sum(coalesce(health_net_cost, 0)), sum(coalesce(acute_beddays, 0)), list(coalesce(health_net_cost, 0)) \
             {from} GROUP BY 1, 2, 3"
        );
        let mut stmt = conn.prepare(&sql)?;
        for batch in stmt.query_arrow([text(&year)])? {
            let cols = batch.columns();
            let (Some(flags), Some(counts), Some(costs), Some(beds)) = (
                cols[2].as_boolean_opt(),
                cols[3].as_primitive_opt::<Int64Type>(),
                cols[4].as_primitive_opt::<Float64Type>(),
                cols[5].as_primitive_opt::<Float64Type>(),
            ) else {
                bail!("unexpected Arrow types in the HRI summary: {:?}", batch.schema())
            };
            for i in 0..batch.num_rows() {
                let acc = accs.entry(string_at(&cols[0], i)?.unwrap_or_else(|| "Unknown".into())).or_default();
                let n = counts.value(i).max(0) as u64;
                let (cost, bed) = (costs.value(i), beds.value(i));
                acc.people += n;
                acc.cost += cost;
                acc.bed += bed;
                if !flags.is_null(i) && flags.value(i) {
                    acc.hri_people += n;
                    acc.hri_cost += cost;
                    acc.hri_bed += bed;
                }
                if let Some(b) = string_at(&cols[1], i)? {
                    let e = acc.bands.entry(b).or_default();
                    e.0 += n;
                    e.1 += cost;
                    e.2 += bed;
                }
                append_f64s(&cols[6], i, &mut acc.costs)?;
            }
        }
    }
    for acc in accs.values_mut() {
        acc.costs = clean_sorted(std::mem::take(&mut acc.costs));
    }
    let prev = FinYear { start: fy.start - 1 }.code();
    let prev_exists: i64 = conn.query_row("SELECT count(*) FROM person_year WHERE year = ?", [&prev], |r| r.get(0))?;
    let have_prev = prev_exists > 0;
    if have_prev {
        let (_, cur_end) = fy.bounds();
        let sql = format!(
            "SELECT coalesce({parea}, 'Unknown'), count(*), count(*) FILTER (WHERE coalesce(c.{flag}, false)), \
             count(*) FILTER (WHERE per.death_date IS NOT NULL AND per.death_date <= CAST(? AS DATE)) \
             FROM (SELECT * FROM person_year WHERE year = ? AND {flag}) p \
             LEFT JOIN (SELECT anon_chi, {flag} FROM person_year WHERE year = ? AND {flag}) c ON c.anon_chi = p.anon_chi \
             LEFT JOIN (SELECT anon_chi, death_date FROM person WHERE death_date IS NOT NULL) per ON per.anon_chi = p.anon_chi \
             GROUP BY 1",
            parea = if level == HriLevel::Scotland { area.to_string() } else { format!("p.{area}") }
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([text(&cur_end), text(&prev), text(&year)])?;
        while let Some(r) = rows.next()? {
            let a: String = r.get(0)?;
            let acc = accs.entry(a).or_default();
            acc.prev_hri = r.get::<_, i64>(1)?.max(0) as u64;
            acc.remained = r.get::<_, i64>(2)?.max(0) as u64;
            acc.died = r.get::<_, i64>(3)?.max(0) as u64;
        }
    }
    let prev_opt = if have_prev { Some(prev.clone()) } else { None };
    let mut all = Acc::default();
    for a in accs.values() {
        all.people += a.people;
        all.hri_people += a.hri_people;
        all.cost += a.cost;
        all.hri_cost += a.hri_cost;
        all.bed += a.bed;
        all.hri_bed += a.hri_bed;
        for (b, v) in &a.bands {
            let e = all.bands.entry(b.clone()).or_default();
            e.0 += v.0;
            e.1 += v.1;
            e.2 += v.2;
        }
        all.costs.extend_from_slice(&a.costs);
        all.prev_hri += a.prev_hri;
        all.remained += a.remained;
        all.died += a.died;
    }
    // Sorted runs, one per area: the stable sort merges them.
    all.costs.sort_by(f64::total_cmp);
    let overall_name = match level {
        HriLevel::Scotland => "Scotland",
        HriLevel::Board => "All boards",
        HriLevel::Council => "All councils",
    };
    let overall = finish(if level == HriLevel::Scotland { "Scotland" } else { "All" }, overall_name, &all, &prev_opt, lorenz_points);
    let areas = if level == HriLevel::Scotland {
        Vec::new()
    } else {
        accs.iter()
            .map(|(code, a)| {
                let kind = if level == HriLevel::Board { GeoKind::Board } else { GeoKind::Council };
                let name = geography_name(code, kind).unwrap_or_else(|| code.clone());
                finish(code, &name, a, &prev_opt, lorenz_points)
            })
            .collect()
    };
    Ok(HriPicture { year, level, overall, areas })
}

fn frac(a: f64, b: f64) -> Option<f64> {
    if b > 0.0 {
        Some(a / b)
    } else {
        None
    }
}

fn finish(code: &str, name: &str, a: &Acc, prev: &Option<String>, points: usize) -> HriArea {
    let bands = BANDS
        .iter()
        .map(|(b, _)| {
            let (n, c, d) = a.bands.get(*b).cloned().unwrap_or_default();
            BandRow {
                band: b.to_string(),
                people: n,
                share_of_people: frac(n as f64, a.people as f64),
                share_of_cost: frac(c, a.cost),
                share_of_acute_beddays: frac(d, a.bed),
            }
        })
        .collect();
    HriArea {
        area: code.to_string(),
        area_name: name.to_string(),
        people: a.people,
        hri_people: a.hri_people,
        hri_share_of_people: frac(a.hri_people as f64, a.people as f64),
        health_cost: a.cost,
        hri_cost: a.hri_cost,
        hri_share_of_cost: frac(a.hri_cost, a.cost),
        acute_beddays: a.bed,
        hri_acute_beddays: a.hri_bed,
        hri_share_of_acute_beddays: frac(a.hri_bed, a.bed),
        bands,
        gini: gini(&a.costs),
        lorenz: lorenz(&a.costs, points),
        top_shares: TOP_FRACTIONS.iter().map(|&t| TopShare { top: t, share_of_cost: top_share(&a.costs, t) }).collect(),
        persistence: prev.as_ref().map(|p| Persistence {
            previous_year: p.clone(),
            previous_hri: a.prev_hri,
            remained: a.remained,
            died: a.died,
            share: frac(a.remained as f64, a.prev_hri as f64),
        }),
    }
}

/// Values as `analysis::lorenz` uses them (negative and non-finite as 0), sorted ascending: the
/// Lorenz functions re-sort their input, which is linear on sorted input, so sorting once here
/// saves a full sort per call (seven calls per area).
fn clean_sorted(mut v: Vec<f64>) -> Vec<f64> {
    for x in v.iter_mut() {
        if !(x.is_finite() && *x > 0.0) {
            *x = 0.0;
        }
    }
    v.sort_unstable_by(f64::total_cmp);
    v
}

fn string_at(col: &ArrayRef, i: usize) -> Result<Option<String>> {
    let v = if let Some(a) = col.as_string_opt::<i32>() {
        (!a.is_null(i)).then(|| a.value(i).to_string())
    } else if let Some(a) = col.as_string_opt::<i64>() {
        (!a.is_null(i)).then(|| a.value(i).to_string())
    } else {
        bail!("unexpected Arrow type {:?} for a text column", col.data_type())
    };
    Ok(v)
}

fn append_f64s(col: &ArrayRef, i: usize, out: &mut Vec<f64>) -> Result<()> {
    let values = if let Some(l) = col.as_list_opt::<i32>() {
        l.value(i)
    } else if let Some(l) = col.as_list_opt::<i64>() {
        l.value(i)
    } else {
        bail!("unexpected Arrow type {:?} for a cost list", col.data_type())
    };
    let Some(f) = values.as_primitive_opt::<Float64Type>() else { bail!("unexpected Arrow type {:?} for costs", values.data_type()) };
    out.reserve(f.len());
    for j in 0..f.len() {
        out.push(if f.is_null(j) { 0.0 } else { f.value(j) });
    }
    Ok(())
}
