//! The full published layout (issue 11, item 5): the generator's files carry every published
//! SLF column in PHS's order and types, and the quirks of real extracts. Each test reads the
//! written files with DuckDB; expected values come from PHS's rules written as independent SQL
//! over the written rows (PHS files cited), never from the generator's code.
use carepath::synth::{generate_with, ExtractOptions, FileFormat, GenerateOptions, Layout};
use duckdb::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const PEOPLE: u64 = 20_000;
const SEED: u64 = 11;

fn generate_into(d: &Path, people: u64, years: &[&str], hbrescode_only: bool) {
    let _ = std::fs::remove_dir_all(d);
    let opts = GenerateOptions {
        people,
        years: years.iter().map(|y| y.to_string()).collect(),
        seed: SEED,
        out: d.to_path_buf(),
        format: FileFormat::Parquet,
        csv_years: vec!["2021".into()],
        progress: false,
    };
    let extract = ExtractOptions { layout: Layout::Full, hbrescode_only, gzip_csv: true };
    generate_with(&opts, &extract).expect("generation works");
}

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("carepath-synth-full-{}", std::process::id()));
        generate_into(&d, PEOPLE, &["1819", "1920", "2021"], false);
        d
    })
}

fn path(n: &str) -> String {
    dir().join(n).to_string_lossy().into_owned()
}

/// Views: `ep`, `ind` (the two Parquet years 1819 and 1920), `sds`, `demog`, `ch`.
fn conn() -> std::sync::MutexGuard<'static, Connection> {
    static C: OnceLock<Mutex<Connection>> = OnceLock::new();
    let c = C.get_or_init(|| {
        let c = Connection::open_in_memory().expect("duckdb");
        let sql = format!(
            "CREATE VIEW ep AS SELECT * FROM read_parquet(['{}', '{}']);
             CREATE VIEW ind AS SELECT * FROM read_parquet(['{}', '{}']);
             CREATE VIEW sds AS SELECT * FROM read_parquet('{}');
             CREATE VIEW demog AS SELECT * FROM read_parquet('{}');
             CREATE VIEW ch AS SELECT * FROM read_parquet('{}');",
            path("source-episode-file-1819.parquet"),
            path("source-episode-file-1920.parquet"),
            path("source-individual-file-1819.parquet"),
            path("source-individual-file-1920.parquet"),
            path("sc2-sds.parquet"),
            path("sc2-demographics.parquet"),
            path("sc2-carehome.parquet"),
        );
        c.execute_batch(&sql).expect("views");
        Mutex::new(c)
    });
    c.lock().unwrap_or_else(|e| e.into_inner())
}

fn one(sql: &str) -> i64 {
    let c = conn();
    c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"))
}

/// The published (column, type) list, from the copy of PHS's column lists in the repository.
fn published(file: &str) -> Vec<(String, String)> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(file);
    let text = std::fs::read_to_string(&p).expect("published column list");
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            (f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// DuckDB's type for a published type: ids and codes are strings, dates dates, etc.
fn want_type(published: &str) -> &'static str {
    match published.split_whitespace().next().unwrap_or("") {
        "str" => "VARCHAR",
        "date" => "DATE",
        "time" => "TIME",
        "int" => "INTEGER",
        "f64" => "DOUBLE",
        "bool" => "BOOLEAN",
        other => panic!("unknown published type {other}"),
    }
}

fn described(c: &Connection, source: &str) -> Vec<(String, String)> {
    let mut st = c.prepare(&format!("DESCRIBE SELECT * FROM {source}")).expect("describe");
    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

#[test]
fn every_published_column_in_phs_order_and_type() {
    let c = conn();
    for (file, list) in [
        ("source-episode-file-1920.parquet", "slf_episode_columns.csv"),
        ("source-individual-file-1920.parquet", "slf_individual_columns.csv"),
    ] {
        let want = published(list);
        let got = described(&c, &format!("read_parquet('{}')", path(file)));
        assert_eq!(got.len(), want.len(), "{file}: {} columns, published {}", got.len(), want.len());
        for (i, ((gn, gt), (wn, wt))) in got.iter().zip(&want).enumerate() {
            assert_eq!(gn, wn, "{file}: column {} is {gn}, published {wn}", i + 1);
            assert_eq!(gt, want_type(wt), "{file}: {gn} is {gt}, published type {wt}");
        }
    }
    // the CSV year carries the same header, gzip-compressed
    for (file, list) in [("source-episode-file-2021.csv.gz", "slf_episode_columns.csv"), ("source-individual-file-2021.csv.gz", "slf_individual_columns.csv")] {
        let got = described(&c, &format!("read_csv('{}', header = true, all_varchar = true)", path(file)));
        let names: Vec<String> = got.into_iter().map(|(n, _)| n).collect();
        let want: Vec<String> = published(list).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, want, "{file} header differs from the published list");
    }
}

