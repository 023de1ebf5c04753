//! The 19 SLF long-term-condition flags (assets/ltc.csv), in the published order.
use super::codes::rows;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ltc {
    /// Column name in the SLF, e.g. `copd` (its incidence date column is `copd_date`).
    pub code: String,
    pub label: String,
    pub group: String,
}

pub fn ltcs() -> &'static [Ltc] {
    static L: OnceLock<Vec<Ltc>> = OnceLock::new();
    L.get_or_init(|| {
        rows(include_str!("../../assets/ltc.csv"))
            .into_iter()
            .map(|r| Ltc { code: r[0].clone(), label: r[1].clone(), group: r[2].clone() })
            .collect()
    })
}

pub fn ltc(code: &str) -> Option<&'static Ltc> {
    ltcs().iter().find(|l| l.code == code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn nineteen_ltcs() {
        assert_eq!(super::ltcs().len(), 19);
        assert_eq!(super::ltc("copd").map(|l| l.group.as_str()), Some("Respiratory"));
    }
}
