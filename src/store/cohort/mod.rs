//! Cohort queries: the engine behind `carepath cohort`, `carepath export` and the TUI cohort
//! builder. Every call takes the connection and a typed [`CohortSpec`]; SQL is generated from
//! the spec with bound parameters only (see [`sql`]).
//!
//! - [`count_and_attrition`]: the cohort size and, in ONE pass, how many people remain after
//!   each enabled filter in order (% of start, % change). Cheap enough to call on every edit.
//! - [`characterise`]: who the cohort are (age band, sex, SIMD quintile, LTC count, top LTCs,
//!   council, HRI band) and what they use (service use and cost per person, share of the
//!   population's cost and bed days), with the same figures for the whole population beside it.
//! - [`members_page`]: one sorted page of the cohort's people (anonymised ids only), optionally
//!   narrowed by an id search, so a screen fetches only its visible window.
//! - [`hri_picture`]: the HRI picture for a year and level (shares, bands, Lorenz, Gini,
//!   persistence), per area at board or council level.
//!
//! Speed: a single-year spec (the default) is a plain WHERE over that year's `person_year` rows
//! (one per person; see `rows`), so characterisation and members pages never aggregate the
//! whole population per person; figures that depend only on the loaded data (the population
//! side of a characterisation, the HRI picture) are cached per workspace load (`cache`).
//! Multi-year specs take the general path of [`sql::build`].
//!
//! Semantics (decided here; the issue was silent):
//! - The starting population is everyone with a `person_year` row in the chosen years
//!   (all years given in the spec; by default the latest year in the workspace).
//! - Person-year filters (age, sex, SIMD, geography, urban/rural, HRI, LTCs, LTC count) must hold
//!   together on ONE of the person's chosen years; window filters (service use summed over the
//!   chosen years, SDS, died, service user, diagnoses in the window) hold over the whole window.
//! - Attrition is cumulative in filter order: step k counts people meeting enabled filters 1..k.
//!   Disabled filters are skipped (and not listed).
//! - Characterisation attributes (age, sex, SIMD, council, LTCs, HRI band) come from the
//!   person's index year: the latest chosen year that meets every person-year filter (for
//!   people outside the cohort: their latest chosen year). Service use and cost are summed
//!   over all the chosen years. "Per person" divides by the number of people.
pub mod sql;

mod attrition;
mod cache;
mod characterise;
pub mod compare;
mod hri;
pub mod members;
mod rows;
pub mod sequence;
mod share;

use share::pct;

pub use characterise::{characterise, characterise_general, store_population, Breakdown, BreakdownRow, Characterisation, LtcPrevalence, MeasureRow};
pub use hri::{hri_picture, BandRow, HriArea, HriPicture, Persistence};
pub use members::{members_general, members_page, Member, MemberSort, MembersPage, PageRequest, PSEUDONYM_TABLE};
pub use sql::{available_years, resolve_years};
/// The per-load cache of figures that depend only on the loaded data and the question.
pub(crate) use cache::get_or_compute;

use crate::model::cohort::CohortSpec;
use anyhow::Result;
use duckdb::Connection;
pub use crate::model::figures::{Attrition, AttritionStep};



/// Label of the starting population for a list of FY codes.
pub fn start_label(years: &[String]) -> String {
    let labels: Vec<String> = years.iter().map(|y| crate::model::year::label(y)).collect();
    format!("People with a record in {}", labels.join(", "))
}

/// Count and attrition in one SQL pass (see `attrition::attrition_query`).
pub fn count_and_attrition(conn: &Connection, spec: &CohortSpec) -> Result<Attrition> {
    let (q, step_list, years) = attrition::attrition_query(conn, spec)?;
    let n = step_list.len();
    let counts: Vec<u64> = conn.prepare_cached(&q.sql)?.query_row(duckdb::params_from_iter(q.params.iter()), |r| {
        (0..=n).map(|i| r.get::<_, i64>(i).map(|v| v.max(0) as u64)).collect::<Result<Vec<u64>, _>>()
    })?;
    let start = counts[0];
    let mut steps = vec![AttritionStep {
        filter: start_label(&years),
        filter_index: None,
        remaining: start,
        pct_of_start: pct(start, start),
        pct_change: None,
    }];
    for (k, s) in step_list.iter().enumerate() {
        let remaining = counts[k + 1];
        let prev = counts[k];
        steps.push(AttritionStep {
            filter: s.label.clone(),
            filter_index: Some(s.index),
            remaining,
            pct_of_start: pct(remaining, start),
            pct_change: if prev == 0 { None } else { Some(100.0 * (remaining as f64 - prev as f64) / prev as f64) },
        });
    }
    Ok(Attrition { years, start, count: *counts.last().unwrap_or(&0), steps })
}

/// Just the cohort size.
pub fn count(conn: &Connection, spec: &CohortSpec) -> Result<u64> {
    Ok(count_and_attrition(conn, spec)?.count)
}

