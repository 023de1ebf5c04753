//! How one kind of file is checked and normalised: its fields (with types and whether the
//! column must exist) and its row rules. From a spec we generate the staging DDL and the one
//! SQL pass that splits a raw table into staged rows and rejected rows.
use crate::store::sql;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Text; trimmed, empty -> NULL. Identifiers and codes are always text.
    Str,
    Date,
    Int,
    Num,
    /// 0/1 flag; unknown spellings become NULL rather than a reject.
    Flag,
    /// Financial year code `1920`.
    Year,
}

impl Ty {
    pub fn sql_type(&self) -> &'static str {
        match self {
            Ty::Str | Ty::Year => "VARCHAR",
            Ty::Date => "DATE",
            Ty::Int => "BIGINT",
            Ty::Num => "DOUBLE",
            Ty::Flag => "INTEGER",
        }
    }

    fn parse(&self, raw: &str) -> String {
        match self {
            Ty::Str => raw.to_string(),
            Ty::Date => sql::parse_date(raw),
            Ty::Int => sql::parse_int(raw),
            Ty::Num => sql::parse_num(raw),
            Ty::Flag => sql::parse_flag(raw),
            Ty::Year => sql::parse_year(raw),
        }
    }

    /// Typed value from a raw column `r` of a known source type.
    fn parse_from(&self, r: &str, src: Source) -> String {
        let text = format!("NULLIF(trim(CAST({r} AS VARCHAR)), '')");
        match (self, src) {
            (_, Source::Text) => self.parse(r),
            (Ty::Str, _) => text,
            (Ty::Date, Source::Date) => r.to_string(),
            (Ty::Date, Source::Timestamp) => format!("CAST({r} AS DATE)"),
            (Ty::Date, Source::TimestampTz) => uk_date_of_instant(r),
            (Ty::Int, Source::Integer | Source::Boolean) => format!("CAST({r} AS BIGINT)"),
            (Ty::Int, Source::Float | Source::WideInteger) => format!("TRY_CAST({r} AS BIGINT)"),
            (Ty::Num, Source::Integer | Source::Float | Source::WideInteger) => format!("CAST({r} AS DOUBLE)"),
            (Ty::Flag, Source::Boolean) => format!("CAST({r} AS INTEGER)"),
            (Ty::Flag, Source::Integer | Source::Float | Source::WideInteger) => {
                format!("CASE WHEN {r} IN (0, 1) THEN CAST({r} AS INTEGER) END")
            }
            _ => self.parse(&text),
        }
    }

    /// Converting a non-null value of this native type can never fail (so never rejects).
    fn always_parses(&self, src: Source) -> bool {
        matches!(
            (self, src),
            (Ty::Date, Source::Date | Source::Timestamp | Source::TimestampTz)
                | (Ty::Int, Source::Integer | Source::Boolean)
                | (Ty::Num, Source::Integer | Source::Float | Source::WideInteger)
        )
    }

    fn what(&self) -> &'static str {
        match self {
            Ty::Date => "not a date (expected YYYY-MM-DD or DD/MM/YYYY)",
            Ty::Int => "not a whole number",
            Ty::Num => "not a number",
            Ty::Year => "not a financial year (expected 4 digits like 1920 for 2019/20)",
            Ty::Str | Ty::Flag => "",
        }
    }
}

/// What a column holds in the file: Parquet keeps native types, which we use directly (no
/// round trip through text); CSV columns are all text and are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Text,
    Date,
    Timestamp,
    /// An instant (`TIMESTAMP WITH TIME ZONE`, what pandas and R write for dates).
    TimestampTz,
    Integer,
    /// Integers that may not fit a BIGINT (UBIGINT, HUGEINT): converted per value.
    WideInteger,
    Float,
    Boolean,
    Other,
}

/// The UK calendar date of an instant, without the ICU extension (not compiled in): the UTC
/// time plus one hour during British Summer Time (from 01:00 UTC on the last Sunday of March
/// to 01:00 UTC on the last Sunday of October), so a date written at local midnight in summer
/// (23:00 UTC the day before) is that date.
fn uk_date_of_instant(r: &str) -> String {
    let t = format!("CAST({r} AS TIMESTAMP)");
    let last_sunday = |month: u32| {
        format!(
            "(CAST(make_date(year({t}), {month}, 31) AS TIMESTAMP) - to_days(CAST(dayofweek(make_date(year({t}), {month}, 31)) AS INTEGER)) + INTERVAL 1 HOUR)"
        )
    };
    format!(
        "CAST({t} + CASE WHEN {t} >= {} AND {t} < {} THEN INTERVAL 1 HOUR ELSE INTERVAL 0 HOUR END AS DATE)",
        last_sunday(3),
        last_sunday(10)
    )
}