#[test]
fn rows_without_a_chi_are_activity_in_the_episode_file_only() {
    // R/create_episode_file.R L139-153 keeps them; remove_blank_chi drops them from the individual file
    let n = one("SELECT count(*) FROM ep WHERE anon_chi IS NULL");
    assert!(n >= 10, "only {n} episode rows without a CHI");
    let not_activity = one("SELECT count(*) FROM ep WHERE anon_chi IS NULL AND (recid NOT IN ('AE2', 'OoH') OR cost_total_net IS NULL OR dob IS NOT NULL)");
    assert_eq!(not_activity, 0, "rows without a CHI must be costed A&E/OoH activity with no person");
    assert_eq!(one("SELECT count(*) FROM ind WHERE anon_chi IS NULL"), 0);
}

#[test]
fn an_episode_crossing_31_march_is_in_both_files_with_each_years_share() {
    // R/is_date_in_fyyear.R: a record is in every FY it overlaps. Inpatients: admission night
    // counted, discharge day not (R/create_monthly_beddays.R count_last = FALSE); DD: the last
    // day counted, the first not (R/link_delayed_discharge_eps.R count_last = TRUE).
    let fy = "CASE year WHEN '1819' THEN DATE '2018-04-01' ELSE DATE '2019-04-01' END";
    let crossing = one(
        "SELECT count(*) FROM (SELECT anon_chi, recid, record_keydate1, record_keydate2 FROM ep
          WHERE recid IN ('01B', '02B', '04B', 'GLS', 'DD') AND record_keydate1 < DATE '2019-04-01'
            AND coalesce(record_keydate2, DATE '2100-01-01') >= DATE '2019-04-01'
          GROUP BY ALL HAVING count(DISTINCT year) = 2)",
    );
    assert!(crossing >= 20, "only {crossing} episodes appear in both the 1819 and 1920 files");
    // every inpatient/DD episode is in each of the two files it overlaps
    let missing = one(
        "WITH e AS (SELECT DISTINCT anon_chi, recid, record_keydate1, record_keydate2 FROM ep
                    WHERE recid IN ('01B', '02B', '04B', 'GLS', 'DD') AND anon_chi IS NOT NULL),
              y AS (SELECT * FROM (VALUES ('1819', DATE '2018-04-01'), ('1920', DATE '2019-04-01')) t(year, s))
         SELECT count(*) FROM e, y
         WHERE e.record_keydate1 < y.s + INTERVAL 1 YEAR AND coalesce(e.record_keydate2, DATE '2100-01-01') >= y.s
           AND NOT EXISTS (SELECT 1 FROM ep WHERE ep.year = y.year AND ep.anon_chi = e.anon_chi AND ep.recid = e.recid
                AND ep.record_keydate1 = e.record_keydate1 AND ep.record_keydate2 IS NOT DISTINCT FROM e.record_keydate2)",
    );
    assert_eq!(missing, 0, "{missing} episode-years missing from a file they overlap");
    let bad_share = one(&format!(
        "SELECT count(*) FROM (SELECT *, {fy} AS s, CAST({fy} + INTERVAL 1 YEAR AS DATE) AS e1 FROM ep
           WHERE recid IN ('01B', '02B', '04B', 'GLS', 'DD') AND anon_chi IS NOT NULL)
         WHERE yearstay <> CASE
             WHEN recid = 'DD' THEN greatest(date_diff('day', greatest(record_keydate1, s - 1), least(coalesce(record_keydate2, e1 - 1), e1 - 1)), 0)
             WHEN ipdc = 'D' THEN 0
             ELSE greatest(date_diff('day', greatest(record_keydate1, s), least(coalesce(record_keydate2, e1), e1)), 0) END"
    ));
    assert_eq!(bad_share, 0, "{bad_share} rows whose yearstay is not that year's share of the stay");
    // the monthly columns add up to the year's bed days and cost
    let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let beds: Vec<String> = months.iter().map(|m| format!("{m}_beddays")).collect();
    let cost: Vec<String> = months.iter().map(|m| format!("{m}_cost")).collect();
    let bad_months = one(&format!(
        "SELECT count(*) FROM ep WHERE (yearstay IS NOT NULL AND abs({} - yearstay) > 1e-9)
            OR (cost_total_net IS NOT NULL AND abs({} - cost_total_net) > 1e-6)",
        beds.join(" + "),
        cost.join(" + ")
    ));
    assert_eq!(bad_months, 0, "{bad_months} rows whose monthly bed days or costs do not add up");
}

