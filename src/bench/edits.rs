//! The fixed set of cohort edits the benchmark times, and the hand-written SQL over the raw
//! extract tables (the SLF individual and episode files read straight into plain tables) that
//! answers the same questions: the baseline every cohort figure is compared with.
//!
//! The baseline is what an analyst would write against the raw individual file of the latest
//! year: its own `age`, `simd2020v2_sc_quintile`, LTC flags, `lca`, `hri_scotp` and
//! `cij_non_el` (non-elective continuous inpatient stays) columns, one row per person.
//! carepath answers from its derived `person_year` (age at the FY midpoint, geography and SIMD
//! from the latest record, emergency admissions counted from events), so the two counts can
//! differ a little; both are reported.
use crate::model::cohort::{resolve_geography, CohortSpec, Filter, GeoKind, Rule, SimdLevel, AGE_BANDS};
use crate::model::hri::{band_sql, HriLevel};
use crate::model::ltc::ltcs;
use anyhow::{bail, Result};

/// One filter condition from TOML (the way analysts write them). Only ever called on the
/// benchmark's own compiled-in filter texts, which the unit tests below parse one by one (None
/// would leave the edit out, never stop the run).
fn filter(toml_body: &str) -> Option<Filter> {
    CohortSpec::from_toml(&format!("[[filter]]\n{toml_body}\n")).ok()?.filters.into_iter().next()
}

fn position(spec: &CohortSpec, key: &str) -> Option<usize> {
    spec.filters.iter().position(|f| f.rule.key() == key)
}

fn toggle(spec: &mut CohortSpec, key: &str, on: bool) {
    if let Some(i) = position(spec, key) {
        spec.filters[i].enabled = on;
    }
}

fn remove(spec: &mut CohortSpec, key: &str) {
    if let Some(i) = position(spec, key) {
        spec.filters.remove(i);
    }
}

fn replace(spec: &mut CohortSpec, key: &str, toml_body: &str) {
    let Some(f) = filter(toml_body) else { return };
    match position(spec, key) {
        Some(i) => spec.filters[i] = Filter { enabled: spec.filters[i].enabled, ..f },
        None => spec.filters.push(f),
    }
}

/// An edit an analyst makes in the cohort builder.
pub struct Edit {
    pub name: &'static str,
    pub apply: fn(&mut CohortSpec),
}

/// The fixed edit sequence (14 edits), applied in order to an empty cohort of the latest year.
pub fn edits() -> Vec<Edit> {
    vec![
        Edit { name: "add age 65+", apply: |s| s.filters.extend(filter("age = { min = 65 }")) },
        Edit { name: "add SIMD quintile 1", apply: |s| s.filters.extend(filter("simd = { quintile = [1] }")) },
        Edit { name: "add LTC COPD", apply: |s| s.filters.extend(filter("ltc = { any = [\"copd\"] }")) },
        Edit { name: "add council Glasgow City", apply: |s| s.filters.extend(filter("geography = { council = [\"Glasgow City\"] }")) },
        Edit {
            name: "add HRI band High/High-Medium",
            apply: |s| s.filters.extend(filter("hri = { level = \"scotland\", bands = [\"High\", \"High to Medium\"] }")),
        },
        Edit {
            name: "add 1+ emergency admissions",
            apply: |s| s.filters.extend(filter("service = { measure = \"emergency_admissions\", min = 1 }")),
        },
        Edit { name: "toggle SIMD off", apply: |s| toggle(s, "simd", false) },
        Edit { name: "change age to 75-84, 85+", apply: |s| replace(s, "age", "age = { bands = [\"75-84\", \"85+\"] }") },
        Edit { name: "toggle SIMD on", apply: |s| toggle(s, "simd", true) },
        Edit { name: "remove LTC COPD", apply: |s| remove(s, "ltc") },
        Edit { name: "change SIMD to quintiles 1-2", apply: |s| replace(s, "simd", "simd = { quintile = [1, 2] }") },
        Edit { name: "add LTC count 2+", apply: |s| s.filters.extend(filter("ltc_count = { min = 2 }")) },
        Edit { name: "toggle HRI off", apply: |s| toggle(s, "hri", false) },
        Edit { name: "remove council", apply: |s| remove(s, "geography") },
    ]
}

