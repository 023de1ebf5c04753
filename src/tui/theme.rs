//! Colours and glyphs. 16 colours by default (old terminals over SSH), 256 or truecolor when the
//! terminal says so, none at all with NO_COLOR, and ASCII-only glyphs with `--ascii`.
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    None,
    Basic16,
    Ansi256,
    TrueColor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    Header,
    Selected,
    Dim,
    Accent,
    Warn,
    Bar,
    Hri,
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: ColorMode,
    pub ascii: bool,
}

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    /// From the environment: NO_COLOR (any value) turns colour off; COLORTERM=truecolor|24bit
    /// or TERM=*256color raise the palette.
    pub fn detect(ascii: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").map(|v| !v.is_empty()).unwrap_or(false);
        let colorterm = std::env::var("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        let term = std::env::var("TERM").unwrap_or_default();
        let color = if no_color || term == "dumb" {
            ColorMode::None
        } else if colorterm == "truecolor" || colorterm == "24bit" {
            ColorMode::TrueColor
        } else if term.contains("256color") {
            ColorMode::Ansi256
        } else {
            ColorMode::Basic16
        };
        Theme { color, ascii }
    }

    pub fn plain() -> Theme {
        Theme { color: ColorMode::None, ascii: false }
    }

    pub fn style(&self, role: Role) -> Style {
        let base = Style::default();
        let styled = match role {
            Role::Title => base.add_modifier(Modifier::BOLD),
            Role::Header => base.add_modifier(Modifier::BOLD),
            Role::Selected => base.add_modifier(Modifier::REVERSED),
            Role::Dim => base,
            Role::Accent | Role::Warn | Role::Bar | Role::Hri => base,
        };
        let fg = match (self.color, role) {
            (ColorMode::None, _) => None,
            (_, Role::Title) => Some(Color::Cyan),
            (_, Role::Header) => Some(Color::Yellow),
            (_, Role::Dim) => Some(Color::DarkGray),
            (_, Role::Accent) => Some(Color::Cyan),
            (_, Role::Warn) => Some(Color::Red),
            (ColorMode::TrueColor, Role::Bar) => Some(Color::Rgb(86, 156, 214)),
            (ColorMode::Ansi256, Role::Bar) => Some(Color::Indexed(74)),
            (_, Role::Bar) => Some(Color::Blue),
            (_, Role::Hri) => Some(Color::Magenta),
            (_, Role::Selected) => None,
        };
        match fg {
            Some(c) => styled.fg(c),
            None => styled,
        }
    }

    pub fn border(&self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::PLAIN
        }
    }

    pub fn bar(&self) -> &'static str {
        if self.ascii {
            "#"
        } else {
            "█"
        }
    }

    /// A contact on the timeline.
    pub fn mark(&self) -> &'static str {
        if self.ascii {
            "o"
        } else {
            "●"
        }
    }

    /// An interval (stay, package) on the timeline.
    pub fn span(&self) -> &'static str {
        if self.ascii {
            "="
        } else {
            "▬"
        }
    }

    pub fn spinner(&self, tick: usize) -> &'static str {
        const UNI: [&str; 8] = ["⠋", "⠙", "⠸", "⠴", "⠦", "⠇", "⠏", "⠹"];
        const ASC: [&str; 4] = ["|", "/", "-", "\\"];
        if self.ascii {
            ASC[tick % ASC.len()]
        } else {
            UNI[tick % UNI.len()]
        }
    }

    /// Text for the screen: in ASCII mode the pound sign becomes "GBP " and "…" becomes "..".
    pub fn text(&self, s: &str) -> String {
        if self.ascii {
            s.replace('£', "GBP ").replace('…', "..")
        } else {
            s.to_string()
        }
    }

    pub fn pointer(&self) -> &'static str {
        if self.ascii {
            ">"
        } else {
            "▶"
        }
    }
}
