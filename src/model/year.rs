//! Financial years: `"1920"` = 1 April 2019 to 31 March 2020.

/// A financial year in SLF form (4 characters, e.g. `1920`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinYear {
    /// Calendar year in which the FY starts (2019 for `1920`).
    pub start: i32,
}

impl FinYear {
    /// Parse `"1920"`; the two halves must be consecutive years.
    pub fn parse(s: &str) -> Option<FinYear> {
        let s = s.trim();
        if s.len() != 4 || !s.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let a: i32 = s[..2].parse().ok()?;
        let b: i32 = s[2..].parse().ok()?;
        if (a + 1) % 100 != b {
            return None;
        }
        // Two-digit years: 00-79 are 2000s, 80-99 are 1900s (extracts start in the 2010s).
        let start = if a >= 80 { 1900 + a } else { 2000 + a };
        Some(FinYear { start })
    }

    pub fn code(&self) -> String {
        format!("{:02}{:02}", self.start % 100, (self.start + 1) % 100)
    }

    /// Human form, `2019/20`.
    pub fn label(&self) -> String {
        format!("{}/{:02}", self.start, (self.start + 1) % 100)
    }

    /// ISO date strings of the first and last day of the year.
    pub fn bounds(&self) -> (String, String) {
        (format!("{}-04-01", self.start), format!("{}-03-31", self.start + 1))
    }

    /// The twelve months of the year, `YYYY-MM`, April first.
    pub fn months(&self) -> Vec<String> {
        (0..12).map(|i| if i < 9 { format!("{}-{:02}", self.start, i + 4) } else { format!("{}-{:02}", self.start + 1, i - 8) }).collect()
    }

    /// Days in the year: 366 when it holds a 29 February (average occupied beds = bed days / days).
    pub fn days(&self) -> u32 {
        let y = self.start + 1;
        if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
            366
        } else {
            365
        }
    }

    /// The FY midpoint used for ages (30 September).
    pub fn midpoint(&self) -> String {
        format!("{}-09-30", self.start)
    }
}

/// Label a raw year code for display, falling back to the code itself.
pub fn label(code: &str) -> String {
    FinYear::parse(code).map(|y| y.label()).unwrap_or_else(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_and_formats() {
        let y = FinYear::parse("1920").unwrap();
        assert_eq!(y.start, 2019);
        assert_eq!(y.label(), "2019/20");
        assert_eq!(y.code(), "1920");
        assert_eq!(FinYear::parse("9900").map(|y| y.start), Some(1999));
        assert!(FinYear::parse("1921").is_none());
        assert_eq!((y.days(), FinYear::parse("2021").unwrap().days(), FinYear::parse("9900").unwrap().days()), (366, 365, 366));
        assert!(FinYear::parse("19/20").is_none());
        let m = y.months();
        assert_eq!((m[0].as_str(), m[8].as_str(), m[9].as_str(), m[11].as_str()), ("2019-04", "2019-12", "2020-01", "2020-03"));
    }
}
