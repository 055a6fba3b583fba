//! `bun.lock`, bun's text lockfile: JSONC ([`jsonc`]) with a `workspaces` map (`""` is the
//! project) and a `packages` map from install path to a tuple. An npm package is
//! `["name@1.0.0", "<registry>", {dependencies…}, "sha512-…"]`; git, file and workspace
//! packages have other shapes (`["name@github:user/repo#sha", {…}, "<id>"]`). The install
//! path nests like node_modules: `chalk/supports-color` is the supports-color that chalk
//! sees, and a dependency resolves to the nearest such path.

mod jsonc;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ringfence_package::Ecosystem;
use serde::Deserialize;
use serde_json::Value;

use super::npm::common::{DepKind, git_commit, is_plain_version, merge_duplicates, split_spec};
use super::npm::json_keys::key_offsets;
use crate::{DependencyGraph, LineIndex, Package, ParseError, Parsed};

#[derive(Deserialize, Default)]
#[serde(default)]
struct BunLockWire {
    workspaces: BTreeMap<String, WorkspaceWire>,
    packages: BTreeMap<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WorkspaceWire {
    name: Option<String>,
    dependencies: BTreeMap<String, Value>,
    dev_dependencies: BTreeMap<String, Value>,
    optional_dependencies: BTreeMap<String, Value>,
    peer_dependencies: BTreeMap<String, Value>,
}

/// What an install path holds.
enum Holds {
    Package(usize),
    /// One of the project's workspaces: part of the project, not a dependency.
    Workspace,
}

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let cleaned = jsonc::clean(text);
    let lock: BunLockWire =
        serde_json::from_str(&cleaned).map_err(|e| ParseError::json(path, &e))?;
    let lines = LineIndex::new(text);
    let offsets = key_offsets(&cleaned, |enclosing, key| {
        (enclosing == ["packages"]).then(|| key.to_string())
    });
    let line_of = |key: &str| offsets.get(key).map(|&o| lines.line_of_offset(o));

    let mut packages = Vec::new();
    // Parallel to `packages`: the install path and the names it depends on.
    let mut keys: Vec<&str> = Vec::new();
    let mut requires: Vec<Vec<String>> = Vec::new();
    let mut warnings = Vec::new();
    let mut by_key: HashMap<&str, Holds> = HashMap::new();
    for (key, value) in &lock.packages {
        let Some((package, deps)) = read_package(value) else {
            warnings.push(
                ParseError::new(
                    path,
                    line_of(key),
                    "could not read this package: expected [\"name@version\", …]",
                )
                .with_key(format!("packages[{key:?}]")),
            );
            continue;
        };
        match package {
            None => {
                by_key.insert(key, Holds::Workspace);
            }
            Some(mut package) => {
                package.line = line_of(key);
                by_key.insert(key, Holds::Package(packages.len()));
                packages.push(package);
                keys.push(key);
                requires.push(deps);
            }
        }
    }

    let mut graph = DependencyGraph::new(packages.len());
    for (from, (key, deps)) in keys.iter().zip(&requires).enumerate() {
        for dep in deps {
            if let Some(to) = resolve(&by_key, key, dep) {
                graph.add_edge(from, to);
            }
        }
    }
    let mut has_roots = false;
    for (folder, workspace) in &lock.workspaces {
        // A workspace's own overrides are keyed under its name.
        let scope = if folder.is_empty() {
            ""
        } else {
            workspace.name.as_deref().unwrap_or("")
        };
        let fields = [
            (&workspace.dependencies, DepKind::Prod),
            (&workspace.dev_dependencies, DepKind::Dev),
            (&workspace.optional_dependencies, DepKind::Optional),
            (&workspace.peer_dependencies, DepKind::Peer),
        ];
        for (deps, kind) in fields {
            for name in deps.keys() {
                if let Some(at) = resolve(&by_key, scope, name) {
                    let (dev, optional) = kind.root_flags();
                    graph.add_root(at, dev, optional);
                    has_roots = true;
                }
            }
        }
    }
    // bun.lock has no dev/optional flags; the graph from the workspaces tells them.
    graph.apply(&mut packages, has_roots);
    Ok(Parsed {
        packages: merge_duplicates(packages),
        warnings,
    })
}

/// One `packages` tuple: `None` for the project's own workspace packages, the package and
/// the names it depends on otherwise; `None` overall when the tuple is malformed.
#[allow(clippy::type_complexity)]
fn read_package(value: &Value) -> Option<(Option<Package>, Vec<String>)> {
    let tuple = value.as_array()?;
    let ident = tuple.first()?.as_str()?;
    let (name, reference) = split_spec(ident);
    if name.is_empty() {
        return None;
    }
    if reference.starts_with("workspace:") {
        return Some((None, Vec::new()));
    }
    let plain = is_plain_version(reference);
    let version = if plain { reference } else { "" };
    let mut package = Package::new(Ecosystem::Npm, name, version);
    let info_at = tuple
        .iter()
        .skip(1)
        .position(Value::is_object)
        .map(|p| p + 1);
    let info = info_at.and_then(|i| tuple[i].as_object());
    if plain {
        let registry = tuple
            .get(1)
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty());
        package.resolved = registry.map(str::to_string);
    } else {
        package.commit = git_commit(reference);
        package.resolved = Some(reference.to_string());
    }
    package.integrity = info_at
        .and_then(|i| tuple.get(i + 1))
        .and_then(Value::as_str)
        .filter(|s| s.starts_with("sha") && s.contains('-'))
        .map(str::to_string);
    let mut deps = Vec::new();
    for field in ["dependencies", "optionalDependencies", "peerDependencies"] {
        if let Some(map) = info.and_then(|i| i.get(field)).and_then(Value::as_object) {
            deps.extend(map.keys().cloned());
        }
    }
    Some((Some(package), deps))
}

/// The package `name` resolves to from the install path `from`: `from/name`, then each
/// shorter prefix of `from`, then the top level.
fn resolve(by_key: &HashMap<&str, Holds>, from: &str, name: &str) -> Option<usize> {
    let segments = path_names(from);
    let mut candidate = String::new();
    for depth in (0..=segments.len()).rev() {
        candidate.clear();
        for segment in &segments[..depth] {
            candidate.push_str(segment);
            candidate.push('/');
        }
        candidate.push_str(name);
        match by_key.get(candidate.as_str()) {
            Some(Holds::Package(at)) => return Some(*at),
            Some(Holds::Workspace) => return None,
            None => {}
        }
    }
    None
}

/// `chalk/@scope/x/has-flag` → `["chalk", "@scope/x", "has-flag"]`.
fn path_names(key: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = key;
    while !rest.is_empty() {
        let split = if rest.starts_with('@') {
            rest.match_indices('/').nth(1).map(|(i, _)| i)
        } else {
            rest.find('/')
        };
        match split {
            Some(i) => {
                names.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => {
                names.push(rest);
                break;
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_paths_split_into_names() {
        assert_eq!(
            path_names("chalk/@scope/x/has-flag"),
            vec!["chalk", "@scope/x", "has-flag"]
        );
        assert_eq!(path_names("@babel/core"), vec!["@babel/core"]);
        assert!(path_names("").is_empty());
    }
}
