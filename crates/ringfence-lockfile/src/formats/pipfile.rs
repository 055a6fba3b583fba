//! `Pipfile.lock`, pipenv's JSON lockfile.
//!
//! Every top-level object but `_meta` is a group of packages: `default` is production,
//! `develop` is development, and custom categories (pipenv 2022.10+, `docs`, `lint`) are
//! counted as development too, since `pipenv install` leaves them out unless asked. A version
//! present in `default` and another group is reported once, as production.
//!
//! Entries from git keep the commit (`ref`) and an empty version where the lock gives none:
//! the package is in the project even though no release number says which code. Local
//! `path`/`file` entries are the project's own code, not registry packages, and are skipped.
//!
//! The lock is flat, so it does not say which packages the project asked for; the `Pipfile`
//! beside it does, and where it is there its packages are marked `direct`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use ringfence_package::{Ecosystem, normalize_name};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::{LineIndex, Package, ParseError, Parsed};

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    if text.trim().is_empty() {
        return Ok(parsed);
    }
    let top: Ordered = serde_json::from_str(text).map_err(|e| ParseError::json(path, &e))?;
    let lines = LineIndex::new(text);
    let direct = direct_names(path);
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut cursor = KeyCursor::new(text);
    for (group, body) in top.0 {
        if group == "_meta" {
            continue;
        }
        let section_line = cursor.next_key(&group).map(|o| lines.line_of_offset(o));
        let dev = group != "default";
        let entries = match body {
            Group::Entries(entries) => entries,
            Group::Other(what) => {
                let msg = format!("not a group of packages: found {what}, expected an object");
                let err = ParseError::new(path, section_line, msg).with_key(group.as_str());
                parsed.warnings.push(err);
                continue;
            }
        };
        for (name, entry) in entries {
            let line = cursor.next_key(&name).map(|o| lines.line_of_offset(o));
            let key = format!("{group}[{name:?}]");
            let package = match read_entry(&name, entry, dev) {
                Ok(Some(package)) => package,
                Ok(None) => continue,
                Err(why) => {
                    parsed
                        .warnings
                        .push(ParseError::new(path, line, why).with_key(key));
                    continue;
                }
            };
            let id = (package.name.clone(), package.version.clone());
            if let Some(&i) = seen.get(&id) {
                parsed.packages[i].dev &= dev;
                continue;
            }
            let mut package = package;
            package.line = line;
            if direct.contains(&package.name) {
                package.direct = true;
                package.path = vec![package.id()];
            }
            seen.insert(id, parsed.packages.len());
            parsed.packages.push(package);
        }
    }
    Ok(parsed)
}

/// One entry of a group; unknown fields (`markers`, `index`, `extras`) are not needed.
#[derive(serde::Deserialize)]
struct Entry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    path: Option<Value>,
    file: Option<Value>,
}

fn read_entry(name: &str, entry: Value, dev: bool) -> Result<Option<Package>, String> {
    let entry = Entry::deserialize(entry).map_err(|e| format!("unexpected entry: {e}"))?;
    let version = match entry.version.as_deref() {
        Some(v) => match v
            .trim()
            .strip_prefix("===")
            .or_else(|| v.trim().strip_prefix("=="))
        {
            Some(pinned) if !pinned.trim().is_empty() => pinned.trim(),
            _ => return Err(format!("version `{v}` is not an exact `==` pin")),
        },
        None if entry.git.is_some() => "",
        None if entry.path.is_some() || entry.file.is_some() => return Ok(None),
        None => return Err("entry has no version".to_string()),
    };
    let mut package = Package::new(Ecosystem::PyPI, name, version);
    package.dev = dev;
    package.integrity = entry.hashes.into_iter().next();
    if entry.git.is_some() {
        package.resolved = entry.git;
        package.commit = entry.git_ref.filter(|r| !r.is_empty());
    }
    Ok(Some(package))
}

