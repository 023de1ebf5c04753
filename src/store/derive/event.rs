//! `event`: one row per episode, contact or package-year across all services, SLF and SC2
//! alike, stored sorted by person so one person's rows are found directly.
use super::common_sql::INPATIENT;
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
    sds_option BIGINT, source VARCHAR, file_id INTEGER, source_row BIGINT,
    cost_inc_dnas DOUBLE, hbtreatcode VARCHAR, cij_admtype VARCHAR,
    alcohol BOOLEAN, substance BOOLEAN, falls BOOLEAN, selfharm BOOLEAN,
    hl1_6before BOOLEAN, hl1_6after BOOLEAN, hl1_during BOOLEAN)";

/// Order of `event` and its `event_id`. `year` last: a care home stay split over several FYs
/// gives one event per FY with the same start and source row.
pub fn build_event(conn: &Connection) -> Result<()> {
    conn.execute_batch(EVENT_DDL)?;
    conn.execute_batch(&ppa_derived())?;
    conn.execute_batch(&slf_events())?;
    conn.execute_batch("DROP TABLE ppa_derived")?;
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

/// `cij_pattype_code` as PHS corrects it from `cij_admtype` (`R/create_episode_file.R`
/// L423-461): 41/42 maternity (2), 40/48/99/Unknown other (9), 18 non-elective (0).
const PATTYPE_CORRECTED: &str = "CASE WHEN cij_admtype IN ('41', '42') THEN 2 WHEN cij_admtype IN ('40', '48', '99', 'Unknown') THEN 9 \
     WHEN cij_admtype = '18' THEN 0 ELSE cij_pattype_code END";

/// Admission types that are emergencies when a file has no CIJ patient type: urgent 20-22 and
/// emergency 30-39, PHS's MSG rule (`Public-Health-Scotland/msg-indicators`,
/// `Code/1a - Emergency admissions.R`, section 4), plus 18 (PHS recodes it non-elective above).
const EMERGENCY_ADMTYPES: &str = "('18', '20', '21', '22', '30', '31', '32', '33', '34', '35', '36', '37', '38', '39')";
/// Elective admission types (10-17, 19; SMR01 `tadm` 1x other than 18).
const ELECTIVE_ADMTYPES: &str = "('10', '11', '12', '13', '14', '15', '16', '17', '19')";

/// SQL list of our own compiled-in codes.
fn code_list(set: &str) -> String {
    let v: Vec<String> = crate::model::ppa::set(set).iter().map(|c| format!("'{c}'")).collect();
    format!("({})", v.join(", "))
}

/// PHS's PPA test on the first record of a non-elective CIJ (`R/add_ppa_flag.R` L63-212).
fn ppa_sql() -> String {
    let d = |col: &str, n: u8| format!("substr(upper(replace({col}, '.', '')), 1, {n})");
    let op3 = d("op1a", 3);
    let any = |n: u8, set: &str| {
        (1..=6).map(|i| format!("{} IN {}", d(&format!("diag{i}"), n), code_list(set))).collect::<Vec<_>>().join(" OR ")
    };
    let unless = |ops: &str| format!("NOT coalesce({op3} IN {}, false)", code_list(ops));
    format!(
        "coalesce({d13} IN {l13}, false) OR coalesce({d14} IN {l14}, false) OR coalesce({a3}, false) OR coalesce({a4}, false)
         OR (coalesce({d13} IN {ang}, false) AND {ang_ops})
         OR ((coalesce({d13} IN {cel3}, false) OR coalesce({d14} IN {cel4}, false)) AND {cel_ops})
         OR ((coalesce({d13} IN {h3}, false) OR coalesce({d14} IN {h4}, false)) AND {excl_ops})
         OR (coalesce({d13} IN {br1}, false) AND coalesce({d23} IN {br2}, false))",
        d13 = d("diag1", 3),
        d14 = d("diag1", 4),
        d23 = d("diag2", 3),
        l13 = code_list("diag1_3"),
        l14 = code_list("diag1_4"),
        a3 = any(3, "any_3"),
        a4 = any(4, "any_4"),
        ang = code_list("angina_diag1_3"),
        ang_ops = unless("angina_ops"),
        cel3 = code_list("cellulitis_diag1_3"),
        cel4 = code_list("cellulitis_diag1_4"),
        cel_ops = unless("cellulitis_ops"),
        h3 = code_list("heart_diag1_3"),
        h4 = code_list("heart_diag1_4"),
        excl_ops = unless("excluding_ops"),
        br1 = code_list("bronchitis_diag1_3"),
        br2 = code_list("bronchitis_diag2_3"),
    )
}

/// PPAs derived where the file gives no `cij_ppa`: per CIJ (person, year, marker), the first
/// record of a non-elective inpatient CIJ tested with PHS's lists (`R/add_ppa_flag.R` L52-62).
fn ppa_derived() -> String {
    format!(
        "CREATE OR REPLACE TEMP TABLE ppa_derived AS
         WITH given AS (SELECT DISTINCT anon_chi, year, cij_marker FROM stg_episode WHERE cij_ppa IS NOT NULL AND cij_marker IS NOT NULL),
         firsts AS (
           SELECT e.*, row_number() OVER (PARTITION BY e.anon_chi, e.year, e.cij_marker ORDER BY e.record_keydate1, e.row_number) AS rn
           FROM stg_episode e
           LEFT JOIN given g ON g.anon_chi = e.anon_chi AND g.year = e.year AND g.cij_marker = e.cij_marker
           WHERE g.anon_chi IS NULL AND e.recid IN {INPATIENT} AND e.cij_marker IS NOT NULL AND e.anon_chi IS NOT NULL
             AND coalesce({pattype} = 0, e.cij_pattype = 'Non-Elective', coalesce(e.cij_admtype, e.tadm) IN {EMERGENCY_ADMTYPES}, false))
         SELECT anon_chi, year, cij_marker, {ppa} AS derived_ppa FROM firsts WHERE rn = 1;",
        ppa = ppa_sql(),
        pattype = PATTYPE_CORRECTED,
    )
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
           recid IN {INPATIENT} AND coalesce({pattype} = 0, cij_pattype = 'Non-Elective', {adm} IN {EMERGENCY_ADMTYPES}, false) AS emergency,
           recid IN {INPATIENT} AND coalesce({pattype} = 1, cij_pattype = 'Elective', {adm} IN {ELECTIVE_ADMTYPES}, false) AS elective,
           ipdc, spec, tadm, location, diag1, diag2, diag3, diag4, diag5, diag6,
           coalesce(cij_ppa = 1, recid IN {INPATIENT} AND derived_ppa, false) AS ppa, attendance_status,
           primary_delay_reason AS delay_reason, secondary_delay_reason AS delay_reason_secondary,
           recid = 'DD' AND primary_delay_reason = '9' AS code9, delay_end_reason,
           ae_attendcat, ae_arrivalmode, ooh_case_id, no_paid_items AS prescribing_items,
           ch_nursing = 1 AS ch_nursing, ch_adm_reason AS ch_admission_type,
           hc_hours_annual AS hc_hours, NULL AS hc_service, hc_reablement = 1 AS hc_reablement,
           CASE WHEN recid = 'SDS' THEN TRY_CAST(substr(smrtype, 5, 1) AS BIGINT) END AS sds_option,
           'SLF episode file' AS source, file_id, row_number AS source_row,
           cost_total_net_inc_dnas AS cost_inc_dnas, hbtreatcode, cij_admtype,
           alcohol_adm = 1 AS alcohol, submis_adm = 1 AS substance, falls_adm = 1 AS falls, selfharm_adm = 1 AS selfharm,
           hl1_6before_ep = 1 AS hl1_6before, hl1_6after_ep = 1 AS hl1_6after, hl1_during_ep = 1 AS hl1_during
         -- rows without a CHI stay as activity with no person (PHS keeps them in the episode
         -- file, `R/create_episode_file.R` L139-153)
         FROM stg_episode LEFT JOIN ppa_derived USING (anon_chi, year, cij_marker) WHERE recid <> 'NSU';",
        pattype = PATTYPE_CORRECTED,
        adm = "coalesce(cij_admtype, tadm)",
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
        "-- Home care: one event per package and FY (SLF: id, start, service, provider, reablement).
         -- Cost = hours x the hourly cost of the sending council and FY (PHS
         -- `R/process_sc_all_home_care.R` L103-114), with PHS's correction for Angus, which sent
         -- daily instead of weekly hours in 2018Q3-2019Q3 (L94-97).
         INSERT INTO event_build BY NAME
         SELECT l.anon_chi, h.year, 'HC' AS recid,
           CASE h.hc_service WHEN 2 THEN 'HC-Per' WHEN 1 THEN 'HC-Non-Per' ELSE 'HC-Unknown' END AS smrtype,
           min(h.hc_service_start_date) AS start_date, max(h.hc_service_end_date) AS end_date,
           coalesce(sum(h.hours * r.hourly_cost), 0) AS cost,
           0 AS beddays, sum(h.hours) AS hc_hours, h.hc_service, any_value(h.reablement) = 1 AS hc_reablement,
           'SC2 home care' AS source, min(h.file_id) AS file_id, min(h.row_number) AS source_row
         FROM (SELECT h.*, {hc_year} AS year,
                 CASE WHEN h.sending_location = '120' AND h.period IN ('2018Q3', '2018Q4', '2019Q1', '2019Q2', '2019Q3')
                      THEN h.hc_hours_derived / 7 * (date_diff('day', greatest(h.hc_period_start_date, h.hc_service_start_date),
                                                       least(h.hc_period_end_date, h.hc_service_end_date)) + 1)
                      ELSE h.hc_hours_derived END AS hours
               FROM stg_sc_homecare h) h
         JOIN sc_link l USING (sending_location, social_care_id)
         LEFT JOIN ref_council c ON c.sending_location = h.sending_location
         LEFT JOIN hc_rate r ON r.year = h.year AND r.lca = coalesce(c.lca, '')
         GROUP BY l.anon_chi, h.year, h.hc_service_start_date, h.hc_service, h.hc_service_provider, h.reablement;

         -- SDS: each option received is its own event, plus option 4 when one record has more
         -- than one option (PHS `R/process_sc_all_sds.R` L60-77, L113-126).
         INSERT INTO event_build BY NAME
         SELECT anon_chi, year, 'SDS' AS recid, opt AS sds_option, 'SDS-' || CAST(opt AS VARCHAR) AS smrtype,
           start_date, end_date, 0 AS cost, 0 AS beddays, 'SC2 self-directed support' AS source, file_id, source_row
         FROM (
           SELECT l.anon_chi, {sds_year} AS year, s.sds_start_date AS start_date, max(s.sds_end_date) AS end_date,
             max(coalesce(s.sds_option_1, 0)) AS o1, max(coalesce(s.sds_option_2, 0)) AS o2, max(coalesce(s.sds_option_3, 0)) AS o3,
             bool_or(coalesce(s.sds_option_1, 0) + coalesce(s.sds_option_2, 0) + coalesce(s.sds_option_3, 0) > 1) AS mixed,
             min(s.file_id) AS file_id, min(s.row_number) AS source_row
           FROM stg_sc_sds s JOIN sc_link l USING (sending_location, social_care_id)
           GROUP BY l.anon_chi, year, s.sds_start_date) p,
         unnest([CASE WHEN o1 = 1 THEN 1 END, CASE WHEN o2 = 1 THEN 2 END, CASE WHEN o3 = 1 THEN 3 END, CASE WHEN mixed THEN 4 END]) AS t(opt)
         WHERE opt IS NOT NULL;

         -- Alarms / telecare: one event per service and FY
         INSERT INTO event_build BY NAME
         SELECT l.anon_chi, {at_year} AS year, 'AT' AS recid,
           CASE a.service_type WHEN 1 THEN 'AT-Alarm' ELSE 'AT-Tele' END AS smrtype,
           a.service_start_date AS start_date, max(a.service_end_date) AS end_date, 0 AS cost, 0 AS beddays,
           'SC2 alarms/telecare' AS source, min(a.file_id) AS file_id, min(a.row_number) AS source_row
         FROM stg_sc_equipment a JOIN sc_link l USING (sending_location, social_care_id)
         GROUP BY l.anon_chi, year, a.service_type, a.service_start_date;

         -- Care homes, as PHS `R/process_sc_all_care_home.R`: nursing provision (9 = unknown)
         -- filled within an admission (L173-184); a stay split where the provision changes
         -- (L187-221), each part keeping the admission date (L225-233); an open part ends at the
         -- period end of its latest return (L271-274), a day not counted
         -- (`R/process_extract_care_home.R` L61-64, `create_monthly_beddays`). Split into the
         -- FYs the stay covers; cost per day by FY and nursing for people aged 65+ (L82-111).
         INSERT INTO event_build BY NAME
         WITH ch AS (
           SELECT l.anon_chi, c.sending_location, c.social_care_id, c.ch_admission_date AS admission,
                  c.ch_discharge_date, c.period_end_date, c.type_of_admission, c.file_id, c.row_number,
                  coalesce(c.period, '') AS period, nullif(c.nursing_care_provision, 9) AS nursing_raw
           FROM stg_sc_carehome c JOIN sc_link l USING (sending_location, social_care_id)),
         filled AS (
           SELECT *, coalesce(nursing_raw,
                    last_value(nursing_raw IGNORE NULLS) OVER (PARTITION BY sending_location, social_care_id, admission
                      ORDER BY period, row_number ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                    first_value(nursing_raw IGNORE NULLS) OVER (PARTITION BY sending_location, social_care_id, admission
                      ORDER BY period, row_number ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)) AS nursing
           FROM ch),
         flagged AS (
           SELECT *, CASE WHEN row_number() OVER w = 1 OR lag(nursing) OVER w IS DISTINCT FROM nursing THEN 1 ELSE 0 END AS new_part
           FROM filled WINDOW w AS (PARTITION BY sending_location, social_care_id, admission ORDER BY period, row_number)),
         parts AS (
           SELECT *, sum(new_part) OVER (PARTITION BY sending_location, social_care_id, admission ORDER BY period, row_number) AS part
           FROM flagged),
         stays AS (
           SELECT anon_chi, admission, part,
                  -- the latest return decides: its discharge date, else its period end
                  arg_max(ch_discharge_date, period || lpad(CAST(row_number AS VARCHAR), 12, '0')) AS discharge,
                  arg_max(period_end_date, period || lpad(CAST(row_number AS VARCHAR), 12, '0')) AS last_period_end,
                  any_value(nursing) AS nursing, max(type_of_admission) AS adm_type,
                  min(file_id) AS file_id, min(row_number) AS source_row
           FROM parts GROUP BY anon_chi, sending_location, social_care_id, admission, part),
         ends AS (SELECT *, coalesce(discharge, last_period_end, admission) AS stay_end FROM stays),
         years AS (
           SELECT *, unnest(generate_series(
                 year(admission) - CASE WHEN month(admission) < 4 THEN 1 ELSE 0 END,
                 year(last_night) - CASE WHEN month(last_night) < 4 THEN 1 ELSE 0 END)) AS fy_start_year
           FROM (SELECT *, greatest(admission, CAST(stay_end - INTERVAL 1 DAY AS DATE)) AS last_night FROM ends)),
         y AS (SELECT *, lpad(CAST(fy_start_year % 100 AS VARCHAR), 2, '0') || lpad(CAST((fy_start_year + 1) % 100 AS VARCHAR), 2, '0') AS year FROM years)
         SELECT y.anon_chi, y.year, 'CH' AS recid, 'Care-Home' AS smrtype, admission AS start_date, discharge AS end_date,
           {ch_nights} AS beddays,
           CASE WHEN p.birth_ym IS NOT NULL AND {age} >= 65 THEN {ch_nights} * r.cost_per_day ELSE 0 END AS cost,
           y.nursing = 1 AS ch_nursing, adm_type AS ch_admission_type,
           'SC2 care home' AS source, y.file_id, y.source_row
         FROM y LEFT JOIN person p USING (anon_chi)
         LEFT JOIN ch_rate r ON r.year = y.year AND r.nursing IS NOT DISTINCT FROM y.nursing;",
        age = super::common_sql::age_sql("make_date(fy_start_year, 4, 1)", "p.birth_ym"),
    )
}
