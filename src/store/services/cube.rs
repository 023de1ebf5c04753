//! The resource cube: one measure of the person-years of the years asked (one year, or every
//! year when a dimension is `year`) of a cohort's people (everyone without one), by one or two
//! dimensions, with row, column and grand totals from one grouped pass (`GROUPING SETS`), so
//! the cells add up to their totals by construction. Standardised rates read the same rows
//! grouped by 5-year age group and sex as well; the top x% share ranks each cell's people by
//! the measure. See `model::cube` for the definitions.
//!
//! Bound parameters only: the years and the cohort's values are `?`; measures and dimensions
//! are our own SQL text, chosen from enums.
use super::dimension::{key_sql, label, order};
use crate::analysis::standardise::{direct_rate, Stratum, StratumCounts};
use crate::model::cohort::CohortSpec;
use crate::model::cube::{crude, esp2013, CubeCell, CubeFigures, CubeRate, CubeRequest, Standard};
use crate::store::cohort::sql::{people_ctes, text, Frag};
use anyhow::{bail, Result};
use duckdb::types::Value;
use duckdb::Connection;
use std::collections::HashMap;

/// Which totals a grouped row is: a cell, a row total, a column total or the grand total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Level {
    Cell,
    RowTotal,
    ColTotal,
    Total,
}

fn level(grouped_r: bool, grouped_c: bool, has_cols: bool) -> Level {
    match (grouped_r, grouped_c || !has_cols) {
        (false, false) => Level::Cell,
        (false, true) => Level::RowTotal,
        (true, false) => Level::ColTotal,
        (true, true) => Level::Total,
    }
}

pub fn cube(conn: &Connection, spec: Option<&CohortSpec>, years: &[String], req: &CubeRequest) -> Result<CubeFigures> {
    if years.is_empty() {
        bail!("no year to build the cube for: load extracts first (carepath load)");
    }
    if let Some(t) = req.top {
        if !(t > 0.0 && t <= 100.0) {
            bail!("--top must be a percentage above 0 and at most 100 (e.g. 20 for the top 20% of people)");
        }
    }
    let has_cols = req.cols.is_some();
    let base = base_rows(conn, spec, years, req)?;
    let sets = if has_cols { "GROUPING SETS ((r, c), (r), (c), ())" } else { "GROUPING SETS ((r), ())" };

    // people and sums per cell and total
    let mut q = base.clone();
    q.push(&format!("SELECT grouping(r), {}, coalesce(r, ''), {}, count(*), coalesce(sum(v), 0) FROM c_py GROUP BY {sets}", col_grouping(has_cols), col_key(has_cols)));
    let mut cells: HashMap<(Level, String, String), CubeCell> = HashMap::new();
    for (lv, r, c, people, sum) in grouped(conn, &q, has_cols)? {
        cells.insert((lv, r.clone(), c.clone()), CubeCell { row_key: r.clone(), col_key: c.clone(), row: r, col: c, people, sum, value: crude(req.rate, sum, people), top_share: None });
    }
    if req.rate == CubeRate::Standardised {
        standardise(conn, &base, years, spec.is_some(), req, has_cols, &mut cells)?;
    }
    if let Some(top) = req.top {
        for ((lv, r, c), share) in top_shares(conn, &base, top, has_cols)? {
            if let Some(cell) = cells.get_mut(&(lv, r, c)) {
                cell.top_share = share;
            }
        }
    }
    Ok(assemble(req, years, cells))
}

/// The people CTE and `c_py`: one row per person-year asked, its row and column keys, the
/// measure `v`, and its standard age group `ag` and sex.
fn base_rows(conn: &Connection, spec: Option<&CohortSpec>, years: &[String], req: &CubeRequest) -> Result<Frag> {
    let mut q = people_ctes(conn, spec)?;
    let col = req.cols.map(key_sql).unwrap_or_else(|| "CAST(NULL AS VARCHAR)".into());
    q.push(&format!(
        ", c_py AS (SELECT {} AS r, {col} AS c, CAST(coalesce({}, 0) AS DOUBLE) AS v, {} AS ag, p.sex AS sex
           FROM person_year p WHERE p.year IN ",
        key_sql(req.rows),
        req.measure.sql(),
        age_group_sql("p.age"),
    ));
    q.bind_list(years.iter().map(|y| text(y)));
    // everyone needs no join with the people (at country scale the semi-join of 5.5M
    // person-years against 5.5M people was most of a one-dimension cube's time)
    q.push(if spec.is_some() { " AND p.anon_chi IN (SELECT anon_chi FROM people)) " } else { " AND p.anon_chi IS NOT NULL) " });
    Ok(q)
}

/// The standard's age group (index into `esp2013()`) of an age column; NULL without an age.
pub(crate) fn age_group_sql(col: &str) -> String {
    let mut s = String::from("CASE");
    for (i, g) in esp2013().iter().enumerate() {
        s.push_str(&format!(" WHEN {col} BETWEEN {} AND {} THEN {i}", g.from, g.to));
    }
    s.push_str(" END");
    s
}

