//! Lockfile version 1 (npm 5 and 6): a `dependencies` tree that mirrors `node_modules`,
//! each entry with the names it `requires` and the packages nested below it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ringfence_package::Ecosystem;
use serde::Deserialize;

use super::common::{DepKind, Manifest, alias_target, git_commit, is_plain_version};
use super::tree::{Holds, Tree};
use super::wire::Names;
use crate::{LineIndex, Package};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DependencyV1Wire {
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    dev: bool,
    optional: bool,
    requires: Names,
    dependencies: Option<BTreeMap<String, DependencyV1Wire>>,
}

/// The roots are the package.json's dependencies where one sits beside the lockfile;
/// otherwise the top-level packages that no other package requires.
pub(super) fn build(
    dependencies: BTreeMap<String, DependencyV1Wire>,
    manifest: Option<Manifest>,
    text: &str,
    lines: &LineIndex,
) -> Vec<Package> {
    let offsets = super::json_keys::key_offsets(text, location_of_key);
    let mut tree = Tree::default();
    // Depth-first without recursion: (folder, entries installed in its node_modules).
    let mut pending = vec![(String::new(), dependencies)];
    while let Some((folder, entries)) = pending.pop() {
        for (name, entry) in entries {
            let key = if folder.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{folder}/node_modules/{name}")
            };
            let mut package = to_package(&name, &entry);
            package.line = offsets.get(&key).map(|&o| lines.line_of_offset(o));
            let requires = entry
                .requires
                .0
                .into_iter()
                .map(|n| (n, DepKind::Prod))
                .collect();
            if let Some(children) = entry.dependencies {
                pending.push((key.clone(), children));
            }
            tree.add_package(key, package, requires);
        }
    }
    match manifest {
        Some(manifest) => {
            let roots = manifest.deps.into_iter().map(|(n, _, k)| (n, k)).collect();
            tree.add(String::new(), Holds::Project, roots);
            tree.finish(false)
        }
        None => tree.finish(true),
    }
}

fn to_package(name: &str, entry: &DependencyV1Wire) -> Package {
    let raw = entry.version.as_deref().unwrap_or("").trim();
    let (name, version, commit) = if let Some((real, version)) = alias_target(raw) {
        (real, version, None)
    } else if is_plain_version(raw) {
        (name, raw, None)
    } else {
        // A git URL, `file:` path or tarball URL stands where the version would.
        (name, "", git_commit(raw))
    };
    let mut package = Package::new(Ecosystem::Npm, name, version);
    package.commit = commit.or_else(|| entry.resolved.as_deref().and_then(git_commit));
    package.dev = entry.dev;
    package.optional = entry.optional;
    package.resolved = entry.resolved.clone();
    package.integrity = entry.integrity.clone();
    package
}

/// `dependencies.a.dependencies.b` is the install location `node_modules/a/node_modules/b`.
fn location_of_key(enclosing: &[Cow<'_, str>], key: &str) -> Option<String> {
    if enclosing.len().is_multiple_of(2) || enclosing.iter().step_by(2).any(|k| k != "dependencies")
    {
        return None;
    }
    let mut location = String::new();
    for name in enclosing
        .iter()
        .skip(1)
        .step_by(2)
        .map(|k| &**k)
        .chain([key])
    {
        if !location.is_empty() {
            location.push('/');
        }
        location.push_str("node_modules/");
        location.push_str(name);
    }
    Some(location)
}