impl Source {
    pub fn of(duckdb_type: &str) -> Source {
        let t = duckdb_type.to_ascii_uppercase();
        if t == "VARCHAR" {
            Source::Text
        } else if t == "DATE" {
            Source::Date
        } else if t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMPTZ" {
            Source::TimestampTz
        } else if t.starts_with("TIMESTAMP") {
            Source::Timestamp
        } else if ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"].contains(&t.as_str()) {
            Source::Integer
        } else if ["UBIGINT", "HUGEINT", "UHUGEINT"].contains(&t.as_str()) {
            Source::WideInteger
        } else if t == "FLOAT" || t == "DOUBLE" || t.starts_with("DECIMAL") {
            Source::Float
        } else if t == "BOOLEAN" {
            Source::Boolean
        } else {
            Source::Other
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Column name in the published layout (matched case-insensitively) and in staging.
    pub name: String,
    pub ty: Ty,
    /// The file is unusable without this column.
    pub required: bool,
}

/// A row rule: if `when` (SQL over the typed field names) holds, the row is rejected.
#[derive(Debug, Clone)]
pub struct Rule {
    pub column: String,
    pub when: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub stg_table: &'static str,
    pub fields: Vec<Field>,
    pub rules: Vec<Rule>,
}

pub fn f(name: &str, ty: Ty) -> Field {
    Field { name: name.to_string(), ty, required: false }
}

pub fn req(name: &str, ty: Ty) -> Field {
    Field { name: name.to_string(), ty, required: true }
}

pub fn rule(column: &str, when: &str, reason: &str) -> Rule {
    Rule { column: column.to_string(), when: when.to_string(), reason: reason.to_string() }
}

impl Spec {
    pub fn ddl(&self) -> String {
        let cols: Vec<String> =
            self.fields.iter().map(|f| format!("{} {}", sql::ident(&f.name), f.ty.sql_type())).collect();
        format!(
            "CREATE TABLE IF NOT EXISTS {} (file_id INTEGER, row_number BIGINT, {})",
            self.stg_table,
            cols.join(", ")
        )
    }

