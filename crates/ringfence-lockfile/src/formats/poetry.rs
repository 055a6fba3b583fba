//! `poetry.lock`, lock versions 1.x and 2.x. Dev-ness is recorded per package (`category`
//! before Poetry 1.2's groups, `groups` from lock version 2.1); the project's own
//! dependencies are not, so packages nobody depends on are taken as the direct ones.

use std::collections::BTreeMap;
use std::path::Path;

use ringfence_package::{Ecosystem, normalize_name};
use serde::Deserialize;

use super::python_toml::{DepRef, FileWire, Located, apply_named_graph, from_toml, pick_file};
use crate::{LineIndex, Package, ParseError, Parsed};

#[derive(Deserialize)]
struct PoetryLockWire {
    #[serde(default)]
    package: Vec<Located<PackageWire>>,
    #[serde(default)]
    metadata: MetadataWire,
}

#[derive(Default, Deserialize)]
struct MetadataWire {
    /// Lock version 1.x keeps the files here, by package name.
    #[serde(default)]
    files: BTreeMap<String, Vec<FileWire>>,
}

#[derive(Deserialize)]
struct PackageWire {
    name: Option<String>,
    version: Option<String>,
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    groups: Option<Vec<String>>,
    source: Option<SourceWire>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    files: Vec<FileWire>,
}

#[derive(Deserialize)]
struct SourceWire {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    resolved_reference: Option<String>,
}

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let lock: PoetryLockWire = from_toml(path, text)?;
    let index = LineIndex::new(text);
    let files_by_name: BTreeMap<String, &Vec<FileWire>> = lock
        .metadata
        .files
        .iter()
        .map(|(name, files)| (normalize_name(Ecosystem::PyPI, name), files))
        .collect();
    let mut parsed = Parsed::default();
    let mut deps = Vec::new();

    for (i, entry) in lock.package.iter().enumerate() {
        let wire = &entry.value;
        let line = entry.line(&index);
        let (Some(name), Some(version)) = (&wire.name, &wire.version) else {
            parsed.warnings.push(super::unnamed_entry(path, line, i));
            continue;
        };
        let mut package = Package::new(Ecosystem::PyPI, name, version);
        package.line = Some(line);
        package.optional = wire.optional;
        package.dev = is_dev(wire);
        if let Some(source) = &wire.source {
            package.resolved = source.url.clone();
            if source.kind.as_deref() == Some("git") {
                package.commit = source.resolved_reference.clone();
            }
        }
        let files = if wire.files.is_empty() {
            files_by_name.get(&package.name).map(|f| f.as_slice())
        } else {
            Some(wire.files.as_slice())
        };
        package.integrity = files.and_then(pick_file).and_then(|f| f.hash.clone());
        deps.push(wire.dependencies.keys().map(|d| DepRef::name(d)).collect());
        parsed.packages.push(package);
    }

    apply_named_graph(&mut parsed.packages, &deps, None, false);
    Ok(parsed)
}

/// Dev when in the old `dev` category, or in groups none of which is `main`.
fn is_dev(wire: &PackageWire) -> bool {
    if wire.category.as_deref() == Some("dev") {
        return true;
    }
    match &wire.groups {
        Some(groups) if !groups.is_empty() => !groups.iter().any(|g| g == "main"),
        _ => false,
    }
}
