//! The report as a format-neutral document. The content is built once from the record
//! ([`super::build`]); each format only renders these blocks and escapes every piece of text,
//! so no user text reaches the output unescaped whatever section it appears in.

/// A run of text inside a paragraph, list item or table cell. Every string is plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    Text(String),
    Strong(String),
    /// Hashes, ids, lockfile paths.
    Code(String),
    /// A line break inside a cell or paragraph.
    Break,
}

pub(crate) type Line = Vec<Inline>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Level 1 is the report title; sections are 2, questions and stages 3.
    Heading(u8, String),
    Paragraph(Line),
    List(Vec<Line>),
    Table {
        head: Vec<&'static str>,
        rows: Vec<Vec<Line>>,
    },
    /// Something a reader must not miss: forced gates.
    Warning {
        title: String,
        items: Vec<Line>,
    },
    /// A question the record cannot answer; the team fills it in.
    Placeholder,
}

pub(crate) const PLACEHOLDER: &str = "To be answered by the team.";

/// A run of plain text.
pub(crate) fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

pub(crate) fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

pub(crate) fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// A cell or item of plain text only.
pub(crate) fn plain(s: impl Into<String>) -> Line {
    vec![text(s)]
}

/// The blocks, in reading order.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn heading(&mut self, level: u8, s: impl Into<String>) {
        self.blocks.push(Block::Heading(level, s.into()));
    }

    pub fn paragraph(&mut self, line: Line) {
        self.blocks.push(Block::Paragraph(line));
    }

    pub fn list(&mut self, items: Vec<Line>) {
        self.blocks.push(Block::List(items));
    }

    pub fn table(&mut self, head: Vec<&'static str>, rows: Vec<Vec<Line>>) {
        self.blocks.push(Block::Table { head, rows });
    }

    pub fn placeholder(&mut self) {
        self.blocks.push(Block::Placeholder);
    }

    /// A table, or a sentence saying there is nothing to put in it.
    pub fn table_or(&mut self, head: Vec<&'static str>, rows: Vec<Vec<Line>>, empty: &str) {
        if rows.is_empty() {
            self.paragraph(plain(empty));
        } else {
            self.table(head, rows);
        }
    }
}

/// Control characters other than tab and newline are not valid in HTML text and have no
/// business in a report: they become U+FFFD. Carriage returns are dropped (`\r\n` → `\n`).
pub(crate) fn clean_char(c: char) -> Option<char> {
    match c {
        '\r' => None,
        '\t' | '\n' => Some(c),
        c if c.is_control() => Some('\u{FFFD}'),
        c => Some(c),
    }
}
