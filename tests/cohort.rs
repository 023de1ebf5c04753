//! Cohort count, attrition and characterisation against an INDEPENDENT computation: the
//! synthetic population's own truth (ages, LTC dates, stays and costs as generated, before the
//! loader ever saw them), plus hand-written SQL over `person_year` for cross-checks.
mod cohort_fixtures;
use carepath::model::cohort::{CohortSpec, Measure};
use carepath::store::cohort::{characterise, count_and_attrition, members_page, MemberSort, PageRequest};
use cohort_fixtures::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const N: usize = 900;

fn fixture() -> &'static (Vec<Person>, PathBuf) {
    static F: OnceLock<(Vec<Person>, PathBuf)> = OnceLock::new();
    F.get_or_init(|| {
        let people = population(N, 42);
        let ws = build_workspace("lib", &people);
        (people, ws)
    })
}

type Pred = Box<dyn Fn(&Person) -> bool>;

/// HRI flags computed from the truth: residents of each council, cost desc, ties id asc.
fn hri_flags(people: &[Person], year: &str, by_board: bool) -> HashMap<String, (bool, f64)> {
    let level = if by_board { "board" } else { "council" };
    hri_truth(people, year, level).into_iter().map(|(id, (_, flag, pct))| (id, (flag, pct))).collect()
}

fn band(pct: f64) -> &'static str {
    if pct < 50.0 {
        "High"
    } else if pct < 65.0 {
        "High to Medium"
    } else if pct < 80.0 {
        "Medium"
    } else if pct < 95.0 {
        "Medium to Low"
    } else {
        "Low"
    }
}

struct Case {
    name: &'static str,
    toml: String,
    /// Cumulative predicates, one per ENABLED filter.
    steps: Vec<Pred>,
}

fn y20() -> &'static str {
    "1920"
}