/// Table names the baseline gives the raw extract files: the file stem with `-` as `_`.
pub fn raw_table_name(file_stem: &str) -> String {
    file_stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// The raw individual table of a year, qualified by the attached catalogue.
pub fn individual_table(catalog: &str, year: &str) -> String {
    format!("{catalog}.{}", raw_table_name(&format!("source-individual-file-{year}")))
}

/// The raw episode table of a year, qualified by the attached catalogue.
pub fn episode_table(catalog: &str, year: &str) -> String {
    format!("{catalog}.{}", raw_table_name(&format!("source-episode-file-{year}")))
}

fn list_u8(v: &[u8]) -> String {
    v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}

fn quoted(v: &[String]) -> String {
    v.iter().map(|x| format!("'{}'", x.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
}

/// Sum of the LTC flags of a raw individual row.
fn ltc_count_sql() -> String {
    let parts: Vec<String> = ltcs().iter().map(|l| format!("coalesce(\"{}\", 0)", l.code)).collect();
    format!("({})", parts.join(" + "))
}

/// The HRI band of a raw individual row at Scotland level.
pub fn hri_band_raw() -> String {
    band_sql("hri_scotp")
}

/// The condition of one filter over a raw individual row (the benchmark's own fixed values
/// only: this is never fed user text).
pub fn raw_condition(rule: &Rule) -> Result<String> {
    let and = |parts: Vec<String>| if parts.is_empty() { "true".to_string() } else { format!("({})", parts.join(" AND ")) };
    Ok(match rule {
        Rule::Age(a) => {
            let mut parts = Vec::new();
            if let Some(m) = a.min {
                parts.push(format!("age >= {m}"));
            }
            if let Some(m) = a.max {
                parts.push(format!("age <= {m}"));
            }
            if !a.bands.is_empty() {
                let ors: Vec<String> = a
                    .bands
                    .iter()
                    .filter_map(|b| AGE_BANDS.iter().find(|(l, _, _)| l == b))
                    .map(|(_, lo, hi)| format!("age BETWEEN {lo} AND {hi}"))
                    .collect();
                parts.push(format!("({})", ors.join(" OR ")));
            }
            and(parts)
        }
        Rule::Simd(s) if s.level == SimdLevel::Scotland && s.decile.is_empty() => {
            format!("simd2020v2_sc_quintile IN ({})", list_u8(&s.quintile))
        }
        Rule::Ltc(l) => {
            let mut parts = Vec::new();
            if !l.any.is_empty() {
                parts.push(format!("({})", l.any.iter().map(|c| format!("\"{c}\" = 1")).collect::<Vec<_>>().join(" OR ")));
            }
            if !l.all.is_empty() {
                parts.push(format!("({})", l.all.iter().map(|c| format!("\"{c}\" = 1")).collect::<Vec<_>>().join(" AND ")));
            }
            if !l.none.is_empty() {
                parts.push(format!("NOT ({})", l.none.iter().map(|c| format!("coalesce(\"{c}\", 0) = 1")).collect::<Vec<_>>().join(" OR ")));
            }
            and(parts)
        }
        Rule::LtcCount(r) => {
            let n = ltc_count_sql();
            let mut parts = Vec::new();
            if let Some(m) = r.min {
                parts.push(format!("{n} >= {m}"));
            }
            if let Some(m) = r.max {
                parts.push(format!("{n} <= {m}"));
            }
            and(parts)
        }
        Rule::Geography(g) if g.board.is_empty() && g.hscp.is_empty() && g.locality.is_empty() && g.datazone.is_empty() => {
            let codes: Vec<String> = g.council.iter().filter_map(|c| resolve_geography(c, GeoKind::Council)).collect();
            format!("lca IN ({})", quoted(&codes))
        }
        Rule::Hri(h) if h.level == HriLevel::Scotland => {
            let mut parts = Vec::new();
            if let Some(b) = h.flag {
                parts.push(format!("hri_scot = {b}"));
            }
            if !h.bands.is_empty() {
                parts.push(format!("{} IN ({})", hri_band_raw(), quoted(&h.bands)));
            }
            and(parts)
        }
        Rule::Service(s) if s.measure.name() == "emergency_admissions" => {
            let v = "coalesce(cij_non_el, 0)";
            let mut parts = Vec::new();
            if let Some(m) = s.min {
                parts.push(format!("{v} >= {m}"));
            }
            if let Some(m) = s.max {
                parts.push(format!("{v} <= {m}"));
            }
            and(parts)
        }
        other => bail!("the benchmark baseline has no hand-written SQL for a {} filter", other.key()),
    })
}

/// The enabled filters' raw conditions, in attrition order.
pub fn raw_conditions(spec: &CohortSpec) -> Result<Vec<String>> {
    spec.filters.iter().filter(|f| f.enabled).map(|f| raw_condition(&f.rule)).collect()
}

/// The whole cohort's condition (all enabled filters).
pub fn raw_cohort_condition(spec: &CohortSpec) -> Result<String> {
    let c = raw_conditions(spec)?;
    Ok(if c.is_empty() { "true".into() } else { c.join(" AND ") })
}

/// Count and cumulative attrition in one scan of the raw individual file.
pub fn baseline_attrition_sql(spec: &CohortSpec, table: &str) -> Result<(String, usize)> {
    let conds = raw_conditions(spec)?;
    let mut cols = vec!["count(*)".to_string()];
    for k in 1..=conds.len() {
        cols.push(format!("count(*) FILTER (WHERE {})", conds[..k].join(" AND ")));
    }
    Ok((format!("SELECT {} FROM {table}", cols.join(", ")), conds.len() + 1))
}

/// Age band of a raw row.
fn age_band_raw() -> String {
    let whens: Vec<String> =
        AGE_BANDS[..6].iter().map(|(l, lo, hi)| format!("WHEN age BETWEEN {lo} AND {hi} THEN '{l}'")).collect();
    format!("CASE {} ELSE 'Unknown' END", whens.join(" "))
}

/// Characterisation by hand: the cohort and the population side by side, broken down by age
/// band, sex, SIMD quintile, LTC count, council and HRI band, with service use and cost sums
/// and LTC prevalence, in one grouping-sets scan.
pub fn baseline_characterise_sql(spec: &CohortSpec, table: &str) -> Result<String> {
    let cond = raw_cohort_condition(spec)?;
    let ltc_sums: Vec<String> = ltcs().iter().map(|l| format!("sum(coalesce(\"{}\", 0)) AS \"{}\"", l.code, l.code)).collect();
    let dims = ["age_band", "sex", "simd", "ltc_band", "council", "hri_band"];
    let mut sets: Vec<String> = vec!["()".into(), "(in_cohort)".into()];
    for d in dims {
        sets.push(format!("({d})"));
        sets.push(format!("(in_cohort, {d})"));
    }
    Ok(format!(
        "SELECT in_cohort, age_band, sex, simd, ltc_band, council, hri_band, count(*) AS people,
                sum(health_net_cost) AS cost, sum(acute_inpatient_beddays) AS bed_days, sum(cij_non_el) AS emergency,
                sum(ae_attendances) AS ae, sum(pis_paid_items) AS items, {ltc}
         FROM (SELECT ({cond}) AS in_cohort, {age} AS age_band, coalesce(CAST(gender AS VARCHAR), 'Unknown') AS sex,
                      coalesce(CAST(simd2020v2_sc_quintile AS VARCHAR), 'Unknown') AS simd,
                      CASE WHEN {n} >= 5 THEN '5+' ELSE CAST({n} AS VARCHAR) END AS ltc_band,
                      coalesce(lca, 'Unknown') AS council, coalesce({hri}, 'Unknown') AS hri_band, *
               FROM {table})
         GROUP BY GROUPING SETS ({sets})",
        ltc = ltc_sums.join(", "),
        age = age_band_raw(),
        n = ltc_count_sql(),
        hri = hri_band_raw(),
        sets = sets.join(", "),
    ))
}

/// One page of the cohort's people, most costly first (as the members screen sorts).
pub fn baseline_members_sql(spec: &CohortSpec, table: &str, offset: u64, limit: u64) -> Result<String> {
    let cond = raw_cohort_condition(spec)?;
    Ok(format!(
        "SELECT anon_chi, age, {age} AS age_band, gender, simd2020v2_sc_quintile, lca, {n} AS ltc_count, health_net_cost,
                acute_inpatient_beddays, cij_non_el, {hri} AS hri_band, count(*) OVER () AS total
         FROM {table} WHERE {cond}
         ORDER BY health_net_cost DESC NULLS LAST, anon_chi ASC LIMIT {limit} OFFSET {offset}",
        age = age_band_raw(),
        n = ltc_count_sql(),
        hri = hri_band_raw(),
    ))
}

/// The HRI picture by hand at council level: people, HRIs, cost shares and band counts per
/// council and overall.
pub fn baseline_hri_sql(table: &str) -> String {
    format!(
        "SELECT lca, count(*) AS people, count(*) FILTER (WHERE hri_lca) AS hri_people,
                sum(health_net_cost) AS cost, sum(health_net_cost) FILTER (WHERE hri_lca) AS hri_cost,
                sum(acute_inpatient_beddays) FILTER (WHERE hri_lca) AS hri_beddays,
                count(*) FILTER (WHERE {b} = 'High') AS high, count(*) FILTER (WHERE {b} = 'High to Medium') AS high_medium,
                count(*) FILTER (WHERE {b} = 'Medium') AS medium, count(*) FILTER (WHERE {b} = 'Medium to Low') AS medium_low,
                count(*) FILTER (WHERE {b} = 'Low') AS low
         FROM {table} WHERE hri_lcap IS NOT NULL GROUP BY ROLLUP (lca)",
        b = band_sql("hri_lcap")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edit_state_has_a_baseline() {
        let mut spec = CohortSpec::default();
        for e in edits() {
            (e.apply)(&mut spec);
            let (sql, n) = baseline_attrition_sql(&spec, "t").unwrap();
            assert_eq!(n, spec.enabled().count() + 1, "{}", e.name);
            assert!(sql.starts_with("SELECT count(*)"));
            spec.validate().unwrap();
        }
        assert!(edits().len() >= 10);
    }
}
