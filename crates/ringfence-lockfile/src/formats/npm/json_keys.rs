//! Where object keys sit in a JSON text. serde_json does not report positions, so the JSON
//! lockfiles (package-lock.json, bun.lock) find each entry's line with one extra linear
//! pass instead of searching the text once per package, which would be quadratic.

use std::borrow::Cow;
use std::collections::HashMap;

/// Scans `text` once and, for every object key, asks `record(enclosing, key)` whether to
/// remember it. `enclosing` holds the keys of the containers around it, outermost first,
/// without the document itself (`""` for an array element's container). Returns the byte
/// offset of the first occurrence of each recorded name.
///
/// The text must already be valid JSON (the scan runs after serde_json accepted it); on
/// anything else it still terminates and returns what it found.
pub(crate) fn key_offsets(
    text: &str,
    mut record: impl FnMut(&[Cow<'_, str>], &str) -> Option<String>,
) -> HashMap<String, usize> {
    let bytes = text.as_bytes();
    let mut found = HashMap::new();
    // Keys of the open containers (the document's own first) and whether each is an object.
    let mut stack: Vec<Cow<str>> = Vec::new();
    let mut is_object: Vec<bool> = Vec::new();
    let mut pending: Option<Cow<str>> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                let mut next = end + 1;
                while next < bytes.len() && bytes[next].is_ascii_whitespace() {
                    next += 1;
                }
                let in_object = is_object.last().copied().unwrap_or(false);
                if in_object && bytes.get(next) == Some(&b':') {
                    let raw = text.get(i..=end.min(bytes.len() - 1)).unwrap_or("");
                    let key = unquote(raw);
                    let enclosing = stack.get(1..).unwrap_or(&[]);
                    if let Some(name) = record(enclosing, &key) {
                        found.entry(name).or_insert(i);
                    }
                    pending = Some(key);
                    i = next + 1;
                } else {
                    i = end + 1;
                }
            }
            open @ (b'{' | b'[') => {
                stack.push(pending.take().unwrap_or_default());
                is_object.push(open == b'{');
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                is_object.pop();
                pending = None;
                i += 1;
            }
            b',' => {
                pending = None;
                i += 1;
            }
            _ => i += 1,
        }
    }
    found
}

/// Index of the closing quote of the string opening at `start` (or the last byte).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j,
            _ => j += 1,
        }
    }
    bytes.len().saturating_sub(1)
}

fn unquote(raw: &str) -> Cow<'_, str> {
    if raw.contains('\\')
        && let Ok(s) = serde_json::from_str::<String>(raw)
    {
        return Cow::Owned(s);
    }
    Cow::Borrowed(raw.trim_start_matches('"').trim_end_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_by_their_enclosing_path() {
        let text = r#"{"packages": {"": {"dependencies": {"a": "1"}}, "node_modules/a": {"x": [ {"a": 1} ]}}, "a": 2, "esc\"aped": {}}"#;
        let found = key_offsets(text, |enclosing, key| {
            (enclosing == ["packages"]).then(|| key.to_string())
        });
        assert_eq!(found.len(), 2);
        assert_eq!(found[""], text.find(r#""": {"#).unwrap());
        assert_eq!(
            found["node_modules/a"],
            text.find("\"node_modules/a\"").unwrap()
        );
        let top = key_offsets(text, |enclosing, key| {
            enclosing.is_empty().then(|| key.to_string())
        });
        assert!(top.contains_key("esc\"aped") && top.contains_key("a"));
    }

    #[test]
    fn garbage_terminates() {
        let found = key_offsets("{\"a\": [[[[\"unterminated", |_, k| Some(k.to_string()));
        assert!(found.contains_key("a"));
        assert!(key_offsets("\\\"", |_, k| Some(k.to_string())).is_empty());
    }
}
