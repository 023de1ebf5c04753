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

    /// Required fields that the file lacks (given its columns, lower-cased).
    pub fn missing_required(&self, cols: &[String]) -> Vec<String> {
        self.fields.iter().filter(|f| f.required && !cols.contains(&f.name)).map(|f| f.name.clone()).collect()
    }

    /// SQL that reads `raw_table` (whose actual column names are `actual`, matched to our field
    /// names case-insensitively) into a temp table `checked` with typed fields plus
    /// `bad_column`, `bad_value` and `bad_reason` (NULL when the row is good).
    pub fn check_sql(&self, raw_table: &str, actual: &[String]) -> String {
        let find = |name: &str| actual.iter().find(|a| a.trim().eq_ignore_ascii_case(name));
        let mut inner = vec!["_row".to_string()];
        for fld in &self.fields {
            let raw = match find(&fld.name) {
                Some(a) => sql::raw_text(a),
                None => "CAST(NULL AS VARCHAR)".to_string(),
            };
            inner.push(format!("{raw} AS {}", sql::ident(&format!("r_{}", fld.name))));
        }
        let mut typed = vec!["_row".to_string()];
        for fld in &self.fields {
            let r = sql::ident(&format!("r_{}", fld.name));
            typed.push(format!("{r}"));
            typed.push(format!("{} AS {}", fld.ty.parse(&r), sql::ident(&fld.name)));
        }
        // Checks in order: unparseable values first, then the kind's rules.
        let mut checks: Vec<(String, String, String)> = Vec::new(); // (condition, column, reason)
        for fld in &self.fields {
            if matches!(fld.ty, Ty::Str | Ty::Flag) {
                continue;
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
        let case = |pick: &dyn Fn(&(String, String, String)) -> String| {
            let whens: Vec<String> =
                checks.iter().map(|c| format!("WHEN {} THEN {}", c.0, pick(c))).collect();
            if whens.is_empty() {
                "CAST(NULL AS VARCHAR)".to_string()
            } else {
                format!("CASE {} END", whens.join(" "))
            }
        };
        let bad_column = case(&|c| quote_lit(&c.1));
        let bad_reason = case(&|c| quote_lit(&c.2));
        let bad_value = case(&|c| {
            if self.fields.iter().any(|f| f.name == c.1) {
                sql::ident(&format!("r_{}", c.1))
            } else {
                "NULL".to_string()
            }
        });
        format!(
            "CREATE OR REPLACE TEMP TABLE checked AS \
             SELECT *, {bad_column} AS bad_column, {bad_value} AS bad_value, {bad_reason} AS bad_reason \
             FROM (SELECT {} FROM (SELECT {} FROM {}))",
            typed.join(", "),
            inner.join(", "),
            raw_table
        )
    }

    /// Move good rows of `checked` into staging, tagged with the file id.
    pub fn stage_sql(&self) -> String {
        let cols: Vec<String> = self.fields.iter().map(|f| sql::ident(&f.name)).collect();
        format!(
            "INSERT INTO {} (file_id, row_number, {}) SELECT ?, _row, {} FROM checked WHERE bad_reason IS NULL",
            self.stg_table,
            cols.join(", "),
            cols.join(", ")
        )
    }
}

/// Our own constant text as a SQL string literal (never used for user input).
fn quote_lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
