//! High Resource Individual bands on the cumulative share of health cost (PHS convention).

/// Geography level at which HRIs are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HriLevel {
    Scotland,
    Board,
    Council,
}

impl HriLevel {
    /// Column suffix in `person_year`: `hri_scot`, `hri_hb`, `hri_lca` (and `..p` for the %).
    pub fn column(&self) -> &'static str {
        match self {
            HriLevel::Scotland => "hri_scot",
            HriLevel::Board => "hri_hb",
            HriLevel::Council => "hri_lca",
        }
    }
}

/// Band names in order, with the lower bound of cumulative % each starts at.
pub const BANDS: [(&str, f64); 5] =
    [("High", 0.0), ("High to Medium", 50.0), ("Medium", 65.0), ("Medium to Low", 80.0), ("Low", 95.0)];

/// Band for a cumulative %: High <50 (the HRI flag itself uses <= 50), High to Medium 50-<65,
/// Medium 65-<80, Medium to Low 80-<95, Low >=95.
pub fn band(cumulative_pct: f64) -> &'static str {
    let mut name = BANDS[0].0;
    for (b, lower) in BANDS {
        if cumulative_pct >= lower {
            name = b;
        }
    }
    name
}

/// The same rule as SQL, for use in derived tables (`x` is a SQL expression of the %).
pub fn band_sql(x: &str) -> String {
    format!(
        "CASE WHEN {x} IS NULL THEN NULL WHEN {x} < 50 THEN 'High' WHEN {x} < 65 THEN 'High to Medium' \
         WHEN {x} < 80 THEN 'Medium' WHEN {x} < 95 THEN 'Medium to Low' ELSE 'Low' END"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn band_edges() {
        assert_eq!(super::band(0.0), "High");
        assert_eq!(super::band(49.99), "High");
        assert_eq!(super::band(50.0), "High to Medium");
        assert_eq!(super::band(65.0), "Medium");
        assert_eq!(super::band(94.9), "Medium to Low");
        assert_eq!(super::band(95.0), "Low");
        assert_eq!(super::band(100.0), "Low");
    }
}
