//! Characterisation: the cohort beside the whole population, in one grouping-sets pass.
use super::share::pct;
use super::rows::{self, RowCohort};
use super::sql::Frag;
use super::sql::{age_band_sql, build, ltc_band_sql};
use crate::model::cohort::{age_bands, geography_name, CohortSpec, GeoKind, Measure};
use crate::model::hri::BANDS;
use crate::model::ltc::ltcs;
use crate::store::sql::ident;
use anyhow::Result;
use duckdb::Connection;
pub use crate::model::figures::{Breakdown, BreakdownRow, Characterisation, LtcPrevalence, MeasureRow};
use std::collections::HashMap;






const DIMS: [(&str, &str); 6] = [
    ("age_band", "Age band"),
    ("sex", "Sex"),
    ("simd_quintile", "SIMD quintile (1 = most deprived)"),
    ("ltc_count", "Number of LTCs"),
    ("council", "Council"),
    ("hri_band", "HRI band (Scotland level)"),
];

pub fn characterise(conn: &Connection, spec: &CohortSpec) -> Result<Characterisation> {
    match rows::single_year(conn, spec)? {
        Some(rc) => characterise_single(conn, &rc),
        None => characterise_general(conn, spec),
    }
}

/// Any spec, one grouping-sets pass over every person of the chosen years (multi-year specs:
/// in-cohort people's index year depends on the filters, so the population half does too).
#[doc(hidden)]
pub fn characterise_general(conn: &Connection, spec: &CohortSpec) -> Result<Characterisation> {
    let c = build(conn, spec, true)?;
    let mut q = c.ctes.clone();
    q.push(&format!(
        ", base AS (SELECT in_cohort, {} AS age_band, coalesce(idx.sex, 'Unknown') AS sex, \
         coalesce(CAST(idx.simd_quintile AS VARCHAR), 'Unknown') AS simd_quintile, {} AS ltc_count, \
         coalesce(idx.lca, 'Unknown') AS council, coalesce(idx.hri_scot_band, 'Unknown') AS hri_band, idx",
        age_band_sql("idx.age"),
        ltc_band_sql("idx.ltc_count"),
    ));
    for m in Measure::ALL {
        q.push(&format!(", m_{}", m.name()));
    }
    q.push(" FROM cohort) SELECT ");
    let dims: Vec<&str> = DIMS.iter().map(|d| d.0).collect();
    for d in &dims {
        q.push(&format!("GROUPING({d}), {d}, "));
    }
    // count_if / CASE rather than FILTER clauses: the same figures, much faster with ~100 of
    // them. (count_if of no rows is NULL, hence the coalesce.)
    q.push("coalesce(count_if(in_cohort), 0), count(*)");
    for m in Measure::ALL {
        let n = m.name();
        q.push(&format!(
            ", coalesce(sum(CASE WHEN in_cohort THEN m_{n} END), 0), coalesce(sum(m_{n}), 0), \
             coalesce(count_if(in_cohort AND m_{n} > 0), 0), coalesce(count_if(m_{n} > 0), 0)"
        ));
    }
    for l in ltcs() {
        let col = format!("idx.{}", ident(&l.code));
        q.push(&format!(", coalesce(count_if(in_cohort AND {col} = 1), 0), coalesce(count_if({col} = 1), 0)"));
    }
    q.push(&format!(" FROM base GROUP BY GROUPING SETS ({}, ())", dims.iter().map(|d| format!("({d})")).collect::<Vec<_>>().join(", ")));

    let nd = dims.len();
    let nm = Measure::ALL.len();
    let nl = ltcs().len();
    let mut stmt = conn.prepare(&q.sql)?;
    let mut rows = stmt.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut cats: HashMap<&str, Vec<(String, u64, u64)>> = HashMap::new();
    let mut total: Option<(u64, u64, Vec<(f64, f64, u64, u64)>, Vec<(u64, u64)>)> = None;
    while let Some(r) = rows.next()? {
        let mut which = None;
        for (i, d) in dims.iter().enumerate() {
            let g: i64 = r.get(2 * i)?;
            if g == 0 {
                which = Some((*d, r.get::<_, Option<String>>(2 * i + 1)?.unwrap_or_else(|| "Unknown".into())));
            }
        }
        let base = 2 * nd;
        let cn = r.get::<_, i64>(base)?.max(0) as u64;
        let pn = r.get::<_, i64>(base + 1)?.max(0) as u64;
        match which {
            Some((d, key)) => cats.entry(d).or_default().push((key, cn, pn)),
            None => {
                let mut ms = Vec::new();
                for i in 0..nm {
                    let o = base + 2 + 4 * i;
                    ms.push((
                        r.get::<_, f64>(o)?,
                        r.get::<_, f64>(o + 1)?,
                        r.get::<_, i64>(o + 2)?.max(0) as u64,
                        r.get::<_, i64>(o + 3)?.max(0) as u64,
                    ));
                }
                let mut ls = Vec::new();
                for i in 0..nl {
                    let o = base + 2 + 4 * nm + 2 * i;
                    ls.push((r.get::<_, i64>(o)?.max(0) as u64, r.get::<_, i64>(o + 1)?.max(0) as u64));
                }
                total = Some((cn, pn, ms, ls));
            }
        }
    }
    let (cohort_people, population_people, ms, ls) = total.unwrap_or((0, 0, vec![(0.0, 0.0, 0, 0); nm], vec![(0, 0); nl]));
    Ok(assemble(c.years, cohort_people, population_people, cats, ms, ls))
}

