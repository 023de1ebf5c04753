//! The one event channel of the explorer: keys and resizes from the terminal, answers from the
//! worker, termination signals and "the terminal has gone" all arrive on one `mpsc` channel, and
//! the main loop blocks on it (with a short timeout only while a spinner is turning).
//!
//! Why a separate hang-up watcher: when the terminal goes away (a dropped SSH connection, `tmux
//! kill-session`), crossterm's reader sees end-of-file and keeps polling a descriptor that is
//! always "readable" with nothing to read, so it never returns an error. The watcher asks the
//! kernel for POLLHUP on the terminal instead and reports the loss at once.
use crossterm::event::{self as ct, KeyEvent, KeyEventKind};
use std::sync::mpsc::Sender;

/// Why the explorer must stop without being asked to by a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM, SIGHUP or SIGINT (its number).
    Signal(i32),
    /// The terminal closed or reading it failed (what happened, in words).
    TerminalGone(String),
}

/// What the terminal side sends: a key, a resize, or a reason to stop.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    /// The terminal's new size (columns, rows).
    Resize(u16, u16),
    Stop(Stop),
}

/// Read keys on a thread of their own; an error reading the terminal stops the explorer.
pub fn spawn_keys<T: From<Input> + Send + 'static>(tx: Sender<T>) {
    std::thread::spawn(move || loop {
        let sent = match ct::read() {
            Ok(ct::Event::Key(k)) if k.kind != KeyEventKind::Release => tx.send(Input::Key(k).into()),
            Ok(ct::Event::Resize(w, h)) => tx.send(Input::Resize(w, h).into()),
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = tx.send(Input::Stop(Stop::TerminalGone(format!("reading the terminal failed: {e}"))).into());
                return;
            }
        };
        if sent.is_err() {
            return; // the explorer has finished
        }
    });
}

/// Turn SIGTERM, SIGHUP and SIGINT into stop events (their default action would kill the
/// process without restoring the terminal or interrupting DuckDB).
pub fn spawn_signals<T: From<Input> + Send + 'static>(tx: Sender<T>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if tx.send(Input::Stop(Stop::Signal(sig)).into()).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// Watch the terminal for hang-up (POLLHUP): the other end closed.
pub fn spawn_hangup_watch<T: From<Input> + Send + 'static>(tx: Sender<T>) {
    std::thread::spawn(move || {
        let Some(fd) = TtyFd::open() else { return };
        loop {
            // events = 0: only hang-up, error and invalid descriptor are reported, so this
            // never competes with the key reader for input.
            let mut p = libc::pollfd { fd: fd.raw, events: 0, revents: 0 };
            // SAFETY: one valid pollfd for the duration of the call.
            let r = unsafe { libc::poll(&mut p, 1, -1) };
            if r < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return; // cannot watch; the key reader's errors still stop us
            }
            if p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                let _ = tx.send(Input::Stop(Stop::TerminalGone("the terminal closed".into())).into());
                return;
            }
        }
    });
}

/// The terminal's descriptor, as crossterm chooses it: standard input when it is a terminal,
/// else `/dev/tty` (opened here, closed on drop).
struct TtyFd {
    raw: libc::c_int,
    owned: bool,
}

impl TtyFd {
    fn open() -> Option<TtyFd> {
        // SAFETY: isatty only inspects the descriptor.
        if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            return Some(TtyFd { raw: libc::STDIN_FILENO, owned: false });
        }
        let path = std::ffi::CString::new("/dev/tty").ok()?;
        // SAFETY: a valid C string; the descriptor is closed in Drop.
        let raw = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
        (raw >= 0).then_some(TtyFd { raw, owned: true })
    }
}

impl Drop for TtyFd {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: we opened it and nobody else holds it.
            unsafe { libc::close(self.raw) };
        }
    }
}
