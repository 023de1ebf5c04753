//! The SQL of HRI transition counts, shared by the live query (`transitions`) and the copy the
//! load stores (`transition_store`), so that the two count alike. Our own text only.
use crate::model::hri::HriLevel;
use crate::model::transitions::{DIED, NOT_IN_POPULATION, NOT_PRESENT};
use crate::model::year::FinYear;
use crate::store::cohort::sql::{hri_columns, text};

/// People by (earlier-year band, later-year category); a band is missing where the workspace
/// holds an HRI % without one.
pub(super) type Counts = Vec<(Option<String>, Option<String>, u64)>;

/// The SQL of the (band, category, people) counts from `fy1` to `fy2` at one level; `select`
/// is what leads the select list (the stored table adds the area of the earlier year), `in_area`
/// a condition on the earlier year's rows. Its parameters: the earlier year, those of
/// `in_area`, then [`to_params`]. Our own text only.
pub(super) fn counts_sql(level: HriLevel, select: &str, in_area: &str, group: &str) -> String {
    let (pcol, _, band, area_col) = hri_columns(level);
    format!(
        "WITH f AS (SELECT anon_chi, {band} AS band, CAST({area_col} AS VARCHAR) AS area FROM person_year WHERE year = ? AND {pcol} IS NOT NULL{in_area}),
              t AS (SELECT anon_chi, {band} AS band, {pcol} IS NOT NULL AS in_pop, coalesce(health_net_cost, 0) > 0 AS used
                    FROM person_year WHERE year = ?),
              d AS (SELECT anon_chi, death_date FROM person WHERE death_date IS NOT NULL)
         SELECT {select}f.band,
                CASE WHEN d.death_date < CAST(? AS DATE) THEN '{DIED}'
                     WHEN t.in_pop AND (t.used OR d.death_date IS NULL OR d.death_date > CAST(? AS DATE)) THEN t.band
                     WHEN d.death_date <= CAST(? AS DATE) THEN '{DIED}'
                     WHEN t.anon_chi IS NOT NULL THEN '{NOT_IN_POPULATION}'
                     ELSE '{NOT_PRESENT}' END AS to_band,
                count(*)
         FROM f LEFT JOIN t ON t.anon_chi = f.anon_chi LEFT JOIN d ON d.anon_chi = f.anon_chi
         GROUP BY {group}"
    )
}

/// The later year's parameters of [`counts_sql`].
pub(super) fn to_params(fy2: FinYear) -> Vec<duckdb::types::Value> {
    let (to_start, to_end) = fy2.bounds();
    vec![text(&fy2.code()), text(&to_start), text(&to_end), text(&to_end)]
}