type Cats<'a> = HashMap<&'a str, Vec<(String, u64, u64)>>;

/// The characterisation from its raw figures: per dimension (key, cohort, population) in any
/// order; per measure (cohort total, population total, cohort users, population users); per
/// LTC (cohort, population) in `ltcs()` order.
fn assemble(
    years: Vec<String>,
    cohort_people: u64,
    population_people: u64,
    mut cats: Cats,
    ms: Vec<(f64, f64, u64, u64)>,
    ls: Vec<(u64, u64)>,
) -> Characterisation {
    let mut breakdowns = Vec::new();
    for (name, title) in DIMS {
        let mut found = cats.remove(name).unwrap_or_default();
        found.sort_by(|a, b| order_key(name, &a.0).cmp(&order_key(name, &b.0)));
        // Always list the standard categories (zeros included) so tables line up.
        let standard: Vec<String> = match name {
            "age_band" => age_bands().iter().map(|b| b.0.to_string()).collect(),
            "sex" => vec!["F".into(), "M".into()],
            "simd_quintile" => (1..=5).map(|i| i.to_string()).collect(),
            "ltc_count" => ["0", "1", "2", "3", "4", "5+"].iter().map(|s| s.to_string()).collect(),
            "hri_band" => BANDS.iter().map(|b| b.0.to_string()).collect(),
            _ => Vec::new(),
        };
        for s in standard {
            if !found.iter().any(|f| f.0 == s) {
                found.push((s, 0, 0));
            }
        }
        found.sort_by(|a, b| order_key(name, &a.0).cmp(&order_key(name, &b.0)));
        let rows = found
            .into_iter()
            .map(|(key, cn, pn)| BreakdownRow {
                label: label_for(name, &key),
                key,
                cohort: cn,
                cohort_pct: pct(cn, cohort_people),
                population: pn,
                population_pct: pct(pn, population_people),
            })
            .collect();
        breakdowns.push(Breakdown { name: name.to_string(), title: title.to_string(), rows });
    }

    let mut ltc_rows: Vec<LtcPrevalence> = ltcs()
        .iter()
        .zip(ls)
        .map(|(l, (cn, pn))| LtcPrevalence {
            code: l.code.clone(),
            label: l.label.clone(),
            cohort: cn,
            cohort_pct: pct(cn, cohort_people),
            population: pn,
            population_pct: pct(pn, population_people),
        })
        .collect();
    ltc_rows.sort_by(|a, b| b.cohort.cmp(&a.cohort).then(b.population.cmp(&a.population)));

    let measures = Measure::ALL
        .iter()
        .zip(ms)
        .map(|(m, (ct, pt, cu, pu))| MeasureRow {
            measure: m.name().to_string(),
            label: m.label().to_string(),
            cohort_total: ct,
            cohort_per_person: per(ct, cohort_people),
            population_total: pt,
            population_per_person: per(pt, population_people),
            cohort_share_pct: if pt > 0.0 { Some(100.0 * ct / pt) } else { None },
            cohort_users: cu,
            population_users: pu,
        })
        .collect();

    Characterisation {
        years,
        cohort_people,
        population_people,
        cohort_share_of_people_pct: pct(cohort_people, population_people),
        breakdowns,
        ltcs: ltc_rows,
        measures,
    }
}

fn per(total: f64, n: u64) -> Option<f64> {
    if n == 0 {
        None
    } else {
        Some(total / n as f64)
    }
}

