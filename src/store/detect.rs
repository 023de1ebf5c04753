//! Find extract files under the paths an analyst gives and recognise what each one is, by its
//! columns first and by its name as a hint (so a file missing a required column still gets a
//! precise message rather than "unknown file").
use anyhow::{bail, Context, Result};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Episode,
    Individual,
    ScDemographics,
    ScClient,
    ScHomecare,
    ScCarehome,
    ScSds,
    ScEquipment,
    ScIorn,
    SimdLookup,
}

impl Kind {
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Episode => "SLF episode file",
            Kind::Individual => "SLF individual file",
            Kind::ScDemographics => "SC2 demographics",
            Kind::ScClient => "SC2 client",
            Kind::ScHomecare => "SC2 home care",
            Kind::ScCarehome => "SC2 care home",
            Kind::ScSds => "SC2 self-directed support",
            Kind::ScEquipment => "SC2 alarms/telecare",
            Kind::ScIorn => "SC2 IoRN",
            Kind::SimdLookup => "datazone/SIMD lookup",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Kind::Episode => "episode",
            Kind::Individual => "individual",
            Kind::ScDemographics => "sc_demographics",
            Kind::ScClient => "sc_client",
            Kind::ScHomecare => "sc_homecare",
            Kind::ScCarehome => "sc_carehome",
            Kind::ScSds => "sc_sds",
            Kind::ScEquipment => "sc_equipment",
            Kind::ScIorn => "sc_iorn",
            Kind::SimdLookup => "simd_lookup",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        ALL_KINDS.iter().copied().find(|k| k.code() == code)
    }
}

pub const ALL_KINDS: [Kind; 10] = [
    Kind::Episode,
    Kind::Individual,
    Kind::ScDemographics,
    Kind::ScClient,
    Kind::ScHomecare,
    Kind::ScCarehome,
    Kind::ScSds,
    Kind::ScEquipment,
    Kind::ScIorn,
    Kind::SimdLookup,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Parquet,
    Csv,
}

/// Recognise a file's kind from its (lower-cased) column names.
pub fn classify_columns(cols: &[String]) -> Option<Kind> {
    let has = |c: &str| cols.iter().any(|x| x == c);
    if has("recid") && has("anon_chi") {
        return Some(Kind::Episode);
    }
    if has("anon_chi") && has("year") && !has("social_care_id")
        && (has("health_net_cost") || has("hri_scot") || has("nsu") || has("keep_population") || has("cij_total"))
    {
        return Some(Kind::Individual);
    }
    if has("social_care_id") {
        // Activity tables first: a home-care file that also carries `chi_upi` is home care.
        if has("hc_service_start_date") {
            return Some(Kind::ScHomecare);
        }
        if has("ch_admission_date") {
            return Some(Kind::ScCarehome);
        }
        if has("sds_start_date") {
            return Some(Kind::ScSds);
        }
        if has("service_type") && has("service_start_date") {
            return Some(Kind::ScEquipment);
        }
        if has("iorn_group") {
            return Some(Kind::ScIorn);
        }
        if has("chi_upi") || has("anon_chi") {
            return Some(Kind::ScDemographics);
        }
        if has("living_alone") || has("elder_frail") || has("type_of_housing") || has("dementia") {
            return Some(Kind::ScClient);
        }
    }
    if has("datazone2011") && has("simd2020v2_rank") && !has("anon_chi") {
        return Some(Kind::SimdLookup);
    }
    None
}

/// A kind suggested by the file name alone (used only to explain what is missing).
pub fn kind_from_name(path: &Path) -> Option<Kind> {
    let n = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let rules: [(&str, Kind); 12] = [
        ("episode", Kind::Episode),
        ("individual", Kind::Individual),
        ("demographic", Kind::ScDemographics),
        ("homecare", Kind::ScHomecare),
        ("home_care", Kind::ScHomecare),
        ("carehome", Kind::ScCarehome),
        ("care_home", Kind::ScCarehome),
        ("sds", Kind::ScSds),
        ("equipment", Kind::ScEquipment),
        ("iorn", Kind::ScIorn),
        ("client", Kind::ScClient),
        ("simd", Kind::SimdLookup),
    ];
    rules.iter().find(|(k, _)| n.contains(k)).map(|(_, kind)| *kind)
}

/// Format from the file name, or from the first bytes when the name does not say.
pub fn format_of(path: &Path) -> Result<FileFormat> {
    let n = path.file_name().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if n.ends_with(".parquet") || n.ends_with(".parq") {
        return Ok(FileFormat::Parquet);
    }
    if n.ends_with(".csv") || n.ends_with(".csv.gz") || n.ends_with(".tsv") || n.ends_with(".txt") {
        return Ok(FileFormat::Csv);
    }
    let mut head = [0u8; 4];
    let mut f = std::fs::File::open(path).with_context(|| format!("{}: cannot open the file", path.display()))?;
    use std::io::Read;
    let n_read = f.read(&mut head).unwrap_or(0);
    if n_read == 4 && &head == b"PAR1" {
        return Ok(FileFormat::Parquet);
    }
    bail!(
        "{}: not a Parquet or CSV file (expected a .parquet, .csv or .csv.gz extract)",
        path.display()
    )
}

/// Is this a name we would try to load when scanning a folder?
pub fn looks_loadable(path: &Path) -> bool {
    let n = path.file_name().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    !n.starts_with('.')
        && [".parquet", ".parq", ".csv", ".csv.gz", ".tsv"].iter().any(|e| n.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    fn cols(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }
    #[test]
    fn recognises_kinds_by_columns() {
        assert_eq!(classify_columns(&cols("year,recid,anon_chi,record_keydate1")), Some(Kind::Episode));
        assert_eq!(classify_columns(&cols("anon_chi,year,health_net_cost")), Some(Kind::Individual));
        assert_eq!(classify_columns(&cols("sending_location,social_care_id,chi_upi")), Some(Kind::ScDemographics));
        assert_eq!(classify_columns(&cols("sending_location,social_care_id,hc_service_start_date")), Some(Kind::ScHomecare));
        assert_eq!(classify_columns(&cols("datazone2011,simd2020v2_rank")), Some(Kind::SimdLookup));
        assert_eq!(classify_columns(&cols("a,b,c")), None);
    }
}
