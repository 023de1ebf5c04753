//! Read one file into a TEMP table exactly as it is (all columns kept, plus `_row`, the 1-based
//! data row number), after checking that it is usable at all.
use crate::store::detect::FileFormat;
use anyhow::{anyhow, bail, Context, Result};
use duckdb::Connection;
use std::io::Read;
use std::path::Path;

/// Options every CSV read uses: all text (types are ours to parse), the delimiter we sniffed
/// (param 2), lines up to 64 MB (a huge field is a value, not a reason to refuse the file), and
/// malformed lines kept aside in the named rejects tables. DuckDB's sniffer then only settles
/// quoting, so it looks at 2,048 rows rather than 20,480 (a tenth of its cost, which on a
/// 35,000-row file was half the read).
fn csv_reader(errors: &str, scans: &str) -> String {
    format!(
        "read_csv(?, header = true, all_varchar = true, delim = ?, max_line_size = {MAX_LINE}, buffer_size = {BUFFER}, \
         sample_size = 2048, store_rejects = true, rejects_table = '{errors}', rejects_scan = '{scans}')"
    )
}

const MAX_LINE: u64 = 64 << 20;
const BUFFER: u64 = 128 << 20;
/// Enough for the header and first row of any extract we know.
const FIRST_ROW: u64 = 1 << 20;

/// Column names of a file, as they appear in it (DuckDB makes repeated names unique: `a`,
/// `a_1`), and for CSV what the text check noticed (see [`check_text`]).
pub fn columns(conn: &Connection, path: &Path, format: FileFormat) -> Result<FileColumns> {
    let p = super::discover::duckdb_path(path);
    let sql = match format {
        FileFormat::Parquet => "DESCRIBE SELECT * FROM read_parquet(?)".to_string(),
        FileFormat::Csv => format!("DESCRIBE SELECT * FROM {}", csv_reader("cp_describe_errors", "cp_describe_scans")),
    };
    let mut stmt = conn.prepare(&sql).map_err(|e| unusable(path, format, e))?;
    let mut params: Vec<String> = vec![p.clone()];
    let mut notes = Vec::new();
    let mut lone_cr_rows = Vec::new();
    let mut _copy = None;
    if format == FileFormat::Csv {
        let check = check_text(path)?;
        notes = check.notes;
        lone_cr_rows = check.lone_cr_rows;
        params.push(sniff_delimiter(path)?);
        if !lone_cr_rows.is_empty() {
            let copy = CrFreeCopy::write(conn, path)?;
            params[0] = copy.0.to_string_lossy().into_owned();
            _copy = Some(copy);
        }
    }
    let rows = stmt.query_map(duckdb::params_from_iter(params.iter()), |r| r.get::<_, String>(0)).map_err(|e| unusable(path, format, e))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r.map_err(|e| unusable(path, format, e))?);
    }
    if out.is_empty() {
        bail!("{}: has no columns (is it empty?)", path.display());
    }
    Ok(FileColumns { columns: out, notes, lone_cr_rows })
}

/// The value of `column` in the first data row, as text; `None` when the file cannot say
/// (empty, or a first line the reader cannot split).
pub fn first_value(conn: &Connection, path: &Path, format: FileFormat, column: &str) -> Option<String> {
    match format {
        FileFormat::Parquet => {
            let sql = format!("SELECT CAST({} AS VARCHAR) FROM read_parquet(?) LIMIT 1", crate::store::sql::ident(column));
            conn.query_row(&sql, [super::discover::duckdb_path(path)], |r| r.get(0)).ok()
        }
        // Read here, not by DuckDB: its CSV reader decompresses far more than one row first.
        FileFormat::Csv => {
            use std::io::BufRead;
            let delim = sniff_delimiter(path).ok()?.chars().next()?;
            let mut lines = std::io::BufReader::new(open_text(path).ok()?).take(FIRST_ROW).lines().map_while(|l| l.ok());
            let mut non_blank = lines.by_ref().filter(|l| !l.trim().is_empty());
            let (header, row) = (non_blank.next()?, non_blank.next()?);
            let at = split_csv_line(&header, delim).iter().position(|h| h.trim().eq_ignore_ascii_case(column.trim()))?;
            split_csv_line(&row, delim).into_iter().nth(at)
        }
    }
}

/// The fields of one CSV line (quotes removed, `""` inside quotes is one quote).
fn split_csv_line(line: &str, delim: char) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delim && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
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

/// Create TEMP table `table` from the file. Returns rows read into the table
/// and CSV lines that could not be parsed (those are counted as read and rejected by the
/// caller). `columns` are the file's columns as [`columns`] gave them.
/// `source` is where the bytes are read from: the file itself, or its [`CrFreeCopy`] when
/// `lone_cr_rows` is not empty (messages always name `path`).
pub fn create_raw(
    conn: &Connection,
    table: &str,
    (path, source): (&Path, &Path),
    format: FileFormat,
    columns: &[String],
    lone_cr_rows: &[i64],
) -> Result<(i64, Vec<CsvReject>)> {
    let p = super::discover::duckdb_path(source);
    let create = "CREATE TEMP TABLE";
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
            // A row that held a CR without a line feed is rejected whole, with its line: its
            // value was not what the file says once the CR is gone (the copy had a space there).
            let mut n = n;
            for row in lone_cr_rows {
                n -= conn.execute(&format!("DELETE FROM {table} WHERE _row = ?"), [row])? as i64;
                rejects.push(CsvReject {
                    line: row + 1,
                    message: "a carriage return (CR) without a line feed inside the row; replace the CR (e.g. tr '\\r' ' ') and load the file again".into(),
                });
            }
            rejects.sort_by_key(|r| r.line);
            Ok((n, rejects))
        }
    }
}

