//! Small text widgets that work in 16 colours and in ASCII: labelled bars and a Lorenz plot.
use crate::tui::theme::{Role, Theme};
use ratatui::text::{Line, Span};

/// One line per (label, value): label, a bar scaled to the largest value, and a text figure.
pub fn bars(items: &[(String, f64, String)], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let label_w = items.iter().map(|i| i.0.chars().count()).max().unwrap_or(0).min(14);
    let fig_w = items.iter().map(|i| i.2.chars().count()).max().unwrap_or(0);
    let bar_w = width.saturating_sub(label_w + fig_w + 3).max(1);
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max);
    items
        .iter()
        .map(|(label, v, fig)| {
            let n = if max > 0.0 { ((v / max) * bar_w as f64).round() as usize } else { 0 };
            let label: String = label.chars().take(label_w).collect();
            Line::from(vec![
                Span::raw(format!("{label:<label_w$} ")),
                Span::styled(theme.bar().repeat(n), theme.style(Role::Bar)),
                Span::raw(" ".repeat(bar_w - n.min(bar_w) + 1)),
                Span::raw(format!("{fig:>fig_w$}")),
            ])
        })
        .collect()
}

/// A Lorenz curve as text: x = share of people (cheapest first), y = share of cost.
pub fn lorenz(points: &[(f64, f64)], width: usize, height: usize, theme: &Theme) -> Vec<Line<'static>> {
    let w = width.saturating_sub(5).max(4);
    let h = height.saturating_sub(1).max(2);
    let mut grid = vec![vec![' '; w]; h];
    for col in 0..w {
        let x = col as f64 / (w - 1) as f64;
        // equality line for reference
        let ey = ((1.0 - x) * (h - 1) as f64).round() as usize;
        if grid[ey][col] == ' ' {
            grid[ey][col] = '.';
        }
        let y = interpolate(points, x);
        let row = ((1.0 - y) * (h - 1) as f64).round() as usize;
        grid[row.min(h - 1)][col] = if theme.ascii { '*' } else { '•' };
    }
    let mut lines = Vec::new();
    for (i, row) in grid.into_iter().enumerate() {
        let axis = if i == 0 {
            "100%"
        } else if i == h - 1 {
            "  0%"
        } else if i == (h - 1) / 2 {
            " 50%"
        } else {
            "    "
        };
        lines.push(Line::from(vec![Span::raw(format!("{axis}|")), Span::styled(row.into_iter().collect::<String>(), theme.style(Role::Bar))]));
    }
    lines.push(Line::from(format!("     people, cheapest first -> 100%")));
    lines
}

fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if x >= a.0 && x <= b.0 {
            if b.0 - a.0 <= f64::EPSILON {
                return b.1;
            }
            return a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0);
        }
    }
    points.last().map(|p| p.1).unwrap_or(0.0)
}

/// Money in compact form for narrow screens: £1.2m, £38k, £950 (GBP in ASCII mode).
pub fn money(x: f64, theme: &Theme) -> String {
    let text = if x.abs() >= 1e6 {
        format!("£{:.1}m", x / 1e6)
    } else if x.abs() >= 1e4 {
        format!("£{:.0}k", x / 1e3)
    } else {
        format!("£{:.0}", x)
    };
    theme.text(&text)
}

/// Money to the pound: £1,234 (GBP 1,234 in ASCII mode).
pub fn pounds(x: f64, theme: &Theme) -> String {
    theme.text(&crate::format::pounds(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn bars_scale_to_the_largest() {
        let t = Theme { color: crate::tui::theme::ColorMode::None, ascii: true };
        let lines = bars(&[("a".into(), 10.0, "10".into()), ("b".into(), 5.0, "5".into())], 20, &t);
        let text: Vec<String> = lines.iter().map(|l| l.spans.iter().map(|s| s.content.to_string()).collect()).collect();
        assert_eq!(text[0].matches('#').count(), 2 * text[1].matches('#').count());
        let u = Theme { color: crate::tui::theme::ColorMode::None, ascii: false };
        assert_eq!(money(38_200_000.0, &u), "£38.2m");
        assert_eq!(money(14_210.0, &t), "GBP 14k");
    }
}

/// A screen section: a rule along the top with the title in it.
pub fn section(title: &str, theme: &Theme) -> ratatui::widgets::Block<'static> {
    use ratatui::widgets::{Block, Borders};
    Block::default().borders(Borders::TOP).border_set(theme.border()).title(format!(" {title} "))
}

/// `text` in exactly `w` columns: padded, or cut with a `~` at the end.
pub fn fit(text: &str, w: usize) -> String {
    let n = text.chars().count();
    if n <= w {
        format!("{text:<w$}")
    } else if w == 0 {
        String::new()
    } else {
        format!("{}~", text.chars().take(w - 1).collect::<String>())
    }
}
