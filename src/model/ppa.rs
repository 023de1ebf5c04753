//! Potentially preventable admission (PPA) code lists, from PHS `R/add_ppa_flag.R` L63-212,
//! compiled in from `assets/ppa_codes.csv` (set, code, note). The way the sets combine is in
//! `store::derive::event::ppa_sql`.
use super::codes::rows;
use std::sync::OnceLock;

/// The codes of one set (e.g. `diag1_3`: main diagnosis, first 3 characters).
pub fn set(name: &str) -> Vec<String> {
    static ALL: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ALL.get_or_init(|| {
        rows(include_str!("../../assets/ppa_codes.csv")).into_iter().map(|r| (r[0].clone(), r[1].clone())).collect()
    })
    .iter()
    .filter(|(s, _)| s == name)
    .map(|(_, c)| c.clone())
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sets_match_phs_lists() {
        assert_eq!(super::set("diag1_3").len(), 28);
        assert_eq!(super::set("excluding_ops").len(), 53);
        assert!(super::set("any_4").contains(&"J181".to_string()));
    }
}
