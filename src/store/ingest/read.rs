//! Read one file into a raw table exactly as it is (all columns kept, plus `_row`, the 1-based
//! data row number), after checking that it is usable at all.
use crate::store::detect::FileFormat;
use anyhow::{anyhow, bail, Context, Result};
use duckdb::Connection;
use std::io::Read;
use std::path::Path;

/// Options every CSV read uses: all text (types are ours to parse), the delimiter we sniffed
/// (param 2), lines up to 64 MB (a huge field is a value, not a reason to refuse the file), and
/// malformed lines kept aside in the named rejects tables.
fn csv_reader(errors: &str, scans: &str) -> String {
    format!(
        "read_csv(?, header = true, all_varchar = true, delim = ?, max_line_size = {MAX_LINE}, buffer_size = {BUFFER}, \
         store_rejects = true, rejects_table = '{errors}', rejects_scan = '{scans}')"
    )
}

const MAX_LINE: u64 = 64 << 20;
const BUFFER: u64 = 128 << 20;

/// Column names of a file, as they appear in it (DuckDB makes repeated names unique: `a`,
/// `a_1`), and for CSV what the text check noticed (see [`check_text`]).
pub fn columns(conn: &Connection, path: &Path, format: FileFormat) -> Result<(Vec<String>, Vec<String>)> {
    let p = super::discover::duckdb_path(path);
    let sql = match format {
        FileFormat::Parquet => "DESCRIBE SELECT * FROM read_parquet(?)".to_string(),
        FileFormat::Csv => format!("DESCRIBE SELECT * FROM {}", csv_reader("cp_describe_errors", "cp_describe_scans")),
    };
    let mut stmt = conn.prepare(&sql).map_err(|e| unusable(path, format, e))?;
    let mut params: Vec<String> = vec![p.clone()];
    let mut notes = Vec::new();
    if format == FileFormat::Csv {
        notes = check_text(path)?;
        params.push(sniff_delimiter(path)?);
    }
    // DuckDB's CSV sniffer gives up on a file with a lone CR; say where it is instead.
    let cr_note = notes.iter().find(|n| n.contains("carriage return")).cloned();
    let refuse = |e: duckdb::Error| match &cr_note {
        Some(n) => anyhow!(
            "{}: {}; the CSV reader cannot split it into rows. Replace the CR (e.g. tr '\\r' ' ') or save the file with Unix or Windows line endings",
            path.display(),
            n.split(':').next().unwrap_or(n)
        ),
        None => unusable(path, format, e),
    };
    let rows = stmt.query_map(duckdb::params_from_iter(params.iter()), |r| r.get::<_, String>(0)).map_err(refuse)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r.map_err(|e| unusable(path, format, e))?);
    }
    if out.is_empty() {
        bail!("{}: has no columns (is it empty?)", path.display());
    }
    Ok((out, notes))
}

