//! SQL pieces that person, person_year and event are all built with (one rule, one place).

/// Inpatient record types: admissions, CIJs and bed days come from these.
pub const INPATIENT: &str = "('01B', '02B', '04B', 'GLS')";

/// Key of a stay among an `event` person-year's inpatient episodes: its CIJ, else the episode on
/// its own (as `person_year.emergency_admissions` counts stays).
pub const STAY_KEY: &str = "CASE WHEN cij_marker IS NOT NULL THEN 'c' || CAST(cij_marker AS VARCHAR) ELSE 'e' || CAST(event_id AS VARCHAR) END";

/// `arg_max(col, sk) FILTER (WHERE col IS NOT NULL) AS alias, ...`: each column's latest known
/// value by the sort key `sk` (person and person_year take geography and SIMD this way).
pub(crate) fn latest_known(cols: &[(&str, &str)]) -> String {
    cols.iter()
        .map(|(col, alias)| format!("arg_max({col}, sk) FILTER (WHERE {col} IS NOT NULL) AS {alias}"))
        .collect::<Vec<_>>()
        .join(",\n             ")
}

/// Geography and SIMD columns of the SLF files with the names the model gives them; person and
/// person_year both take the latest known value of each.
pub(crate) const GEOGRAPHY: [(&str, &str); 11] = [
    ("lca", "lca"),
    ("ca2019", "ca2019"),
    ("hb2019", "hb2019"),
    ("hscp2019", "hscp2019"),
    ("locality", "locality"),
    ("datazone2011", "datazone2011"),
    ("simd2020v2_rank", "simd_rank"),
    ("simd2020v2_sc_decile", "simd_decile"),
    ("simd2020v2_sc_quintile", "simd_quintile"),
    ("ur2_2022", "ur2"),
    ("ur8_2022", "ur8"),
];

/// Board, council and partnership of a staged SLF row in today's codes: the 2019 column when
/// present, else the older vintage PHS files also carry (`hbrescode` = hb2018, `ca2018`,
/// `hscp2018`; `R/create_individual_file.R` L898-914), older codes mapped to current ones
/// (`model::geography::code_vintages`). `hri_board` keeps `hbrescode` first: PHS ranks board
/// HRIs within `hbrescode` (`R/add_hri_variables.R` L107).
pub(crate) fn current_geography_sql() -> String {
    use crate::model::geography::current_code_sql;
    format!(
        "{hb} AS hb2019, {ca} AS ca2019, {hscp} AS hscp2019, coalesce(hbrescode, hb2019) AS hri_board",
        hb = current_code_sql("coalesce(hb2019, hbrescode)"),
        ca = current_code_sql("coalesce(ca2019, ca2018)"),
        hscp = current_code_sql("coalesce(hscp2019, hscp2018)"),
    )
}

/// Age in whole years at 30 September of the FY starting `fy_start` (a DATE expression), from
/// the birth year-month `birth_ym`: PHS `R/compute_mid_year_age.R` L20-29 (lubridate period
/// from dob to 30 Sept). The month is enough because 30 Sept is that month's last day; a baby
/// born after 30 Sept is 0 (a negative period of under a year has 0 whole years), never -1.
pub(crate) fn age_sql(fy_start: &str, birth_ym: &str) -> String {
    format!("greatest(0, year({fy_start}) - year({birth_ym}) - CASE WHEN month({birth_ym}) > 9 THEN 1 ELSE 0 END)")
}

/// Age in whole years on the day `day` (a DATE expression) from the birth year-month
/// `birth_ym`: the birthday is taken to fall on the first of its month (the day is not kept),
/// as the timeline's `PersonHeader::age_on`.
pub(crate) fn age_on_sql(day: &str, birth_ym: &str) -> String {
    format!("greatest(0, year({day}) - year({birth_ym}) - CASE WHEN month({day}) < month({birth_ym}) THEN 1 ELSE 0 END)")
}
