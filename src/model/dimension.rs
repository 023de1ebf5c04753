//! The ways a table of person-years can be split (plain data, no I/O): the resource cube's rows
//! and columns and the unscheduled care view's groups. Each person-year is in exactly one group
//! of every dimension (its residence, practice, age band, ... in that year; "not recorded" when
//! it has none), so a dimension's groups add up to the total.
use super::codes::rows;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    /// Council of residence in the year.
    Council,
    /// Health and social care partnership of residence.
    Hscp,
    /// Locality of residence.
    Locality,
    /// GP practice (code) in the year.
    GpPractice,
    /// GP cluster of the practice in the year.
    GpCluster,
    /// Data zone (2011) of residence.
    Datazone,
    /// SIMD quintile (1 = most deprived).
    Simd,
    /// SIMD decile (1 = most deprived).
    SimdDecile,
    /// Age band at the middle of the year.
    AgeBand,
    /// Sex.
    Sex,
    /// Number of long-term conditions recorded (0, 1, 2, 3, 4, 5+).
    LtcCount,
    /// HRI band at Scotland level (High ... Low; "not in the HRI population" without a cost).
    HriBand,
    /// Scottish Government 8-fold urban/rural class of residence.
    UrbanRural,
    /// Financial year (the cube then covers every year loaded).
    Year,
}

impl Dimension {
    /// The cohort filter (as a line of cohort TOML) that selects the person-years of the group
    /// with this code, for drilling from a cube cell to its people. None for "not recorded",
    /// for people outside the HRI population, and for `year` (a year is the cohort's years,
    /// not a filter).
    pub fn filter_toml(&self, key: &str) -> Option<String> {
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        let quoted = toml::Value::String(key.to_string()).to_string();
        let number = || key.parse::<u32>().ok();
        Some(match self {
            Dimension::Council => {
                let name = super::geography::council_by_lca(key)?.name.clone();
                format!("geography = {{ council = [{}] }}", toml::Value::String(name))
            }
            Dimension::Hscp => format!("geography = {{ hscp = [{quoted}] }}"),
            Dimension::Locality => format!("geography = {{ locality = [{quoted}] }}"),
            Dimension::Datazone => format!("geography = {{ datazone = [{quoted}] }}"),
            Dimension::GpPractice => format!("practice = {{ gp = [{quoted}] }}"),
            Dimension::GpCluster => format!("practice = {{ cluster = [{quoted}] }}"),
            Dimension::AgeBand => format!("age = {{ bands = [{quoted}] }}"),
            Dimension::Simd => format!("simd = {{ quintile = [{}] }}", number()?),
            Dimension::SimdDecile => format!("simd = {{ decile = [{}] }}", number()?),
            Dimension::Sex => format!("sex = {quoted}"),
            Dimension::LtcCount => match key.strip_suffix('+') {
                Some(min) => format!("ltc_count = {{ min = {} }}", min.parse::<u32>().ok()?),
                None => format!("ltc_count = {{ min = {n}, max = {n} }}", n = number()?),
            },
            Dimension::HriBand if key == "not in the HRI population" => return None,
            Dimension::HriBand => format!("hri = {{ level = \"scotland\", bands = [{quoted}] }}"),
            Dimension::UrbanRural => format!("urban_rural = {{ ur8 = [{}] }}", number()?),
            Dimension::Year => return None,
        })
    }

    pub fn label(&self) -> &'static str {
        match self {
            Dimension::Council => "council of residence",
            Dimension::Hscp => "partnership of residence",
            Dimension::Locality => "locality of residence",
            Dimension::GpPractice => "GP practice",
            Dimension::GpCluster => "GP cluster",
            Dimension::Datazone => "data zone",
            Dimension::Simd => "SIMD quintile (1 = most deprived)",
            Dimension::SimdDecile => "SIMD decile (1 = most deprived)",
            Dimension::AgeBand => "age band",
            Dimension::Sex => "sex",
            Dimension::LtcCount => "number of LTCs",
            Dimension::HriBand => "HRI band (Scotland)",
            Dimension::UrbanRural => "urban/rural (8-fold)",
            Dimension::Year => "financial year",
        }
    }

    /// The name on the command line (`gp-practice`).
    pub fn name(&self) -> String {
        clap::ValueEnum::to_possible_value(self).map(|v| v.get_name().to_string()).unwrap_or_default()
    }

    /// Groups with an order of their own (bands, quintiles, years) rather than by size.
    pub fn is_ordinal(&self) -> bool {
        matches!(
            self,
            Dimension::Simd | Dimension::SimdDecile | Dimension::AgeBand | Dimension::Sex | Dimension::LtcCount | Dimension::HriBand | Dimension::UrbanRural | Dimension::Year
        )
    }
}

/// The 8-fold urban/rural classes (`assets/urban_rural.csv`: code, label).
pub fn urban_rural_classes() -> &'static [(String, String)] {
    static R: OnceLock<Vec<(String, String)>> = OnceLock::new();
    R.get_or_init(|| rows(include_str!("../../assets/urban_rural.csv")).into_iter().filter(|r| r.len() >= 2).map(|r| (r[0].trim().to_string(), r[1].clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_command_line_spelling_and_classes_are_read() {
        assert_eq!(Dimension::GpPractice.name(), "gp-practice");
        assert_eq!(urban_rural_classes().len(), 8);
        assert_eq!(urban_rural_classes()[5], ("6".to_string(), "Accessible Rural Areas".to_string()));
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::model::cohort::CohortSpec;

    #[test]
    fn every_group_code_becomes_a_filter_the_cohort_language_reads() {
        for (dim, key) in [
            (Dimension::Council, "16"),
            (Dimension::Hscp, "S37000032"),
            (Dimension::Locality, "Kirkcaldy"),
            (Dimension::GpPractice, "43210"),
            (Dimension::GpCluster, "Cluster A"),
            (Dimension::AgeBand, "75-84"),
            (Dimension::Simd, "1"),
            (Dimension::SimdDecile, "10"),
            (Dimension::Sex, "F"),
            (Dimension::LtcCount, "2"),
            (Dimension::LtcCount, "5+"),
            (Dimension::HriBand, "High"),
            (Dimension::UrbanRural, "3"),
        ] {
            let line = dim.filter_toml(key).unwrap_or_else(|| panic!("{dim:?} {key}"));
            let spec = CohortSpec::from_toml(&format!("[[filter]]\n{line}\n"));
            assert!(spec.is_ok(), "{dim:?} {key}: {line}: {:?}", spec.err());
        }
        assert_eq!(Dimension::Sex.filter_toml(""), None, "not recorded");
        assert_eq!(Dimension::Year.filter_toml("1920"), None);
        assert_eq!(Dimension::LtcCount.filter_toml("5+").as_deref(), Some("ltc_count = { min = 5 }"));
    }
}
