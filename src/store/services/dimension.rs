//! A dimension's key of a person-year row `p` (SQL), what a reader sees for a key, and the
//! order groups are shown in: shared by the resource cube and the unscheduled care view.
use crate::model::cohort::age_bands;
use crate::model::dimension::{urban_rural_classes, Dimension};
use crate::model::geography::{council_by_lca, partnerships};
use crate::store::cohort::sql::{age_band_sql, ltc_band_sql};

/// Key of a person-year that carries no value for the dimension.
pub const NOT_RECORDED: &str = "not recorded";

/// The dimension's key of a person-year `p` (our own SQL text only; NULL: not recorded).
pub fn key_sql(dim: Dimension) -> String {
    let trimmed = |c: &str| format!("nullif(trim(CAST(p.{c} AS VARCHAR)), '')");
    match dim {
        Dimension::Council => trimmed("lca"),
        Dimension::Hscp => trimmed("hscp2019"),
        Dimension::Locality => trimmed("locality"),
        Dimension::GpPractice => trimmed("gpprac"),
        Dimension::GpCluster => trimmed("cluster"),
        Dimension::Datazone => trimmed("datazone2011"),
        Dimension::AgeBand => format!("CASE WHEN p.age IS NULL THEN NULL ELSE {} END", age_band_sql("p.age")),
        Dimension::Simd => "CAST(p.simd_quintile AS VARCHAR)".into(),
        Dimension::SimdDecile => "CAST(p.simd_decile AS VARCHAR)".into(),
        Dimension::Sex => trimmed("sex"),
        Dimension::LtcCount => format!("CASE WHEN p.ltc_count IS NULL THEN NULL ELSE {} END", ltc_band_sql("p.ltc_count")),
        Dimension::HriBand => "coalesce(p.hri_scot_band, 'not in the HRI population')".into(),
        Dimension::UrbanRural => "CAST(p.ur8 AS VARCHAR)".into(),
        Dimension::Year => "p.year".into(),
    }
}

/// What a reader sees for a key: a name beside its code where the code lists know it (codes
/// stay in labels, so no two groups merge).
pub fn label(dim: Dimension, key: &str) -> String {
    if key.is_empty() {
        return NOT_RECORDED.into();
    }
    match dim {
        Dimension::Council => council_by_lca(key).map(|c| c.name.clone()).unwrap_or_else(|| format!("council {key}")),
        Dimension::Hscp => partnerships().iter().find(|p| p.hscp2019 == key).map(|p| p.name.clone()).unwrap_or_else(|| format!("partnership {key}")),
        Dimension::GpPractice => format!("practice {key}"),
        Dimension::GpCluster => format!("cluster {key}"),
        Dimension::Simd | Dimension::SimdDecile => {
            let (name, last) = if dim == Dimension::Simd { ("SIMD", "5") } else { ("SIMD decile", "10") };
            match key {
                "1" => format!("{name} 1 (most deprived)"),
                k if k == last => format!("{name} {k} (least deprived)"),
                k => format!("{name} {k}"),
            }
        }
        Dimension::Sex => match key {
            "F" => "female".into(),
            "M" => "male".into(),
            k => format!("sex {k}"),
        },
        Dimension::LtcCount => format!("{key} LTC{}", if key == "1" { "" } else { "s" }),
        Dimension::UrbanRural => urban_rural_classes().iter().find(|(c, _)| c == key).map(|(c, l)| format!("{c} {l}")).unwrap_or_else(|| format!("class {key}")),
        Dimension::Year => crate::model::year::label(key),
        _ => key.to_string(),
    }
}

/// Where a label sorts among an ordinal dimension's groups ("not recorded" last).
fn rank(dim: Dimension, label: &str) -> (usize, String) {
    if label == NOT_RECORDED {
        return (usize::MAX, String::new());
    }
    let pos = |list: &[&str]| list.iter().position(|b| *b == label).unwrap_or(usize::MAX - 1);
    match dim {
        Dimension::AgeBand => (age_bands().iter().position(|b| b.0 == label).unwrap_or(usize::MAX - 1), String::new()),
        Dimension::HriBand => (pos(&["High", "High to Medium", "Medium", "Medium to Low", "Low", "not in the HRI population"]), String::new()),
        // numbered groups: by their number, whatever the words after it
        Dimension::Simd | Dimension::SimdDecile | Dimension::LtcCount | Dimension::UrbanRural => {
            let digits: String = label.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
            (digits.parse().unwrap_or(usize::MAX - 1), String::new())
        }
        _ => (0, label.to_string()),
    }
}

/// Groups in the order a reader expects: ordinal dimensions in their own order, places and
/// practices by people, largest first; "not recorded" last. `size` gives a group's people.
pub fn order<T>(dim: Dimension, items: &mut [T], label_of: impl Fn(&T) -> &str, size: impl Fn(&T) -> u64) {
    if dim.is_ordinal() {
        items.sort_by(|a, b| rank(dim, label_of(a)).cmp(&rank(dim, label_of(b))));
    } else {
        items.sort_by(|a, b| {
            let (ra, rb) = (label_of(a) == NOT_RECORDED, label_of(b) == NOT_RECORDED);
            ra.cmp(&rb).then_with(|| size(b).cmp(&size(a))).then_with(|| label_of(a).cmp(label_of(b)))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_keep_codes_apart_and_not_recorded_sorts_last() {
        assert_eq!(label(Dimension::GpPractice, ""), NOT_RECORDED);
        assert_eq!(label(Dimension::GpPractice, "10001"), "practice 10001");
        assert_eq!(label(Dimension::Simd, "1"), "SIMD 1 (most deprived)");
        assert_eq!(label(Dimension::SimdDecile, "10"), "SIMD decile 10 (least deprived)");
        assert_eq!(label(Dimension::UrbanRural, "6"), "6 Accessible Rural Areas");
        let mut rows = vec!["not recorded", "85+", "0-17", "45-64"];
        order(Dimension::AgeBand, &mut rows, |s| s, |_| 0);
        assert_eq!(rows, ["0-17", "45-64", "85+", "not recorded"]);
        let mut d = vec!["SIMD decile 10 (least deprived)", "SIMD decile 2", "SIMD decile 1 (most deprived)"];
        order(Dimension::SimdDecile, &mut d, |s| s, |_| 0);
        assert_eq!(d[0], "SIMD decile 1 (most deprived)");
        assert_eq!(d[2], "SIMD decile 10 (least deprived)");
        let mut places = vec![("a", 5), ("not recorded", 99), ("b", 7)];
        order(Dimension::Council, &mut places, |p| p.0, |p| p.1);
        assert_eq!(places.iter().map(|p| p.0).collect::<Vec<_>>(), ["b", "a", "not recorded"]);
    }
}
