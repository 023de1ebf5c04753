//! The UI never waits on DuckDB: a long query runs on the worker while keys are handled, Esc
//! cancels it without leaving the app, and a newer request supersedes an older waiting one.
mod tui_support;
use carepath::tui::app::{update, App, Data, Event, Request, Screen};
use carepath::tui::keys::KeyMap;
use carepath::tui::worker::{Slot, Worker};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A query that would run for a very long time unless interrupted.
fn long_query() -> carepath::tui::worker::Job<Data> {
    Box::new(|conn, _| {
        let n: i64 = conn.query_row("SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3", [], |r| r.get(0))?;
        anyhow::bail!("the long query finished instead of being cancelled ({n})")
    })
}

#[test]
fn esc_cancels_a_long_query_and_keys_keep_working() {
    let ws = carepath::store::Workspace::open(&tui_support::workspace_copy("worker")).unwrap();
    let worker: Worker<Data> = Worker::start(ws.conn);
    let mut app = App::new(KeyMap::default(), "test".into());
    app.explore.stale = false; // no cohort refresh on switching screens: only the long query runs
    let id = worker.submit(Slot::Other, long_query());
    app.waiting.insert(Slot::Other, id);
    app.busy.insert(Slot::Other, id);
    std::thread::sleep(Duration::from_millis(300)); // let it start
    assert!(worker.replies.try_recv().is_err(), "the long query should still be running");

    // Keys are handled while it runs: update returns at once and the screen changes.
    let mut submit = |r: Request| worker.submit(r.slot(), carepath::tui::job_for(r));
    update(&mut app, key(KeyCode::Char('3')), &mut submit, &|| worker.interrupt());
    assert_eq!(app.screen, Screen::Members);
    update(&mut app, key(KeyCode::Char('?')), &mut submit, &|| worker.interrupt());
    assert!(app.help);
    update(&mut app, key(KeyCode::Esc), &mut submit, &|| worker.interrupt()); // closes help
    assert!(!app.help);
    assert!(app.is_busy());

    // Esc with a query running cancels it; the app stays open.
    update(&mut app, key(KeyCode::Esc), &mut submit, &|| worker.interrupt());
    let reply = worker.replies.recv_timeout(Duration::from_secs(120)).expect("the worker answers after the interrupt");
    assert_eq!(reply.id, id);
    let err = reply.result.as_ref().err().cloned().unwrap_or_default();
    assert!(err.to_lowercase().contains("interrupt"), "expected an interrupted query, got {err:?}");
    update(&mut app, Event::Reply { id: reply.id, slot: reply.slot, done: reply.done, result: reply.result }, &mut submit, &|| {});
    assert_eq!(app.error.as_deref(), Some("query cancelled"));
    assert!(!app.is_busy());
    assert!(!app.quit);

    // The worker is still alive and answers the next request.
    let id2 = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    let r2 = worker.replies.recv_timeout(Duration::from_secs(120)).expect("overview answered");
    assert_eq!(r2.id, id2);
    assert!(matches!(r2.result, Ok(Data::Overview(_))));
}

#[test]
fn a_newer_request_supersedes_an_older_waiting_one() {
    let ws = carepath::store::Workspace::open(&tui_support::workspace_copy("supersede")).unwrap();
    let worker: Worker<Data> = Worker::start(ws.conn);
    // Keep the worker busy, then queue two requests for the same slot.
    let blocker = worker.submit(Slot::Other, Box::new(|conn, _| {
        let _: i64 = conn.query_row("SELECT count(*) FROM range(300000000) a WHERE a.range % 7 = 3", [], |r| r.get(0))?;
        Ok(Data::Overview(Box::default()))
    }));
    let older = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    let newer = worker.submit(Slot::Overview, carepath::tui::job_for(Request::Overview(None)));
    let mut answered = Vec::new();
    while answered.len() < 2 {
        let r = worker.replies.recv_timeout(Duration::from_secs(120)).expect("reply");
        answered.push(r.id);
    }
    assert_eq!(answered, vec![blocker, newer], "the older waiting request ({older}) must be dropped");
    assert!(worker.replies.recv_timeout(Duration::from_millis(500)).is_err());
}
