//! Find the files to load under the paths an analyst gives. Files are files: only regular
//! files are read (a FIFO, socket or device would block the load for ever, so it is skipped
//! with a message), every folder is scanned once even when symlinks loop back to it, and names
//! are taken literally (see [`duckdb_path`]: `ep-*.csv` is that one file, never a pattern).
use crate::store::detect;
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a scan found: files to read (with whether the analyst named them) and paths skipped.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<(PathBuf, bool)>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Expand the given paths: files are taken as they are, folders are scanned (recursively,
/// following symlinks but never into a folder already scanned, skipping hidden entries such
/// as `.carepath`) for loadable files, in name order.
pub fn expand(paths: &[PathBuf]) -> Result<Found> {
    let mut found = Found::default();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .with_context(|| format!("{}: cannot read (does it exist, and may you read it?)", p.display()))?;
        if meta.is_dir() {
            scan_dir(p, &mut seen_dirs, &mut found)?;
        } else if meta.is_file() {
            found.files.push((p.clone(), true));
        } else {
            found.skipped.push((p.clone(), not_a_file(&meta)));
        }
    }
    Ok(found)
}

fn scan_dir(dir: &Path, seen: &mut HashSet<(u64, u64)>, found: &mut Found) -> Result<()> {
    if let Some(id) = dir_id(dir) {
        if !seen.insert(id) {
            return Ok(()); // reached again through a symlink: already scanned
        }
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list the folder", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let hidden = p.file_name().map(|n| n.to_string_lossy().starts_with('.')).unwrap_or(true);
        if hidden {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&p) else {
            if detect::looks_loadable(&p) {
                found.skipped.push((p, "cannot be read (a broken link, or no permission)".into()));
            }
            continue;
        };
        if meta.is_dir() {
            scan_dir(&p, seen, found)?;
        } else if !detect::looks_loadable(&p) {
            continue;
        } else if meta.is_file() {
            found.files.push((p, false));
        } else {
            found.skipped.push((p, not_a_file(&meta)));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn dir_id(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_id(dir: &Path) -> Option<(u64, u64)> {
    use std::hash::{Hash, Hasher};
    let c = std::fs::canonicalize(dir).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    c.hash(&mut h);
    Some((0, h.finish()))
}

/// Why a path that is neither a file nor a folder is skipped.
fn not_a_file(meta: &std::fs::Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        let what = if t.is_fifo() {
            "a named pipe (FIFO)"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_block_device() || t.is_char_device() {
            "a device"
        } else {
            "not a regular file"
        };
        format!("skipped: {what}, not a file (reading it could block the load)")
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        "skipped: not a regular file".into()
    }
}

/// The path to give DuckDB's readers for one file. DuckDB expands `*`, `?` and `[...]` in
/// file names (and `~` at the start, and treats `s3://` and the like as remote), so the path
/// is made absolute and every pattern character is escaped as a one-character class: the
/// reader then opens exactly this file.
pub fn duckdb_path(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let text = abs.to_string_lossy();
    if !text.contains(['*', '?', '[']) {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(ch);
                out.push(']');
            }
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_characters_are_escaped() {
        let d = std::env::temp_dir();
        let p = d.join("a*b?c[d].csv");
        let s = duckdb_path(&p);
        assert!(s.ends_with("a[*]b[?]c[[]d].csv"), "{s}");
    }
}
