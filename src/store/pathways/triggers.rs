//! Triggers before becoming an HRI (see `model::triggers` for the definitions): two grouped
//! queries (people per group and stratum; stays per group, stratum, step and month of the year
//! before), the matching and weighting done here in Rust where it can be read.
use crate::model::hri::HriLevel;
use crate::model::pathways::{step_names, StepLevel, DEATH};
use crate::model::triggers::{ServiceUse, TriggerFigures, TriggersRequest};
use crate::model::year::FinYear;
use crate::store::cohort::sequence::step_code;
use crate::store::cohort::sql::{age_band_sql, hri_columns};
use anyhow::{bail, Result};
use duckdb::{params, Connection};
use std::collections::{BTreeMap, HashMap};

/// New HRIs (`'new'`) and comparison people (`'comp'`) with their Y-1 stratum; params: Y-1, Y.
fn groups_sql(level: HriLevel) -> String {
    let (_, flag, _, _) = hri_columns(level);
    format!(
        "WITH b AS (SELECT anon_chi, coalesce({flag}, false) AS h,
                      ({band}) || '|' || coalesce(CAST(sex AS VARCHAR), '?') || '|' || coalesce(CAST(simd_quintile AS VARCHAR), '?')
                        || '|' || coalesce(lca, '?') AS stratum
                    FROM person_year WHERE year = ? AND anon_chi IS NOT NULL),
              a AS (SELECT anon_chi, coalesce({flag}, false) AS h FROM person_year WHERE year = ? AND anon_chi IS NOT NULL),
              g AS (SELECT b.anon_chi, b.stratum, CASE WHEN a.h AND NOT b.h THEN 'new' WHEN NOT a.h AND NOT b.h THEN 'comp' END AS grp
                    FROM b JOIN a ON a.anon_chi = b.anon_chi)",
        band = age_band_sql("age")
    )
}

pub fn triggers(conn: &Connection, req: &TriggersRequest, loaded: &[String]) -> Result<TriggerFigures> {
    let Some(y) = FinYear::parse(&req.year) else { bail!("{:?} is not a financial year", req.year) };
    let before = FinYear { start: y.start - 1 };
    let (year, before_year) = (y.code(), before.code());
    if !loaded.contains(&before_year) {
        bail!(
            "triggers for {} look at the year before, {}, which is not loaded: load it, or pick a later year",
            y.label(),
            before.label()
        );
    }
    let groups = groups_sql(req.level);

    // people per (group, stratum)
    let mut people: HashMap<(String, String), u64> = HashMap::new();
    let mut st = conn.prepare(&format!("{groups} SELECT grp, stratum, count(*) FROM g WHERE grp IS NOT NULL GROUP BY grp, stratum"))?;
    let mut rows = st.query(params![before_year, year])?;
    while let Some(r) = rows.next()? {
        people.insert((r.get(0)?, r.get(1)?), r.get::<_, i64>(2)?.max(0) as u64);
    }

    // stays per (group, stratum, step, month): a stay counts once per step, in the month it
    // starts; other events count one each
    let (from, to) = before.bounds();
    let code = step_code(StepLevel::Grouped, "e");
    let sql = format!(
        "{groups}
         SELECT grp, stratum, step, strftime(d, '%Y-%m') AS month, count(*) FROM (
           SELECT grp, stratum, step, anon_chi, stay, min(start_date) AS d FROM (
             SELECT g.grp, g.stratum, {code} AS step, e.anon_chi, e.start_date,
                    CASE WHEN e.cij_marker IS NOT NULL THEN 'c' || e.year || '-' || e.cij_marker ELSE 'e' || e.event_id END AS stay
             FROM event e JOIN g ON g.anon_chi = e.anon_chi
             WHERE g.grp IS NOT NULL AND e.start_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) AND {code} IS NOT NULL)
           GROUP BY grp, stratum, step, anon_chi, stay)
         GROUP BY grp, stratum, step, month"
    );
    let mut events: HashMap<(String, String), Vec<(usize, String, u64)>> = HashMap::new();
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![before_year, year, from, to])?;
    while let Some(r) = rows.next()? {
        let key: (String, String) = (r.get(0)?, r.get(1)?);
        let step = r.get::<_, i64>(2)?.max(0) as usize;
        events.entry(key).or_default().push((step, r.get(3)?, r.get::<_, i64>(4)?.max(0) as u64));
    }
    Ok(weigh(&year, &before, req.level, &people, &events))
}

