//! The one workspace rule of every subcommand that reads a workspace: `--workspace FILE`, else
//! `$CAREPATH_WORKSPACE`, else the bundled sample's `sample-data/.carepath/workspace.duckdb`.
//! (`load` creates one beside the extracts when none is named.)
use crate::ops::{Audience, Context, OpsError};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args, Clone, Default)]
pub struct WorkspaceArg {
    /// Workspace file (default: $CAREPATH_WORKSPACE, else sample-data/.carepath/workspace.duckdb)
    #[arg(long)]
    pub workspace: Option<PathBuf>,
}

impl WorkspaceArg {
    pub fn path(&self) -> PathBuf {
        resolve(self.workspace.as_deref())
    }

    /// Open the existing workspace for an output-bound query.
    pub fn open(&self) -> Result<Context, OpsError> {
        Context::open(&self.path(), Audience::Output)
    }
}

/// The bundled sample's folder, relative to the current folder.
pub const SAMPLE_DIR: &str = "sample-data";

pub fn resolve(given: Option<&Path>) -> PathBuf {
    resolve_with_rule(given).0
}

/// The workspace and which rule chose it (`--workspace`, `CAREPATH_WORKSPACE` or `default`),
/// for `carepath doctor` to say why.
pub fn resolve_with_rule(given: Option<&Path>) -> (PathBuf, &'static str) {
    if let Some(p) = given {
        return (p.to_path_buf(), "--workspace");
    }
    if let Some(p) = std::env::var_os("CAREPATH_WORKSPACE").filter(|v| !v.is_empty()) {
        return (PathBuf::from(p), "CAREPATH_WORKSPACE");
    }
    (crate::store::default_workspace_for(Path::new(SAMPLE_DIR)), "default")
}
