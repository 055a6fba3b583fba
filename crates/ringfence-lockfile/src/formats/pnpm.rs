//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! The three differ in how a package is named: v5 `/name/1.2.3_peer@1.0.0`, v6
//! `/name@1.2.3(peer@1.0.0)`, v9 `name@1.2.3` in `packages` with the peer-resolved
//! variants (`name@1.2.3(peer@1.0.0)`) and the graph in `snapshots`. Git, tarball and
//! local packages are keyed by where they come from and carry `name`/`version` fields.
//! v5 and v6 record `dev`/`optional` per package; v9 does not record dev-ness, so it is
//! derived from the importers' dependency groups through the graph.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use ringfence_package::Ecosystem;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::{DependencyGraph, Package, ParseError, Parsed};

type Deps = BTreeMap<String, Text>;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockWire {
    lockfile_version: Option<Text>,
    importers: Option<BTreeMap<String, Option<ImporterWire>>>,
    /// v5/v6 single-project lockfiles keep their importer's groups at the top level.
    dependencies: Option<BTreeMap<String, RefWire>>,
    dev_dependencies: Option<BTreeMap<String, RefWire>>,
    optional_dependencies: Option<BTreeMap<String, RefWire>>,
    packages: Option<BTreeMap<String, Option<PackageWire>>>,
    snapshots: Option<BTreeMap<String, Option<SnapshotWire>>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImporterWire {
    dependencies: Option<BTreeMap<String, RefWire>>,
    dev_dependencies: Option<BTreeMap<String, RefWire>>,
    optional_dependencies: Option<BTreeMap<String, RefWire>>,
}

/// An importer's dependency: the resolved reference (v5), or `{specifier, version}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RefWire {
    Spec { version: Text },
    Plain(Text),
}

impl RefWire {
    fn reference(&self) -> &str {
        match self {
            RefWire::Spec { version } | RefWire::Plain(version) => &version.0,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageWire {
    #[serde(default)]
    resolution: ResolutionWire,
    name: Option<Text>,
    version: Option<Text>,
    dev: Option<bool>,
    optional: Option<bool>,
    dependencies: Option<Deps>,
    optional_dependencies: Option<Deps>,
}

#[derive(Default, Deserialize)]
struct ResolutionWire {
    integrity: Option<String>,
    tarball: Option<String>,
    commit: Option<String>,
    repo: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotWire {
    optional: Option<bool>,
    dependencies: Option<Deps>,
    optional_dependencies: Option<Deps>,
}

/// A YAML scalar as text, whatever YAML typed it as: `lockfileVersion: 5.3` is a float and
/// a dependency locked at `1` is an integer.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            /// `name:` with nothing after it: no reference, which resolves to nothing.
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
        }
        d.deserialize_any(TextVisitor)
    }
}

/// How package keys are spelled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyStyle {
    /// v5 `/name/1.0.0_peer@1` and v6 `/name@1.0.0(peer@1)`, after a registry host or `/`.
    Path,
    /// v9 `name@1.0.0(peer@1)`.
    Plain,
}

/// libyaml takes time quadratic in the nesting of flow collections (`[[[[…`): 80 KB of
/// brackets take many seconds. Lockfiles nest two or three levels, and serde_yaml refuses
/// more than 128 anyway, so deeper input is refused before it is parsed.
const MAX_FLOW_DEPTH: usize = 128;

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    if let Some(line) = too_deep(text) {
        let message = format!("flow collections nested deeper than {MAX_FLOW_DEPTH} levels");
        return Err(ParseError::new(path, Some(line), message));
    }
    let lock: Option<LockWire> =
        serde_yaml::from_str(text).map_err(|e| ParseError::yaml(path, &e))?;
    let Some(lock) = lock else {
        return Ok(Parsed::default()); // an empty document, comments at most
    };
    let packages = lock.packages.unwrap_or_default();
    let snapshots = lock.snapshots.unwrap_or_default();
    let style = key_style(lock.lockfile_version.as_ref(), &packages);
    let mut found = read_packages(path, text, style, &packages);
    found.read_snapshots(&snapshots);

    let mut graph = DependencyGraph::new(found.parsed.packages.len());
    for (from, deps) in &found.edges {
        for (name, reference) in deps.iter() {
            if let Some(to) = found.resolve(style, name, &reference.0) {
                graph.add_edge(*from, to);
            }
        }
    }
    let root = ImporterWire {
        dependencies: lock.dependencies,
        dev_dependencies: lock.dev_dependencies,
        optional_dependencies: lock.optional_dependencies,
    };
    let importers = lock
        .importers
        .iter()
        .flatten()
        .filter_map(|(_, i)| i.as_ref());
    for importer in std::iter::once(&root).chain(importers) {
        let groups = [
            (&importer.dependencies, false, false),
            (&importer.dev_dependencies, true, false),
            (&importer.optional_dependencies, false, true),
        ];
        for (deps, dev, optional) in groups {
            for (name, reference) in deps.iter().flatten() {
                if let Some(node) = found.resolve(style, name, reference.reference()) {
                    graph.add_root(node, dev, optional);
                }
            }
        }
    }

    let Found {
        mut parsed,
        recorded,
        ..
    } = found;
    graph.apply(&mut parsed.packages, true);
    // What the file records wins over what the graph suggests.
    for (package, flags) in parsed.packages.iter_mut().zip(&recorded) {
        package.dev = flags.dev.unwrap_or(package.dev);
        package.optional = flags.optional.unwrap_or(package.optional);
    }
    Ok(parsed)
}

