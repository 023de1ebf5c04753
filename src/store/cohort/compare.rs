//! Two cohorts side by side (`model::compare`): each cohort's people are written to a temporary
//! table (their membership taken in the year), then both are read against `person_year` of
//! the year in a few grouped passes: categories, LTCs, measures (mean, sample SD) and the
//! age-sex strata of the standardised rates.
use super::sql::{people_ctes, text, Frag};
use crate::analysis::standardise::{direct_rate, Stratum, StratumCounts};
use crate::model::cohort::CohortSpec;
use crate::model::compare::{compared_measures, CategoryComparison, CompareFigures, MeasureComparison};
use crate::model::dimension::Dimension;
use crate::model::ltc::ltcs;
use crate::store::services::cube::{age_group_sql, esp_weights};
use crate::store::services::dimension::{key_sql, label, order};
use anyhow::Result;
use duckdb::Connection;
use std::collections::HashMap;

/// The partitions compared, in the order shown.
const SECTIONS: [Dimension; 5] = [Dimension::AgeBand, Dimension::Sex, Dimension::Simd, Dimension::LtcCount, Dimension::HriBand];

pub fn compare(conn: &Connection, a: &CohortSpec, b: &CohortSpec, year: &str) -> Result<CompareFigures> {
    for (table, spec) in [("cmp_a", a), ("cmp_b", b)] {
        let mut q = Frag::text(&format!("CREATE OR REPLACE TEMP TABLE {table} AS "));
        q.append(&people_ctes(conn, Some(spec))?);
        q.push(" SELECT DISTINCT anon_chi FROM people");
        conn.execute(&q.sql, duckdb::params_from_iter(q.params.iter()))?;
    }
    let result = read(conn, a, b, year);
    conn.execute_batch("DROP TABLE IF EXISTS cmp_a; DROP TABLE IF EXISTS cmp_b;")?;
    result
}

/// The person-years of the year of cohort `side` ("a" or "b"), as `p`.
fn py(side: &str) -> String {
    format!("(SELECT * FROM person_year WHERE year = ? AND anon_chi IN (SELECT anon_chi FROM cmp_{side})) p")
}

