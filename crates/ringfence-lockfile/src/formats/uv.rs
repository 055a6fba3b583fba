//! `uv.lock`. The project itself is a `[[package]]` too (its source is `virtual` or
//! `editable` `"."`): it is left out, and its `dependencies` (production),
//! `optional-dependencies` (extras: optional) and `dev-dependencies` (dependency groups:
//! dev) are the roots of the graph, which then says what is dev or optional.

use std::collections::BTreeMap;
use std::path::Path;

use ringfence_package::Ecosystem;
use serde::Deserialize;

use super::python_toml::{
    DepRef, FileWire, Located, RootRef, apply_named_graph, commit_after_hash, from_toml, pick_file,
};
use crate::{LineIndex, Package, ParseError, Parsed};

#[derive(Deserialize)]
struct UvLockWire {
    #[serde(default)]
    package: Vec<Located<PackageWire>>,
}

#[derive(Deserialize)]
struct PackageWire {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    source: SourceWire,
    #[serde(default)]
    dependencies: Vec<DependencyWire>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<DependencyWire>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<DependencyWire>>,
    sdist: Option<FileWire>,
    #[serde(default)]
    wheels: Vec<FileWire>,
}

#[derive(Default, Deserialize)]
struct SourceWire {
    registry: Option<String>,
    git: Option<String>,
    url: Option<String>,
    path: Option<String>,
    directory: Option<String>,
    editable: Option<String>,
    #[serde(rename = "virtual")]
    virtual_: Option<String>,
}

#[derive(Deserialize)]
struct DependencyWire {
    name: String,
    version: Option<String>,
}

impl DependencyWire {
    fn to_ref(&self) -> DepRef {
        DepRef {
            name: self.name.clone(),
            version: self.version.clone(),
        }
    }
}

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let lock: UvLockWire = from_toml(path, text)?;
    let index = LineIndex::new(text);
    let mut parsed = Parsed::default();
    let mut deps = Vec::new();
    let mut roots: Option<Vec<RootRef>> = None;

    for (i, entry) in lock.package.iter().enumerate() {
        let wire = &entry.value;
        let line = entry.line(&index);
        if is_project(&wire.source) {
            roots
                .get_or_insert_with(Vec::new)
                .extend(project_roots(wire));
            continue;
        }
        let (Some(name), Some(version)) = (&wire.name, &wire.version) else {
            parsed.warnings.push(super::unnamed_entry(path, line, i));
            continue;
        };
        let mut package = Package::new(Ecosystem::PyPI, name, version);
        package.line = Some(line);
        let source = &wire.source;
        if let Some(git) = &source.git {
            package.commit = commit_after_hash(git);
            package.resolved = Some(git.clone());
        }
        let file = wire.sdist.as_ref().filter(|f| f.hash.is_some());
        let file = file.or_else(|| pick_file(&wire.wheels));
        package.integrity = file.and_then(|f| f.hash.clone());
        package.resolved = package
            .resolved
            .take()
            .or_else(|| file.and_then(|f| f.url.clone()))
            .or_else(|| source.url.clone())
            .or_else(|| source.registry.clone())
            .or_else(|| source.path.clone())
            .or_else(|| source.directory.clone());
        let mut own = wire
            .dependencies
            .iter()
            .map(DependencyWire::to_ref)
            .collect::<Vec<_>>();
        // A package's extras are only there when something asked for them; follow them
        // anyway, a locked package is installable through them.
        own.extend(
            wire.optional_dependencies
                .values()
                .flatten()
                .map(DependencyWire::to_ref),
        );
        deps.push(own);
        parsed.packages.push(package);
    }

    // With the project's entry the graph decides dev and optional; without it, nothing does.
    let derive = roots.is_some();
    apply_named_graph(&mut parsed.packages, &deps, roots.as_deref(), derive);
    Ok(parsed)
}

/// The project (or workspace root) itself: sourced from the lockfile's own folder.
fn is_project(source: &SourceWire) -> bool {
    [&source.virtual_, &source.editable]
        .iter()
        .any(|s| s.as_deref() == Some("."))
}

fn project_roots(wire: &PackageWire) -> Vec<RootRef> {
    let root = |dep: &DependencyWire, dev: bool, optional: bool| RootRef {
        dep: dep.to_ref(),
        dev,
        optional,
    };
    let prod = wire.dependencies.iter().map(|d| root(d, false, false));
    let extras = wire.optional_dependencies.values().flatten();
    let groups = wire.dev_dependencies.values().flatten();
    prod.chain(extras.map(|d| root(d, false, true)))
        .chain(groups.map(|d| root(d, true, false)))
        .collect()
}
