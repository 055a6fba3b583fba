//! Positions in package.json for evidence: serde_json gives values, not where they were, so
//! keys are found again in the text. A key that cannot be found (escaped in the JSON, for
//! example) gets position 0:0 rather than a wrong one.

use crate::alert::snippet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPosition {
    pub offset: usize,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub snippet: String,
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() as u32 + 1;
    (line, column)
}

/// Finds `"key":` (inside the object `"parent": {` when given) and returns its position and
/// the line around it.
pub fn locate_key(text: &str, parent: Option<&str>, key: &str) -> Option<KeyPosition> {
    let start = match parent {
        Some(parent) => {
            let at = find_key(text, 0, parent)?;
            let rest = &text[at..];
            at + rest.find('{')? + 1
        }
        None => 0,
    };
    let offset = find_key(text, start, key)?;
    let (line, column) = line_col(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line_text = text[line_start..line_end].trim_end_matches('\r');
    Some(KeyPosition {
        offset,
        line,
        column,
        snippet: snippet(line_text, offset - line_start, 120),
    })
}

/// Offset of the opening quote of `"key"` followed by `:`, searching from `from`.
fn find_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let mut at = from;
    while let Some(i) = text.get(at..)?.find(&quoted) {
        let found = at + i;
        let after = text[found + quoted.len()..].trim_start();
        if after.starts_with(':') {
            return Some(found);
        }
        at = found + quoted.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_script_key_inside_scripts_not_elsewhere() {
        let text = "{\n  \"description\": \"postinstall\",\n  \"postinstall\": 1,\n  \"scripts\": {\n    \"postinstall\": \"node x.js\"\n  }\n}";
        let pos = locate_key(text, Some("scripts"), "postinstall").unwrap();
        assert_eq!((pos.line, pos.column), (5, 5));
        assert!(pos.snippet.contains("node x.js"), "{}", pos.snippet);
        assert!(locate_key(text, Some("scripts"), "preinstall").is_none());
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    }
}