fn cases(people: &[Person]) -> Vec<Case> {
    let hri_lca = hri_flags(people, "1920", false);
    let hri_hb = hri_flags(people, "1920", true);
    let hl = move |p: &Person| hri_lca.get(&p.anon).map(|x| x.0).unwrap_or(false);
    let hb_band = move |p: &Person| hri_hb.get(&p.anon).map(|x| band(x.1)).map(|b| b == "High" || b == "High to Medium").unwrap_or(false);
    let py = |p: &Person| p.year(y20()).cloned().unwrap_or_default();
    vec![
        Case {
            name: "aged 65+ in SIMD quintile 1 with COPD",
            toml: "years = [\"1920\"]\n[[filter]]\nage = { min = 65 }\n[[filter]]\nsimd = { quintile = [1] }\n[[filter]]\nltc = { any = [\"copd\"] }\n".into(),
            steps: vec![
                Box::new(|p: &Person| p.age("1920") >= 65),
                Box::new(|p: &Person| p.simd_q == 1),
                Box::new(|p: &Person| p.ltc("1920", "copd")),
            ],
        },
        Case {
            name: "HRIs at council level with 2+ emergency admissions",
            toml: "years = [\"1920\"]\n[[filter]]\nhri = { level = \"council\", flag = true }\n[[filter]]\nservice = { measure = \"emergency_admissions\", min = 2 }\n".into(),
            steps: vec![Box::new(hl), Box::new(move |p: &Person| py(p).emergency_admissions() >= 2)],
        },
        Case {
            name: "people with diabetes",
            toml: "years = [\"1920\"]\n[[filter]]\nltc = { any = [\"diabetes\"] }\n".into(),
            steps: vec![Box::new(|p: &Person| p.ltc("1920", "diabetes"))],
        },
        Case {
            name: "people without diabetes",
            toml: "years = [\"1920\"]\n[[filter]]\nltc = { none = [\"diabetes\"] }\n".into(),
            steps: vec![Box::new(|p: &Person| !p.ltc("1920", "diabetes"))],
        },
        Case {
            name: "people with Code 9 delays",
            toml: "years = [\"1920\"]\n[[filter]]\nservice = { measure = \"dd_code9_beddays\", min = 1 }\n".into(),
            steps: vec![Box::new(move |p: &Person| py(p).code9_beddays() >= 1.0)],
        },
        Case {
            name: "women 75+ (bands) in Glasgow City",
            toml: "years = [\"1920\"]\n[[filter]]\nsex = \"F\"\n[[filter]]\nage = { bands = [\"75-84\", \"85+\"] }\n[[filter]]\ngeography = { council = [\"Glasgow City\"] }\n".into(),
            steps: vec![
                Box::new(|p: &Person| !p.male),
                Box::new(|p: &Person| p.age("1920") >= 75),
                Box::new(|p: &Person| p.lca() == Some("17")),
            ],
        },
        Case {
            name: "J44 in any position, disabled age filter, 2+ LTCs",
            toml: "years = [\"1920\"]\n[[filter]]\nage = { min = 90 }\nenabled = false\n[[filter]]\ndiagnosis = { prefixes = [\"J44\"] }\n[[filter]]\nltc_count = { min = 2 }\n".into(),
            steps: vec![
                Box::new(move |p: &Person| py(p).has_diag_prefix("J44")),
                Box::new(|p: &Person| p.ltc_count("1920") >= 2),
            ],
        },
        Case {
            name: "E11 (with dot) anywhere, excluding deaths, service users",
            toml: "years = [\"1920\"]\n[[filter]]\ndiagnosis = { prefixes = [\"E11.9\"] }\n[[filter]]\ndied = \"exclude\"\n[[filter]]\nservice_user = true\n".into(),
            steps: vec![
                Box::new(move |p: &Person| py(p).has_diag_prefix("E119")),
                Box::new(|p: &Person| !p.died_in("1920")),
                Box::new(move |p: &Person| !py(p).nsu),
            ],
        },
        Case {
            name: "died in the year, 1+ emergency admission",
            toml: "years = [\"1920\"]\n[[filter]]\ndied = \"only\"\n[[filter]]\nservice = { measure = \"emergency_admissions\", min = 1 }\n".into(),
            steps: vec![Box::new(|p: &Person| p.died_in("1920")), Box::new(move |p: &Person| py(p).emergency_admissions() >= 1)],
        },
        Case {
            name: "board HRI bands High/High-to-Medium in SIMD decile 1-2",
            toml: "years = [\"1920\"]\n[[filter]]\nhri = { level = \"board\", bands = [\"High\", \"High to Medium\"] }\n[[filter]]\nsimd = { quintile = [1] }\n".into(),
            steps: vec![Box::new(hb_band), Box::new(|p: &Person| p.simd_q == 1)],
        },
        Case {
            name: "non-service users",
            toml: "years = [\"1920\"]\n[[filter]]\nservice_user = false\n".into(),
            steps: vec![Box::new(move |p: &Person| py(p).nsu)],
        },
        Case {
            name: "two years: 65+ with COPD in the same year, 3+ emergency admissions over both",
            toml: "years = [\"1819\", \"1920\"]\n[[filter]]\nage = { min = 65 }\n[[filter]]\nltc = { any = [\"copd\"] }\n[[filter]]\nservice = { measure = \"emergency_admissions\", min = 3 }\n".into(),
            steps: vec![
                Box::new(|p: &Person| YEARS.iter().any(|y| p.age(y) >= 65)),
                Box::new(|p: &Person| YEARS.iter().any(|y| p.age(y) >= 65 && p.ltc(y, "copd"))),
                Box::new(|p: &Person| {
                    YEARS.iter().any(|y| p.age(y) >= 65 && p.ltc(y, "copd"))
                        && YEARS.iter().map(|y| p.year(y).map(|x| x.emergency_admissions()).unwrap_or(0)).sum::<u32>() >= 3
                }),
            ],
        },
    ]
}

