//! The fields and row rules of each kind of extract (published SLF / SC2 layouts).
use super::spec::{f, req, rule, Field, Spec, Ty};
use crate::model::{geography, ltc, service};
use crate::store::detect::Kind;

pub fn spec(kind: Kind) -> Spec {
    match kind {
        Kind::Episode => episode(),
        Kind::Individual => individual(),
        Kind::ScDemographics => sc_demographics(),
        Kind::ScClient => sc_client(),
        Kind::ScHomecare => sc_homecare(),
        Kind::ScCarehome => sc_carehome(),
        Kind::ScSds => sc_sds(),
        Kind::ScEquipment => sc_equipment(),
        Kind::ScIorn => sc_iorn(),
        Kind::SimdLookup => simd_lookup(),
    }
}

fn list(items: &[&str]) -> String {
    items.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
}

fn known_recids() -> String {
    list(&service::SERVICES.iter().map(|s| s.recid).collect::<Vec<_>>())
}

fn sending_locations() -> String {
    list(&geography::councils().iter().map(|c| c.sending_location.as_str()).collect::<Vec<_>>())
}

/// Geography and SIMD columns shared by the episode and individual files.
fn geography_fields() -> Vec<Field> {
    let mut v = vec![
        f("postcode", Ty::Str),
        f("gpprac", Ty::Str),
        f("hbrescode", Ty::Str),
        f("lca", Ty::Str),
        f("locality", Ty::Str),
        f("datazone2011", Ty::Str),
        f("hb2019", Ty::Str),
        f("hscp2019", Ty::Str),
        f("ca2019", Ty::Str),
        // older code vintages PHS files also carry (mapped to today's codes in derive)
        f("hscp2018", Ty::Str),
        f("ca2018", Ty::Str),
        f("cluster", Ty::Str),
        f("demographic_cohort", Ty::Str),
        f("service_use_cohort", Ty::Str),
    ];
    for c in [
        "simd2020v2_rank",
        "simd2020v2_sc_decile",
        "simd2020v2_sc_quintile",
        "simd2020v2_hb2019_decile",
        "simd2020v2_hb2019_quintile",
        "simd2020v2_hscp2019_decile",
        "simd2020v2_hscp2019_quintile",
        "ur8_2022",
        "ur6_2022",
        "ur3_2022",
        "ur2_2022",
    ] {
        v.push(f(c, Ty::Int));
    }
    // SPARRA / HHG risk scores (PHS `R/join_sparra_hhg.R` L130-186) and homelessness in the FY
    for c in ["sparra_start_fy", "sparra_end_fy", "hhg_start_fy", "hhg_end_fy"] {
        v.push(f(c, Ty::Num));
    }
    v.push(f("hl1_in_fy", Ty::Flag));
    v
}

fn ltc_fields() -> Vec<Field> {
    let mut v = Vec::new();
    for l in ltc::ltcs() {
        v.push(f(&format!("{}_date", l.code), Ty::Date));
        v.push(f(&l.code, Ty::Flag));
    }
    v
}

/// Row rules shared by the episode and individual files. A blank `anon_chi` is not one of
/// them: the episode file keeps rows without a CHI as activity (PHS
/// `R/create_episode_file.R` L139-153); only the individual file drops them (L175-183).
fn person_rules() -> Vec<super::spec::Rule> {
    vec![
        rule("year", "r_year IS NULL", "missing financial year"),
        rule("gender", "gender IS NOT NULL AND gender NOT IN (0, 1, 2, 9)", "gender must be 0, 1, 2 or 9"),
        rule("death_date", "death_date IS NOT NULL AND dob IS NOT NULL AND death_date < dob", "date of death before date of birth"),
    ]
}

