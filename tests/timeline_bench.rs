//! Timing harness for opening one person's timeline (not a timed assertion: it only prints).
//! Run against a real workspace:
//!   CAREPATH_BENCH_WORKSPACE=/path/ws.duckdb cargo test --release --test timeline_bench -- --ignored --nocapture
//! Prints the median and p95 of `load_timeline` and of the bare baseline query
//! (`SELECT * FROM event WHERE anon_chi = ?`) over a deterministic sample of people.
use carepath::store::timeline::{load_timeline, prepare, sample_person_ids};
use std::time::Instant;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[test]
#[ignore]
fn time_load_timeline() {
    let Ok(path) = std::env::var("CAREPATH_BENCH_WORKSPACE") else {
        eprintln!("set CAREPATH_BENCH_WORKSPACE to a workspace file");
        return;
    };
    let ws = carepath::store::Workspace::open(std::path::Path::new(&path)).unwrap();
    let t0 = Instant::now();
    prepare(&ws.conn).unwrap();
    println!("prepare (side table sorted by person, built once per load): {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    if std::env::var("CAREPATH_BENCH_ART").is_ok() {
        let t0 = Instant::now();
        ws.conn
            .execute_batch(
                "CREATE INDEX IF NOT EXISTS bench_event_chi ON event (anon_chi);
                 CREATE INDEX IF NOT EXISTS bench_person_chi ON person (anon_chi);
                 CREATE INDEX IF NOT EXISTS bench_side_chi ON timeline_person (anon_chi);",
            )
            .unwrap();
        println!("ART indexes: {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    }
    let ids = sample_person_ids(&ws.conn, 200, 7).unwrap();
    let mut base = Vec::new();
    let mut tl = Vec::new();
    let mut events = 0usize;
    for id in &ids {
        let t = Instant::now();
        let mut st = ws.conn.prepare_cached("SELECT * FROM event WHERE anon_chi = ?").unwrap();
        let n = st.query_map([id], |_| Ok(())).unwrap().count();
        base.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let x = load_timeline(&ws.conn, id).unwrap();
        tl.push(t.elapsed().as_secs_f64() * 1e3);
        events += x.events.len();
        assert!(x.events.len() <= n);
    }
    println!(
        "{} people, {:.1} events each: load_timeline median {:.2} ms p95 {:.2} ms; baseline event query median {:.2} ms p95 {:.2} ms",
        ids.len(),
        events as f64 / ids.len() as f64,
        pct(&mut tl.clone(), 0.5),
        pct(&mut tl, 0.95),
        pct(&mut base.clone(), 0.5),
        pct(&mut base, 0.95)
    );
}
