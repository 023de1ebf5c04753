//! Every screen rendered at 80x24 and 160x48, asserting on the text a person would read.
mod tui_support;
use crossterm::event::KeyCode;
use tui_support::Harness;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// People of the explorer's year meeting `cond`, by SQL over person_year (not carepath's cohort
/// code): what the screen must say.
fn people_where(h: &Harness, cond: &str) -> u64 {
    let year = h.app.year.clone().expect("a year is loaded");
    let sql = format!("SELECT count(DISTINCT anon_chi) FROM person_year WHERE year = ? AND {cond}");
    h.ctx.conn.query_row(&sql, [year], |r| r.get::<_, i64>(0)).unwrap() as u64
}

#[test]
fn overview_shows_population_and_the_hri_headline() {
    let h = Harness::open("overview");
    let o = carepath::store::overview::overview(&h.ctx.conn, None).unwrap();
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("carepath"), "{s}");
        assert!(s.contains(&format!("People {}", carepath::format::thousands(o.people))), "{s}");
        assert!(s.contains("hold 50% of health cost"), "HRI headline missing at {w}x{hgt}:\n{s}");
        assert!(s.contains(&format!("{:.1}% of people", o.hri_pct_people)), "{s}");
        assert!(s.contains("Lorenz"), "{s}");
        assert!(s.contains("Cost by service"), "{s}");
        assert!(s.contains("SIMD"), "{s}");
    }
}

#[test]
fn cohort_builder_edits_filters_and_shows_live_attrition() {
    let mut h = Harness::open("cohort");
    h.char('2');
    h.char('a');
    h.type_text("age 65+");
    h.key(KeyCode::Enter);
    h.char('a');
    h.type_text("simd 1,2");
    h.key(KeyCode::Enter);
    let n = people_where(&h, "age >= 65 AND simd_quintile IN (1, 2)");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("[x] Age 65+"), "{s}");
        assert!(s.contains("Attrition"), "{s}");
        assert!(s.contains(&format!("= {} people", carepath::format::thousands(n as i64))), "count {n} missing:\n{s}");
        assert!(s.contains("This cohort vs everyone"), "{s}");
    }
    // toggling a filter off widens the cohort without deleting it
    h.key(KeyCode::Char(' '));
    let s = h.screen(80, 24);
    assert!(s.contains("[ ] SIMD"), "{s}");
    assert!(s.contains(&format!("= {} people", carepath::format::thousands(people_where(&h, "age >= 65") as i64))), "{s}");
    // a bad filter is explained, not added
    h.char('a');
    h.type_text("age banana");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.explore.spec.filters.len(), 2);
    assert!(h.screen(160, 48).contains("filter not added"));
    // e edits the selected filter in place, with the editing keys of a shell prompt
    h.key(KeyCode::Up);
    h.char('e');
    h.ctrl('u');
    h.type_text("age 70+");
    h.key(KeyCode::Enter);
    let s = h.screen(80, 24);
    assert!(s.contains("Age 70+"), "{s}");
    assert_eq!(h.app.explore.spec.filters.len(), 2);
}

#[test]
fn members_then_timeline_and_stepping() {
    let mut h = Harness::open("members");
    h.char('2');
    h.char('a');
    h.type_text("age 65+");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter); // members
    let n = people_where(&h, "age >= 65");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains(&format!("Members: {} people", carepath::format::thousands(n as i64))), "{s}");
        assert!(s.contains("sorted by cost"), "{s}");
        assert!(s.contains("HRI band"), "{s}");
    }
    // only a page is fetched, never the whole cohort
    assert!(h.app.explore.members.as_ref().unwrap().rows.len() as u64 <= carepath::tui::explore::PAGE);
    h.key(KeyCode::Enter); // timeline of the top member
    let t = h.app.explore.timeline.clone().expect("timeline opened");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("day 0 = first event"), "{s}");
        assert!(s.contains(&format!("selected 1/{}", t.events.len())), "{s}");
        assert!(s.contains("HRI band"), "{s}");
    }
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    let s = h.screen(160, 48);
    assert!(s.contains(&format!("selected 3/{}", t.events.len())), "{s}");
    // the detail panel names the service of the selected event
    let name = t.events[2].service_name();
    assert!(s.contains(name), "{name} missing:\n{s}");
    // next person in the cohort's sort order
    let first = t.person.anon_chi.clone();
    h.char(']');
    let second = h.app.explore.timeline.as_ref().unwrap().person.anon_chi.clone();
    assert_ne!(first, second);
    h.char('[');
    assert_eq!(h.app.explore.timeline.as_ref().unwrap().person.anon_chi, first);
    // relative days by default: no calendar date on screen until asked
    let s = h.screen(160, 48);
    assert!(!regex_like_date(&s), "calendar date shown in relative mode:\n{s}");
    h.char('c');
    assert!(regex_like_date(&h.screen(160, 48)));
}