#[test]
fn blank_dummy_and_english_addresses_are_present() {
    for (what, sql) in [
        ("blank postcodes", "SELECT count(*) FROM ind WHERE postcode IS NULL"),
        ("BF010AA", "SELECT count(*) FROM ind WHERE postcode = 'BF010AA'"),
        ("NF1 1AB", "SELECT count(*) FROM ind WHERE postcode = 'NF1 1AB'"),
        ("NK010AA", "SELECT count(*) FROM ind WHERE postcode = 'NK010AA'"),
        ("ZZ01", "SELECT count(*) FROM ind WHERE postcode LIKE 'ZZ01%'"),
        ("ZZ61", "SELECT count(*) FROM ind WHERE postcode LIKE 'ZZ61%'"),
        ("English practices (9995)", "SELECT count(*) FROM ind WHERE gpprac = 9995"),
        ("English practices (999xx)", "SELECT count(*) FROM ind WHERE gpprac IN (99942, 99957, 99961, 99976, 99981, 99995, 99999)"),
        ("English postcodes", "SELECT count(*) FROM ind WHERE regexp_extract(postcode, '^[A-Z]{1,3}') IN ('CA', 'NE', 'DH', 'LA')"),
        ("blank practices", "SELECT count(*) FROM ind WHERE gpprac IS NULL"),
    ] {
        let n = one(sql);
        assert!(n > 0, "no individual rows with {what}");
    }
}

#[test]
fn babies_born_october_to_march_are_aged_0() {
    // R/compute_mid_year_age.R: whole years to 30 September; a baby born after it is 0
    let c = conn();
    let (n, bad): (i64, i64) = c
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE age <> 0) FROM ind
             WHERE dob > make_date(2000 + CAST(substr(year, 1, 2) AS INT), 9, 30)
               AND dob <= make_date(2001 + CAST(substr(year, 1, 2) AS INT), 3, 31)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("query");
    assert!(n > 20, "only {n} babies born October-March");
    assert_eq!(bad, 0, "{bad} of {n} babies born after 30 September are not aged 0");
}

#[test]
fn keep_population_is_0_only_for_some_non_service_users() {
    // R/add_keep_population_flag.R: service users are always kept; some NSUs are not
    let dropped = one("SELECT count(*) FROM ind WHERE keep_population = 0");
    let wrong = one("SELECT count(*) FROM ind WHERE keep_population = 0 AND nsu <> 1");
    let kept_nsu = one("SELECT count(*) FROM ind WHERE keep_population = 1 AND nsu = 1");
    assert!(dropped > 50, "only {dropped} person-years with keep_population = 0");
    assert_eq!(wrong, 0, "{wrong} service users with keep_population = 0");
    assert!(kept_nsu > dropped, "{kept_nsu} NSUs kept vs {dropped} dropped");
    assert_eq!(one("SELECT count(*) FROM ind WHERE keep_population IS NULL"), 0);
}

#[test]
fn sds_options_count_each_option_received_plus_option_4_for_a_mix() {
    // R/process_sc_all_sds.R L60-76: each option received is an SDS-n episode, plus SDS-4 when
    // more than one is received; the individual file counts them (add_sds_columns)
    let mixed = one("SELECT count(*) FROM sds WHERE sds_option_1 + sds_option_2 + sds_option_3 > 1");
    assert!(mixed > 0, "no SC2 SDS rows with more than one option");
    let c = conn();
    let sql = "WITH pk AS (SELECT DISTINCT d.chi_upi, substr(s.period, 3, 2) || lpad(CAST(CAST(substr(s.period, 3, 2) AS INT) + 1 AS VARCHAR), 2, '0') AS year,
                   s.sending_location, s.social_care_id, s.sds_start_date, s.sds_end_date, s.sds_option_1 o1, s.sds_option_2 o2, s.sds_option_3 o3
                 FROM sds s JOIN demog d USING (sending_location, social_care_id)),
              want AS (SELECT to_base64(encode(chi_upi)) anon_chi, year, sum(o1) w1, sum(o2) w2, sum(o3) w3,
                   count(*) FILTER (WHERE o1 + o2 + o3 > 1) w4 FROM pk GROUP BY ALL)
         SELECT count(*), count(*) FILTER (WHERE i.sds_option_1 <> w1 OR i.sds_option_2 <> w2 OR i.sds_option_3 <> w3 OR i.sds_option_4 <> w4),
                sum(w4)
         FROM want JOIN ind i USING (anon_chi, year)";
    let (n, bad, opt4): (i64, i64, i64) = c.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("query");
    drop(c);
    assert!(n > 10, "only {n} person-years with SDS");
    assert!(opt4 > 0, "no option-4 (mixed) packages in the individual file years");
    assert_eq!(bad, 0, "{bad} of {n} person-years' SDS option counts differ from PHS's rule over the SC2 rows");
    let unexplained = one(
        "SELECT count(*) FROM ind WHERE sds_option_1 + sds_option_2 + sds_option_3 + sds_option_4 > 0 AND social_care_id IS NULL",
    );
    assert_eq!(unexplained, 0, "{unexplained} individual rows with SDS but no social_care_id");
}

