//! `person_year`: one row per person per financial year with cost by component, counts, LTC
//! flags, age at the FY midpoint, geography and SIMD. HRI columns are added by `hri`,
//! which writes the table.
use super::common_sql::INPATIENT;
use crate::model::ltc::ltcs;
use crate::store::sql::{fy_end, fy_start, ident};
use anyhow::Result;
use duckdb::Connection;

/// Health cost components (SLF `health_net_cost`: excludes DN, care home, home care and DD).
pub const HEALTH_COMPONENTS: [(&str, &str); 8] = [
    ("acute_cost", "01B"),
    ("mat_cost", "02B"),
    ("mh_cost", "04B"),
    ("gls_cost", "GLS"),
    ("op_cost", "00B"),
    ("ae_cost", "AE2"),
    ("pis_cost", "PIS"),
    ("ooh_cost", "OoH"),
];

/// Geography, SIMD and person-year columns read from staged episodes and individual rows
/// (board, council and partnership in today's codes, see `current_geography_sql`).
fn geo_cols() -> String {
    format!(
        "lca, {}, locality, datazone2011, postcode, gpprac, \
         simd2020v2_rank, simd2020v2_sc_decile, simd2020v2_sc_quintile, simd2020v2_hb2019_quintile, simd2020v2_hscp2019_quintile, \
         ur2_2022, ur8_2022, ur6_2022, ur3_2022, cluster, demographic_cohort, service_use_cohort, \
         sparra_start_fy, sparra_end_fy, hhg_start_fy, hhg_end_fy, hl1_in_fy",
        super::common_sql::current_geography_sql()
    )
}

/// Sort key of an individual-file row: above every episode key (episodes: day number since
/// 1900 of the start date, NULL lowest, times 10^12, plus the row number).
const INDIVIDUAL_KEY: &str = "8000000000000000000";

/// Individual-file columns used for years without an episode file, and the file's HRI %.
const IND_COLS: [&str; 18] = [
    "acute_cost", "mat_cost", "mh_cost", "gls_cost", "op_cost_attend", "ae_cost", "pis_cost", "ooh_cost",
    "dn_cost", "ch_cost", "hc_total_cost", "health_net_cost", "hri_scotp", "hri_hbp", "hri_lcap",
    "keep_population", "health_net_cost_inc_dnas", "preventable_beddays",
];

/// Besides the person-level geography, each person-year keeps these (postcode and practice
/// decide HRI residency; board and HSCP SIMD quintiles are per-year filters).
const PER_YEAR_GEOGRAPHY: [(&str, &str); 14] = [
    ("postcode", "postcode"),
    ("gpprac", "gpprac"),
    ("simd2020v2_hb2019_quintile", "simd_hb_quintile"),
    ("simd2020v2_hscp2019_quintile", "simd_hscp_quintile"),
    ("hri_board", "hri_board"),
    ("ur6_2022", "ur6"),
    ("ur3_2022", "ur3"),
    ("cluster", "cluster"),
    ("demographic_cohort", "demographic_cohort"),
    ("service_use_cohort", "service_use_cohort"),
    // SPARRA / HHG scores (PHS `R/join_sparra_hhg.R` L130-186): one per person-year
    ("sparra_start_fy", "sparra_start_fy"),
    ("sparra_end_fy", "sparra_end_fy"),
    ("hhg_start_fy", "hhg_start_fy"),
    ("hhg_end_fy", "hhg_end_fy"),
];

/// Record types whose cost is health cost (`HEALTH_COMPONENTS`), as a SQL list.
const HEALTH_RECIDS: &str = "('01B', '02B', '04B', 'GLS', '00B', 'AE2', 'PIS', 'OoH')";

