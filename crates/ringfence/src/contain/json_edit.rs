//! Minimal edits to JSON text: set one string value at a key path, leaving every other byte
//! as it was. A package.json is a file people read in review; re-serialising it would reorder
//! or reflow lines that the pin has nothing to do with, and hide the one change that matters.

use std::fmt;

/// Why the text could not be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonEditError {
    pub message: String,
}

impl fmt::Display for JsonEditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JsonEditError {}

fn error(message: impl Into<String>) -> JsonEditError {
    JsonEditError {
        message: message.into(),
    }
}

/// What is at a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    String(String),
    Object,
    Other,
}

/// The value at `path` (keys from the top-level object down), if there is one.
pub fn get(text: &str, path: &[&str]) -> Result<Option<Found>, JsonEditError> {
    let root = parse(text)?;
    let mut node = &root;
    for key in path {
        let Kind::Object(members) = &node.kind else {
            return Ok(None);
        };
        match members.iter().find(|m| m.key == *key) {
            Some(m) => node = &m.value,
            None => return Ok(None),
        }
    }
    Ok(Some(match &node.kind {
        Kind::String(s) => Found::String(s.clone()),
        Kind::Object(_) => Found::Object,
        Kind::Other => Found::Other,
    }))
}

/// Sets the string at `path`, creating the objects on the way that do not exist yet. A new key
/// goes last in its object, indented like its siblings (or one unit deeper than its parent).
/// Fails if something on the way is not an object.
pub fn set_string(text: &str, path: &[&str], value: &str) -> Result<String, JsonEditError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(error("an empty key path"));
    };
    let root = parse(text)?;
    let style = Style::detect(text);
    let mut node = &root;
    let mut walked: Vec<&str> = Vec::new();
    for (depth, key) in path.iter().enumerate() {
        let Kind::Object(members) = &node.kind else {
            return Err(error(format!(
                "`{}` is not an object",
                if walked.is_empty() {
                    "the document".to_string()
                } else {
                    walked.join(".")
                }
            )));
        };
        match members.iter().find(|m| m.key == *key) {
            Some(m) if depth == parents.len() => {
                // The last key exists: replace its value, whatever it was.
                let rendered = quote(value);
                return Ok(splice(text, m.value.start, m.value.end, &rendered));
            }
            Some(m) => {
                walked.push(key);
                node = &m.value;
            }
            None => {
                let rest = &path[depth..];
                return Ok(insert_member(text, node, members, rest, value, &style));
            }
        }
    }
    // Unreachable: the loop returns at the last key.
    Err(error(format!("cannot set `{last}`")))
}

/// Indentation unit and line ending of a document.
struct Style {
    unit: String,
    newline: &'static str,
}

impl Style {
    /// The unit is the leading whitespace of the first indented line (2 spaces if none is).
    fn detect(text: &str) -> Style {
        let unit = text
            .lines()
            .map(|l| {
                let trimmed = l.trim_start_matches([' ', '\t']);
                &l[..l.len() - trimmed.len()]
            })
            .find(|ws| !ws.is_empty())
            .unwrap_or("  ")
            .to_string();
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        Style { unit, newline }
    }
}

/// Adds `"rest[0]": …` as the last member of `object`; deeper keys become nested objects.
fn insert_member(
    text: &str,
    object: &Node,
    members: &[Member],
    rest: &[&str],
    value: &str,
    style: &Style,
) -> String {
    let nl = style.newline;
    match members.last() {
        Some(last) => {
            let before_key = &text[..last.key_start];
            let line_start = before_key.rfind('\n').map_or(0, |i| i + 1);
            let lead = &text[line_start..last.key_start];
            let multi_line = lead.chars().all(|c| c == ' ' || c == '\t')
                && text[object.start..last.key_start].contains('\n');
            if multi_line {
                let member = render(rest, value, Some((lead, style)));
                splice(
                    text,
                    last.value.end,
                    last.value.end,
                    &format!(",{nl}{lead}{member}"),
                )
            } else {
                let member = render(rest, value, None);
                splice(text, last.value.end, last.value.end, &format!(", {member}"))
            }
        }
        None => {
            // `{}`: open it up, one unit deeper than the line the brace is on.
            let line_start = text[..object.start].rfind('\n').map_or(0, |i| i + 1);
            let own: String = text[line_start..object.start]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let inner = format!("{own}{}", style.unit);
            let member = render(rest, value, Some((&inner, style)));
            splice(
                text,
                object.start + 1,
                object.end - 1,
                &format!("{nl}{inner}{member}{nl}{own}"),
            )
        }
    }
}