#[test]
fn counts_and_attrition_match_the_truth() {
    let (people, ws) = fixture();
    let conn = open_ro(ws);
    let all = cases(people);
    assert!(all.len() >= 8);
    for case in &all {
        let spec = CohortSpec::from_toml(&case.toml).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let a = count_and_attrition(&conn, &spec).unwrap_or_else(|e| panic!("{}: {e:#}", case.name));
        let years: Vec<&str> = spec.years.iter().map(String::as_str).collect();
        let start = people.iter().filter(|p| years.iter().any(|y| p.year(y).is_some())).count() as u64;
        assert_eq!(a.start, start, "{}: start", case.name);
        assert_eq!(a.steps.len(), case.steps.len() + 1, "{}: steps", case.name);
        // Cumulative: step k keeps people meeting predicates 1..k (the multi-year case's
        // predicates are already cumulative, which is harmless to AND again).
        let mut prev = start;
        for (k, _) in case.steps.iter().enumerate() {
            let expected = people.iter().filter(|p| case.steps[..=k].iter().all(|f| f(p))).count() as u64;
            let step = &a.steps[k + 1];
            assert_eq!(step.remaining, expected, "{}: step {} ({})", case.name, k + 1, step.filter);
            let pct = 100.0 * expected as f64 / start as f64;
            assert!(close(step.pct_of_start.unwrap(), pct), "{}: % of start", case.name);
            if prev > 0 {
                let ch = 100.0 * (expected as f64 - prev as f64) / prev as f64;
                assert!(close(step.pct_change.unwrap(), ch), "{}: % change", case.name);
            }
            prev = expected;
        }
        assert_eq!(a.count, prev, "{}: count", case.name);
        eprintln!("{:<80} start {:>4} count {:>4}", case.name, a.start, a.count);
    }
}

/// Figures for the people in a set in 1920 (single-year cohorts).
fn truth_measures(people: &[&Person]) -> (f64, f64, f64, f64) {
    let mut cost = 0.0;
    let mut em = 0.0;
    let mut bed = 0.0;
    let mut c9 = 0.0;
    for p in people {
        if let Some(py) = p.year("1920") {
            cost += py.health_cost();
            em += py.emergency_admissions() as f64;
            bed += py.acute_beddays();
            c9 += py.code9_beddays();
        }
    }
    (cost, em, bed, c9)
}

