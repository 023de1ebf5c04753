//! `event`: one row per episode, contact or package-year across all services, SLF and SC2
//! alike, stored sorted by person so one person's rows are found directly.
use super::INPATIENT;
use crate::store::sql::{fy_end, fy_start};
use anyhow::Result;
use duckdb::Connection;

const EVENT_DDL: &str = "CREATE OR REPLACE TEMP TABLE event_build (
    anon_chi VARCHAR, year VARCHAR, recid VARCHAR, smrtype VARCHAR, start_date DATE, end_date DATE,
    cost DOUBLE, beddays DOUBLE, stay DOUBLE,
    cij_marker BIGINT, cij_start_date DATE, cij_end_date DATE, emergency BOOLEAN, elective BOOLEAN,
    ipdc VARCHAR, spec VARCHAR, tadm VARCHAR, location VARCHAR,
    diag1 VARCHAR, diag2 VARCHAR, diag3 VARCHAR, diag4 VARCHAR, diag5 VARCHAR, diag6 VARCHAR,
    ppa BOOLEAN, attendance_status BIGINT,
    delay_reason VARCHAR, delay_reason_secondary VARCHAR, code9 BOOLEAN, delay_end_reason BIGINT,
    ae_attendcat VARCHAR, ae_arrivalmode VARCHAR, ooh_case_id VARCHAR, prescribing_items DOUBLE,
    ch_nursing BOOLEAN, ch_admission_type BIGINT, hc_hours DOUBLE, hc_service BIGINT, hc_reablement BOOLEAN,
    sds_option BIGINT, source VARCHAR, file_id INTEGER, source_row BIGINT)";

/// Order of `event` and its `event_id`. `year` last: a care home stay split over several FYs
/// gives one event per FY with the same start and source row.
pub fn build_event(conn: &Connection) -> Result<()> {
    conn.execute_batch(EVENT_DDL)?;
    conn.execute_batch(&slf_events())?;
    conn.execute_batch(&social_care_events())?;
    conn.execute_batch(
        "CREATE OR REPLACE TABLE event AS
         SELECT row_number() OVER (ORDER BY anon_chi, start_date NULLS FIRST, recid, file_id, source_row, year) AS event_id, *
         FROM event_build ORDER BY anon_chi, start_date NULLS FIRST, recid, file_id, source_row, year;
         DROP TABLE event_build;",
    )?;
    Ok(())
}

/// Nights in the FY of `y` between `s` and `e` (admission night counted, discharge day not;
/// an open stay runs to the end of the FY). For DD the last day counts and the first does not.
fn nights_in_year(s: &str, e: &str, y: &str, dd: bool) -> String {
    let (fs, fe) = (fy_start(y), fy_end(y));
    if dd {
        format!("greatest(0, date_diff('day', greatest({s}, CAST({fs} - INTERVAL 1 DAY AS DATE)), least(coalesce({e}, {fe}), {fe})))")
    } else {
        format!("greatest(0, date_diff('day', greatest({s}, {fs}), least(coalesce({e}, CAST({fe} + INTERVAL 1 DAY AS DATE)), CAST({fe} + INTERVAL 1 DAY AS DATE))))")
    }
}