/// Category order: the natural order of each dimension, "Unknown" last.
fn order_key(dim: &str, key: &str) -> (u8, usize, String) {
    if key == "Unknown" {
        return (2, 0, String::new());
    }
    let pos = match dim {
        "age_band" => age_bands().iter().position(|b| b.0 == key),
        "sex" => ["F", "M"].iter().position(|s| *s == key),
        "ltc_count" => ["0", "1", "2", "3", "4", "5+"].iter().position(|s| *s == key),
        "hri_band" => BANDS.iter().position(|b| b.0 == key),
        "simd_quintile" => key.parse::<usize>().ok(),
        _ => None,
    };
    match pos {
        Some(p) => (0, p, String::new()),
        None => (1, 0, key.to_string()),
    }
}

fn label_for(dim: &str, key: &str) -> String {
    match dim {
        "council" if key != "Unknown" => geography_name(key, GeoKind::Council).unwrap_or_else(|| key.to_string()),
        "sex" => match key {
            "F" => "Female".into(),
            "M" => "Male".into(),
            _ => key.to_string(),
        },
        "simd_quintile" => match key {
            "1" => "1 (most deprived)".into(),
            "5" => "5 (least deprived)".into(),
            _ => key.to_string(),
        },
        _ => key.to_string(),
    }
}

/// One side (cohort or population) of a single-year characterisation.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Side {
    people: u64,
    /// Per dimension (DIMS order): people per category key.
    cats: Vec<HashMap<String, u64>>,
    /// Per measure: (total, people with any). Stored as the totals' bit patterns: JSON's
    /// decimal text need not read back to the same double.
    #[serde(with = "exact_totals")]
    measures: Vec<(f64, u64)>,
    /// Per LTC in `ltcs()` order: people with it.
    ltcs: Vec<u64>,
}

/// (total, count) pairs as (bits of the total, count), so a stored side reads back exactly.
mod exact_totals {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[(f64, u64)], s: S) -> Result<S::Ok, S::Error> {
        v.iter().map(|(t, n)| (t.to_bits(), *n)).collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, u64)>, D::Error> {
        Ok(Vec::<(u64, u64)>::deserialize(d)?.into_iter().map(|(b, n)| (f64::from_bits(b), n)).collect())
    }
}

/// Single-year spec: one row per person, so each side is two scans of that year's rows (totals;
/// breakdown counts by raw value, banded here). The population side depends only on the year
/// and is read from the copy the load stored (else computed), then cached per workspace; without
/// filters the cohort is the population.
fn characterise_single(conn: &Connection, rc: &RowCohort) -> Result<Characterisation> {
    let year = &rc.years[0];
    let pop = super::cache::get_or_compute(conn, &format!("characterise-population:v1:{year}"), || match stored_population(conn, year) {
        Some(side) => Ok(side),
        None => population(conn, year),
    })?;
    let coh = if rc.filtered { std::sync::Arc::new(side(conn, &rc.cond)?) } else { pop.clone() };
    let mut cats: Cats = HashMap::new();
    for (d, (name, _)) in DIMS.iter().enumerate() {
        let rows = pop.cats[d]
            .iter()
            .map(|(k, pn)| (k.clone(), coh.cats[d].get(k).copied().unwrap_or(0), *pn))
            .collect();
        cats.insert(name, rows);
    }
    let ms = coh.measures.iter().zip(&pop.measures).map(|(c, p)| (c.0, p.0, c.1, p.1)).collect();
    let ls = coh.ltcs.iter().zip(&pop.ltcs).map(|(c, p)| (*c, *p)).collect();
    Ok(assemble(rc.years.clone(), coh.people, pop.people, cats, ms, ls))
}

/// The whole population's side of `year`, computed.
fn population(conn: &Connection, year: &str) -> Result<Side> {
    let mut all = Frag::text("year = ");
    all.bind(super::sql::text(year));
    side(conn, &all)
}

/// Compute and store the population side of every year; the loader calls this inside its
/// transaction, so that the first characterisation after opening a workspace scans only the
/// cohort (at country scale the population's two scans were most of a first call).
pub fn store_population(conn: &Connection) -> Result<()> {
    conn.execute_batch("CREATE OR REPLACE TABLE characterise_store (year VARCHAR, stamp VARCHAR, side VARCHAR)")?;
    let stamp = crate::store::schema::load_stamp(conn)?;
    for y in super::available_years(conn)? {
        let json = serde_json::to_string(&population(conn, &y)?)?;
        conn.execute("INSERT INTO characterise_store VALUES (?, ?, ?)", duckdb::params![y, stamp, json])?;
    }
    Ok(())
}

