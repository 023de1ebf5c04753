//! Properties of a generated population of 100,000 people (issue 3, section 3), in the full
//! published layout (issue 11). One population is generated once and shared by all tests;
//! each test queries the files with DuckDB SQL.
use carepath::synth::{generate_with, ExtractOptions, FileFormat, GenerateOptions, Layout};
use duckdb::Connection;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

const PEOPLE: u64 = 100_000;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("carepath-synth-props-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let opts = GenerateOptions {
            people: PEOPLE,
            years: vec!["1819".into(), "1920".into(), "2021".into()],
            seed: 7,
            out: d.clone(),
            format: FileFormat::Parquet,
            csv_years: vec![],
            progress: false,
        };
        let extract = ExtractOptions { layout: Layout::Full, ..Default::default() };
        generate_with(&opts, &extract).expect("generation works");
        d
    })
}

/// A connection with views `ep`, `ind`, and the SC2 tables.
fn conn() -> std::sync::MutexGuard<'static, Connection> {
    static C: OnceLock<Mutex<Connection>> = OnceLock::new();
    let c = C.get_or_init(|| {
        let d = dir();
        let c = Connection::open_in_memory().expect("duckdb");
        let p = |n: &str| d.join(n).to_string_lossy().into_owned();
        let sql = format!(
            "CREATE VIEW ep AS SELECT * FROM read_parquet('{}');
             CREATE VIEW ind AS SELECT * FROM read_parquet('{}');
             CREATE VIEW demog AS SELECT * FROM read_parquet('{}');
             CREATE VIEW hc AS SELECT * FROM read_parquet('{}');
             CREATE VIEW ch AS SELECT * FROM read_parquet('{}');
             CREATE VIEW lookup AS SELECT * FROM read_csv('{}', all_varchar = true);",
            p("source-episode-file-*.parquet"),
            p("source-individual-file-*.parquet"),
            p("sc2-demographics.parquet"),
            p("sc2-homecare.parquet"),
            p("sc2-carehome.parquet"),
            p("lookup-datazone-simd2020v2.csv"),
        );
        c.execute_batch(&sql).expect("views");
        Mutex::new(c)
    });
    c.lock().unwrap_or_else(|e| e.into_inner())
}

fn f64s(sql: &str) -> Vec<f64> {
    let c = conn();
    let mut st = c.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let rows = st.query_map([], |r| r.get::<_, Option<f64>>(0)).expect("query");
    rows.map(|r| r.expect("row").unwrap_or(f64::NAN)).collect()
}

fn one(sql: &str) -> f64 {
    f64s(sql).first().copied().unwrap_or(f64::NAN)
}

#[test]
fn top_two_percent_hold_half_the_cost_and_most_acute_bed_days() {
    for year in ["1819", "1920", "2021"] {
        let sql = format!(
            "WITH r AS (SELECT health_net_cost c, acute_inpatient_beddays b,
                    row_number() OVER (ORDER BY health_net_cost DESC, anon_chi) rn, count(*) OVER () n
                FROM ind WHERE year = '{year}')
             SELECT sum(c) FILTER (WHERE rn <= n * 0.02) / sum(c), sum(b) FILTER (WHERE rn <= n * 0.02) / sum(b) FROM r"
        );
        let c = conn();
        let (cost, beds): (f64, f64) = c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?))).expect("query");
        drop(c);
        println!("{year}: top 2% hold {:.1}% of health cost, {:.1}% of acute bed days", cost * 100.0, beds * 100.0);
        assert!((0.45..=0.55).contains(&cost), "{year}: top 2% hold {:.1}% of health cost (want 45-55%)", cost * 100.0);
        assert!((0.65..=0.85).contains(&beds), "{year}: top 2% hold {:.1}% of acute bed days (want 65-85%)", beds * 100.0);
    }
}

