//! CSV text for a published table: RFC 4180 quoting plus formula neutralisation, so a label such
//! as `=HYPERLINK(...)` opens in a spreadsheet as text instead of running.

use super::table::{Cell, Table};

/// Header line then one line per row, "\n" line ends (RFC 4180 says CRLF; spreadsheets read
/// both, and Unix tools on the analysis server expect "\n"). Text cells and column names that a
/// spreadsheet would treat as a formula get a leading `'`; numbers are written as numbers, so a
/// negative % change stays `-2.5`. Render only tables that went through [`super::apply`].
pub fn to_csv(table: &Table) -> String {
    let mut out = String::new();
    line(&mut out, table.columns.iter().map(|c| field(&neutralise(c))));
    for row in &table.rows {
        line(
            &mut out,
            row.iter().map(|cell| match cell {
                Cell::Text(s) => field(&neutralise(s)),
                other => field(&other.render()),
            }),
        );
    }
    out
}

fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    let fields: Vec<String> = fields.collect();
    out.push_str(&fields.join(","));
    out.push('\n');
}

/// Prefix `'` when the text starts (or starts after blanks, which some spreadsheets skip) with
/// `=`, `+`, `-`, `@`, or starts with a tab, CR or LF (OWASP CSV injection guidance).
pub fn neutralise(s: &str) -> String {
    let risky_first = s.starts_with(['\t', '\r', '\n']);
    let risky_trimmed = s.trim_start_matches([' ', '\t']).starts_with(['=', '+', '-', '@']);
    if risky_first || risky_trimmed {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Quote a field when it holds a comma, quote, CR or LF, doubling inner quotes (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts() {
        for s in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =cmd"] {
            assert!(neutralise(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(neutralise("Glasgow City"), "Glasgow City");
    }

    #[test]
    fn quotes_per_rfc4180() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("plain"), "plain");
    }
}