/// The stored population side of `year`, if the table is there and of the current load (a
/// workspace from an older carepath has none: computed instead).
fn stored_population(conn: &Connection, year: &str) -> Option<Side> {
    let stamp = crate::store::schema::load_stamp(conn).ok()?;
    let json: String = conn
        .query_row("SELECT side FROM characterise_store WHERE year = ? AND stamp = ?", duckdb::params![year, stamp], |r| r.get(0))
        .ok()?;
    serde_json::from_str(&json).ok()
}

/// Figures for the rows of `person_year` meeting `cond` (one row per person). The values are
/// those of the general path with one person-year per person: m = CAST(coalesce(x, 0) AS DOUBLE).
fn side(conn: &Connection, cond: &Frag) -> Result<Side> {
    let nm = Measure::ALL.len();
    let nl = ltcs().len();
    let mut q = Frag::text("SELECT count(*)");
    for m in Measure::ALL {
        let v = format!("coalesce({}, 0)", m.sql());
        // count_if, not count(*) FILTER: the filtered form is several times slower in an
        // ungrouped aggregate with this many of them. (count_if of no rows is NULL.)
        q.push(&format!(", coalesce(sum(CAST({v} AS DOUBLE)), 0), coalesce(count_if({v} > 0), 0)"));
    }
    for l in ltcs() {
        q.push(&format!(", coalesce(count_if({} = 1), 0)", ident(&l.code)));
    }
    q.push(" FROM person_year WHERE ");
    q.append(cond);
    let (people, measures, ltc_counts) =
        conn.prepare(&q.sql)?.query_row(duckdb::params_from_iter(q.params.iter()), |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            let mut ms = Vec::with_capacity(nm);
            for i in 0..nm {
                ms.push((r.get::<_, f64>(1 + 2 * i)?, n(2 + 2 * i)?));
            }
            let mut ls = Vec::with_capacity(nl);
            for i in 0..nl {
                ls.push(n(1 + 2 * nm + i)?);
            }
            Ok((n(0)?, ms, ls))
        })?;

    // Breakdowns by raw value (few distinct values), banded below as the general path does in SQL.
    const RAW: [&str; 6] = ["age", "sex", "simd_quintile", "ltc_count", "lca", "hri_scot_band"];
    let mut q = Frag::text("SELECT ");
    for c in RAW {
        q.push(&format!("GROUPING({c}), "));
    }
    q.push("CAST(age AS BIGINT), sex, CAST(simd_quintile AS BIGINT), CAST(ltc_count AS BIGINT), lca, hri_scot_band, count(*) FROM person_year WHERE ");
    q.append(cond);
    q.push(&format!(" GROUP BY GROUPING SETS ({})", RAW.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(", ")));
    let mut cats: Vec<HashMap<String, u64>> = vec![HashMap::new(); DIMS.len()];
    let mut stmt = conn.prepare(&q.sql)?;
    let mut rows = stmt.query(duckdb::params_from_iter(q.params.iter()))?;
    while let Some(r) = rows.next()? {
        let Some(d) = (0..RAW.len()).find(|i| r.get::<_, i64>(*i).map(|g| g == 0).unwrap_or(false)) else { continue };
        let o = RAW.len();
        let unknown = || "Unknown".to_string();
        let key = match d {
            0 => age_band(r.get::<_, Option<i64>>(o)?),
            1 => r.get::<_, Option<String>>(o + 1)?.unwrap_or_else(unknown),
            2 => r.get::<_, Option<i64>>(o + 2)?.map(|v| v.to_string()).unwrap_or_else(unknown),
            3 => match r.get::<_, Option<i64>>(o + 3)? {
                None => unknown(),
                Some(v) if v >= 5 => "5+".to_string(),
                Some(v) => v.to_string(),
            },
            4 => r.get::<_, Option<String>>(o + 4)?.unwrap_or_else(unknown),
            _ => r.get::<_, Option<String>>(o + 5)?.unwrap_or_else(unknown),
        };
        *cats[d].entry(key).or_default() += r.get::<_, i64>(o + 6)?.max(0) as u64;
    }
    Ok(Side { people, cats, measures, ltcs: ltc_counts })
}

/// The age band label of an age, as `sql::age_band_sql`.
fn age_band(age: Option<i64>) -> String {
    age.and_then(|a| age_bands().iter().find(|(_, lo, hi)| a >= *lo as i64 && a <= *hi as i64))
        .map(|b| b.0.to_string())
        .unwrap_or_else(|| "Unknown".to_string())
}