#[test]
fn a_fifth_to_a_quarter_of_hris_persist() {
    for (a, b) in [("1819", "1920"), ("1920", "2021")] {
        let sql = format!(
            "SELECT avg(CASE WHEN n.hri_scot THEN 1.0 ELSE 0.0 END), count(*) FROM ind o
             LEFT JOIN ind n ON n.anon_chi = o.anon_chi AND n.year = '{b}'
             WHERE o.year = '{a}' AND o.hri_scot"
        );
        let c = conn();
        let (share, n): (f64, i64) = c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?))).expect("query");
        drop(c);
        println!("{a}->{b}: {:.1}% of {n} HRIs are HRIs next year", share * 100.0);
        assert!((0.20..=0.30).contains(&share), "{a}->{b}: {:.1}% of {n} HRIs persist (want 20-30%)", share * 100.0);
    }
}

#[test]
fn hri_share_is_about_two_percent_and_matches_a_recomputation() {
    let share = one("SELECT avg(CASE WHEN hri_scot THEN 1.0 ELSE 0.0 END) FROM ind WHERE year = '1920' AND hri_scotp IS NOT NULL");
    assert!((0.01..=0.04).contains(&share), "HRIs are {:.2}% of people (want about 2%)", share * 100.0);
    // PHS's current rule (R/add_hri_variables.R): Scottish postcode areas only, cumulative %
    // by health_net_cost desc (ties anon_chi asc), within Scotland and within council
    let bad = one(
        "WITH pop AS (SELECT * FROM ind WHERE year = '1920'
                AND regexp_extract(postcode, '^[A-Z]{1,3}') IN ('AB','DD','DG','EH','FK','G','HS','IV','KA','KW','KY','ML','PA','PH','TD','ZE')),
         r AS (SELECT anon_chi, 100 * sum(health_net_cost) OVER (ORDER BY health_net_cost DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                 / sum(health_net_cost) OVER () p,
              100 * sum(health_net_cost) OVER (PARTITION BY lca ORDER BY health_net_cost DESC, anon_chi ROWS UNBOUNDED PRECEDING)
                 / sum(health_net_cost) OVER (PARTITION BY lca) pl FROM pop)
         SELECT count(*) FROM r JOIN ind i ON i.anon_chi = r.anon_chi AND i.year = '1920'
         WHERE abs(r.p - i.hri_scotp) > 1e-6 OR (r.p <= 50) <> i.hri_scot
            OR (i.lca IS NOT NULL AND (abs(r.pl - i.hri_lcap) > 1e-6 OR (r.pl <= 50) <> i.hri_lca))",
    );
    assert_eq!(bad, 0.0, "{bad} individual rows disagree with the HRI recomputation");
}

