//! One line of text being typed (the `:` command line, `/` search, a filter, a file name), with
//! the editing keys of a shell prompt: Left/Right, Home/End (and Ctrl-A/Ctrl-E), Backspace,
//! Delete, Ctrl-U (clear to the start), Ctrl-W (delete the word before the cursor), Ctrl-K
//! (clear to the end).
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    chars: Vec<char>,
    /// Cursor position in characters, 0..=len.
    cursor: usize,
}

/// What a key did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text or the cursor changed (or the key was ignored).
    Editing,
    /// Enter: take the text.
    Submit,
    /// Esc: throw it away.
    Abandon,
}

impl LineEdit {
    /// A line holding `text`, cursor at the end.
    pub fn new(text: &str) -> LineEdit {
        let chars: Vec<char> = text.chars().collect();
        LineEdit { cursor: chars.len(), chars }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The text before and after the cursor (for drawing the cursor between them).
    pub fn split(&self) -> (String, String) {
        (self.chars[..self.cursor].iter().collect(), self.chars[self.cursor..].iter().collect())
    }

    pub fn key(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => return Edit::Submit,
            KeyCode::Esc => return Edit::Abandon,
            KeyCode::Char('u') if ctrl => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let end = self.cursor;
                let mut start = end;
                while start > 0 && self.chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !self.chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                self.chars.drain(start..end);
                self.cursor = start;
            }
            KeyCode::Char('k') if ctrl => self.chars.truncate(self.cursor),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.chars.len(),
            KeyCode::Char(c) if !ctrl => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
            }
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.chars.len(),
            _ => {}
        }
        Edit::Editing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(l: &mut LineEdit, code: KeyCode, ctrl: bool) {
        let m = if ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE };
        l.key(&KeyEvent::new(code, m));
    }

    fn typed(l: &mut LineEdit, s: &str) {
        for c in s.chars() {
            press(l, KeyCode::Char(c), false);
        }
    }

    #[test]
    fn edits_in_the_middle_like_a_shell_prompt() {
        let mut l = LineEdit::new("age 65+");
        press(&mut l, KeyCode::Home, false);
        typed(&mut l, "x");
        assert_eq!(l.text(), "xage 65+");
        press(&mut l, KeyCode::Delete, false); // the 'a'
        assert_eq!(l.text(), "xge 65+");
        press(&mut l, KeyCode::End, false);
        press(&mut l, KeyCode::Left, false);
        press(&mut l, KeyCode::Backspace, false); // the '5'
        assert_eq!(l.text(), "xge 6+");
        press(&mut l, KeyCode::Right, false);
        press(&mut l, KeyCode::Right, false); // stays at the end
        assert_eq!(l.cursor(), 6);
    }

    #[test]
    fn ctrl_w_deletes_a_word_and_ctrl_u_clears() {
        let mut l = LineEdit::new("simd 1-2  ");
        press(&mut l, KeyCode::Char('w'), true);
        assert_eq!(l.text(), "simd ");
        press(&mut l, KeyCode::Char('w'), true);
        assert_eq!(l.text(), "");
        let mut l = LineEdit::new("cohort.csv");
        press(&mut l, KeyCode::Left, false);
        press(&mut l, KeyCode::Left, false);
        press(&mut l, KeyCode::Char('u'), true);
        assert_eq!(l.text(), "sv");
        assert_eq!(l.cursor(), 0);
        let mut e = LineEdit::new("x");
        assert_eq!(e.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)), Edit::Submit);
        assert_eq!(e.key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)), Edit::Abandon);
    }
}
