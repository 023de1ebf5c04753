//! Reading an analyst's population projections file (CSV) for `carepath project`. Two layouts:
//!
//! 1. **Simple**: `area,sex,age_band,year,population`, one row per area, sex, age and year.
//!    `area` is a council code (`S12000049`), the SLF's 2-digit council code or the council's
//!    name; `sex` is `M`/`F` (or `Male`/`Female`, `1`/`2`); `age_band` is one of carepath's age
//!    bands (`model::cohort::AGE_BANDS`) or a single year of age (grouped into its band).
//! 2. **NRS sub-national population projections, council areas, as published on the NHS
//!    Scotland open data platform** (PHS's "Population Projections" dataset of NRS's
//!    projections, `CA_pop_proj_*.csv`): columns `Year,CA,CAQF,Sex,SexQF,AllAges,Age0,...,
//!    Age89,Age90plus`, one row per year, council and sex, one column per single year of age.
//!    What was confirmed, and where: PHS's script that writes those files
//!    (Public-Health-Scotland GPD-Population, "Create Open Data Population Projection Files",
//!    `select(Year, CA, CAQF, Sex, SexQF, AllAges, Age0:Age90plus)`; `CA = "S92000003"` with
//!    `CAQF = "d"` is the Scotland total; `Sex` is `Male`/`Female`, `All` with `SexQF = "d"`
//!    for both) and the NRS source it reads (the 2022-based SNPP data tables, "Table 2":
//!    area name, area code, sex Males/Females/Persons, year to 30 June, all ages, 0 to
//!    "90 and over"; an Excel workbook, so not read here). Scotland and both-sexes rows are
//!    skipped (they would count people twice); `AllAges`, the qualifier columns and a CKAN
//!    `_id` column are ignored. The partnership and board files (`HSCP`, `HB` instead of `CA`)
//!    are refused with a message: rates are built per council and grouped up.
//!
//! Anything else is refused naming the file, the row (the header is row 1) and the column, and
//! saying which layouts are read.
use crate::model::codes::split_line;
use crate::model::cohort::{age_bands, Sex};
use crate::model::projection::{band_of_age, band_of_label, council_of, Population, SCOTLAND};
use anyhow::{anyhow, Result};
use std::collections::BTreeSet;
use std::path::Path;

const SIMPLE: [&str; 5] = ["area", "sex", "age_band", "year", "population"];
/// How the two layouts are described in errors.
const LAYOUTS: &str = "carepath reads `area,sex,age_band,year,population` or the NRS council-area projections as on the NHS Scotland open data platform (`Year,CA,CAQF,Sex,SexQF,AllAges,Age0,...,Age90plus`)";
/// The oldest single age with a column of its own in the NRS layout (`Age90plus` above it).
const NRS_TOP_AGE: u32 = 90;

