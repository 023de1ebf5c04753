//! Scrolling a list by the usual keys (one line, a page of ten, top, bottom), shared by the
//! screens whose body is one scrolled list.
use crate::tui::keys::Action;

/// The first line shown after `action`, from `at` in a list of `len` lines; None when the
/// action does not scroll.
pub fn scrolled(action: Action, at: usize, len: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match action {
        Action::Down => (at + 1).min(last),
        Action::PageDown => (at + 10).min(last),
        Action::Up => at.saturating_sub(1),
        Action::PageUp => at.saturating_sub(10),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_stays_inside_the_list() {
        assert_eq!(scrolled(Action::Down, 4, 5), Some(4));
        assert_eq!(scrolled(Action::PageDown, 0, 25), Some(10));
        assert_eq!(scrolled(Action::PageUp, 3, 25), Some(0));
        assert_eq!(scrolled(Action::Bottom, 0, 0), Some(0));
        assert_eq!(scrolled(Action::Enter, 3, 25), None);
    }
}