/// The packages read so far, with what is needed to link them.
struct Found<'a> {
    parsed: Parsed,
    /// Every key (package and snapshot) that names a package, to its index.
    by_key: HashMap<&'a str, usize>,
    /// Per package: the flags the file records, where it does.
    recorded: Vec<Flags>,
    /// Per package or snapshot: what it depends on.
    edges: Vec<(usize, &'a Deps)>,
}

#[derive(Default, Clone, Copy)]
struct Flags {
    dev: Option<bool>,
    optional: Option<bool>,
}

fn read_packages<'a>(
    path: &Path,
    text: &str,
    style: KeyStyle,
    packages: &'a BTreeMap<String, Option<PackageWire>>,
) -> Found<'a> {
    let lines = package_lines(text);
    let mut found = Found {
        parsed: Parsed::default(),
        by_key: HashMap::new(),
        recorded: Vec::new(),
        edges: Vec::new(),
    };
    for (key, wire) in packages {
        let line = lines.get(key.as_str()).copied();
        let warn = |message: String| {
            ParseError::new(path, line, message).with_key(format!("packages[{key:?}]"))
        };
        let Ok((key_name, key_version)) = parse_key(key, style) else {
            let message = format!("invalid dependency path: {key}");
            found.parsed.warnings.push(warn(message));
            continue;
        };
        let field = |f: Option<&Text>| f.map(|t| t.0.clone()).filter(|s| !s.is_empty());
        let name = field(wire.as_ref().and_then(|w| w.name.as_ref())).or(key_name);
        let version = field(wire.as_ref().and_then(|w| w.version.as_ref())).or(key_version);
        let (Some(name), Some(version)) = (name, version) else {
            let message = format!("cannot tell the name and version of `{key}`; skipped");
            found.parsed.warnings.push(warn(message));
            continue;
        };
        let index = found.parsed.packages.len();
        let mut package = Package::new(Ecosystem::Npm, &name, &version);
        package.line = line;
        let mut flags = Flags::default();
        if let Some(wire) = wire {
            let res = &wire.resolution;
            package.integrity = res.integrity.clone();
            package.resolved = res.tarball.clone().or_else(|| res.repo.clone());
            let from_tarball = || tarball_commit(res.tarball.as_deref());
            package.commit = res.commit.clone().or_else(from_tarball);
            if style == KeyStyle::Path {
                // v5/v6 omit `dev` for packages both prod and dev use, and `optional` unless set.
                flags.dev = Some(wire.dev.unwrap_or(false));
                flags.optional = Some(wire.optional.unwrap_or(false));
            }
            found
                .edges
                .extend(wire.dependencies.iter().map(|d| (index, d)));
            found
                .edges
                .extend(wire.optional_dependencies.iter().map(|d| (index, d)));
        }
        found.by_key.insert(key, index);
        found.parsed.packages.push(package);
        found.recorded.push(flags);
    }
    found
}

