//! The one thread that owns the workspace connection. The UI sends work values (the explorer
//! sends `ops::Query`; see `Work`) tagged with an id; a newer one in the same slot supersedes an
//! older one still waiting, and the UI drops replies whose id is not the latest it asked for. Replies go into the sender the worker was
//! started with (the explorer's one event channel).
//!
//! Cancelling names the job: `cancel(id)` interrupts that job if it is the one running (the
//! running id is checked and the interrupt sent under one lock, so a job that has just finished
//! cannot pass the interrupt on to the next one), or drops it if it is still waiting. Either
//! way its reply is `Failure::Cancelled`, known from the cancel itself, not from DuckDB's text.
//!
//! Sharing the workspace: DuckDB lets one process at a time open a file for writing, and the
//! explorer writes (the audit log, display pseudonyms, loads). So the worker closes its
//! connection when it has been idle for a moment (`idle`) and opens it again for the next job:
//! while the analyst reads a screen, `carepath cohort` or an export in another terminal can use
//! the workspace. If another carepath holds it when a job comes, the worker waits for it
//! (the job can still be cancelled meanwhile).
use duckdb::InterruptHandle;
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
    /// Saving and opening cohort files.
    Spec,
    /// The disclosure setting of the session.
    Settings,
    /// A pathway tree, and a node's people.
    Pathways,
    /// Time-to curves (beside a tree: neither replaces the other).
    TimeTo,
    /// The delays view.
    Delays,
    /// A control chart.
    Spc,
    /// The resource cube.
    Cube,
    /// Two cohorts side by side.
    Compare,
    /// The unscheduled care view.
    Unscheduled,
    /// The social care measures.
    SocialCare,
    /// A projection.
    Projection,
    Other,
}

/// Why a job gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The user cancelled it (Esc / Ctrl-C), or the explorer is closing.
    Cancelled,
    /// It failed: the message for the user.
    Failed(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Cancelled => write!(f, "query cancelled"),
            Failure::Failed(m) => write!(f, "{m}"),
        }
    }
}

/// What a worker holds open: something a running query can be interrupted through.
pub trait Session: Send + 'static {
    fn interrupt_handle(&self) -> Arc<InterruptHandle>;
    /// Close after a job that writes to the workspace failed (see [`Work::writes_workspace`]);
    /// the worker reopens it for the next job.
    fn close_after_failed_write(self)
    where
        Self: Sized,
    {
    }
}

impl Session for duckdb::Connection {
    fn interrupt_handle(&self) -> Arc<InterruptHandle> {
        duckdb::Connection::interrupt_handle(self)
    }
}

impl Session for crate::ops::Context {
    fn interrupt_handle(&self) -> Arc<InterruptHandle> {
        crate::ops::Context::interrupt_handle(self)
    }
    /// A failed load leaves the workspace file grown: give the space back while it is closed.
    fn close_after_failed_write(self) {
        let _ = self.close_reclaiming();
    }
}

/// A piece of work the worker runs on its session: typed data, not a closure, so what the UI
/// asks for can be read, compared and cancelled by id.
pub trait Work<S>: Send + 'static {
    type Answer: Send + 'static;
    /// At most one waiting job per slot.
    fn slot(&self) -> Slot;
    /// Run it; `progress` sends answers before the final one (a load's files).
    fn run(self, session: &S, progress: &dyn Fn(Self::Answer)) -> Result<Self::Answer, Failure>;
    /// Whether it writes to the workspace (a load): when it fails, a worker that can reopen
    /// the session closes it so the space the job took can be given back.
    fn writes_workspace(&self) -> bool {
        false
    }
}

/// Opens the session again after an idle close.
pub type Opener<S> = Box<dyn FnMut() -> anyhow::Result<S> + Send>;

pub struct Reply<R> {
    pub id: u64,
    pub slot: Slot,
    /// Progress messages are sent before the final result and carry `done = false`.
    pub done: bool,
    pub result: Result<R, Failure>,
}

/// What the UI and the worker thread share, under one lock: the job running now, and the
/// jobs sent but not started (so a cancel of a waiting job is answered at once, even while
/// another job holds the thread).
#[derive(Default)]
struct Shared {
    /// The job running now (0: none), whether it has been cancelled, how to interrupt it.
    running: u64,
    cancelled: bool,
    interrupt: Option<Arc<InterruptHandle>>,
    /// Sent, not started: (id, slot).
    waiting: Vec<(u64, Slot)>,
    /// Cancelled while waiting (already answered): skip when reached.
    dropped: HashSet<u64>,
}