    /// `ALTER TABLE` statements adding the fields a staging table made by an older carepath
    /// lacks (`existing`: its column names, lower-cased).
    pub fn add_missing_columns(&self, existing: &[String]) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| !existing.contains(&f.name))
            .map(|f| format!("ALTER TABLE {} ADD COLUMN {} {}", self.stg_table, sql::ident(&f.name), f.ty.sql_type()))
            .collect()
    }

    /// Required fields that the file lacks (given its columns, lower-cased).
    pub fn missing_required(&self, cols: &[String]) -> Vec<String> {
        self.fields.iter().filter(|f| f.required && !cols.contains(&f.name)).map(|f| f.name.clone()).collect()
    }

    /// A query over `raw_table` (whose actual columns and DuckDB types are `actual`, matched to
    /// our field names case-insensitively) giving `_row`, the raw text of each field
    /// (`r_<name>`), the typed fields, and `bad_idx`: the number of the first check (see
    /// [`Spec::checks`]) the row fails, NULL when the row is good. Nested projections compute
    /// each parse once per row; nothing is materialised.
    fn checked_select(&self, from: &str, actual: &[(String, String)]) -> String {
        let mut inner = vec!["_row".to_string()];
        let mut typed = vec!["_row".to_string()];
        for fld in &self.fields {
            let r = sql::ident(&format!("r_{}", fld.name));
            let (raw, parsed) = match find(actual, &fld.name) {
                Some((col, source_type)) => {
                    let src = Source::of(source_type);
                    let raw = if src == Source::Text { sql::raw_text(col) } else { sql::ident(col) };
                    (raw, fld.ty.parse_from(&r, src))
                }
                None => ("CAST(NULL AS VARCHAR)".to_string(), fld.ty.parse(&r)),
            };
            inner.push(format!("{raw} AS {r}"));
            typed.push(r.clone());
            typed.push(format!("{parsed} AS {}", sql::ident(&fld.name)));
        }
        let whens: Vec<String> =
            self.checks(actual).iter().enumerate().map(|(i, c)| format!("WHEN {} THEN {}", c.0, i + 1)).collect();
        let bad_idx = if whens.is_empty() { "CAST(NULL AS INTEGER)".to_string() } else { format!("CASE {} END", whens.join(" ")) };
        format!(
            "SELECT *, {bad_idx} AS bad_idx FROM (SELECT {} FROM (SELECT {} FROM {from}))",
            typed.join(", "),
            inner.join(", "),
        )
    }

    /// (condition, column, reason) of every check, in the order they are tried: values that do
    /// not parse first, then the kind's rules. A "does not parse" check is left out where it
    /// can never fire: the column is absent, or its native type converts losslessly (a Parquet
    /// DATE read as a date, an integer read as a number).
    fn checks(&self, actual: &[(String, String)]) -> Vec<(String, String, String)> {
        let mut checks = Vec::new();
        for fld in &self.fields {
            if matches!(fld.ty, Ty::Str | Ty::Flag) {
                continue;
            }
            match find(actual, &fld.name) {
                None => continue,
                Some((_, source_type)) if fld.ty.always_parses(Source::of(source_type)) => continue,
                Some(_) => {}
            }
            let r = sql::ident(&format!("r_{}", fld.name));
            checks.push((
                format!("{r} IS NOT NULL AND {} IS NULL", sql::ident(&fld.name)),
                fld.name.clone(),
                format!("{}: {}", fld.name, fld.ty.what()),
            ));
        }
        for r in &self.rules {
            checks.push((format!("({})", r.when), r.column.clone(), r.reason.clone()));
        }
        checks
    }

    /// Move the good rows of `raw_table` into staging, tagged with the file id (param 1).
    pub fn stage_sql(&self, raw_table: &str, actual: &[(String, String)]) -> String {
        let cols: Vec<String> = self.fields.iter().map(|f| sql::ident(&f.name)).collect();
        format!(
            "INSERT INTO {} (file_id, row_number, {}) SELECT $1, _row, {} FROM ({}) WHERE bad_idx IS NULL",
            self.stg_table,
            cols.join(", "),
            cols.join(", "),
            self.checked_select(raw_table, actual)
        )
    }

    /// Insert the rejected rows of `raw_table` into `load_rejects` (params: file_id, path).
    /// Only rows that staging did not take are checked again: rejects are rare, so this pass
    /// is cheap, and the caller skips it when every row was staged.
    pub fn reject_sql(&self, raw_table: &str, actual: &[(String, String)]) -> String {
        let checks = self.checks(actual);
        let pick = |f: &dyn Fn(&(String, String, String)) -> String| {
            let whens: Vec<String> = checks.iter().enumerate().map(|(i, c)| format!("WHEN {} THEN {}", i + 1, f(c))).collect();
            if whens.is_empty() {
                "NULL".to_string()
            } else {
                format!("CASE bad_idx {} END", whens.join(" "))
            }
        };
        let column = pick(&|c| quote_lit(&c.1));
        let reason = pick(&|c| quote_lit(&c.2));
        let value = pick(&|c| {
            if self.fields.iter().any(|f| f.name == c.1) {
                format!("CAST({} AS VARCHAR)", sql::ident(&format!("r_{}", c.1)))
            } else {
                "NULL".to_string()
            }
        });
        let unstaged = format!(
            "(SELECT * FROM {raw_table} WHERE _row NOT IN (SELECT row_number FROM {} WHERE file_id = $1))",
            self.stg_table
        );
        format!(
            "INSERT INTO load_rejects SELECT $1, $2, _row, {column}, {value}, {reason} FROM ({}) WHERE bad_idx IS NOT NULL",
            self.checked_select(&unstaged, actual)
        )
    }
}

/// The file's column (name, DuckDB type) for one of our field names.
fn find<'a>(actual: &'a [(String, String)], name: &str) -> Option<&'a (String, String)> {
    actual.iter().find(|a| a.0.trim().eq_ignore_ascii_case(name))
}

/// Our own constant text as a SQL string literal (never used for user input).
fn quote_lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
