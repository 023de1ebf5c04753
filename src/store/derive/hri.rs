//! High Resource Individuals exactly as PHS computes them: per year and geography (Scotland,
//! NHS board of residence, council), Scottish residents sorted by health cost descending
//! (ties: anon_chi ascending, our documented stable order), each person's cumulative share of
//! the area's total; HRI where the cumulative % <= 50. Missing board/council -> % NULL, flag
//! false. If an individual file carries its own HRI %, we keep theirs and record disagreements.
use crate::model::geography::SCOTTISH_POSTCODE_AREAS;
use crate::model::hri::band_sql;
use anyhow::Result;
use duckdb::Connection;

/// Tolerance for agreement with a file's own %: the SPSS files carry one decimal place.
pub const AGREEMENT_TOLERANCE: f64 = 0.05;

/// SQL: is this person-year a Scottish resident for HRI purposes?
pub fn resident_sql() -> String {
    let areas: Vec<String> = SCOTTISH_POSTCODE_AREAS.iter().map(|a| format!("'{a}'")).collect();
    format!(
        "(regexp_extract(upper(trim(postcode)), '^[A-Z]+') IN ({areas}) \
          OR ((postcode IS NULL OR trim(postcode) = '' OR upper(trim(postcode)) IN ('BF010AA', 'NF1 1AB', 'NK010AA') \
               OR regexp_matches(upper(trim(postcode)), '^ZZ[0-9]{{2}}')) \
              AND coalesce(trim(gpprac), '') NOT IN ('9995', '99995')))",
        areas = areas.join(", ")
    )
}

/// Write `person_year` from `py_base` (built by `person_year`) with the HRI columns added.
pub fn apply_hri(conn: &Connection) -> Result<()> {
    let resident = resident_sql();
    let cum = |part: &str, filter: &str| {
        format!(
            "CASE WHEN resident {filter} AND sum(c) OVER (PARTITION BY year, resident {part}) > 0 THEN \
             100.0 * sum(c) OVER (PARTITION BY year, resident {part} ORDER BY c DESC, anon_chi ASC ROWS UNBOUNDED PRECEDING) \
             / sum(c) OVER (PARTITION BY year, resident {part}) END"
        )
    };
    let scot = cum("", "");
    let hb = cum(", hri_board", "AND hri_board IS NOT NULL");
    let lca = cum(", lca", "AND lca IS NOT NULL");
    let sql = format!(
        "CREATE OR REPLACE TEMP TABLE hri_calc AS
         SELECT anon_chi, year, {scot} AS scotp, {hb} AS hbp, {lca} AS lcap
         FROM (SELECT anon_chi, year, health_net_cost AS c, hri_board, lca, {resident} AS resident FROM py_base);

         CREATE OR REPLACE TABLE hri_disagreements AS
         SELECT anon_chi, year, level, theirs, ours FROM (
           SELECT py.anon_chi, py.year, 'scotland' AS level, py.file_hri_scotp AS theirs, h.scotp AS ours FROM py_base py JOIN hri_calc h USING (anon_chi, year)
           UNION ALL SELECT py.anon_chi, py.year, 'board', py.file_hri_hbp, h.hbp FROM py_base py JOIN hri_calc h USING (anon_chi, year)
           UNION ALL SELECT py.anon_chi, py.year, 'council', py.file_hri_lcap, h.lcap FROM py_base py JOIN hri_calc h USING (anon_chi, year))
         WHERE theirs IS NOT NULL AND (ours IS NULL OR abs(theirs - ours) > {tol} OR (theirs <= 50) <> (ours <= 50));

         CREATE OR REPLACE TABLE person_year AS
         SELECT py.* EXCLUDE (file_hri_scotp, file_hri_hbp, file_hri_lcap, hri_board),
           coalesce(py.file_hri_scotp, h.scotp) AS hri_scotp,
           coalesce(py.file_hri_hbp, h.hbp) AS hri_hbp,
           coalesce(py.file_hri_lcap, h.lcap) AS hri_lcap,
           coalesce(coalesce(py.file_hri_scotp, h.scotp) <= 50, false) AS hri_scot,
           coalesce(coalesce(py.file_hri_hbp, h.hbp) <= 50, false) AS hri_hb,
           coalesce(coalesce(py.file_hri_lcap, h.lcap) <= 50, false) AS hri_lca,
           {band_scot} AS hri_scot_band,
           {band_hb} AS hri_hb_band,
           {band_lca} AS hri_lca_band,
           CASE WHEN py.file_hri_scotp IS NOT NULL THEN 'individual file' ELSE 'computed' END AS hri_source
         FROM py_base py LEFT JOIN hri_calc h USING (anon_chi, year)
         ORDER BY py.year, py.anon_chi;
         DROP TABLE hri_calc; DROP TABLE py_base;",
        tol = AGREEMENT_TOLERANCE,
        band_scot = band_sql("coalesce(py.file_hri_scotp, h.scotp)"),
        band_hb = band_sql("coalesce(py.file_hri_hbp, h.hbp)"),
        band_lca = band_sql("coalesce(py.file_hri_lcap, h.lcap)"),
    );
    conn.execute_batch(&sql)?;
    Ok(())
}