/// `grouping(c)` and the column key, where there are columns (a column not grouped by cannot
/// be selected).
fn col_grouping(has_cols: bool) -> &'static str {
    if has_cols {
        "grouping(c)"
    } else {
        "1"
    }
}

fn col_key(has_cols: bool) -> &'static str {
    if has_cols {
        "coalesce(c, '')"
    } else {
        "''"
    }
}

fn grouped(conn: &Connection, q: &Frag, has_cols: bool) -> Result<Vec<(Level, String, String, u64, f64)>> {
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let g = |i: usize| -> Result<bool> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0) };
        out.push((
            level(g(0)?, g(1)?, has_cols),
            r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            r.get::<_, Option<i64>>(4)?.unwrap_or(0).max(0) as u64,
            r.get::<_, Option<f64>>(5)?.unwrap_or(0.0),
        ));
    }
    Ok(out)
}

/// Replace each value by its directly standardised rate.
fn standardise(
    conn: &Connection,
    base: &Frag,
    years: &[String],
    cohort: bool,
    req: &CubeRequest,
    has_cols: bool,
    cells: &mut HashMap<(Level, String, String), CubeCell>,
) -> Result<()> {
    let sets = if has_cols { "GROUPING SETS ((r, c, ag, sex), (r, ag, sex), (c, ag, sex), (ag, sex))" } else { "GROUPING SETS ((r, ag, sex), (ag, sex))" };
    let mut q = base.clone();
    q.push(&format!(
        "SELECT grouping(r), {}, coalesce(r, ''), {}, ag, sex, count(*), coalesce(sum(v), 0)
         FROM c_py WHERE ag IS NOT NULL AND sex IN ('F', 'M') GROUP BY {sets}",
        col_grouping(has_cols),
        col_key(has_cols)
    ));
    let mut strata: HashMap<(Level, String, String), HashMap<Stratum, StratumCounts>> = HashMap::new();
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    while let Some(r) = rows.next()? {
        let g = |i: usize| -> Result<bool> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0) };
        let key = (level(g(0)?, g(1)?, has_cols), r.get::<_, Option<String>>(2)?.unwrap_or_default(), r.get::<_, Option<String>>(3)?.unwrap_or_default());
        let stratum = (r.get::<_, Option<i64>>(4)?.unwrap_or(0).max(0) as usize, r.get::<_, Option<String>>(5)?.unwrap_or_default());
        let counts = StratumCounts { people: r.get::<_, Option<i64>>(6)?.unwrap_or(0).max(0) as u64, events: r.get::<_, Option<f64>>(7)?.unwrap_or(0.0) };
        strata.entry(key).or_default().insert(stratum, counts);
    }
    let weights = standard_weights(conn, years, cohort, req.standard, &strata)?;
    for (key, cell) in cells.iter_mut() {
        cell.value = strata.get(key).and_then(|s| direct_rate(s, &weights)).unwrap_or(f64::NAN);
    }
    Ok(())
}

/// ESP 2013 per stratum (age group x sex), the same weights for both sexes.
pub(crate) fn esp_weights() -> HashMap<Stratum, f64> {
    esp2013().iter().enumerate().flat_map(|(i, g)| ["F", "M"].map(|s| ((i, s.to_string()), g.weight))).collect()
}

/// The standard population per stratum: ESP 2013 for both sexes, or the workspace's people of
/// the years (everyone: the total's strata when there is no cohort, else read again).
fn standard_weights(
    conn: &Connection,
    years: &[String],
    cohort: bool,
    standard: Standard,
    strata: &HashMap<(Level, String, String), HashMap<Stratum, StratumCounts>>,
) -> Result<HashMap<Stratum, f64>> {
    match standard {
        Standard::Esp2013 => Ok(esp_weights()),
        Standard::Workspace if !cohort => Ok(strata
            .iter()
            .filter(|((lv, _, _), _)| *lv == Level::Total)
            .flat_map(|(_, s)| s.iter().map(|(k, c)| (k.clone(), c.people as f64)))
            .collect()),
        Standard::Workspace => {
            let mut q = Frag::text(&format!(
                "SELECT ag, sex, count(*) FROM (SELECT {} AS ag, p.sex FROM person_year p WHERE p.year IN ",
                age_group_sql("p.age")
            ));
            q.bind_list(years.iter().map(|y| text(y))).push(") WHERE sex IN ('F', 'M') AND ag IS NOT NULL GROUP BY ag, sex");
            let mut st = conn.prepare(&q.sql)?;
            let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
            let mut w = HashMap::new();
            while let Some(r) = rows.next()? {
                let k = (r.get::<_, Option<i64>>(0)?.unwrap_or(0).max(0) as usize, r.get::<_, Option<String>>(1)?.unwrap_or_default());
                w.insert(k, r.get::<_, Option<i64>>(2)?.unwrap_or(0) as f64);
            }
            Ok(w)
        }
    }
}