#[test]
fn characterisation_matches_the_truth() {
    let (people, ws) = fixture();
    let conn = open_ro(ws);
    for case in cases(people).iter().filter(|c| !c.toml.contains("1819")) {
        let spec = CohortSpec::from_toml(&case.toml).unwrap();
        let ch = characterise(&conn, &spec).unwrap_or_else(|e| panic!("{}: {e:#}", case.name));
        let members: Vec<&Person> = people.iter().filter(|p| case.steps.iter().all(|f| f(p))).collect();
        let pop: Vec<&Person> = people.iter().filter(|p| p.year("1920").is_some()).collect();
        assert_eq!(ch.cohort_people, members.len() as u64, "{}", case.name);
        assert_eq!(ch.population_people, pop.len() as u64, "{}", case.name);

        // Breakdowns: age band, sex, SIMD quintile, council.
        let age_band = |a: i32| match a {
            0..=17 => "0-17",
            18..=44 => "18-44",
            45..=64 => "45-64",
            65..=74 => "65-74",
            75..=84 => "75-84",
            _ => "85+",
        };
        let check = |name: &str, key: &dyn Fn(&Person) -> String| {
            let b = ch.breakdown(name).unwrap();
            let total: u64 = b.rows.iter().map(|r| r.cohort).sum();
            assert_eq!(total, ch.cohort_people, "{}: {name} partitions the cohort", case.name);
            for r in &b.rows {
                let c = members.iter().filter(|p| key(p) == r.key).count() as u64;
                let n = pop.iter().filter(|p| key(p) == r.key).count() as u64;
                assert_eq!((r.cohort, r.population), (c, n), "{}: {name} {}", case.name, r.key);
            }
        };
        check("age_band", &|p| age_band(p.age("1920")).to_string());
        check("sex", &|p| p.sex().to_string());
        check("simd_quintile", &|p| p.simd_q.to_string());
        check("council", &|p| p.lca().unwrap_or("Unknown").to_string());
        check("ltc_count", &|p| {
            let n = p.ltc_count("1920");
            if n >= 5 {
                "5+".into()
            } else {
                n.to_string()
            }
        });

        // Top LTCs.
        for code in LTCS {
            let l = ch.ltcs.iter().find(|l| l.code == code).unwrap();
            let c = members.iter().filter(|p| p.ltc("1920", code)).count() as u64;
            assert_eq!(l.cohort, c, "{}: LTC {code}", case.name);
        }
        assert!(ch.ltcs.windows(2).all(|w| w[0].cohort >= w[1].cohort), "top LTCs first");

        // Service use and cost, cohort and population, per person and shares.
        let (cost, em, bed, c9) = truth_measures(&members);
        let (pcost, pem, pbed, _) = truth_measures(&pop);
        let m = |x: Measure| ch.measure(x).unwrap().clone();
        assert!(close(m(Measure::HealthCost).cohort_total, cost), "{}: cost {} vs {cost}", case.name, m(Measure::HealthCost).cohort_total);
        assert!(close(m(Measure::HealthCost).population_total, pcost), "{}: population cost", case.name);
        assert!(close(m(Measure::EmergencyAdmissions).cohort_total, em), "{}: emergency", case.name);
        assert!(close(m(Measure::EmergencyAdmissions).population_total, pem));
        assert!(close(m(Measure::AcuteBeddays).cohort_total, bed), "{}: acute bed days", case.name);
        assert!(close(m(Measure::AcuteBeddays).population_total, pbed));
        assert!(close(m(Measure::DdCode9Beddays).cohort_total, c9), "{}: code 9", case.name);
        if !members.is_empty() {
            assert!(close(m(Measure::HealthCost).cohort_per_person.unwrap(), cost / members.len() as f64));
            assert!(close(m(Measure::HealthCost).cohort_share_pct.unwrap(), 100.0 * cost / pcost));
            assert!(close(m(Measure::AcuteBeddays).cohort_share_pct.unwrap_or(0.0), if pbed > 0.0 { 100.0 * bed / pbed } else { 0.0 }));
        }
    }
}

