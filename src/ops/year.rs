//! Financial years as the user types them (`1920`, `2019/20`, `2019-20`, `2019/2020`), checked
//! against the years the workspace holds: an unloaded year is an error naming the loaded ones.
use super::OpsError;
use crate::model::year::FinYear;
use duckdb::Connection;

/// The SLF code (`1920`) of a year written in any of the accepted forms.
pub fn normalise(text: &str) -> Result<String, OpsError> {
    let t = text.trim();
    let bad = || OpsError::BadYear { given: crate::format::strip_controls(t) };
    if let Some(y) = FinYear::parse(t) {
        return Ok(y.code());
    }
    let (a, b) = t.split_once(['/', '-']).ok_or_else(bad)?;
    if a.len() != 4 || !a.chars().all(|c| c.is_ascii_digit()) || !(b.len() == 2 || b.len() == 4) || !b.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let start: i32 = a.parse().map_err(|_| bad())?;
    let end: i32 = b.parse().map_err(|_| bad())?;
    let ok = if b.len() == 2 { (start + 1) % 100 == end } else { start + 1 == end };
    if !ok {
        return Err(bad());
    }
    FinYear::parse(&format!("{:02}{:02}", start % 100, (start + 1) % 100)).map(|y| y.code()).ok_or_else(bad)
}

/// The years loaded, oldest first.
pub fn loaded(conn: &Connection) -> Result<Vec<String>, OpsError> {
    Ok(crate::store::cohort::available_years(conn)?)
}

/// Each year normalised and checked (an empty list stays empty: "the latest").
pub fn all_loaded(conn: &Connection, years: &[String]) -> Result<Vec<String>, OpsError> {
    if years.is_empty() {
        return Ok(Vec::new());
    }
    let have = loaded(conn)?;
    let mut out = Vec::new();
    for y in years {
        let code = normalise(y)?;
        if !have.contains(&code) {
            return Err(OpsError::YearNotLoaded { asked: crate::model::year::label(&code), loaded: labels(&have) });
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// One year: the one given (checked), else the latest loaded.
pub fn one(conn: &Connection, year: Option<&str>) -> Result<String, OpsError> {
    match year {
        Some(y) => Ok(all_loaded(conn, &[y.to_string()])?.remove(0)),
        None => loaded(conn)?.pop().ok_or_else(|| OpsError::Other("the workspace has no financial years loaded (run `carepath load`)".into())),
    }
}

fn labels(codes: &[String]) -> Vec<String> {
    codes.iter().map(|c| crate::model::year::label(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn accepts_the_three_forms() {
        for y in ["1920", "2019/20", "2019-20", "2019/2020", " 2019-2020 "] {
            assert_eq!(normalise(y).unwrap(), "1920", "{y}");
        }
        assert_eq!(normalise("1999/00").unwrap(), "9900");
        for y in ["2019/21", "19/20", "2019", "abcd", "2019-2", ""] {
            assert!(normalise(y).is_err(), "{y}");
        }
    }
}