pub fn build_person_year(conn: &Connection) -> Result<()> {
    let mut cost_cols = Vec::new();
    for (col, recid) in HEALTH_COMPONENTS {
        cost_cols.push(format!("coalesce(sum(cost) FILTER (WHERE recid = '{recid}'), 0) AS {col}"));
    }
    for (col, recid) in [("dn_cost", "DN"), ("ch_cost", "CH"), ("hc_cost", "HC")] {
        cost_cols.push(format!("coalesce(sum(cost) FILTER (WHERE recid = '{recid}'), 0) AS {col}"));
    }
    // LTC: incidence date (earliest seen for the person) and the flag per year (date on or
    // before the FY end, or the extract's own flag set that year).
    let mut ltc_first = Vec::new();
    let mut ltc_flag_year = Vec::new();
    let mut ltc_out = Vec::new();
    let mut ltc_count = Vec::new();
    let mut ltc_cols = Vec::new();
    for l in ltcs() {
        let c = &l.code;
        let d = ident(&format!("{c}_date"));
        ltc_first.push(format!("min({d}) AS {d}"));
        ltc_flag_year.push(format!("min({d}) AS {d}, max({}) AS {}", ident(c), ident(&format!("{c}_flag"))));
        ltc_cols.push(format!("{d}, {}", ident(c)));
        let expr = format!(
            "CAST(coalesce(lf.{d} <= {fe}, false) OR coalesce(g.{f} = 1, false) AS INTEGER)",
            fe = fy_end("k.year"),
            f = ident(&format!("{c}_flag"))
        );
        ltc_out.push(format!("{expr} AS {}", ident(c)));
        ltc_count.push(expr);
    }
    let f = Fragments {
        cost_cols: cost_cols.join(",\n             "),
        ltc_flag_year: ltc_flag_year.join(", "),
        ltc_cols: ltc_cols.join(", "),
        ltc_out: ltc_out.join(",\n           "),
        ltc_count_sum: ltc_count.join(" + "),
    };
    // Once for all years: each person's earliest LTC dates (the flags of every year need
    // them) and which years have an episode file with health activity.
    let dates: Vec<String> = ltcs().iter().map(|l| ident(&format!("{}_date", l.code))).collect();
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE py_ltc_first AS
           SELECT anon_chi, {ltc_first} FROM (
             SELECT anon_chi, {dates} FROM stg_episode WHERE anon_chi IS NOT NULL
             UNION ALL SELECT anon_chi, {dates} FROM stg_individual)
           GROUP BY anon_chi;
         -- the same, one row per person and condition recorded (the pathways index LTC first recorded)
         CREATE OR REPLACE TABLE person_ltc AS
           SELECT anon_chi, regexp_replace(ltc, '_date$', '') AS ltc, first_date
           FROM (UNPIVOT py_ltc_first ON COLUMNS(* EXCLUDE (anon_chi)) INTO NAME ltc VALUE first_date)
           ORDER BY anon_chi;
         -- a year's costs come from its episode rows only when they hold health activity; a
         -- file with, say, one homelessness row for a year known from its individual file adds
         -- its rows and leaves the year's costs alone (issue 11, item 4)
         CREATE OR REPLACE TEMP TABLE py_episode_years AS
           SELECT DISTINCT year FROM stg_episode WHERE recid IN {HEALTH_RECIDS};",
        ltc_first = ltc_first.join(", "),
        dates = dates.join(", "),
    ))?;
    // Then one financial year at a time: every group-by, join and HRI rank below is within a
    // year, so a year's working set is all that is held at once (a country load fits in a
    // few GB; issue 16, item 2). `person_year` is written year by year in (year, person) order.
    super::hri::prepare(conn)?;
    let years = derive_years(conn)?;
    for (i, year) in years.iter().enumerate() {
        let y = YearFilter(year.as_deref());
        for statement in year_filtered(&f, &y) {
            y.run(conn, &statement)?;
        }
        conn.execute_batch(&year_joined(&f))?;
        super::hri::apply_year(conn, i == 0)?;
    }
    conn.execute_batch("DROP TABLE py_ltc_first; DROP TABLE py_episode_years;")?;
    super::hri::finish(conn)
}

/// The aggregate and CASE lists every year's statements share.
struct Fragments {
    cost_cols: String,
    ltc_flag_year: String,
    ltc_cols: String,
    ltc_out: String,
    ltc_count_sum: String,
}