fn slf_events() -> String {
    let ip_nights = nights_in_year("record_keydate1", "record_keydate2", "year", false);
    let dd_nights = nights_in_year("record_keydate1", "record_keydate2", "year", true);
    format!(
        "INSERT INTO event_build BY NAME
         SELECT anon_chi, year, recid, smrtype, record_keydate1 AS start_date, record_keydate2 AS end_date,
           coalesce(cost_total_net, 0) AS cost,
           CASE WHEN yearstay IS NOT NULL THEN yearstay
                WHEN recid IN {INPATIENT} AND coalesce(ipdc, 'I') <> 'D' THEN {ip_nights}
                WHEN recid = 'DD' THEN {dd_nights}
                ELSE 0 END AS beddays,
           stay, cij_marker, cij_start_date, cij_end_date,
           recid IN {INPATIENT} AND coalesce(cij_pattype_code = 0, cij_pattype = 'Non-Elective', tadm LIKE '3%', false) AS emergency,
           recid IN {INPATIENT} AND coalesce(cij_pattype_code = 1, cij_pattype = 'Elective', tadm LIKE '1%', false) AS elective,
           ipdc, spec, tadm, location, diag1, diag2, diag3, diag4, diag5, diag6,
           coalesce(cij_ppa = 1, false) AS ppa, attendance_status,
           primary_delay_reason AS delay_reason, secondary_delay_reason AS delay_reason_secondary,
           recid = 'DD' AND primary_delay_reason = '9' AS code9, delay_end_reason,
           ae_attendcat, ae_arrivalmode, ooh_case_id, no_paid_items AS prescribing_items,
           ch_nursing = 1 AS ch_nursing, ch_adm_reason AS ch_admission_type,
           hc_hours_annual AS hc_hours, NULL AS hc_service, hc_reablement = 1 AS hc_reablement,
           CASE WHEN recid = 'SDS' THEN TRY_CAST(substr(smrtype, 5, 1) AS BIGINT) END AS sds_option,
           'SLF episode file' AS source, file_id, row_number AS source_row
         FROM stg_episode WHERE recid <> 'NSU';"
    )
}

/// FY code of an SC2 reporting period (`2019Q2` or `2019`), else of the financial year number.
fn sc_year(period: &str, fin_year: &str) -> String {
    format!(
        "CASE WHEN {period} IS NOT NULL THEN lpad(CAST(CAST(substr({period}, 3, 2) AS INTEGER) AS VARCHAR), 2, '0') || lpad(CAST((CAST(substr({period}, 3, 2) AS INTEGER) + 1) % 100 AS VARCHAR), 2, '0')
              WHEN {fin_year} IS NOT NULL THEN lpad(CAST({fin_year} % 100 AS VARCHAR), 2, '0') || lpad(CAST(({fin_year} + 1) % 100 AS VARCHAR), 2, '0') END"
    )
}