fn regex_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(10).any(|w| {
        w[0..4].iter().all(u8::is_ascii_digit) && w[4] == b'-' && w[5..7].iter().all(u8::is_ascii_digit) && w[7] == b'-' && w[8..10].iter().all(u8::is_ascii_digit)
    })
}

#[test]
fn load_report_and_help_and_disclosure_control() {
    let mut h = Harness::open("load");
    let report = carepath::store::report::build(&h.ctx.conn, vec![]).unwrap();
    h.app.load_report = Some(report);
    h.char('5');
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("Load report"), "{s}");
        assert!(s.contains("Rejected rows: none"), "{s}");
        assert!(s.contains("Linkage"), "{s}");
    }
    h.char('4');
    h.char('?');
    let s = h.screen(160, 48);
    assert!(s.contains("Keys: Timeline screen"), "{s}");
    assert!(s.contains("next person in the cohort"), "{s}");
    h.key(KeyCode::Esc);
    assert!(!h.screen(80, 24).contains("Keys:"));
    // disclosure control on screen: a cohort of fewer than 10 people shows as <10
    h.char('2');
    h.char('a');
    h.type_text("health_cost 1000000+");
    h.key(KeyCode::Enter);
    h.char('!');
    let s = h.screen(160, 48);
    let n = people_where(&h, "health_net_cost >= 1000000");
    assert!(n < 10, "expected a tiny cohort, got {n}");
    assert!(s.contains("= * people") || n == 0, "{s}");
    assert!(!s.contains(&format!("= {n} people")) || n == 0, "{s}");
}

#[test]
fn ascii_mode_draws_only_ascii() {
    let mut h = Harness::open("ascii");
    h.theme = carepath::tui::theme::Theme { color: carepath::tui::theme::ColorMode::None, ascii: true };
    for screen in ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 'u', 'S', 'P'] {
        if screen == '4' {
            h.char('3');
            h.key(KeyCode::Enter);
            assert!(h.app.explore.timeline.is_some());
        } else {
            h.char(screen);
        }
        let s = h.screen(80, 24);
        assert!(s.is_ascii(), "non-ASCII glyph on screen {screen}:\n{s}");
    }
}