/// The PLICS comparison: cost per person with vs without diabetes, three ways (truth, the
/// library, hand-written SQL over person_year).
#[test]
fn diabetes_vs_without_cost_per_person() {
    let (people, ws) = fixture();
    let conn = open_ro(ws);
    let with = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\nltc = { any = [\"diabetes\"] }\n").unwrap();
    let without = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\nltc = { none = [\"diabetes\"] }\n").unwrap();
    let a = characterise(&conn, &with).unwrap();
    let b = characterise(&conn, &without).unwrap();
    let lib_with = a.measure(Measure::HealthCost).unwrap().cohort_per_person.unwrap();
    let lib_without = b.measure(Measure::HealthCost).unwrap().cohort_per_person.unwrap();

    let sql = |flag: i32| -> f64 {
        conn.query_row(
            "SELECT avg(health_net_cost) FROM person_year WHERE year = '1920' AND diabetes = ?",
            [flag],
            |r| r.get::<_, f64>(0),
        )
        .unwrap()
    };
    assert!(close(lib_with, sql(1)));
    assert!(close(lib_without, sql(0)));
    let truth = |d: bool| {
        let v: Vec<f64> = people.iter().filter(|p| p.ltc("1920", "diabetes") == d).filter_map(|p| p.year("1920")).map(|y| y.health_cost()).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(close(lib_with, truth(true)));
    assert!(close(lib_without, truth(false)));
    assert_eq!(a.cohort_people + b.cohort_people, a.population_people);
    assert!(lib_with > lib_without, "people with diabetes cost more per head in the fixture");
}

/// Attrition step counts against hand-written SQL over person_year and event (another
/// independent route, for the Code 9 and ICD cases).
#[test]
fn attrition_matches_hand_written_sql() {
    let (_, ws) = fixture();
    let conn = open_ro(ws);
    let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64;
    let spec = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\nservice = { measure = \"dd_code9_beddays\", min = 1 }\n[[filter]]\nage = { min = 75 }\n").unwrap();
    let a = count_and_attrition(&conn, &spec).unwrap();
    assert_eq!(
        a.steps[1].remaining,
        q("SELECT count(*) FROM (SELECT anon_chi FROM event WHERE recid = 'DD' AND delay_reason = '9' AND year = '1920' GROUP BY anon_chi HAVING sum(beddays) >= 1)")
    );
    assert_eq!(
        a.count,
        q("SELECT count(*) FROM person_year py WHERE year = '1920' AND age >= 75 AND anon_chi IN (SELECT anon_chi FROM event WHERE recid = 'DD' AND delay_reason = '9' AND year = '1920')")
    );
    let spec = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\ndiagnosis = { prefixes = [\"J44\", \"I21\"], main_only = true }\n").unwrap();
    assert_eq!(
        count_and_attrition(&conn, &spec).unwrap().count,
        q("SELECT count(DISTINCT anon_chi) FROM event WHERE year = '1920' AND (diag1 LIKE 'J44%' OR diag1 LIKE 'I21%')")
    );
}

#[test]
fn members_page_is_sorted_paged_and_searchable() {
    let (people, ws) = fixture();
    let conn = open_ro(ws);
    let spec = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\nage = { min = 65 }\n").unwrap();
    let expected: Vec<&Person> = people.iter().filter(|p| p.age("1920") >= 65).collect();
    let mut by_cost: Vec<(f64, String)> = expected.iter().map(|p| (p.year("1920").unwrap().health_cost(), p.anon.clone())).collect();
    by_cost.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap().then(a.1.cmp(&b.1)));

    let page = |offset, limit| members_page(&conn, &spec, &PageRequest { sort: MemberSort::Cost, desc: true, offset, limit, search: None }).unwrap();
    let p1 = page(0, 10);
    assert_eq!(p1.total, expected.len() as u64);
    assert_eq!(p1.rows.len(), 10);
    let p2 = page(10, 10);
    let ids: Vec<String> = p1.rows.iter().chain(&p2.rows).map(|m| m.id.clone()).collect();
    let want: Vec<String> = by_cost.iter().take(20).map(|x| x.1.clone()).collect();
    assert_eq!(ids, want);
    assert!(close(p1.rows[0].health_cost, by_cost[0].0));
    let top = expected.iter().find(|p| p.anon == p1.rows[0].id).unwrap();
    assert_eq!(p1.rows[0].age, Some(top.age("1920") as i64));
    assert_eq!(p1.rows[0].ltc_count, Some(top.ltc_count("1920") as i64));
    assert_eq!(p1.rows[0].emergency_admissions, top.year("1920").unwrap().emergency_admissions() as f64);

    // Past the end: empty page, total still known.
    let far = page(100_000, 10);
    assert!(far.rows.is_empty());
    assert_eq!(far.total, expected.len() as u64);

    // Every sort key works, ascending and descending, and ties break on the id.
    for sort in [MemberSort::AnonChi, MemberSort::Age, MemberSort::Sex, MemberSort::Simd, MemberSort::LtcCount, MemberSort::BedDays, MemberSort::EmergencyAdmissions, MemberSort::HriBand, MemberSort::Council] {
        for desc in [false, true] {
            let p = members_page(&conn, &spec, &PageRequest { sort, desc, offset: 0, limit: 1000, search: None }).unwrap();
            assert_eq!(p.rows.len(), expected.len(), "{sort:?}");
        }
    }
    let p = members_page(&conn, &spec, &PageRequest { sort: MemberSort::Age, desc: false, offset: 0, limit: 1000, search: None }).unwrap();
    assert!(p.rows.windows(2).all(|w| w[0].age <= w[1].age));

    // Search narrows by display pseudonym (bound, so quotes are harmless), never by anon_chi.
    // (on a writable copy: the pseudonym table is written on first use)
    let copy = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("members-search-{}.duckdb", std::process::id()));
    std::fs::copy(ws, &copy).unwrap();
    let w = carepath::store::Workspace::open(&copy).unwrap();
    let conn = &w.conn;
    carepath::ops::pseudonym::ensure(conn).unwrap();
    let pseudo = carepath::ops::pseudonym::of(conn, &[expected[0].anon.clone()]).unwrap()[&expected[0].anon].clone();
    let s = members_page(conn, &spec, &PageRequest { sort: MemberSort::Cost, desc: true, offset: 0, limit: 50, search: Some(pseudo.clone()) }).unwrap();
    assert_eq!(s.total, 1, "{pseudo}");
    assert_eq!(s.rows[0].id, expected[0].anon);
    let by_chi = members_page(conn, &spec, &PageRequest { sort: MemberSort::Cost, desc: true, offset: 0, limit: 50, search: Some(expected[0].anon[..8].to_string()) }).unwrap();
    assert_eq!(by_chi.total, 0, "anon_chi text finds nobody");
    let evil = members_page(conn, &spec, &PageRequest { search: Some("x' OR '1'='1".into()), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(evil.total, 0);
}

#[test]
fn spec_values_never_reach_sql_text() {
    let (_, ws) = fixture();
    let conn = open_ro(ws);
    // A locality with SQL in it is just a value that matches nobody.
    let spec = CohortSpec::from_toml("years = [\"1920\"]\n[[filter]]\ngeography = { locality = [\"x'); DROP TABLE person; --\"] }\n").unwrap();
    let a = count_and_attrition(&conn, &spec).unwrap();
    assert_eq!(a.count, 0);
    let c = carepath::store::cohort::sql::build(&conn, &spec, true).unwrap();
    assert!(!c.ctes.sql.contains("DROP"));
}

#[test]
fn default_year_is_the_latest_and_empty_spec_is_everyone() {
    let (people, ws) = fixture();
    let conn = open_ro(ws);
    let a = count_and_attrition(&conn, &CohortSpec::default()).unwrap();
    assert_eq!(a.years, vec!["1920".to_string()]);
    assert_eq!(a.count, people.iter().filter(|p| p.year("1920").is_some()).count() as u64);
    assert_eq!(a.steps.len(), 1);
}

#[test]
fn a_cohort_nobody_is_in_characterises_and_pages_as_empty() {
    let (people, ws) = fixture();
    let conn = open_ro(ws);
    for years in ["years = [\"1920\"]\n", "years = [\"1819\", \"1920\"]\n"] {
        let spec = CohortSpec::from_toml(&format!("{years}[[filter]]\nage = {{ min = 130 }}\n")).unwrap();
        let a = count_and_attrition(&conn, &spec).unwrap();
        assert_eq!(a.count, 0, "{years}");
        let c = characterise(&conn, &spec).unwrap();
        assert_eq!(c.cohort_people, 0, "{years}");
        assert!(c.population_people > 0 && c.population_people <= people.len() as u64);
        for b in &c.breakdowns {
            assert!(b.rows.iter().all(|r| r.cohort == 0), "{years} {}", b.name);
            assert_eq!(b.rows.iter().map(|r| r.population).sum::<u64>(), c.population_people, "{years} {}", b.name);
        }
        assert!(c.measures.iter().all(|m| m.cohort_total == 0.0 && m.cohort_users == 0), "{years}");
        let page = members_page(&conn, &spec, &PageRequest { sort: MemberSort::Cost, desc: true, offset: 0, limit: 20, search: None }).unwrap();
        assert_eq!(page.total, 0);
        assert!(page.rows.is_empty());
    }
}
