//! Older geography code vintages the published files carry beside the 2019 codes (`hbrescode`
//! = hb2018, `hscp2018`, `ca2018`), read from the code lists in `assets/`.
use std::collections::HashMap;
use std::sync::OnceLock;

struct Vintages {
    hb2018: HashMap<String, String>,
    hscp2018: HashMap<String, String>,
    ca2018: HashMap<String, String>,
}

/// `older` cells look like `hb2018 S08000021`, `ca2018/2011 S12000046` or `S37000015`; the code
/// applies to 2018 when the label names 2018 (or there is no label and it is a GSS code).
fn older_2018(cell: &str) -> Option<String> {
    let cell = cell.trim();
    if cell.is_empty() || cell.starts_with('(') {
        return None;
    }
    match cell.split_once(' ') {
        Some((label, code)) if label.contains("2018") => Some(code.trim().to_string()),
        Some(_) => None,
        None if cell.starts_with('S') => Some(cell.to_string()),
        None => None,
    }
}

fn table(csv: &str, key: usize, older: usize) -> HashMap<String, String> {
    csv.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let k = f.get(key)?.trim().to_string();
            let o = older_2018(f.get(older)?)?;
            Some((k, o))
        })
        .collect()
}

fn get() -> &'static Vintages {
    static V: OnceLock<Vintages> = OnceLock::new();
    V.get_or_init(|| Vintages {
        hb2018: table(include_str!("../../assets/health_boards.csv"), 0, 2),
        hscp2018: table(include_str!("../../assets/hscps.csv"), 0, 1),
        ca2018: table(include_str!("../../assets/council_areas.csv"), 1, 3),
    })
}

fn or_same<'a>(m: &'a HashMap<String, String>, code: &'a str) -> &'a str {
    m.get(code).map(String::as_str).unwrap_or(code)
}

/// The hb2018 code (what PHS writes as `hbrescode`) of an hb2019 code.
pub fn hb2018(hb2019: &str) -> &str {
    or_same(&get().hb2018, hb2019)
}

pub fn hscp2018(hscp2019: &str) -> &str {
    or_same(&get().hscp2018, hscp2019)
}

pub fn ca2018(ca2019: &str) -> &str {
    or_same(&get().ca2018, ca2019)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn glasgow_and_lanarkshire_have_2018_codes() {
        assert_eq!(hb2018("S08000031"), "S08000021");
        assert_eq!(hb2018("S08000032"), "S08000023");
        assert_eq!(hb2018("S08000029"), "S08000029"); // Fife's older code is hb2014, not 2018
        assert_eq!(hscp2018("S37000034"), "S37000015");
        assert_eq!(hscp2018("S37000032"), "S37000032");
        assert_eq!(ca2018("S12000049"), "S12000046");
        assert_eq!(ca2018("S12000047"), "S12000047");
    }
}
