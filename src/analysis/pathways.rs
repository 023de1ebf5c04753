//! Pathway aggregation (pure): people's step sequences into a prefix tree with counts, the
//! people who end at each node, and median days to each step; the most common nodes kept
//! (a node is only listed under a listed parent), the rest counted as "unlisted".
use crate::model::pathways::{PathNode, PathTree};
use std::collections::HashMap;

/// One person's pathway: (step code, days from the index) in order, repeats already collapsed,
/// at most `depth` long.
pub type Steps = Vec<(usize, i32)>;

#[derive(Default)]
struct Acc {
    people: u64,
    ended: u64,
    /// days[k]: days to step k of everyone in the node.
    days: Vec<Vec<i32>>,
}

/// Median of whole days: the middle value, or the mean of the two middle values.
pub fn median(v: &mut [i32]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
    }
}

/// The tree of `paths` (one per indexed person). `names[code]` names a step; nodes with fewer
/// than `min_people` are not listed; at most `max_nodes` are.
pub fn tree(paths: &[Steps], names: &[String], depth: usize, min_people: u64, max_nodes: usize) -> PathTree {
    let mut nodes: HashMap<Vec<usize>, Acc> = HashMap::new();
    let mut no_step = 0;
    for p in paths {
        let p = &p[..p.len().min(depth)];
        if p.is_empty() {
            no_step += 1;
            continue;
        }
        for l in 1..=p.len() {
            let key: Vec<usize> = p[..l].iter().map(|s| s.0).collect();
            let acc = nodes.entry(key).or_default();
            acc.people += 1;
            if l == p.len() {
                acc.ended += 1;
            }
            if acc.days.len() < l {
                acc.days.resize(l, Vec::new());
            }
            for (k, s) in p[..l].iter().enumerate() {
                acc.days[k].push(s.1);
            }
        }
    }
    let name = |k: &[usize]| -> Vec<String> { k.iter().map(|c| names.get(*c).cloned().unwrap_or_else(|| format!("step {c}"))).collect() };
    // choose: most people first, shallower first, then by name; parents before children
    let mut order: Vec<(&Vec<usize>, &Acc)> = nodes.iter().filter(|(_, a)| a.people >= min_people.max(1)).collect();
    order.sort_by(|a, b| b.1.people.cmp(&a.1.people).then(a.0.len().cmp(&b.0.len())).then_with(|| name(a.0.as_slice()).cmp(&name(b.0.as_slice()))));
    let mut chosen: std::collections::HashSet<Vec<usize>> = std::collections::HashSet::new();
    for (k, _) in order {
        if chosen.len() >= max_nodes {
            break;
        }
        if k.len() == 1 || chosen.contains(&k[..k.len() - 1].to_vec()) {
            chosen.insert(k.clone());
        }
    }
    let children = |parent: &[usize]| -> Vec<Vec<usize>> {
        let mut c: Vec<Vec<usize>> = chosen.iter().filter(|k| k.len() == parent.len() + 1 && k[..parent.len()] == *parent).cloned().collect();
        c.sort_by(|a, b| nodes[b].people.cmp(&nodes[a].people).then_with(|| name(a.as_slice()).cmp(&name(b.as_slice()))));
        c
    };
    let mut out = Vec::new();
    let mut stack: Vec<Vec<usize>> = children(&[][..]).into_iter().rev().collect();
    while let Some(k) = stack.pop() {
        let acc = &nodes[&k];
        let kids = children(k.as_slice());
        let listed: u64 = kids.iter().map(|c| nodes[c].people).sum();
        let (ended, unlisted) = if k.len() < depth { (Some(acc.ended), acc.people - acc.ended - listed) } else { (None, 0) };
        let median_days = acc.days.iter().map(|d| median(&mut d.clone())).collect();
        out.push(PathNode { steps: name(k.as_slice()), people: acc.people, ended, unlisted, median_days });
        stack.extend(kids.into_iter().rev());
    }
    let first: u64 = children(&[][..]).iter().map(|c| nodes[c].people).sum();
    let indexed = paths.len() as u64;
    PathTree { no_step, unlisted: indexed - no_step - first, nodes: out }
}

/// Consecutive repeats of a step collapsed into one (the first keeps its days), cut at `depth`.
pub fn collapse(events: &[(usize, i32)], depth: usize) -> Steps {
    let mut out: Steps = Vec::new();
    for e in events {
        if out.last().map(|l| l.0) != Some(e.0) {
            if out.len() == depth {
                break;
            }
            out.push(*e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn collapses_repeats_and_cuts_at_depth() {
        assert_eq!(collapse(&[(0, 1), (0, 2), (1, 3), (1, 4), (0, 9), (2, 10)], 3), vec![(0, 1), (1, 3), (0, 9)]);
        assert_eq!(collapse(&[], 3), vec![]);
    }

    #[test]
    fn tree_counts_ended_and_medians() {
        let paths = vec![vec![(0, 1), (1, 5)], vec![(0, 3)], vec![(0, 2), (1, 7)], vec![(1, 4)], vec![]];
        let t = tree(&paths, &names(), 5, 1, 100);
        assert_eq!(t.no_step, 1);
        assert_eq!(t.unlisted, 0);
        let a = t.nodes.iter().find(|n| n.steps == ["A"]).unwrap();
        assert_eq!((a.people, a.ended, a.unlisted), (3, Some(1), 0));
        assert_eq!(a.median_days, vec![2.0]);
        let ab = t.nodes.iter().find(|n| n.steps == ["A", "B"]).unwrap();
        assert_eq!((ab.people, ab.ended), (2, Some(2)));
        assert_eq!(ab.median_days, vec![1.5, 6.0]);
        // depth first, most common first
        let order: Vec<String> = t.nodes.iter().map(|n| n.steps.join(">")).collect();
        assert_eq!(order, ["A", "A>B", "B"]);
    }

    #[test]
    fn small_and_excess_nodes_are_unlisted_under_listed_parents() {
        let mut paths = vec![vec![(0, 1), (1, 2)]; 12];
        paths.extend(vec![vec![(0, 1), (2, 2)]; 3]);
        paths.extend(vec![vec![(3, 1)]; 2]);
        let t = tree(&paths, &names(), 5, 10, 100);
        assert_eq!(t.unlisted, 2, "D (2 people) is not listed");
        let a = t.nodes.iter().find(|n| n.steps == ["A"]).unwrap();
        assert_eq!((a.people, a.ended, a.unlisted), (15, Some(0), 3));
        let t = tree(&paths, &names(), 5, 1, 1);
        assert_eq!(t.nodes.len(), 1);
        assert_eq!(t.nodes[0].unlisted, 15);
        // at the deepest level nothing is said about what follows
        let t = tree(&paths, &names(), 1, 1, 100);
        assert!(t.nodes.iter().all(|n| n.ended.is_none() && n.unlisted == 0));
    }
}