/// A CSV file's text, decompressed when its name ends in `.gz`.
pub fn open_text(path: &Path) -> Result<Box<dyn std::io::Read>> {
    let f = std::fs::File::open(path).with_context(|| format!("{}: cannot open the file", path.display()))?;
    Ok(if path.to_string_lossy().to_ascii_lowercase().ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    })
}

/// The delimiter of a CSV file, from its header line: the most frequent of , ; tab |.
/// (Done here rather than by DuckDB's sniffer, which gives up when a later line is malformed.)
pub fn sniff_delimiter(path: &Path) -> Result<String> {
    use std::io::BufRead;
    let reader = open_text(path)?;
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
fn check_text(path: &Path) -> Result<TextCheck> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".gz") {
        return Ok(TextCheck { notes: Vec::new(), lone_cr_rows: Vec::new() });
    }
    let (mut lone_cr, mut first_cr_line, mut cr_pending) = (0u64, 0u64, false);
    let mut cr_lines: Vec<u64> = Vec::new();
    let mut header_line: u64 = 0;
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
                if cr_lines.last() != Some(&line) {
                    cr_lines.push(line);
                }
            }
            cr_pending = b == b'\r';
            if header_line == 0 && !b.is_ascii_whitespace() {
                header_line = line;
            }
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
            "{lone_cr} carriage return(s) (CR) without a line feed, the first on line {first_cr_line}: a row holding one is rejected (the CSV reader would split it in two)"
        ));
    }
    if cr_lines.first() == Some(&header_line) {
        bail!(
            "{}: the header (line {header_line}) holds a carriage return (CR) without a line feed, so its columns cannot be read; replace the CR (e.g. tr '\\r' ' ') or save the file with Unix or Windows line endings",
            path.display()
        );
    }
    // data row = physical line - the header's line (blank lines before the header do not count)
    let lone_cr_rows = cr_lines.iter().map(|l| l.saturating_sub(header_line) as i64).collect();
    Ok(TextCheck { notes, lone_cr_rows })
}

/// A file's columns and what the text check of a CSV found.
pub struct FileColumns {
    pub columns: Vec<String>,
    pub notes: Vec<String>,
    /// Data rows holding a CR without a line feed: [`create_raw`] rejects them.
    pub lone_cr_rows: Vec<i64>,
}

/// What the text check of a CSV found.
struct TextCheck {
    notes: Vec<String>,
    /// Data rows (1 = the first after the header) that hold a CR without a line feed.
    lone_cr_rows: Vec<i64>,
}

/// An owner-only copy of a CSV with every CR that has no line feed after it replaced by a
/// space, in the workspace's spill folder: the CSV reader then splits rows only at line feeds,
/// so row numbers stay those of the file. The rows that held a CR are rejected afterwards; the
/// copy is deleted when dropped.
pub struct CrFreeCopy(std::path::PathBuf);

impl CrFreeCopy {
    /// The copy when the file has rows with a lone CR, else none (read the file itself).
    pub fn if_needed(conn: &Connection, path: &Path, lone_cr_rows: &[i64]) -> Result<Option<CrFreeCopy>> {
        if lone_cr_rows.is_empty() {
            return Ok(None);
        }
        CrFreeCopy::write(conn, path).map(Some)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    fn write(conn: &Connection, path: &Path) -> Result<CrFreeCopy> {
        use std::io::Write;
        let dir: String = conn.query_row("SELECT current_setting('temp_directory')", [], |r| r.get(0)).unwrap_or_default();
        let dir = if dir.is_empty() { std::env::temp_dir() } else { std::path::PathBuf::from(dir) };
        std::fs::create_dir_all(&dir).with_context(|| format!("could not create the spill folder {}", dir.display()))?;
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let copy = CrFreeCopy(dir.join(format!(".carepath-cr-{}-{n}.csv", std::process::id())));
        let mut out = std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&copy.0)
                .with_context(|| format!("could not write a working copy in {}", dir.display()))?,
        );
        let mut f = std::fs::File::open(path).with_context(|| format!("{}: cannot open the file", path.display()))?;
        let mut buf = vec![0u8; 1 << 20];
        let mut pending = false;
        loop {
            let n = f.read(&mut buf).with_context(|| format!("{}: cannot read the file", path.display()))?;
            if n == 0 {
                break;
            }
            let mut chunk = Vec::with_capacity(n + 1);
            for &b in &buf[..n] {
                if pending {
                    chunk.push(if b == b'\n' { b'\r' } else { b' ' });
                }
                pending = b == b'\r';
                if !pending {
                    chunk.push(b);
                }
            }
            out.write_all(&chunk).with_context(|| format!("could not write a working copy in {}", dir.display()))?;
        }
        if pending {
            out.write_all(b"\r")?;
        }
        out.flush().with_context(|| format!("could not write a working copy in {}", dir.display()))?;
        Ok(copy)
    }
}

impl Drop for CrFreeCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
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
