//! Lockfile versions 2 and 3: the flat `packages` map, keyed by install location
//! (`""` is the project, `node_modules/a/node_modules/b` a nested install, `packages/web` a
//! workspace folder).

use std::collections::BTreeMap;

use ringfence_package::Ecosystem;
use serde::Deserialize;

use super::common::{DepKind, git_commit};
use super::tree::{Holds, Tree, name_from_key};
use super::wire::Names;
use crate::{LineIndex, Package};

/// One entry of `packages`, as npm writes it.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct PackageWire {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    dev: bool,
    optional: bool,
    dev_optional: bool,
    link: bool,
    dependencies: Names,
    dev_dependencies: Names,
    optional_dependencies: Names,
    peer_dependencies: Names,
    workspaces: Option<serde_json::Value>,
}

pub(super) fn build(
    packages: BTreeMap<String, PackageWire>,
    text: &str,
    lines: &LineIndex,
) -> Vec<Package> {
    let offsets = super::json_keys::key_offsets(text, |enclosing, key| {
        (enclosing == ["packages"]).then(|| key.to_string())
    });
    let workspaces = packages
        .get("")
        .map(|root| workspace_patterns(root.workspaces.as_ref()))
        .unwrap_or_default();
    let mut tree = Tree::default();
    for (key, mut entry) in packages {
        let is_project = key.is_empty() || workspaces.iter().any(|p| glob_match(p, &key));
        if is_project {
            let requires = requires_of(&mut entry, true);
            tree.add(key, Holds::Project, requires);
            continue;
        }
        if entry.link {
            let target = entry.resolved.unwrap_or_default();
            tree.add(key, Holds::Link(target), Vec::new());
            continue;
        }
        let requires = requires_of(&mut entry, false);
        let name = entry
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| name_from_key(&key));
        let version = entry.version.as_deref().unwrap_or("");
        let version = if version.starts_with("file:") {
            ""
        } else {
            version
        };
        let mut package = Package::new(Ecosystem::Npm, name, version);
        package.dev = entry.dev || entry.dev_optional;
        package.optional = entry.optional || entry.dev_optional;
        package.commit = entry.resolved.as_deref().and_then(git_commit);
        package.resolved = entry.resolved;
        package.integrity = entry.integrity;
        package.line = offsets.get(&key).map(|&o| lines.line_of_offset(o));
        tree.add_package(key, package, requires);
    }
    tree.finish(false)
}

/// What a location requires. The project and its workspaces also install their dev
/// dependencies; an installed package's dev dependencies are not installed.
fn requires_of(entry: &mut PackageWire, is_project: bool) -> Vec<(String, DepKind)> {
    let mut out = Vec::new();
    let fields = [
        (std::mem::take(&mut entry.dependencies), DepKind::Prod),
        (
            std::mem::take(&mut entry.optional_dependencies),
            DepKind::Optional,
        ),
        (std::mem::take(&mut entry.peer_dependencies), DepKind::Peer),
        (std::mem::take(&mut entry.dev_dependencies), DepKind::Dev),
    ];
    for (names, kind) in fields {
        if kind == DepKind::Dev && !is_project {
            continue;
        }
        out.extend(names.0.into_iter().map(|n| (n, kind)));
    }
    out
}

/// The root's `workspaces`: a list of folder globs, or `{ "packages": [...] }`.
fn workspace_patterns(value: Option<&serde_json::Value>) -> Vec<String> {
    let list = match value {
        Some(serde_json::Value::Array(list)) => list,
        Some(serde_json::Value::Object(map)) => match map.get("packages") {
            Some(serde_json::Value::Array(list)) => list,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.iter()
        .filter_map(|v| v.as_str())
        .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Folder glob as npm's workspaces use them: `*` within one segment, `**` any segments.
fn glob_match(pattern: &str, path: &str) -> bool {
    let mut segments: Vec<&str> = Vec::new();
    for segment in pattern.split('/') {
        // `**/**` is `**`; collapsing keeps a hostile pattern from going exponential.
        if !(segment == "**" && segments.last() == Some(&"**")) {
            segments.push(segment);
        }
    }
    let path: Vec<&str> = path.split('/').collect();
    // No real workspace glob is this deep; the bound keeps the recursion shallow.
    segments.len() <= 64 && segments_match(&segments, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => path
            .split_first()
            .is_some_and(|(seg, tail)| segment_match(first, seg) && segments_match(rest, tail)),
    }
}

fn segment_match(pattern: &str, segment: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == segment;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !segment.starts_with(first) || !segment[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &segment[first.len()..segment.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_globs() {
        assert!(glob_match("packages/*", "packages/web"));
        assert!(!glob_match("packages/*", "packages/web/node_modules/x"));
        assert!(glob_match("apps/**", "apps/a/b"));
        assert!(glob_match("libs/ui-*", "libs/ui-kit"));
        assert!(!glob_match("libs/ui-*", "libs/core"));
        assert!(glob_match("tools", "tools"));
    }
}
