//! Byte offsets → 1-based line and column, and one-line snippets for evidence. Built lazily:
//! most files never need a position.

use crate::alert::snippet;

/// Longest snippet kept in evidence, in characters.
pub const SNIPPET_CHARS: usize = 120;

const WINDOW: usize = 512;

pub struct Lines<'s> {
    source: &'s str,
    starts: Vec<u32>,
}

impl<'s> Lines<'s> {
    pub fn new(source: &'s str) -> Lines<'s> {
        let mut starts = vec![0u32];
        starts.extend(
            memchr::memchr_iter(b'\n', source.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Lines { source, starts }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn position(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(u32::try_from(self.source.len()).unwrap_or(u32::MAX));
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1] as usize;
        let end = floor_char_boundary(self.source, offset as usize);
        let column = self.source.get(start..end).map_or(0, |s| s.chars().count()) + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    /// The text of the line holding `offset`, cut to a short snippet around it.
    pub fn snippet(&self, offset: u32) -> String {
        let offset = (offset as usize).min(self.source.len());
        let line = self
            .starts
            .partition_point(|s| (*s as usize) <= offset)
            .max(1);
        let start = self.starts[line - 1] as usize;
        let end = self
            .starts
            .get(line)
            .map_or(self.source.len(), |e| (*e as usize).saturating_sub(1));
        // Huge minified lines: look only at a window around the offset.
        let start = floor_char_boundary(self.source, start.max(offset.saturating_sub(WINDOW)));
        let end = floor_char_boundary(self.source, end.min(offset + WINDOW).max(start));
        let text = &self.source[start..end];
        let at = floor_char_boundary(text, offset - start.min(offset));
        snippet(text, at, SNIPPET_CHARS)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let src = "a\nbé c\n\nlast";
        let lines = Lines::new(src);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(2), (2, 1));
        assert_eq!(lines.position(src.find('c').unwrap() as u32), (2, 4));
        assert_eq!(lines.position(src.find("last").unwrap() as u32), (4, 1));
        assert_eq!(lines.snippet(src.find('c').unwrap() as u32), "bé c");
    }

    #[test]
    fn huge_lines_give_short_snippets() {
        let src = format!("{}exec(cmd){}", "x".repeat(100_000), "y".repeat(100_000));
        let lines = Lines::new(&src);
        let s = lines.snippet(100_000);
        assert!(s.contains("exec(cmd)"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 2);
    }
}
