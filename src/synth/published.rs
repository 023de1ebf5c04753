//! The published SLF column lists (266 episode, 206 individual columns, in PHS's order:
//! `R/order_ep_cols.R`, `R/order_indiv_cols.R`), copied from the shared code lists into
//! `assets/` (the one copy the loader also reads), with the DuckDB type each published type is written as.
use super::layout::Cols;
use std::sync::OnceLock;

const EPISODE_CSV: &str = include_str!("../../assets/slf_episode_columns.csv");
const INDIVIDUAL_CSV: &str = include_str!("../../assets/slf_individual_columns.csv");

/// DuckDB type for a published type: strings (ids and codes) as VARCHAR, dates as DATE,
/// times as TIME, whole numbers and 0/1 flags as INTEGER, `f64` as DOUBLE, `bool` as BOOLEAN.
pub fn duckdb_type(published: &str) -> &'static str {
    let t = published.trim();
    if t.starts_with("str") {
        "VARCHAR"
    } else if t.starts_with("date") {
        "DATE"
    } else if t.starts_with("time") {
        "TIME"
    } else if t.starts_with("int") {
        "INTEGER"
    } else if t.starts_with("f64") {
        "DOUBLE"
    } else if t.starts_with("bool") {
        "BOOLEAN"
    } else {
        "VARCHAR"
    }
}

/// (column, published type) rows of one list, in order. Only the first three fields are read;
/// they never contain commas (the quoted `meaning` field comes last).
fn parse(csv: &'static str) -> Vec<(&'static str, &'static str)> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.splitn(4, ',');
            let _pos = f.next()?;
            let name = f.next()?;
            let ty = f.next()?;
            Some((name, ty))
        })
        .collect()
}

fn typed(csv: &'static str) -> Cols {
    let v: Vec<(&'static str, &'static str)> = parse(csv).into_iter().map(|(n, t)| (n, duckdb_type(t))).collect();
    Box::leak(v.into_boxed_slice())
}

/// The 266 episode-file columns with DuckDB types.
pub fn episode() -> Cols {
    static C: OnceLock<Cols> = OnceLock::new();
    C.get_or_init(|| typed(EPISODE_CSV))
}

/// The 206 individual-file columns with DuckDB types.
pub fn individual() -> Cols {
    static C: OnceLock<Cols> = OnceLock::new();
    C.get_or_init(|| typed(INDIVIDUAL_CSV))
}

/// A layout without the named columns (e.g. `hb2019` for an hbrescode-only extract).
pub fn without(cols: Cols, drop: &[&str]) -> Cols {
    let v: Vec<(&'static str, &'static str)> = cols.iter().copied().filter(|(n, _)| !drop.contains(n)).collect();
    Box::leak(v.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn lists_have_the_published_lengths() {
        assert_eq!(episode().len(), 266);
        assert_eq!(individual().len(), 206);
        assert_eq!(episode()[0], ("year", "VARCHAR"));
        assert_eq!(individual()[205], ("hri_lcap", "DOUBLE"));
        assert!(episode().iter().any(|c| *c == ("cij_delay", "BOOLEAN")));
        assert!(individual().iter().any(|c| *c == ("cij_delay", "INTEGER")));
    }
}