/// Read and parse a population file.
pub fn read_population(path: &Path) -> Result<Population> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow!("could not read the population file {}: {e}", path.display()))?;
    parse_population(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Parse a population file's text (errors name the row and column, not the file).
pub fn parse_population(text: &str) -> std::result::Result<Population, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r'))).filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else { return Err(format!("row 1: the file is empty; {LAYOUTS}")) };
    let names: Vec<String> = split_line(header).iter().map(|h| h.trim().to_string()).collect();
    let find = |n: &str| names.iter().position(|h| h.eq_ignore_ascii_case(n));
    if find("CA").is_none() && find("area").is_none() && (find("HSCP").is_some() || find("HB").is_some()) {
        return Err(format!(
            "row 1: this is a partnership or board file (column {}); carepath reads the council-area file (column CA) and groups councils into partnerships itself (--area-level hscp)",
            if find("HSCP").is_some() { "HSCP" } else { "HB" }
        ));
    }
    if SIMPLE.iter().any(|n| find(n).is_some()) && find("CA").is_none() {
        let missing: Vec<&str> = SIMPLE.iter().copied().filter(|n| find(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(format!("row 1: missing column{} {}; {LAYOUTS}", if missing.len() == 1 { "" } else { "s" }, missing.join(", ")));
        }
        let cols: Vec<usize> = SIMPLE.iter().filter_map(|n| find(n)).collect();
        return simple(lines, &names, [cols[0], cols[1], cols[2], cols[3], cols[4]]);
    }
    let mut missing = Vec::new();
    for n in ["Year", "CA", "Sex"] {
        if find(n).is_none() {
            missing.push(n.to_string());
        }
    }
    let mut ages = Vec::new();
    for a in 0..NRS_TOP_AGE {
        match find(&format!("Age{a}")) {
            Some(c) => ages.push((c, a)),
            None => missing.push(format!("Age{a}")),
        }
    }
    match find("Age90plus") {
        Some(c) => ages.push((c, NRS_TOP_AGE)),
        None => missing.push("Age90plus".into()),
    }
    if !missing.is_empty() {
        let shown = if missing.len() > 4 { format!("{} and {} more", missing[..4].join(", "), missing.len() - 4) } else { missing.join(", ") };
        return Err(format!("row 1: the header is neither layout (missing column{} {shown}); {LAYOUTS}", if missing.len() == 1 { "" } else { "s" }));
    }
    let (year_c, ca_c, sex_c) = (find("Year").unwrap_or(0), find("CA").unwrap_or(0), find("Sex").unwrap_or(0));
    let mut pop = Population { layout: "NRS council-area projections (open data layout)".into(), ..Default::default() };
    let mut seen = BTreeSet::new();
    for (row, line) in lines {
        let f = fields(row, line, names.len())?;
        let sex_text = f[sex_c].trim();
        if ["all", "persons"].iter().any(|s| sex_text.eq_ignore_ascii_case(s)) || f[ca_c].trim().eq_ignore_ascii_case(SCOTLAND) {
            continue;
        }
        let lca = area(row, &names, ca_c, &f)?;
        let sex = sex(row, &names, sex_c, &f)?;
        let year = year(row, &names, year_c, &f)?;
        if !seen.insert((lca.clone(), sex, year)) {
            return Err(format!("row {row}: a second row for {}, {year}, {}", f[ca_c].trim(), f[sex_c].trim()));
        }
        for (c, age) in &ages {
            let n = number(row, &names, *c, &f)?;
            let band = band_of_age(*age).ok_or_else(|| format!("row {row}, column {} ({}): age {age} is in no age band", c + 1, names[*c]))?;
            pop.add(&lca, sex, band, year, n);
        }
    }
    if pop.cells.is_empty() {
        return Err("the file holds no council rows (only Scotland or both-sexes rows, or none)".into());
    }
    Ok(pop)
}

fn simple<'a>(lines: impl Iterator<Item = (usize, &'a str)>, names: &[String], c: [usize; 5]) -> std::result::Result<Population, String> {
    let mut pop = Population { layout: "area,sex,age_band,year,population".into(), ..Default::default() };
    let mut seen = BTreeSet::new();
    let bands = age_bands().iter().map(|b| b.0).collect::<Vec<_>>().join(", ");
    for (row, line) in lines {
        let f = fields(row, line, names.len())?;
        let lca = area(row, names, c[0], &f)?;
        let sex = sex(row, names, c[1], &f)?;
        let age_text = f[c[2]].trim();
        let band = band_of_label(age_text).or_else(|| age_text.parse::<u32>().ok().and_then(band_of_age)).ok_or_else(|| {
            format!("row {row}, column {} ({}): {age_text:?} is not an age band ({bands}) or a single year of age", c[2] + 1, names[c[2]])
        })?;
        let year = year(row, names, c[3], &f)?;
        let n = number(row, names, c[4], &f)?;
        if !seen.insert((lca.clone(), sex, age_text.to_string(), year)) {
            return Err(format!("row {row}: a second row for {}, {:?}, {age_text}, {year}", f[c[0]].trim(), sex));
        }
        pop.add(&lca, sex, band, year, n);
    }
    if pop.cells.is_empty() {
        return Err("the file has a header and no rows".into());
    }
    Ok(pop)
}