fn unusable(path: &Path, format: FileFormat, e: duckdb::Error) -> anyhow::Error {
    let msg = e.to_string();
    let what = match format {
        FileFormat::Parquet => "is not a readable Parquet file",
        FileFormat::Csv => "is not a readable CSV file",
    };
    anyhow!("{}: {what} ({}); check the file is complete and in the format its name says", path.display(), first_line(&msg))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The select list that copies a file's columns into a raw table: each column quoted as an
/// identifier, and a column the file calls `_row` (our row number's name) kept as
/// `_row_in_file`.
fn copy_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| {
            let q = crate::store::sql::ident(c);
            if c.eq_ignore_ascii_case("_row") {
                format!("{q} AS \"_row_in_file\"")
            } else {
                q
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row the CSV reader could not split into the header's columns.
pub struct CsvReject {
    pub line: i64,
    pub message: String,
}

/// Create `table` from the file (a TEMP table when `temp`). Returns rows read into the table
/// and CSV lines that could not be parsed (those are counted as read and rejected by the
/// caller). `columns` are the file's columns as [`columns`] gave them.
pub fn create_raw(conn: &Connection, table: &str, temp: bool, path: &Path, format: FileFormat, columns: &[String]) -> Result<(i64, Vec<CsvReject>)> {
    let p = super::discover::duckdb_path(path);
    let create = if temp { "CREATE TEMP TABLE" } else { "CREATE TABLE" };
    let list = copy_list(columns);
    match format {
        FileFormat::Parquet => {
            // The reader's own row number is the cheap way; a file with a column of that name
            // cannot use it, and is numbered in read order instead.
            let sql = if columns.iter().any(|c| c.eq_ignore_ascii_case("file_row_number")) {
                format!("{create} {table} AS SELECT row_number() OVER () AS _row, {list} FROM read_parquet(?)")
            } else {
                format!(
                    "{create} {table} AS SELECT CAST(file_row_number AS BIGINT) + 1 AS _row, {list} \
                     FROM read_parquet(?, file_row_number = true)"
                )
            };
            conn.execute(&sql, [&p]).map_err(|e| unusable(path, format, e))?;
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok((n, Vec::new()))
        }
        FileFormat::Csv => {
            let delim = sniff_delimiter(path)?;
            conn.execute_batch("DROP TABLE IF EXISTS cp_reject_errors; DROP TABLE IF EXISTS cp_reject_scans;")?;
            let sql = format!(
                "{create} {table} AS SELECT row_number() OVER () AS _row, {list} FROM {}",
                csv_reader("cp_reject_errors", "cp_reject_scans")
            );
            conn.execute(&sql, [&p, &delim]).map_err(|e| unusable(path, format, e))?;
            // Lines the reader rejected are missing from the sequence: shift later rows so that
            // `_row` is the row's position in the file (the i-th good row comes after every
            // rejected row r_j, j-th in order, with r_j - j + 1 <= i).
            conn.execute_batch(&format!(
                "UPDATE {table} SET _row = _row + (SELECT count(*) FROM (
                     SELECT line - 1 - row_number() OVER (ORDER BY line) + 1 AS thr FROM (SELECT DISTINCT line FROM cp_reject_errors)) t
                   WHERE t.thr <= {table}._row)"
            ))?;
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            let mut rejects = Vec::new();
            let mut stmt = conn.prepare(
                "SELECT CAST(line AS BIGINT), min(CAST(error_type AS VARCHAR)), min(error_message) FROM cp_reject_errors GROUP BY line ORDER BY line",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
            for r in rows {
                let (line, kind, msg) = r?;
                let upper = kind.to_ascii_uppercase();
                if upper.contains("UNICODE") || upper.contains("ENCODING") {
                    bail!(
                        "{}: line {line} is not valid UTF-8 text; re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                        path.display()
                    );
                }
                rejects.push(CsvReject { line, message: format!("malformed CSV line: {}", first_line(&msg)) });
            }
            Ok((n, rejects))
        }
    }
}

/// The first `limit` rows of a file as a SQL source (for a cheap look at its values): the
/// SQL text and its parameters.
pub fn sample_source(path: &Path, format: FileFormat, limit: u32) -> Result<(String, Vec<String>)> {
    let p = super::discover::duckdb_path(path);
    Ok(match format {
        FileFormat::Parquet => (format!("(SELECT * FROM read_parquet(?) LIMIT {limit})"), vec![p]),
        FileFormat::Csv => (
            format!("(SELECT * FROM {} LIMIT {limit})", csv_reader("cp_sample_errors", "cp_sample_scans")),
            vec![p, sniff_delimiter(path)?],
        ),
    })
}

/// The delimiter of a CSV file, from its header line: the most frequent of , ; tab |.
/// (Done here rather than by DuckDB's sniffer, which gives up when a later line is malformed.)
pub fn sniff_delimiter(path: &Path) -> Result<String> {
    use std::io::BufRead;
    let f = std::fs::File::open(path).with_context(|| format!("{}: cannot open the file", path.display()))?;
    let reader: Box<dyn std::io::Read> = if path.to_string_lossy().to_ascii_lowercase().ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    // The header is the first line that is not blank (the CSV reader skips blank lines too).
    let mut lines = std::io::BufReader::new(reader).take(MAX_LINE);
    let mut header = String::new();
    for _ in 0..1000 {
        header.clear();
        let n = lines
            .read_line(&mut header)
            .map_err(|e| anyhow!("{}: cannot read the header line ({e}); is it a CSV text file?", path.display()))?;
        if n == 0 || !header.trim().is_empty() {
            break;
        }
    }
    if header.trim().is_empty() {
        bail!("{}: is empty (no header line)", path.display());
    }
    let best = ['|', '\t', ';', ','].into_iter().max_by_key(|d| header.matches(*d).count()).unwrap_or(',');
    Ok(best.to_string())
}

/// Plain CSV files are checked for binary content and UTF-8 before DuckDB reads them, so the
/// message can say which line is wrong. (Gzipped files are checked by the CSV reader.) Returns
/// notes for the load report: a carriage return (CR) not followed by a line feed is a line
/// break to the CSV reader (as to Excel), so such a row is split in two; the note says where.
fn check_text(path: &Path) -> Result<Vec<String>> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".gz") {
        return Ok(Vec::new());
    }
    let (mut lone_cr, mut first_cr_line, mut cr_pending) = (0u64, 0u64, false);
    let mut f = std::fs::File::open(path).with_context(|| format!("{}: cannot open the file", path.display()))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut line: u64 = 1;
    loop {
        let n = f.read(&mut buf).with_context(|| format!("{}: cannot read the file", path.display()))?;
        if n == 0 {
            break;
        }
        let mut chunk = std::mem::take(&mut carry);
        chunk.extend_from_slice(&buf[..n]);
        if chunk.contains(&0) {
            bail!("{}: contains binary data (NUL bytes), so it is not a CSV text file", path.display());
        }
        let valid_upto = match std::str::from_utf8(&chunk) {
            Ok(_) => chunk.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(), // cut mid-character: carry on
            Err(e) => {
                let bad_line = line + chunk[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64;
                bail!(
                    "{}: line {bad_line} is not valid UTF-8 text (wrong encoding); re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                    path.display()
                );
            }
        };
        for &b in &chunk[..valid_upto] {
            if cr_pending && b != b'\n' {
                lone_cr += 1;
                if first_cr_line == 0 {
                    first_cr_line = line;
                }
            }
            cr_pending = b == b'\r';
            if b == b'\n' {
                line += 1;
            }
        }
        carry = chunk[valid_upto..].to_vec();
    }
    if !carry.is_empty() {
        bail!("{}: ends in the middle of a character (not valid UTF-8)", path.display());
    }
    let mut notes = Vec::new();
    if lone_cr > 0 {
        notes.push(format!(
            "{lone_cr} carriage return(s) (CR) without a line feed, the first on line {first_cr_line}: each is read as a line break, so that row is split (its parts are rejected if they do not have every column) and later row numbers count the break"
        ));
    }
    Ok(notes)
}

/// Content fingerprint (SHA-256 of the bytes, hex) to recognise the same file loaded twice
/// under any name; a collision-resistant hash, so a different file is never taken for one
/// already loaded. Returns the fingerprint and the size in bytes.
pub fn fingerprint(path: &Path) -> Result<(String, u64)> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).with_context(|| format!("{}: cannot open the file", path.display()))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size: u64 = 0;
    loop {
        let n = f.read(&mut buf).with_context(|| format!("{}: cannot read the file", path.display()))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((format!("sha256:{hex}"), size))
}
