//! A first start on extracts never loaded: the explorer loads the latest financial year first,
//! shows its overview, and then loads the rest while that overview stays in view.
mod tui_support;
use carepath::ops::{Progress, Query};
use carepath::store::detect::Kind;
use carepath::tui::app::Event;
use carepath::tui::query::Data;
use carepath::tui::worker::Slot;
use tui_support::Harness;

/// The `year` of an SLF file's first row, read with plain DuckDB.
fn first_year(path: &str) -> String {
    let c = duckdb::Connection::open_in_memory().unwrap();
    c.query_row("SELECT CAST(year AS VARCHAR) FROM read_parquet(?) LIMIT 1", [path], |r| r.get(0)).unwrap()
}

#[test]
fn a_folder_never_loaded_shows_its_latest_year_first_then_loads_the_rest() {
    let data = tui_support::data_copy("first-look");
    let mut h = Harness::start_on(&data);
    let q = h.queued();
    assert!(matches!(&q[..], [(_, Query::Load { options, .. })] if options.latest_year_first), "first request: {q:?}");

    h.step(); // the first look
    let report = h.app.load_report.clone().expect("a load report");
    let mut deferred = 0;
    for f in &report.files {
        let slf = matches!(f.kind, Some(Kind::Episode | Kind::Individual));
        let now = f.kind == Some(Kind::SimdLookup) || (slf && first_year(&f.path) == "2021");
        assert_eq!(f.status, if now { "loaded" } else { "deferred" }, "{}", f.path);
        deferred += usize::from(!now);
    }
    assert!(deferred >= 2, "the 2019/20 files wait: {:?}", report.files);
    assert!(h.app.status.contains(&format!("loading the other {deferred} files")), "{}", h.app.status);

    // The first look's figures are asked for before the full load, which comes last.
    let q = h.queued();
    assert!(matches!(q.last(), Some((_, Query::Load { options, .. })) if !options.latest_year_first), "{q:?}");
    while h.queued().len() > 1 {
        h.step();
    }
    let s = h.screen(100, 30);
    assert!(s.contains("Years 2020/21") && !s.contains("2019/20"), "only the latest year so far:\n{s}");

    // While the rest loads, its progress shows above the first look's figures.
    let (id, _) = h.queued()[0].clone();
    h.event(Event::Reply { id, slot: Slot::Load, done: false, result: Ok(Data::Progress(Progress::Load { done: 1, total: 9, file: "sc2-client.parquet".into() })) });
    let s = h.screen(100, 30);
    assert!(s.contains("Loading 1/9 files: sc2-client.parquet"), "{s}");
    assert!(s.contains("hold 50% of health cost"), "the figures stay in view:\n{s}");

    h.run(); // the full load, then the figures again
    let s = h.screen(100, 30);
    assert!(s.contains("Years 2019/20 2020/21"), "both years once loaded:\n{s}");
    assert!(!s.contains("Loading "), "{s}");
    let files = std::fs::read_dir(&data).unwrap().filter(|e| e.as_ref().unwrap().path().is_file()).count() as i64;
    let logged: i64 = h.ctx.conn.query_row("SELECT count(*) FROM load_log", [], |r| r.get(0)).unwrap();
    assert_eq!(logged, files, "every file loaded once");
    assert!(h.app.status.starts_with("loaded: "), "{}", h.app.status);
}

#[test]
fn a_workspace_already_loaded_is_loaded_in_one_go() {
    let data = tui_support::data_copy("first-look-again");
    let mut h = Harness::start_on(&data);
    h.run();
    drop(h);
    let h = Harness::start_on(&data);
    let q = h.queued();
    assert!(q.iter().any(|(_, q)| matches!(q, Query::Load { options, .. } if !options.latest_year_first)), "{q:?}");
}