fn social_care_events() -> String {
    let hc_year = sc_year("h.period", "h.financial_year");
    let sds_year = sc_year("s.period", "s.financial_year");
    let at_year = sc_year("a.period", "a.financial_year");
    let ch_nights = nights_in_year("admission", "stay_end", "y.year", false);
    format!(
        "-- Home care: one event per package and FY (SLF: id, start, service, provider, reablement)
         INSERT INTO event_build BY NAME
         SELECT l.anon_chi, {hc_year} AS year, 'HC' AS recid,
           CASE h.hc_service WHEN 2 THEN 'HC-Per' WHEN 1 THEN 'HC-Non-Per' ELSE 'HC-Unknown' END AS smrtype,
           min(h.hc_service_start_date) AS start_date, max(h.hc_service_end_date) AS end_date,
           coalesce(sum(h.hc_hours_derived), 0) * (SELECT cost_gbp FROM ref_unit_cost WHERE item = 'home_care') AS cost,
           0 AS beddays, sum(h.hc_hours_derived) AS hc_hours, h.hc_service, any_value(h.reablement) = 1 AS hc_reablement,
           'SC2 home care' AS source, min(h.file_id) AS file_id, min(h.row_number) AS source_row
         FROM stg_sc_homecare h JOIN sc_link l USING (sending_location, social_care_id)
         GROUP BY l.anon_chi, year, h.hc_service_start_date, h.hc_service, h.hc_service_provider, h.reablement;

         -- SDS: one event per package and FY; more than one option chosen = option 4 (mix)
         INSERT INTO event_build BY NAME
         SELECT *, 'SDS-' || coalesce(CAST(sds_option AS VARCHAR), '?') AS smrtype FROM (
           SELECT l.anon_chi, {sds_year} AS year, 'SDS' AS recid,
             CASE WHEN coalesce(max(s.sds_option_1), 0) + coalesce(max(s.sds_option_2), 0) + coalesce(max(s.sds_option_3), 0) > 1 THEN 4
                  WHEN max(s.sds_option_1) = 1 THEN 1 WHEN max(s.sds_option_2) = 1 THEN 2 WHEN max(s.sds_option_3) = 1 THEN 3 END AS sds_option,
             s.sds_start_date AS start_date, max(s.sds_end_date) AS end_date, 0 AS cost, 0 AS beddays,
             'SC2 self-directed support' AS source, min(s.file_id) AS file_id, min(s.row_number) AS source_row
           FROM stg_sc_sds s JOIN sc_link l USING (sending_location, social_care_id)
           GROUP BY l.anon_chi, year, s.sds_start_date);

         -- Alarms / telecare: one event per service and FY
         INSERT INTO event_build BY NAME
         SELECT l.anon_chi, {at_year} AS year, 'AT' AS recid,
           CASE a.service_type WHEN 1 THEN 'AT-Alarm' ELSE 'AT-Tele' END AS smrtype,
           a.service_start_date AS start_date, max(a.service_end_date) AS end_date, 0 AS cost, 0 AS beddays,
           'SC2 alarms/telecare' AS source, min(a.file_id) AS file_id, min(a.row_number) AS source_row
         FROM stg_sc_equipment a JOIN sc_link l USING (sending_location, social_care_id)
         GROUP BY l.anon_chi, year, a.service_type, a.service_start_date;

         -- Care homes: stays (rows with the same admission date) split into the FYs they cover;
         -- an open stay runs to the end of its latest reporting period. Cost per day applies to
         -- people aged 65+ only, as in the SLF.
         INSERT INTO event_build BY NAME
         WITH stays AS (
           SELECT l.anon_chi, c.ch_admission_date AS admission, max(c.ch_discharge_date) AS discharge,
                  coalesce(max(c.ch_discharge_date), CAST(max(c.period_end_date) + INTERVAL 1 DAY AS DATE), max(c.ch_admission_date)) AS stay_end,
                  max(c.nursing_care_provision) = 1 AS nursing, max(c.type_of_admission) AS adm_type,
                  min(c.file_id) AS file_id, min(c.row_number) AS source_row
           FROM stg_sc_carehome c JOIN sc_link l USING (sending_location, social_care_id)
           GROUP BY l.anon_chi, c.ch_admission_date),
         years AS (
           SELECT *, unnest(generate_series(
                 year(admission) - CASE WHEN month(admission) < 4 THEN 1 ELSE 0 END,
                 year(last_night) - CASE WHEN month(last_night) < 4 THEN 1 ELSE 0 END)) AS fy_start_year
           FROM (SELECT *, greatest(admission, CAST(stay_end - INTERVAL 1 DAY AS DATE)) AS last_night FROM stays)),
         y AS (SELECT *, lpad(CAST(fy_start_year % 100 AS VARCHAR), 2, '0') || lpad(CAST((fy_start_year + 1) % 100 AS VARCHAR), 2, '0') AS year FROM years)
         SELECT y.anon_chi, y.year, 'CH' AS recid, 'Care-Home' AS smrtype, admission AS start_date, discharge AS end_date,
           {ch_nights} AS beddays,
           CASE WHEN p.birth_ym IS NOT NULL AND fy_start_year - year(p.birth_ym) - CASE WHEN month(p.birth_ym) > 9 THEN 1 ELSE 0 END >= 65
                THEN {ch_nights} * (SELECT cost_gbp FROM ref_unit_cost WHERE item = CASE WHEN nursing THEN 'care_home_nursing' ELSE 'care_home_residential' END)
                ELSE 0 END AS cost,
           nursing AS ch_nursing, adm_type AS ch_admission_type,
           'SC2 care home' AS source, y.file_id, y.source_row
         FROM y LEFT JOIN person p USING (anon_chi);"
    )
}