/// The Pathways screen, reached from the cohort builder with `p`: the question line, the tree
/// with the number indexed (people of the cohort with an emergency admission in the year, by
/// SQL over `event` and `person_year`), Enter on a node to its people's aligned strip (audited,
/// pseudonyms), Enter on a person to their timeline, Esc back along the way; `i` changes the
/// index event and `!` withholds small counts.
#[test]
fn pathways_from_the_cohort_builder_to_a_strip_and_a_timeline() {
    let mut h = Harness::open("pathways");
    h.char('2');
    h.char('a');
    h.type_text("age 65+");
    h.key(KeyCode::Enter);
    // a long name must give way to the screen tabs in the header
    h.app.explore.spec.name = "people aged 65 and over in the sample".into();
    h.char('p');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Pathways);
    let year = h.app.year.clone().expect("a year is loaded");
    let fy = carepath::model::year::FinYear::parse(&year).unwrap().bounds();
    let indexed: i64 = h
        .ctx
        .conn
        .query_row(
            "SELECT count(DISTINCT e.anon_chi) FROM event e JOIN person_year py ON py.anon_chi = e.anon_chi AND py.year = ?
             WHERE py.age >= 65 AND e.emergency AND e.start_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)",
            duckdb::params![year, fy.0, fy.1],
            |r| r.get(0),
        )
        .unwrap();
    assert!(indexed > 10, "the sample has older people with emergency admissions: {indexed}");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains(&format!("After first emergency admission, 90 days, 3 steps: {} people", carepath::format::thousands(indexed))), "{s}");
        assert!(s.contains("(everyone indexed)"), "{s}");
        assert!(s.contains("Pathways (Enter: the people of a node)"), "{s}");
        assert!(s.lines().next().is_some_and(|l| l.trim_end().ends_with("[6 Pathways] 7 8 9 0 u S P")), "the screen tabs fit the header:\n{s}");
    }
    // the first node of the tree is drawn with its people
    let first_step = h.app.explore.pathways.node_steps(1);
    assert_eq!(first_step.len(), 1, "row 1 is a first step: {first_step:?}");
    let s = h.screen(80, 24);
    assert!(s.contains(&first_step[0]), "{s}");
    // Enter on it: its people on a shared axis, by pseudonym, and audited
    let audited = |h: &Harness| -> i64 { h.ctx.conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'pathway members'", [], |r| r.get(0)).unwrap() };
    let before = audited(&h);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let strip = h.app.explore.pathways.strip.clone().expect("the node's people");
    assert_eq!(strip.node, first_step);
    assert_eq!(audited(&h), before + 1, "the strip is a person-level view: audited");
    let s = h.screen(80, 24);
    assert!(s.contains(&format!("{}: {} people", first_step[0], strip.total)), "{s}");
    let first_id = &strip.rows[0].id;
    assert!(first_id.starts_with('P') && s.contains(first_id.as_str()), "pseudonyms on the strip:\n{s}");
    assert!(s.contains("X death"), "the legend: {s}");
    let anon: Vec<String> = {
        let mut st = h.ctx.conn.prepare("SELECT anon_chi FROM person LIMIT 50").unwrap();
        st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert!(anon.iter().all(|a| !s.contains(a.as_str())), "no anon_chi on screen");
    // Enter on a person: their timeline; Esc comes back to the strip, then the tree, then the cohort
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Timeline);
    assert_eq!(h.app.explore.timeline.as_ref().map(|t| t.person.anon_chi.clone()), Some(first_id.clone()));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Pathways);
    assert!(h.app.explore.pathways.in_strip);
    h.key(KeyCode::Esc);
    assert!(!h.app.explore.pathways.in_strip);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cohort);
    // `i`: the next index event asks again
    h.char('6');
    h.char('i');
    assert!(h.screen(80, 24).contains("After first A&E attendance, 90 days, 3 steps:"), "{}", h.screen(80, 24));
    // `b`: the services before the index (step 1 = the nearest), and their people on the strip
    h.char('b');
    let s = h.screen(80, 24);
    assert!(s.contains("Before first A&E attendance, 90 days, 3 steps:"), "{s}");
    let before_tree = h.app.explore.pathways.tree().expect("the tree before the index").clone();
    assert!(before_tree.rows.len() > 1, "people of this sample used services before their first A&E attendance:\n{s}");
    let nearest = h.app.explore.pathways.node_steps(1);
    let pc = before_tree.columns.iter().position(|c| c == "people").unwrap();
    let carepath::analysis::disclosure::Cell::Count(node_people) = before_tree.rows[1][pc] else { panic!("a count") };
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let strip = h.app.explore.pathways.strip.clone().expect("the node's people before the index");
    assert!(strip.before && strip.node == nearest);
    assert_eq!(strip.total, node_people, "the strip lists the node's people");
    for m in &strip.rows {
        assert_eq!(m.steps.first().map(|s| s.0.as_str()), Some(nearest[0].as_str()), "each starts with the node's step");
        assert!(m.steps.iter().all(|(_, d)| (0..=90).contains(d)), "days before the index, within the window: {:?}", m.steps);
    }
    assert!(h.screen(80, 24).contains("(days 0 to -90; Enter: timeline)"), "{}", h.screen(80, 24));
    h.key(KeyCode::Esc);
    h.char('b');
    assert!(h.screen(80, 24).contains("After first A&E attendance, 90 days, 3 steps:"), "{}", h.screen(80, 24));
    // with disclosure control on, no count 1-9 is drawn in the tree
    h.char('!');
    let tree = h.app.explore.pathways.tree().expect("tree asked for again under the gate").clone();
    let pc = tree.columns.iter().position(|c| c == "people").unwrap();
    for row in &tree.rows {
        if let carepath::analysis::disclosure::Cell::Count(n) = row[pc] {
            assert!(n == 0 || n >= 10, "{n} shown under disclosure control");
        }
    }
}