#[test]
fn admissions_cost_and_conditions_rise_with_age_and_deprivation() {
    let sql = "SELECT CASE WHEN age < 16 THEN 0 WHEN age < 45 THEN 1 WHEN age < 65 THEN 2 WHEN age < 75 THEN 3 WHEN age < 85 THEN 4 ELSE 5 END band,
                  avg(cij_non_el), avg(health_net_cost),
                  avg(arth+asthma+atrialfib+cancer+cvd+liver+copd+dementia+diabetes+epilepsy+chd+hefailure+ms+parkinsons+refailure+congen+bloodbfo+endomet+digestive)
               FROM ind WHERE year = '1920' GROUP BY 1 ORDER BY 1";
    let c = conn();
    let mut st = c.prepare(sql).expect("prepare");
    let rows: Vec<(i32, f64, f64, f64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    drop(st);
    drop(c);
    println!("band, emergency CIJs, cost, LTCs: {rows:?}");
    for w in rows.windows(2).skip(1) {
        assert!(w[1].1 > w[0].1, "emergency admissions per person do not rise with age: {rows:?}");
        assert!(w[1].2 > w[0].2, "cost per person does not rise with age: {rows:?}");
        assert!(w[1].3 > w[0].3, "LTC count does not rise with age: {rows:?}");
    }
    for (lo, hi) in [(45, 65), (65, 75), (75, 85)] {
        let q = |qu: i32| {
            let c = conn();
            let v: (f64, f64, f64) = c
                .query_row(
                    &format!(
                        "SELECT avg(cij_non_el), avg(health_net_cost),
                            avg(arth+asthma+atrialfib+cancer+cvd+liver+copd+dementia+diabetes+epilepsy+chd+hefailure+ms+parkinsons+refailure+congen+bloodbfo+endomet+digestive)
                         FROM ind WHERE year = '1920' AND age >= {lo} AND age < {hi} AND simd2020v2_sc_quintile = {qu}"
                    ),
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .expect("query");
            v
        };
        let (s1, s5) = (q(1), q(5));
        println!("age {lo}-{hi}: SIMD1 {s1:?} vs SIMD5 {s5:?}");
        assert!(s1.0 > s5.0, "age {lo}-{hi}: emergency admissions SIMD1 {:.3} <= SIMD5 {:.3}", s1.0, s5.0);
        assert!(s1.1 > s5.1, "age {lo}-{hi}: cost SIMD1 {:.0} <= SIMD5 {:.0}", s1.1, s5.1);
        assert!(s1.2 > s5.2, "age {lo}-{hi}: LTC count SIMD1 {:.2} <= SIMD5 {:.2}", s1.2, s5.2);
    }
}

#[test]
fn ltc_prevalence_is_plausible_by_age() {
    let under65 = one("SELECT avg(dementia) FROM ind WHERE year = '1920' AND age < 65");
    let over85 = one("SELECT avg(dementia) FROM ind WHERE year = '1920' AND age >= 85");
    let copd_young = one("SELECT avg(copd) FROM ind WHERE year = '1920' AND age < 35");
    let copd_old = one("SELECT avg(copd) FROM ind WHERE year = '1920' AND age >= 65");
    println!("dementia <65 {:.2}%, 85+ {:.1}%; COPD <35 {:.2}%, 65+ {:.1}%", under65 * 100.0, over85 * 100.0, copd_young * 100.0, copd_old * 100.0);
    assert!(under65 < 0.005, "dementia under 65 is {:.2}% (want < 0.5%)", under65 * 100.0);
    assert!(over85 > 0.10 && over85 < 0.40, "dementia at 85+ is {:.1}% (want 10-40%)", over85 * 100.0);
    assert!(copd_young < 0.002 && copd_old > 0.04, "COPD <35 {:.2}%, 65+ {:.1}%", copd_young * 100.0, copd_old * 100.0);
}

#[test]
fn journeys_are_coherent() {
    // CIJ markers run 1..n per person and year
    let bad_markers = one(
        "SELECT count(*) FROM (SELECT anon_chi, year, min(cij_marker) mn, max(cij_marker) mx, count(DISTINCT cij_marker) n
         FROM ep WHERE cij_marker IS NOT NULL GROUP BY ALL) WHERE mn <> 1 OR mx <> n",
    );
    assert_eq!(bad_markers, 0.0, "{bad_markers} person-years with CIJ markers not restarting at 1");
    let split = one(
        "SELECT count(*) FROM (SELECT anon_chi, year, cij_marker FROM ep WHERE cij_marker IS NOT NULL
         GROUP BY ALL HAVING count(DISTINCT cij_start_date) > 1 OR count(DISTINCT coalesce(cij_end_date, DATE '2100-01-01')) > 1)",
    );
    assert_eq!(split, 0.0, "{split} CIJs whose episodes disagree on CIJ dates");
    let outside = one(
        "SELECT count(*) FROM ep WHERE cij_marker IS NOT NULL AND (record_keydate1 < cij_start_date
         OR record_keydate2 > cij_end_date)",
    );
    assert_eq!(outside, 0.0, "{outside} episodes outside their CIJ");
    let dd_bad = one(
        "SELECT count(*) FROM ep WHERE recid = 'DD' AND (cij_marker IS NULL OR record_keydate1 <= cij_start_date
         OR record_keydate2 > cij_end_date)",
    );
    let dd_n = one("SELECT count(*) FROM ep WHERE recid = 'DD'");
    assert!(dd_n > 100.0, "only {dd_n} delayed discharge rows");
    assert_eq!(dd_bad, 0.0, "{dd_bad} of {dd_n} DD rows are not inside a CIJ after admission");
    // PIS: one row per person-year
    let pis_dup = one("SELECT count(*) FROM (SELECT anon_chi, year FROM ep WHERE recid = 'PIS' GROUP BY ALL HAVING count(*) > 1)");
    assert_eq!(pis_dup, 0.0, "{pis_dup} person-years with more than one PIS row");
    // deaths end activity, apart from rare flagged cases
    let after = one(
        "SELECT count(DISTINCT anon_chi) FROM ep WHERE death_date IS NOT NULL AND record_keydate1 > death_date
         AND recid NOT IN ('PIS', 'NRS')",
    );
    let unflagged = one(
        "SELECT count(*) FROM ep WHERE death_date IS NOT NULL AND record_keydate1 > death_date
         AND recid NOT IN ('PIS', 'NRS') AND activity_after_death <> 1",
    );
    let deaths = one("SELECT count(*) FROM ep WHERE recid = 'NRS'");
    println!("deaths {deaths}, people with activity after death {after}");
    assert!(deaths > 500.0, "only {deaths} deaths");
    assert!(after / deaths < 0.02, "{after} of {deaths} deceased have activity after death (want rare)");
    assert_eq!(unflagged, 0.0, "{unflagged} rows after death are not flagged activity_after_death");
    // long-term care home admissions mostly follow a hospital stay of an older person
    let c = conn();
    let (n, from_hosp, age): (i64, f64, f64) = c
        .query_row(
            "WITH adm AS (SELECT DISTINCT d.chi_upi, c.ch_admission_date a, c.age FROM ch c
                JOIN demog d USING (sending_location, social_care_id) WHERE c.type_of_admission = 3
                AND c.ch_admission_date >= DATE '2018-04-01'),
             dis AS (SELECT DISTINCT anon_chi, record_keydate2 d FROM ep WHERE recid IN ('01B', 'GLS'))
             SELECT count(*), avg(CASE WHEN EXISTS (SELECT 1 FROM dis WHERE dis.anon_chi = to_base64(encode(adm.chi_upi))
                 AND dis.d BETWEEN adm.a - 2 AND adm.a) THEN 1.0 ELSE 0.0 END), avg(age) FROM adm",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("query");
    drop(c);
    println!("{n} long-term care home admissions: {:.0}% straight from hospital, mean age {age:.1}", from_hosp * 100.0);
    assert!(n > 50, "only {n} care home admissions");
    assert!(from_hosp > 0.5 && age > 75.0, "care home admissions: {:.0}% from hospital, mean age {age:.1}", from_hosp * 100.0);
    // home care packages grow for some people
    let grow = one(
        "WITH q AS (SELECT sending_location, social_care_id, hc_service_start_date s,
                hc_hours_derived / (hc_period_end_date - hc_period_start_date + 1) h,
                row_number() OVER (PARTITION BY sending_location, social_care_id, hc_service_start_date ORDER BY period) k,
                row_number() OVER (PARTITION BY sending_location, social_care_id, hc_service_start_date ORDER BY period DESC) kd
              FROM hc WHERE hc_service_start_date < hc_period_start_date
                AND coalesce(hc_service_end_date, DATE '2100-01-01') > hc_period_end_date)
         SELECT avg(CASE WHEN l.h > f.h * 1.05 THEN 1.0 ELSE 0.0 END) FROM q f JOIN q l USING (sending_location, social_care_id, s)
         WHERE f.k = 1 AND l.kd = 1 AND l.k >= 4",
    );
    println!("{:.0}% of home care packages lasting a year grow", grow * 100.0);
    assert!(grow > 0.1 && grow < 0.9, "{:.0}% of year-long home care packages grow (want some)", grow * 100.0);
}

