//! GitHub-flavoured Markdown. User text is escaped so that it reads as itself: it cannot end
//! a table cell, start a heading or list, open a link, emphasis, raw HTML or math.

use super::doc::{Block, Doc, Inline, Line, PLACEHOLDER, clean_char};

pub(crate) fn render(doc: &Doc) -> String {
    let mut out = String::new();
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&"#".repeat(usize::from((*level).clamp(1, 6))));
                out.push(' ');
                out.push_str(&escape(text, true));
                out.push('\n');
            }
            Block::Paragraph(line) => {
                out.push_str(&line_md(line, false));
                out.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    out.push_str("- ");
                    out.push_str(&line_md(item, false));
                    out.push('\n');
                }
            }
            Block::Table { head, rows } => table(&mut out, head, rows),
            Block::Warning { title, items } => {
                out.push_str("> [!WARNING]\n> **");
                out.push_str(&escape(title, false));
                out.push_str("**\n>\n");
                for item in items {
                    out.push_str("> - ");
                    out.push_str(&line_md(item, false));
                    out.push('\n');
                }
            }
            Block::Placeholder => {
                out.push_str("> *");
                out.push_str(PLACEHOLDER);
                out.push_str("*\n");
            }
        }
        out.push('\n');
    }
    // One newline at the end of the file, not two.
    out.pop();
    out
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<Line>]) {
    let cells: Vec<String> = head.iter().map(|h| escape_run(h, false, false)).collect();
    out.push_str(&format!("| {} |\n", cells.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| line_md(cell, true)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
}

fn line_md(line: &Line, in_table: bool) -> String {
    let mut out = String::new();
    for inline in line {
        // A table cell holds inlines only: nothing in it can start a block.
        let at_start = !in_table && out.is_empty();
        match inline {
            Inline::Text(s) => out.push_str(&escape_run(s, false, at_start)),
            Inline::Strong(s) if s.trim().is_empty() => out.push_str(&escape(s, false)),
            Inline::Strong(s) => {
                out.push_str("**");
                out.push_str(&escape_run(s.trim(), false, false));
                out.push_str("**");
            }
            Inline::Code(s) => out.push_str(&code_span(s, in_table)),
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

/// Escapes plain text for Markdown, safe anywhere on a line. Newlines become `<br>` so that
/// text never starts a new block; the first character is escaped when it could open one
/// (`#`, `-`, `1.`, leading spaces).
pub fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// `all_hashes` also escapes every `#`, for headings, where a trailing `#` would vanish.
fn escape(s: &str, all_hashes: bool) -> String {
    escape_run(s, all_hashes, true)
}

/// `line_start`: the text begins a line, where block markers count.
fn escape_run(s: &str, all_hashes: bool, line_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().filter_map(clean_char).collect();
    for (i, &c) in chars.iter().enumerate() {
        let at_start = line_start && i == 0;
        match c {
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '$' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '#' if at_start || all_hashes => out.push_str("\\#"),
            '-' | '+' | '=' if at_start => {
                out.push('\\');
                out.push(c);
            }
            // Leading whitespace could make an indented code block.
            ' ' | '\t' if at_start => out.push_str("&#32;"),
            '.' | ')' if line_start && starts_with_number_then(&chars, i) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether `chars[..=i]` reads as an ordered-list marker: digits, then `.` or `)` at `i`,
/// then a space or the end.
fn starts_with_number_then(chars: &[char], i: usize) -> bool {
    i > 0
        && chars[..i].iter().all(|c| c.is_ascii_digit())
        && chars.get(i + 1).is_none_or(|c| *c == ' ' || *c == '\t')
}

/// A code span whose fence is longer than any run of backticks inside it. In a table cell
/// `|` is escaped even inside code, as GitHub splits cells before reading code spans.
fn code_span(s: &str, in_table: bool) -> String {
    let mut content: String = s
        .chars()
        .filter_map(clean_char)
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if content.trim().is_empty() {
        return escape(s, false);
    }
    if in_table {
        content = content.replace('|', "\\|");
    }
    let longest_run = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if content.starts_with('`') || content.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{content}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{code, plain, text};

    #[test]
    fn text_cannot_start_blocks_or_open_inline_markup() {
        assert_eq!(escape_text("# not a heading"), "\\# not a heading");
        assert_eq!(escape_text("- x"), "\\- x");
        assert_eq!(escape_text("12. x"), "12\\. x");
        assert_eq!(escape_text("4.4.2"), "4.4.2");
        assert_eq!(
            escape_text("task #3 [eradication]"),
            "task #3 \\[eradication\\]"
        );
        assert_eq!(escape_text("<b>*x*</b>"), "\\<b\\>\\*x\\*\\</b\\>");
        assert_eq!(escape_text("a\r\nb"), "a<br>b");
        assert_eq!(escape_text("    code?"), "&#32;   code?");
        assert_eq!(escape_text("a\u{7}b"), "a\u{FFFD}b");
        assert_eq!(escape("fix #", true), "fix \\#");
    }

    #[test]
    fn a_pipe_or_newline_stays_inside_its_cell() {
        let mut doc = Doc::default();
        doc.table(
            vec!["a", "b"],
            vec![vec![plain("x | y\nz"), vec![text("h: "), code("p|q")]]],
        );
        let md = render(&doc);
        let row = md.lines().nth(2).unwrap();
        assert_eq!(row, "| x \\| y<br>z | h: `p\\|q` |");
        assert_eq!(md.lines().count(), 3);
    }

    #[test]
    fn code_spans_outlast_backticks_inside_them() {
        assert_eq!(code_span("a`b", false), "``a`b``");
        assert_eq!(code_span("`x", false), "`` `x ``");
        assert_eq!(code_span("p|q", false), "`p|q`");
    }
}
