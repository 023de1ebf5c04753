//! High Resource Individuals exactly as PHS computes them: per year and geography (Scotland,
//! NHS board of residence, council), Scottish residents sorted by health cost descending
//! (ties: anon_chi ascending, our documented stable order), each person's cumulative share of
//! the area's total; HRI where the cumulative % <= 50 (`R/add_hri_variables.R` L98-128).
//! Missing board/council -> % NULL, flag false (L129-133). A year whose individual file
//! carries HRI %s keeps the file's %s, and disagreements with PHS's rule are recorded.
use crate::model::geography::SCOTTISH_POSTCODE_AREAS;
use crate::model::hri::band_sql;
use anyhow::Result;
use duckdb::Connection;

/// Tolerance for agreement with a file's own %: the SPSS files carry one decimal place.
pub const AGREEMENT_TOLERANCE: f64 = 0.05;

/// SQL: is this person-year in PHS's HRI population? PHS keeps `scottish_resident == 0` only:
/// the postcode area (`^[A-Z]{1,3}`) is one found in the Scottish postcode lookup
/// (`R/add_hri_variables.R` L25-47, filter L98; "The intention is to only keep the records
/// where keep_flag = 0", L11). Blank and dummy postcodes (BF010AA, NF1 1AB, NK010AA, ZZ..)
/// and English practices with them are codes 1-4 there, so they are all out; the practice
/// code only matters for which of those codes applies, never for being in.
pub fn resident_sql() -> String {
    let areas: Vec<String> = SCOTTISH_POSTCODE_AREAS.iter().map(|a| format!("'{a}'")).collect();
    format!(
        "coalesce(regexp_extract(upper(trim(postcode)), '^[A-Z]{{1,3}}') IN ({areas}), false)",
        areas = areas.join(", ")
    )
}

/// Before the first year: which years' individual files carry their own HRI %s, per level.
pub fn prepare(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE hri_file_years AS
         SELECT year, bool_or(hri_scotp IS NOT NULL) AS has_scot, bool_or(hri_hbp IS NOT NULL) AS has_hb,
                bool_or(hri_lcap IS NOT NULL) AS has_lca
         FROM stg_individual GROUP BY year;",
    )?;
    Ok(())
}

/// After the last year.
pub fn finish(conn: &Connection) -> Result<()> {
    conn.execute_batch("DROP TABLE hri_file_years;")?;
    Ok(())
}

/// Write one year's `person_year` rows from `py_base` (that year's rows, built by
/// `person_year`) with the HRI columns added; the first year creates the table. PHS ranks
/// within a year, so a year at a time gives the same ranks.
/// A year whose individual file carries HRI %s takes the file's %s as they are for everyone
/// (NULL stays NULL, `R/add_hri_variables.R` L146 left join); only a year without them is
/// computed. Disagreements are the file's %s against PHS's rule computed here.
pub fn apply_year(conn: &Connection, first: bool) -> Result<()> {
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
    let lca = cum(", hri_lca", "AND hri_lca IS NOT NULL");
    let pick = |file: &str, ours: &str, has: &str| format!("CASE WHEN coalesce(fy.{has}, false) THEN py.{file} ELSE h.{ours} END");
    let (p_scot, p_hb, p_lca) =
        (pick("file_hri_scotp", "scotp", "has_scot"), pick("file_hri_hbp", "hbp", "has_hb"), pick("file_hri_lcap", "lcap", "has_lca"));
    let write = |table: &str| {
        if first {
            format!("CREATE OR REPLACE TABLE {table} AS")
        } else {
            format!("INSERT INTO {table}")
        }
    };
    let sql = format!(
        "CREATE OR REPLACE TEMP TABLE hri_calc AS
         SELECT anon_chi, year, {scot} AS scotp, {hb} AS hbp, {lca} AS lcap
         FROM (SELECT anon_chi, year, health_net_cost AS c, hri_board, hri_lca, {resident} AS resident FROM py_base);

         {write_disagreements}
         SELECT anon_chi, year, level, theirs, ours FROM (
           SELECT py.anon_chi, py.year, 'scotland' AS level, fy.has_scot AS has, py.file_hri_scotp AS theirs, h.scotp AS ours, py.in_individual_file
           FROM py_base py JOIN hri_calc h USING (anon_chi, year) JOIN hri_file_years fy USING (year)
           UNION ALL SELECT py.anon_chi, py.year, 'board', fy.has_hb, py.file_hri_hbp, h.hbp, py.in_individual_file
           FROM py_base py JOIN hri_calc h USING (anon_chi, year) JOIN hri_file_years fy USING (year)
           UNION ALL SELECT py.anon_chi, py.year, 'council', fy.has_lca, py.file_hri_lcap, h.lcap, py.in_individual_file
           FROM py_base py JOIN hri_calc h USING (anon_chi, year) JOIN hri_file_years fy USING (year))
         WHERE has AND in_individual_file
           AND ((theirs IS NULL) <> (ours IS NULL) OR abs(theirs - ours) > {tol} OR (theirs <= 50) <> (ours <= 50));

         {write_person_year}
         SELECT py.* EXCLUDE (file_hri_scotp, file_hri_hbp, file_hri_lcap, hri_board, hri_lca, in_individual_file),
           {p_scot} AS hri_scotp,
           {p_hb} AS hri_hbp,
           {p_lca} AS hri_lcap,
           coalesce({p_scot} <= 50, false) AS hri_scot,
           coalesce({p_hb} <= 50, false) AS hri_hb,
           coalesce({p_lca} <= 50, false) AS hri_lca,
           {band_scot} AS hri_scot_band,
           {band_hb} AS hri_hb_band,
           {band_lca} AS hri_lca_band,
           CASE WHEN coalesce(fy.has_scot, false) THEN 'individual file' ELSE 'computed' END AS hri_source
         FROM py_base py LEFT JOIN hri_calc h USING (anon_chi, year) LEFT JOIN hri_file_years fy ON fy.year = py.year
         ORDER BY py.year, py.anon_chi;
         DROP TABLE hri_calc; DROP TABLE py_base;",
        write_disagreements = write("hri_disagreements"),
        write_person_year = write("person_year"),
        tol = AGREEMENT_TOLERANCE,
        band_scot = band_sql(&p_scot),
        band_hb = band_sql(&p_hb),
        band_lca = band_sql(&p_lca),
    );
    conn.execute_batch(&sql)?;
    Ok(())
}
