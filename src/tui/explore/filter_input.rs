//! What the analyst types to add or edit a filter: a shorthand for the common ones, or the
//! TOML of one `[[filter]]` as in a saved cohort file (`age = { min = 65 }`; several keys may be
//! separated by commas on the one line):
//!
//! `age 65+`, `age 18-64`, `age 70`, `sex F`, `simd 1` / `simd 1,2` / `simd 1-2`, `decile 1-3`,
//! `ltc copd` / `ltc copd,diabetes`, `ltcs 2+`, `hri council` (flag) / `hri board High`,
//! `died exclude`, `<measure> 2+` (e.g. `emergency_admissions 2+`, `health_cost 10000+`),
//! `dx J44` (ICD-10 prefix in any diagnosis position).
//!
//! Errors say what was expected in the analyst's terms (never the TOML parser's words for a
//! shorthand).
use crate::model::cohort::{CohortSpec, Filter, Measure, Rule};

/// The shorthand heads, for messages.
const HEADS: &str = "age, sex, simd, decile, ltc, ltcs, dx, hri, died, a measure such as emergency_admissions 2+, or a sequence such as emergency-admission then care-home within 90 after discharge";

/// A number range as typed: `65+`, `18-64`, `70`.
fn range(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(lo) = s.strip_suffix('+') {
        return lo.trim().parse::<u32>().ok().map(|lo| format!("min = {lo}"));
    }
    if let Some((lo, hi)) = s.split_once('-') {
        let (lo, hi) = (lo.trim().parse::<u32>().ok()?, hi.trim().parse::<u32>().ok()?);
        return (lo <= hi).then(|| format!("min = {lo}, max = {hi}"));
    }
    s.parse::<u32>().ok().map(|n| format!("min = {n}, max = {n}"))
}

/// A list of small whole numbers within 1..=max: `1`, `1,2`, `1-3`, `1-2,5`.
fn number_list(s: &str, max: u32) -> Option<String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let n = part.parse::<u32>().ok()?;
                (n, n)
            }
        };
        if lo < 1 || hi > max || lo > hi {
            return None;
        }
        out.extend((lo..=hi).map(|n| n.to_string()));
    }
    (!out.is_empty()).then(|| out.join(", "))
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|x| format!("\"{}\"", x.replace(['"', '\\'], ""))).collect::<Vec<_>>().join(", ")
}

