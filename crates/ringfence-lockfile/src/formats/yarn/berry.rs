//! Berry yarn.lock (yarn 2+): YAML entries keyed by descriptors (`name@npm:^1.0.0`), with
//! the locator they resolved to in `resolution` (`name@npm:1.0.2`, a git URL with
//! `#commit=<sha>`, `name@workspace:packages/a`), `checksum` and `dependencies`.

use std::path::Path;

use ringfence_package::Ecosystem;

use super::Lock;
use super::syntax::Entry;
use crate::Package;
use crate::formats::npm::common::{DepKind, git_commit, split_spec};

pub(super) fn read(entry: &Entry, lock: &mut Lock, path: &Path) {
    if entry.specs == ["__metadata"] {
        return;
    }
    let Some(first) = entry.specs.first() else {
        return;
    };
    let resolution = entry.field("resolution").unwrap_or("");
    let (resolved_name, reference) = split_spec(resolution);
    let requires: Vec<(String, String)> = entry.block("dependencies").to_vec();
    // The project itself: its dependencies are the roots, it is not a package.
    if matches!(reference, "workspace:." | "link:.") {
        lock.project.extend(
            requires
                .into_iter()
                .map(|(name, range)| (name, range, DepKind::Prod)),
        );
        return;
    }
    let name = if resolved_name.is_empty() {
        split_spec(first).0
    } else {
        resolved_name
    };
    let version = entry.field("version").unwrap_or_else(|| {
        lock.warn_no_version(path, entry.line, first);
        ""
    });
    let mut package = Package::new(Ecosystem::Npm, name, version);
    package.commit = git_commit(reference);
    package.resolved = (!resolution.is_empty()).then(|| resolution.to_string());
    package.integrity = entry.field("checksum").map(str::to_string);
    package.line = Some(entry.line);
    lock.add(&entry.specs, package, requires);
}