/// `"a": {"b": "value"}`, multi-line when `indent` (the member's own) is given.
fn render(keys: &[&str], value: &str, indent: Option<(&str, &Style)>) -> String {
    match keys.split_first() {
        None => quote(value),
        Some((key, [])) => format!("{}: {}", quote(key), quote(value)),
        Some((key, deeper)) => match indent {
            Some((own, style)) => {
                let inner = format!("{own}{}", style.unit);
                let nl = style.newline;
                format!(
                    "{}: {{{nl}{inner}{}{nl}{own}}}",
                    quote(key),
                    render(deeper, value, Some((&inner, style)))
                )
            }
            None => format!("{}: {{{}}}", quote(key), render(deeper, value, None)),
        },
    }
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn splice(text: &str, start: usize, end: usize, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..start]);
    out.push_str(with);
    out.push_str(&text[end..]);
    out
}

/// A JSON value and the byte range it spans.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<Member>),
    String(String),
    Other,
}

#[derive(Debug)]
struct Member {
    key: String,
    key_start: usize,
    value: Node,
}

/// Parses the whole text as one JSON value (a leading byte-order mark is allowed).
fn parse(text: &str) -> Result<Node, JsonEditError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: start,
        depth: 0,
    };
    p.skip_ws();
    let node = p.value()?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.fail("unexpected text after the JSON value"));
    }
    Ok(node)
}

