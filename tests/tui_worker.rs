//! The UI never waits on DuckDB: a long query runs on the worker while keys are handled, Esc
//! cancels the query the screen is waiting for (not another one) without leaving the app, and a
//! newer request supersedes an older waiting one.
mod tui_support;
use carepath::tui::app::{update, App, Data, Event, Request, Screen};
use carepath::tui::keys::KeyMap;
use carepath::tui::worker::{Failure, Reply, Slot, Worker};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use duckdb::Connection;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A query that would run for a very long time unless interrupted.
fn long_query() -> carepath::tui::worker::Job<Connection, Data> {
    carepath::tui::job(|conn: &Connection, _| {
        let n: i64 = conn.query_row("SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3", [], |r| r.get(0))?;
        anyhow::bail!("the long query finished instead of being cancelled ({n})")
    })
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
    let ws = carepath::store::Workspace::open(&tui_support::workspace_copy("worker")).unwrap();
    let (tx, replies) = mpsc::channel::<Reply<Data>>();
    let worker: Worker<Connection, Data> = Worker::start(ws.conn, tx);
    let mut app = App::new(KeyMap::default(), "test".into());
    app.explore.stale = false; // no cohort refresh on switching screens: only our queries run
    // A long cohort count is running (as if asked from the Cohort screen).
    let long = 1_000_000;
    worker.submit_as(long, Slot::Cohort, long_query());
    app.waiting.insert(Slot::Cohort, long);
    app.busy.insert(Slot::Cohort, long);
    std::thread::sleep(Duration::from_millis(300)); // let it start
    assert!(replies.try_recv().is_err(), "the long query should still be running");

    // Keys are handled while it runs: update returns at once and the screen changes.
    carepath::tui::dispatch(&worker, update(&mut app, key(KeyCode::Char('3'))));
    assert_eq!(app.screen, Screen::Members);
    carepath::tui::dispatch(&worker, update(&mut app, key(KeyCode::Char('?'))));
    assert!(app.help);
    carepath::tui::dispatch(&worker, update(&mut app, key(KeyCode::Esc))); // closes help
    assert!(!app.help);

    // The Members screen asks for a page; it waits behind the long query. Esc here cancels
    // that page, not the cohort count still running.
    app.ask(Request::Overview(None)); // stands in for any second request; goes to its own slot
    let page_id = *app.waiting.get(&Slot::Overview).unwrap();
    app.waiting.insert(Slot::Members, page_id);
    app.busy.remove(&Slot::Overview);
    app.waiting.remove(&Slot::Overview);
    app.busy.insert(Slot::Members, page_id);
    let cmds = app.take_commands();
    carepath::tui::dispatch(&worker, cmds);
    carepath::tui::dispatch(&worker, update(&mut app, key(KeyCode::Esc)));
    let r = reply_for(&replies, page_id);
    assert_eq!(r.result.as_ref().err(), Some(&Failure::Cancelled), "the waiting request of this screen is cancelled");
    assert!(replies.recv_timeout(Duration::from_millis(500)).is_err(), "the cohort count must still be running");

    // Back on the Cohort screen, Esc cancels the running count; the app stays open.
    app.busy.remove(&Slot::Members);
    carepath::tui::dispatch(&worker, update(&mut app, key(KeyCode::Char('2'))));
    carepath::tui::dispatch(&worker, update(&mut app, key(KeyCode::Esc)));
    let reply = reply_for(&replies, long);
    assert_eq!(reply.result.as_ref().err(), Some(&Failure::Cancelled), "expected a cancelled query");
    let _ = update(&mut app, Event::from(reply));
    assert_eq!(app.error.as_deref(), Some("query cancelled"));
    assert!(!app.busy.contains_key(&Slot::Cohort));
    assert!(!app.quit);

    // The worker is still alive and answers the next request.
    let id2 = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    let r2 = reply_for(&replies, id2);
    assert!(matches!(r2.result, Ok(Data::Overview(_))));
}

#[test]
fn a_newer_request_supersedes_an_older_waiting_one() {
    let ws = carepath::store::Workspace::open(&tui_support::workspace_copy("supersede")).unwrap();
    let (tx, replies) = mpsc::channel::<Reply<Data>>();
    let worker: Worker<Connection, Data> = Worker::start(ws.conn, tx);
    // Keep the worker busy, then queue two requests for the same slot.
    let blocker = worker.submit(
        Slot::Other,
        carepath::tui::job(|conn: &Connection, _| {
            let _: i64 = conn.query_row("SELECT count(*) FROM range(300000000) a WHERE a.range % 7 = 3", [], |r| r.get(0))?;
            Ok(Data::Overview(Box::default()))
        }),
    );
    let older = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    let newer = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
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
    let path = tui_support::workspace_copy("sharing");
    let ws = carepath::store::Workspace::open(&path).unwrap();
    let (tx, replies) = mpsc::channel::<Reply<Data>>();
    let p = path.clone();
    let opener: carepath::tui::worker::Opener<Connection> = Box::new(move || Ok(carepath::store::Workspace::open(&p)?.conn));
    let sharing = carepath::tui::worker::Sharing { idle: Duration::from_millis(200), wait: Duration::from_secs(20) };
    let worker: Worker<Connection, Data> = Worker::start_shared(ws.conn, opener, sharing, tx);
    let id = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    assert!(reply_for(&replies, id).result.is_ok());
    std::thread::sleep(Duration::from_millis(600));
    // Idle: another carepath process can use the workspace (DuckDB allows one writer).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carepath"))
        .args(["cohort", "--workspace", path.to_str().unwrap(), "--age-min", "65"])
        .output()
        .expect("run carepath cohort");
    assert!(out.status.success(), "carepath cohort failed while the explorer was idle: {}", String::from_utf8_lossy(&out.stderr));
    // The next query opens the workspace again and is answered.
    let id = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    assert!(matches!(reply_for(&replies, id).result, Ok(Data::Overview(_))));
}
