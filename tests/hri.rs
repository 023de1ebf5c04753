//! HRI cumulative % and flags against a reference computation written independently in Rust:
//! ties, missing board or council, non-Scottish and dummy postcodes.
mod common;
use common::*;
use std::collections::BTreeMap;

struct P {
    id: String,
    cost: f64,
    postcode: &'static str,
    gpprac: &'static str,
    lca: &'static str,
    hb: &'static str,
}

fn population() -> Vec<P> {
    let mut v = Vec::new();
    // (cost, postcode, gpprac, lca, hb): ties at 5000 and 700, people with no council or
    // board, an English postcode, dummy postcodes, and a dummy postcode with an English practice.
    let shapes: [(f64, &str, &str, &str, &str); 16] = [
        (5000.0, "EH1 1AA", "10001", "14", "S08000024"),
        (5000.0, "EH3 9ZZ", "10001", "14", "S08000024"),
        (12000.0, "G12 8QQ", "40001", "17", "S08000031"),
        (700.0, "G1 1AA", "40001", "17", "S08000031"),
        (700.0, "PA1 1AA", "40002", "26", "S08000031"),
        (300.0, "AB10 1AA", "20001", "01", "S08000020"),
        (9000.0, "KY1 1AA", "50001", "", "S08000029"),
        (4000.0, "DD1 1AA", "60001", "09", ""),
        (8000.0, "NE1 4XY", "70001", "", ""),
        (6000.0, "ZZ611AA", "30001", "", ""),
        (6500.0, "", "9995", "", ""),
        (2500.0, "NF1 1AB", "30002", "14", "S08000024"),
        (0.0, "EH1 2AB", "10001", "14", "S08000024"),
        (150.0, "G2 1AA", "40003", "17", "S08000031"),
        (150.0, "ML1 1AA", "40004", "29", "S08000032"),
        (20000.0, "ZE1 0AA", "80001", "27", "S08000026"),
    ];
    for (i, (cost, pc, gp, lca, hb)) in shapes.into_iter().enumerate() {
        v.push(P { id: anon(&format!("01015{:05}", 10000 + i)), cost, postcode: pc, gpprac: gp, lca, hb });
    }
    v
}

/// PHS's HRI population: `scottish_resident == 0` only, i.e. a Scottish postcode area
/// (`R/add_hri_variables.R` L25-47, filter L98). Blank and dummy postcodes are codes 2-4 there
/// and are left out whatever the practice.
fn resident(p: &P) -> bool {
    let area: String = p.postcode.chars().take_while(|c| c.is_ascii_alphabetic()).take(3).collect();
    let scottish = ["AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE"];
    let _ = p.gpprac;
    scottish.contains(&area.as_str())
}

/// The PHS rule: within a group, sort by cost desc (ties by id asc), cumulate share of total.
fn reference(pop: &[P], key: impl Fn(&P) -> Option<String>) -> BTreeMap<String, f64> {
    let mut groups: BTreeMap<String, Vec<&P>> = BTreeMap::new();
    for p in pop.iter().filter(|p| resident(p)) {
        if let Some(k) = key(p) {
            groups.entry(k).or_default().push(p);
        }
    }
    let mut out = BTreeMap::new();
    for (_, mut g) in groups {
        g.sort_by(|a, b| b.cost.partial_cmp(&a.cost).unwrap().then(a.id.cmp(&b.id)));
        let total: f64 = g.iter().map(|p| p.cost).sum();
        let mut run = 0.0;
        for p in g {
            run += p.cost;
            out.insert(p.id.clone(), 100.0 * run / total);
        }
    }
    out
}

