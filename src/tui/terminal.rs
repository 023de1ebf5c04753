//! Entering and leaving the full-screen terminal. The terminal is restored on every exit path:
//! normal return, error (the guard's Drop), panic (a hook restores before the message prints)
//! and SIGTERM/SIGHUP/SIGINT (a flag the event loop checks, so it leaves through the guard).
use anyhow::{Context, Result};
use crossterm::{cursor, event, execute, terminal};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub struct TerminalGuard {
    pub terminal: Term,
    mouse: bool,
    pub stop: Arc<AtomicBool>,
}

/// Put the terminal back as it was (safe to call more than once).
pub fn restore(mouse: bool) {
    let _ = terminal::disable_raw_mode();
    if mouse {
        let _ = execute!(stdout(), event::DisableMouseCapture);
    }
    let _ = execute!(stdout(), terminal::LeaveAlternateScreen, cursor::Show);
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> Result<TerminalGuard> {
        let stop = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&stop)).context("could not watch for termination signals")?;
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore(mouse);
            previous(info);
        }));
        terminal::enable_raw_mode().context("this terminal does not support raw mode (is it a real terminal?)")?;
        let mut out = stdout();
        let entered = if mouse {
            execute!(out, terminal::EnterAlternateScreen, cursor::Hide, event::EnableMouseCapture)
        } else {
            execute!(out, terminal::EnterAlternateScreen, cursor::Hide)
        };
        if let Err(e) = entered {
            restore(mouse);
            return Err(e).context("could not switch to the full-screen terminal");
        }
        match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(terminal) => Ok(TerminalGuard { terminal, mouse, stop }),
            Err(e) => {
                restore(mouse);
                Err(e).context("could not start drawing on the terminal")
            }
        }
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore(self.mouse);
    }
}
