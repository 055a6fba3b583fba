//! `pdm.lock`. Each package lists the groups that pull it in: `default` is production, a
//! group called `dev` is development, and any other group (an extra or a named dependency
//! group) is optional. The project's own dependencies are not recorded, so packages
//! nobody depends on are taken as the direct ones.

use std::path::Path;

use ringfence_package::Ecosystem;
use serde::Deserialize;

use super::python_toml::{
    DepRef, FileWire, Located, apply_named_graph, from_toml, pick_file, requirement_name,
};
use crate::{LineIndex, Package, ParseError, Parsed};

#[derive(Deserialize)]
struct PdmLockWire {
    #[serde(default)]
    package: Vec<Located<PackageWire>>,
}

#[derive(Deserialize)]
struct PackageWire {
    name: Option<String>,
    version: Option<String>,
    groups: Option<Vec<String>>,
    git: Option<String>,
    revision: Option<String>,
    url: Option<String>,
    path: Option<String>,
    /// PEP 508 requirements: `"win-inet-pton; platform_system == \"Windows\""`.
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<FileWire>,
}

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let lock: PdmLockWire = from_toml(path, text)?;
    let index = LineIndex::new(text);
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
        let groups = wire.groups.as_deref().unwrap_or_default();
        if !groups.is_empty() && !groups.iter().any(|g| g == "default") {
            package.dev = groups.iter().any(|g| g == "dev");
            package.optional = !package.dev;
        }
        package.commit = wire.git.as_ref().and(wire.revision.clone());
        package.resolved = wire.git.clone().or(wire.url.clone()).or(wire.path.clone());
        package.integrity = pick_file(&wire.files).and_then(|f| f.hash.clone());
        let own = wire.dependencies.iter();
        deps.push(
            own.filter_map(|r| requirement_name(r))
                .map(DepRef::name)
                .collect(),
        );
        parsed.packages.push(package);
    }

    apply_named_graph(&mut parsed.packages, &deps, None, false);
    Ok(parsed)
}