#[test]
fn hri_matches_reference_computation() {
    let pop = population();
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("year,recid,record_keydate1,record_keydate2,anon_chi,postcode,gpprac,lca,hb2019,cost_total_net\n");
    for p in &pop {
        text.push_str(&format!("1920,PIS,2020-03-31,2020-03-31,{},{},{},{},{},{}\n", p.id, p.postcode, p.gpprac, p.lca, p.hb, p.cost));
    }
    let f = tmp.path().join("source-episode-file-1920.csv");
    write(&f, &text);
    let ws = tmp.path().join("ws.duckdb");
    let (_, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = open_ro(&ws);

    let scot = reference(&pop, |_| Some("S".into()));
    let hb = reference(&pop, |p| (!p.hb.is_empty()).then(|| p.hb.to_string()));
    let lca = reference(&pop, |p| (!p.lca.is_empty()).then(|| p.lca.to_string()));
    let mut hri_count = 0;
    for p in &pop {
        let (sp, hp, lp, sf, hf, lf): (Option<f64>, Option<f64>, Option<f64>, bool, bool, bool) = conn
            .query_row(
                "SELECT hri_scotp, hri_hbp, hri_lcap, hri_scot, hri_hb, hri_lca FROM person_year WHERE anon_chi = ?",
                [&p.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap();
        for (level, got, want, flag) in [
            ("scotland", sp, scot.get(&p.id).copied(), sf),
            ("board", hp, hb.get(&p.id).copied(), hf),
            ("council", lp, lca.get(&p.id).copied(), lf),
        ] {
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{level} % for cost {} postcode '{}': got {g}, want {w}", p.cost, p.postcode),
                (None, None) => {}
                _ => panic!("{level} % for cost {} postcode '{}': got {got:?}, want {want:?}", p.cost, p.postcode),
            }
            assert_eq!(flag, want.map(|w| w <= 50.0).unwrap_or(false), "{level} flag for cost {} '{}'", p.cost, p.postcode);
        }
        if sf {
            hri_count += 1;
        }
    }
    // The English resident and the English practice are never scored.
    let english = &pop[8];
    let scored: Option<f64> = conn.query_row("SELECT hri_scotp FROM person_year WHERE anon_chi = ?", [&english.id], |r| r.get(0)).unwrap();
    assert!(scored.is_none());
    // By hand under PHS's population (Scottish postcode areas only): residents' cost is 57,000;
    // ZE1 (20,000) is 35.1%, the next (G12, 12,000) takes it to 56.1%: one Scotland HRI.
    assert_eq!(hri_count, 1, "Scotland HRIs");
    // Bands follow the cumulative %.
    let top = &pop[15];
    let band: String = conn.query_row("SELECT hri_scot_band FROM person_year WHERE anon_chi = ?", [&top.id], |r| r.get(0)).unwrap();
    assert_eq!(band, "High");
}

#[test]
fn individual_file_hri_is_kept_and_disagreements_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let a = anon("0101501234");
    let b = anon("0203402346");
    // Two people: a holds 90% of cost. The file claims b's % is 10 (it is 100).
    let ind = format!(
        "anon_chi,year,postcode,lca,hb2019,health_net_cost,hri_scot,hri_scotp,hri_hb,hri_hbp,hri_lca,hri_lcap\n\
         {a},1920,EH1 1AA,14,S08000024,900,TRUE,90,TRUE,90,TRUE,90\n\
         {b},1920,EH1 2AA,14,S08000024,100,TRUE,10,FALSE,100,FALSE,100\n"
    );
    let f = tmp.path().join("source-individual-file-1920.csv");
    write(&f, &ind);
    let ws = tmp.path().join("ws.duckdb");
    let (report, out) = load_json(&ws, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["hri_disagreements"], 1, "{report}");
    let conn = open_ro(&ws);
    assert_eq!(q_f64(&conn, &format!("SELECT hri_scotp FROM person_year WHERE anon_chi = '{b}'")), 10.0, "the file's value is kept");
    assert_eq!(q_str(&conn, &format!("SELECT hri_source FROM person_year WHERE anon_chi = '{b}'")).as_deref(), Some("individual file"));
    assert_eq!(q_f64(&conn, &format!("SELECT ours FROM hri_disagreements WHERE anon_chi = '{b}' AND level = 'scotland'")), 100.0);
}
