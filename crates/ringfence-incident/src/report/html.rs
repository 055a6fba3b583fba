//! One self-contained HTML5 file: inline style, no scripts, no links, no fonts or images to
//! fetch, so it opens the same offline, years later, from an evidence archive. Every piece of
//! text goes through [`escape`].

use super::doc::{Block, Doc, Inline, Line, PLACEHOLDER, clean_char};

const STYLE: &str = "\
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; font-size: 15px;
  line-height: 1.45; color: #1b1f24; margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #1b1f24; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
tr { page-break-inside: avoid; break-inside: avoid; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em;
  word-break: break-all; }
.warning { border: 2px solid #b3261e; border-left-width: 8px; background: #fdecea;
  padding: .6rem 1rem; margin: 1rem 0; }
.warning strong.title { color: #b3261e; display: block; font-size: 1.05rem; }
.placeholder { border: 1px dashed #8c959f; background: #fafbfc; color: #57606a;
  font-style: italic; padding: .5rem .8rem; }
@page { margin: 1.5cm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2, h3 { page-break-after: avoid; break-after: avoid; }
  .warning, .placeholder { background: none; }
}
";

pub(crate) fn render(doc: &Doc) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str(&format!(
        "<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let level = (*level).clamp(1, 6);
                out.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text)));
            }
            Block::Paragraph(line) => out.push_str(&format!("<p>{}</p>\n", line_html(line))),
            Block::List(items) => list(&mut out, items),
            Block::Table { head, rows } => table(&mut out, head, rows),
            Block::Warning { title, items } => {
                out.push_str("<div class=\"warning\" role=\"note\">\n");
                out.push_str(&format!(
                    "<strong class=\"title\">{}</strong>\n",
                    escape(title)
                ));
                list(&mut out, items);
                out.push_str("</div>\n");
            }
            Block::Placeholder => {
                out.push_str(&format!("<p class=\"placeholder\">{PLACEHOLDER}</p>\n"));
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn list(out: &mut String, items: &[Line]) {
    out.push_str("<ul>\n");
    for item in items {
        out.push_str(&format!("<li>{}</li>\n", line_html(item)));
    }
    out.push_str("</ul>\n");
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<Line>]) {
    out.push_str("<table>\n<thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", line_html(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn line_html(line: &Line) -> String {
    let mut out = String::new();
    for inline in line {
        match inline {
            Inline::Text(s) => out.push_str(&escape(s)),
            Inline::Strong(s) => out.push_str(&format!("<strong>{}</strong>", escape(s))),
            Inline::Code(s) => out.push_str(&format!("<code>{}</code>", escape(s))),
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

/// Escapes text for HTML element content and quoted attribute values. Newlines become
/// `<br>`; control characters, which HTML does not allow, become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars().filter_map(clean_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{code, plain, strong};

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape("a\r\nb\u{0}"), "a<br>b\u{FFFD}");
    }

    #[test]
    fn the_document_is_html5_and_escapes_every_block() {
        let mut doc = Doc {
            title: "<t>".into(),
            ..Doc::default()
        };
        doc.heading(2, "<h>");
        doc.table(vec!["<th>"], vec![vec![vec![strong("<s>"), code("<c>")]]]);
        doc.list(vec![plain("<li>")]);
        let html = render(&doc);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<title>&lt;t&gt;</title>"));
        assert!(html.contains("<h2>&lt;h&gt;</h2>"));
        assert!(html.contains("<th>&lt;th&gt;</th>"));
        assert!(html.contains("<td><strong>&lt;s&gt;</strong><code>&lt;c&gt;</code></td>"));
        assert!(html.contains("<li>&lt;li&gt;</li>"));
        assert!(html.ends_with("</html>\n"));
    }
}
