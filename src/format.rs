//! Formatting shared by every client (CLI and TUI): numbers, money, ids, and the two defences
//! for text that came from the data: control characters stripped before anything reaches a
//! terminal, and CSV cells quoted and neutralised before anything reaches a spreadsheet.
//! One fact in one place: no other module formats money or quotes CSV.

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

/// Money in pounds, rounded to the pound: "£1,234". A value that is not a finite number (it
/// should never get this far) prints as "n/a" rather than as a saturated integer.
pub fn pounds(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 9.0e15 {
        return "n/a".into();
    }
    format!("£{}", thousands(x.round() as i64))
}

/// A size as people read it: "512.0 MB", "1.2 GB".
pub fn bytes(b: u64) -> String {
    let mb = b as f64 / (1024.0 * 1024.0);
    if mb >= 1024.0 {
        format!("{:.1} GB", mb / 1024.0)
    } else {
        format!("{mb:.1} MB")
    }
}

/// Shorten a long id for display (`MDEw..Tk3OA`, ASCII so it works in `--ascii` mode); short
/// ids (display pseudonyms such as `P000123`) are shown whole.
pub fn short_id(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    if c.len() <= 12 {
        return id.to_string();
    }
    format!("{}..{}", c[..4].iter().collect::<String>(), c[c.len() - 6..].iter().collect::<String>())
}

/// Text safe for a terminal: every control character (C0 incl. ESC, CR, TAB, DEL, and the C1
/// range, which some terminals also obey) is shown as a visible escape (`^[`, `\u{9b}`), so an
/// OSC title, an OSC 52 clipboard write or a screen clear in the data is printed, not executed.
/// Newlines are kept only when `keep_newlines` (whole outputs keep their lines; cells do not).
pub fn strip_controls_with(s: &str, keep_newlines: bool) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push((b'@' + c as u8) as char);
            }
            '\u{7f}' => out.push_str("^?"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// One cell or message of terminal text: no control characters at all.
pub fn strip_controls(s: &str) -> String {
    strip_controls_with(s, false)
}

/// A whole output (many lines): control characters shown as escapes, newlines kept.
pub fn clean_output(s: &str) -> String {
    strip_controls_with(s, true)
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
pub fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A text cell of any CSV carepath writes: neutralised, control characters made visible, then
/// quoted. (Numbers carepath formats itself go through [`csv_number`], so `-2.5` stays a number.)
pub fn csv_text(s: &str) -> String {
    csv_quote(&strip_controls(&neutralise(s)))
}

/// A number carepath formatted itself (digits, sign, point): written as it is.
pub fn csv_number(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '.' || c == 'e' || c == 'E') {
        s.to_string()
    } else {
        csv_text(s)
    }
}

/// One CSV line (no line end) from text cells.
pub fn csv_line<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    cells.into_iter().map(|c| csv_text(c.as_ref())).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(pounds(1234.6), "£1,235");
        assert_eq!(pounds(f64::INFINITY), "n/a");
        assert_eq!(pounds(f64::NAN), "n/a");
    }

    #[test]
    fn strips_escapes() {
        assert_eq!(strip_controls("a\u{1b}]0;pwned\u{7}b"), "a^[]0;pwned^Gb");
        assert_eq!(strip_controls("x\u{9b}2J"), "x\\u{9b}2J");
        assert_eq!(clean_output("l1\nl2\r\n"), "l1\nl2^M\n");
        assert_eq!(strip_controls("Glasgow City"), "Glasgow City");
    }

    #[test]
    fn neutralises_and_quotes() {
        for s in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =cmd"] {
            assert!(csv_text(s).trim_start_matches('"').starts_with('\''), "{s:?} -> {}", csv_text(s));
        }
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_number("-2.5"), "-2.5");
        assert_eq!(csv_number("=2"), "'=2");
    }
}
