//! Events as SQL conditions, shared by the temporal cohort filter ("A then B within N days",
//! `Rule::Sequence`) and the pathway queries (`store::pathways`): the condition that makes an
//! `event` row one of a kind, its step code (same-day order), and the people with an A then a
//! B. Text with its bound parameters (not `sql::Frag`, so `sql` can use this module without an
//! import circle). Every value from the user is a bound parameter; the SQL text is our own.
use crate::model::cohort::SequenceRule;
use crate::model::events::{EventSpec, IndexKind};
use crate::model::pathways::{StepLevel, GROUPED_STEPS, SERVICE_STEPS};
use anyhow::{anyhow, bail, Result};
use duckdb::types::Value;

/// SQL text and the values of its `?`, in order.
pub type Bound = (String, Vec<Value>);

/// The step code (0-based, see `model::pathways::step_names`) of an `event` row, NULL when the
/// event is not a step at this level. Columns qualified by `alias.` (or bare with "").
pub fn step_code(level: StepLevel, alias: &str) -> String {
    let a = if alias.is_empty() { String::new() } else { format!("{alias}.") };
    let mut s = String::from("CASE");
    match level {
        StepLevel::Grouped => {
            for (i, (_, recids, flag)) in GROUPED_STEPS.iter().enumerate() {
                let list: Vec<String> = recids.iter().map(|r| format!("'{r}'")).collect();
                s.push_str(&format!(" WHEN {a}recid IN ({})", list.join(", ")));
                if let Some(f) = flag {
                    s.push_str(&format!(" AND coalesce({a}{f}, false)"));
                }
                s.push_str(&format!(" THEN {i}"));
            }
        }
        StepLevel::Service => {
            for (i, r) in SERVICE_STEPS.iter().enumerate() {
                s.push_str(&format!(" WHEN {a}recid = '{r}' THEN {i}"));
            }
        }
    }
    s.push_str(" END");
    s
}

/// The condition on `alias`'s `event` columns that makes an event of this kind (event kinds
/// only; HRI and death are not events).
pub fn event_condition(e: &EventSpec, alias: &str) -> Result<Bound> {
    let code = e.checked_code().map_err(|m| anyhow!(m))?;
    let a = alias;
    let mut params = Vec::new();
    let sql = match e.kind {
        IndexKind::EmergencyAdmission => format!("coalesce({a}.emergency, false)"),
        IndexKind::Ae => format!("{a}.recid = 'AE2'"),
        IndexKind::DelayedDischarge => format!("{a}.recid = 'DD'"),
        IndexKind::CareHome => format!("{a}.recid = 'CH'"),
        IndexKind::HomeCare => format!("{a}.recid = 'HC'"),
        IndexKind::Service => {
            params.push(Value::Text(code.unwrap_or_default()));
            format!("{a}.recid = ?")
        }
        IndexKind::Diagnosis => {
            let c = code.unwrap_or_default();
            let cols: &[&str] = if e.main_only { &["diag1"] } else { &["diag1", "diag2", "diag3", "diag4", "diag5", "diag6"] };
            let parts: Vec<String> = cols
                .iter()
                .map(|col| {
                    params.push(Value::Text(c.clone()));
                    format!("coalesce(starts_with(upper(replace({a}.{col}, '.', '')), ?), false)")
                })
                .collect();
            format!("({})", parts.join(" OR "))
        }
        IndexKind::Hri | IndexKind::Death | IndexKind::Ltc => bail!("{} is not an event kind", e.kind.label()),
    };
    Ok((sql, params))
}

/// `SELECT anon_chi ...` of the people with a `first` event starting between `from` and `to`
/// (ISO dates) and a `then` event after it (same-day order as pathways) starting within
/// `within_days` of its start (of its end, the whole stay's for an admission, with `from_end`);
/// a `then` admission is a new stay (nothing of the first event's own stay counts).
pub fn people_sql(s: &SequenceRule, from: &str, to: &str) -> Result<Bound> {
    let (ca, mut params) = event_condition(&s.first, "a")?;
    let (cb, pb) = event_condition(&s.then, "b")?;
    let code = |x: &str| format!("coalesce({}, -1)", step_code(StepLevel::Grouped, x));
    let anchor = if s.from_end { "coalesce(a.cij_end_date, a.end_date, a.start_date)" } else { "a.start_date" };
    let new_stay = if s.then.kind == IndexKind::EmergencyAdmission {
        " AND NOT coalesce(a.cij_marker IS NOT NULL AND b.year = a.year AND b.cij_marker = a.cij_marker, false)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT DISTINCT a.anon_chi FROM event a JOIN event b ON b.anon_chi = a.anon_chi
         WHERE a.anon_chi IS NOT NULL AND {ca} AND a.start_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) AND {cb}
           AND b.event_id <> a.event_id
           AND (b.start_date > a.start_date OR (b.start_date = a.start_date AND ({cbo} > {cao} OR ({cbo} = {cao} AND b.event_id > a.event_id))))
           AND b.start_date >= {anchor} AND b.start_date <= {anchor} + CAST(? AS INTEGER){new_stay}",
        cao = code("a"),
        cbo = code("b"),
    );
    params.push(Value::Text(from.to_string()));
    params.push(Value::Text(to.to_string()));
    params.extend(pb);
    params.push(Value::BigInt(s.within_days as i64));
    Ok((sql, params))
}
