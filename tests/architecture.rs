//! The architecture stays visible and acyclic: the explorer (`tui`) never imports the command
//! line (`cli`), and no two files of `src/` import each other, directly or round a circle
//! (issue "One operations layer": the review found four such circles). The module graph is read
//! from the source text: `crate::` and `super::` paths, and a `mod.rs`'s own `child::` paths,
//! each resolved to the file that defines what it names (following a parent's `pub use`
//! re-exports to the child that holds the item).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `store/cohort/mod.rs` -> `store::cohort`, `ops/gate.rs` -> `ops::gate`, `lib.rs` -> ``.
fn module_name(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its unit tests and comment lines.
fn code_of(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end].lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path that starts at `prefix` (e.g. `crate::`), expanded over one level of braces:
/// `crate::a::{b, c::D}` gives `a::b` and `a::c::D`.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i;
        from = at + prefix.len();
        if code[..at].chars().next_back().is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let rest = &code[from..];
        let len = rest.find(|c: char| !(is_ident(c) || c == ':')).unwrap_or(rest.len());
        let base = rest[..len].trim_end_matches(':').to_string();
        if rest[len..].starts_with('{') {
            let close = rest[len..].find('}').map(|j| len + j).unwrap_or(rest.len());
            for item in rest[len + 1..close].split(',') {
                let item = item.trim().trim_start_matches('{').split_whitespace().next().unwrap_or("").to_string();
                if item.is_empty() || item == "self" {
                    out.push(base.clone());
                } else {
                    out.push(if base.is_empty() { item } else { format!("{base}::{item}") });
                }
            }
        } else {
            out.push(base);
        }
    }
    out
}

struct Crate {
    modules: BTreeMap<String, String>,
    /// module -> (re-exported name -> child module that holds it)
    reexports: BTreeMap<String, BTreeMap<String, String>>,
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let mut files = Vec::new();
        rust_files(src, &mut files);
        let mut modules = BTreeMap::new();
        for f in files {
            if f.file_name().is_some_and(|n| n == "main.rs") {
                continue; // the binary's crate root uses the library by name, not `crate::`
            }
            modules.insert(module_name(src, &f), code_of(&std::fs::read_to_string(&f).unwrap()));
        }
        let mut reexports = BTreeMap::new();
        for (m, code) in &modules {
            let mut names = BTreeMap::new();
            for line in code.lines().map(str::trim).filter(|l| l.starts_with("pub use ") || l.starts_with("pub(crate) use ")) {
                let path = line.split_once("use ").map(|(_, p)| p.trim_end_matches(';')).unwrap_or("");
                let Some((child, _)) = path.split_once("::") else { continue };
                let child_mod = if m.is_empty() { child.to_string() } else { format!("{m}::{child}") };
                if !modules.contains_key(&child_mod) {
                    continue;
                }
                for p in paths_after(&format!(" {path}"), &format!("{child}::")) {
                    if let Some(name) = p.rsplit("::").next() {
                        names.insert(name.to_string(), child_mod.clone());
                    }
                }
            }
            reexports.insert(m.clone(), names);
        }
        Crate { modules, reexports }
    }

    /// The module (file) that defines what `path` (absolute, without `crate::`) names.
    fn resolve(&self, path: &str) -> Option<String> {
        let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        for n in (0..=segs.len()).rev() {
            let m = segs[..n].join("::");
            if self.modules.contains_key(&m) {
                if let Some(item) = segs.get(n) {
                    if let Some(child) = self.reexports.get(&m).and_then(|r| r.get(*item)) {
                        return Some(child.clone());
                    }
                }
                return Some(m);
            }
        }
        None
    }

    fn graph(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (m, code) in &self.modules {
            let parent = m.rsplit_once("::").map(|(p, _)| p.to_string()).unwrap_or_default();
            let mut targets: Vec<String> = paths_after(code, "crate::");
            targets.extend(paths_after(code, "super::").into_iter().map(|p| join(&parent, &p)));
            targets.extend(paths_after(code, "self::").into_iter().map(|p| join(m, &p)));
            // a parent module's own `child::...` paths (children are files of their own)
            for child in self.modules.keys().filter_map(|k| k.strip_prefix(&format!("{m}::")).filter(|c| !c.contains("::"))) {
                if !paths_after(code, &format!("{child}::")).is_empty() || code.contains(&format!("use {child};")) {
                    targets.push(join(m, child));
                }
            }
            let edges = g.entry(m.clone()).or_default();
            for t in targets {
                if let Some(to) = self.resolve(&t) {
                    if &to != m {
                        edges.insert(to);
                    }
                }
            }
        }
        g
    }
}

fn join(base: &str, path: &str) -> String {
    if base.is_empty() {
        path.to_string()
    } else {
        format!("{base}::{path}")
    }
}

/// The strongly connected components with more than one module (Tarjan).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        let g = t.g;
        for w in g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T { g, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on: BTreeSet::new(), out: Vec::new() };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v.as_str());
        }
    }
    t.out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_file_of_src_imports_another_round_a_circle() {
    let krate = Crate::read(&src());
    let g = krate.graph();
    let found: Vec<String> = circles(&g)
        .into_iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| g[a].iter().filter(|b| c.contains(b)).map(move |b| format!("{a} -> {b}")))
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(found.is_empty(), "import circles between files of src/:\n{}", found.join("\n"));
}

#[test]
fn the_explorer_does_not_import_the_command_line() {
    let g = Crate::read(&src()).graph();
    let bad: Vec<String> = g
        .iter()
        .filter(|(m, _)| m.as_str() == "tui" || m.starts_with("tui::"))
        .flat_map(|(m, to)| to.iter().filter(|t| t.as_str() == "cli" || t.starts_with("cli::")).map(move |t| format!("{m} -> {t}")))
        .collect();
    assert!(bad.is_empty(), "tui imports cli: {bad:?}");
}

#[test]
fn the_circle_finder_finds_a_circle() {
    // the check above can fail: two files that name each other are a circle
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    g.entry("d".into()).or_default().insert("a".into());
    assert_eq!(circles(&g), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
    let krate = Crate { modules: BTreeMap::new(), reexports: BTreeMap::new() };
    assert_eq!(krate.resolve("x"), None);
    assert_eq!(paths_after("use crate::ops::{self, Query, gate::Shown};", "crate::"), vec!["ops", "ops::Query", "ops::gate::Shown"]);
}
