//! The `.npmrc` file format as npm reads it: ini `key=value` lines (later lines win, `;` and
//! `#` start comments, quoted values are JSON strings), then `${VAR}` expansion in keys and
//! values. Line numbers are kept so config errors can point at the line.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub key: String,
    pub value: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// Top-level `key=value` entries of an npmrc, in file order. Keys under an `[section]` are
/// skipped, as npm ignores them too.
pub(crate) fn parse(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut in_section = false;
    for (index, physical) in text.split('\n').enumerate() {
        // npm splits on runs of CR and LF alike.
        for line in physical.split('\r') {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with(';') || trimmed.starts_with('#') {
                continue;
            }
            if let Some(inner) = line.strip_prefix('[').map(str::trim_end)
                && let Some(name) = inner.strip_suffix(']')
                && !name.contains(']')
            {
                in_section = true;
                continue;
            }
            if in_section {
                continue;
            }
            let (raw_key, raw_value) = match line.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (line, None),
            };
            if raw_key.is_empty() {
                continue;
            }
            let key = unquote(raw_key);
            if key.is_empty() {
                continue;
            }
            let value = raw_value.map_or_else(|| "true".to_string(), unquote);
            entries.push(Entry {
                key,
                value,
                line: index + 1,
            });
        }
    }
    entries
}

/// ini's `unsafe`: JSON-decode quoted text; otherwise cut at the first unescaped `;` or `#`.
fn unquote(raw: &str) -> String {
    let text = raw.trim();
    let quoted = text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"'))
            || (text.starts_with('\'') && text.ends_with('\'')));
    if quoted {
        let inner = if text.starts_with('\'') {
            &text[1..text.len() - 1]
        } else {
            text
        };
        return match serde_json::from_str::<serde_json::Value>(inner) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => inner.to_string(),
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            if !matches!(c, '\\' | ';' | '#') {
                out.push('\\');
            }
            out.push(c);
            escaped = false;
        } else if c == ';' || c == '#' {
            break;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    if escaped {
        out.push('\\');
    }
    out.trim().to_string()
}

/// npm's `${NAME}` / `${NAME?}` expansion. An unset variable stays as written (or becomes
/// empty with `?`) and is reported so the caller can warn; `\${X}` keeps the text literal.
pub(crate) fn env_replace(text: &str, env: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("${") {
        let dollar = search + found;
        let Some((name, optional, end)) = variable_at(text, dollar + 2) else {
            search = dollar + 1;
            continue;
        };
        let backslashes = text[copied..dollar]
            .bytes()
            .rev()
            .take_while(|b| *b == b'\\')
            .count();
        out.push_str(&text[copied..dollar - backslashes]);
        if backslashes % 2 == 1 {
            // Escaped: half the backslashes (rounded down) stay, the reference stays literal.
            out.push_str(&"\\".repeat(backslashes / 2));
            out.push_str(&text[dollar..end]);
        } else {
            out.push_str(&"\\".repeat(backslashes / 2));
            match env.get(name) {
                Some(value) => out.push_str(value),
                None if optional => {}
                None => {
                    missing.push(name.to_string());
                    out.push_str(&text[dollar..end]);
                }
            }
        }
        copied = end;
        search = end;
    }
    out.push_str(&text[copied..]);
    (out, missing)
}

/// Parses `NAME}` or `NAME?}` starting at `start`; returns the name, whether it had `?`, and
/// the index after `}`.
fn variable_at(text: &str, start: usize) -> Option<(&str, bool, usize)> {
    let rest = &text[start..];
    let len = rest.find(['$', '{', '}', '?'])?;
    if len == 0 {
        return None;
    }
    let name = &rest[..len];
    match &rest.as_bytes()[len..] {
        [b'}', ..] => Some((name, false, start + len + 1)),
        [b'?', b'}', ..] => Some((name, true, start + len + 2)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_keys_values_comments_and_quotes() {
        let text = "; comment\n# other\nregistry = http://127.0.0.1:1/ ; trailing\n\
                    //r.example/:_authToken=abc==\r\n@corp:registry=\"http://corp.example/\"\n\
                    flag\nname='quoted'\nesc=a\\;b\n[section]\nignored=1\n";
        let entries = parse(text);
        let pairs: Vec<(&str, &str, usize)> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("registry", "http://127.0.0.1:1/", 3),
                ("//r.example/:_authToken", "abc==", 4),
                ("@corp:registry", "http://corp.example/", 5),
                ("flag", "true", 6),
                ("name", "quoted", 7),
                ("esc", "a;b", 8),
            ]
        );
    }

    #[test]
    fn expands_environment_like_npm() {
        let vars = env(&[("TOKEN", "t0k"), ("EMPTY", "")]);
        assert_eq!(env_replace("x${TOKEN}y", &vars), ("xt0ky".into(), vec![]));
        assert_eq!(
            env_replace("${MISSING}", &vars),
            ("${MISSING}".into(), vec!["MISSING".into()])
        );
        assert_eq!(env_replace("${MISSING?}", &vars), ("".into(), vec![]));
        assert_eq!(
            env_replace("\\${TOKEN}", &vars),
            ("${TOKEN}".into(), vec![])
        );
        assert_eq!(env_replace("\\\\${TOKEN}", &vars), ("\\t0k".into(), vec![]));
        assert_eq!(env_replace("${EMPTY}!", &vars), ("!".into(), vec![]));
        assert_eq!(
            env_replace("$ {X} ${} ${A", &vars),
            ("$ {X} ${} ${A".into(), vec![])
        );
    }

    #[test]
    fn hostile_text_does_not_panic() {
        let text = "=\n==\n[\n]\n\u{0}=\u{ffff}\n'\n\"\n${${${\n".repeat(100);
        let _ = parse(&text);
        let _ = env_replace(&text, &BTreeMap::new());
    }
}
