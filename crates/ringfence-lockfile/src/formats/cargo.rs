//! `Cargo.lock`, versions 1 to 4. Read with the `toml` crate into a private wire struct
//! rather than the `cargo-lock` crate: we need a handful of fields plus each entry's line,
//! which a `Spanned` wire struct gives and `cargo-lock` does not.
//!
//! Packages without a `source` are the workspace's own members: they are the project, not
//! its dependencies, so they are left out, and what they depend on are the graph's roots.

use std::collections::BTreeMap;
use std::path::Path;

use ringfence_package::Ecosystem;
use serde::Deserialize;

use super::python_toml::{
    DepRef, Located, RootRef, apply_named_graph, commit_after_hash, from_toml,
};
use crate::{LineIndex, Package, ParseError, Parsed};

#[derive(Deserialize)]
struct CargoLockWire {
    #[serde(default)]
    package: Vec<Located<PackageWire>>,
    /// Version 1 lockfiles keep checksums here: `"checksum name version (source)" = "<hex>"`.
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PackageWire {
    name: Option<String>,
    version: Option<String>,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let lock: CargoLockWire = from_toml(path, text)?;
    let index = LineIndex::new(text);
    let mut parsed = Parsed::default();
    let mut deps = Vec::new();
    let mut roots = Vec::new();
    let mut has_members = false;

    for (i, entry) in lock.package.iter().enumerate() {
        let wire = &entry.value;
        let line = entry.line(&index);
        let (Some(name), Some(version)) = (&wire.name, &wire.version) else {
            parsed.warnings.push(super::unnamed_entry(path, line, i));
            continue;
        };
        let Some(source) = &wire.source else {
            // A workspace member: the project itself.
            has_members = true;
            roots.extend(wire.dependencies.iter().map(|d| RootRef {
                dep: dep_ref(d),
                dev: false,
                optional: false,
            }));
            continue;
        };
        let mut package = Package::new(Ecosystem::CratesIo, name, version);
        package.line = Some(line);
        package.resolved = Some(source.clone());
        if source.starts_with("git+") {
            package.commit = commit_after_hash(source);
        }
        let checksum = wire.checksum.clone().or_else(|| {
            let key = format!("checksum {name} {version} ({source})");
            lock.metadata.get(&key)?.as_str().map(str::to_string)
        });
        package.integrity = checksum.map(|hex| format!("sha256:{hex}"));
        parsed.packages.push(package);
        deps.push(wire.dependencies.iter().map(|d| dep_ref(d)).collect());
    }

    let roots = has_members.then_some(roots.as_slice());
    apply_named_graph(&mut parsed.packages, &deps, roots, false);
    Ok(parsed)
}

/// `"name"`, `"name version"` or `"name version (source)"`.
fn dep_ref(entry: &str) -> DepRef {
    let mut parts = entry.split_whitespace();
    DepRef {
        name: parts.next().unwrap_or_default().to_string(),
        version: parts.next().map(str::to_string),
    }
}
