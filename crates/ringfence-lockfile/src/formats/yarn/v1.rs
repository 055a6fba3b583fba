//! Classic yarn.lock (v1): `name@range` specs, `version`, `resolved` (a tarball URL with
//! yarn's sha1 after `#`, or a git URL with the commit after `#`) and `integrity`.

use std::path::Path;

use ringfence_package::Ecosystem;

use super::Lock;
use super::syntax::Entry;
use crate::Package;
use crate::formats::npm::common::{alias_target, git_commit, split_spec};

pub(super) fn read(entry: &Entry, lock: &mut Lock, path: &Path) {
    let Some(first) = entry.specs.first() else {
        return;
    };
    let (spec_name, range) = split_spec(first);
    // `alias@npm:real@range` installs `real`.
    let name = alias_target(range).map_or(spec_name, |(real, _)| real);
    let version = entry.field("version").unwrap_or_else(|| {
        lock.warn_no_version(path, entry.line, first);
        ""
    });
    let mut package = Package::new(Ecosystem::Npm, name, version);
    let resolved = entry.field("resolved");
    // Where `resolved` does not pin the commit, a git spec may (`repo.git#<sha>`).
    package.commit = resolved.and_then(git_commit).or_else(|| {
        entry
            .specs
            .iter()
            .find_map(|spec| git_commit(split_spec(spec).1))
    });
    package.resolved = resolved.map(str::to_string);
    package.integrity = entry.field("integrity").map(str::to_string);
    package.line = Some(entry.line);
    let requires = ["dependencies", "optionalDependencies"]
        .iter()
        .flat_map(|block| entry.block(block).iter().cloned())
        .collect();
    lock.add(&entry.specs, package, requires);
}