#[test]
fn open_care_home_stays_are_present() {
    let open = one("SELECT count(DISTINCT social_care_id) FROM ch WHERE ch_discharge_date IS NULL");
    assert!(open > 5, "only {open} clients with an open care home stay");
}

#[test]
fn hri_percentages_follow_phs_current_r_rule() {
    // R/add_hri_variables.R: Scottish residents only (postcode area in the postcode lookup, so
    // blank and dummy postcodes are out, L25-47, L98); sort by health_net_cost desc (ties:
    // anon_chi ascending), cumulative % within Scotland, hbrescode and lca (L101-122); flag
    // <= 50 (L126-128); missing board/council: flag FALSE, % NA (L129-133); NA for everyone else
    let areas = "('AB','DD','DG','EH','FK','G','HS','IV','KA','KW','KY','ML','PA','PH','TD','ZE')";
    let sql = format!(
        "WITH pop AS (SELECT * FROM ind WHERE regexp_extract(postcode, '^[A-Z]{{1,3}}') IN {areas}),
              r AS (SELECT year, anon_chi,
                  100 * sum(health_net_cost) OVER (PARTITION BY year ORDER BY health_net_cost DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                      / sum(health_net_cost) OVER (PARTITION BY year) p,
                  CASE WHEN hbrescode IS NOT NULL THEN 100 * sum(health_net_cost) OVER (PARTITION BY year, hbrescode ORDER BY health_net_cost DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                      / sum(health_net_cost) OVER (PARTITION BY year, hbrescode) END ph,
                  CASE WHEN lca IS NOT NULL THEN 100 * sum(health_net_cost) OVER (PARTITION BY year, lca ORDER BY health_net_cost DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                      / sum(health_net_cost) OVER (PARTITION BY year, lca) END pl
                FROM pop)
         SELECT count(*),
           count(*) FILTER (WHERE abs(r.p - i.hri_scotp) > 1e-6 OR (r.p <= 50) <> i.hri_scot OR i.hri_scotp IS NULL),
           count(*) FILTER (WHERE (r.ph IS NULL) <> (i.hri_hbp IS NULL) OR abs(r.ph - i.hri_hbp) > 1e-6
                OR coalesce(r.ph <= 50, false) <> i.hri_hb),
           count(*) FILTER (WHERE (r.pl IS NULL) <> (i.hri_lcap IS NULL) OR abs(r.pl - i.hri_lcap) > 1e-6
                OR coalesce(r.pl <= 50, false) <> i.hri_lca),
           count(*) FILTER (WHERE r.ph IS NULL AND r.pl IS NULL),
           count(*) FILTER (WHERE i.gpprac IN (9995, 99942, 99957, 99961, 99976, 99981, 99995, 99999))
         FROM r JOIN ind i USING (year, anon_chi)"
    );
    let c = conn();
    let (n, bad_s, bad_h, bad_l, no_area, eng): (i64, i64, i64, i64, i64, i64) = c
        .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .expect("query");
    drop(c);
    assert!(n > 30_000, "only {n} resident person-years");
    assert_eq!((bad_s, bad_h, bad_l), (0, 0, 0), "person-years differing from PHS's rule: Scotland {bad_s}, board {bad_h}, council {bad_l}");
    assert!(no_area > 0, "no resident without a board or council (a Scottish postcode missing from the lookup)");
    assert!(eng > 0, "no resident with an English practice (PHS keeps them when the postcode is Scottish)");
    let outside = one(&format!(
        "SELECT count(*) FROM ind WHERE regexp_extract(coalesce(postcode, ''), '^[A-Z]{{1,3}}') NOT IN {areas}"
    ));
    let outside_scored = one(&format!(
        "SELECT count(*) FROM ind WHERE regexp_extract(coalesce(postcode, ''), '^[A-Z]{{1,3}}') NOT IN {areas}
           AND (hri_scot IS NOT NULL OR hri_scotp IS NOT NULL OR hri_hb IS NOT NULL OR hri_hbp IS NOT NULL OR hri_lca IS NOT NULL OR hri_lcap IS NOT NULL)"
    ));
    assert!(outside > 50, "only {outside} person-years outside the HRI population");
    assert_eq!(outside_scored, 0, "{outside_scored} of {outside} non-residents carry HRI values (PHS leaves them NA)");
    let hris = one("SELECT count(*) FROM ind WHERE year = '1920' AND hri_scot");
    let people = one("SELECT count(*) FROM ind WHERE year = '1920'");
    assert!(hris * 100 > people && hris * 100 < people * 5, "{hris} HRIs of {people} people");
}

#[test]
fn cij_delay_counts_the_cijs_with_a_dd_row_in_that_years_file() {
    // R/create_individual_file.R L209-213: cij_delay = distinct cij_marker of the year's DD rows
    let bad = one(
        "WITH dd AS (SELECT year, anon_chi, count(DISTINCT cij_marker) n FROM ep WHERE recid = 'DD' GROUP BY ALL)
         SELECT count(*) FROM ind i LEFT JOIN dd USING (year, anon_chi) WHERE i.cij_delay <> coalesce(dd.n, 0)",
    );
    assert_eq!(bad, 0, "{bad} person-years whose cij_delay differs from their DD rows");
    assert!(one("SELECT sum(cij_delay) FROM ind") > 20, "too few delayed CIJs to test");
}

#[test]
fn individual_totals_add_up_like_phs() {
    // R/create_individual_file.R L232-277: health_net_cost_inc_dnas = health_net_cost + OP DNA
    // costs; acute = inpatient + day case
    let bad = one(
        "SELECT count(*) FROM ind WHERE abs(health_net_cost_inc_dnas - health_net_cost - op_cost_dnas) > 1e-6
            OR abs(acute_cost - acute_inpatient_cost - acute_daycase_cost) > 1e-6
            OR acute_episodes <> acute_inpatient_episodes + acute_daycase_episodes
            OR acute_inpatient_episodes <> acute_el_inpatient_episodes + acute_non_el_inpatient_episodes
            OR abs(acute_inpatient_beddays - acute_el_inpatient_beddays - acute_non_el_inpatient_beddays) > 1e-9",
    );
    assert_eq!(bad, 0, "{bad} person-years whose totals do not add up");
    let bad_dna = one(
        "WITH d AS (SELECT year, anon_chi, sum(cost_total_net_inc_dnas) c FROM ep WHERE recid = '00B' AND attendance_status IN (5, 8) GROUP BY ALL)
         SELECT count(*) FROM ind i LEFT JOIN d USING (year, anon_chi) WHERE abs(i.op_cost_dnas - coalesce(d.c, 0)) > 1e-6",
    );
    assert_eq!(bad_dna, 0, "{bad_dna} person-years whose op_cost_dnas differs from their DNA rows");
}

#[test]
fn an_hbrescode_only_extract_has_2018_board_codes_and_no_hb2019() {
    let d = std::env::temp_dir().join(format!("carepath-synth-hbres-{}", std::process::id()));
    generate_into(&d, 3_000, &["1920"], true);
    let c = Connection::open_in_memory().expect("duckdb");
    for (file, n) in [("source-episode-file-1920.parquet", 265), ("source-individual-file-1920.parquet", 205)] {
        let p = d.join(file).to_string_lossy().into_owned();
        let cols = described(&c, &format!("read_parquet('{p}')"));
        assert_eq!(cols.len(), n, "{file}");
        assert!(!cols.iter().any(|(c, _)| c == "hb2019"), "{file} still has hb2019");
        let (old, new): (i64, i64) = c
            .query_row(
                &format!("SELECT count(*) FILTER (WHERE hbrescode IN ('S08000021', 'S08000023')), count(*) FILTER (WHERE hbrescode IN ('S08000031', 'S08000032')) FROM read_parquet('{p}')"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("query");
        assert!(old > 100, "{file}: only {old} rows with 2018 GG&C/Lanarkshire codes");
        assert_eq!(new, 0, "{file}: {new} rows with 2019 codes in hbrescode");
    }
    let _ = std::fs::remove_dir_all(&d);
}