/// Names under `[packages]` and `[dev-packages]` of the `Pipfile` beside the lock, normalised.
/// Missing or unreadable, it only means we cannot tell direct from transitive.
fn direct_names(lockfile: &Path) -> HashSet<String> {
    let pipfile = lockfile.with_file_name("Pipfile");
    let small = std::fs::metadata(&pipfile)
        .is_ok_and(|m| m.is_file() && m.len() <= crate::MAX_LOCKFILE_BYTES);
    let table: Option<toml::Table> = small
        .then(|| std::fs::read_to_string(&pipfile).ok())
        .flatten()
        .and_then(|text| toml::from_str(&text).ok());
    let Some(table) = table else {
        return HashSet::new();
    };
    ["packages", "dev-packages"]
        .iter()
        .filter_map(|group| table.get(*group)?.as_table())
        .flat_map(|t| t.keys())
        .map(|name| normalize_name(Ecosystem::PyPI, name))
        .collect()
}

/// The top-level object, its keys in file order whatever serde_json's map does, so that
/// keys can be found in the text one after the other.
struct Ordered(Vec<(String, Group)>);

/// A top-level value: a group of package entries, in file order, or something else.
enum Group {
    Entries(Vec<(String, Value)>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Ordered, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Group>()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

impl<'de> Deserialize<'de> for Group {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Group, D::Error> {
        struct GroupVisitor;
        impl<'de> Visitor<'de> for GroupVisitor {
            type Value = Group;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Group, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Group::Entries(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Group, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Group::Other("an array"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Group, E> {
                Ok(Group::Other("a string"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Group, E> {
                Ok(Group::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Group, E> {
                Ok(Group::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Group, E> {
                Ok(Group::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Group, E> {
                Ok(Group::Other("a number"))
            }
            fn visit_unit<E>(self) -> Result<Group, E> {
                Ok(Group::Other("null"))
            }
        }
        deserializer.deserialize_any(GroupVisitor)
    }
}

/// Finds object keys (`"name":`) in the text in file order, each search starting where the
/// last one ended, so finding every key costs one pass over the file. Keys that are not
/// found cost a scan to the end; a budget of a few passes keeps a hostile file linear.
struct KeyCursor<'a> {
    text: &'a str,
    at: usize,
    budget: usize,
}

impl<'a> KeyCursor<'a> {
    fn new(text: &'a str) -> KeyCursor<'a> {
        let budget = text.len().saturating_mul(4).saturating_add(4096);
        KeyCursor {
            text,
            at: 0,
            budget,
        }
    }

    /// The offset of the next `"key"` followed by `:`; `None` (and the cursor stays) when the
    /// key is written with escapes we do not reproduce.
    fn next_key(&mut self, key: &str) -> Option<usize> {
        let quoted = serde_json::to_string(key).ok()?;
        let mut from = self.at;
        loop {
            let rest = self.text.get(from..)?;
            if self.budget < rest.len() {
                return None;
            }
            let Some(found) = rest.find(&quoted) else {
                self.budget -= rest.len();
                return None;
            };
            let start = from + found;
            let end = start + quoted.len();
            self.budget -= found + quoted.len();
            if self.text[end..].trim_start().starts_with(':') {
                self.at = end;
                return Some(start);
            }
            from = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row = (String, String, bool, Option<String>, Option<u32>);

    fn rows(parsed: &Parsed) -> Vec<Row> {
        parsed
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.dev,
                    p.commit.clone(),
                    p.line,
                )
            })
            .collect()
    }

    fn row(name: &str, version: &str, dev: bool, commit: Option<&str>, line: u32) -> Row {
        (
            name.into(),
            version.into(),
            dev,
            commit.map(str::to_string),
            Some(line),
        )
    }

    /// The conformance case we diverge on: git entries are kept, with their commit.
    #[test]
    fn git_entries_keep_their_commit() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipenv/no-version.json");
        let parsed = parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            rows(&parsed),
            [
                row(
                    "markupsafe",
                    "",
                    false,
                    Some("b36054111bc1e8bbadb5d0d60158feb72926f467"),
                    19
                ),
                row(
                    "itsdangerous",
                    "",
                    true,
                    Some("de09cad488a4d7c7bbcbcdb8e1c2dfde64325f48"),
                    26
                ),
            ]
        );
        assert_eq!(
            parsed.packages[0].resolved.as_deref(),
            Some("https://github.com/pallets/markupsafe")
        );
        assert!(parsed.warnings.is_empty());
    }

    const LOCK: &str = r#"{
  "_meta": {"hash": {"sha256": "00"}, "pipfile-spec": 6},
  "default": {
    "pypi": {"index": "pypi", "version": "==1.0"},
    "six": {"hashes": ["sha256:aa", "sha256:bb"], "index": "pypi", "version": "==1.16.0"},
    "local": {"editable": true, "path": "."}
  },
  "develop": {
    "six": {"version": "==1.16.0"},
    "Pytest": {"version": "==7.0"},
    "loose": {"version": ">=1"}
  },
  "docs": {"sphinx": {"version": "===7.2"}},
  "broken": []
}"#;

    #[test]
    fn groups_versions_hashes_and_lines() {
        let parsed = parse(Path::new("Pipfile.lock"), LOCK).unwrap();
        assert_eq!(
            rows(&parsed),
            [
                row("pypi", "1.0", false, None, 4),
                row("six", "1.16.0", false, None, 5),
                row("pytest", "7.0", true, None, 10),
                row("sphinx", "7.2", true, None, 13),
            ]
        );
        assert_eq!(parsed.packages[1].integrity.as_deref(), Some("sha256:aa"));
        assert!(
            parsed
                .packages
                .iter()
                .all(|p| !p.direct && p.path.is_empty())
        );
        let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("Pipfile.lock:11 (at develop[\"loose\"])"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].starts_with("Pipfile.lock:14 (at broken)"),
            "{}",
            warnings[1]
        );
    }

    #[test]
    fn the_pipfile_beside_tells_direct_dependencies() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Pipfile"),
            "[packages]\nsix = \"*\"\n\n[dev-packages]\npytest = \"*\"\n",
        )
        .unwrap();
        let parsed = parse(&dir.path().join("Pipfile.lock"), LOCK).unwrap();
        let direct: Vec<(&str, &[String])> = parsed
            .packages
            .iter()
            .filter(|p| p.direct)
            .map(|p| (p.name.as_str(), p.path.as_slice()))
            .collect();
        assert_eq!(
            direct,
            [
                ("six", &["six@1.16.0".to_string()][..]),
                ("pytest", &["pytest@7.0".to_string()][..])
            ]
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = parse(Path::new("x/Pipfile.lock"), "{\n  \"default\": {,}\n}").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.to_string()
                .starts_with("x/Pipfile.lock:2: invalid JSON"),
            "{err}"
        );
        let err = parse(Path::new("Pipfile.lock"), "[1, 2]").unwrap_err();
        assert!(err.message.contains("a JSON object"), "{err}");
        assert!(
            parse(Path::new("Pipfile.lock"), " \n")
                .unwrap()
                .packages
                .is_empty()
        );
    }

    #[test]
    fn escaped_keys_have_no_line_but_are_read() {
        let text = r#"{"default": {"\u0073ix": {"version": "==1"}, "a": {"version": "==2"}}}"#;
        let parsed = parse(Path::new("Pipfile.lock"), text).unwrap();
        let got: Vec<(&str, Option<u32>)> = parsed
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.line))
            .collect();
        assert_eq!(got, [("six", None), ("a", Some(1))]);
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn key_search_stays_linear_on_hostile_input() {
        // 20k escaped keys that are never found verbatim: without the budget this is
        // 20k scans of the whole text.
        let mut text = String::from("{\"default\": {");
        for i in 0..20_000 {
            text.push_str(&format!("\"\\u0061{i}\": {{\"version\": \"==1\"}},"));
        }
        text.push_str("\"z\": {\"version\": \"==1\"}}}");
        let start = std::time::Instant::now();
        let parsed = parse(Path::new("Pipfile.lock"), &text).unwrap();
        assert_eq!(parsed.packages.len(), 20_001);
        assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    }
}
