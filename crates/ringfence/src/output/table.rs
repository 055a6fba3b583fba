//! Plain aligned text tables. Colour is applied per cell after padding, so widths are right
//! whether or not the terminal gets the escape codes (anstream strips them when not a TTY).

use std::io::Write;

use owo_colors::{OwoColorize, Style};

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<(String, Style)>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<(String, Style)>) {
        self.rows.push(cells);
    }

    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let cols = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, (text, _)) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(text.chars().count());
            }
        }
        let bold = Style::new().bold();
        for (i, h) in self.header.iter().enumerate() {
            let cell = pad(h, widths[i], i + 1 == cols);
            write!(
                out,
                "{}{}",
                cell.style(bold),
                if i + 1 == cols { "\n" } else { "  " }
            )?;
        }
        for row in &self.rows {
            for (i, (text, style)) in row.iter().enumerate().take(cols) {
                let cell = pad(text, widths[i], i + 1 == cols);
                write!(
                    out,
                    "{}{}",
                    cell.style(*style),
                    if i + 1 == cols { "\n" } else { "  " }
                )?;
            }
        }
        Ok(())
    }
}

fn pad(text: &str, width: usize, last: bool) -> String {
    if last {
        return text.to_string();
    }
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

/// An unstyled cell.
pub fn plain(text: impl Into<String>) -> (String, Style) {
    (text.into(), Style::new())
}

/// A styled cell.
pub fn styled(text: impl Into<String>, style: Style) -> (String, Style) {
    (text.into(), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell() {
        let mut t = Table::new(&["a", "bb"]);
        t.row(vec![plain("long cell"), plain("x")]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        // owo-colors writes escapes for bold headers; strip them to compare layout.
        let plain_text: String = strip(&text);
        assert_eq!(plain_text, "a          bb\nlong cell  x\n");
    }

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
