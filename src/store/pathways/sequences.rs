//! Pathways after (and before) an index event: per indexed person the step sequence in the
//! window (repeats collapsed, at most `depth` steps, in the order of `model::pathways`), then
//! the prefix tree (`analysis::pathways`).
use super::index::{data_end, indexed, step_code, DEATH_EVENT_ID};
use crate::analysis::pathways::{collapse, tree, Steps};
use crate::model::pathways::{death_code, step_names, PathwayFigures, PathwayRequest};
use crate::store::cohort::sql::{text, Frag};
use anyhow::{bail, Context, Result};
use duckdb::types::Value;
use duckdb::Connection;

/// One indexed person's pathways (anon_chi is for member lists; never shown).
#[derive(Debug, Clone)]
pub struct PersonPaths {
    pub anon_chi: String,
    pub full_follow_up: bool,
    pub after: Steps,
    pub before: Steps,
}

fn int(n: u32) -> Value {
    Value::BigInt(n as i64)
}

/// The per-person step sequences of a request.
pub fn person_paths(conn: &Connection, req: &PathwayRequest, loaded: &[String]) -> Result<(Vec<PersonPaths>, (String, String), String)> {
    let depth = req.depth.clamp(1, crate::model::pathways::MAX_DEPTH) as usize;
    let ix = indexed(conn, req.spec.as_ref(), &req.index, req.steps, loaded)?;
    let end = data_end(loaded)?;
    let before = req.before_days.unwrap_or(0);
    let mut q = ix.ctes.clone();
    let code = step_code(req.steps, "e");
    // st: every step event of an indexed person within the widest window, with its side of the index
    q.push(&format!(
        ", st AS (
           SELECT e.anon_chi, date_diff('day', ix.ix_date, e.start_date) AS day, {code} AS g, e.event_id AS eid, ix.ix_ord, ix.ix_event,
                  coalesce(ix.ix_cij IS NOT NULL AND e.year = ix.ix_year AND e.cij_marker = ix.ix_cij, false) AS same_stay
           FROM event e JOIN ix ON ix.anon_chi = e.anon_chi
           WHERE e.start_date BETWEEN ix.ix_date - CAST("
    ));
    q.bind(int(before));
    q.push(" AS INTEGER) AND ix.ix_date + CAST(");
    q.bind(int(req.after_days));
    q.push(&format!(
        " AS INTEGER)
           UNION ALL
           SELECT p.anon_chi, date_diff('day', ix.ix_date, p.death_date), {death}, CAST({DEATH_EVENT_ID} AS BIGINT), ix.ix_ord, ix.ix_event, false
           FROM person p JOIN ix ON ix.anon_chi = p.anon_chi
           WHERE p.death_date BETWEEN ix.ix_date - CAST(",
        death = death_code(req.steps)
    ));
    q.bind(int(before));
    q.push(" AS INTEGER) AND ix.ix_date + CAST(");
    q.bind(int(req.after_days));
    q.push(
        " AS INTEGER)),
         s AS (SELECT anon_chi, day, g, eid,
                 CASE WHEN day > 0 OR (day = 0 AND (g > ix_ord OR (g = ix_ord AND eid > coalesce(ix_event, -1)))) THEN 1
                      WHEN day < 0 OR (day = 0 AND (g < ix_ord OR (g = ix_ord AND eid < ix_event))) THEN -1 ELSE 0 END AS side
               FROM st WHERE g IS NOT NULL AND NOT (same_stay AND g = ix_ord))",
    );
    // after: collapse consecutive repeats, number the steps, keep `depth`
    q.push(
        ", a AS (SELECT anon_chi, day, g, eid, lag(g) OVER (PARTITION BY anon_chi ORDER BY day, g, eid) AS prev FROM s WHERE side = 1),
         ak AS (SELECT anon_chi, day, g, row_number() OVER (PARTITION BY anon_chi ORDER BY day, g, eid) AS k FROM a WHERE prev IS DISTINCT FROM g),
         aa AS (SELECT anon_chi, string_agg(CAST(g AS VARCHAR) || ':' || CAST(day AS VARCHAR), ',' ORDER BY k) AS path FROM ak WHERE k <= ",
    );
    q.bind(Value::BigInt(depth as i64));
    q.push(" GROUP BY anon_chi)");
    let with_before = req.before_days.is_some();
    if with_before {
        q.push(
            ", b AS (SELECT anon_chi, day, g, eid, lag(g) OVER (PARTITION BY anon_chi ORDER BY day DESC, g DESC, eid DESC) AS prev FROM s WHERE side = -1),
             bk AS (SELECT anon_chi, day, g, row_number() OVER (PARTITION BY anon_chi ORDER BY day DESC, g DESC, eid DESC) AS k FROM b WHERE prev IS DISTINCT FROM g),
             bb AS (SELECT anon_chi, string_agg(CAST(g AS VARCHAR) || ':' || CAST(-day AS VARCHAR), ',' ORDER BY k) AS path FROM bk WHERE k <= ",
        );
        q.bind(Value::BigInt(depth as i64));
        q.push(" GROUP BY anon_chi)");
    }
    q.push(" SELECT ix.anon_chi, ix.ix_date + CAST(");
    q.bind(int(req.after_days));
    q.push(" AS INTEGER) <= CAST(");
    q.bind(text(&end));
    q.push(" AS DATE), aa.path, ");
    q.push(if with_before { "bb.path" } else { "CAST(NULL AS VARCHAR)" });
    q.push(" FROM ix LEFT JOIN aa ON aa.anon_chi = ix.anon_chi");
    if with_before {
        q.push(" LEFT JOIN bb ON bb.anon_chi = ix.anon_chi");
    }
    q.push(" ORDER BY ix.anon_chi");
    let out = run(conn, &q, depth).context("could not build the pathways")?;
    Ok((out, ix.window, end))
}

fn run(conn: &Connection, q: &Frag, depth: usize) -> Result<Vec<PersonPaths>> {
    let mut stmt = conn.prepare(&q.sql)?;
    let mut rows = stmt.query(duckdb::params_from_iter(q.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let anon_chi: String = r.get(0)?;
        let full: Option<bool> = r.get(1)?;
        let after: Option<String> = r.get(2)?;
        let before: Option<String> = r.get(3)?;
        out.push(PersonPaths {
            anon_chi,
            full_follow_up: full.unwrap_or(false),
            after: collapse(&parse(after.as_deref())?, depth),
            before: collapse(&parse(before.as_deref())?, depth),
        });
    }
    Ok(out)
}

/// "3:0,6:2" -> [(3, 0), (6, 2)] (our own SQL's text).
fn parse(s: Option<&str>) -> Result<Vec<(usize, i32)>> {
    let mut v = Vec::new();
    for part in s.unwrap_or("").split(',').filter(|p| !p.is_empty()) {
        let Some((g, d)) = part.split_once(':') else { bail!("unexpected pathway step {part:?}") };
        v.push((g.parse()?, d.parse()?));
    }
    Ok(v)
}

/// Per-person pathways, window and data end of a request.
pub type Paths = (Vec<PersonPaths>, (String, String), String);

/// [`person_paths`], kept per workspace load and question (the tree, then pages of its
/// members, ask for the same people).
pub fn person_paths_cached(conn: &Connection, req: &PathwayRequest, loaded: &[String]) -> Result<std::sync::Arc<Paths>> {
    crate::store::cohort::get_or_compute(conn, &paths_key(req), || person_paths(conn, req, loaded))
}

/// The cache key of a request's per-person pathways (what else is kept about those people,
/// e.g. a node's order, is keyed from it).
pub fn paths_key(req: &PathwayRequest) -> String {
    format!("pathways:v1:{:?}:{:?}:{}:{:?}:{}:{:?}", req.spec, req.index, req.after_days, req.before_days, req.depth, req.steps)
}

/// The figures of a request: trees after (and before) the index. Nodes with fewer than
/// `min_people` are not listed (the gate's threshold when disclosure control is on).
pub fn pathways(conn: &Connection, req: &PathwayRequest, loaded: &[String], min_people: u64) -> Result<PathwayFigures> {
    let paths = person_paths_cached(conn, req, loaded)?;
    Ok(pathways_from(&paths, req, min_people))
}

/// The trees of already computed per-person pathways.
pub fn pathways_from(paths: &Paths, req: &PathwayRequest, min_people: u64) -> PathwayFigures {
    let (people, window, end) = (&paths.0, paths.1.clone(), paths.2.clone());
    let depth = req.depth.clamp(1, crate::model::pathways::MAX_DEPTH) as usize;
    let names = step_names(req.steps);
    let after: Vec<Steps> = people.iter().map(|p| p.after.clone()).collect();
    let before = req.before_days.map(|_| {
        let b: Vec<Steps> = people.iter().map(|p| p.before.clone()).collect();
        tree(&b, &names, depth, min_people, req.max_nodes)
    });
    PathwayFigures {
        index: req.index.label(),
        window,
        data_end: end,
        people: people.len() as u64,
        full_follow_up: people.iter().filter(|p| p.full_follow_up).count() as u64,
        after_days: req.after_days,
        before_days: req.before_days,
        depth: depth as u8,
        after: tree(&after, &names, depth, min_people, req.max_nodes),
        before,
    }
}