/// `t` on the Pathways screen adds the time from the tree's index to a target below the tree:
/// a row per group with the cumulative incidence at 30/90/180/365 days as published by the
/// gate. All's people are those indexed (SQL over `event` and `person_year`), the split's
/// groups add up to All, the next target asks again, `!` withholds counts 1-9, and `t` after
/// the last target closes the curves.
#[test]
fn pathways_time_to_curves_below_the_tree() {
    let mut h = Harness::open("time_to");
    h.char('6');
    let year = h.app.year.clone().expect("a year is loaded");
    let fy = carepath::model::year::FinYear::parse(&year).unwrap().bounds();
    let indexed: i64 = h
        .ctx
        .conn
        .query_row(
            "SELECT count(DISTINCT e.anon_chi) FROM event e JOIN person_year py ON py.anon_chi = e.anon_chi AND py.year = ?
             WHERE e.emergency AND e.start_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)",
            duckdb::params![year, fy.0, fy.1],
            |r| r.get(0),
        )
        .unwrap();
    assert!(h.app.explore.pathways.curves.is_none(), "no curves until asked for");
    h.char('t');
    let t = h.app.explore.pathways.curves_table().expect("the curves to a care home").clone();
    let col = |t: &carepath::analysis::disclosure::Table, name: &str| t.columns.iter().position(|c| c == name).unwrap();
    assert_eq!(t.rows[0][0].render(), "All");
    assert_eq!(t.rows[0][1], carepath::analysis::disclosure::Cell::Count(indexed as u64), "All = the people indexed");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("Time to first care home admission (no split; t: target, s: split)"), "{s}");
        assert!(s.contains("group") && s.contains("30d") && s.contains("365d"), "{s}");
        let all = s.lines().find(|l| l.trim_start_matches(['|', ' ', '│']).starts_with("All ")).unwrap_or_else(|| panic!("an All row:\n{s}"));
        for h in carepath::model::pathways::HORIZONS {
            let ci = t.rows[0][col(&t, &format!("cumulative_incidence_pct_{h}d"))].render();
            assert!(all.contains(&format!("{ci}%")), "{h} days: {ci}% in {all}");
        }
        assert!(s.contains("(everyone indexed)"), "the tree stays above the curves:\n{s}");
    }
    // `s`: by age band; the bands add up to All
    h.char('s');
    let t = h.app.explore.pathways.curves_table().expect("curves by age band").clone();
    assert!(t.rows.len() > 2, "several age bands: {:?}", t.rows);
    let count = |c: &carepath::analysis::disclosure::Cell| match c {
        carepath::analysis::disclosure::Cell::Count(n) => *n,
        other => panic!("a count, not {other:?}"),
    };
    let bands: u64 = t.rows[1..].iter().map(|r| count(&r[1])).sum();
    assert_eq!(bands, indexed as u64, "the age bands' people add up to All");
    assert!(h.screen(80, 24).contains("Time to first care home admission (by age band"), "{}", h.screen(80, 24));
    // the next target: death
    h.char('t');
    assert!(h.screen(80, 24).contains("Time to death (by age band"), "{}", h.screen(80, 24));
    assert_eq!(h.app.explore.pathways.curves.as_ref().and_then(|g| g.raw().map(|f| f.target.clone())).as_deref(), Some("death"));
    // under disclosure control no count 1-9 is in the curves
    h.char('!');
    let t = h.app.explore.pathways.curves_table().expect("curves asked for again under the gate").clone();
    for row in &t.rows {
        for c in row {
            if let carepath::analysis::disclosure::Cell::Count(n) = c {
                assert!(*n == 0 || *n >= 10, "{n} shown under disclosure control: {row:?}");
            }
        }
    }
    // then an emergency admission (a readmission, after this index), HRI, and past the last
    // target the curves close
    h.char('t');
    assert!(h.screen(80, 24).contains("Time to first emergency admission (by age band"), "{}", h.screen(80, 24));
    h.char('t');
    assert!(h.screen(80, 24).contains("Time to first year as an HRI"), "{}", h.screen(80, 24));
    h.char('t');
    assert!(h.app.explore.pathways.target.is_none());
    let s = h.screen(80, 24);
    assert!(!s.contains("Time to"), "{s}");
}

