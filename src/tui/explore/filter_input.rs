//! What the analyst types to add or edit a filter: either the TOML of one `[[filter]]` (as in a
//! saved cohort file, e.g. `age = { min = 65 }`) or a shorthand for the common ones:
//!
//! `age 65+`, `age 18-64`, `sex F`, `simd 1` / `simd 1,2`, `decile 1`, `ltc copd` /
//! `ltc copd,diabetes`, `ltcs 2+`, `hri council` (flag) / `hri board High`, `died exclude`,
//! `<measure> 2+` (e.g. `emergency_admissions 2+`, `dd_code9_beddays 1+`, `health_cost 10000+`),
//! `dx J44` (ICD-10 prefix in any diagnosis position).
use crate::model::cohort::{CohortSpec, Filter, Measure};

/// Turn shorthand into filter TOML; anything else is taken as TOML already.
pub fn to_toml(text: &str) -> String {
    let t = text.trim();
    let mut parts = t.splitn(2, char::is_whitespace);
    let head = parts.next().unwrap_or("").to_ascii_lowercase();
    let arg = parts.next().unwrap_or("").trim();
    if t.contains('=') || arg.is_empty() {
        return t.to_string();
    }
    let list = |s: &str| -> String {
        s.split(',').map(|x| x.trim()).filter(|x| !x.is_empty()).collect::<Vec<_>>().join(", ")
    };
    let quoted = |s: &str| -> String {
        s.split(',').map(|x| format!("\"{}\"", x.trim().replace('"', ""))).collect::<Vec<_>>().join(", ")
    };
    let range = |s: &str| -> Option<String> {
        if let Some(lo) = s.strip_suffix('+') {
            return lo.trim().parse::<f64>().ok().map(|_| format!("min = {}", lo.trim()));
        }
        if let Some((lo, hi)) = s.split_once('-') {
            if lo.trim().parse::<f64>().is_ok() && hi.trim().parse::<f64>().is_ok() {
                return Some(format!("min = {}, max = {}", lo.trim(), hi.trim()));
            }
        }
        s.parse::<f64>().ok().map(|_| format!("min = {s}, max = {s}"))
    };
    match head.as_str() {
        "age" => range(arg).map(|r| format!("age = {{ {r} }}")),
        "sex" => Some(format!("sex = \"{}\"", arg.to_ascii_uppercase())),
        "simd" | "quintile" => Some(format!("simd = {{ quintile = [{}] }}", list(arg))),
        "decile" => Some(format!("simd = {{ decile = [{}] }}", list(arg))),
        "ltc" => Some(format!("ltc = {{ any = [{}] }}", quoted(&arg.to_ascii_lowercase()))),
        "ltcs" | "ltc_count" => range(arg).map(|r| format!("ltc_count = {{ {r} }}")),
        "dx" | "diagnosis" => Some(format!("diagnosis = {{ prefixes = [{}] }}", quoted(&arg.to_ascii_uppercase()))),
        "died" => Some(format!("died = \"{}\"", arg.to_ascii_lowercase())),
        "hri" => {
            let mut w = arg.split_whitespace();
            let level = w.next().unwrap_or("scotland").to_ascii_lowercase();
            let band: Vec<&str> = w.collect();
            if band.is_empty() {
                Some(format!("hri = {{ level = \"{level}\", flag = true }}"))
            } else {
                Some(format!("hri = {{ level = \"{level}\", bands = [\"{}\"] }}", band.join(" ")))
            }
        }
        m => Measure::parse(m).and_then(|_| range(arg)).map(|r| format!("service = {{ measure = \"{m}\", {r} }}")),
    }
    .unwrap_or_else(|| t.to_string())
}

/// Parse one filter from what the analyst typed; the error says what is wrong.
pub fn parse(text: &str) -> Result<Filter, String> {
    let toml = format!("[[filter]]\n{}\n", to_toml(text));
    match CohortSpec::from_toml(&toml) {
        Ok(mut spec) if spec.filters.len() == 1 => Ok(spec.filters.remove(0)),
        Ok(_) => Err("type one filter, e.g. age 65+ or simd 1 (? lists the forms)".into()),
        Err(e) => Err(e.to_string().replace("line 2", "your text").replace('\n', " ")),
    }
}

/// The text that edits an existing filter: its TOML without the table header.
pub fn to_text(f: &Filter) -> String {
    let spec = CohortSpec { filters: vec![f.clone()], ..Default::default() };
    spec.to_toml()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("[[filter]]") && !l.starts_with("years"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn shorthand_becomes_filters() {
        for (text, label_part) in [
            ("age 65+", "65"),
            ("simd 1", "1"),
            ("ltc copd", "pulmonary"),
            ("hri council", "council"),
            ("emergency_admissions 2+", "mergency"),
            ("age = { min = 18, max = 64 }", "18"),
        ] {
            let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let label = f.label();
            assert!(label.to_lowercase().contains(&label_part.to_lowercase()), "{text} -> {label}");
        }
        assert!(parse("age banana").is_err());
        assert!(parse("flying 3").is_err());
    }
}
