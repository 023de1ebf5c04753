//! SQL for a cohort, built from the typed spec. Every value that comes from the spec is a bound
//! parameter (`?`); the only text we splice is our own: column names from fixed lists and
//! numbered helper columns.
use crate::model::cohort::{
    age_bands, normalise_icd, resolve_geography, CohortSpec, Died, GeoKind, Rule, Sex, SimdLevel, AGE_BANDS,
};
use crate::model::hri::HriLevel;
use crate::model::ltc::ltcs;
use crate::model::year::FinYear;
use crate::store::sql::ident;
use anyhow::{bail, Context, Result};
use duckdb::types::Value;
use duckdb::Connection;

/// SQL text with its parameters, in the order their `?` appear.
#[derive(Debug, Clone, Default)]
pub struct Frag {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Frag {
    pub fn new() -> Frag {
        Frag::default()
    }

    pub fn text(s: &str) -> Frag {
        Frag { sql: s.to_string(), params: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Frag {
        self.sql.push_str(s);
        self
    }

    pub fn bind(&mut self, v: Value) -> &mut Frag {
        self.sql.push('?');
        self.params.push(v);
        self
    }

    /// `(?, ?, ?)`
    pub fn bind_list(&mut self, vs: impl IntoIterator<Item = Value>) -> &mut Frag {
        self.sql.push('(');
        for (i, v) in vs.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(v);
        }
        self.sql.push(')');
        self
    }

    pub fn append(&mut self, other: &Frag) -> &mut Frag {
        self.sql.push_str(&other.sql);
        self.params.extend(other.params.iter().cloned());
        self
    }
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// Sort key for FY codes so that `9900` (1999/00) sorts before `0001`.
pub fn fy_key(col: &str) -> String {
    format!("(CASE WHEN substr({col}, 1, 2) >= '80' THEN '19' ELSE '20' END || {col})")
}

/// SQL CASE for the age band label of an age column.
pub fn age_band_sql(col: &str) -> String {
    let mut s = String::from("CASE");
    for (label, lo, hi) in age_bands() {
        s.push_str(&format!(" WHEN {col} BETWEEN {lo} AND {hi} THEN '{label}'"));
    }
    s.push_str(" ELSE 'Unknown' END");
    s
}

/// LTC count band label (0, 1, 2, 3, 4, 5+).
pub fn ltc_band_sql(col: &str) -> String {
    format!("CASE WHEN {col} IS NULL THEN 'Unknown' WHEN {col} >= 5 THEN '5+' ELSE CAST({col} AS VARCHAR) END")
}

/// Years the workspace holds, oldest first. Read from the small `person_year_years` table the
/// load writes (a scan of person_year would cost tens of milliseconds on every cohort edit at
/// country scale); workspaces loaded before that table existed fall back to the scan.
pub fn available_years(conn: &Connection) -> Result<Vec<String>> {
    let listed: i64 = conn
        .prepare_cached("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'person_year_years' AND database_name = current_database()")?
        .query_row([], |r| r.get(0))?;
    let source = if listed > 0 { "person_year_years" } else { "person_year" };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT year FROM (SELECT DISTINCT year FROM {source} WHERE year IS NOT NULL) ORDER BY {}",
        fy_key("year")
    ))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The spec's years, or the latest year in the workspace when it gives none.
pub fn resolve_years(conn: &Connection, spec: &CohortSpec) -> Result<Vec<String>> {
    if !spec.years.is_empty() {
        let mut v: Vec<String> = spec.years.iter().map(|y| y.trim().to_string()).collect();
        v.sort_by_key(|y| FinYear::parse(y).map(|f| f.start).unwrap_or(0));
        v.dedup();
        return Ok(v);
    }
    let all = available_years(conn).context("could not list the workspace's years (has anything been loaded?)")?;
    match all.last() {
        Some(y) => Ok(vec![y.clone()]),
        None => bail!("the workspace has no person-years: load extracts first (carepath load)"),
    }
}

/// One enabled filter in attrition order.
#[derive(Debug, Clone)]
pub struct Step {
    /// Position in `spec.filters`.
    pub index: usize,
    pub label: String,
}

/// The cohort as SQL: CTEs ending in `cohort` with one row per person who has a person-year in
/// the chosen years: `anon_chi`, `s1..sn` (still in after step k), `in_cohort`, plus (when
/// `extras`) `idx` (a struct of the index person-year's attributes) and `m_<measure>` sums.
pub struct CohortSql {
    pub ctes: Frag,
    pub steps: Vec<Step>,
    pub years: Vec<String>,
}

/// Attributes of the index person-year (the latest chosen year satisfying every person-year
/// filter; for people outside the cohort, their latest chosen year) carried in `idx`.
pub const INDEX_COLUMNS: [&str; 10] =
    ["age", "sex", "simd_quintile", "lca", "hb2019", "ltc_count", "hri_scot_band", "hri_scotp", "hri_hb_band", "hri_lca_band"];

/// `WITH ..., people AS (...)` (ending without a comma): the spec's members, or (None) everyone
/// with a person record. For the views that take an optional cohort.
pub fn people_ctes(conn: &Connection, spec: Option<&CohortSpec>) -> Result<Frag> {
    Ok(match spec {
        Some(spec) => {
            let mut f = build(conn, spec, false)?.ctes;
            f.push(", people AS (SELECT anon_chi FROM cohort WHERE in_cohort AND anon_chi IS NOT NULL)");
            f
        }
        None => Frag::text("WITH people AS (SELECT anon_chi FROM person WHERE anon_chi IS NOT NULL)"),
    })
}

pub fn build(conn: &Connection, spec: &CohortSpec, extras: bool) -> Result<CohortSql> {
    spec.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let years = resolve_years(conn, spec)?;
    let enabled: Vec<(usize, &crate::model::cohort::Filter)> = spec.enabled().collect();
    let mut ctes = Frag::text("WITH ");

    let dx = diagnosis_cte(&mut ctes, &enabled, &years);

    // py: the chosen person-years with one boolean per person-year filter.
    ctes.push(&format!("py AS (SELECT p.*, {} AS yk", fy_key("p.year")));
    for (i, f) in &enabled {
        if f.rule.is_person_year() {
            ctes.push(", coalesce(");
            ctes.append(&row_condition(&f.rule)?);
            ctes.push(&format!(", false) AS b{i}"));
        }
    }
    for (i, _) in &dx {
        ctes.push(&format!(", dx.dx{i}"));
    }
    for (i, f) in &enabled {
        if let Rule::Sequence(q) = &f.rule {
            ctes.push(", ");
            ctes.append(&sequence_condition(q, &years, "p.anon_chi")?);
            ctes.push(&format!(" AS q{i}"));
        }
    }
    ctes.push(" FROM person_year p");
    if !dx.is_empty() {
        ctes.push(" LEFT JOIN dx ON dx.anon_chi = p.anon_chi");
    }
    ctes.push(" WHERE p.year IN ");
    ctes.bind_list(years.iter().map(|y| text(y)));
    ctes.push("), ");

    // pp: per person, r_k (some person-year meets the person-year filters of steps 1..k) and a_i
    // (window conditions).
    ctes.push("pp AS (SELECT anon_chi");
    let mut row_sofar: Vec<String> = Vec::new();
    let mut steps = Vec::new();
    for (k, (i, f)) in enabled.iter().enumerate() {
        if f.rule.is_person_year() {
            row_sofar.push(format!("b{i}"));
        }
        let r = if row_sofar.is_empty() { "true".to_string() } else { format!("coalesce(bool_or({}), false)", row_sofar.join(" AND ")) };
        ctes.push(&format!(", {r} AS r{}", k + 1));
        if !f.rule.is_person_year() {
            ctes.push(", coalesce(");
            ctes.append(&window_condition(*i, &f.rule));
            ctes.push(&format!(", false) AS a{i}"));
        }
        steps.push(Step { index: *i, label: f.label() });
    }
    let all_rows = if row_sofar.is_empty() { "true".to_string() } else { row_sofar.join(" AND ") };
    if extras {
        let cols: Vec<String> = INDEX_COLUMNS
            .iter()
            .map(|c| format!("{c} := {c}"))
            .chain(ltcs().iter().map(|l| format!("{} := {}", ident(&l.code), ident(&l.code))))
            .collect();
        ctes.push(&format!(
            ", arg_max(struct_pack({}), (CASE WHEN {all_rows} THEN '1' ELSE '0' END) || yk) AS idx",
            cols.join(", ")
        ));
        for m in crate::model::cohort::Measure::ALL {
            ctes.push(&format!(", CAST(coalesce(sum({}), 0) AS DOUBLE) AS m_{}", m.sql(), m.name()));
        }
    }
    ctes.push(" FROM py GROUP BY anon_chi), ");

    // cohort: cumulative steps.
    ctes.push("cohort AS (SELECT *");
    let mut window_sofar: Vec<String> = Vec::new();
    for (k, (i, f)) in enabled.iter().enumerate() {
        if !f.rule.is_person_year() {
            window_sofar.push(format!("a{i}"));
        }
        let mut parts = vec![format!("r{}", k + 1)];
        parts.extend(window_sofar.iter().cloned());
        ctes.push(&format!(", ({}) AS s{}", parts.join(" AND "), k + 1));
    }
    if enabled.is_empty() {
        ctes.push(", true AS in_cohort");
    } else {
        ctes.push(&format!(", s{} AS in_cohort", enabled.len()));
    }
    ctes.push(" FROM pp) ");
    Ok(CohortSql { ctes, steps, years })
}

type Enabled<'a> = [(usize, &'a crate::model::cohort::Filter)];