/// Match by stratum and weight the comparison group to the new HRIs' mix.
fn weigh(
    year: &str,
    before: &FinYear,
    level: HriLevel,
    people: &HashMap<(String, String), u64>,
    events: &HashMap<(String, String), Vec<(usize, String, u64)>>,
) -> TriggerFigures {
    let count = |grp: &str, s: &str| people.get(&(grp.to_string(), s.to_string())).copied().unwrap_or(0);
    let new_hri_people: u64 = people.iter().filter(|((g, _), _)| g == "new").map(|(_, n)| n).sum();
    // matched strata: new HRIs and comparison people both
    let mut strata: Vec<&String> = people.keys().filter(|(g, s)| g == "new" && count("comp", s) > 0).map(|(_, s)| s).collect();
    strata.sort(); // the same sums, in the same order, every run
    let matched: u64 = strata.iter().map(|s| count("new", s)).sum();
    let comparison_people: u64 = strata.iter().map(|s| count("comp", s)).sum();

    let steps: Vec<String> = step_names(StepLevel::Grouped).into_iter().filter(|s| s != DEATH).collect();
    let months = months_of(before);
    // (step, month or None) -> (new events, comparison events, weighted comparison events)
    let mut sums: BTreeMap<(usize, Option<usize>), (u64, u64, f64)> = BTreeMap::new();
    for s in &strata {
        let (n, m) = (count("new", s) as f64, count("comp", s) as f64);
        for (grp, weight) in [("new", 0.0), ("comp", n / m)] {
            for (step, month, k) in events.get(&(grp.to_string(), s.to_string())).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(mi) = months.iter().position(|x| x == month) else { continue };
                for key in [(*step, None), (*step, Some(mi))] {
                    let e = sums.entry(key).or_insert((0, 0, 0.0));
                    if grp == "new" {
                        e.0 += k;
                    } else {
                        e.1 += k;
                        e.2 += weight * *k as f64;
                    }
                }
            }
        }
    }
    let per_person = |x: f64| if matched == 0 { 0.0 } else { x / matched as f64 };
    let row = |step: usize, month: Option<usize>| {
        let (n, c, w) = sums.get(&(step, month)).copied().unwrap_or((0, 0, 0.0));
        let (np, cp) = (per_person(n as f64), per_person(w));
        ServiceUse {
            service: steps[step].clone(),
            month: month.map(|i| months[i].clone()),
            new_hri_events: n,
            comparison_events: c,
            new_hri_per_person: np,
            comparison_per_person: cp,
            ratio: (cp > 0.0).then(|| np / cp),
        }
    };
    let services = (0..steps.len()).map(|s| row(s, None)).collect();
    let by_month = (0..steps.len()).flat_map(|s| (0..months.len()).map(move |m| (s, m))).map(|(s, m)| row(s, Some(m))).collect();
    TriggerFigures {
        year: year.to_string(),
        before_year: before.code(),
        level,
        new_hri_people,
        matched_new_hri_people: matched,
        comparison_people,
        strata: strata.len() as u64,
        services,
        by_month,
    }
}

/// The twelve months of a financial year, "YYYY-MM", April first (one rule: `FinYear::months`).
fn months_of(y: &FinYear) -> Vec<String> {
    y.months()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_run_april_to_march() {
        let m = months_of(&FinYear { start: 2019 });
        assert_eq!(m.first().map(String::as_str), Some("2019-04"));
        assert_eq!(m.get(8).map(String::as_str), Some("2019-12"));
        assert_eq!(m.get(9).map(String::as_str), Some("2020-01"));
        assert_eq!(m.last().map(String::as_str), Some("2020-03"));
    }

    /// Stratum A: 2 new HRIs with 3 A&E visits, 4 comparison people with 2; stratum B: 1 new
    /// HRI with 1, 1 comparison person with 3; stratum C: 5 new HRIs, no comparison (unmatched).
    /// Matched new HRIs 3: 4/3 A&E per person. Comparison weighted to the new mix:
    /// (2/4 x 2 + 1/1 x 3) / 3 = 4/3 too; ratio 1.
    #[test]
    fn comparison_is_weighted_to_the_new_hris_mix() {
        let key = |g: &str, s: &str| (g.to_string(), s.to_string());
        let people: HashMap<_, _> = [(key("new", "A"), 2), (key("comp", "A"), 4), (key("new", "B"), 1), (key("comp", "B"), 1), (key("new", "C"), 5)].into_iter().collect();
        let m = "2019-05".to_string();
        let events: HashMap<_, _> = [
            (key("new", "A"), vec![(0, m.clone(), 3)]),
            (key("comp", "A"), vec![(0, m.clone(), 2)]),
            (key("new", "B"), vec![(0, m.clone(), 1)]),
            (key("comp", "B"), vec![(0, m.clone(), 3)]),
            (key("new", "C"), vec![(0, m.clone(), 50)]),
        ]
        .into_iter()
        .collect();
        let f = weigh("2021", &FinYear { start: 2019 }, HriLevel::Scotland, &people, &events);
        assert_eq!((f.new_hri_people, f.matched_new_hri_people, f.comparison_people, f.strata), (8, 3, 5, 2));
        let ae = &f.services[0];
        assert_eq!((ae.service.as_str(), ae.new_hri_events, ae.comparison_events), ("A&E", 4, 5));
        assert!((ae.new_hri_per_person - 4.0 / 3.0).abs() < 1e-12);
        assert!((ae.comparison_per_person - 4.0 / 3.0).abs() < 1e-12);
        assert!((ae.ratio.unwrap_or(0.0) - 1.0).abs() < 1e-12);
        let may = f.by_month.iter().find(|r| r.service == "A&E" && r.month.as_deref() == Some("2019-05")).map(|r| r.new_hri_events);
        assert_eq!(may, Some(4));
        assert_eq!(f.services[1].ratio, None, "no emergency admissions in the comparison: no ratio");
    }
}
