//! Pathway benchmarks (issue 13): the pathway tree after a first emergency admission for the
//! whole indexed population, HRI transitions between the last two years, and one page of a
//! node's people (the aligned strip), each against hand-written SQL over the raw tables.
use super::edits::{episode_table, individual_table};
use super::report::{Figure, Report, Target};
use super::stats::time_ms;
use super::BenchConfig;
use crate::model::hri::{band_sql, HriLevel};
use crate::model::pathways::{EventSpec, IndexKind, PathwayRequest, StepLevel};
use anyhow::{Context, Result};
use duckdb::Connection;
use std::path::Path;

/// Runs per figure.
const RUNS: usize = 5;

fn request() -> PathwayRequest {
    PathwayRequest {
        spec: None,
        index: EventSpec::new(IndexKind::EmergencyAdmission),
        after_days: 90,
        before_days: None,
        depth: 3,
        steps: StepLevel::Grouped,
        max_nodes: 200,
    }
}

/// Hand-written: first emergency admission per person from the raw episode tables, the grouped
/// services of the next 90 days in order, one path string per person, people per path.
fn baseline_pathways_sql(years: &[String]) -> String {
    let union: Vec<String> = years
        .iter()
        .map(|y| format!("SELECT anon_chi, recid, record_keydate1 AS d, cij_pattype_code AS pt FROM {}", episode_table("raw", y)))
        .collect();
    format!(
        "WITH ep AS ({u}),
         ix AS (SELECT anon_chi, min(d) AS d0 FROM ep WHERE recid IN ('01B', '02B') AND pt = 0 GROUP BY anon_chi),
         st AS (SELECT e.anon_chi, e.d, e.recid FROM ep e JOIN ix USING (anon_chi)
                WHERE e.d > ix.d0 AND e.d <= ix.d0 + 90 AND e.recid IN ('AE2', '01B', '02B', '04B', 'GLS', 'DD', 'HC', 'SDS', 'CH'))
         SELECT path, count(*) FROM (SELECT ix.anon_chi, string_agg(st.recid, '>' ORDER BY st.d) AS path
                                     FROM ix LEFT JOIN st USING (anon_chi) GROUP BY ix.anon_chi) GROUP BY path",
        u = union.join(" UNION ALL ")
    )
}

/// Hand-written: the earlier year's individual rows by band, joined to the later year's.
fn baseline_transitions_sql(from: &str, to: &str) -> String {
    format!(
        "SELECT {fb}, CASE WHEN t.anon_chi IS NULL THEN CASE WHEN f.death_date IS NOT NULL THEN 'Died' ELSE 'Not present' END
                           WHEN t.hri_scotp IS NULL THEN 'Not in the HRI population' ELSE {tb} END, count(*)
         FROM {f} f LEFT JOIN {t} t USING (anon_chi) WHERE f.hri_scotp IS NOT NULL GROUP BY 1, 2",
        fb = band_sql("f.hri_scotp"),
        tb = band_sql("t.hri_scotp"),
        f = individual_table("raw", from),
        t = individual_table("raw", to),
    )
}