/// Nesting deeper than this is refused rather than recursed into.
const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn fail(&self, what: &str) -> JsonEditError {
        let mut end = self.pos.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let line = self.text[..end].matches('\n').count() + 1;
        error(format!("not valid JSON (line {line}): {what}"))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonEditError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.fail(&format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self) -> Result<Node, JsonEditError> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => Kind::Object(self.object()?),
            Some(b'[') => {
                self.array()?;
                Kind::Other
            }
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Kind::Other
            }
            Some(b't') => self.literal("true")?,
            Some(b'f') => self.literal("false")?,
            Some(b'n') => self.literal("null")?,
            _ => return Err(self.fail("expected a value")),
        };
        Ok(Node {
            start,
            end: self.pos,
            kind,
        })
    }

    fn nest(&mut self) -> Result<(), JsonEditError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail("nested too deeply"));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Vec<Member>, JsonEditError> {
        self.nest()?;
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(members);
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                return Err(self.fail("expected a key"));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let value = self.value()?;
            members.push(Member {
                key,
                key_start,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(members);
                }
                _ => return Err(self.fail("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<(), JsonEditError> {
        self.nest()?;
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.value()?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.fail("expected `,` or `]`")),
            }
        }
    }

    /// A string literal, decoded (keys are compared decoded).
    fn string(&mut self) -> Result<String, JsonEditError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(self.fail("unterminated string"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.fail("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.fail("bad escape in a string")),
                    }
                }
                c if (c as u32) < 0x20 => return Err(self.fail("control character in a string")),
                c => out.push(c),
            }
        }
    }

    /// The four hex digits after `\u` (and a low surrogate's, after a high one).
    fn unicode_escape(&mut self) -> Result<char, JsonEditError> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) {
            if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                self.pos += 2;
                let low = self.hex4()?;
                if (0xDC00..0xE000).contains(&low) {
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    return char::from_u32(code).ok_or_else(|| self.fail("bad \\u escape"));
                }
            }
            return Ok('\u{fffd}');
        }
        Ok(char::from_u32(high).unwrap_or('\u{fffd}'))
    }

    fn hex4(&mut self) -> Result<u32, JsonEditError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.fail("bad \\u escape"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.fail("bad \\u escape"))?;
        self.pos += 4;
        Ok(code)
    }

    fn number(&mut self) -> Result<(), JsonEditError> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        self.text[start..self.pos]
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| self.fail("bad number"))
    }

    fn literal(&mut self, word: &str) -> Result<Kind, JsonEditError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(Kind::Other)
        } else {
            Err(self.fail("expected a value"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_an_existing_value_in_place() {
        let text = "{\n  \"a\": 1,\n  \"overrides\": {\n    \"debug\": \"4.4.2\"\n  }\n}\n";
        let out = set_string(text, &["overrides", "debug"], "4.4.1").unwrap();
        assert_eq!(
            out,
            "{\n  \"a\": 1,\n  \"overrides\": {\n    \"debug\": \"4.4.1\"\n  }\n}\n"
        );
    }

    #[test]
    fn creates_missing_objects_with_the_documents_indent() {
        let text = "{\n    \"name\": \"x\"\n}";
        let out = set_string(text, &["pnpm", "overrides", "debug"], "4.4.1").unwrap();
        assert_eq!(
            out,
            "{\n    \"name\": \"x\",\n    \"pnpm\": {\n        \"overrides\": {\n            \"debug\": \"4.4.1\"\n        }\n    }\n}"
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["pnpm"]["overrides"]["debug"], "4.4.1");
    }

    #[test]
    fn opens_up_an_empty_object() {
        let text = "{\n\t\"overrides\": {}\n}\n";
        let out = set_string(text, &["overrides", "ms"], "2.1.3").unwrap();
        assert_eq!(
            out,
            "{\n\t\"overrides\": {\n\t\t\"ms\": \"2.1.3\"\n\t}\n}\n"
        );
    }

    #[test]
    fn one_line_documents_stay_on_one_line() {
        let out = set_string(
            r#"{"name":"x","a":[1, 2]}"#,
            &["resolutions", "debug"],
            "1.0.0",
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"name":"x","a":[1, 2], "resolutions": {"debug": "1.0.0"}}"#
        );
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let text = "{\r\n  \"name\": \"x\"\r\n}\r\n";
        let out = set_string(text, &["overrides", "debug"], "1.0.0").unwrap();
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert!(out.contains("\"overrides\": {\r\n    \"debug\""), "{out:?}");
    }

    #[test]
    fn refuses_to_descend_into_a_non_object() {
        let err = set_string(r#"{"overrides": "x"}"#, &["overrides", "debug"], "1").unwrap_err();
        assert!(
            err.message.contains("`overrides` is not an object"),
            "{err}"
        );
        assert!(set_string("{\"a\": }", &["a"], "1").is_err());
        assert!(set_string("{} trailing", &["a"], "1").is_err());
        // A bad escape before a multi-byte character is an error, not a panic.
        let err = set_string("{\n\"a\": \"\\é\"}", &["a"], "1").unwrap_err();
        assert!(err.message.contains("line 2"), "{err}");
    }

    #[test]
    fn keys_are_compared_decoded() {
        let text = r#"{"de\u0062ug": "1", "x": "\ud83d\ude00"}"#;
        assert_eq!(
            get(text, &["debug"]).unwrap(),
            Some(Found::String("1".into()))
        );
        assert_eq!(
            get(text, &["x"]).unwrap(),
            Some(Found::String("\u{1F600}".into()))
        );
        assert_eq!(get(text, &["nope"]).unwrap(), None);
        assert_eq!(get(r#"{"o": {}}"#, &["o"]).unwrap(), Some(Found::Object));
    }
}