fn fields(row: usize, line: &str, width: usize) -> std::result::Result<Vec<String>, String> {
    let f = split_line(line);
    if f.len() != width {
        return Err(format!("row {row}: {} fields where the header has {width}", f.len()));
    }
    Ok(f)
}

fn at(row: usize, names: &[String], c: usize) -> String {
    format!("row {row}, column {} ({})", c + 1, names[c])
}

fn area(row: usize, names: &[String], c: usize, f: &[String]) -> std::result::Result<String, String> {
    council_of(&f[c]).ok_or_else(|| {
        format!("{}: {:?} is not a Scottish council (a code such as S12000049, the 2-digit SLF code or the name, as in assets/council_areas.csv)", at(row, names, c), f[c].trim())
    })
}

fn sex(row: usize, names: &[String], c: usize, f: &[String]) -> std::result::Result<Sex, String> {
    let v = f[c].trim().to_ascii_lowercase();
    match v.as_str() {
        "m" | "male" | "males" | "1" => Ok(Sex::M),
        "f" | "female" | "females" | "2" => Ok(Sex::F),
        _ => Err(format!("{}: {:?} is not a sex (M or F, Male or Female, 1 or 2)", at(row, names, c), f[c].trim())),
    }
}

fn year(row: usize, names: &[String], c: usize, f: &[String]) -> std::result::Result<i32, String> {
    match f[c].trim().parse::<i32>() {
        Ok(y) if (1900..=2200).contains(&y) => Ok(y),
        _ => Err(format!("{}: {:?} is not a calendar year (such as 2030)", at(row, names, c), f[c].trim())),
    }
}

fn number(row: usize, names: &[String], c: usize, f: &[String]) -> std::result::Result<f64, String> {
    match f[c].trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!("{}: {:?} is not a number of people (0 or more)", at(row, names, c), f[c].trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nrs_header() -> String {
        let mut h = vec!["Year".to_string(), "CA".into(), "CAQF".into(), "Sex".into(), "SexQF".into(), "AllAges".into()];
        h.extend((0..90).map(|a| format!("Age{a}")));
        h.push("Age90plus".into());
        h.join(",")
    }

    #[test]
    fn nrs_single_years_are_grouped_into_bands_and_totals_skipped() {
        let ages: Vec<String> = (0..=90).map(|a| a.to_string()).collect();
        let row = |ca: &str, sex: &str, q: &str| format!("2030,{ca},,{sex},{q},0,{}", ages.join(","));
        let text = format!("{}\n{}\n{}\n{}\n", nrs_header(), row("S12000049", "Male", ""), row("S12000049", "All", "d"), row("S92000003", "Female", ""));
        let p = parse_population(&text).unwrap();
        // 85+: ages 85..=90 -> 85+86+87+88+89+90 = 525; 0-17: 0+..+17 = 153
        assert_eq!(p.get("17", Sex::M, band_of_label("85+").unwrap(), 2030), Some(525.0));
        assert_eq!(p.get("17", Sex::M, band_of_label("0-17").unwrap(), 2030), Some(153.0));
        assert_eq!(p.get("17", Sex::F, 0, 2030), None);
    }

    #[test]
    fn malformed_files_name_row_and_column() {
        let e = parse_population("area,sex,year,population\n").unwrap_err();
        assert!(e.contains("row 1") && e.contains("age_band"), "{e}");
        let e = parse_population("area,sex,age_band,year,population\nS12000049,M,75-84,2030,12\nS12000049,F,75-84,2030,lots\n").unwrap_err();
        assert!(e.starts_with("row 3, column 5 (population)"), "{e}");
        let e = parse_population("area,sex,age_band,year,population\nAtlantis,M,75-84,2030,12\n").unwrap_err();
        assert!(e.starts_with("row 2, column 1 (area)") && e.contains("Atlantis"), "{e}");
        let e = parse_population("Year,HSCP,Sex\n").unwrap_err();
        assert!(e.contains("council-area file"), "{e}");
        let e = parse_population("a,b\n1,2\n").unwrap_err();
        assert!(e.contains("row 1") && e.contains("area,sex,age_band,year,population"), "{e}");
    }
}