#[test]
fn all_three_hri_patterns_exist() {
    // end of life: HRIs who die in the year
    let eol = one("SELECT avg(CASE WHEN deceased = 1 THEN 1.0 ELSE 0.0 END) FROM ind WHERE year = '1920' AND hri_scot");
    // continuing high need: HRI in all three years
    let cont = one(
        "SELECT count(*) FROM (SELECT anon_chi FROM ind WHERE hri_scot GROUP BY anon_chi HAVING count(*) = 3)",
    );
    // single crisis: HRI with one emergency CIJ in 1819, alive and not HRI afterwards, low cost in 2021
    let crisis = one(
        "SELECT count(*) FROM ind a JOIN ind b ON a.anon_chi = b.anon_chi AND b.year = '1920'
         JOIN ind c ON a.anon_chi = c.anon_chi AND c.year = '2021'
         WHERE a.year = '1819' AND a.hri_scot AND a.cij_non_el = 1 AND NOT b.hri_scot AND NOT c.hri_scot
           AND c.deceased = 0 AND c.health_net_cost < 2000",
    );
    let hris = one("SELECT count(*) FROM ind WHERE year = '1920' AND hri_scot");
    println!("HRIs {hris}: {:.0}% die in the year; {cont} HRI all 3 years; {crisis} single-crisis", eol * 100.0);
    assert!(eol > 0.08, "only {:.1}% of HRIs are at the end of life", eol * 100.0);
    assert!(cont > hris * 0.03, "only {cont} continuing high-need HRIs (of {hris})");
    assert!(crisis > hris * 0.05, "only {crisis} single-crisis HRIs (of {hris})");
}