impl<'a> Found<'a> {
    /// v9 snapshots: the graph, and `optional: true` where every variant of a package is.
    fn read_snapshots(&mut self, snapshots: &'a BTreeMap<String, Option<SnapshotWire>>) {
        let mut all_optional: Vec<Option<bool>> = vec![None; self.recorded.len()];
        for (key, snapshot) in snapshots {
            let index = self
                .by_key
                .get(key.as_str())
                .or_else(|| self.by_key.get(strip_peers(key)));
            let Some(&index) = index else {
                continue;
            };
            let optional = snapshot.as_ref().and_then(|s| s.optional).unwrap_or(false);
            let slot = &mut all_optional[index];
            *slot = Some(slot.unwrap_or(true) && optional);
            if let Some(s) = snapshot {
                self.edges.extend(s.dependencies.iter().map(|d| (index, d)));
                self.edges
                    .extend(s.optional_dependencies.iter().map(|d| (index, d)));
            }
            self.by_key.insert(key, index);
        }
        for (flags, all) in self.recorded.iter_mut().zip(all_optional) {
            if flags.optional.is_none() && all == Some(true) {
                flags.optional = Some(true);
            }
        }
    }

    /// The package a dependency reference points at: the reference is a key itself (git,
    /// tarball, aliases) or, with the dependency's name, makes one.
    fn resolve(&self, style: KeyStyle, name: &str, reference: &str) -> Option<usize> {
        if reference.starts_with("link:") {
            return None; // a workspace package: part of the project
        }
        let candidates = match style {
            KeyStyle::Plain => {
                let made = format!("{name}@{reference}");
                let stripped = strip_peers(&made).to_string();
                [reference.to_string(), made, stripped]
            }
            KeyStyle::Path => [
                reference.to_string(),
                format!("/{name}/{reference}"),
                format!("/{name}@{reference}"),
            ],
        };
        candidates
            .iter()
            .find_map(|k| self.by_key.get(k.as_str()).copied())
    }
}

/// v9 and later name packages plainly; before, by path. A file without a version says by
/// its keys.
fn key_style(version: Option<&Text>, packages: &BTreeMap<String, Option<PackageWire>>) -> KeyStyle {
    let major = version.and_then(|v| {
        let v = v.0.trim().trim_matches('\'');
        v.split('.').next()?.parse::<u32>().ok()
    });
    match major {
        Some(m) if m >= 7 => KeyStyle::Plain,
        Some(_) => KeyStyle::Path,
        None if packages.keys().any(|k| k.starts_with('/')) => KeyStyle::Path,
        None => KeyStyle::Plain,
    }
}

/// The name and version a package key spells, where it does (git, tarball and `file:` keys
/// do not, and their entries carry `name`/`version`). `Err` for a key that is no
/// dependency path at all.
fn parse_key(key: &str, style: KeyStyle) -> Result<(Option<String>, Option<String>), ()> {
    if key.starts_with("file:") {
        return Ok((None, None));
    }
    let rest = match style {
        KeyStyle::Plain => key.strip_prefix('/').unwrap_or(key),
        KeyStyle::Path => key.split_once('/').ok_or(())?.1,
    };
    let (name, after) = split_name(rest);
    if name.is_empty() {
        return Err(());
    }
    let version = match (style, after.as_bytes().first()) {
        (_, Some(b'@')) => Some(&after[1..]),
        (KeyStyle::Path, Some(b'/')) => after[1..].split('/').next(),
        _ => None,
    };
    let version = version
        .map(|v| v.split(['(', '_']).next().unwrap_or(v))
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string);
    Ok((Some(name.to_string()), version))
}

/// `@scope/name…` or `name…`, up to the `@` or `/` that ends the name.
fn split_name(s: &str) -> (&str, &str) {
    let start = if s.starts_with('@') {
        match s.find('/') {
            Some(slash) => slash + 1,
            None => return (s, ""),
        }
    } else {
        0
    };
    let end = s[start..].find(['@', '/']).map_or(s.len(), |i| start + i);
    s.split_at(end)
}

/// `name@1.0.0(peer@1)(other@2)` → `name@1.0.0`: the v9 `packages` key of a snapshot.
fn strip_peers(key: &str) -> &str {
    let (name, _) = split_name(key);
    match key[name.len()..].find('(') {
        Some(i) => &key[..name.len() + i],
        None => key,
    }
}

/// Commit of a tarball that a git host serves by commit (`…/tar.gz/<40 hex digits>`).
fn tarball_commit(tarball: Option<&str>) -> Option<String> {
    let (_, last) = tarball?.rsplit_once("/tar.gz/")?;
    let is_sha = last.len() == 40 && last.bytes().all(|b| b.is_ascii_hexdigit());
    is_sha.then(|| last.to_string())
}

