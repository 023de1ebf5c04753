//! Unit costs for social care by financial year, from `assets/care_home_costs.csv` and
//! `assets/home_care_costs.csv`, extended to every year the way PHS extends its own tables:
//! a year after the latest in the table is the latest year's rate plus 1% a year
//! (`Rmarkdown/costs_care_home.Rmd` L78-96, `Rmarkdown/costs_home_care.Rmd` L50-67). A year
//! before the earliest takes the earliest year's rate (carepath's choice: PHS's tables start in
//! 2016/17 and it never needs earlier ones).
use super::codes::rows;
use super::year::FinYear;

/// Years the rate tables are expanded to (every FY an SLF extract can carry, and some).
const FIRST_YEAR: i32 = 2010;
const LAST_YEAR: i32 = 2035;

#[derive(Debug, Clone, PartialEq)]
pub struct CareHomeRate {
    pub year: String,
    /// The SC2 `nursing_care_provision` value the rate is joined on (None = unknown).
    pub nursing: Option<i64>,
    pub cost_per_day: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HomeCareRate {
    pub year: String,
    /// 2-digit council code; "" = every council without its own rate.
    pub lca: String,
    pub hourly_cost: f64,
}

/// Rate for `year` from `(start year, rate)` pairs: that year's, else the latest earlier one
/// uplifted by 1% a year, else the earliest.
fn rate_for(table: &[(i32, f64)], year: i32) -> Option<f64> {
    if let Some((_, r)) = table.iter().find(|(y, _)| *y == year) {
        return Some(*r);
    }
    if let Some((y, r)) = table.iter().filter(|(y, _)| *y < year).max_by_key(|(y, _)| *y) {
        return Some(r * 1.01f64.powi(year - y));
    }
    table.iter().min_by_key(|(y, _)| *y).map(|(_, r)| *r)
}

/// Per year, the care home cost per day for each `nursing_care_provision` value. PHS joins
/// `ch_nursing` to its cost table's `nursing_care_provision`, which it sets to 1 for the
/// "Without Nursing Care" charge (`Rmarkdown/costs_care_home.Rmd` L38-40, joined in
/// `R/process_extract_care_home.R` L82-86): so provision 1 is costed at the without-nursing
/// rate and 0 at the with-nursing rate. The archived SPSS step had it the other way round
/// (`Costs-01-care_home.sps`: 'With Nursing Care' = 1); carepath follows the current R code.
/// Unknown provision gets the mean of the two (`costs_care_home.Rmd` L59-66).
pub fn care_home_rates_by_year() -> Vec<CareHomeRate> {
    let mut with = Vec::new();
    let mut without = Vec::new();
    for r in rows(include_str!("../../assets/care_home_costs.csv")) {
        let (Some(y), Ok(week)) = (FinYear::parse(&r[0]), r[2].trim().parse::<f64>()) else { continue };
        match r[1].trim() {
            "with_nursing" => with.push((y.start, week / 7.0)),
            "without_nursing" => without.push((y.start, week / 7.0)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for start in FIRST_YEAR..=LAST_YEAR {
        let year = FinYear { start }.code();
        let (w, wo) = (rate_for(&with, start), rate_for(&without, start));
        if let Some(wo) = wo {
            out.push(CareHomeRate { year: year.clone(), nursing: Some(1), cost_per_day: wo });
        }
        if let Some(w) = w {
            out.push(CareHomeRate { year: year.clone(), nursing: Some(0), cost_per_day: w });
        }
        if let (Some(w), Some(wo)) = (w, wo) {
            out.push(CareHomeRate { year, nursing: None, cost_per_day: (w + wo) / 2.0 });
        }
    }
    out
}

/// Per year and council, the home care cost per hour (PHS: hours x `hourly_cost` joined by
/// council name and financial year, `R/process_sc_all_home_care.R` L103-114). A council
/// without its own row takes the Scotland-wide row (`lca` empty).
pub fn home_care_rates_by_year() -> Vec<HomeCareRate> {
    let mut by_council: std::collections::BTreeMap<String, Vec<(i32, f64)>> = Default::default();
    for r in rows(include_str!("../../assets/home_care_costs.csv")) {
        let (Some(y), Ok(cost)) = (FinYear::parse(&r[0]), r[2].trim().parse::<f64>()) else { continue };
        by_council.entry(r[1].trim().to_string()).or_default().push((y.start, cost));
    }
    let scotland = by_council.get("").cloned().unwrap_or_default();
    let mut out = Vec::new();
    for start in FIRST_YEAR..=LAST_YEAR {
        let year = FinYear { start }.code();
        let mut councils: Vec<String> = super::geography::councils().iter().map(|c| c.lca.clone()).collect();
        councils.push(String::new());
        for lca in councils {
            let table = by_council.get(&lca).filter(|t| !t.is_empty()).unwrap_or(&scotland);
            if let Some(r) = rate_for(table, start) {
                out.push(HomeCareRate { year: year.clone(), lca, hourly_cost: r });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn later_years_are_uplifted_one_percent_a_year() {
        let t = [(2019, 100.0)];
        assert_eq!(rate_for(&t, 2019), Some(100.0));
        assert!((rate_for(&t, 2021).unwrap_or(0.0) - 102.01).abs() < 1e-9);
        assert_eq!(rate_for(&t, 2017), Some(100.0));
    }
    #[test]
    fn rates_cover_every_year_and_council() {
        let ch = care_home_rates_by_year();
        assert!(ch.iter().any(|r| r.year == "1920" && r.nursing == Some(1) && (r.cost_per_day - 614.07 / 7.0).abs() < 1e-9));
        let hc = home_care_rates_by_year();
        assert!(hc.iter().any(|r| r.year == "1920" && r.lca == "17"));
    }
}
