//! Class 7: conflicts are reported, not resolved silently. The load report counts each kind of
//! conflict and says which row is used; the table output says it too.
use crate::common::*;

fn conflict<'a>(report: &'a serde_json::Value, part: &str) -> Option<&'a serde_json::Value> {
    report["conflicts"].as_array()?.iter().find(|c| c["what"].as_str().is_some_and(|w| w.contains(part)))
}

#[test]
fn duplicate_person_years_two_chis_per_client_and_two_simd_ranks_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_extract(&tmp.path().join("extract"));
    let a = anon("0101501234");
    write(
        &dir.join("source-individual-file-1920.csv"),
        // FY 2020/21 has no episodes, so the person-year's cost is the individual file's.
        &format!("anon_chi,year,health_net_cost\n{a},2021,100\n{a},2021,300\n"),
    );
    write(
        &dir.join("sc2-demographics.csv"),
        "sending_location,social_care_id,chi_upi,period\n230,A001,0101501234,2019Q1\n230,A001,0203402346,2019Q3\n260,G777,0203402346,2019Q2\n",
    );
    write(
        &dir.join("lookup-datazone-simd2020v2.csv"),
        "datazone2011,simd2020v2_rank,simd2020v2_sc_quintile\nS01008417,120,1\nS01008417,5000,4\nS01010001,6000,5\n",
    );
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let py = conflict(&report, "person-years").unwrap_or_else(|| panic!("duplicate person-year reported: {report}"));
    assert_eq!(py["count"], 1);
    assert!(py["rule"].as_str().unwrap().contains("last row"), "{py}");
    let sc = conflict(&report, "more than one CHI").unwrap_or_else(|| panic!("{report}"));
    assert_eq!(sc["count"], 1);
    assert!(sc["rule"].as_str().unwrap().contains("latest period"), "{sc}");
    let dz = conflict(&report, "SIMD rank").unwrap_or_else(|| panic!("{report}"));
    assert_eq!(dz["count"], 1);
    // The rules stated are the ones applied: the later individual row, the later period's CHI.
    let c = open_ro(&ws);
    assert_eq!(q_f64(&c, &format!("SELECT health_net_cost FROM person_year WHERE anon_chi = '{a}' AND year = '2021'")), 300.0);
    assert_eq!(q_str(&c, "SELECT anon_chi FROM sc_link WHERE social_care_id = 'A001'"), Some(anon("0203402346")));
    // and the table report says so
    let out = carepath(&["load", dir.to_str().unwrap(), "--workspace", tmp.path().join("ws2.duckdb").to_str().unwrap()]);
    let text = stdout(&out);
    assert!(text.contains("Conflict: 1 person-years"), "{text}");
}

#[test]
fn duplicate_column_names_are_reported_and_the_first_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.csv");
    write(
        &f,
        &format!(
            "year,recid,record_keydate1,record_keydate2,anon_chi,cost_total_net,cost_total_net\n1920,01B,2019-05-01,2019-05-02,{},100,999\n",
            anon("0101501234")
        ),
    );
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    let w = report["files"][0]["warnings"].to_string();
    assert!(w.contains("cost_total_net appears 2 times"), "{report}");
    assert_eq!(report["total_cost"], 100.0, "the first column is used");
}

#[test]
fn duplicate_column_names_in_parquet_are_reported_and_the_first_is_used() {
    // DuckDB never writes a repeated name, other writers can: write `cost_total_nez`, then give
    // it the name of the column before it in the file's own metadata (same length, every place).
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("source-episode-file-1920.parquet");
    crate::support::parquet_from(
        &f,
        &format!(
            "SELECT '1920' AS year, '01B' AS recid, DATE '2019-05-01' AS record_keydate1, DATE '2019-05-02' AS record_keydate2, \
             '{}' AS anon_chi, 100.0 AS cost_total_net, 999.0 AS cost_total_nez",
            anon("0101501234")
        ),
    );
    let bytes = std::fs::read(&f).unwrap();
    let (from, to) = (b"cost_total_nez".as_slice(), b"cost_total_net".as_slice());
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    assert_ne!(out, bytes, "the name was in the file");
    std::fs::write(&f, out).unwrap();
    let ws = tmp.path().join("ws.duckdb");
    let (report, o) = load_json(&ws, &[&f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let w = report["files"][0]["warnings"].to_string();
    assert!(w.contains("cost_total_net appears 2 times"), "{report}");
    assert_eq!(report["total_cost"], 100.0, "the first column is used");
}
