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

/// The published SLF column lists (PHS `R/order_ep_cols.R`, `R/order_indiv_cols.R`), compiled in:
/// recognition uses the individual-only measures as evidence of an individual file.
pub fn published_columns(kind: Kind) -> Vec<String> {
    let text = match kind {
        Kind::Episode => include_str!("../../assets/slf_episode_columns.csv"),
        Kind::Individual => include_str!("../../assets/slf_individual_columns.csv"),
        _ => return Vec::new(),
    };
    crate::model::codes::rows(text).into_iter().filter_map(|r| r.get(1).cloned()).collect()
}

/// Columns of the published individual file that the episode file does not have (the
/// person-year measures: `health_net_cost`, `hri_scotp`, `keep_population`, `cij_total`, ...).
fn individual_only() -> &'static [String] {
    static C: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let ep = published_columns(Kind::Episode);
        published_columns(Kind::Individual).into_iter().filter(|c| !ep.contains(c)).collect()
    })
}

/// The evidence that makes a file one kind: every `all` column, at least one `any` column
/// (when given), and none of the `none` columns.
struct Evidence {
    kind: Kind,
    all: &'static [&'static str],
    any: Vec<String>,
    none: &'static [&'static str],
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn evidence() -> Vec<Evidence> {
    // SC2 tables are keyed by (sending_location, social_care_id) and carry no SLF `recid` or
    // `year`; the SLF files carry `social_care_id` too (episode col 183, individual col 120),
    // so that column alone never decides.
    const SC_NONE: &[&str] = &["recid", "year"];
    vec![
        Evidence {
            kind: Kind::Episode,
            all: &["anon_chi", "recid"],
            any: strs(&["record_keydate1", "record_keydate2", "smrtype", "year"]),
            none: &["sending_location"],
        },
        Evidence { kind: Kind::Individual, all: &["anon_chi", "year"], any: individual_only().to_vec(), none: &["recid", "sending_location"] },
        Evidence {
            kind: Kind::ScDemographics,
            all: &["sending_location", "social_care_id"],
            any: strs(&["chi_upi", "anon_chi", "chi_date_of_birth", "chi_postcode", "chi_gender_code", "date_of_death"]),
            // An activity table that also carries `chi_upi` (a home-care file with the CHI) is
            // that activity table, not demographics.
            none: &["recid", "year", "hc_service_start_date", "ch_admission_date", "sds_start_date", "service_start_date", "iorn_group"],
        },
        Evidence { kind: Kind::ScHomecare, all: &["sending_location", "social_care_id", "hc_service_start_date"], any: vec![], none: SC_NONE },
        Evidence { kind: Kind::ScCarehome, all: &["sending_location", "social_care_id", "ch_admission_date"], any: vec![], none: SC_NONE },
        Evidence { kind: Kind::ScSds, all: &["sending_location", "social_care_id", "sds_start_date"], any: vec![], none: SC_NONE },
        Evidence {
            kind: Kind::ScEquipment,
            all: &["sending_location", "social_care_id", "service_type", "service_start_date"],
            any: vec![],
            none: SC_NONE,
        },
        Evidence { kind: Kind::ScIorn, all: &["sending_location", "social_care_id", "iorn_group"], any: vec![], none: SC_NONE },
        Evidence {
            kind: Kind::ScClient,
            all: &["sending_location", "social_care_id"],
            any: strs(&[
                "living_alone", "support_from_unpaid_carer", "social_worker", "type_of_housing", "meals", "day_care",
                "dementia", "mental_health_problems", "learning_disability", "physical_and_sensory_disability",
                "drugs", "alcohol", "palliative_care", "carer", "elder_frail", "neurological_condition", "autism",
                "other_vulnerable_groups",
            ]),
            none: SC_NONE,
        },
        Evidence { kind: Kind::SimdLookup, all: &["datazone2011", "simd2020v2_rank"], any: vec![], none: &["anon_chi", "social_care_id", "recid"] },
    ]
}

/// What recognition found for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognised {
    One(Kind),
    /// More than one kind's evidence holds: the candidates with the columns that decided each.
    Ambiguous(Vec<(Kind, Vec<String>)>),
    None,
}

/// Recognise a file's kind from its (lower-cased) column names, on the evidence of each kind.
pub fn recognise(cols: &[String]) -> Recognised {
    let has = |c: &str| cols.iter().any(|x| x == c);
    let mut found: Vec<(Kind, Vec<String>)> = Vec::new();
    for e in evidence() {
        if !e.all.iter().all(|c| has(c)) || e.none.iter().any(|c| has(c)) {
            continue;
        }
        let any: Vec<String> = e.any.iter().filter(|c| has(c)).cloned().collect();
        if !e.any.is_empty() && any.is_empty() {
            continue;
        }
        let mut decided: Vec<String> = e.all.iter().map(|s| s.to_string()).collect();
        decided.extend(any.into_iter().take(4));
        found.push((e.kind, decided));
    }
    match found.len() {
        0 => Recognised::None,
        1 => Recognised::One(found[0].0),
        _ => Recognised::Ambiguous(found),
    }
}

/// The kind when the evidence names exactly one.
pub fn classify_columns(cols: &[String]) -> Option<Kind> {
    match recognise(cols) {
        Recognised::One(k) => Some(k),
        _ => None,
    }
}

/// "SC2 demographics (sending_location, social_care_id, chi_upi) or SC2 client (...)".
pub fn describe_candidates(c: &[(Kind, Vec<String>)]) -> String {
    c.iter()
        .map(|(k, cols)| format!("{} ({}; say --kind FILE={})", k.label(), cols.join(", "), k.code()))
        .collect::<Vec<_>>()
        .join(" or ")
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

    #[test]
    fn full_published_files_are_recognised() {
        // issue 11: the individual file carries social_care_id (col 120) and is still individual
        assert_eq!(classify_columns(&published_columns(Kind::Individual)), Some(Kind::Individual));
        assert_eq!(classify_columns(&published_columns(Kind::Episode)), Some(Kind::Episode));
        assert_eq!(published_columns(Kind::Episode).len(), 266);
        assert_eq!(published_columns(Kind::Individual).len(), 206);
    }

    #[test]
    fn ambiguous_files_name_both_candidates() {
        match recognise(&cols("sending_location,social_care_id,chi_upi,dementia")) {
            Recognised::Ambiguous(c) => {
                let kinds: Vec<Kind> = c.iter().map(|x| x.0).collect();
                assert_eq!(kinds, vec![Kind::ScDemographics, Kind::ScClient]);
                let msg = describe_candidates(&c);
                assert!(msg.contains("chi_upi") && msg.contains("dementia"), "{msg}");
            }
            other => panic!("expected ambiguous, got {other:?}"),
        }
    }
}