fn read(conn: &Connection, a: &CohortSpec, b: &CohortSpec, year: &str) -> Result<CompareFigures> {
    let y = [text(year), text(year)];
    let count = |side: &str| -> Result<u64> {
        Ok(conn.query_row(&format!("SELECT count(*) FROM {}", py(side)), [&y[0]], |r| r.get::<_, i64>(0))?.max(0) as u64)
    };
    let (a_people, b_people) = (count("a")?, count("b")?);
    let overlap = conn
        .query_row(
            &format!("SELECT count(*) FROM {} WHERE anon_chi IN (SELECT anon_chi FROM cmp_b)", py("a")),
            [&y[0]],
            |r| r.get::<_, i64>(0),
        )?
        .max(0) as u64;

    // categories of each section
    let mut categories = Vec::new();
    for dim in SECTIONS {
        let sql = format!(
            "SELECT coalesce(k, ''), sum(a), sum(b) FROM (
               SELECT {k} AS k, 1 AS a, 0 AS b FROM {pa} UNION ALL SELECT {k}, 0, 1 FROM {pb}) GROUP BY 1",
            k = key_sql(dim),
            pa = py("a"),
            pb = py("b")
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query(duckdb::params_from_iter(y.iter()))?;
        let mut part = Vec::new();
        while let Some(r) = rows.next()? {
            let key: String = r.get::<_, Option<String>>(0)?.unwrap_or_default();
            part.push(CategoryComparison {
                section: dim.label().to_string(),
                category: label(dim, &key),
                a_people: r.get::<_, Option<i64>>(1)?.unwrap_or(0).max(0) as u64,
                b_people: r.get::<_, Option<i64>>(2)?.unwrap_or(0).max(0) as u64,
            });
        }
        order(dim, &mut part, |c| c.category.as_str(), |c| c.a_people + c.b_people);
        categories.extend(part);
    }

    // people with each LTC
    let sums: Vec<String> = ltcs().iter().map(|l| format!("CAST(coalesce(sum(p.\"{}\"), 0) AS BIGINT)", l.code.replace('"', ""))).collect();
    let per_side = |side: &str| -> Result<Vec<u64>> {
        let sql = format!("SELECT {} FROM {}", sums.join(", "), py(side));
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([&y[0]])?;
        let mut out = vec![0; ltcs().len()];
        if let Some(r) = rows.next()? {
            for (i, o) in out.iter_mut().enumerate() {
                *o = r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64;
            }
        }
        Ok(out)
    };
    let (la, lb) = (per_side("a")?, per_side("b")?);
    let ltc_rows = ltcs()
        .iter()
        .enumerate()
        .map(|(i, l)| CategoryComparison { section: "long-term conditions".into(), category: l.label.clone(), a_people: la[i], b_people: lb[i] })
        .collect();

    // measures: mean and sample SD per person, and the age-sex strata for standardised rates
    let measures = compared_measures();
    let value = |m: &crate::model::cube::CubeMeasure| format!("CAST(coalesce({}, 0) AS DOUBLE)", m.sql());
    let stats: Vec<String> = measures.iter().map(|m| format!("coalesce(sum({v}), 0), avg({v}), coalesce(stddev_samp({v}), 0)", v = value(m))).collect();
    let moments = |side: &str| -> Result<Vec<(f64, f64, f64)>> {
        let sql = format!("SELECT {} FROM {}", stats.join(", "), py(side));
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([&y[0]])?;
        let mut out = vec![(0.0, f64::NAN, f64::NAN); measures.len()];
        if let Some(r) = rows.next()? {
            for (i, o) in out.iter_mut().enumerate() {
                let get = |j: usize| -> Result<f64> { Ok(r.get::<_, Option<f64>>(3 * i + j)?.unwrap_or(f64::NAN)) };
                *o = (get(0)?, get(1)?, get(2)?);
            }
        }
        Ok(out)
    };
    let (ma, mb) = (moments("a")?, moments("b")?);
    let strata_sums: Vec<String> = measures.iter().map(|m| format!("sum({})", value(m))).collect();
    let weights = esp_weights();
    let standardised = |side: &str| -> Result<Vec<Option<f64>>> {
        let sql = format!(
            "SELECT ag, sex, count(*), {} FROM (SELECT p.*, {} AS ag FROM {}) p WHERE ag IS NOT NULL AND sex IN ('F', 'M') GROUP BY ag, sex",
            strata_sums.join(", "),
            age_group_sql("p.age"),
            py(side)
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([&y[0]])?;
        let mut per_measure: Vec<HashMap<Stratum, StratumCounts>> = vec![HashMap::new(); measures.len()];
        while let Some(r) = rows.next()? {
            let s: Stratum = (r.get::<_, Option<i64>>(0)?.unwrap_or(0).max(0) as usize, r.get::<_, Option<String>>(1)?.unwrap_or_default());
            let people = r.get::<_, Option<i64>>(2)?.unwrap_or(0).max(0) as u64;
            for (i, m) in per_measure.iter_mut().enumerate() {
                m.insert(s.clone(), StratumCounts { people, events: r.get::<_, Option<f64>>(3 + i)?.unwrap_or(0.0) });
            }
        }
        Ok(per_measure.iter().map(|c| if c.is_empty() { None } else { direct_rate(c, &weights) }).collect())
    };
    let (sa, sb) = (standardised("a")?, standardised("b")?);
    let measures = measures
        .iter()
        .enumerate()
        .map(|(i, m)| MeasureComparison {
            measure: *m,
            a_sum: ma[i].0,
            b_sum: mb[i].0,
            a_mean: ma[i].1,
            a_sd: ma[i].2,
            b_mean: mb[i].1,
            b_sd: mb[i].2,
            a_standardised: sa[i],
            b_standardised: sb[i],
        })
        .collect();
    Ok(CompareFigures {
        year: year.to_string(),
        a_name: a.name.clone(),
        b_name: b.name.clone(),
        a_people,
        b_people,
        overlap,
        categories,
        ltcs: ltc_rows,
        measures,
    })
}
