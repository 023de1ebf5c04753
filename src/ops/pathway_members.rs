//! The people of one pathway node, a page at a time: person-level, so audited before it is
//! returned (a failed audit write stops it) and shown by display pseudonym, never `anon_chi`.
use super::{audit, pseudonym, Context, OpsError};
use crate::model::pathways::{step_names, PathwayMember, PathwayMembersPage, PathwayRequest};

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
    let (people, _, _) = crate::store::pathways::person_paths(conn, req, loaded)?;
    let mut rows: Vec<PathwayMember> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for p in people {
        let path = if before { &p.before } else { &p.after };
        if path.len() >= codes.len() && path.iter().zip(&codes).all(|(s, c)| s.0 == *c) {
            ids.push(p.anon_chi.clone());
            rows.push(PathwayMember {
                id: p.anon_chi,
                steps: path.iter().map(|(c, d)| (names.get(*c).cloned().unwrap_or_default(), *d)).collect(),
            });
        }
    }
    pseudonym::ensure(conn)?;
    let map = pseudonym::of(conn, &ids)?;
    for r in rows.iter_mut() {
        r.id = map.get(&r.id).cloned().unwrap_or_else(|| "P?".to_string());
    }
    rows.sort_by_key(|r| (pseudonym::parse(&r.id).unwrap_or(u64::MAX), r.id.clone()));
    let total = rows.len() as u64;
    let rows: Vec<PathwayMember> = rows.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize).collect();
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