#[test]
fn identifiers_and_geography_agree() {
    use base64::Engine;
    let c = conn();
    let mut st = c
        .prepare("SELECT DISTINCT anon_chi, dob, gender FROM ind USING SAMPLE 2000 ROWS")
        .expect("prepare");
    let rows: Vec<(String, String, i32)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, duckdb::types::Value>(1).map(|v| format!("{v:?}"))?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    drop(st);
    drop(c);
    assert!(!rows.is_empty());
    for (anon, _dob, sex) in &rows {
        let chi = base64::engine::general_purpose::STANDARD.decode(anon).expect("base64");
        let chi = String::from_utf8(chi).expect("utf8");
        assert!(carepath::synth::chi::is_valid(&chi), "invalid CHI {chi}");
        let sexd = chi.as_bytes()[8] - b'0';
        assert_eq!(if sexd % 2 == 1 { 1 } else { 2 }, *sex, "CHI {chi} sex digit disagrees with gender {sex}");
    }
    let dob_bad = one("SELECT count(*) FROM ind WHERE strftime(dob, '%d%m%y') <> substr(from_base64(anon_chi)::VARCHAR, 1, 6)");
    assert_eq!(dob_bad, 0.0, "{dob_bad} rows whose CHI does not start with the date of birth");
    let geo_bad = one(
        "SELECT count(*) FROM ind i JOIN lookup l ON l.datazone2011 = i.datazone2011 WHERE year = '1920'
         AND (l.lca <> i.lca OR l.ca2019 <> i.ca2019 OR l.hscp2019 <> i.hscp2019 OR l.hb2019 <> i.hb2019
              OR l.simd2020v2_rank::INT <> i.simd2020v2_rank OR l.simd2020v2_sc_quintile::INT <> i.simd2020v2_sc_quintile)",
    );
    assert_eq!(geo_bad, 0.0, "{geo_bad} people whose geography disagrees with the datazone lookup");
    let pc_bad = one("SELECT count(*) FROM (SELECT postcode FROM ind WHERE datazone2011 IS NOT NULL GROUP BY postcode HAVING count(DISTINCT datazone2011) > 1)");
    assert_eq!(pc_bad, 0.0, "{pc_bad} postcodes in more than one datazone");
    let unlinked = one(
        "SELECT count(*) FROM demog d WHERE NOT EXISTS (SELECT 1 FROM ind i WHERE i.anon_chi = to_base64(encode(d.chi_upi)))",
    );
    assert_eq!(unlinked, 0.0, "{unlinked} SC2 clients do not link to the SLF");
    let orphans = one(
        "SELECT count(*) FROM hc WHERE NOT EXISTS (SELECT 1 FROM demog d WHERE d.sending_location = hc.sending_location AND d.social_care_id = hc.social_care_id)",
    );
    assert_eq!(orphans, 0.0, "{orphans} home care rows without demographics");
}