/// The Delays screen (`7`): the delayed discharges of the cohort being built in the explorer's
/// year, a row per reason group with a bar and the numbers, the total last (its people and bed
/// days by SQL over the DD rows of `event`); `s` moves to the next split, `!` withholds
/// counts 1-9, Esc goes back to the cohort builder.
#[test]
fn delays_screen_splits_the_cohorts_delays() {
    let mut h = Harness::open("delays");
    h.char('7');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Delays);
    let year = h.app.year.clone().expect("a year is loaded");
    let (people, bed_days): (i64, f64) = h
        .ctx
        .conn
        .query_row("SELECT count(DISTINCT anon_chi), sum(beddays) FROM event WHERE recid = 'DD' AND year = ? AND anon_chi IS NOT NULL", [&year], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(people > 10, "the sample has delays: {people}");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("Delays by reason group (s: next split)"), "{s}");
        assert!(s.lines().next().is_some_and(|l| l.trim_end().ends_with("[7 Delays] 8 9 0 u S P")), "the tabs fit:\n{s}");
        let total = s.lines().find(|l| l.starts_with("total")).unwrap_or_else(|| panic!("a total row:\n{s}"));
        let nums: Vec<&str> = total.split_whitespace().collect();
        assert_eq!(nums.get(1).copied(), Some(people.to_string().as_str()), "{total}");
        assert_eq!(nums.get(3).copied(), Some(format!("{bed_days:.0}").as_str()), "{total}");
        if w >= 160 {
            let t = h.app.explore.delays.table().expect("the table");
            for row in &t.rows {
                assert!(s.contains(&row[0].render()), "every group drawn: {:?}\n{s}", row[0]);
            }
        }
    }
    // `s`: by reason code
    h.char('s');
    let s = h.screen(80, 24);
    assert!(s.contains("Delays by reason for delay"), "{s}");
    // by month (six more presses): a row per month and the census column
    for _ in 0..6 {
        h.char('s');
    }
    let s = h.screen(80, 24);
    assert!(s.contains("Delays by month") && s.contains("census"), "{s}");
    let t = h.app.explore.delays.table().expect("the month table").clone();
    assert_eq!(t.rows.len(), 13, "twelve months and the total");
    // disclosure control: no count 1-9 on screen
    h.char('!');
    let t = h.app.explore.delays.table().expect("asked again under the gate").clone();
    for row in &t.rows {
        for c in row {
            if let carepath::analysis::disclosure::Cell::Count(n) = c {
                assert!(*n == 0 || *n >= 10, "{n} shown under disclosure control: {row:?}");
            }
        }
    }
    assert!(h.screen(80, 24).contains('*'), "{}", h.screen(80, 24));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cohort);
}

