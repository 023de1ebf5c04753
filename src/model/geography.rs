//! Scottish geography code lists: 32 councils, 31 HSCPs, 14 health boards (assets/*.csv).
use super::codes::rows;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Council {
    /// 2-digit SLF council code `01`..`32`.
    pub lca: String,
    pub ca2019: String,
    pub name: String,
    /// SC2 3-digit sending location (e.g. `100` Aberdeen City).
    pub sending_location: String,
    pub hscp2019: String,
    pub hb2019: String,
    pub hb_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    pub hb2019: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partnership {
    pub hscp2019: String,
    pub name: String,
}

pub fn councils() -> &'static [Council] {
    static C: OnceLock<Vec<Council>> = OnceLock::new();
    C.get_or_init(|| {
        rows(include_str!("../../assets/council_areas.csv"))
            .into_iter()
            .map(|r| Council {
                lca: r[0].clone(),
                ca2019: r[1].clone(),
                name: r[2].clone(),
                sending_location: r[4].clone(),
                hscp2019: r[5].clone(),
                hb2019: r[6].clone(),
                hb_name: r[7].clone(),
            })
            .collect()
    })
}

pub fn boards() -> &'static [Board] {
    static B: OnceLock<Vec<Board>> = OnceLock::new();
    B.get_or_init(|| {
        rows(include_str!("../../assets/health_boards.csv"))
            .into_iter()
            .map(|r| Board { hb2019: r[0].clone(), name: r[1].clone() })
            .collect()
    })
}

pub fn partnerships() -> &'static [Partnership] {
    static P: OnceLock<Vec<Partnership>> = OnceLock::new();
    P.get_or_init(|| {
        rows(include_str!("../../assets/hscps.csv"))
            .into_iter()
            .map(|r| Partnership { hscp2019: r[0].clone(), name: r[3].clone() })
            .collect()
    })
}

pub fn council_by_lca(lca: &str) -> Option<&'static Council> {
    councils().iter().find(|c| c.lca == lca)
}

pub fn council_by_sending_location(code: &str) -> Option<&'static Council> {
    councils().iter().find(|c| c.sending_location == code)
}

/// (older code, current code) pairs for boards, councils and partnerships, read from the
/// `older_code` columns of `assets/health_boards.csv`, `council_areas.csv` and `hscps.csv`:
/// PHS files carry `hbrescode` as hb2018 (`R/create_individual_file.R` L898-914,
/// `hbrescode_var = "hb2018"`) and `ca2018`/`hscp2018` beside the 2019 codes
/// (`R/order_ep_cols.R`), so a file without the 2019 columns must be mapped to today's codes.
pub fn code_vintages() -> &'static [(String, String)] {
    static V: OnceLock<Vec<(String, String)>> = OnceLock::new();
    V.get_or_init(|| {
        let mut v = Vec::new();
        let mut add = |older: &str, current: &str| {
            for tok in older.split(|c: char| !c.is_ascii_alphanumeric()) {
                if tok.len() == 9 && tok.starts_with('S') && tok[1..].chars().all(|c| c.is_ascii_digit()) && tok != current {
                    v.push((tok.to_string(), current.to_string()));
                }
            }
        };
        for r in rows(include_str!("../../assets/health_boards.csv")) {
            add(&r[2], &r[0]);
        }
        for r in rows(include_str!("../../assets/council_areas.csv")) {
            add(&r[3], &r[1]);
        }
        for r in rows(include_str!("../../assets/hscps.csv")) {
            add(&r[1], &r[0]);
        }
        v
    })
}

/// SQL mapping a board / council / partnership code expression to today's code (older
/// vintages replaced, anything else unchanged). Built from our own code lists only.
pub fn current_code_sql(expr: &str) -> String {
    let whens: Vec<String> = code_vintages().iter().map(|(o, c)| format!("WHEN '{o}' THEN '{c}'")).collect();
    format!("(CASE {expr} {} ELSE {expr} END)", whens.join(" "))
}

/// Postcode areas (leading letters) that are in Scotland. TD straddles the border: the
/// SLF lookup decides per postcode; without a lookup we count TD as Scottish.
pub const SCOTTISH_POSTCODE_AREAS: [&str; 16] =
    ["AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE"];

/// Dummy postcodes used by the SLF for people with no fixed or known address.
pub fn is_dummy_postcode(pc: &str) -> bool {
    let p = pc.trim().to_ascii_uppercase();
    p.is_empty()
        || p == "BF010AA"
        || p == "NF1 1AB"
        || p == "NK010AA"
        || (p.starts_with("ZZ") && p[2..].chars().take(2).all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn code_lists_are_complete() {
        assert_eq!(councils().len(), 32);
        assert_eq!(boards().len(), 14);
        assert_eq!(partnerships().len(), 31);
        assert_eq!(council_by_sending_location("260").map(|c| c.name.as_str()), Some("Glasgow City"));
        assert!(is_dummy_postcode("ZZ611AA") && is_dummy_postcode("") && !is_dummy_postcode("EH1 1AA"));
        let v = code_vintages();
        for (old, new) in [("S08000021", "S08000031"), ("S08000023", "S08000032"), ("S12000046", "S12000049"), ("S37000015", "S37000034"), ("S37000014", "S37000032")] {
            assert!(v.iter().any(|(o, c)| o == old && c == new), "{old} -> {new} missing from {v:?}");
        }
    }
}
