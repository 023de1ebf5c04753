//! The benchmark harness at a tiny scale: it runs end to end and its report has every figure,
//! each positive. No timing is asserted (figures on a shared test machine mean nothing).
use carepath::bench::{self, BenchConfig, Scale};

#[test]
fn bench_harness_reports_every_figure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = BenchConfig::for_scale(Scale::Sample, dir.path().to_path_buf());
    cfg.scale = "smoke".into();
    cfg.people = 2_000;
    cfg.years = vec!["1920".into()];
    cfg.rounds = 1;
    cfg.timeline_people = 10;
    cfg.timeline_baseline_people = 3;
    cfg.draws = 3;
    cfg.progress = false;
    let report = bench::run(&cfg).expect("bench runs");

    for name in [
        "load (check, stage, derive)",
        "load + timeline side table",
        "reopen to first frame",
        "cohort edit -> count + attrition",
        "characterisation panel",
        "HRI summary (council level)",
        "members page (first)",
        "members page (90% deep)",
        "timeline open (all years, all services)",
        "draw one frame 200x60 (4 screens)",
        "peak RSS while exploring",
    ] {
        let f = report.figure(name).unwrap_or_else(|| panic!("figure {name:?} missing"));
        assert!(f.n > 0, "{name}: no samples");
        assert!(f.p50 > 0.0 && f.p95 >= f.p50 && f.max >= f.p95, "{name}: {f:?}");
        if let Some(b) = &f.baseline {
            assert!(!b.is_empty());
            assert!(f.baseline_p50.unwrap() > 0.0 && f.ratio.unwrap() > 0.0, "{name}: {f:?}");
        }
    }
    for name in ["load (check, stage, derive)", "cohort edit -> count + attrition", "timeline open (all years, all services)"] {
        assert!(report.figure(name).unwrap().baseline.is_some(), "{name} has no baseline");
    }
    assert!(report.figure("cohort edit -> count + attrition").unwrap().n >= 10);
    assert_eq!(report.figure("timeline open (all years, all services)").unwrap().n, 10);
    assert!(report.machine.cores > 0 && report.machine.memory_gb > 0.0);
    assert!(report.peak_rss_explore_mb > 0.0 && report.peak_rss_load_mb > 0.0);
    assert_eq!(report.draw_by_screen.len(), 4);
    assert!(report.rows["person"] > 0 && report.rows["event"] > 0);
    assert!(report.generation_s.is_some(), "first run generates");

    // JSON carries the same figures; the table names each one.
    let json: serde_json::Value = serde_json::from_str(&report.to_json().expect("report serialises")).expect("json");
    assert_eq!(json["figures"].as_array().unwrap().len(), report.figures.len());
    assert_eq!(json["scale"], "smoke");
    let table = report.to_table();
    for f in &report.figures {
        assert!(table.contains(&f.name), "table lacks {}", f.name);
    }

    // A second run reuses the cached extracts.
    cfg.rounds = 1;
    let again = bench::run(&cfg).expect("bench runs again");
    assert!(again.generation_s.is_none(), "second run uses the cache");
}