type CancelReply = Box<dyn Fn(u64, Slot) -> bool + Send>;

pub struct Worker<S: Session, W: Work<S>> {
    tx: Option<Sender<(u64, W)>>,
    shared: Arc<Mutex<Shared>>,
    /// Answers a job cancelled while waiting.
    cancelled_reply: CancelReply,
    next_id: AtomicU64,
    handle: Option<JoinHandle<()>>,
    session: std::marker::PhantomData<fn() -> S>,
}

/// How long the workspace stays open after the last job, and how long a job waits for another
/// carepath to let go of it.
#[derive(Debug, Clone, Copy)]
pub struct Sharing {
    pub idle: Duration,
    pub wait: Duration,
}

impl Default for Sharing {
    fn default() -> Self {
        Sharing { idle: Duration::from_millis(1500), wait: Duration::from_secs(30) }
    }
}

impl<S: Session, W: Work<S>> Worker<S, W> {
    /// Start the worker on an open session that it keeps for good (tests, one-off tools).
    pub fn start<T: From<Reply<W::Answer>> + Send + 'static>(session: S, replies: Sender<T>) -> Worker<S, W> {
        Self::spawn(session, None, replies)
    }

    /// Start the worker on `session`; it closes it after `sharing.idle` without work and opens
    /// it again with `opener` when the next job comes.
    pub fn start_shared<T: From<Reply<W::Answer>> + Send + 'static>(session: S, opener: Opener<S>, sharing: Sharing, replies: Sender<T>) -> Worker<S, W> {
        Self::spawn(session, Some((opener, sharing)), replies)
    }

    fn spawn<T: From<Reply<W::Answer>> + Send + 'static>(session: S, reopen: Option<(Opener<S>, Sharing)>, replies: Sender<T>) -> Worker<S, W> {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (tx, rx) = mpsc::channel::<(u64, W)>();
        let state = Arc::clone(&shared);
        let ui_replies = replies.clone();
        let cancelled_reply: CancelReply =
            Box::new(move |id, slot| ui_replies.send(T::from(Reply { id, slot, done: true, result: Err(Failure::Cancelled) })).is_ok());
        let handle = std::thread::spawn(move || run(session, reopen, rx, replies, state));
        Worker { tx: Some(tx), shared, cancelled_reply, next_id: AtomicU64::new(0), handle: Some(handle), session: std::marker::PhantomData }
    }

    /// Queue work; returns its id.
    pub fn submit(&self, work: W) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.submit_as(id, work);
        id
    }

    /// Queue work under an id the caller chose.
    pub fn submit_as(&self, id: u64, work: W) {
        self.next_id.fetch_max(id, Ordering::Relaxed);
        let slot = work.slot();
        if let Ok(mut sh) = self.shared.lock() {
            // A newer job of the slot replaces a waiting older one (which is never answered:
            // the UI waits for the newer id).
            sh.waiting.retain(|(_, s)| *s != slot);
            sh.waiting.push((id, slot));
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send((id, work));
        }
    }

    /// Cancel job `id`: interrupt it if it is running; if it is waiting, answer it as cancelled
    /// now and skip it when its turn comes.
    pub fn cancel(&self, id: u64) {
        let waiting_slot = match self.shared.lock() {
            Ok(mut sh) => {
                if sh.running == id && id != 0 {
                    sh.cancelled = true;
                    if let Some(h) = &sh.interrupt {
                        h.interrupt();
                    }
                    None
                } else if let Some(i) = sh.waiting.iter().position(|(j, _)| *j == id) {
                    let (_, slot) = sh.waiting.remove(i);
                    sh.dropped.insert(id);
                    Some(slot)
                } else {
                    None
                }
            }
            Err(_) => None,
        };
        if let Some(slot) = waiting_slot {
            (self.cancelled_reply)(id, slot);
        }
    }

    /// Cancel whatever job is running now.
    pub fn cancel_running(&self) {
        let id = self.shared.lock().map(|sh| sh.running).unwrap_or(0);
        if id != 0 {
            self.cancel(id);
        }
    }

    /// Stop: interrupt the running query, take no more jobs, and wait for the thread at most
    /// `within`. A query that ignores the interrupt is left behind: the process is about to
    /// exit, and the operating system releases the workspace's lock with it.
    pub fn shutdown(mut self, within: Duration) {
        self.stop(within);
    }

    fn stop(&mut self, within: Duration) {
        self.cancel_running();
        self.tx.take();
        let deadline = Instant::now() + within;
        if let Some(h) = self.handle.take() {
            while !h.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if h.is_finished() {
                let _ = h.join();
            }
        }
    }
}