fn episode() -> Spec {
    let mut fields = vec![
        req("year", Ty::Year),
        req("recid", Ty::Str),
        req("anon_chi", Ty::Str),
        req("record_keydate1", Ty::Date),
        req("record_keydate2", Ty::Date),
        f("smrtype", Ty::Str),
        f("keytime1", Ty::Str),
        f("gender", Ty::Int),
        f("dob", Ty::Date),
        f("death_date", Ty::Date),
    ];
    fields.extend(geography_fields());
    for (n, t) in [
        ("location", Ty::Str),
        ("ipdc", Ty::Str),
        ("spec", Ty::Str),
        ("tadm", Ty::Str),
        ("cij_marker", Ty::Int),
        ("cij_start_date", Ty::Date),
        ("cij_end_date", Ty::Date),
        ("cij_pattype_code", Ty::Int),
        ("cij_pattype", Ty::Str),
        ("cij_admtype", Ty::Str),
        ("cij_adm_spec", Ty::Str),
        ("cij_dis_spec", Ty::Str),
        ("cij_ppa", Ty::Flag),
        ("diag1", Ty::Str),
        ("diag2", Ty::Str),
        ("diag3", Ty::Str),
        ("diag4", Ty::Str),
        ("diag5", Ty::Str),
        ("diag6", Ty::Str),
        ("attendance_status", Ty::Int),
        ("stay", Ty::Num),
        ("yearstay", Ty::Num),
        ("cost_total_net", Ty::Num),
        ("cost_total_net_inc_dnas", Ty::Num),
        ("no_paid_items", Ty::Num),
        ("primary_delay_reason", Ty::Str),
        ("secondary_delay_reason", Ty::Str),
        ("delay_end_reason", Ty::Int),
        ("ae_attendcat", Ty::Str),
        ("ae_arrivalmode", Ty::Str),
        ("ooh_case_id", Ty::Str),
        ("ch_nursing", Ty::Int),
        ("ch_adm_reason", Ty::Int),
        ("hc_hours_annual", Ty::Num),
        ("hc_reablement", Ty::Int),
        ("social_care_id", Ty::Str),
        ("hbtreatcode", Ty::Str),
        ("op1a", Ty::Str),
        ("alcohol_adm", Ty::Flag),
        ("submis_adm", Ty::Flag),
        ("falls_adm", Ty::Flag),
        ("selfharm_adm", Ty::Flag),
        ("hl1_6before_ep", Ty::Flag),
        ("hl1_6after_ep", Ty::Flag),
        ("hl1_during_ep", Ty::Flag),
    ] {
        fields.push(f(n, t));
    }
    fields.extend(ltc_fields());
    let mut rules = person_rules();
    rules.extend([
        rule("recid", &format!("recid IS NULL OR recid NOT IN ({})", known_recids()), "unknown record type (recid)"),
        rule("record_keydate1", "record_keydate1 IS NULL AND recid <> 'NSU'", "missing start date (record_keydate1)"),
        rule(
            "record_keydate2",
            "record_keydate2 IS NOT NULL AND record_keydate1 IS NOT NULL AND record_keydate2 < record_keydate1",
            "end date (record_keydate2) before start date (record_keydate1)",
        ),
        rule("cost_total_net", "cost_total_net < 0", "negative cost (cost_total_net)"),
        rule("yearstay", "yearstay < 0", "negative bed days (yearstay)"),
        rule("record_keydate1", "year(record_keydate1) < 1900 OR year(record_keydate1) > 2100", "start date outside 1900-2100"),
    ]);
    Spec { stg_table: "stg_episode", fields, rules }
}

