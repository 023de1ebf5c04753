//! Recognition of real files by evidence (issue 11, item 1): every published SLF file and SC2
//! table, every subset down to the required core, ambiguous files named, `--kind` obeyed.
mod common;
mod layout_fixture;
use carepath::store::detect::{classify_columns, recognise, Kind, Recognised};
use common::{carepath, load_json, stderr, write};
use layout_fixture::published;

fn cols(s: &str) -> Vec<String> {
    s.split(',').map(String::from).collect()
}

/// Deterministic pseudo-random subsets (xorshift), so a failure names a reproducible subset.
fn subsets(all: &[String], core: &[&str], n: usize) -> Vec<Vec<String>> {
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut out = Vec::new();
    for k in 0..n {
        let keep_per_mille = (k * 997 / n) as u64; // from keeping almost none to almost all
        let mut v: Vec<String> = core.iter().map(|s| s.to_string()).collect();
        for c in all {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 1000 < keep_per_mille && !v.contains(c) {
                v.push(c.clone());
            }
        }
        out.push(v);
    }
    out
}

#[test]
fn the_full_published_files_are_their_kind() {
    // an individual file carries social_care_id (column 120): still an individual file
    let ind = published("slf_individual_columns.csv");
    assert_eq!(ind.len(), 206);
    assert!(ind.contains(&"social_care_id".to_string()));
    assert_eq!(classify_columns(&ind), Some(Kind::Individual));
    let ep = published("slf_episode_columns.csv");
    assert_eq!(ep.len(), 266);
    assert_eq!(classify_columns(&ep), Some(Kind::Episode));
}

#[test]
fn every_subset_down_to_the_core_is_recognised() {
    let ep = published("slf_episode_columns.csv");
    for s in subsets(&ep, &["year", "recid", "anon_chi", "record_keydate1", "record_keydate2"], 300) {
        assert_eq!(classify_columns(&s), Some(Kind::Episode), "episode subset {s:?}");
    }
    // the individual core: anon_chi, year and one person-year measure
    let ind = published("slf_individual_columns.csv");
    for measure in ["health_net_cost", "keep_population", "cij_total", "hri_scotp", "nsu"] {
        for s in subsets(&ind, &["anon_chi", "year", measure], 100) {
            assert_eq!(classify_columns(&s), Some(Kind::Individual), "individual subset {s:?}");
        }
    }
    let sc = [
        ("sending_location,social_care_id,chi_upi", Kind::ScDemographics),
        ("sending_location,social_care_id,period,chi_upi,chi_date_of_birth,date_of_death,chi_postcode,chi_gender_code,financial_year", Kind::ScDemographics),
        ("sending_location,social_care_id,hc_service_start_date", Kind::ScHomecare),
        ("sending_location,social_care_id,period,hc_service_start_date,hc_service_end_date,hc_service,hc_service_provider,reablement,hc_hours_derived,financial_year", Kind::ScHomecare),
        ("sending_location,social_care_id,ch_admission_date", Kind::ScCarehome),
        ("sending_location,social_care_id,period,ch_name,ch_admission_date,ch_discharge_date,ch_provider,nursing_care_provision,type_of_admission,period_end_date", Kind::ScCarehome),
        ("sending_location,social_care_id,sds_start_date", Kind::ScSds),
        ("sending_location,social_care_id,period,sds_start_date,sds_end_date,sds_option_1,sds_option_2,sds_option_3", Kind::ScSds),
        ("sending_location,social_care_id,service_type,service_start_date", Kind::ScEquipment),
        ("sending_location,social_care_id,iorn_group", Kind::ScIorn),
        ("sending_location,social_care_id,living_alone", Kind::ScClient),
        ("sending_location,social_care_id,period,dementia,mental_health_problems,learning_disability,elder_frail,living_alone,type_of_housing,meals,day_care", Kind::ScClient),
        ("datazone2011,simd2020v2_rank", Kind::SimdLookup),
        ("datazone2011,simd2020v2_rank,simd2020v2_sc_decile,simd2020v2_sc_quintile,hb2019,hscp2019,ca2019", Kind::SimdLookup),
    ];
    for (c, k) in sc {
        assert_eq!(classify_columns(&cols(c)), Some(k), "{c}");
    }
}

#[test]
fn an_ambiguous_file_is_named_with_both_candidates_and_kind_decides() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("extract").join("clients.csv");
    write(&f, "sending_location,social_care_id,chi_upi,chi_date_of_birth,dementia,living_alone\n230,A1,0101501234,1950-01-01,1,0\n");
    assert!(matches!(recognise(&cols("sending_location,social_care_id,chi_upi,chi_date_of_birth,dementia,living_alone")), Recognised::Ambiguous(_)));
    let ws = tmp.path().join("ws.duckdb");
    let out = carepath(&["load", f.to_str().unwrap(), "--workspace", ws.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("SC2 demographics") && err.contains("SC2 client"), "{err}");
    assert!(err.contains("chi_upi") && err.contains("dementia") && err.contains("--kind"), "{err}");
    // the analyst says which it is
    let kind = format!("{}=sc_demographics", f.display());
    let out = carepath(&["load", f.to_str().unwrap(), "--workspace", ws.to_str().unwrap(), "--kind", &kind, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["kind"], "sc_demographics");
    // an unknown kind is refused with the list of kinds
    let out = carepath(&["load", f.to_str().unwrap(), "--workspace", ws.to_str().unwrap(), "--kind", &format!("{}=clients", f.display())]);
    assert!(!out.status.success() && stderr(&out).contains("sc_client"), "{}", stderr(&out));
    let _ = load_json; // shared helper module
}
