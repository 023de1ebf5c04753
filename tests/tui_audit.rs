//! Person-level views in the explorer are audited: showing the Members screen leaves one row,
//! opening a timeline one row, each with the OS user (from `id -un`, not `$USER`), and building
//! a cohort without looking at its people leaves none.
mod tui_support;
use crossterm::event::KeyCode;
use tui_support::Harness;

fn rows(h: &Harness) -> Vec<(String, String, String)> {
    let mut st = h.ctx.conn.prepare("SELECT action, username, coalesce(query, detail, '') FROM audit_log ORDER BY logged_at, rowid").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
}

fn os_user() -> String {
    let out = std::process::Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn members_and_timeline_views_leave_one_audit_row_each_with_the_os_user() {
    // $USER says someone else: the log must not believe it.
    std::env::set_var("USER", "somebody-else");
    let mut h = Harness::open("audit");
    let before = rows(&h).len();
    h.char('2');
    h.char('a');
    h.type_text("age 65+");
    h.key(KeyCode::Enter);
    assert_eq!(rows(&h).len(), before, "building a cohort shows nobody: no audit row");

    h.key(KeyCode::Enter); // the Members screen
    let after_members = rows(&h);
    assert_eq!(after_members.len(), before + 1, "one row for the members page: {after_members:?}");
    let (action, user, _) = &after_members[before];
    assert!(action.contains("members"), "{action}");
    assert_eq!(user, &os_user());

    h.key(KeyCode::Enter); // the first member's timeline
    let person = h.app.explore.timeline.as_ref().expect("timeline").person.anon_chi.clone();
    let after_timeline = rows(&h);
    assert_eq!(after_timeline.len(), before + 2, "one row for the timeline: {after_timeline:?}");
    let (action, user, query) = &after_timeline[before + 1];
    assert!(action.contains("timeline"), "{action}");
    assert_eq!(user, &os_user());
    assert!(query.contains(&person), "the row names the person by pseudonym ({person}): {query}");
}