/// The Change screen (`8`): a monthly control chart of emergency admissions for Scotland; its
/// numbers (Enter) are the emergency stays of each month by SQL over `event` (a stay once, in
/// the month its first episode starts); `a` moves to a council and `b` draws one strip per
/// locality; `!` withholds counts 1-9.
#[test]
fn change_screen_charts_a_measure_and_its_numbers() {
    let mut h = Harness::open("change");
    h.char('8');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Change);
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.contains("Emergency admissions (stays), Scotland, by month"), "{s}");
        assert!(s.contains("limits") && s.contains("mean"), "{s}");
        assert!(s.lines().next().is_some_and(|l| l.trim_end().ends_with("[8 Change] 9 0 u S P")), "the tabs fit:\n{s}");
    }
    let mut st = h
        .ctx
        .conn
        .prepare(
            "SELECT strftime(d, '%Y-%m'), count(*) FROM (
               SELECT anon_chi, year, min(start_date) AS d FROM event
               WHERE anon_chi IS NOT NULL AND recid IN ('01B', '02B', '04B', 'GLS')
               GROUP BY anon_chi, year, CASE WHEN cij_marker IS NOT NULL THEN 'c' || cij_marker ELSE 'e' || event_id END
               HAVING bool_or(emergency)) GROUP BY 1",
        )
        .unwrap();
    let by_month: std::collections::HashMap<String, i64> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    h.key(KeyCode::Enter);
    let s = h.screen(80, 24);
    assert!(s.contains("the numbers (Enter: the chart)"), "{s}");
    let mut checked = 0;
    for line in s.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let (Some(m), Some(v)) = (f.first(), f.get(2)) {
            if m.len() == 7 && m.as_bytes()[4] == b'-' {
                assert_eq!(v.parse::<i64>().ok(), Some(by_month.get(*m).copied().unwrap_or(0)), "{line}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "a year of months checked:\n{s}");
    h.key(KeyCode::Enter);
    // a council, then its localities as small multiples
    h.char('a');
    let s = h.screen(80, 24);
    assert!(s.contains("council Aberdeen City"), "{s}");
    h.char('b');
    let s = h.screen(160, 48);
    assert!(s.contains("Small multiples by locality"), "{s}");
    let chart = h.app.explore.change.chart().expect("the small multiples").clone();
    let labels: std::collections::BTreeSet<String> = chart.rows.iter().map(|r| r[0].render()).collect();
    assert!(labels.len() >= 2, "All and at least one locality: {labels:?}");
    for l in &labels {
        assert!(s.contains(l.as_str()), "{l} drawn:\n{s}");
    }
    // disclosure control: no count 1-9 in what is drawn
    h.char('!');
    let chart = h.app.explore.change.chart().expect("asked again under the gate").clone();
    for row in &chart.rows {
        for c in &row[2..4] {
            if let carepath::analysis::disclosure::Cell::Count(n) = c {
                assert!(*n == 0 || *n >= 10, "{n} shown under disclosure control: {row:?}");
            }
        }
    }
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cohort);
}

/// The Cube screen (`9`): health cost per person by council of the explorer's year, its total
/// the cost over the people by SQL over `person_year`; `c` adds columns (to sex, skipping the
/// rows' own dimension), the female column's total by SQL; `o` sorts by the cursor's column;
/// `!` withholds counts 1-9.
#[test]
fn cube_screen_pivots_a_measure_by_two_dimensions() {
    let mut h = Harness::open("cube");
    h.char('9');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cube);
    let year = h.app.year.clone().expect("a year is loaded");
    let sql = |h: &Harness, cond: &str| -> (i64, f64) {
        h.ctx
            .conn
            .query_row(&format!("SELECT count(*), sum(health_net_cost) FROM person_year WHERE year = ? AND {cond}"), [&year], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let (n, cost) = sql(&h, "true");
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.lines().next().is_some_and(|l| l.trim_end().ends_with("[9 Cube] 0 u S P")), "the tabs fit:\n{s}");
        assert!(s.contains("council of residence x none"), "{s}");
        let total = s.lines().find(|l| l.starts_with("total")).unwrap_or_else(|| panic!("a total row:\n{s}"));
        assert_eq!(total.split_whitespace().nth(1), Some(format!("{:.2}", cost / n as f64).as_str()), "{total}");
    }
    // the cursor's cell is named with its people: the largest council first
    let (lca, people): (String, i64) = h
        .ctx
        .conn
        .query_row("SELECT lca, count(*) FROM person_year WHERE year = ? AND lca IS NOT NULL GROUP BY lca ORDER BY count(*) DESC LIMIT 1", [&year], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let name = carepath::model::geography::council_by_lca(&lca).map(|c| c.name.clone()).unwrap_or_default();
    assert!(h.screen(80, 24).contains(&format!("{name}: ")) && h.screen(80, 24).contains(&format!("({people} people)")), "{}", h.screen(80, 24));
    // columns: none -> (council skipped) partnership ... -> sex
    for _ in 0..8 {
        h.char('c');
    }
    let s = h.screen(80, 24);
    assert!(s.contains("council of residence x sex") && s.contains("female") && s.contains("male"), "{s}");
    let (nf, cf) = sql(&h, "sex = 'F'");
    let head: Vec<&str> = s.lines().find(|l| l.contains("female")).unwrap().split_whitespace().collect();
    let fi = head.iter().position(|c| *c == "female").unwrap();
    let total = s.lines().find(|l| l.starts_with("total")).unwrap();
    assert_eq!(total.split_whitespace().nth(1 + fi), Some(format!("{:.2}", cf / nf as f64).as_str()), "{total}\n{s}");
    // `o`: rows by the cursor's column, largest first
    h.char('o');
    let g = h.app.explore.cube.grid().expect("the grid");
    let firsts: Vec<f64> = g.cells[..g.rows.len() - 1].iter().filter_map(|r| r[0].parse().ok()).collect();
    assert!(firsts.windows(2).all(|w| w[0] >= w[1]), "{firsts:?}");
    // disclosure control: no count 1-9 in the published cube
    h.char('!');
    let t = h.app.explore.cube.figures.as_ref().and_then(|g| g.table("cube")).expect("asked again under the gate").clone();
    for row in &t.rows {
        for c in row {
            if let carepath::analysis::disclosure::Cell::Count(n) = c {
                assert!(*n == 0 || *n >= 10, "{n} shown under disclosure control: {row:?}");
            }
        }
    }
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cohort);
}

