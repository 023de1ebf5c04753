//! Build-time facts for `carepath --version` and `carepath doctor`: the source commit and the
//! target triple. A support request must say which build it is about, and a binary carried onto
//! an air-gapped server has no checkout beside it to ask.
//!
//! The commit comes from, in order: `$CAREPATH_GIT_COMMIT` (a release script that knows
//! better), `git rev-parse HEAD` when this package is the top of a git checkout, the
//! `.source-commit` file that `scripts/offline-bundle.sh` writes into a bundle (which has no
//! `.git`), else "unknown". Nothing here may fail the build: no git is a normal case.
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CAREPATH_GIT_COMMIT");

    let commit = from_env()
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_bundle(&manifest_dir))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=CAREPATH_GIT_COMMIT={commit}");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=CAREPATH_TARGET={target}");
}

fn from_env() -> Option<String> {
    std::env::var("CAREPATH_GIT_COMMIT").ok().map(|s| s.trim().to_string()).filter(|s| is_commit(s))
}

/// `git rev-parse HEAD`, only when this package's folder is the checkout's top (a bundle
/// unpacked inside some other repository must not report that repository's commit).
fn from_git(manifest_dir: &Path) -> Option<String> {
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    let same = match (std::fs::canonicalize(&top), std::fs::canonicalize(manifest_dir)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return None;
    }
    let commit = git(manifest_dir, &["rev-parse", "HEAD"]).filter(|s| is_commit(s))?;
    // Rebuild when HEAD moves (a commit, a checkout). Only files that exist are named: a
    // missing one would make cargo rerun this script, and so recompile carepath, every build.
    let mut watch = vec!["HEAD".to_string()];
    if let Some(reference) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(reference);
    }
    watch.push("packed-refs".to_string());
    for name in watch {
        if let Some(p) = git(manifest_dir, &["rev-parse", "--git-path", &name]) {
            let p = if Path::new(&p).is_absolute() { PathBuf::from(p) } else { manifest_dir.join(p) };
            if p.is_file() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    Some(commit)
}

fn from_bundle(manifest_dir: &Path) -> Option<String> {
    let file = manifest_dir.join(".source-commit");
    let text = std::fs::read_to_string(&file).ok()?;
    println!("cargo:rerun-if-changed={}", file.display());
    Some(text.trim().to_string()).filter(|s| is_commit(s))
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// A full or abbreviated hex commit id; anything else (a typo, an injected string) is ignored.
fn is_commit(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit())
}
