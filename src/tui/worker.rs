//! The one thread that owns the DuckDB connection. The UI sends jobs tagged with an id and a
//! slot; a newer job in the same slot supersedes an older one still waiting, and the UI drops
//! replies whose id is not the latest it asked for. The UI keeps the interrupt handle, so Esc or
//! Ctrl-C cancels a running query without leaving the program.
use duckdb::{Connection, InterruptHandle};
use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// What kind of work a job is: at most one job per slot waits at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Load,
    Overview,
    Cohort,
    Characterise,
    Members,
    Timeline,
    Export,
    Other,
}

pub type Job<R> = Box<dyn FnOnce(&Connection, &dyn Fn(R)) -> anyhow::Result<R> + Send>;

pub struct Reply<R> {
    pub id: u64,
    pub slot: Slot,
    /// Progress messages are sent before the final result and carry `done = false`.
    pub done: bool,
    pub result: Result<R, String>,
}

pub struct Worker<R: Send + 'static> {
    tx: Option<Sender<(u64, Slot, Job<R>)>>,
    pub replies: Receiver<Reply<R>>,
    interrupt: Arc<InterruptHandle>,
    next_id: AtomicU64,
    handle: Option<JoinHandle<()>>,
}

impl<R: Send + 'static> Worker<R> {
    pub fn start(conn: Connection) -> Worker<R> {
        let interrupt = conn.interrupt_handle();
        let (tx, rx) = mpsc::channel::<(u64, Slot, Job<R>)>();
        let (rtx, replies) = mpsc::channel::<Reply<R>>();
        let handle = std::thread::spawn(move || run(conn, rx, rtx));
        Worker { tx: Some(tx), replies, interrupt, next_id: AtomicU64::new(0), handle: Some(handle) }
    }

    /// Queue a job; returns its id.
    pub fn submit(&self, slot: Slot, job: Job<R>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(tx) = &self.tx {
            let _ = tx.send((id, slot, job));
        }
        id
    }

    /// Cancel whatever query is running now.
    pub fn interrupt(&self) {
        self.interrupt.interrupt();
    }
}

impl<R: Send + 'static> Drop for Worker<R> {
    fn drop(&mut self) {
        self.interrupt.interrupt();
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run<R: Send + 'static>(conn: Connection, rx: Receiver<(u64, Slot, Job<R>)>, tx: Sender<Reply<R>>) {
    let mut queue: VecDeque<(u64, Slot, Job<R>)> = VecDeque::new();
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(j) => queue.push_back(j),
                Err(_) => return, // the UI has gone
            }
        }
        // Take everything waiting; a newer job replaces an older one of the same slot.
        loop {
            match rx.try_recv() {
                Ok(j) => {
                    queue.retain(|(_, s, _)| *s != j.1);
                    queue.push_back(j);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let Some((id, slot, job)) = queue.pop_front() else { continue };
        let progress_tx = tx.clone();
        let progress = move |r: R| {
            let _ = progress_tx.send(Reply { id, slot, done: false, result: Ok(r) });
        };
        let result = job(&conn, &progress).map_err(|e| crate::ops::error::describe(&e));
        if tx.send(Reply { id, slot, done: true, result }).is_err() {
            return;
        }
    }
}
