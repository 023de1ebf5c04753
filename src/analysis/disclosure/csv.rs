//! CSV text for a published table: RFC 4180 quoting plus formula neutralisation, so a label such
//! as `=HYPERLINK(...)` opens in a spreadsheet as text instead of running.

use super::table::{Cell, Table};
use crate::format::neutralise;

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

/// Control characters made visible, then RFC 4180 quoting (one definition, in [`crate::format`]).
fn field(s: &str) -> String {
    crate::format::csv_quote(&crate::format::strip_controls(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_per_rfc4180() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "two^Jlines");
        assert_eq!(field("plain"), "plain");
    }
}