fn individual() -> Spec {
    let mut fields = vec![
        req("anon_chi", Ty::Str),
        req("year", Ty::Year),
        f("gender", Ty::Int),
        f("dob", Ty::Date),
        f("death_date", Ty::Date),
        f("nsu", Ty::Flag),
        f("keep_population", Ty::Flag),
    ];
    fields.extend(geography_fields());
    for n in [
        "health_net_cost",
        "acute_cost",
        "mat_cost",
        "mh_cost",
        "gls_cost",
        "op_cost_attend",
        "ae_cost",
        "pis_cost",
        "ooh_cost",
        "dn_cost",
        "ch_cost",
        "hc_total_cost",
        "hri_scotp",
        "hri_hbp",
        "hri_lcap",
        "health_net_cost_inc_dnas",
        "preventable_beddays",
    ] {
        fields.push(f(n, Ty::Num));
    }
    for n in ["hri_scot", "hri_hb", "hri_lca"] {
        fields.push(f(n, Ty::Flag));
    }
    fields.extend(ltc_fields());
    let mut rules = vec![rule("anon_chi", "anon_chi IS NULL", "missing person id (anon_chi is empty; PHS drops these from the individual file)")];
    rules.extend(person_rules());
    rules.push(rule("health_net_cost", "health_net_cost < 0", "negative cost (health_net_cost)"));
    Spec { stg_table: "stg_individual", fields, rules }
}

/// Every SC2 table is keyed by (sending_location, social_care_id).
fn sc_key() -> Vec<Field> {
    vec![req("sending_location", Ty::Str), req("social_care_id", Ty::Str), f("period", Ty::Str), f("financial_year", Ty::Int)]
}

fn sc_key_rules() -> Vec<super::spec::Rule> {
    vec![
        rule("social_care_id", "social_care_id IS NULL", "missing social care id"),
        rule(
            "sending_location",
            &format!("sending_location IS NULL OR sending_location NOT IN ({})", sending_locations()),
            "unknown sending_location (expected a 3-digit SC2 council code such as 100 or 260)",
        ),
        rule(
            "period",
            "period IS NOT NULL AND NOT regexp_full_match(period, '[0-9]{4}(Q[1-4])?')",
            "period must look like 2019Q2 or 2019",
        ),
    ]
}

fn interval_rules(start: &str, end: &str) -> Vec<super::spec::Rule> {
    vec![
        rule(start, &format!("{start} IS NULL"), &format!("missing start date ({start})")),
        rule(end, &format!("{end} IS NOT NULL AND {start} IS NOT NULL AND {end} < {start}"), &format!("end date ({end}) before start date ({start})")),
    ]
}

fn sc_demographics() -> Spec {
    let mut fields = sc_key();
    fields.extend([
        f("chi_upi", Ty::Str),
        f("anon_chi", Ty::Str),
        f("chi_date_of_birth", Ty::Date),
        f("date_of_death", Ty::Date),
        f("chi_postcode", Ty::Str),
        f("chi_gender_code", Ty::Int),
    ]);
    let mut rules = sc_key_rules();
    rules.extend([
        rule("chi_upi", "chi_upi IS NULL AND anon_chi IS NULL", "missing CHI number (chi_upi) to link the client to a person"),
        rule("chi_upi", "chi_upi IS NOT NULL AND NOT regexp_full_match(chi_upi, '[0-9]{9,10}')", "CHI number (chi_upi) must be 10 digits"),
    ]);
    Spec { stg_table: "stg_sc_demographics", fields, rules }
}

fn sc_client() -> Spec {
    let mut fields = sc_key();
    for n in [
        "dementia",
        "mental_health_problems",
        "learning_disability",
        "physical_and_sensory_disability",
        "drugs",
        "alcohol",
        "palliative_care",
        "carer",
        "elder_frail",
        "neurological_condition",
        "autism",
        "other_vulnerable_groups",
        "living_alone",
        "support_from_unpaid_carer",
        "social_worker",
        "meals",
        "day_care",
    ] {
        fields.push(f(n, Ty::Flag));
    }
    fields.push(f("type_of_housing", Ty::Int));
    Spec { stg_table: "stg_sc_client", fields, rules: sc_key_rules() }
}

fn sc_homecare() -> Spec {
    let mut fields = sc_key();
    fields.extend([
        req("hc_service_start_date", Ty::Date),
        f("hc_service_end_date", Ty::Date),
        f("hc_period_start_date", Ty::Date),
        f("hc_period_end_date", Ty::Date),
        f("hc_service", Ty::Int),
        f("hc_service_provider", Ty::Int),
        f("reablement", Ty::Int),
        f("hc_hours_derived", Ty::Num),
    ]);
    let mut rules = sc_key_rules();
    rules.extend(interval_rules("hc_service_start_date", "hc_service_end_date"));
    rules.push(rule("hc_hours_derived", "hc_hours_derived < 0", "negative home care hours (hc_hours_derived)"));
    Spec { stg_table: "stg_sc_homecare", fields, rules }
}

