//! Shared output helpers for subcommands: formats and human error messages.
use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// Render an error and its causes as one readable message ("what failed: why").
pub fn describe_error(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

/// A plain text table with aligned columns (numbers right-aligned), ASCII only.
pub struct TextTable {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    pub fn new(headers: &[&str]) -> TextTable {
        TextTable { headers: headers.iter().map(|s| s.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || ",.%-£ ".contains(c));
        let line = |cells: &[String]| {
            let mut out = String::new();
            for i in 0..n {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w[i].saturating_sub(c.chars().count());
                if i > 0 {
                    out.push_str("  ");
                }
                if numeric(c) {
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

/// 1234567 -> "1,234,567".
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Money in pounds, rounded to the pound: "£1,234".
pub fn pounds(x: f64) -> String {
    format!("£{}", thousands(x.round() as i64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_numbers() {
        assert_eq!(super::thousands(1234567), "1,234,567");
        assert_eq!(super::thousands(-1000), "-1,000");
        assert_eq!(super::pounds(1234.6), "£1,235");
    }
}