/// The line where flow nesting first exceeds [`MAX_FLOW_DEPTH`], if it does. A quick
/// scan, line by line: brackets in quoted scalars and comments do not count, nor ones
/// inside a plain scalar (`a[1]`) outside flow collections; a collection or a quoted
/// scalar only starts a node, after `:`, `-`, `?`, `,` or an opening bracket.
fn too_deep(text: &str) -> Option<u32> {
    let openers = text.matches('[').count() + text.matches('{').count();
    if openers <= MAX_FLOW_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    for (number, line) in text.lines().enumerate() {
        // Skip most lines with single-character searches (memchr, fast even unoptimised).
        if depth == 0 && !line.contains('[') && !line.contains('{') {
            continue;
        }
        let mut quote: Option<u8> = None;
        let mut escaped = false;
        let mut blank_before = true;
        let mut prev: Option<u8> = None; // the last non-blank byte outside quotes
        for &b in line.as_bytes() {
            if let Some(q) = quote {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' if q == b'"' => escaped = true,
                    _ if b == q => (quote, prev) = (None, Some(q)),
                    _ => {}
                }
                continue;
            }
            let blank = b == b' ' || b == b'\t';
            let node_start = matches!(prev, None | Some(b':' | b'-' | b'?' | b','));
            let in_flow = depth > 0;
            match b {
                b'#' if blank_before => break,
                b'\'' | b'"' if node_start || matches!(prev, Some(b'[' | b'{')) => quote = Some(b),
                // Plain scalars cannot hold brackets inside a flow collection.
                b'[' | b'{' if node_start || in_flow => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(u32::try_from(number + 1).unwrap_or(u32::MAX));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if !blank {
                prev = Some(b);
            }
            blank_before = blank;
        }
    }
    None
}

const MAX_KEY_INDENT: usize = 16;

