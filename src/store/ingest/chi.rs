//! No CHI number is ever stored. Every file is read into a TEMP table (memory and the
//! owner-only spill folder, never the workspace file or its WAL); a column that holds CHI
//! numbers is staged from there with the CHI turned into the anonymised id, and with
//! `--keep-raw` copied into the raw table with the anonymised id in its place. The anonymised id is what the SLF calls
//! `anon_chi`: base64 of the 10-digit CHI (a 9-digit CHI lost its leading zero).
use crate::store::sql::ident;
use anyhow::Result;
use duckdb::Connection;

/// Column names that always hold CHI numbers.
pub const CHI_NAMES: [&str; 6] = ["chi_upi", "chi", "upi", "chi_number", "chinumber", "upi_number"];

/// A cell of column expression `c` is a CHI number (9 or 10 digits).
pub fn is_chi(c: &str) -> String {
    format!("regexp_full_match(trim(CAST({c} AS VARCHAR)), '[0-9]{{9,10}}')")
}

/// The anonymised id of a CHI in column expression `c`; NULL when the cell is not a CHI
/// (a malformed value may still be part of one, so it is not kept either).
pub fn anonymised(c: &str) -> String {
    format!("CASE WHEN {} THEN to_base64(encode(lpad(trim(CAST({c} AS VARCHAR)), 10, '0'))) END", is_chi(c))
}

/// The file's columns that hold CHI numbers: those named like one, and any other column not
/// among the kind's `known` fields whose sampled values are all 10-digit numbers starting with
/// a valid day and month (a CHI starts with the date of birth, DDMMYY).
/// `table` is the TEMP table the file was read into and `columns` its columns (the file's).
pub fn chi_columns(conn: &Connection, table: &str, columns: &[String], known: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> =
        columns.iter().filter(|c| CHI_NAMES.contains(&c.trim().to_ascii_lowercase().as_str())).cloned().collect();
    let candidates: Vec<&String> = columns
        .iter()
        .filter(|c| !out.contains(c) && !known.contains(&c.trim().to_ascii_lowercase()) && !c.eq_ignore_ascii_case("anon_chi"))
        .filter(|c| !c.eq_ignore_ascii_case("_row")) // the table's `_row` is our row number
        .collect();
    if candidates.is_empty() {
        return Ok(out);
    }
    // A thousand rows are enough to tell (any thousand: the scan stops after its first chunk).
    // One test over every value, unpivoted, costs a tenth of one aggregate per column.
    let as_text: Vec<String> = candidates.iter().map(|c| format!("CAST({q} AS VARCHAR) AS {q}", q = ident(c))).collect();
    let t = "lpad(trim(v), 10, '0')";
    let sql = format!(
        "SELECT name FROM (UNPIVOT (SELECT {} FROM {table} LIMIT 1000) ON COLUMNS(*) INTO NAME name VALUE v) GROUP BY name \
         HAVING bool_and(regexp_full_match(trim(v), '[0-9]{{10}}') AND substr({t}, 1, 2) BETWEEN '01' AND '31' AND substr({t}, 3, 2) BETWEEN '01' AND '12')",
        as_text.join(", ")
    );
    let mut st = conn.prepare(&sql)?;
    let flagged: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    // in the file's column order (UNPIVOT drops NULLs: an empty column is not flagged)
    out.extend(candidates.into_iter().filter(|c| flagged.contains(c)).cloned());
    Ok(out)
}

/// The source to stage from, over the TEMP table holding the CHIs: every CHI column is NULL
/// where it held a valid CHI (a malformed value stays, so its row is rejected with the reason)
/// and, when the kind stages `anon_chi`, that is filled from the first CHI column. Returns the
/// SQL and the (name, type) list of its columns.
pub fn staging_source(temp: &str, typed: &[(String, String)], chi: &[String], stages_anon_chi: bool) -> (String, Vec<(String, String)>) {
    let mut replace: Vec<String> = chi
        .iter()
        .map(|c| {
            let q = ident(c);
            format!("CASE WHEN {} THEN NULL ELSE CAST({q} AS VARCHAR) END AS {q}", is_chi(&q))
        })
        .collect();
    let mut cols: Vec<(String, String)> =
        typed.iter().map(|(n, t)| if chi.contains(n) { (n.clone(), "VARCHAR".to_string()) } else { (n.clone(), t.clone()) }).collect();
    let mut extra = String::new();
    if let (true, Some(first)) = (stages_anon_chi, chi.first()) {
        let from_chi = anonymised(&ident(first));
        match typed.iter().find(|(n, _)| n.trim().eq_ignore_ascii_case("anon_chi")) {
            Some((n, _)) => replace.push(format!("coalesce(NULLIF(trim(CAST({q} AS VARCHAR)), ''), {from_chi}) AS {q}", q = ident(n))),
            None => {
                extra = format!(", {from_chi} AS anon_chi");
                cols.push(("anon_chi".into(), "VARCHAR".into()));
            }
        }
    }
    let replace = if replace.is_empty() { String::new() } else { format!(" REPLACE ({})", replace.join(", ")) };
    (format!("(SELECT *{replace}{extra} FROM {temp})"), cols)
}

/// Copy the TEMP table into the workspace's raw table (`--keep-raw`) with each CHI replaced by
/// its anonymised id.
pub fn persist_anonymised(conn: &Connection, temp: &str, raw_table: &str, chi: &[String]) -> Result<()> {
    let replace: Vec<String> = chi.iter().map(|c| format!("{} AS {}", anonymised(&ident(c)), ident(c))).collect();
    let replace = if replace.is_empty() { String::new() } else { format!(" REPLACE ({})", replace.join(", ")) };
    conn.execute_batch(&format!("CREATE TABLE {raw_table} AS SELECT *{replace} FROM {temp}"))?;
    Ok(())
}