fn rows(conn: &Connection, sql: &str) -> Result<u64> {
    let mut st = conn.prepare(sql)?;
    let mut r = st.query([])?;
    let mut n = 0;
    while r.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// Add the pathway figures to `rep` (the raw tables are attached as `raw`).
pub fn measure(cfg: &BenchConfig, conn: &Connection, ws_path: &Path, rep: &mut Report) -> Result<()> {
    let loaded = crate::store::cohort::available_years(conn)?;
    let req = request();
    let (mut lib, mut base) = (Vec::new(), Vec::new());
    let mut indexed = 0;
    for _ in 0..RUNS {
        // computed afresh each run (the library keeps it per load: later asks are instant)
        let (ms, r) = time_ms(|| -> Result<u64> {
            let paths = crate::store::pathways::person_paths(conn, &req, &loaded)?;
            Ok(crate::store::pathways::pathways_from(&paths, &req, 10).people)
        });
        indexed = r.context("pathways benchmark")?;
        lib.push(ms);
        let (bms, r) = time_ms(|| rows(conn, &baseline_pathways_sql(&cfg.years)));
        r.context("pathways baseline")?;
        base.push(bms);
    }
    rep.push(Figure::samples(
        &format!("pathways after first emergency admission (90 days, depth 3; {indexed} people indexed; computed afresh)"),
        &lib,
        Some(("hand-written SQL on raw episode files", &base)),
        Target::P95MaxMs(1000.0),
    ));
    if loaded.len() >= 2 {
        let (from, to) = (&loaded[loaded.len() - 2], &loaded[loaded.len() - 1]);
        // what a user gets: the counts the load stored (each call reads them again)
        let (mut lib, mut fresh, mut base) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let (ms, stored) = time_ms(|| crate::store::pathways::transitions(conn, from, to, HriLevel::Scotland, None, &loaded));
            let stored = stored.context("transitions benchmark")?;
            lib.push(ms);
            let (ms, live) = time_ms(|| crate::store::pathways::transitions_fresh(conn, from, to, HriLevel::Scotland, None, &loaded));
            if live.context("transitions benchmark (computed afresh)")? != stored {
                anyhow::bail!("the stored HRI transitions {from} to {to} differ from the live computation: reload the workspace");
            }
            fresh.push(ms);
            let (bms, r) = time_ms(|| rows(conn, &baseline_transitions_sql(from, to)));
            r.context("transitions baseline")?;
            base.push(bms);
        }
        let stored = crate::store::pathways::transition_store::present(conn, from, to, &loaded);
        rep.push(Figure::samples(
            &format!("HRI transitions {from} to {to} (Scotland level, {})", if stored { "stored at load" } else { "NOT stored: computed" }),
            &lib,
            Some(("hand-written SQL on raw individual files", &base)),
            Target::P95MaxMs(1000.0),
        ));
        rep.push(Figure::samples(
            &format!("HRI transitions {from} to {to} (Scotland level, computed afresh: workspaces without the stored counts)"),
            &fresh,
            Some(("hand-written SQL on raw individual files", &base)),
            Target::None,
        ));
    }
    // one page of the largest first step's people, through the operations layer (audited), as
    // the explorer asks for it: after the tree (whose people the library keeps)
    let ctx = crate::ops::Context::new(conn.try_clone()?, ws_path, crate::ops::Audience::Screen);
    let f = crate::store::pathways::pathways(conn, &req, &loaded, 10)?;
    let node = f.after.nodes.first().map(|n| n.steps.clone()).unwrap_or_default();
    // opening the node (its first page) orders its people and deals everyone indexed their
    // pseudonym once; the pages after are what paging costs
    let members = |offset: u64| crate::ops::Query::PathwayMembers { request: req.clone(), before: false, node: node.clone(), offset, limit: super::PAGE };
    let (open_ms, r) = time_ms(|| crate::ops::run(&members(0), &ctx));
    let total = match r.map_err(|e| anyhow::anyhow!("{e}"))? {
        crate::ops::Answer::PathwayMembers(p) => p.total,
        _ => 0,
    };
    let pages = total.div_ceil(super::PAGE).max(1);
    let mut page = Vec::new();
    for k in 1..=RUNS as u64 {
        let (ms, r) = time_ms(|| crate::ops::run(&members((k % pages) * super::PAGE), &ctx));
        r.map_err(|e| anyhow::anyhow!("{e}"))?;
        page.push(ms);
    }
    let what = format!("{} people of [{}], {total} in the node", super::PAGE, node.join(" > "));
    rep.push(Figure::samples(&format!("aligned strip: open a node (first page; {what})"), &[open_ms], None, Target::None));
    rep.push(Figure::samples(&format!("aligned strip page (next pages; {what})"), &page, None, Target::P95MaxMs(50.0)));
    Ok(())
}
