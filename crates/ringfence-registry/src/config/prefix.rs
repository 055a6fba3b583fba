//! npm's "local prefix": the project root whose `.npmrc` is the project config. npm walks up
//! from the working directory to the first folder with a `package.json` or `node_modules`,
//! and moves further up when an ancestor declares that folder as one of its workspaces.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// A `package.json` larger than this is not read for workspaces.
const MAX_PACKAGE_JSON: u64 = 8 * 1024 * 1024;

pub(crate) fn local_prefix(cwd: &Path) -> PathBuf {
    let mut prefix: Option<&Path> = None;
    for dir in cwd.ancestors() {
        let has_package_json = dir.join("package.json").is_file();
        match prefix {
            None => {
                if has_package_json || dir.join("node_modules").is_dir() {
                    prefix = Some(dir);
                }
            }
            Some(found) => {
                if has_package_json && workspaces_include(dir, found) {
                    return dir.to_path_buf();
                }
            }
        }
    }
    prefix.unwrap_or(cwd).to_path_buf()
}

/// Whether `root/package.json` lists `member` under `workspaces` (array or `{packages}`).
fn workspaces_include(root: &Path, member: &Path) -> bool {
    let Ok(relative) = member.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<&str> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    let path = root.join("package.json");
    let too_big = fs::metadata(&path).map_or(true, |m| m.len() > MAX_PACKAGE_JSON);
    if too_big {
        return false;
    }
    let Ok(text) = fs::read(&path) else {
        return false;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return false;
    };
    let workspaces = json.get("workspaces");
    let patterns = workspaces
        .and_then(|w| w.get("packages"))
        .or(workspaces)
        .and_then(|w| w.as_array());
    patterns
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .any(|pattern| {
            let pattern: Vec<&str> = pattern
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .collect();
            glob_match(&pattern, &parts)
        })
}

/// Path glob over components: `**` spans any number of components, `*` and `?` work inside
/// one. Negated patterns (`!x`) never match.
fn glob_match(pattern: &[&str], parts: &[&str]) -> bool {
    match pattern.split_first() {
        None => parts.is_empty(),
        Some((&"**", rest)) => (0..=parts.len()).any(|skip| glob_match(rest, &parts[skip..])),
        Some((first, rest)) => match parts.split_first() {
            Some((part, parts_rest)) => {
                !first.starts_with('!')
                    && segment_match(first.as_bytes(), part.as_bytes())
                    && glob_match(rest, parts_rest)
            }
            None => false,
        },
    }
}

fn segment_match(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative wildcard matching: linear backtracking on the last `*` only.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(&["packages", "*"], &["packages", "a"]));
        assert!(glob_match(&["**", "a"], &["x", "y", "a"]));
        assert!(glob_match(&["apps", "web-*"], &["apps", "web-shop"]));
        assert!(!glob_match(&["apps", "web-*"], &["apps", "api"]));
        assert!(!glob_match(&["packages", "*"], &["packages", "a", "b"]));
        assert!(!glob_match(&["!packages"], &["packages"]));
    }

    #[test]
    fn workspace_member_uses_the_root_prefix() {
        let root = tempfile::tempdir().unwrap();
        let member = root.path().join("packages").join("a");
        fs::create_dir_all(member.join("src")).unwrap();
        fs::write(
            root.path().join("package.json"),
            r#"{"workspaces":["packages/*"]}"#,
        )
        .unwrap();
        fs::write(member.join("package.json"), "{}").unwrap();
        assert_eq!(local_prefix(&member.join("src")), root.path());

        fs::write(
            root.path().join("package.json"),
            r#"{"workspaces":["other/*"]}"#,
        )
        .unwrap();
        assert_eq!(local_prefix(&member.join("src")), member);
    }
}
