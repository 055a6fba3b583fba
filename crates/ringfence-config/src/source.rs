//! Reading the TOML document part by part. Each table (a responder list, one exception, one
//! playbook step) is decoded on its own with serde, so a mistake in one part does not hide the
//! mistakes in the others: every problem is collected with its byte span, then turned into a
//! line and column.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, IntoDeserializer};
use toml_edit::{Item, Key, TableLike, Value};

use crate::error::{Diagnostic, Level};

/// A byte span in the file.
pub(crate) type Span = Range<usize>;

/// The file being read, and every problem found in it so far.
pub(crate) struct Source<'a> {
    text: &'a str,
    path: PathBuf,
    lines: Lines,
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(text: &'a str, path: &Path) -> Source<'a> {
        Source {
            text,
            path: path.to_path_buf(),
            lines: Lines::new(text),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, span: Option<Span>, message: impl Into<String>) {
        let d = self.diagnostic(span, Level::Error, message.into());
        self.errors.push(d);
    }

    pub(crate) fn warn(&mut self, span: Option<Span>, message: impl Into<String>) {
        let d = self.diagnostic(span, Level::Warning, message.into());
        self.warnings.push(d);
    }

    /// The 1-based line of a span's start, for messages that point at another place.
    pub(crate) fn line_of(&self, span: Span) -> usize {
        self.position(span.start).0
    }

    fn diagnostic(&self, span: Option<Span>, level: Level, message: String) -> Diagnostic {
        let (line, column) = self.position(span.map_or(0, |s| s.start));
        Diagnostic {
            path: self.path.clone(),
            line,
            column,
            level,
            message,
        }
    }

    /// 1-based line and character column of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        self.lines.position(self.text, offset)
    }

    /// Decodes one item with serde (`deny_unknown_fields` on the target type makes a typo an
    /// error at the typo). On failure the error is recorded and `None` returned.
    pub(crate) fn decode<T: DeserializeOwned>(&mut self, item: &Item) -> Option<T> {
        let value = match item.clone() {
            Item::None => return None,
            Item::Value(v) => v,
            Item::Table(t) => Value::InlineTable(t.into_inline_table()),
            Item::ArrayOfTables(a) => Value::Array(a.into_array()),
        };
        match T::deserialize(value.into_deserializer()) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().or_else(|| item.span());
                self.error(span, e.message().to_string());
                None
            }
        }
    }

    /// The item as a table, or an error saying what `name` should have been.
    pub(crate) fn table<'i>(&mut self, item: &'i Item, name: &str) -> Option<&'i dyn TableLike> {
        match item.as_table_like() {
            Some(t) => Some(t),
            None => {
                self.error(item.span(), format!("`{name}` must be a table"));
                None
            }
        }
    }

    /// The elements of an array of tables (`[[name]]` or `name = [{...}]`), each as an item.
    pub(crate) fn tables(&mut self, item: &Item, name: &str) -> Vec<Item> {
        match item {
            Item::ArrayOfTables(a) => a.iter().map(|t| Item::Table(t.clone())).collect(),
            Item::Value(Value::Array(a)) => a.iter().map(|v| Item::Value(v.clone())).collect(),
            _ => {
                self.error(
                    item.span(),
                    format!("`{name}` must be an array of tables (`[[{name}]]`)"),
                );
                Vec::new()
            }
        }
    }

    /// Reports every key of `table` that is not in `allowed`, at the key.
    pub(crate) fn unknown_keys(&mut self, table: &dyn TableLike, allowed: &[&str], what: &str) {
        for (name, _) in table.iter() {
            if !allowed.contains(&name) {
                let span = table.key(name).and_then(Key::span);
                let hint = match did_you_mean(name, allowed.iter().copied()) {
                    h if h.is_empty() => format!("; expected one of: {}", allowed.join(", ")),
                    h => h,
                };
                self.error(span, format!("unknown key `{name}` in {what}{hint}"));
            }
        }
    }
}

/// Where the lines of the file start, and how many characters precede every `STRIDE`-th byte,
/// so that a diagnostic's line and column cost a binary search and a short count. Scanning
/// from the start of the file for each diagnostic made a file with an error on each of its
/// lines quadratic: a 260 KB file of unknown keys took 20 s to report.
struct Lines {
    /// The byte offset of every line's first byte; the first is 0.
    starts: Vec<usize>,
    /// `chars[k]`: the characters in the first `k * STRIDE` bytes.
    chars: Vec<usize>,
}

impl Lines {
    const STRIDE: usize = 64;

    fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut chars = Vec::with_capacity(bytes.len() / Self::STRIDE + 1);
        let mut seen = 0;
        chars.push(seen);
        for block in bytes.chunks_exact(Self::STRIDE) {
            seen += count_chars(block);
            chars.push(seen);
        }
        Lines { starts, chars }
    }

    /// 1-based line and character column of `offset`, a character boundary of `text`.
    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        // Lines starting at or before `offset`: at least the first.
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        let column = self.chars_before(text, offset) - self.chars_before(text, line_start) + 1;
        (line, column)
    }

    /// The characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / Self::STRIDE;
        self.chars[block] + count_chars(&text.as_bytes()[block * Self::STRIDE..offset])
    }
}

/// The characters that start in `bytes`: every byte but UTF-8 continuation bytes.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// ` (did you mean `x`?)` when a candidate is a likely typo of `word`, else nothing.
pub(crate) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> String {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion_and_strangers_do_not() {
        let keys = ["findings", "alerts", "severity"];
        assert_eq!(did_you_mean("findngs", keys), " (did you mean `findings`?)");
        assert_eq!(did_you_mean("alert", keys), " (did you mean `alerts`?)");
        assert_eq!(did_you_mean("colour", keys), "");
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let mut src = Source::new("a = 1\nbé = 2\n", Path::new("f.toml"));
        src.error(Some(9..10), "x");
        let d = &src.errors[0];
        assert_eq!((d.line, d.column), (2, 3));
        assert_eq!(d.to_string(), "f.toml:2:3: x");
    }

    #[test]
    fn positions_agree_with_counting_from_the_start() {
        let line = format!("k = \"{}\"\r\n", "é€😀x".repeat(9));
        let text = format!("{}\n\n{}", line.repeat(5), "a".repeat(130));
        let lines = Lines::new(&text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let before = &text[..offset];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let naive = (
                before.matches('\n').count() + 1,
                before[line_start..].chars().count() + 1,
            );
            assert_eq!(lines.position(&text, offset), naive, "offset {offset}");
        }
        assert_eq!(Lines::new("").position("", 0), (1, 1));
    }
}
