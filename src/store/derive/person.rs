//! `sc_link` and `person`.
use anyhow::Result;
use duckdb::Connection;

/// Social care clients linked to people through the SC2 demographics file. The CHI itself is
/// never kept: it is turned into the anonymised id (base64 of the 10-digit CHI) on staging.
pub fn build_sc_link(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TABLE sc_link AS
         SELECT sending_location, social_care_id,
                arg_max(anon_chi, coalesce(period, '') || lpad(CAST(row_number AS VARCHAR), 12, '0')) AS anon_chi,
                arg_max(chi_date_of_birth, coalesce(period, '')) AS dob,
                max(date_of_death) AS death_date,
                arg_max(chi_gender_code, coalesce(period, '')) AS gender,
                arg_max(chi_postcode, coalesce(period, '')) AS postcode
         FROM stg_sc_demographics
         WHERE anon_chi IS NOT NULL
         GROUP BY sending_location, social_care_id;",
    )?;
    Ok(())
}

/// One row per person: sex, birth year-month (never the full date of birth), death date,
/// latest geography and SIMD, with names from the compiled-in code lists.
pub fn build_person(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TABLE person AS
         WITH person_records AS (
         SELECT anon_chi, year, record_keydate1 AS d, gender, dob, death_date, postcode, gpprac, lca, locality,
                datazone2011, {geo},
                simd2020v2_rank, simd2020v2_sc_decile, simd2020v2_sc_quintile,
                simd2020v2_hb2019_quintile, simd2020v2_hscp2019_quintile, ur8_2022, ur2_2022
         FROM stg_episode WHERE anon_chi IS NOT NULL -- rows without a CHI are activity, no person
         UNION ALL BY NAME
         SELECT anon_chi, year, CAST(NULL AS DATE) AS d, gender, dob, death_date, postcode, gpprac, lca, locality,
                datazone2011, {geo},
                simd2020v2_rank, simd2020v2_sc_decile, simd2020v2_sc_quintile,
                simd2020v2_hb2019_quintile, simd2020v2_hscp2019_quintile, ur8_2022, ur2_2022
         FROM stg_individual
         UNION ALL BY NAME
         SELECT anon_chi, '0000' AS year, CAST(NULL AS DATE) AS d, gender, dob, death_date, postcode
         FROM sc_link),
         -- latest record first: by year code, then start date (NULL lowest); an integer key
         -- ordered as the text year || date, without building text per row
         keyed AS (
           SELECT *, CAST(year AS BIGINT) * 1000000 + coalesce(date_diff('day', DATE '1900-01-01', d) + 1, 0) AS sk
           FROM person_records),
         latest AS (
           SELECT anon_chi,
             CASE mode(gender) FILTER (WHERE gender IN (1, 2)) WHEN 1 THEN 'M' WHEN 2 THEN 'F' END AS sex,
             CAST(date_trunc('month', mode(dob)) AS DATE) AS birth_ym,
             max(death_date) AS death_date,
             {latest}
           FROM keyed GROUP BY anon_chi),
         deaths AS (SELECT anon_chi, max(record_keydate1) AS nrs_death FROM stg_episode WHERE recid = 'NRS' AND anon_chi IS NOT NULL GROUP BY anon_chi)
         SELECT l.anon_chi, l.sex, l.birth_ym, coalesce(d.nrs_death, l.death_date) AS death_date,
                coalesce(l.lca, c2.lca, z.lca) AS lca,
                coalesce(l.ca2019, c.ca2019) AS ca2019,
                coalesce(l.hb2019, c.hb2019, c2.hb2019, z.hb2019) AS hb2019,
                coalesce(l.hscp2019, c.hscp2019, c2.hscp2019, z.hscp2019) AS hscp2019,
                coalesce(l.locality, z.hscp_locality) AS locality, l.datazone2011,
                coalesce(l.simd_rank, z.simd2020v2_rank) AS simd_rank,
                coalesce(l.simd_decile, z.simd2020v2_sc_decile) AS simd_decile,
                coalesce(l.simd_quintile, z.simd2020v2_sc_quintile) AS simd_quintile,
                coalesce(l.ur2, z.ur2_2022) AS ur2, coalesce(l.ur8, z.ur8_2022) AS ur8
         FROM latest l
         LEFT JOIN deaths d USING (anon_chi)
         LEFT JOIN ref_council c ON c.lca = l.lca
         LEFT JOIN ref_council c2 ON c2.ca2019 = l.ca2019
         LEFT JOIN (SELECT DISTINCT ON (datazone2011) * FROM stg_simd_lookup ORDER BY datazone2011, file_id DESC, row_number DESC) z
                ON z.datazone2011 = l.datazone2011
         ORDER BY l.anon_chi;

         CREATE OR REPLACE VIEW person_named AS
         SELECT p.*, c.council_name, b.board_name, h.hscp_name
         FROM person p LEFT JOIN ref_council c ON c.lca = p.lca
         LEFT JOIN ref_board b ON b.hb2019 = p.hb2019 LEFT JOIN ref_hscp h ON h.hscp2019 = p.hscp2019;",
        latest = super::common_sql::latest_known(&super::common_sql::GEOGRAPHY),
        geo = super::common_sql::current_geography_sql(),
    ))?;
    Ok(())
}
