//! Entering and leaving the full-screen terminal. The terminal is restored on every exit path:
//! normal return, error (the guard's Drop), panic (a hook restores before the message prints)
//! and SIGTERM/SIGHUP/SIGINT (`events` turns them into stop events, so the loop leaves through
//! the guard). Writes to a terminal that has gone fail at once and are ignored.
use anyhow::{Context, Result};
use crossterm::{cursor, event, execute, terminal};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub struct TerminalGuard {
    pub terminal: Term,
    mouse: bool,
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
            Ok(terminal) => Ok(TerminalGuard { terminal, mouse }),
            Err(e) => {
                restore(mouse);
                Err(e).context("could not start drawing on the terminal")
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore(self.mouse);
    }
}
