//! The people of one pathway node, a page at a time: person-level, so audited before it is
//! returned (a failed audit write stops it) and shown by display pseudonym, never `anon_chi`.
//! The people come from the per-load cache of the question's pathways, and a node's order and
//! its people's pseudonyms are kept beside them, so paging is a slice and an audit row.
use super::{audit, pseudonym, Context, OpsError};
use crate::model::pathways::{step_names, PathwayMember, PathwayMembersPage, PathwayRequest};
use crate::store::cohort::get_or_compute;
use crate::analysis::pathways::Steps;
use crate::store::pathways::PersonPaths;
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub fn page(
    ctx: &Context,
    req: &PathwayRequest,
    before: bool,
    node: &[String],
    offset: u64,
    limit: u64,
    loaded: &[String],
) -> Result<PathwayMembersPage, OpsError> {
    let conn = &ctx.conn;
    let names = step_names(req.steps);
    let mut codes = Vec::new();
    for n in node {
        match names.iter().position(|s| s.eq_ignore_ascii_case(n.trim())) {
            Some(c) => codes.push(c),
            None => {
                return Err(OpsError::Other(format!(
                    "{:?} is not a pathway step at this level (steps: {})",
                    crate::format::strip_controls(n.trim()),
                    names.join(", ")
                )))
            }
        }
    }
    // one cache lookup per page: the node holds its people's order and pseudonyms, and the
    // pathways they index into
    let paths_key = crate::store::pathways::paths_key(req);
    let node_people = get_or_compute(conn, &format!("{paths_key}:node:{before}:{codes:?}"), || {
        let paths = crate::store::pathways::person_paths_cached(conn, req, loaded)?;
        // everyone indexed gets their display pseudonym once (one join with the workspace's
        // numbers), not a join with every person's number for every page
        let pseudonyms = get_or_compute(conn, &format!("{paths_key}:pseudonyms"), || {
            let ids: Vec<String> = paths.0.iter().map(|p| p.anon_chi.clone()).collect();
            let map = pseudonym::of(conn, &ids).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(ids.iter().map(|id| map.get(id).cloned().unwrap_or_else(|| "P?".to_string())).collect::<Vec<String>>())
        })?;
        // ordered by their days to each step (the strip reads down the page), ties by a hash of
        // the id (stable, and unlike anon_chi order says nothing about birth dates)
        let mut matched: Vec<(Vec<i32>, [u8; 32], u32)> = paths
            .0
            .iter()
            .enumerate()
            .filter(|(_, p)| side(p, before).len() >= codes.len() && side(p, before).iter().zip(&codes).all(|(s, c)| s.0 == *c))
            .map(|(i, p)| (side(p, before).iter().map(|s| s.1).collect(), Sha256::digest(p.anon_chi.as_bytes()).into(), i as u32))
            .collect();
        matched.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        Ok(NodePeople { order: matched.into_iter().map(|m| m.2).collect(), paths, pseudonyms })
    })?;
    let (order, cached, names_of) = (&node_people.order, &node_people.paths, &node_people.pseudonyms);
    let total = order.len() as u64;
    let start = offset.min(total) as usize;
    let end = (offset.saturating_add(limit)).min(total) as usize;
    let rows: Vec<PathwayMember> = order[start..end]
        .iter()
        .filter_map(|i| cached.0.get(*i as usize).map(|p| (*i as usize, p)))
        .map(|(i, p)| PathwayMember {
            id: names_of.get(i).cloned().unwrap_or_else(|| "P?".to_string()),
            steps: side(p, before).iter().map(|(c, d)| (names.get(*c).cloned().unwrap_or_default(), *d)).collect(),
        })
        .collect();
    let what = format!(
        "pathway members of [{}] ({}) around {} after {} before {:?} depth {} offset {offset} limit {limit}",
        node.join(" > "),
        if before { "before" } else { "after" },
        req.index.label(),
        req.after_days,
        req.before_days,
        req.depth
    );
    audit::append(conn, ctx.identity(), &ctx.workspace, &audit::Entry { action: "pathway members", query: &what, rows: rows.len() as u64, release_id: None })?;
    Ok(PathwayMembersPage { node: node.to_vec(), before, total, offset, rows })
}

/// A node's people: indices into the pathways, in strip order, and everyone's pseudonym.
struct NodePeople {
    order: Vec<u32>,
    paths: Arc<crate::store::pathways::Paths>,
    pseudonyms: Arc<Vec<String>>,
}

/// The steps on the asked side of the index.
fn side(p: &PersonPaths, before: bool) -> &Steps {
    if before {
        &p.before
    } else {
        &p.after
    }
}
