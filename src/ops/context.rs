//! The context a query runs in: the connection, the workspace, who is asking (from the OS),
//! where answers go ([`Audience`]) and the disclosure setting ([`Sdc`]).
use super::identity::Identity;
use super::OpsError;
use crate::analysis::disclosure::{Policy, MIN_THRESHOLD};
use duckdb::{Connection, InterruptHandle};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Disclosure control for the answers of a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sdc {
    /// Apply this policy (threshold >= [`crate::analysis::disclosure::MIN_THRESHOLD`]).
    On(Policy),
    /// Raw figures. For [`Audience::Output`] each such output is written to the audit log and
    /// says so in its note.
    Off,
}

/// Where answers go: the explorer's screen (inside the secure session), or out of the program
/// (CLI output, files). Outputs are recorded for the differencing guard; screens are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Screen,
    Output,
}

/// Everything `run` needs: the connection, which workspace it is, who is asking (from the OS),
/// where answers go and the disclosure setting.
pub struct Context {
    pub conn: Connection,
    pub workspace: PathBuf,
    pub audience: Audience,
    pub(super) sdc: Mutex<Sdc>,
    pub(super) identity: Identity,
}

impl Context {
    /// A context over an open connection. Outputs start gated with the default policy; screens
    /// start without disclosure control (the explorer's `!` turns it on).
    pub fn new(conn: Connection, workspace: &Path, audience: Audience) -> Context {
        let sdc = match audience {
            Audience::Output => Sdc::On(Policy::default()),
            Audience::Screen => Sdc::Off,
        };
        Context { conn, workspace: workspace.to_path_buf(), audience, sdc: Mutex::new(sdc), identity: Identity::current() }
    }

    /// Open an existing workspace that holds loaded extracts (never creates one).
    pub fn open(path: &Path, audience: Audience) -> Result<Context, OpsError> {
        if !path.is_file() {
            return Err(OpsError::NoWorkspace { path: path.to_path_buf() });
        }
        let ws = crate::store::Workspace::open(path)?;
        if !ws.has_model()? {
            return Err(OpsError::NotLoaded { path: path.to_path_buf() });
        }
        Ok(Context::new(ws.conn, path, audience))
    }

    /// Close the workspace after a failed load and give back the disk space that load took
    /// (see [`crate::store::reclaim`]): the bytes freed. The context is gone afterwards; open
    /// the workspace again to go on.
    pub fn close_reclaiming(self) -> Result<u64, OpsError> {
        let Context { conn, workspace, .. } = self;
        if let Err((_conn, e)) = conn.close() {
            return Err(OpsError::Other(format!("could not close workspace {}: {e}", workspace.display())));
        }
        crate::store::reclaim::trim(&workspace).map_err(|e| OpsError::Other(format!("{e:#}")))
    }

    /// Cancels whatever query this context is running (keep it on the UI side).
    pub fn interrupt_handle(&self) -> Arc<InterruptHandle> {
        self.conn.interrupt_handle()
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn sdc(&self) -> Sdc {
        self.sdc.lock().map(|s| s.clone()).unwrap_or(Sdc::On(Policy::default()))
    }

    /// Set disclosure control; a policy below the minimum threshold is refused.
    pub fn set_sdc(&self, sdc: Sdc) -> Result<(), OpsError> {
        if let Sdc::On(p) = &sdc {
            check_policy(p)?;
        }
        if let Ok(mut s) = self.sdc.lock() {
            *s = sdc;
        }
        Ok(())
    }
}

/// A policy that would weaken protection is refused (the only way round it is `--no-sdc`, which
/// is audited).
pub fn check_policy(p: &Policy) -> Result<(), OpsError> {
    if p.threshold < MIN_THRESHOLD {
        return Err(OpsError::Policy(format!(
            "a disclosure threshold of {} is below the minimum of {MIN_THRESHOLD}: thresholds can only be raised (for raw figures use --no-sdc, which is recorded in the audit log)",
            p.threshold
        )));
    }
    Ok(())
}