/// Diagnosis filters: one boolean per filter per person from events in the window, as the CTE
/// `dx` appended to `ctes` (nothing when there are none). Returns the diagnosis filters.
fn diagnosis_cte<'a>(ctes: &mut Frag, enabled: &Enabled<'a>, years: &[String]) -> Vec<(usize, &'a crate::model::cohort::DiagnosisRule)> {
    let dx: Vec<(usize, &crate::model::cohort::DiagnosisRule)> = enabled
        .iter()
        .filter_map(|(i, f)| match &f.rule {
            Rule::Diagnosis(d) => Some((*i, d)),
            _ => None,
        })
        .collect();
    if !dx.is_empty() {
        let windows: Vec<(String, String)> = dx.iter().map(|(_, d)| diagnosis_window(d, years)).collect();
        let lo = windows.iter().map(|w| w.0.clone()).min().unwrap_or_default();
        let hi = windows.iter().map(|w| w.1.clone()).max().unwrap_or_default();
        ctes.push("dx AS (SELECT anon_chi");
        for ((i, d), (from, to)) in dx.iter().zip(&windows) {
            ctes.push(", coalesce(bool_or(start_date BETWEEN CAST(");
            ctes.bind(text(from));
            ctes.push(" AS DATE) AND CAST(");
            ctes.bind(text(to));
            ctes.push(" AS DATE) AND ");
            ctes.append(&diagnosis_codes_match(d));
            ctes.push(&format!("), false) AS dx{i}"));
        }
        ctes.push(" FROM event WHERE diag1 IS NOT NULL AND start_date BETWEEN CAST(");
        ctes.bind(text(&lo));
        ctes.push(" AS DATE) AND CAST(");
        ctes.bind(text(&hi));
        ctes.push(" AS DATE) GROUP BY anon_chi), ");
    }

    dx
}

