//! Tiny CSV reader for the code lists compiled in from `assets/` (no quotes with commas inside
//! the fields we read by position, except the last field which takes the rest of the line).

/// Split the compiled-in CSV `text` into rows of fields, skipping the header line.
/// Quoted fields are unquoted; a comma inside quotes does not split.
pub fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(split_line).collect()
}

/// One CSV line into its fields (quotes removed; a comma inside quotes does not split).
pub fn split_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    for c in line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_commas_stay_in_one_field() {
        let r = super::rows("a,b\n\"x, y\",z\n");
        assert_eq!(r, vec![vec!["x, y".to_string(), "z".to_string()]]);
    }
}