/// The Compare screen (`0`): the cohort being built beside everyone in the year, then (`b`)
/// beside itself without one of its filters, then beside a cohort file (`:against FILE`). The
/// sizes and health cost per person are checked against SQL over `person_year`.
#[test]
fn compare_screen_puts_the_cohort_beside_everyone_and_without_a_filter() {
    let mut h = Harness::open("compare");
    h.char('2');
    for f in ["age 65+", "sex F"] {
        h.char('a');
        h.type_text(f);
        h.key(KeyCode::Enter);
    }
    assert_eq!(h.app.explore.spec.filters.len(), 2);
    h.char('0');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Compare);
    let year = h.app.year.clone().expect("a year is loaded");
    let sql = |h: &Harness, cond: &str| -> (i64, f64) {
        h.ctx
            .conn
            .query_row(&format!("SELECT count(*), avg(coalesce(health_net_cost, 0)) FROM person_year WHERE year = ? AND {cond}"), [&year], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let (na, ca) = sql(&h, "age >= 65 AND sex = 'F'");
    let (nall, call) = sql(&h, "true");
    let row = |s: &str, item: &str| -> Vec<String> {
        let line = s.lines().find(|l| l.trim_start_matches(['|', ' ', '│']).starts_with(item)).unwrap_or_else(|| panic!("no {item} row:\n{s}"));
        line.split_whitespace().map(|w| w.trim_matches(['|', '│']).to_string()).filter(|w| !w.is_empty()).collect()
    };
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.lines().next().is_some_and(|l| l.trim_end().ends_with("[0 Compare] u S P")), "the tabs fit:\n{s}");
        assert!(s.contains("B: everyone"), "{s}");
        let people = row(&s, "people");
        assert_eq!(people[1..3], [na.to_string(), nall.to_string()], "{s}");
    }
    // the per-person rows are further down: scroll to them
    let mut s = h.screen(80, 24);
    for _ in 0..80 {
        if s.contains("health cost (") {
            break;
        }
        h.key(KeyCode::Down);
        s = h.screen(80, 24);
    }
    let cost = row(&s, "health cost");
    let nums: Vec<&String> = cost.iter().filter(|c| c.parse::<f64>().is_ok()).collect();
    assert_eq!(nums[0], &format!("{ca:.2}"), "{s}");
    assert_eq!(nums[1], &format!("{call:.2}"), "{s}");
    // b: the cohort without its first filter (age), i.e. women of every age
    h.char('b');
    let s = h.screen(80, 24);
    assert!(s.contains("B: without Age 65+"), "{s}");
    let (nf, _) = sql(&h, "sex = 'F'");
    assert_eq!(compare_count(&h, 0, 3), Some(nf as u64), "B's people");
    // :against FILE compares with a cohort file
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("men.toml");
    std::fs::write(&file, "name = \"men\"\n[[filter]]\nsex = \"M\"\n").unwrap();
    h.char(':');
    h.type_text(&format!("against {}", file.display()));
    h.key(KeyCode::Enter);
    let (nm, _) = sql(&h, "sex = 'M'");
    assert_eq!(h.app.explore.compare.asked.as_ref().map(|r| r.b.name.as_str()), Some("men"));
    assert_eq!((compare_count(&h, 0, 3), compare_count(&h, 1, 2)), (Some(nm as u64), Some(0)), "B's people and the people in both");
    assert!(h.screen(80, 24).contains("B: men"));
    // disclosure control: no count 1-9 in the published table
    h.char('!');
    let t = h.app.explore.compare.figures.as_ref().and_then(|g| g.table("compare")).expect("asked again under the gate").clone();
    for row in &t.rows {
        for c in row {
            if let carepath::analysis::disclosure::Cell::Count(n) = c {
                assert!(*n == 0 || *n >= 10, "{n} shown under disclosure control: {row:?}");
            }
        }
    }
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cohort);
}

/// A count of the published compare table (row, column).
fn compare_count(h: &Harness, row: usize, col: usize) -> Option<u64> {
    let t = h.app.explore.compare.figures.as_ref()?.table("compare")?;
    match t.rows.get(row)?.get(col)? {
        carepath::analysis::disclosure::Cell::Count(n) => Some(*n),
        _ => None,
    }
}