/// Per cell and total, the percent of its sum held by its top `top` % of people (ranked by the
/// measure; the top n is `ceil(people x top / 100)`, so at least one person).
fn top_shares(conn: &Connection, base: &Frag, top: f64, has_cols: bool) -> Result<Vec<((Level, String, String), Option<f64>)>> {
    // (partition, row key, column key, level: 0 cell, 1 row total, 2 column total, 3 total)
    let parts: Vec<(&str, &str, &str, u8)> = if has_cols {
        vec![("r, c", "coalesce(r, '')", "coalesce(c, '')", 0), ("r", "coalesce(r, '')", "''", 1), ("c", "''", "coalesce(c, '')", 2), ("", "''", "''", 3)]
    } else {
        vec![("r", "coalesce(r, '')", "''", 1), ("", "''", "''", 3)]
    };
    let mut q = base.clone();
    for (i, (by, rk, ck, lv)) in parts.iter().enumerate() {
        let over = if by.is_empty() { String::new() } else { format!("PARTITION BY {by} ") };
        q.push(&format!(", t{i} AS (SELECT {lv} AS lv, {rk} AS rk, {ck} AS ck, sum(v) FILTER (WHERE rn <= ceil(n * "));
        q.bind(Value::Double(top));
        q.push(&format!(
            " / 100.0)) AS top, sum(v) AS s FROM (SELECT r, c, v, row_number() OVER ({over}ORDER BY v DESC) AS rn, count(*) OVER ({over}) AS n FROM c_py) GROUP BY ALL)"
        ));
    }
    let union: Vec<String> = (0..parts.len()).map(|i| format!("SELECT lv, rk, ck, top, s FROM t{i}")).collect();
    q.push(&format!(" {}", union.join(" UNION ALL ")));
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let lv = match r.get::<_, Option<i64>>(0)?.unwrap_or(3) {
            0 => Level::Cell,
            1 => Level::RowTotal,
            2 => Level::ColTotal,
            _ => Level::Total,
        };
        let (top, sum) = (r.get::<_, Option<f64>>(3)?.unwrap_or(0.0), r.get::<_, Option<f64>>(4)?.unwrap_or(0.0));
        let share = if sum > 0.0 { Some(top * 100.0 / sum) } else { None };
        out.push(((lv, r.get::<_, Option<String>>(1)?.unwrap_or_default(), r.get::<_, Option<String>>(2)?.unwrap_or_default()), share));
    }
    Ok(out)
}

/// Label the keys and put the cells and totals in reading order.
fn assemble(req: &CubeRequest, years: &[String], cells: HashMap<(Level, String, String), CubeCell>) -> CubeFigures {
    let mut by_level: HashMap<Level, Vec<CubeCell>> = HashMap::new();
    for ((lv, _, _), mut cell) in cells {
        cell.row = if matches!(lv, Level::ColTotal | Level::Total) { "total".into() } else { label(req.rows, &cell.row) };
        cell.col = match (lv, req.cols) {
            (_, None) => String::new(),
            (Level::RowTotal | Level::Total, _) => "total".into(),
            (_, Some(d)) => label(d, &cell.col),
        };
        by_level.entry(lv).or_default().push(cell);
    }
    let mut take = |lv: Level| by_level.remove(&lv).unwrap_or_default();
    let mut row_totals = take(Level::RowTotal);
    order(req.rows, &mut row_totals, |c| c.row.as_str(), |c| c.people);
    let mut col_totals = take(Level::ColTotal);
    if let Some(d) = req.cols {
        order(d, &mut col_totals, |c| c.col.as_str(), |c| c.people);
    }
    let row_keys: Vec<String> = row_totals.iter().map(|c| c.row.clone()).collect();
    let col_keys: Vec<String> = col_totals.iter().map(|c| c.col.clone()).collect();
    let pos = |keys: &[String], k: &str| keys.iter().position(|x| x == k).unwrap_or(usize::MAX);
    let mut cells = if req.cols.is_some() { take(Level::Cell) } else { row_totals.clone() };
    cells.sort_by_key(|c| (pos(&row_keys, &c.row), pos(&col_keys, &c.col)));
    let total = take(Level::Total).pop().unwrap_or(CubeCell { row: "total".into(), col: String::new(), row_key: String::new(), col_key: String::new(), people: 0, sum: 0.0, value: f64::NAN, top_share: None });
    CubeFigures {
        years: years.to_vec(),
        measure: req.measure,
        rows: req.rows,
        cols: req.cols,
        rate: req.rate,
        standard: req.standard,
        top: req.top,
        row_keys,
        col_keys,
        cells,
        row_totals: if req.cols.is_some() { row_totals } else { Vec::new() },
        col_totals,
        total,
    }
}