/// Lines of the keys directly under the top-level `packages:` mapping, found once by
/// scanning lines (a key's text also appears inside other entries' values).
fn package_lines(text: &str) -> HashMap<&str, u32> {
    let mut lines = HashMap::new();
    let mut in_packages = false;
    let mut indent = None;
    for (number, line) in text.lines().enumerate() {
        // Keys of interest are indented a few spaces: look no further (hostile input may
        // indent by megabytes).
        let depth = line
            .bytes()
            .take(MAX_KEY_INDENT)
            .take_while(|b| *b == b' ')
            .count();
        let trimmed = &line[depth..];
        if trimmed.is_empty() || trimmed.starts_with('#') || depth == MAX_KEY_INDENT {
            continue;
        }
        if depth == 0 {
            in_packages = trimmed.starts_with("packages:");
            continue;
        }
        if !in_packages || *indent.get_or_insert(depth) != depth {
            continue;
        }
        let key = match trimmed.split_once(": ") {
            Some((k, _)) => k,
            None => trimmed.strip_suffix(':').unwrap_or(trimmed),
        };
        let key = key
            .strip_prefix('\'')
            .and_then(|k| k.strip_suffix('\''))
            .or_else(|| key.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
            .unwrap_or(key);
        let number = u32::try_from(number + 1).unwrap_or(u32::MAX);
        lines.entry(key).or_insert(number);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str, style: KeyStyle) -> (Option<String>, Option<String>) {
        parse_key(k, style).unwrap()
    }

    fn some(name: &str, version: &str) -> (Option<String>, Option<String>) {
        (Some(name.to_string()), Some(version.to_string()))
    }

    #[test]
    fn v5_keys_lose_their_peer_suffix() {
        use KeyStyle::Path;
        assert_eq!(key("/acorn/8.7.0", Path), some("acorn", "8.7.0"));
        assert_eq!(
            key("/acorn-jsx/5.3.2_acorn@8.7.0", Path),
            some("acorn-jsx", "5.3.2")
        );
        assert_eq!(
            key(
                "/@typescript-eslint/parser/5.13.0_eslint@8.10.0+typescript@4.6.2",
                Path
            ),
            some("@typescript-eslint/parser", "5.13.0")
        );
        assert_eq!(
            key("/foo/1.4.0_@types+babel__core@7.1.14", Path),
            some("foo", "1.4.0")
        );
        assert_eq!(
            key(
                "/@typescript-eslint/eslint-plugin/5.13.0_33fffc354ccfa91fbe7d1677b9395a0a",
                Path
            ),
            some("@typescript-eslint/eslint-plugin", "5.13.0")
        );
        // A registry host instead of the leading slash.
        assert_eq!(
            key("registry.npm.example/@foo/bar/1.1.0", Path),
            some("@foo/bar", "1.1.0")
        );
    }

    #[test]
    fn v6_keys_lose_their_parenthesised_peers() {
        use KeyStyle::Path;
        assert_eq!(
            key("/react-dom@18.2.0(react@18.2.0)", Path),
            some("react-dom", "18.2.0")
        );
        assert_eq!(
            key("/@typescript-eslint/types@5.57.1", Path),
            some("@typescript-eslint/types", "5.57.1")
        );
        assert_eq!(
            key(
                "/@scope/x@1.0.0-rc.3(@types/node@20.1.0)(react@18.2.0)",
                Path
            ),
            some("@scope/x", "1.0.0-rc.3")
        );
    }

    #[test]
    fn v9_keys_and_snapshot_keys() {
        use KeyStyle::Plain;
        assert_eq!(key("acorn@8.11.3", Plain), some("acorn", "8.11.3"));

        assert_eq!(
            key("@eslint/eslintrc@2.1.4", Plain),
            some("@eslint/eslintrc", "2.1.4")
        );
        let snapshot = "@typescript-eslint/eslint-plugin@5.62.0(@typescript-eslint/parser@5.62.0(eslint@8.57.0))(eslint@8.57.0)";
        assert_eq!(
            strip_peers(snapshot),
            "@typescript-eslint/eslint-plugin@5.62.0"
        );
        assert_eq!(strip_peers("acorn@8.11.3"), "acorn@8.11.3");
    }

    #[test]
    fn keys_that_spell_no_version_leave_it_to_the_fields() {
        use KeyStyle::{Path, Plain};
        assert_eq!(key("git.example/kevva/is-positive", Path).1, None);
        assert_eq!(key("/foo/bar", Path).1, None);
        assert_eq!(key("file:../a-local-package", Path), (None, None));
        let git = "is-number@https://codeload.example/x/is-number/tar.gz/98e8ff1da1a89f93d1397a24d7413ed15421c139";
        assert_eq!(key(git, Plain), (Some("is-number".to_string()), None));
        assert!(parse_key("invalidpath", Path).is_err());
    }

    #[test]
    fn tarball_commits_are_read_from_codeload_style_urls() {
        let url = "https://codeload.example/chalk/ansi-regex/tar.gz/02fa893d619d3da85411acc8fd4e2eea0e95a9d9";
        assert_eq!(
            tarball_commit(Some(url)).as_deref(),
            Some("02fa893d619d3da85411acc8fd4e2eea0e95a9d9")
        );
        assert_eq!(
            tarball_commit(Some("https://host.example/a/-/a-1.0.0.tgz")),
            None
        );
        assert_eq!(
            tarball_commit(Some("https://host.example/tar.gz/main")),
            None
        );
    }

    #[test]
    fn package_lines_ignore_mentions_outside_the_packages_mapping() {
        let text = "importers:\n  .:\n    dependencies:\n      a:\n        version: 1.0.0(b@2.0.0)\npackages:\n\n  b@2.0.0:\n    resolution: {}\n  '@s/a@1.0.0':\n    dependencies:\n      b@2.0.0: x\nsnapshots:\n  b@2.0.0: {}\n";
        let lines = package_lines(text);
        assert_eq!(lines.get("b@2.0.0"), Some(&8));
        assert_eq!(lines.get("@s/a@1.0.0"), Some(&10));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn flow_depth_counts_only_structural_brackets() {
        let deep = format!("a:\n  b: {}", "[".repeat(MAX_FLOW_DEPTH + 1));
        assert_eq!(too_deep(&deep), Some(2));
        let at_limit = format!(
            "a: {}{}",
            "[".repeat(MAX_FLOW_DEPTH),
            "]".repeat(MAX_FLOW_DEPTH)
        );
        assert_eq!(too_deep(&at_limit), None);
        let many = "a: {b: [c, {d: e}]}\n".repeat(10_000);
        assert_eq!(too_deep(&many), None, "closed collections do not add up");
        let quoted = format!("a: '{0}'\nb: \"{0}\\\"{0}\"\n", "[{".repeat(300));
        assert_eq!(too_deep(&quoted), None);
        let plain = format!("a: x{}\nc: d #{}\n", "[".repeat(300), "{".repeat(300));
        assert_eq!(too_deep(&plain), None);
        let apostrophes = "a: {msg: it's [fine]}\n".repeat(500);
        assert_eq!(too_deep(&apostrophes), None);
    }
}
