//! Output for subcommands: formats, aligned text tables, and the one printer every subcommand
//! uses ([`emit`]), which makes control characters from the data visible instead of letting the
//! terminal run them. Published (gated) tables render here for table, CSV and JSON alike.
use crate::analysis::disclosure::{self, at, Cell, Table};
use crate::format::{clean_output, strip_controls};
use crate::ops::{DisclosureNote, NamedTable};
use clap::ValueEnum;
use serde_json::Value;

pub use crate::format::{pounds, thousands};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// Print a whole output to stdout, control characters made visible (newlines kept).
pub fn emit(text: &str) {
    print!("{}", clean_output(text));
}

/// Print one line to stderr, control characters made visible.
pub fn note(text: &str) {
    eprintln!("{}", strip_controls(text));
}

/// Render an error and its causes as one readable message ("what failed: why").
pub fn describe_error(e: &anyhow::Error) -> String {
    crate::ops::error::describe(e)
}

/// A plain text table with aligned columns (numbers right-aligned), ASCII only. Cells are
/// stripped of control characters (a cell holds one line).
pub struct TextTable {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns of labels, left-aligned even where a label looks like a number ("0-17").
    labels: Vec<bool>,
}

impl TextTable {
    pub fn new(headers: &[&str]) -> TextTable {
        TextTable { headers: headers.iter().map(|s| strip_controls(s)).collect(), rows: Vec::new(), labels: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.iter().map(|c| strip_controls(c)).collect());
    }

    /// Mark the columns that hold labels.
    pub fn label_columns(&mut self, labels: Vec<bool>) {
        self.labels = labels;
    }

    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || ",.%-£* ".contains(c));
        let line = |cells: &[String]| {
            let mut out = String::new();
            for i in 0..n {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w[i].saturating_sub(c.chars().count());
                if i > 0 {
                    out.push_str("  ");
                }
                if numeric(c) && !self.labels.get(i).copied().unwrap_or(false) {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    out.push_str(&" ".repeat(pad));
                }
            }
            out.trim_end().to_string()
        };
        let mut s = line(&self.headers);
        s.push('\n');
        s.push_str(&w.iter().map(|x| "-".repeat(*x)).collect::<Vec<_>>().join("  "));
        s.push('\n');
        for r in &self.rows {
            s.push_str(&line(r));
            s.push('\n');
        }
        s
    }
}

/// Published tables as text: each table's title and aligned cells ("*" = withheld), then the
/// disclosure note.
pub fn tables_text(tables: &[NamedTable], note: &DisclosureNote) -> String {
    let mut s = String::new();
    for nt in tables {
        let cols: Vec<&str> = nt.table.columns.iter().map(String::as_str).collect();
        let mut tt = TextTable::new(&cols);
        // a column whose every cell is text (or empty) holds labels
        let labels = (0..cols.len())
            .map(|i| nt.table.rows.iter().all(|r| matches!(r.get(i), None | Some(Cell::Text(_)) | Some(Cell::Empty))) && nt.table.rows.iter().any(|r| matches!(r.get(i), Some(Cell::Text(_)))))
            .collect();
        tt.label_columns(labels);
        for r in &nt.table.rows {
            tt.row(r.iter().map(Cell::render).collect());
        }
        s.push_str(&format!("{}\n{}\n", nt.title, tt.render()));
    }
    s.push_str(&note.text);
    s.push('\n');
    s
}

/// Published tables as CSV blocks: a `# disclosure:` line, then per table a `# table: NAME`
/// line and its CSV (quoted, neutralised), blocks separated by a blank line.
pub fn tables_csv(tables: &[NamedTable], note: &DisclosureNote) -> String {
    let mut s = format!("# disclosure: {}\n", note.text);
    let blocks: Vec<String> = tables.iter().map(|nt| format!("# table: {}\n{}", nt.name, disclosure::to_csv(&nt.table))).collect();
    s.push_str(&blocks.join("\n"));
    s
}

/// Published tables as a JSON object {name: [row objects]} (withheld cells are "*").
pub fn tables_json(tables: &[NamedTable]) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for nt in tables {
        let rows: Vec<serde_json::Value> = nt
            .table
            .rows
            .iter()
            .map(|r| serde_json::Value::Object(nt.table.columns.iter().cloned().zip(r.iter().map(Cell::to_json)).collect()))
            .collect();
        obj.insert(nt.name.clone(), serde_json::Value::Array(rows));
    }
    serde_json::Value::Object(obj)
}

/// The JSON of a published cell as a count (a number, or "*" when withheld).
pub fn cell_json(c: Option<&Cell>) -> serde_json::Value {
    c.map(Cell::to_json).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_cells_lose_control_characters() {
        let mut t = super::TextTable::new(&["a"]);
        t.row(vec!["x\u{1b}]52;c;ZXZpbA==\u{7}".into()]);
        assert!(!t.render().contains('\u{1b}'));
    }
}

/// A published table of groups whose last row is the total (delays, unscheduled care) as
/// `(rows, total)`: one object per row keyed by column name, withheld figures "*"; an empty
/// cell of a column in `optional` is left out rather than shown as null.
pub fn groups_and_total_json(t: Option<&Table>, optional: &[&str]) -> (Value, Value) {
    let Some(t) = t else { return (Value::Array(Vec::new()), Value::Null) };
    let row = |r: usize| {
        let mut o = serde_json::Map::new();
        o.insert("group".into(), Value::from(t.get(at(r, 0)).map(|c| c.render()).unwrap_or_default()));
        for (c, name) in t.columns.iter().enumerate().skip(1) {
            let v = cell_json(t.get(at(r, c)));
            if !(v.is_null() && optional.contains(&name.as_str())) {
                o.insert(name.clone(), v);
            }
        }
        Value::Object(o)
    };
    let n = t.rows.len();
    let rows = (0..n.saturating_sub(1)).map(row).collect();
    (Value::Array(rows), if n > 0 { row(n - 1) } else { Value::Null })
}

/// A gated answer in the chosen format: JSON is the object `fields` builds plus the
/// `disclosure` note and every published table (`tables`); text is the heading over the
/// published tables; CSV the tables with the disclosure line.
pub fn gated_output<T>(format: Format, g: &crate::ops::Gated<T>, fields: impl FnOnce() -> anyhow::Result<serde_json::Value>) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => {
            let mut v = fields()?;
            if let Some(o) = v.as_object_mut() {
                o.insert("disclosure".into(), serde_json::to_value(&g.disclosure)?);
                o.insert("tables".into(), tables_json(&g.tables));
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Csv => tables_csv(&g.tables, &g.disclosure),
        Format::Table => format!("{}\n\n{}", g.heading, tables_text(&g.tables, &g.disclosure)),
    })
}
