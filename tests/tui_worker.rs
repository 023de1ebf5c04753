//! The UI never waits on DuckDB: a long query runs on the worker while keys are handled, Esc
//! cancels the query the screen is waiting for (not another one) without leaving the app, a
//! newer request supersedes an older waiting one, and an idle explorer lets go of the
//! workspace so another carepath can use it.
mod tui_support;
use carepath::ops::{Audience, Context, Query};
use carepath::tui::app::{update, App, Command, Event, Screen};
use carepath::tui::keys::KeyMap;
use carepath::tui::query::{self, Data};
use carepath::tui::worker::{Failure, Reply, Slot, Work, Worker};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// The app's queries, plus a query that runs for a very long time unless interrupted.
enum TestWork {
    Long(Slot),
    Q(Query),
}

impl Work<Context> for TestWork {
    type Answer = Data;
    fn slot(&self) -> Slot {
        match self {
            TestWork::Long(s) => *s,
            TestWork::Q(q) => query::slot(q),
        }
    }
    fn run(self, ctx: &Context, progress: &dyn Fn(Data)) -> Result<Data, Failure> {
        match self {
            TestWork::Long(_) => {
                let r: Result<i64, _> = ctx.conn.query_row("SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3", [], |r| r.get(0));
                Err(Failure::Failed(format!("the long query ended without being cancelled: {r:?}")))
            }
            TestWork::Q(q) => q.run(ctx, progress),
        }
    }
}

fn session(tag: &str) -> (std::path::PathBuf, Context) {
    let path = tui_support::workspace_copy(tag);
    let ws = carepath::store::Workspace::open(&path).unwrap();
    let ctx = Context::new(ws.conn, &path, Audience::Screen);
    (path, ctx)
}

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn send(worker: &Worker<Context, TestWork>, commands: Vec<Command>) {
    for c in commands {
        match c {
            Command::Run { id, query } => worker.submit_as(id, TestWork::Q(query)),
            Command::Cancel { id } => worker.cancel(id),
        }
    }
}

fn reply_for(replies: &Receiver<Reply<Data>>, id: u64) -> Reply<Data> {
    loop {
        let r = replies.recv_timeout(Duration::from_secs(120)).expect("the worker answers");
        if r.id == id {
            return r;
        }
    }
}

#[test]
fn esc_cancels_the_query_of_this_screen_and_keys_keep_working() {
    let (_, ctx) = session("worker");
    let (tx, replies) = mpsc::channel::<Reply<Data>>();
    let worker: Worker<Context, TestWork> = Worker::start(ctx, tx);
    let mut app = App::new(KeyMap::default(), "test".into());
    app.explore.stale = false; // no cohort refresh on switching screens: only our queries run
    // A long cohort count is running (as if asked from the Cohort screen).
    let long = 1_000_000;
    worker.submit_as(long, TestWork::Long(Slot::Cohort));
    app.waiting.insert(Slot::Cohort, long);
    app.busy.insert(Slot::Cohort, long);
    std::thread::sleep(Duration::from_millis(300)); // let it start
    assert!(replies.try_recv().is_err(), "the long query should still be running");

    // Keys are handled while it runs: update returns at once and the screen changes.
    send(&worker, update(&mut app, key(KeyCode::Char('3'))));
    assert_eq!(app.screen, Screen::Members);
    send(&worker, update(&mut app, key(KeyCode::Char('?'))));
    assert!(app.help);
    send(&worker, update(&mut app, key(KeyCode::Esc))); // closes help
    assert!(!app.help);

    // The Members screen waits for a page, queued behind the long count. Esc here cancels the
    // page, not the cohort count still running.
    let page = 2_000_000;
    worker.submit_as(page, TestWork::Long(Slot::Members));
    app.waiting.insert(Slot::Members, page);
    app.busy.insert(Slot::Members, page);
    send(&worker, update(&mut app, key(KeyCode::Esc)));
    let r = reply_for(&replies, page);
    assert_eq!(r.result.as_ref().err(), Some(&Failure::Cancelled), "the waiting request of this screen is cancelled");
    let _ = update(&mut app, Event::from(r));
    assert!(replies.recv_timeout(Duration::from_millis(500)).is_err(), "the cohort count must still be running");

    // Back on the Cohort screen, Esc cancels the running count; the app stays open.
    send(&worker, update(&mut app, key(KeyCode::Char('2'))));
    send(&worker, update(&mut app, key(KeyCode::Esc)));
    let reply = reply_for(&replies, long);
    assert_eq!(reply.result.as_ref().err(), Some(&Failure::Cancelled), "expected a cancelled query");
    let _ = update(&mut app, Event::from(reply));
    assert_eq!(app.error.as_deref(), Some("query cancelled"));
    assert!(!app.busy.contains_key(&Slot::Cohort));
    assert!(!app.quit);

    // The worker is still alive and answers the next request.
    let id2 = worker.submit(TestWork::Q(Query::Overview { year: None }));
    let r2 = reply_for(&replies, id2);
    assert!(matches!(r2.result, Ok(Data::Answer(_))), "overview answered");
}

#[test]
fn a_newer_request_supersedes_an_older_waiting_one() {
    let (_, ctx) = session("supersede");
    let (tx, replies) = mpsc::channel::<Reply<Data>>();
    let worker: Worker<Context, TestWork> = Worker::start(ctx, tx);
    // Keep the worker busy, then queue two requests for the same slot.
    let blocker = worker.submit(TestWork::Long(Slot::Other));
    let older = worker.submit(TestWork::Q(Query::Overview { year: None }));
    let newer = worker.submit(TestWork::Q(Query::Overview { year: None }));
    std::thread::sleep(Duration::from_millis(300));
    worker.cancel(blocker);
    let mut answered = Vec::new();
    while answered.len() < 2 {
        let r = replies.recv_timeout(Duration::from_secs(120)).expect("reply");
        answered.push(r.id);
    }
    assert_eq!(answered, vec![blocker, newer], "the older waiting request ({older}) must be dropped");
    assert!(replies.recv_timeout(Duration::from_millis(500)).is_err());
}

#[test]
fn the_workspace_is_let_go_when_idle_and_taken_again_for_the_next_query() {
    let (path, ctx) = session("sharing");
    let (tx, replies) = mpsc::channel::<Reply<Data>>();
    let p = path.clone();
    let opener: carepath::tui::worker::Opener<Context> = Box::new(move || carepath::tui::open_session(&p));
    let sharing = carepath::tui::worker::Sharing { idle: Duration::from_millis(200), wait: Duration::from_secs(20) };
    let worker: Worker<Context, TestWork> = Worker::start_shared(ctx, opener, sharing, tx);
    let id = worker.submit(TestWork::Q(Query::Overview { year: None }));
    assert!(reply_for(&replies, id).result.is_ok());
    std::thread::sleep(Duration::from_millis(600));
    // Idle: another carepath process can use the workspace (DuckDB allows one writer).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carepath"))
        .args(["cohort", "--workspace", path.to_str().unwrap(), "--age-min", "65"])
        .output()
        .expect("run carepath cohort");
    assert!(out.status.success(), "carepath cohort failed while the explorer was idle: {}", String::from_utf8_lossy(&out.stderr));
    // The next query opens the workspace again and is answered.
    let id = worker.submit(TestWork::Q(Query::Overview { year: None }));
    assert!(matches!(reply_for(&replies, id).result, Ok(Data::Answer(_))));
}