fn sc_carehome() -> Spec {
    let mut fields = sc_key();
    fields.extend([
        req("ch_admission_date", Ty::Date),
        f("ch_discharge_date", Ty::Date),
        f("ch_name", Ty::Str),
        f("ch_provider", Ty::Int),
        f("type_of_admission", Ty::Int),
        f("nursing_care_provision", Ty::Int),
        f("period_end_date", Ty::Date),
    ]);
    let mut rules = sc_key_rules();
    rules.extend(interval_rules("ch_admission_date", "ch_discharge_date"));
    Spec { stg_table: "stg_sc_carehome", fields, rules }
}

fn sc_sds() -> Spec {
    let mut fields = sc_key();
    fields.extend([
        req("sds_start_date", Ty::Date),
        f("sds_end_date", Ty::Date),
        f("sds_option_1", Ty::Flag),
        f("sds_option_2", Ty::Flag),
        f("sds_option_3", Ty::Flag),
    ]);
    let mut rules = sc_key_rules();
    rules.extend(interval_rules("sds_start_date", "sds_end_date"));
    Spec { stg_table: "stg_sc_sds", fields, rules }
}

fn sc_equipment() -> Spec {
    let mut fields = sc_key();
    fields.extend([req("service_type", Ty::Int), req("service_start_date", Ty::Date), f("service_end_date", Ty::Date)]);
    let mut rules = sc_key_rules();
    rules.extend(interval_rules("service_start_date", "service_end_date"));
    rules.push(rule("service_type", "service_type NOT IN (1, 2)", "service_type must be 1 (community alarm) or 2 (telecare)"));
    Spec { stg_table: "stg_sc_equipment", fields, rules }
}

fn sc_iorn() -> Spec {
    let mut fields = sc_key();
    fields.extend([req("iorn_group", Ty::Str), f("iorn_assessment_date", Ty::Date)]);
    let mut rules = sc_key_rules();
    rules.push(rule("iorn_group", "iorn_group IS NULL OR NOT regexp_full_match(upper(substr(iorn_group, 1, 1)), '[A-I]')", "IoRN group must be A to I"));
    Spec { stg_table: "stg_sc_iorn", fields, rules }
}

fn simd_lookup() -> Spec {
    let mut fields = vec![req("datazone2011", Ty::Str), req("simd2020v2_rank", Ty::Int)];
    for (n, t) in [
        ("simd2020v2_sc_decile", Ty::Int),
        ("simd2020v2_sc_quintile", Ty::Int),
        ("simd2020v2_hb2019_decile", Ty::Int),
        ("simd2020v2_hb2019_quintile", Ty::Int),
        ("simd2020v2_hscp2019_decile", Ty::Int),
        ("simd2020v2_hscp2019_quintile", Ty::Int),
        ("hb2019", Ty::Str),
        ("hscp2019", Ty::Str),
        ("ca2019", Ty::Str),
        ("lca", Ty::Str),
        ("hscp_locality", Ty::Str),
        ("ur8_2022", Ty::Int),
        ("ur2_2022", Ty::Int),
    ] {
        fields.push(f(n, t));
    }
    let rules = vec![
        rule("datazone2011", "datazone2011 IS NULL", "missing datazone code"),
        rule("simd2020v2_rank", "simd2020v2_rank < 1 OR simd2020v2_rank > 6976", "SIMD rank must be 1 to 6976"),
        rule("simd2020v2_sc_quintile", "simd2020v2_sc_quintile NOT BETWEEN 1 AND 5", "SIMD quintile must be 1 to 5"),
    ];
    Spec { stg_table: "stg_simd_lookup", fields, rules }
}
