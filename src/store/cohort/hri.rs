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
use duckdb::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandRow {
    pub band: String,
    pub people: u64,
    pub share_of_people: Option<f64>,
    pub share_of_cost: Option<f64>,
    pub share_of_acute_beddays: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Persistence {
    pub previous_year: String,
    /// HRIs in the previous year (in this area then).
    pub previous_hri: u64,
    /// Of those, HRIs again this year.
    pub remained: u64,
    /// Of those, dead by the end of this year.
    pub died: u64,
    /// remained / previous_hri (fraction).
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopShare {
    /// Fraction of people from the top (0.02 = top 2%).
    pub top: f64,
    /// Fraction of health cost they hold.
    pub share_of_cost: f64,
}

/// Figures for one area (or all areas together). Shares are fractions 0..1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HriArea {
    pub area: String,
    pub area_name: String,
    pub people: u64,
    pub hri_people: u64,
    pub hri_share_of_people: Option<f64>,
    pub health_cost: f64,
    pub hri_cost: f64,
    pub hri_share_of_cost: Option<f64>,
    pub acute_beddays: f64,
    pub hri_acute_beddays: f64,
    pub hri_share_of_acute_beddays: Option<f64>,
    pub bands: Vec<BandRow>,
    pub gini: f64,
    /// (share of people cheapest first, share of health cost).
    pub lorenz: Vec<(f64, f64)>,
    pub top_shares: Vec<TopShare>,
    pub persistence: Option<Persistence>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HriPicture {
    pub year: String,
    pub level: HriLevel,
    /// Everyone at this level (Scotland, or all boards/councils pooled).
    #[serde(flatten)]
    pub overall: HriArea,
    /// Per board or council (empty at Scotland level).
    pub areas: Vec<HriArea>,
}

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
pub fn hri_picture(conn: &Connection, year: &str, level: HriLevel, lorenz_points: usize) -> Result<HriPicture> {
    let Some(fy) = FinYear::parse(year) else { bail!("{year:?} is not a financial year (expected e.g. 1920)") };
    let year = fy.code();
    let (pcol, flag, band, area) = hri_columns(level);
    let exists: i64 = conn.query_row("SELECT count(*) FROM person_year WHERE year = ?", [&year], |r| r.get(0))?;
    if exists == 0 {
        let years = super::sql::available_years(conn)?;
        bail!("no person-years for {} in the workspace (years loaded: {})", fy.label(), years.join(", "));
    }
    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();
    {
        let sql = format!(
            "SELECT coalesce({area}, 'Unknown') AS area, coalesce(health_net_cost, 0), coalesce(acute_beddays, 0), \
             coalesce({flag}, false), {band} FROM person_year WHERE year = ? AND {pcol} IS NOT NULL ORDER BY area"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([text(&year)])?;
        while let Some(r) = rows.next()? {
            let a: String = r.get(0)?;
            let cost: f64 = r.get(1)?;
            let bed: f64 = r.get(2)?;
            let is_hri: bool = r.get(3)?;
            let b: Option<String> = r.get(4)?;
            let acc = accs.entry(a).or_default();
            acc.people += 1;
            acc.cost += cost;
            acc.bed += bed;
            if is_hri {
                acc.hri_people += 1;
                acc.hri_cost += cost;
                acc.hri_bed += bed;
            }
            if let Some(b) = b {
                let e = acc.bands.entry(b).or_default();
                e.0 += 1;
                e.1 += cost;
                e.2 += bed;
            }
            acc.costs.push(cost);
        }
    }
    let prev = FinYear { start: fy.start - 1 }.code();
    let prev_exists: i64 = conn.query_row("SELECT count(*) FROM person_year WHERE year = ?", [&prev], |r| r.get(0))?;
    let have_prev = prev_exists > 0;
    if have_prev {
        let (_, cur_end) = fy.bounds();
        let sql = format!(
            "SELECT coalesce({parea}, 'Unknown'), count(*), count(*) FILTER (WHERE coalesce(c.{flag}, false)), \
             count(*) FILTER (WHERE per.death_date IS NOT NULL AND per.death_date <= CAST(? AS DATE)) \
             FROM person_year p LEFT JOIN person_year c ON c.anon_chi = p.anon_chi AND c.year = ? \
             LEFT JOIN person per ON per.anon_chi = p.anon_chi \
             WHERE p.year = ? AND p.{flag} GROUP BY 1",
            parea = if level == HriLevel::Scotland { area.to_string() } else { format!("p.{area}") }
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([text(&cur_end), text(&year), text(&prev)])?;
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
