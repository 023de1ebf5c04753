//! With `!` on, what the explorer draws must not let anyone work out a withheld count: no count
//! from 1 to 9 is drawn, no two drawn attrition steps differ by 1 to 9 (the people a filter
//! removed), and a withheld step takes its percentages and the next step's % change with it;
//! the cohort's characterisation, cost share and members headline go with a withheld cohort.
//! Rendered with TestBackend at 80x24 and 160x48. The premise (which counts are small) comes
//! from SQL over `person_year`, not from carepath's own cohort code.
mod tui_support;
use crossterm::event::KeyCode;
use tui_support::Harness;

const SIZES: [(u16, u16); 2] = [(160, 48), (80, 24)];

/// (label, count, % of start, % change) of each drawn attrition line, and the "= N people" text.
fn attrition(screen: &str) -> (Vec<(String, String, String, String)>, Option<String>) {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(top) = lines.iter().position(|l| l.contains(" Attrition ")) else { return (Vec::new(), None) };
    let byte = lines[top].find(" Attrition ").unwrap_or(0);
    let x0 = lines[top][..byte].chars().count().saturating_sub(2);
    let mut rows = Vec::new();
    let mut total = None;
    for l in &lines[top + 1..] {
        let part: String = l.chars().skip(x0).collect();
        let part = part.trim();
        if let Some(n) = part.strip_prefix("= ") {
            total = n.split_whitespace().next().map(str::to_string);
            break;
        }
        let t: Vec<&str> = part.split_whitespace().collect();
        if t.first() == Some(&"start") && t.len() >= 3 {
            rows.push(("start".into(), t[t.len() - 2].into(), t[t.len() - 1].into(), String::new()));
        } else if t.len() >= 4 {
            let n = t.len();
            rows.push((t[..n - 3].join(" "), t[n - 3].into(), t[n - 2].into(), t[n - 1].into()));
        }
    }
    (rows, total)
}

fn number(s: &str) -> Option<u64> {
    s.replace(',', "").parse().ok()
}

fn sql_count(h: &Harness, year: &str, cond: &str) -> u64 {
    let sql = format!("SELECT count(DISTINCT anon_chi) FROM person_year WHERE year = ? AND {cond}");
    h.ctx.conn.query_row(&sql, [year], |r| r.get::<_, i64>(0)).unwrap() as u64
}

#[test]
fn with_sdc_on_no_hidden_count_can_be_derived_from_the_screen() {
    let mut h = Harness::open("sdc");
    let year = h.app.year.clone().expect("a year is loaded");
    // An upper age that removes 1 to 9 adults: the difference a reader could take.
    let upper = (80..115).find(|a| (1..10).contains(&sql_count(&h, &year, &format!("age > {a}")))).expect("an age above which 1-9 people are");
    let adults = sql_count(&h, &year, "age >= 18");
    let kept = sql_count(&h, &year, &format!("age >= 18 AND age <= {upper}"));
    assert!((1..10).contains(&(adults - kept)), "premise: the second filter removes 1-9 people");
    // A health cost that about five of them reach: the cohort is small.
    let fifth: f64 = h
        .ctx
        .conn
        .query_row(
            &format!("SELECT health_net_cost FROM person_year WHERE year = ? AND age >= 18 AND age <= {upper} ORDER BY health_net_cost DESC LIMIT 1 OFFSET 4"),
            [&year],
            |r| r.get(0),
        )
        .unwrap();
    h.char('2');
    for f in ["age 18+".to_string(), format!("age 18-{upper}"), format!("health_cost {}+", fifth.floor() as u64)] {
        h.char('a');
        h.type_text(&f);
        h.key(KeyCode::Enter);
    }
    // Without `!` the small figures are on screen (the test would catch nothing otherwise).
    let (raw_rows, _) = attrition(&h.screen(160, 48));
    assert!(raw_rows.iter().any(|r| number(&r.1) == Some(kept)), "raw attrition shows {kept}: {raw_rows:?}\n{}", h.screen(160, 48));
    let tiny = carepath::store::cohort::count_and_attrition(&h.ctx.conn, &h.app.explore.spec).unwrap().count;
    assert!(tiny < 10, "premise: a cohort of fewer than 10 people, got {tiny}");

    h.char('!');
    for (w, ht) in SIZES {
        let s = h.screen(w, ht);
        assert!(s.contains("SDC"), "the header says disclosure control is on:\n{s}");
        let (rows, total) = attrition(&s);
        assert!(rows.len() >= 2, "attrition drawn at {w}x{ht}:\n{s}");
        for r in &rows {
            if let Some(n) = number(&r.1) {
                assert!(n == 0 || n >= 10, "a count of {n} is drawn at {w}x{ht}:\n{s}");
            }
        }
        for pair in rows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if let (Some(x), Some(y)) = (number(&a.1), number(&b.1)) {
                let d = x.abs_diff(y);
                assert!(d == 0 || d >= 10, "steps {} and {} differ by {d}: the people removed can be read off\n{s}", a.0, b.0);
            }
            if a.1 == "*" {
                assert_eq!(b.3, "*", "the % change after a withheld step would give it back\n{s}");
            }
        }
        for r in &rows {
            if r.1 == "*" {
                assert_eq!(r.2, "*", "% of start of a withheld step ({}) would give it back\n{s}", r.0);
                if !r.3.is_empty() {
                    assert_eq!(r.3, "*", "% change of a withheld step ({}) would give it back\n{s}", r.0);
                }
            }
        }
        assert_eq!(total.as_deref(), Some("*"), "the cohort of {tiny} is withheld at {w}x{ht}:\n{s}");
        // The characterisation of a withheld cohort is withheld with it.
        let below: Vec<&str> = s.lines().skip_while(|l| !l.contains(" This cohort vs everyone ")).skip(1).collect();
        for label in ["people", "female", "share of cost"] {
            let line = below.iter().find(|l| l.contains(label)).unwrap_or_else(|| panic!("{label} line at {w}x{ht}:\n{s}"));
            let after: String = line.split(label).nth(1).unwrap_or_default().split_whitespace().next().unwrap_or_default().to_string();
            assert_eq!(after, "*", "{label} for the cohort is drawn ({after}) at {w}x{ht}:\n{s}");
        }
    }
    // The members list does not give the size away either.
    h.key(KeyCode::Enter);
    let s = h.screen(160, 48);
    assert!(s.contains("Members: * people"), "{s}");
    assert!(!s.contains(&format!("Members: {tiny} people")), "{s}");
    // Off again: raw figures return.
    h.char('2');
    h.char('!');
    let (_, total) = attrition(&h.screen(160, 48));
    assert_eq!(total.and_then(|t| number(&t)), Some(tiny));
}