/// The Unscheduled screen (`u`): emergency admissions per 1,000 of the cohort by council
/// (against SQL over `person_year`), `m` to the next measure, `s` to the next split.
#[test]
fn unscheduled_screen_splits_the_cohorts_unscheduled_care() {
    let mut h = Harness::open("unscheduled");
    h.char('2');
    h.char('a');
    h.type_text("age 65+");
    h.key(KeyCode::Enter);
    h.char('u');
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Unscheduled);
    let year = h.app.year.clone().expect("a year is loaded");
    let (n, em): (i64, i64) = h
        .ctx
        .conn
        .query_row("SELECT count(*), sum(emergency_admissions) FROM person_year WHERE year = ? AND age >= 65", [&year], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    for (w, hgt) in SIZES {
        let s = h.screen(w, hgt);
        assert!(s.lines().next().is_some_and(|l| l.trim_end().ends_with("[u Unscheduled] S P")), "the tabs fit:\n{s}");
        assert!(s.contains("emergency admissions per 1,000 by council of residence"), "{s}");
        let total = s.lines().find(|l| l.trim_start_matches(['|', ' ', '│']).starts_with("total")).unwrap_or_else(|| panic!("a total row:\n{s}"));
        let nums: Vec<&str> = total.split_whitespace().filter(|w| w.replace(',', "").parse::<f64>().is_ok()).collect();
        let th = |v: i64| carepath::format::thousands(v);
        assert_eq!(nums, [th(n).as_str(), th(em).as_str(), format!("{:.1}", em as f64 * 1000.0 / n as f64).as_str()], "{total}\n{s}");
    }
    // m: the next measure of the same answer
    h.char('m');
    assert!(h.screen(80, 24).contains("emergency bed days per 1,000"), "{}", h.screen(80, 24));
    // s: by partnership
    h.char('s');
    assert!(h.screen(80, 24).contains("by partnership of residence"), "{}", h.screen(80, 24));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Cohort);
}

/// Enter on a cube cell opens its people: the cell's groups become filters of the cohort and
/// the Members screen lists them (counts against SQL over `person_year`).
#[test]
fn a_cube_cell_drills_to_its_members() {
    let mut h = Harness::open("drill");
    h.char('9');
    let year = h.app.year.clone().expect("a year is loaded");
    let count = |h: &Harness, cond: &str, p: &[&str]| -> u64 {
        let mut args: Vec<&str> = vec![year.as_str()];
        args.extend_from_slice(p);
        let n: i64 = h.ctx.conn.query_row(&format!("SELECT count(*) FROM person_year WHERE year = ? AND {cond}"), duckdb::params_from_iter(args.iter()), |r| r.get(0)).unwrap();
        n as u64
    };
    // the first row is the largest council
    let lca: String = h
        .ctx
        .conn
        .query_row("SELECT lca FROM person_year WHERE year = ? AND lca IS NOT NULL GROUP BY lca ORDER BY count(*) DESC LIMIT 1", [&year], |r| r.get(0))
        .unwrap();
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Members);
    assert_eq!(h.app.explore.spec.filters.len(), 1, "{:?}", h.app.explore.spec.filters);
    let total = h.app.explore.members.as_ref().map(|p| p.total);
    assert_eq!(total, Some(count(&h, "lca = ?", &[&lca])), "members of the council");
    // two dimensions: council x sex, the cursor on the second column
    h.char('9');
    for _ in 0..8 {
        h.char('c');
    }
    let g = h.app.explore.cube.grid().expect("a grid");
    assert_eq!(g.cols.len(), 3, "female, male, total: {:?}", g.cols);
    h.key(KeyCode::Right);
    let sex = if g.cols[1] == "female" { "F" } else { "M" };
    // the cohort is now the council: its only row is that council
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, carepath::tui::app::Screen::Members);
    assert_eq!(h.app.explore.spec.filters.len(), 3, "council twice (the same) and sex");
    let total = h.app.explore.members.as_ref().map(|p| p.total);
    assert_eq!(total, Some(count(&h, "lca = ? AND sex = ?", &[&lca, sex])), "members of the council's {sex}");
    assert!(h.screen(80, 24).contains("Members"), "{}", h.screen(80, 24));
}
