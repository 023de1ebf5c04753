//! The one-line header (workspace, year, cohort, busy spinner, screens) and footer (the most
//! useful keys of this screen, or the command line / message).
use crate::tui::app::{App, InputKind, Screen, SCREENS};
use crate::tui::screen::screen_key;
use crate::tui::keys::Action;
use crate::tui::theme::{Role, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn header(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![
        Span::styled("carepath ", theme.style(Role::Title)),
        Span::raw(format!(" {} ", app.workspace_label)),
    ];
    if let Some(y) = &app.year {
        spans.push(Span::raw(format!(" FY {} ", crate::model::year::label(y))));
    }
    let label = crate::tui::explore::header_label(app.screen, &app.explore);
    let label_at = spans.len();
    if let Some(c) = &label {
        spans.push(Span::styled(format!(" {c} "), theme.style(Role::Accent)));
    }
    if app.is_busy() {
        spans.push(Span::styled(format!(" {} busy ", theme.spinner(app.tick)), theme.style(Role::Warn)));
    }
    if app.shown.on {
        spans.push(Span::styled(" SDC ", theme.style(Role::Warn)));
    }
    let tabs: Vec<String> = SCREENS
        .iter()
        .enumerate()
        .map(|(i, s)| if *s == app.screen { format!("[{} {}]", screen_key(i), s.title()) } else { format!("{}", screen_key(i)) })
        .collect();
    let mut left_len: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let right = tabs.join(" ");
    // a long cohort name gives way to the screen tabs (the name is on the cohort screen)
    let over = (left_len + right.chars().count()).saturating_sub(area.width as usize);
    if let (Some(c), true) = (&label, over > 0) {
        let keep = c.chars().count().saturating_sub(over).max(1);
        let short = format!(" {} ", super::widgets::fit(c, keep));
        left_len = left_len + short.chars().count() - spans[label_at].content.chars().count();
        spans[label_at] = Span::styled(short, theme.style(Role::Accent));
    }
    let pad = (area.width as usize).saturating_sub(left_len + right.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme.style(Role::Header)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Lines the footer needs: one, or up to three so that an error is read whole (wrapped) on a
/// narrow screen.
pub fn footer_height(app: &App, width: u16) -> u16 {
    match (&app.input, &app.error) {
        // words wrap whole, so allow for the ragged ends of lines
        (None, Some(e)) if width > 0 => (e.chars().count().div_ceil((width as usize).saturating_sub(10).max(10))).clamp(1, 3) as u16,
        _ => 1,
    }
}

pub fn footer(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let line = if let Some(input) = &app.input {
        let prompt = match input.kind {
            InputKind::Command => ":".to_string(),
            InputKind::Search => "/".to_string(),
            InputKind::Explore(k) => crate::tui::explore::input_prompt(k),
            InputKind::Export(fmt) => format!("export {} (Tab) to folder: ", fmt.extension()),
        };
        let (before, after) = input.line.split();
        let mut after = after.chars();
        let at_cursor = after.next().map(String::from).unwrap_or_else(|| " ".into());
        // Keep the cursor in view on a narrow screen: drop text from the left.
        let room = (area.width as usize).saturating_sub(prompt.chars().count() + 2);
        let skip = before.chars().count().saturating_sub(room);
        let before: String = before.chars().skip(skip).collect();
        Line::from(vec![
            Span::styled(prompt, theme.style(Role::Accent)),
            Span::raw(before),
            Span::styled(at_cursor, theme.style(Role::Selected)),
            Span::raw(after.collect::<String>()),
        ])
    } else if let Some(e) = &app.error {
        Line::from(Span::styled(e.clone(), theme.style(Role::Warn)))
    } else if !app.status.is_empty() {
        Line::from(app.status.clone())
    } else {
        let ctx = app.screen.context();
        let mut hints: Vec<(Action, &str)> = footer_hints(app.screen);
        hints.extend([(Action::Help, "help"), (Action::Quit, "quit")]);
        let text: Vec<String> = hints.iter().map(|(a, label)| format!("{} {label}", app.keys.key_for(ctx, *a))).collect();
        Line::from(Span::styled(text.join("  "), theme.style(Role::Dim)))
    };
    f.render_widget(Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true }), area);
}

/// The most useful keys of a screen, for the footer (the help lists them all).
pub fn footer_hints(screen: Screen) -> Vec<(Action, &'static str)> {
    match screen {
        Screen::Cohort => vec![(Action::Add, "add"), (Action::Edit, "edit"), (Action::Toggle, "on/off"), (Action::Delete, "del"), (Action::Enter, "members"), (Action::Screen6, "pathways"), (Action::Export, "export")],
        Screen::Members => vec![(Action::Enter, "timeline"), (Action::Search, "search"), (Action::Sort, "sort"), (Action::Export, "export"), (Action::Back, "back")],
        Screen::Timeline => vec![
            (Action::Right, "event"),
            (Action::NextPerson, "person"),
            (Action::ZoomIn, "zoom"),
            (Action::CalendarDates, "dates"),
            (Action::Back, "back"),
        ],
        Screen::Overview => vec![(Action::NextYear, "year"), (Action::Screen2, "cohort"), (Action::Screen5, "load report"), (Action::Export, "export")],
        Screen::Load => vec![(Action::Down, "scroll"), (Action::Export, "export")],
        Screen::Change => vec![(Action::NextMeasure, "measure"), (Action::NextArea, "area"), (Action::ByLocality, "localities"), (Action::Enter, "numbers"), (Action::Back, "back")],
        Screen::Cube => vec![(Action::NextMeasure, "measure"), (Action::NextRows, "rows"), (Action::NextCols, "columns"), (Action::NextRate, "rate"), (Action::Sort, "sort"), (Action::Enter, "members"), (Action::Back, "back")],
        Screen::Unscheduled => vec![(Action::NextMeasure, "measure"), (Action::UnscheduledSplit, "split"), (Action::Down, "scroll"), (Action::Back, "back")],
        Screen::SocialCare => vec![(Action::NextMeasure, "measure"), (Action::SocialCareSplit, "split"), (Action::Enter, "numbers"), (Action::Down, "scroll"), (Action::Back, "back")],
        Screen::Projections => vec![(Action::Command, "population FILE"), (Action::NextMeasure, "measure"), (Action::NextArea, "area"), (Action::ProjectionLevel, "level"), (Action::Enter, "numbers")],
        Screen::Compare => vec![(Action::NextComparison, "compare with"), (Action::Down, "scroll"), (Action::Command, "against FILE"), (Action::Back, "back")],
        Screen::Delays => vec![(Action::DelaySplit, "split"), (Action::Down, "scroll"), (Action::Suppress, "disclosure"), (Action::Back, "back")],
        Screen::Pathways => vec![(Action::Enter, "people"), (Action::NextIndex, "index"), (Action::LongerWindow, "days"), (Action::Deeper, "steps"), (Action::BeforeAfter, "before"), (Action::NextTarget, "time to"), (Action::Back, "back")],
    }
}