#[test]
fn x_exports_through_the_gate_even_when_the_screen_shows_raw_figures() {
    // On screen (inside the secure session) `!` is off by default; a file written with `x`
    // leaves the program, so it is gated whatever the screen shows (issue "One operations
    // layer", item 7). The premise comes from SQL over person_year.
    let mut h = Harness::open("export-gate");
    let year = h.app.year.clone().expect("a year is loaded");
    let above = (80..115).find(|a| (1..10).contains(&sql_count(&h, &year, &format!("age > {a}")))).expect("an age above which 1-9 people are");
    let tiny = sql_count(&h, &year, &format!("age > {above}"));
    h.char('2');
    h.char('a');
    h.type_text(&format!("age {}+", above + 1));
    h.key(KeyCode::Enter);
    let (_, total) = attrition(&h.screen(160, 48));
    assert_eq!(total.and_then(|t| number(&t)), Some(tiny), "the screen shows the raw cohort of {tiny}:\n{}", h.screen(160, 48));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("oldest");
    h.char('x');
    h.ctrl('u');
    h.type_text(&out.display().to_string());
    h.key(KeyCode::Enter);
    let att = std::fs::read_to_string(out.join("attrition.csv")).unwrap_or_else(|e| panic!("attrition.csv: {e}\n{}", h.screen(160, 48)));
    let last = att.lines().last().unwrap_or_default();
    let cells: Vec<&str> = last.split(',').map(|c| c.trim_matches('"')).collect();
    assert!(!cells.contains(&tiny.to_string().as_str()), "the exported cohort size {tiny} is not withheld:\n{att}");
    assert!(cells.contains(&"*"), "the withheld cohort is marked:\n{att}");
    // Every count column (`cohort_n`, `population_n`) of the characterisation: 0, 10+ or "*".
    let text = std::fs::read_to_string(out.join("characterisation.csv")).unwrap_or_default();
    let header: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
    let counts: Vec<usize> = header.iter().enumerate().filter(|(_, h)| h.ends_with("_n")).map(|(i, _)| i).collect();
    assert!(counts.len() >= 2, "count columns in {header:?}");
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        for &i in &counts {
            if let Some(Ok(n)) = cells.get(i).map(|c| c.trim_matches('"').parse::<u64>()) {
                assert!(n == 0 || n >= 10, "characterisation.csv holds a count of {n}:\n{text}");
            }
        }
    }
    assert!(h.screen(160, 48).contains("exported to"), "the explorer says where it went:\n{}", h.screen(160, 48));
}
