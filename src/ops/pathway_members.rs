//! The people of one pathway node, a page at a time: person-level, so audited before it is
//! returned (a failed audit write stops it) and shown by display pseudonym, never `anon_chi`.
//! The people come from the per-load cache of the question's pathways, so paging is cheap.
use super::{audit, pseudonym, Context, OpsError};
use crate::model::pathways::{step_names, PathwayMember, PathwayMembersPage, PathwayRequest};
use sha2::{Digest, Sha256};

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
    let cached = crate::store::pathways::person_paths_cached(conn, req, loaded)?;
    // the node's people, ordered by their days to each step (the strip reads down the page),
    // ties by a hash of the id (stable, and unlike anon_chi order says nothing about birth dates)
    let mut matched: Vec<(Vec<i32>, [u8; 32], &crate::store::pathways::PersonPaths)> = cached
        .0
        .iter()
        .filter(|p| {
            let path = if before { &p.before } else { &p.after };
            path.len() >= codes.len() && path.iter().zip(&codes).all(|(s, c)| s.0 == *c)
        })
        .map(|p| {
            let path = if before { &p.before } else { &p.after };
            (path.iter().map(|s| s.1).collect(), Sha256::digest(p.anon_chi.as_bytes()).into(), p)
        })
        .collect();
    matched.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let total = matched.len() as u64;
    let start = offset.min(total) as usize;
    let end = (offset.saturating_add(limit)).min(total) as usize;
    let page: Vec<&crate::store::pathways::PersonPaths> = matched[start..end].iter().map(|m| m.2).collect();
    let ids: Vec<String> = page.iter().map(|p| p.anon_chi.clone()).collect();
    let map = pseudonym::of(conn, &ids)?;
    let rows: Vec<PathwayMember> = page
        .iter()
        .map(|p| {
            let path = if before { &p.before } else { &p.after };
            PathwayMember {
                id: map.get(&p.anon_chi).cloned().unwrap_or_else(|| "P?".to_string()),
                steps: path.iter().map(|(c, d)| (names.get(*c).cloned().unwrap_or_default(), *d)).collect(),
            }
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