/// The rows of one financial year (`None`: rows without one), bound as `$1`, never spliced.
struct YearFilter<'a>(Option<&'a str>);

impl YearFilter<'_> {
    fn sql(&self, col: &str) -> String {
        match self.0 {
            Some(_) => format!("{col} = $1"),
            None => format!("{col} IS NULL"),
        }
    }

    fn run(&self, conn: &Connection, sql: &str) -> Result<()> {
        match self.0 {
            Some(year) => conn.execute(sql, [year])?,
            None => conn.execute(sql, [])?,
        };
        Ok(())
    }
}

/// Every year a person-year can come from (staged rows and events), in order, no year last;
/// at least one entry so that the tables are made (empty) when nothing is staged.
fn derive_years(conn: &Connection) -> Result<Vec<Option<String>>> {
    let mut st = conn.prepare(
        "SELECT DISTINCT year FROM (
           SELECT year FROM stg_episode WHERE anon_chi IS NOT NULL
           UNION SELECT year FROM stg_individual
           UNION SELECT year FROM event WHERE anon_chi IS NOT NULL)
         ORDER BY year NULLS LAST",
    )?;
    let mut years: Vec<Option<String>> = st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
    if years.is_empty() {
        years.push(None);
    }
    Ok(years)
}

/// One year's scans of staging and events, each filtered to the year by `y`.
fn year_filtered(f: &Fragments, y: &YearFilter) -> Vec<String> {
    let geo = format!(
        "-- Staged episodes and individual rows with only the columns used: per person the
         -- latest geography (individual file first, then the episode with the latest start
         -- date, then the latest row; NULL dates lowest) and the extract's own LTC flags.
         -- Integer sort keys, not text, for arg_max.
         CREATE OR REPLACE TEMP TABLE py_geo AS
           SELECT anon_chi, year,
             {geo},
             max(hl1_in_fy) AS hl1_in_fy_file, -- PHS takes the max over the year (`aggregate_by_chi.R` L160-170)
             {ltc_flag_year}
           FROM (SELECT anon_chi, year, {geo_cols}, {ltc_cols},
                   (coalesce(date_diff('day', DATE '1900-01-01', record_keydate1) + 1, 0)) * 1000000000000 + row_number AS sk
                 FROM stg_episode WHERE anon_chi IS NOT NULL AND {yf}
                 UNION ALL
                 SELECT anon_chi, year, {geo_cols}, {ltc_cols}, {individual_key} AS sk FROM stg_individual WHERE {yf})
           GROUP BY anon_chi, year",
        geo = super::common_sql::latest_known(&[&super::common_sql::GEOGRAPHY[..], &PER_YEAR_GEOGRAPHY[..]].concat()),
        ltc_flag_year = f.ltc_flag_year,
        geo_cols = geo_cols(),
        ltc_cols = f.ltc_cols,
        individual_key = INDIVIDUAL_KEY,
        yf = y.sql("year"),
    );
    let agg = format!(
        "CREATE OR REPLACE TEMP TABLE py_agg AS
           SELECT anon_chi, year, {cost_cols},
             -- admissions without a CIJ marker count one each; those with one are in py_cij
             count(*) FILTER (WHERE emergency AND cij_marker IS NULL) AS emergency_admissions,
             count(*) FILTER (WHERE elective AND cij_marker IS NULL) AS elective_admissions,
             count(*) FILTER (WHERE ppa AND cij_marker IS NULL) AS ppa_admissions,
             count(*) FILTER (WHERE recid = 'AE2') AS ae_attendances,
             count(*) FILTER (WHERE recid = '00B' AND coalesce(attendance_status, 1) = 1) AS op_attendances,
             count(DISTINCT coalesce(ooh_case_id, 'e' || event_id)) FILTER (WHERE recid = 'OoH') AS ooh_cases,
             coalesce(sum(beddays) FILTER (WHERE recid = '01B'), 0) AS acute_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid = '04B'), 0) AS mh_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid = 'GLS'), 0) AS gls_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid = '02B'), 0) AS mat_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid IN {INPATIENT}), 0) AS inpatient_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid = 'DD'), 0) AS dd_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid = 'DD' AND code9), 0) AS dd_code9_beddays,
             coalesce(sum(beddays) FILTER (WHERE recid = 'DD' AND NOT code9), 0) AS dd_noncode9_beddays,
             coalesce(sum(prescribing_items) FILTER (WHERE recid = 'PIS'), 0) AS pis_items,
             coalesce(sum(beddays) FILTER (WHERE recid = 'CH'), 0) AS ch_beddays,
             coalesce(sum(hc_hours) FILTER (WHERE recid = 'HC'), 0) AS hc_hours,
             count(*) FILTER (WHERE recid = 'AT' AND smrtype = 'AT-Alarm') > 0 AS at_alarm,
             count(*) FILTER (WHERE recid = 'AT' AND smrtype = 'AT-Tele') > 0 AS at_telecare,
             count(*) FILTER (WHERE recid = 'SDS' AND sds_option = 1) > 0 AS sds_option_1,
             count(*) FILTER (WHERE recid = 'SDS' AND sds_option = 2) > 0 AS sds_option_2,
             count(*) FILTER (WHERE recid = 'SDS' AND sds_option = 3) > 0 AS sds_option_3,
             count(*) FILTER (WHERE recid = 'SDS' AND sds_option = 4) > 0 AS sds_option_4,
             count(*) FILTER (WHERE recid NOT IN ('NRS')) > 0 AS service_user,
             coalesce(sum(coalesce(cost_inc_dnas, cost)) FILTER (WHERE recid IN {HEALTH_RECIDS}), 0) AS health_net_cost_inc_dnas,
             count(*) FILTER (WHERE recid = 'HL1') > 0 AS hl1_event,
             count(*) FILTER (WHERE alcohol) AS alcohol_events,
             count(*) FILTER (WHERE substance) AS substance_events,
             count(*) FILTER (WHERE falls) AS falls_events,
             count(*) FILTER (WHERE selfharm) AS selfharm_events
           FROM event WHERE anon_chi IS NOT NULL AND {yf} GROUP BY anon_chi, year",
        cost_cols = f.cost_cols,
        yf = y.sql("year"),
    );
    let cij = format!(
        "-- admissions with a CIJ marker: distinct CIJs per person-year (a CIJ counts as
         -- emergency if any of its episodes is); grouping first is much cheaper than DISTINCT
         CREATE OR REPLACE TEMP TABLE py_cij AS
           SELECT anon_chi, year, count(*) FILTER (WHERE e) AS emergency, count(*) FILTER (WHERE l) AS elective,
             count(*) FILTER (WHERE p) AS ppa,
             -- PPA bed days: per PPA CIJ, days of the CIJ inside the FY (PHS `R/aggregate_by_chi.R` L172-188)
             coalesce(sum(CASE WHEN cs IS NOT NULL AND ce IS NOT NULL THEN date_diff('day', greatest(cs, {fs_e}), least(ce, {fe_e})) END) FILTER (WHERE p), 0) AS ppa_beddays
           FROM (SELECT anon_chi, year, bool_or(emergency) AS e, bool_or(elective) AS l, bool_or(ppa) AS p,
                   min(cij_start_date) AS cs, max(cij_end_date) AS ce
                 FROM event WHERE anon_chi IS NOT NULL AND cij_marker IS NOT NULL AND (emergency OR elective OR ppa) AND {yf}
                 GROUP BY anon_chi, year, cij_marker)
           GROUP BY anon_chi, year",
        fs_e = fy_start("year"),
        fe_e = fy_end("year"),
        yf = y.sql("year"),
    );
    let ind = format!(
        "CREATE OR REPLACE TEMP TABLE py_ind AS
           SELECT DISTINCT ON (anon_chi, year) anon_chi, year, {ind_cols}
           FROM stg_individual WHERE {yf} ORDER BY anon_chi, year, file_id DESC, row_number DESC",
        ind_cols = IND_COLS.join(", "),
        yf = y.sql("year"),
    );
    vec![geo, agg, cij, ind]
}