/// `(id IN (people with A then B))` for a sequence filter, A starting in the chosen years.
pub(super) fn sequence_condition(q: &crate::model::cohort::SequenceRule, years: &[String], id: &str) -> Result<Frag> {
    let from = years.first().and_then(|y| FinYear::parse(y)).map(|y| y.bounds().0).unwrap_or_default();
    let to = years.last().and_then(|y| FinYear::parse(y)).map(|y| y.bounds().1).unwrap_or_default();
    let (sql, params) = super::sequence::people_sql(q, &from, &to)?;
    let mut f = Frag::text(&format!("({id} IN ("));
    f.append(&Frag { sql, params });
    f.push("))");
    Ok(f)
}

/// The (from, to) dates of a diagnosis filter: its own, else the chosen years' bounds.
pub(super) fn diagnosis_window(d: &crate::model::cohort::DiagnosisRule, years: &[String]) -> (String, String) {
    let default_from = FinYear::parse(&years[0]).map(|y| y.bounds().0).unwrap_or_default();
    let default_to = FinYear::parse(&years[years.len() - 1]).map(|y| y.bounds().1).unwrap_or_default();
    (d.from.clone().unwrap_or(default_from), d.to.clone().unwrap_or(default_to))
}

/// `(...)`: an event's diagnosis codes start with one of the filter's prefixes (main position
/// only when `main_only`); `(false)` when it lists none.
pub(super) fn diagnosis_codes_match(d: &crate::model::cohort::DiagnosisRule) -> Frag {
    let mut f = Frag::text("(");
    let positions: &[&str] = if d.main_only { &["diag1"] } else { &["diag1", "diag2", "diag3", "diag4", "diag5", "diag6"] };
    let mut first = true;
    for p in &d.prefixes {
        let code = normalise_icd(p);
        for col in positions {
            if !first {
                f.push(" OR ");
            }
            first = false;
            f.push(&format!("starts_with(upper(replace({col}, '.', '')), "));
            f.bind(text(&code));
            f.push(")");
        }
    }
    if first {
        f.push("false");
    }
    f.push(")");
    f
}

