//! Small helpers for building SQL text from *our own* names. User-supplied values are always
//! bound as parameters; the only outside text that reaches SQL is a file's column name, and that
//! only after it matched one of our known column names, quoted as an identifier.

/// Quote an identifier, doubling any embedded quote.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Raw cell as trimmed text, empty -> NULL (works for any source type).
pub fn raw_text(col: &str) -> String {
    format!("NULLIF(trim(CAST({} AS VARCHAR)), '')", ident(col))
}

/// Parse text as a date: ISO (`2019-04-01`), timestamps, or UK `01/04/2019`.
pub fn parse_date(x: &str) -> String {
    format!(
        "COALESCE(TRY_CAST({x} AS DATE), TRY_CAST(TRY_CAST({x} AS TIMESTAMP) AS DATE), \
         TRY_CAST(TRY_STRPTIME({x}, '%d/%m/%Y') AS DATE))"
    )
}

pub fn parse_int(x: &str) -> String {
    format!("COALESCE(TRY_CAST({x} AS BIGINT), TRY_CAST(TRY_CAST({x} AS DOUBLE) AS BIGINT))")
}

pub fn parse_num(x: &str) -> String {
    format!("TRY_CAST({x} AS DOUBLE)")
}

/// 0/1 flags written as 0/1, TRUE/FALSE, Y/N or Yes/No; anything else is unknown (NULL).
pub fn parse_flag(x: &str) -> String {
    format!(
        "CASE WHEN upper({x}) IN ('1', 'TRUE', 'T', 'Y', 'YES', '1.0') THEN 1 \
         WHEN upper({x}) IN ('0', 'FALSE', 'F', 'N', 'NO', '0.0') THEN 0 END"
    )
}

/// A financial year code like `1920` (numeric sources lose a leading zero: `910` -> `0910`).
pub fn parse_year(x: &str) -> String {
    format!(
        "CASE WHEN regexp_full_match(lpad({x}, 4, '0'), '[0-9]{{4}}') \
         AND (CAST(substr(lpad({x}, 4, '0'), 1, 2) AS INTEGER) + 1) % 100 = CAST(substr(lpad({x}, 4, '0'), 3, 2) AS INTEGER) \
         THEN lpad({x}, 4, '0') END"
    )
}

/// First day (DATE) of a financial year code expression like `'1920'`.
pub fn fy_start(y: &str) -> String {
    format!(
        "make_date(CASE WHEN CAST(substr({y}, 1, 2) AS INTEGER) >= 80 THEN 1900 ELSE 2000 END + CAST(substr({y}, 1, 2) AS INTEGER), 4, 1)"
    )
}

/// Last day (DATE) of a financial year code expression.
pub fn fy_end(y: &str) -> String {
    format!("CAST({} + INTERVAL 1 YEAR - INTERVAL 1 DAY AS DATE)", fy_start(y))
}

/// The FY code (`'1920'`) that a DATE expression falls in.
pub fn fy_of_date(d: &str) -> String {
    format!(
        "(lpad(CAST((year({d}) - CASE WHEN month({d}) < 4 THEN 1 ELSE 0 END) % 100 AS VARCHAR), 2, '0') || \
          lpad(CAST((year({d}) + CASE WHEN month({d}) < 4 THEN 0 ELSE 1 END) % 100 AS VARCHAR), 2, '0'))"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn ident_escapes_quotes() {
        assert_eq!(super::ident("a\"b"), "\"a\"\"b\"");
    }
}