fn items(s: &str) -> Vec<String> {
    s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

/// Is this an ICD-10 code or code prefix (`J`, `J4`, `J44`, `J44.1`, `I501`)?
fn icd10_prefix_ok(p: &str) -> bool {
    let c: Vec<char> = p.chars().filter(|c| *c != '.').collect();
    if c.is_empty() || c.len() > 5 || !c[0].is_ascii_alphabetic() || !c.iter().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    match c.len() {
        1 => true,
        2 => c[1].is_ascii_digit(),
        _ => crate::model::timeline::icd10_chapter(p).is_some() && c[1].is_ascii_digit() && c[2].is_ascii_digit(),
    }
}

/// Shorthand to filter TOML, or the reason it cannot be one. `None`: not shorthand (TOML).
fn shorthand(text: &str) -> Option<Result<String, String>> {
    let t = text.trim();
    if t.contains('=') {
        return None;
    }
    let mut parts = t.splitn(2, char::is_whitespace);
    let head = parts.next().unwrap_or("").to_ascii_lowercase();
    let arg = parts.next().unwrap_or("").trim();
    let need = |what: &str| Err(format!("{head} needs {what}"));
    Some(match head.as_str() {
        "" => Err(format!("type a filter, e.g. age 65+, simd 1-2, ltc copd or dx J44 (filters: {HEADS})")),
        "age" => match range(arg) {
            Some(r) => Ok(format!("age = {{ {r} }}")),
            None => need("an age or a range of ages, e.g. age 65+, age 18-64 or age 70"),
        },
        "sex" => match arg.to_ascii_uppercase().as_str() {
            "F" | "FEMALE" => Ok("sex = \"F\"".into()),
            "M" | "MALE" => Ok("sex = \"M\"".into()),
            _ => need("F or M, e.g. sex F"),
        },
        "simd" | "quintile" => match number_list(arg, 5) {
            Some(l) => Ok(format!("simd = {{ quintile = [{l}] }}")),
            None => need("SIMD quintiles from 1 (most deprived) to 5, e.g. simd 1, simd 1,2 or simd 1-2"),
        },
        "decile" => match number_list(arg, 10) {
            Some(l) => Ok(format!("simd = {{ decile = [{l}] }}")),
            None => need("SIMD deciles from 1 to 10, e.g. decile 1-3"),
        },
        "ltc" => {
            let codes: Vec<String> = items(&arg.to_ascii_lowercase());
            let known = crate::model::ltc::ltcs();
            match codes.iter().find(|c| !known.iter().any(|l| &l.code == *c)) {
                _ if codes.is_empty() => need("a long-term condition, e.g. ltc copd or ltc copd,diabetes"),
                Some(bad) => Err(format!(
                    "no long-term condition '{bad}': use one of {}",
                    known.iter().map(|l| l.code.as_str()).collect::<Vec<_>>().join(", ")
                )),
                None => Ok(format!("ltc = {{ any = [{}] }}", quoted(&codes))),
            }
        }
        "ltcs" | "ltc_count" => match range(arg) {
            Some(r) => Ok(format!("ltc_count = {{ {r} }}")),
            None => need("a number of long-term conditions, e.g. ltcs 2+ or ltcs 0"),
        },
        "dx" | "diagnosis" => {
            let codes: Vec<String> = items(&arg.to_ascii_uppercase());
            match codes.iter().find(|c| !icd10_prefix_ok(c)) {
                _ if codes.is_empty() => need("an ICD-10 code or its start, e.g. dx J44 or dx I50,J44"),
                Some(bad) => Err(format!("no such ICD-10 code '{bad}': a code is a letter then digits, e.g. J44, J44.1 or I50")),
                None => Ok(format!("diagnosis = {{ prefixes = [{}] }}", quoted(&codes))),
            }
        }
        "died" => match arg.to_ascii_lowercase().as_str() {
            a @ ("exclude" | "only" | "include") => Ok(format!("died = \"{a}\"")),
            _ => need("exclude, only or include, e.g. died exclude"),
        },
        "hri" => {
            let mut w = arg.split_whitespace();
            let level = w.next().unwrap_or("scotland").to_ascii_lowercase();
            let band: Vec<&str> = w.collect();
            if !matches!(level.as_str(), "scotland" | "board" | "council") {
                need("a level (scotland, board or council) and optionally a band, e.g. hri council or hri board High")
            } else if band.is_empty() {
                Ok(format!("hri = {{ level = \"{level}\", flag = true }}"))
            } else {
                Ok(format!("hri = {{ level = \"{level}\", bands = [\"{}\"] }}", band.join(" ").replace('"', "")))
            }
        }
        k if sequence_kind(k).is_some() => sequence(k, arg),
        m => match (Measure::parse(m), range(arg)) {
            (Some(_), Some(r)) => Ok(format!("service = {{ measure = \"{m}\", {r} }}")),
            (Some(_), None) => Err(format!("{m} needs a number or a range, e.g. {m} 2+ or {m} 1-3")),
            (None, _) => Err(format!("no filter called '{m}': filters are {HEADS}")),
        },
    })
}

/// An event kind a sequence filter can start or continue with (`care-home`, `ae`, ...).
fn sequence_kind(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase().replace('_', "-");
    ["emergency-admission", "ae", "delayed-discharge", "care-home", "home-care"].into_iter().find(|k| *k == w)
}

/// `A then B within N [days] [after discharge | after end]` -> a sequence filter.
fn sequence(first: &str, arg: &str) -> Result<String, String> {
    let usage = "a sequence reads e.g. emergency-admission then emergency-admission within 28 after discharge (events: emergency-admission, ae, delayed-discharge, care-home, home-care)";
    let w: Vec<String> = arg.split_whitespace().map(|x| x.to_ascii_lowercase()).collect();
    let (Some(a), Some("then"), Some(b), Some("within"), Some(n)) =
        (sequence_kind(first), w.first().map(String::as_str), w.get(1).and_then(|x| sequence_kind(x)), w.get(2).map(String::as_str), w.get(3))
    else {
        return Err(usage.into());
    };
    let Some(days) = n.parse::<u32>().ok().filter(|d| *d >= 1) else { return Err(usage.into()) };
    let from_end = w.iter().skip(4).any(|x| x == "discharge" || x == "end");
    Ok(format!("sequence = {{ first = {{ kind = \"{a}\" }}, then = {{ kind = \"{b}\" }}, within_days = {days}, from_end = {from_end} }}"))
}

/// Turn shorthand into filter TOML; anything else is taken as TOML already.
pub fn to_toml(text: &str) -> String {
    match shorthand(text) {
        Some(Ok(t)) => t,
        _ => text.trim().to_string(),
    }
}

/// One line of TOML keys separated by commas at the top level -> one key per line (commas
/// inside braces, brackets and quotes stay).
fn lines_of(text: &str) -> String {
    let (mut depth, mut quote, mut out) = (0i32, false, String::new());
    for ch in text.chars() {
        match ch {
            '"' => quote = !quote,
            '{' | '[' if !quote => depth += 1,
            '}' | ']' if !quote => depth -= 1,
            ',' if !quote && depth == 0 => {
                out.push('\n');
                continue;
            }
            _ => {}
        }
        out.push(ch);
    }
    out
}

/// Parse one filter from what the analyst typed; the error says what is wrong.
pub fn parse(text: &str) -> Result<Filter, String> {
    let toml = match shorthand(text) {
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(e),
        None => lines_of(text.trim()),
    };
    match CohortSpec::from_toml(&format!("[[filter]]\n{toml}\n")) {
        Ok(mut spec) if spec.filters.len() == 1 => {
            let f = spec.filters.remove(0);
            validate(&f)?;
            Ok(f)
        }
        Ok(_) => Err("type one filter, e.g. age 65+ or simd 1 (? lists the forms)".into()),
        Err(e) => Err(format!(
            "could not read '{}' as a filter ({}); try the short forms: age 65+, simd 1-2, ltc copd, dx J44",
            text.trim(),
            e.to_string().replace("line 2", "your text").replace('\n', " ")
        )),
    }
}

/// Checks the TOML form cannot make: codes that exist.
fn validate(f: &Filter) -> Result<(), String> {
    if let Rule::Diagnosis(d) = &f.rule {
        if let Some(bad) = d.prefixes.iter().find(|p| !icd10_prefix_ok(p)) {
            return Err(format!("no such ICD-10 code '{bad}': a code is a letter then digits, e.g. J44, J44.1 or I50"));
        }
    }
    Ok(())
}

/// The text that edits an existing filter: the shorthand when there is one, else its TOML
/// keys as inline tables on one line (commas between them), which `parse` reads back.
pub fn to_text(f: &Filter) -> String {
    if let Some(s) = to_shorthand(&f.rule) {
        return s;
    }
    let bare = Filter { enabled: true, label: None, rule: f.rule.clone() };
    match toml::Value::try_from(&bare) {
        Ok(toml::Value::Table(t)) => t
            .iter()
            .filter(|(k, _)| k.as_str() != "enabled" && k.as_str() != "label")
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        _ => f.rule.describe(),
    }
}

fn span(min: Option<u32>, max: Option<u32>) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if a == b => Some(a.to_string()),
        (Some(a), Some(b)) => Some(format!("{a}-{b}")),
        (Some(a), None) => Some(format!("{a}+")),
        _ => None,
    }
}