/// A person-year filter as a boolean SQL expression over `person_year` columns.
pub(super) fn row_condition(rule: &Rule) -> Result<Frag> {
    let mut f = Frag::new();
    match rule {
        Rule::Age(a) => {
            let mut parts: Vec<Frag> = Vec::new();
            if let Some(m) = a.min {
                let mut x = Frag::text("age >= ");
                x.bind(Value::BigInt(m as i64));
                parts.push(x);
            }
            if let Some(m) = a.max {
                let mut x = Frag::text("age <= ");
                x.bind(Value::BigInt(m as i64));
                parts.push(x);
            }
            if !a.bands.is_empty() {
                let mut x = Frag::text("(");
                let mut first = true;
                for b in &a.bands {
                    let Some((_, lo, hi)) = AGE_BANDS.iter().find(|(l, _, _)| l == b) else { bail!("unknown age band {b:?}") };
                    if !first {
                        x.push(" OR ");
                    }
                    first = false;
                    x.push("age BETWEEN ");
                    x.bind(Value::BigInt(*lo as i64));
                    x.push(" AND ");
                    x.bind(Value::BigInt(*hi as i64));
                }
                x.push(")");
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::Sex(s) => {
            f.push("sex = ");
            f.bind(text(match s {
                Sex::M => "M",
                Sex::F => "F",
            }));
        }
        Rule::Simd(s) => {
            let mut parts = Vec::new();
            if !s.quintile.is_empty() {
                let col = match s.level {
                    SimdLevel::Scotland => "simd_quintile",
                    SimdLevel::Board => "simd_hb_quintile",
                    SimdLevel::Hscp => "simd_hscp_quintile",
                };
                let mut x = Frag::text(&format!("{col} IN "));
                x.bind_list(s.quintile.iter().map(|q| Value::BigInt(*q as i64)));
                parts.push(x);
            }
            if !s.decile.is_empty() {
                let mut x = Frag::text("simd_decile IN ");
                x.bind_list(s.decile.iter().map(|q| Value::BigInt(*q as i64)));
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::Geography(g) => {
            let mut parts = Vec::new();
            for (col, values, kind) in [("lca", &g.council, Some(GeoKind::Council)), ("hb2019", &g.board, Some(GeoKind::Board)), ("hscp2019", &g.hscp, Some(GeoKind::Hscp)), ("locality", &g.locality, None), ("datazone2011", &g.datazone, None)] {
                if values.is_empty() {
                    continue;
                }
                let mut codes = Vec::new();
                for v in values {
                    let code = match kind {
                        Some(k) => resolve_geography(v, k).with_context(|| format!("unknown {col} {v:?}"))?,
                        None => v.trim().to_string(),
                    };
                    codes.push(text(&code));
                }
                let mut x = Frag::text(&format!("{col} IN "));
                x.bind_list(codes);
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::UrbanRural(u) => {
            let mut parts = Vec::new();
            for (col, v) in [("ur2", &u.ur2), ("ur8", &u.ur8), ("ur6", &u.ur6), ("ur3", &u.ur3)] {
                if !v.is_empty() {
                    let mut x = Frag::text(&format!("{col} IN "));
                    x.bind_list(v.iter().map(|q| Value::BigInt(*q as i64)));
                    parts.push(x);
                }
            }
            and_all(&mut f, parts);
        }
        Rule::Practice(p) => {
            let mut parts = Vec::new();
            for (col, v) in [("gpprac", &p.gp), ("cluster", &p.cluster)] {
                if !v.is_empty() {
                    let mut x = Frag::text(&format!("trim({col}) IN "));
                    x.bind_list(v.iter().map(|c| text(c.trim())));
                    parts.push(x);
                }
            }
            and_all(&mut f, parts);
        }
        Rule::Sparra(r) => {
            let mut parts = Vec::new();
            if let Some(m) = r.min {
                let mut x = Frag::text("sparra_start_fy >= ");
                x.bind(Value::Double(m));
                parts.push(x);
            }
            if let Some(m) = r.max {
                let mut x = Frag::text("sparra_start_fy <= ");
                x.bind(Value::Double(m));
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::Homeless(b) => {
            f.push("coalesce(hl1_in_fy, false) = ");
            f.bind(Value::Boolean(*b));
        }
        // Without an individual file `keep_population` is NULL: everyone counts as in.
        Rule::Population(b) => {
            f.push("(coalesce(keep_population, 1) = 1) = ");
            f.bind(Value::Boolean(*b));
        }
        Rule::SlfCohort(c) => {
            let mut parts = Vec::new();
            for (col, v) in [("demographic_cohort", &c.demographic), ("service_use_cohort", &c.service_use)] {
                if !v.is_empty() {
                    let mut x = Frag::text(&format!("{col} IN "));
                    x.bind_list(v.iter().map(|c| text(c.trim())));
                    parts.push(x);
                }
            }
            and_all(&mut f, parts);
        }
        Rule::Hri(h) => {
            let flag = h.level.column();
            let mut parts = Vec::new();
            if let Some(b) = h.flag {
                let mut x = Frag::text(&format!("{flag} = "));
                x.bind(Value::Boolean(b));
                parts.push(x);
            }
            if !h.bands.is_empty() {
                let mut x = Frag::text(&format!("{flag}_band IN "));
                x.bind_list(h.bands.iter().map(|b| text(b)));
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::Ltc(l) => {
            let known = |c: &String| -> Result<String> {
                match crate::model::ltc::ltc(c) {
                    Some(x) => Ok(format!("{} = 1", ident(&x.code))),
                    None => bail!("unknown LTC {c:?}"),
                }
            };
            let mut parts = Vec::new();
            if !l.any.is_empty() {
                let v: Result<Vec<String>> = l.any.iter().map(known).collect();
                parts.push(Frag::text(&format!("({})", v?.join(" OR "))));
            }
            if !l.all.is_empty() {
                let v: Result<Vec<String>> = l.all.iter().map(known).collect();
                parts.push(Frag::text(&format!("({})", v?.join(" AND "))));
            }
            if !l.none.is_empty() {
                let v: Result<Vec<String>> = l.none.iter().map(known).collect();
                parts.push(Frag::text(&format!("NOT ({})", v?.join(" OR "))));
            }
            and_all(&mut f, parts);
        }
        Rule::LtcCount(r) => {
            let mut parts = Vec::new();
            if let Some(m) = r.min {
                let mut x = Frag::text("ltc_count >= ");
                x.bind(Value::BigInt(m as i64));
                parts.push(x);
            }
            if let Some(m) = r.max {
                let mut x = Frag::text("ltc_count <= ");
                x.bind(Value::BigInt(m as i64));
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        other => bail!("{} is not a person-year filter", other.key()),
    }
    Ok(f)
}

/// A window filter as an aggregate boolean SQL expression over the person's rows of `py`.
/// (its one-row form is `window_condition_over(.., Over::OneRow)`: keep the two in step.)
fn window_condition(i: usize, rule: &Rule) -> Frag {
    window_condition_over(i, rule, Over::PersonRows)
}

/// Whether a window filter is evaluated over all of a person's rows (an aggregate) or over the
/// one row a single-year cohort has per person (the same test without aggregation).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Over {
    PersonRows,
    OneRow,
}

pub(super) fn window_condition_over(i: usize, rule: &Rule, over: Over) -> Frag {
    let agg = |func: &str, x: &str| if over == Over::OneRow { format!("({x})") } else { format!("{func}({x})") };
    let bool_or = |x: &str| agg("bool_or", x);
    let mut f = Frag::new();
    match rule {
        Rule::Diagnosis(_) => {
            f.push(&bool_or(&format!("dx{i}")));
        }
        Rule::Sequence(_) => {
            f.push(&bool_or(&format!("q{i}")));
        }
        Rule::Service(s) => {
            let sum = format!("coalesce({}, 0)", agg("sum", s.measure.sql()));
            let mut parts = Vec::new();
            if let Some(m) = s.min {
                let mut x = Frag::text(&format!("{sum} >= "));
                x.bind(Value::Double(m));
                parts.push(x);
            }
            if let Some(m) = s.max {
                let mut x = Frag::text(&format!("{sum} <= "));
                x.bind(Value::Double(m));
                parts.push(x);
            }
            and_all(&mut f, parts);
        }
        Rule::Sds(opts) => {
            let cols: Vec<String> = opts.iter().filter(|o| (1..=4).contains(*o)).map(|o| format!("sds_option_{o}")).collect();
            if cols.is_empty() {
                f.push("false");
            } else {
                f.push(&bool_or(&cols.join(" OR ")));
            }
        }
        Rule::Died(Died::Include) => {
            f.push("true");
        }
        Rule::Died(Died::Exclude) => {
            f.push(&format!("NOT coalesce({}, false)", bool_or("died_in_year")));
        }
        Rule::Died(Died::Only) => {
            f.push(&bool_or("died_in_year"));
        }
        Rule::ServiceUser(b) => {
            f.push(&format!("coalesce({}, false) = ", bool_or("service_user")));
            f.bind(Value::Boolean(*b));
        }
        _ => {
            f.push("true");
        }
    }
    f
}

fn and_all(f: &mut Frag, parts: Vec<Frag>) {
    if parts.is_empty() {
        f.push("true");
        return;
    }
    f.push("(");
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            f.push(" AND ");
        }
        f.append(p);
    }
    f.push(")");
}

/// HRI level's column names: (% column, flag column, band column, area column).
pub fn hri_columns(level: HriLevel) -> (&'static str, &'static str, &'static str, &'static str) {
    match level {
        HriLevel::Scotland => ("hri_scotp", "hri_scot", "hri_scot_band", "'Scotland'"),
        HriLevel::Board => ("hri_hbp", "hri_hb", "hri_hb_band", "hb2019"),
        HriLevel::Council => ("hri_lcap", "hri_lca", "hri_lca_band", "lca"),
    }
}
