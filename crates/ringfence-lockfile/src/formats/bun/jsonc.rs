//! bun.lock is JSON with trailing commas (and, being JSONC, possibly comments), which
//! serde_json refuses. [`clean`] blanks both out with spaces, outside strings, so the text
//! keeps its length and line breaks: serde_json's error lines and the key offsets found
//! later still point into the original file.

pub(super) fn clean(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = after_string(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') || bytes.get(i + 1) == Some(&b'*') => {
                let end = after_comment(bytes, i);
                for b in &mut out[i..end] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                i = end;
            }
            b',' => {
                let next = skip_blank(bytes, i + 1);
                if matches!(bytes.get(next), Some(b'}' | b']')) {
                    out[i] = b' ';
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, each by a space: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Index just past the string opening at `start` (the end of the text if unterminated).
fn after_string(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Index just past the `//` or `/* */` comment at `start`.
fn after_comment(bytes: &[u8], start: usize) -> usize {
    if bytes.get(start + 1) == Some(&b'/') {
        return bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| start + p);
    }
    bytes[start + 2..]
        .windows(2)
        .position(|w| w == b"*/")
        .map_or(bytes.len(), |p| start + 2 + p + 2)
}

/// The next index at or after `i` that is neither white space nor inside a comment.
fn skip_blank(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => i = after_comment(bytes, i),
            _ => break,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_commas_and_comments_become_spaces() {
        let text = "{\n  // note, with a comma,\n  \"a\": [1, 2,],  /* x */\n  \"b,\": \"}\", /* multi\nline */\n}";
        let cleaned = clean(text);
        assert_eq!(cleaned.len(), text.len());
        assert_eq!(cleaned.lines().count(), text.lines().count());
        let value: serde_json::Value = serde_json::from_str(&cleaned).unwrap();
        assert_eq!(value["a"], serde_json::json!([1, 2]));
        assert_eq!(value["b,"], "}");
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for text in ["\"abc", "/* open", "[1, // x", "\\", "[,", "{\"a\":1,"] {
            let _ = clean(text);
        }
    }
}
