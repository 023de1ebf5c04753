//! A small extract in the FULL published layout: every one of the 266 episode and 206
//! individual columns (`assets/slf_*_columns.csv`, from PHS `R/order_ep_cols.R` /
//! `R/order_indiv_cols.R`), in order, with the quirks of real files: rows without a CHI, an
//! episode crossing 31 March in both year files, blank / dummy / English postcodes, English
//! practice codes, a baby born October-March, NSUs with `keep_population = 0`, mixed SDS
//! options, open care home stays (one changing nursing provision), and an `hbrescode`-only
//! option. Expected figures are computed in the tests from these raw files, never by carepath.
#![allow(dead_code)]
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::common::{anon, published};

type Row = BTreeMap<String, String>;

fn csv_cell(v: &str) -> String {
    if v.contains(',') || v.contains('"') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// Write `rows` with the header `cols` (missing values empty).
pub fn write_csv(path: &Path, cols: &[String], rows: &[Row]) {
    let mut s = cols.join(",");
    s.push('\n');
    for r in rows {
        let cells: Vec<String> = cols.iter().map(|c| csv_cell(r.get(c).map(String::as_str).unwrap_or(""))).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, s).unwrap();
}

fn row(pairs: &[(&str, String)]) -> Row {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Residence: postcode, lca, hb2019, hbrescode (hb2018), hscp2019, hscp2018, ca2019, ca2018, datazone.
pub struct Place {
    pub postcode: &'static str,
    pub lca: &'static str,
    pub hb2019: &'static str,
    pub hbrescode: &'static str,
    pub hscp2019: &'static str,
    pub hscp2018: &'static str,
    pub ca2019: &'static str,
    pub ca2018: &'static str,
    pub datazone: &'static str,
}

pub const PLACES: [Place; 5] = [
    Place { postcode: "EH1 1AA", lca: "14", hb2019: "S08000024", hbrescode: "S08000024", hscp2019: "S37000012", hscp2018: "S37000012", ca2019: "S12000036", ca2018: "S12000036", datazone: "S01008417" },
    Place { postcode: "G12 8QQ", lca: "17", hb2019: "S08000031", hbrescode: "S08000021", hscp2019: "S37000034", hscp2018: "S37000015", ca2019: "S12000049", ca2018: "S12000046", datazone: "S01010001" },
    Place { postcode: "ML3 0AA", lca: "29", hb2019: "S08000032", hbrescode: "S08000023", hscp2019: "S37000028", hscp2018: "S37000028", ca2019: "S12000029", ca2018: "S12000029", datazone: "S01012001" },
    Place { postcode: "KA7 1AA", lca: "28", hb2019: "S08000015", hbrescode: "S08000015", hscp2019: "S37000027", hscp2018: "S37000027", ca2019: "S12000028", ca2018: "S12000028", datazone: "S01011001" },
    Place { postcode: "AB10 1AA", lca: "01", hb2019: "S08000020", hbrescode: "S08000020", hscp2019: "S37000001", hscp2018: "S37000001", ca2019: "S12000033", ca2018: "S12000033", datazone: "S01006506" },
];

/// One synthetic person.
pub struct Person {
    pub chi: String,
    pub dob: String,
    pub gender: u8,
    /// Index into PLACES, or None with the postcode/practice below (outside the HRI population).
    pub place: Option<usize>,
    pub postcode: String,
    pub gpprac: String,
    pub nsu: bool,
    pub keep_population: u8,
}

pub fn people() -> Vec<Person> {
    let mut v = Vec::new();
    for i in 0..30u32 {
        let yy = 1930 + (i * 3) % 90;
        let chi = format!("{:02}{:02}{:02}{:04}", 1 + i % 28, 1 + i % 12, yy % 100, 1000 + i);
        let place = (i % 5) as usize;
        v.push(Person {
            chi,
            dob: format!("{yy}-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            gender: (1 + i % 2) as u8,
            place: Some(place),
            postcode: PLACES[place].postcode.into(),
            gpprac: format!("{}", 10001 + i),
            nsu: false,
            keep_population: 1,
        });
    }
    // quirks outside the HRI population (PHS `R/add_hri_variables.R` L25-47, L98)
    for (n, (pc, prac)) in [("", "9995"), ("NF1 1AB", "99942"), ("ZZ611AA", "30001"), ("BF010AA", ""), ("NE1 4XY", "99999")].iter().enumerate() {
        v.push(Person {
            chi: format!("05055{:01}{:04}", n, 5000 + n),
            dob: "1960-05-05".into(),
            gender: 2,
            place: None,
            postcode: pc.to_string(),
            gpprac: prac.to_string(),
            nsu: false,
            keep_population: 1,
        });
    }
    // babies born after 30 September 2019 (age 0 in 2019/20)
    for (n, dob) in ["2019-11-15", "2020-02-29"].iter().enumerate() {
        v.push(Person { chi: format!("151119{:04}", 7000 + n), dob: dob.to_string(), gender: 1, place: Some(n), postcode: PLACES[n].postcode.into(), gpprac: "10001".into(), nsu: false, keep_population: 1 });
    }
    // non-service users, two not in PHS's published population
    for n in 0..4u32 {
        v.push(Person {
            chi: format!("070707{:04}", 8000 + n),
            dob: "2007-07-07".into(),
            gender: 1,
            place: Some((n % 5) as usize),
            postcode: PLACES[(n % 5) as usize].postcode.into(),
            gpprac: "10002".into(),
            nsu: true,
            keep_population: if n < 2 { 0 } else { 1 },
        });
    }
    v
}

pub struct Options {
    /// Leave out hb2019/hscp2019/ca2019 (a file carrying only `hbrescode`, hscp2018, ca2018).
    pub hbrescode_only: bool,
}

fn geo(p: &Person, hbrescode_only: bool) -> Vec<(&'static str, String)> {
    let mut g = vec![("postcode", p.postcode.clone()), ("gpprac", p.gpprac.clone())];
    if let Some(i) = p.place {
        let pl = &PLACES[i];
        g.extend([
            ("lca", pl.lca.to_string()),
            ("hbrescode", pl.hbrescode.to_string()),
            ("hscp2018", pl.hscp2018.to_string()),
            ("ca2018", pl.ca2018.to_string()),
            ("datazone2011", pl.datazone.to_string()),
            ("locality", "Locality A".to_string()),
        ]);
        if !hbrescode_only {
            g.extend([("hb2019", pl.hb2019.to_string()), ("hscp2019", pl.hscp2019.to_string()), ("ca2019", pl.ca2019.to_string())]);
        }
    }
    g
}

fn base(p: &Person, year: &str, recid: &str, smrtype: &str, k1: &str, k2: &str, o: &Options) -> Row {
    let mut pairs: Vec<(&str, String)> = vec![
        ("year", year.into()),
        ("recid", recid.into()),
        ("smrtype", smrtype.into()),
        ("record_keydate1", k1.into()),
        ("record_keydate2", k2.into()),
        ("anon_chi", anon(&p.chi)),
        ("gender", p.gender.to_string()),
        ("dob", p.dob.clone()),
    ];
    pairs.extend(geo(p, o.hbrescode_only));
    row(&pairs)
}

/// Health cost of person `i` (index into `people()`), deterministic and spread.
pub fn pis_cost(i: usize) -> f64 {
    [40.0, 55.5, 120.0, 310.25, 75.0, 990.0, 15.0, 260.0, 33.0, 1500.0][i % 10] + i as f64
}

/// Write the extract into `dir` and return the folder.
pub fn write_extract(dir: &Path, o: &Options) -> PathBuf {
    let ppl = people();
    let mut ep1920: Vec<Row> = Vec::new();
    let mut ep2021: Vec<Row> = Vec::new();
    for (i, p) in ppl.iter().enumerate() {
        if p.nsu {
            let mut r = base(p, "1920", "NSU", "Non-User", "", "", o);
            r.insert("keep_population".into(), p.keep_population.to_string());
            ep1920.push(r);
            continue;
        }
        let mut r = base(p, "1920", "PIS", "PIS", "2020-03-31", "2020-03-31", o);
        r.insert("cost_total_net".into(), format!("{:.2}", pis_cost(i)));
        r.insert("cost_total_net_inc_dnas".into(), format!("{:.2}", pis_cost(i)));
        r.insert("no_paid_items".into(), "12".into());
        ep1920.push(r);
        if i % 3 == 0 {
            // an emergency acute stay (CIJ fields present)
            let mut a = base(p, "1920", "01B", "Acute-IP", "2019-06-01", "2019-06-08", o);
            for (k, v) in [("cij_marker", "1"), ("cij_start_date", "2019-06-01"), ("cij_end_date", "2019-06-08"), ("cij_pattype_code", "0"),
                ("cij_pattype", "Non-Elective"), ("cij_admtype", "33"), ("tadm", "33"), ("ipdc", "I"), ("spec", "A1"), ("diag1", "J441"),
                ("yearstay", "7"), ("stay", "7"), ("cost_total_net", "2100"), ("cost_total_net_inc_dnas", "2100"), ("hbtreatcode", "S08000024"), ("falls_adm", "1")] {
                a.insert(k.into(), v.into());
            }
            ep1920.push(a);
        }
    }
    // a person whose stay crosses 31 March 2020: in both years' files (PHS `R/is_date_in_fyyear.R`)
    let cross = &ppl[1];
    for (year, ys, cost) in [("1920", "12", "2400"), ("2021", "4", "800")] {
        let mut a = base(cross, year, "01B", "Acute-IP", "2020-03-20", "2020-04-05", o);
        for (k, v) in [("cij_marker", "2"), ("cij_start_date", "2020-03-20"), ("cij_end_date", "2020-04-05"),
            ("cij_admtype", "21"), ("tadm", "21"), ("ipdc", "I"), ("spec", "A1"), ("yearstay", ys), ("stay", "16"),
            ("cost_total_net", cost), ("cost_total_net_inc_dnas", cost)] {
            a.insert(k.into(), v.into());
        }
        if year == "1920" { ep1920.push(a) } else { ep2021.push(a) }
    }
    // 2020/21 PIS for the same person, so the second year has health activity
    let mut r = base(cross, "2021", "PIS", "PIS", "2021-03-31", "2021-03-31", o);
    r.insert("cost_total_net".into(), "100".into());
    ep2021.push(r);
    // rows without a CHI: A&E attendances (activity, not errors)
    for n in 0..2 {
        let mut r = row(&[("year", "1920".into()), ("recid", "AE2".into()), ("smrtype", "A & E".into()),
            ("record_keydate1", "2019-08-01".into()), ("record_keydate2", "2019-08-01".into()), ("hbtreatcode", "S08000024".into()),
            ("cost_total_net", format!("{}", 150 + n * 10))]);
        r.insert("anon_chi".into(), String::new());
        ep1920.push(r);
    }
    let mut ep_cols = published("slf_episode_columns.csv");
    let mut ind_cols = published("slf_individual_columns.csv");
    if o.hbrescode_only {
        for c in ["hb2019", "hscp2019", "ca2019"] {
            ep_cols.retain(|x| x != c);
            ind_cols.retain(|x| x != c);
        }
    }
    write_csv(&dir.join("source-episode-file-1920.csv"), &ep_cols, &ep1920);
    write_csv(&dir.join("source-episode-file-2021.csv"), &ep_cols, &ep2021);

    // individual file 2019/20: one row per person, no HRI %s (carepath computes them)
    let mut ind = Vec::new();
    for (i, p) in ppl.iter().enumerate() {
        let mut pairs: Vec<(&str, String)> = vec![("anon_chi", anon(&p.chi)), ("year", "1920".into()), ("gender", p.gender.to_string()),
            ("dob", p.dob.clone()), ("keep_population", p.keep_population.to_string()), ("nsu", if p.nsu { "1" } else { "0" }.into()),
            ("social_care_id", String::new())];
        pairs.extend(geo(p, o.hbrescode_only));
        let mut cost = if p.nsu { 0.0 } else { pis_cost(i) };
        if !p.nsu && i % 3 == 0 {
            cost += 2100.0;
        }
        if i == 1 {
            cost += 2400.0;
        }
        pairs.push(("health_net_cost", format!("{cost:.2}")));
        ind.push(row(&pairs));
    }
    write_csv(&dir.join("source-individual-file-1920.csv"), &ind_cols, &ind);

    // SC2: demographics, care home (open stays; one changes nursing provision), SDS (mixed), home care
    let sc = |i: usize| (if i % 2 == 0 { "230" } else { "260" }, format!("SC{i:03}"));
    let mut demo = String::from("sending_location,social_care_id,chi_upi,chi_date_of_birth,chi_gender_code,period\n");
    for i in [0usize, 1, 3, 4] {
        let (sl, id) = sc(i);
        demo.push_str(&format!("{sl},{id},{},{},{},2019Q4\n", ppl[i].chi, ppl[i].dob, ppl[i].gender));
    }
    std::fs::write(dir.join("sc2-demographics.csv"), demo).unwrap();
    let (sl0, id0) = sc(0);
    let (sl1, id1) = sc(1);
    std::fs::write(
        dir.join("sc2-carehome.csv"),
        format!(
            "sending_location,social_care_id,period,ch_name,ch_admission_date,ch_discharge_date,ch_provider,nursing_care_provision,type_of_admission,period_end_date\n\
             {sl0},{id0},2019Q2,Home A,2019-06-01,,2,1,1,2019-06-30\n\
             {sl0},{id0},2019Q3,Home A,2019-06-01,,2,1,1,2019-09-30\n\
             {sl1},{id1},2019Q3,Home B,2019-10-01,,2,0,1,2019-12-31\n\
             {sl1},{id1},2019Q4,Home B,2019-10-01,,2,1,1,2020-03-31\n"
        ),
    )
    .unwrap();
    let (sl3, id3) = sc(3);
    let (sl4, id4) = sc(4);
    std::fs::write(
        dir.join("sc2-sds.csv"),
        format!(
            "sending_location,social_care_id,period,sds_start_date,sds_end_date,sds_option_1,sds_option_2,sds_option_3\n\
             {sl0},{id0},2019Q2,2019-05-01,,1,0,1\n\
             {sl1},{id1},2019Q2,2019-05-01,,0,1,0\n\
             {sl3},{id3},2019Q3,2019-08-01,2019-12-31,0,0,1\n\
             {sl4},{id4},2019Q3,2019-08-01,,1,1,1\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("sc2-homecare.csv"),
        format!(
            "sending_location,social_care_id,period,hc_service_start_date,hc_service_end_date,hc_period_start_date,hc_period_end_date,hc_service,hc_service_provider,reablement,hc_hours_derived\n\
             {sl1},{id1},2019Q3,2019-10-10,2020-01-31,2019-10-01,2019-12-31,1,2,0,40\n"
        ),
    )
    .unwrap();
    dir.to_path_buf()
}
