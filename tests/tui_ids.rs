//! No screen shows the CHI: every screen of the generated sample (overview, cohort, members,
//! several timelines, the load report, help) is drawn with TestBackend, and no word on it
//! base64-decodes to a 10-digit number; people are shown by their workspace pseudonym (P000123),
//! and not even the start of their `anon_chi` is on screen.
mod tui_support;
use base64::Engine;
use crossterm::event::KeyCode;
use tui_support::Harness;

/// Words of base64 characters long enough to hold a CHI that decode to ten digits.
fn chi_like(screen: &str) -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    screen
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
        .filter(|w| w.len() >= 12)
        .filter(|w| {
            b64.decode(w).map(|d| d.len() == 10 && d.iter().all(u8::is_ascii_digit)).unwrap_or(false)
        })
        .map(str::to_string)
        .collect()
}

fn anon_chi_of(h: &Harness, pseudonym: &str) -> String {
    h.ctx
        .conn
        .query_row("SELECT anon_chi FROM person_pseudonym WHERE pseudonym = ?", [pseudonym], |r| r.get(0))
        .unwrap_or_else(|e| panic!("pseudonym {pseudonym} not in the workspace: {e}"))
}

#[test]
fn no_screen_shows_an_anon_chi() {
    let mut h = Harness::open("ids");
    // The check itself finds a CHI when there is one.
    let probe: String = h.ctx.conn.query_row("SELECT anon_chi FROM person LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(chi_like(&format!("person {probe} x")), vec![probe.clone()]);

    let mut screens = Vec::new();
    let mut look = |h: &Harness, what: &str| {
        for (w, ht) in [(80, 24), (160, 48)] {
            screens.push((format!("{what} at {w}x{ht}"), h.screen(w, ht)));
        }
    };
    look(&h, "overview");
    h.char('2');
    h.char('a');
    h.type_text("age 65+");
    h.key(KeyCode::Enter);
    look(&h, "cohort");
    h.key(KeyCode::Enter);
    look(&h, "members");
    h.char('/');
    h.type_text("P0");
    h.key(KeyCode::Enter);
    look(&h, "members search");
    h.char('/');
    h.key(KeyCode::Enter); // clear the search
    h.key(KeyCode::Enter);
    let mut people = Vec::new();
    for _ in 0..4 {
        let t = h.app.explore.timeline.clone().expect("a timeline is open");
        people.push(t.person.anon_chi.clone());
        look(&h, "timeline");
        h.char('c');
        look(&h, "timeline, calendar dates");
        h.char('c');
        h.char(']');
    }
    h.char('?');
    look(&h, "timeline help");
    h.key(KeyCode::Esc);
    h.char('5');
    look(&h, "load");

    for (what, s) in &screens {
        assert!(chi_like(s).is_empty(), "{what} shows a base64 CHI {:?}:\n{s}", chi_like(s));
    }
    // The timeline's person is the pseudonym, and no part of the person's anon_chi is drawn.
    for p in &people {
        assert!(p.starts_with('P') && p[1..].chars().all(|c| c.is_ascii_digit()), "timeline person {p} is not a pseudonym");
        let anon = anon_chi_of(&h, p);
        let head: String = anon.chars().take(8).collect();
        for (what, s) in &screens {
            assert!(!s.contains(&head), "{what} shows the start of {p}'s anon_chi ({head}):\n{s}");
        }
        assert!(screens.iter().any(|(_, s)| s.contains(p.as_str())), "{p} shown somewhere");
    }
}
