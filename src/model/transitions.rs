//! HRI pathways across years (plain data, no I/O): where the people of one year's HRI
//! population (every band, at a level) are in a later year, and how many HRIs stay HRIs.
//!
//! Categories of the later year, decided once here (PHS's HRI pathways script assigns a band per
//! year, or "Died" for people who died before the year starts, or "No contact"/"Not in LA"):
//! 1. **Died** when the person's date of death is before the later year starts;
//! 2. else the person's **band** in the later year, when they are in that year's HRI population
//!    at the level and either alive at its end or had health cost in it (someone who died during
//!    the later year after using services keeps the band their use gave them, as in PHS's
//!    script; someone whose only later-year record is their death is Died, not Low);
//! 3. else **Died** when they died by the end of the later year;
//! 4. else **Not in the HRI population** when they have a person-year in the later year but no
//!    HRI % at the level (not a Scottish resident that year, or no board/council);
//! 5. else **Not present**: no record at all in the later year (moved away, left, or simply no
//!    contact and no individual-file row).
use crate::model::hri::{HriLevel, BANDS};
use serde::Serialize;

pub const DIED: &str = "Died";
pub const NOT_IN_POPULATION: &str = "Not in the HRI population";
pub const NOT_PRESENT: &str = "Not present";

/// The later year's categories in table order: the five bands, then the three others.
pub fn to_categories() -> Vec<&'static str> {
    BANDS.iter().map(|(b, _)| *b).chain([NOT_IN_POPULATION, DIED, NOT_PRESENT]).collect()
}

/// The earlier year's bands in table order.
pub fn from_bands() -> Vec<&'static str> {
    BANDS.iter().map(|(b, _)| *b).collect()
}

/// People moving from one band of the earlier year to one category of the later year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransitionCell {
    pub from_band: String,
    pub to_band: String,
    pub people: u64,
}

/// HRIs (the HRI flag: cumulative % <= 50, as `carepath hri` counts them) of the earlier year
/// who are HRIs again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HriPersistence {
    /// HRIs in the earlier year at the level.
    pub hri_people: u64,
    /// Of those, HRIs at the same level in the later year (in any area): `carepath hri`'s
    /// "remained" when the years are consecutive.
    pub remained: u64,
    /// Of those, dead by the end of the later year.
    pub died: u64,
    /// remained / hri_people (fraction).
    pub share: Option<f64>,
    /// Persistence over 2+ years: HRIs in every year from the earlier year through each loaded
    /// year up to the later one (stops at the first year not loaded).
    pub continuous: Vec<ContinuousHri>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContinuousHri {
    /// The last year of the run (FY code).
    pub through_year: String,
    /// Years in the run, the earlier year included.
    pub years: u32,
    pub people: u64,
}

/// The transition table between two years at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transitions {
    pub from_year: String,
    pub to_year: String,
    pub level: HriLevel,
    /// The board or council (code) whose earlier-year people these are; None: the whole level.
    pub area: Option<String>,
    /// People of the earlier year's HRI population by band (every band, zeros included).
    pub from_totals: Vec<(String, u64)>,
    /// Every band x category, in table order, zeros included; each band's cells sum to its total.
    pub cells: Vec<TransitionCell>,
    pub persistence: HriPersistence,
}

impl Transitions {
    pub fn cell(&self, from: &str, to: &str) -> u64 {
        self.cells.iter().find(|c| c.from_band == from && c.to_band == to).map(|c| c.people).unwrap_or(0)
    }

    pub fn from_total(&self, band: &str) -> u64 {
        self.from_totals.iter().find(|(b, _)| b == band).map(|(_, n)| *n).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn categories_in_table_order() {
        let c = super::to_categories();
        assert_eq!(c.len(), 8);
        assert_eq!(c[0], "High");
        assert_eq!(&c[5..], &["Not in the HRI population", "Died", "Not present"]);
    }
}