fn to_shorthand(r: &Rule) -> Option<String> {
    use crate::model::cohort::{SimdLevel, Sex};
    let join = |v: &[String]| v.join(",");
    match r {
        Rule::Age(a) if a.bands.is_empty() => span(a.min, a.max).map(|s| format!("age {s}")),
        Rule::Sex(Sex::F) => Some("sex F".into()),
        Rule::Sex(Sex::M) => Some("sex M".into()),
        Rule::Simd(s) if s.level == SimdLevel::Scotland && s.decile.is_empty() && !s.quintile.is_empty() => {
            Some(format!("simd {}", s.quintile.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(",")))
        }
        Rule::Simd(s) if s.level == SimdLevel::Scotland && s.quintile.is_empty() && !s.decile.is_empty() => {
            Some(format!("decile {}", s.decile.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(",")))
        }
        Rule::Ltc(l) if l.all.is_empty() && l.none.is_empty() && !l.any.is_empty() => Some(format!("ltc {}", join(&l.any))),
        Rule::LtcCount(c) => span(c.min, c.max).map(|s| format!("ltcs {s}")),
        Rule::Diagnosis(d) if !d.main_only && d.from.is_none() && d.to.is_none() => Some(format!("dx {}", join(&d.prefixes))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn shorthand_becomes_filters() {
        for (text, label_part) in [
            ("age 65+", "65"),
            ("simd 1", "1"),
            ("simd 1-2", "2"),
            ("ltc copd", "pulmonary"),
            ("hri council", "council"),
            ("emergency_admissions 2+", "mergency"),
            ("dx J44", "J44"),
            ("age = { min = 18, max = 64 }", "18"),
        ] {
            let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let label = f.label();
            assert!(label.to_lowercase().contains(&label_part.to_lowercase()), "{text} -> {label}");
        }
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = parse("age banana").unwrap_err();
        assert!(e.contains("age needs an age or a range"), "{e}");
        let e = parse("dx ZZZ").unwrap_err();
        assert!(e.contains("no such ICD-10 code 'ZZZ'"), "{e}");
        let e = parse("flying 3").unwrap_err();
        assert!(e.contains("no filter called 'flying'"), "{e}");
        let e = parse("simd 6").unwrap_err();
        assert!(e.contains("1 (most deprived) to 5"), "{e}");
        let e = parse("ltc gout").unwrap_err();
        assert!(e.contains("no long-term condition 'gout'"), "{e}");
        assert!(!parse("diagnosis = { prefixes = [\"ZZZ\"] }").unwrap_err().is_empty());
    }

    #[test]
    fn a_sequence_reads_as_a_temporal_filter() {
        let f = parse("emergency-admission then care-home within 90 after discharge").unwrap();
        let Rule::Sequence(q) = &f.rule else { panic!("{:?}", f.rule) };
        assert_eq!((q.within_days, q.from_end), (90, true));
        assert!(f.label().contains("within 90 days"), "{}", f.label());
        let back = parse(&to_text(&f)).unwrap();
        assert_eq!(back.rule, f.rule);
        assert!(parse("ae then flying within 3").unwrap_err().contains("a sequence reads"));
        assert!(parse("ae then care-home within 0").is_err());
    }

    #[test]
    fn simd_range_is_both_quintiles() {
        let a = parse("simd 1-2").unwrap();
        let b = parse("simd 1,2").unwrap();
        assert_eq!(a.rule, b.rule);
    }

    #[test]
    fn edit_text_reads_back_as_the_same_filter() {
        for text in ["age 65+", "simd 1-2", "ltc copd,diabetes", "hri board High", "dx J44", "emergency_admissions 2+", "age 18-64"] {
            let f = parse(text).unwrap();
            let back = parse(&to_text(&f)).unwrap_or_else(|e| panic!("{text} -> {}: {e}", to_text(&f)));
            assert_eq!(back.rule, f.rule, "{text}");
        }
    }
}
