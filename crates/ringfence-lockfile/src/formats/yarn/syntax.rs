//! The indentation syntax both yarn.lock generations share. Classic (v1) writes
//! `key "value"`, berry writes YAML `key: value`; yarn itself writes only this restricted
//! shape (entries at column 0, fields one indent in, dependency blocks one more), so one
//! line-based reader handles both, keeps every value as the text written (YAML would turn
//! `version: 1.10` into a float) and knows each entry's line.

/// One top-level entry: `spec, spec:` followed by its fields and blocks.
#[derive(Debug, Default)]
pub(super) struct Entry {
    pub specs: Vec<String>,
    pub line: u32,
    pub fields: Vec<(String, String)>,
    /// Blocks (`dependencies:`) with the `key value` pairs directly inside them.
    pub blocks: Vec<(String, Vec<(String, String)>)>,
}

impl Entry {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn block(&self, name: &str) -> &[(String, String)] {
        self.blocks
            .iter()
            .find(|(k, _)| k == name)
            .map_or(&[], |(_, pairs)| pairs.as_slice())
    }
}

/// A syntax error: the 1-based line and what is wrong.
pub(super) type SyntaxError = (u32, String);

pub(super) fn read_entries(text: &str) -> Result<Vec<Entry>, SyntaxError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut field_indent: Option<usize> = None;
    // The open block (index into the entry's blocks) and the indent of its pairs.
    let mut block: Option<usize> = None;
    let mut block_indent: Option<usize> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            entries.push(Entry {
                specs: read_specs(content).map_err(|m| (number, m))?,
                line: number,
                ..Entry::default()
            });
            field_indent = None;
            block = None;
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            return Err((number, "indented line before the first entry".into()));
        };
        let (key, value) = read_pair(content).map_err(|m| (number, m))?;
        let fields_at = *field_indent.get_or_insert(indent);
        if indent <= fields_at {
            match value {
                Some(value) => {
                    entry.fields.push((key, value));
                    block = None;
                }
                None => {
                    block = Some(entry.blocks.len());
                    block_indent = None;
                    entry.blocks.push((key, Vec::new()));
                }
            }
        } else if let Some(open) = block {
            // Pairs directly inside the block; anything nested deeper (berry's
            // `dependenciesMeta: {name: {optional: true}}`) is not needed.
            if *block_indent.get_or_insert(indent) == indent
                && let Some(value) = value
            {
                entry.blocks[open].1.push((key, value));
            }
        }
    }
    Ok(entries)
}

/// `a@^1, "b@npm:2":` → the specs. Berry quotes the whole list as one string, so quoted
/// items are split on `, ` too.
fn read_specs(line: &str) -> Result<Vec<String>, String> {
    let Some(body) = line.strip_suffix(':') else {
        return Err(format!(
            "expected an entry key ending in `:`, found `{line}`"
        ));
    };
    let mut specs = Vec::new();
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let item;
        if rest.starts_with(['"', '\'']) {
            let (text, after) = read_quoted(rest)?;
            item = text;
            rest = after.trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            item = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        specs.extend(
            item.split(", ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(format!("unexpected `{rest}` after an entry key")),
        }
    }
    if specs.is_empty() {
        return Err("empty entry key".into());
    }
    Ok(specs)
}

/// `key "value"` (v1), `key: value` (berry) or `key:` (opens a block).
fn read_pair(content: &str) -> Result<(String, Option<String>), String> {
    let (key, after) = if content.starts_with(['"', '\'']) {
        let (key, after) = read_quoted(content)?;
        (key, after.strip_prefix(':').unwrap_or(after))
    } else {
        let end = content.find(char::is_whitespace).unwrap_or(content.len());
        let token = &content[..end];
        let key = token.strip_suffix(':').unwrap_or(token);
        (key.to_string(), &content[end..])
    };
    let value = after.trim();
    if value.is_empty() {
        return Ok((key, None));
    }
    if value.starts_with(['"', '\'']) {
        let (value, _) = read_quoted(value)?;
        return Ok((key, Some(value)));
    }
    Ok((key, Some(value.to_string())))
}

/// Reads the quoted string `s` starts with; returns it unescaped and the text after it.
fn read_quoted(s: &str) -> Result<(String, &str), String> {
    let quote = s.chars().next().unwrap_or('"');
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == quote {
            // YAML single quotes escape themselves by doubling.
            if quote == '\'' && s[i + 1..].starts_with('\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            return Ok((out, &s[i + 1..]));
        }
        if c == '\\' && quote == '"' {
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, other)) => out.push(other),
                None => break,
            }
            continue;
        }
        out.push(c);
    }
    Err("unterminated quoted string".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_generations() {
        let text = "# comment\n\n\"@a/b@^1\", a@2:\n  version \"1.0.0\"\n  \"resolved\" x#y\n  dependencies:\n    c \"^2\"\n    \"@d/e\" 3\n\nf@npm:1:\n  version: 1.0.0\n  dependencies:\n    g: \"npm:^1\"\n  dependenciesMeta:\n    g:\n      optional: true\n  checksum: abc\n";
        let entries = read_entries(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].specs, vec!["@a/b@^1", "a@2"]);
        assert_eq!(entries[0].line, 3);
        assert_eq!(entries[0].field("resolved"), Some("x#y"));
        assert_eq!(entries[0].block("dependencies").len(), 2);
        assert_eq!(
            entries[0].block("dependencies")[1],
            ("@d/e".into(), "3".into())
        );
        assert_eq!(entries[1].field("version"), Some("1.0.0"));
        assert_eq!(entries[1].field("checksum"), Some("abc"));
        assert_eq!(entries[1].block("dependencies")[0].1, "npm:^1");
        assert!(entries[1].block("dependenciesMeta").is_empty());
    }

    #[test]
    fn berry_keys_split_inside_quotes() {
        let entries = read_entries("\"d@npm:4, d@npm:^4.0.0\":\n  version: 4.3.3\n").unwrap();
        assert_eq!(entries[0].specs, vec!["d@npm:4", "d@npm:^4.0.0"]);
    }

    #[test]
    fn errors_carry_the_line() {
        let err = read_entries("a@1:\n  version \"1.0.0\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("unterminated"));
        assert_eq!(read_entries("a@1\n").unwrap_err().0, 1);
        assert_eq!(read_entries("  version 1\n").unwrap_err().0, 1);
        assert_eq!(read_entries("\"a@1\" junk:\n").unwrap_err().0, 1);
    }
}