/// The year's tables from `year_filtered` joined into `py_base` (that year's person_year
/// without HRI), then dropped.
fn year_joined(f: &Fragments) -> String {
    format!(
        "-- every person-year seen in staging (py_geo) or in events (py_agg)
         CREATE OR REPLACE TEMP TABLE py_keys AS
           SELECT anon_chi, year FROM py_geo UNION SELECT anon_chi, year FROM py_agg WHERE year IS NOT NULL;
         -- person_year without HRI; `hri` adds it and writes the year's rows
         CREATE OR REPLACE TEMP TABLE py_base AS
         SELECT k.anon_chi, k.year,
           p.sex,
           CASE WHEN p.birth_ym IS NOT NULL THEN {age} END AS age,
           coalesce(g.lca, c2.lca, p.lca) AS lca,
           coalesce(g.lca, c2.lca) AS hri_lca, -- that year's council only: PHS leaves the % NA without one (`add_hri_variables.R` L132-133)
           coalesce(g.hb2019, c.hb2019, c2.hb2019, p.hb2019) AS hb2019,
           g.hri_board, -- the board as recorded in the extract (hbrescode first): PHS scores HRIs on it
           coalesce(g.hscp2019, c.hscp2019, c2.hscp2019, p.hscp2019) AS hscp2019,
           coalesce(g.locality, p.locality) AS locality,
           coalesce(g.datazone2011, p.datazone2011) AS datazone2011,
           g.postcode, g.gpprac,
           coalesce(g.simd_rank, p.simd_rank) AS simd_rank,
           coalesce(g.simd_decile, p.simd_decile) AS simd_decile,
           coalesce(g.simd_quintile, p.simd_quintile) AS simd_quintile,
           g.simd_hb_quintile, g.simd_hscp_quintile,
           coalesce(g.ur2, p.ur2) AS ur2, coalesce(g.ur8, p.ur8) AS ur8,
           -- costs: from events when the year has an episode file, else from the individual file
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.acute_cost, 0) ELSE coalesce(i.acute_cost, 0) END AS acute_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.mat_cost, 0) ELSE coalesce(i.mat_cost, 0) END AS mat_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.mh_cost, 0) ELSE coalesce(i.mh_cost, 0) END AS mh_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.gls_cost, 0) ELSE coalesce(i.gls_cost, 0) END AS gls_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.op_cost, 0) ELSE coalesce(i.op_cost_attend, 0) END AS op_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.ae_cost, 0) ELSE coalesce(i.ae_cost, 0) END AS ae_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.pis_cost, 0) ELSE coalesce(i.pis_cost, 0) END AS pis_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.ooh_cost, 0) ELSE coalesce(i.ooh_cost, 0) END AS ooh_cost,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.dn_cost, 0) ELSE coalesce(i.dn_cost, 0) END AS dn_cost,
           coalesce(a.ch_cost, i.ch_cost, 0) AS ch_cost,
           coalesce(a.hc_cost, i.hc_total_cost, 0) AS hc_cost,
           CASE WHEN ey.year IS NOT NULL
                THEN coalesce(a.acute_cost, 0) + coalesce(a.mat_cost, 0) + coalesce(a.mh_cost, 0) + coalesce(a.gls_cost, 0)
                   + coalesce(a.op_cost, 0) + coalesce(a.ae_cost, 0) + coalesce(a.pis_cost, 0) + coalesce(a.ooh_cost, 0)
                ELSE coalesce(i.health_net_cost, 0) END AS health_net_cost,
           coalesce(a.emergency_admissions, 0) + coalesce(m.emergency, 0) AS emergency_admissions,
           coalesce(a.elective_admissions, 0) + coalesce(m.elective, 0) AS elective_admissions,
           coalesce(a.ppa_admissions, 0) + coalesce(m.ppa, 0) AS ppa_admissions,
           coalesce(a.ae_attendances, 0) AS ae_attendances,
           coalesce(a.op_attendances, 0) AS op_attendances,
           coalesce(a.ooh_cases, 0) AS ooh_cases,
           coalesce(a.acute_beddays, 0) AS acute_beddays,
           coalesce(a.mh_beddays, 0) AS mh_beddays,
           coalesce(a.gls_beddays, 0) AS gls_beddays,
           coalesce(a.mat_beddays, 0) AS mat_beddays,
           coalesce(a.inpatient_beddays, 0) AS inpatient_beddays,
           coalesce(a.dd_beddays, 0) AS dd_beddays,
           coalesce(a.dd_code9_beddays, 0) AS dd_code9_beddays,
           coalesce(a.dd_noncode9_beddays, 0) AS dd_noncode9_beddays,
           coalesce(a.pis_items, 0) AS pis_items,
           coalesce(a.ch_beddays, 0) AS ch_beddays,
           coalesce(a.hc_hours, 0) AS hc_hours,
           coalesce(a.at_alarm, false) AS at_alarm, coalesce(a.at_telecare, false) AS at_telecare,
           coalesce(a.sds_option_1, false) AS sds_option_1, coalesce(a.sds_option_2, false) AS sds_option_2,
           coalesce(a.sds_option_3, false) AS sds_option_3, coalesce(a.sds_option_4, false) AS sds_option_4,
           coalesce(a.service_user, false) OR coalesce(i.health_net_cost, 0) > 0 AS service_user,
           p.death_date IS NOT NULL AND p.death_date BETWEEN {fs} AND {fe} AS died_in_year,
           {ltc_out},
           {ltc_count_sum} AS ltc_count,
           i.hri_scotp AS file_hri_scotp, i.hri_hbp AS file_hri_hbp, i.hri_lcap AS file_hri_lcap,
           i.anon_chi IS NOT NULL AS in_individual_file,
           -- PHS's population flag (`R/add_keep_population_flag.R`); NULL without an individual file
           i.keep_population,
           g.cluster, g.ur6, g.ur3,
           g.demographic_cohort, g.service_use_cohort,
           g.sparra_start_fy, g.sparra_end_fy, g.hhg_start_fy, g.hhg_end_fy,
           coalesce(g.hl1_in_fy_file = 1, false) OR coalesce(a.hl1_event, false) AS hl1_in_fy,
           coalesce(a.alcohol_events, 0) AS alcohol_events, coalesce(a.substance_events, 0) AS substance_events,
           coalesce(a.falls_events, 0) AS falls_events, coalesce(a.selfharm_events, 0) AS selfharm_events,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(m.ppa_beddays, 0) ELSE coalesce(i.preventable_beddays, 0) END AS preventable_beddays,
           CASE WHEN ey.year IS NOT NULL THEN coalesce(a.health_net_cost_inc_dnas, 0)
                ELSE coalesce(i.health_net_cost_inc_dnas, i.health_net_cost, 0) END AS health_net_cost_inc_dnas
         FROM py_keys k
         LEFT JOIN person p USING (anon_chi)
         LEFT JOIN py_geo g ON g.anon_chi = k.anon_chi AND g.year = k.year
         LEFT JOIN ref_council c ON c.lca = g.lca
         LEFT JOIN ref_council c2 ON c2.ca2019 = g.ca2019
         LEFT JOIN py_agg a ON a.anon_chi = k.anon_chi AND a.year = k.year
         LEFT JOIN py_cij m ON m.anon_chi = k.anon_chi AND m.year = k.year
         LEFT JOIN py_ind i ON i.anon_chi = k.anon_chi AND i.year = k.year
         LEFT JOIN py_ltc_first lf ON lf.anon_chi = k.anon_chi
         LEFT JOIN py_episode_years ey ON ey.year = k.year;
         DROP TABLE py_keys; DROP TABLE py_geo; DROP TABLE py_agg; DROP TABLE py_ind; DROP TABLE py_cij;",
        age = super::common_sql::age_sql(&fy_start("k.year"), "p.birth_ym"),
        ltc_out = f.ltc_out,
        ltc_count_sum = f.ltc_count_sum,
        fs = fy_start("k.year"),
        fe = fy_end("k.year"),
    )
}