impl<S: Session, W: Work<S>> Drop for Worker<S, W> {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(1));
    }
}

type Queue<W> = VecDeque<(u64, W)>;

/// Take a job into the queue: a newer job replaces an older one of the same slot.
fn take<S, W: Work<S>>(id: u64, work: W, queue: &mut Queue<W>) {
    let slot = work.slot();
    queue.retain(|(_, w)| w.slot() != slot);
    queue.push_back((id, work));
}

fn run<S: Session, W: Work<S>, T: From<Reply<W::Answer>> + Send + 'static>(
    first: S,
    mut reopen: Option<(Opener<S>, Sharing)>,
    rx: Receiver<(u64, W)>,
    tx: Sender<T>,
    shared: Arc<Mutex<Shared>>,
) {
    let mut session = Some(first);
    let mut queue: Queue<W> = VecDeque::new();
    loop {
        if queue.is_empty() {
            // Idle: keep the workspace open for a moment, then let others have it.
            let (id, work) = match (&session, &reopen) {
                (Some(_), Some((_, sharing))) => match rx.recv_timeout(sharing.idle) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        session = None;
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                _ => match rx.recv() {
                    Ok(m) => m,
                    Err(_) => return, // the UI has gone
                },
            };
            take(id, work, &mut queue);
        }
        loop {
            match rx.try_recv() {
                Ok((id, work)) => take(id, work, &mut queue),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let Some((id, work)) = queue.pop_front() else { continue };
        let slot = work.slot();
        // Start it (unless it was cancelled while waiting: then it has been answered).
        let skip = match shared.lock() {
            Ok(mut sh) => {
                sh.waiting.retain(|(j, _)| *j != id);
                if sh.dropped.remove(&id) {
                    true
                } else {
                    sh.running = id;
                    sh.cancelled = false;
                    sh.interrupt = session.as_ref().map(|s| s.interrupt_handle());
                    false
                }
            }
            Err(_) => false,
        };
        if skip {
            continue;
        }
        if session.is_none() {
            let opened = match reopen.as_mut() {
                Some((opener, sharing)) => open_again(opener, sharing.wait, &shared),
                None => return,
            };
            match opened {
                Ok(s) => {
                    if let Ok(mut sh) = shared.lock() {
                        sh.interrupt = Some(s.interrupt_handle());
                    }
                    session = Some(s);
                }
                Err(f) => {
                    finish(&shared);
                    if tx.send(T::from(Reply { id, slot, done: true, result: Err(f) })).is_err() {
                        return;
                    }
                    continue;
                }
            }
        }
        let Some(s) = session.as_ref() else { continue };
        let progress_tx = tx.clone();
        let progress = move |r: W::Answer| {
            let _ = progress_tx.send(T::from(Reply { id, slot, done: false, result: Ok(r) }));
        };
        let writes = work.writes_workspace();
        let outcome = work.run(s, &progress);
        let was_cancelled = finish(&shared);
        if writes && outcome.is_err() && reopen.is_some() {
            if let Some(s) = session.take() {
                s.close_after_failed_write();
            }
        }
        let result = match outcome {
            Err(_) if was_cancelled => Err(Failure::Cancelled),
            other => other,
        };
        if tx.send(T::from(Reply { id, slot, done: true, result })).is_err() {
            return;
        }
    }
}

/// The running job is over: clear it; was it cancelled?
fn finish(shared: &Mutex<Shared>) -> bool {
    match shared.lock() {
        Ok(mut sh) => {
            sh.running = 0;
            sh.interrupt = None;
            std::mem::take(&mut sh.cancelled)
        }
        Err(_) => false,
    }
}

/// Open the workspace again for the job that is starting, waiting while another carepath
/// holds it; a cancel of that job gives up.
fn open_again<S>(opener: &mut Opener<S>, wait: Duration, shared: &Mutex<Shared>) -> Result<S, Failure> {
    let deadline = Instant::now() + wait;
    loop {
        let err = match opener() {
            Ok(s) => return Ok(s),
            Err(e) => e,
        };
        if shared.lock().map(|sh| sh.cancelled).unwrap_or(false) {
            return Err(Failure::Cancelled);
        }
        if Instant::now() >= deadline {
            return Err(Failure::Failed(format!(
                "the workspace is in use by another carepath (a load or an export?) and did not become free within {} s: {}",
                wait.as_secs(),
                crate::ops::error::describe(&err)
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
