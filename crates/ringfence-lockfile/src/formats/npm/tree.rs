//! The install tree both lockfile layouts describe: every folder (`node_modules/a`,
//! `node_modules/a/node_modules/b`, a workspace folder) with what it holds and which names
//! it requires. Dependencies resolve as Node resolves `require`: the nearest
//! `node_modules/<name>` walking up from the requiring folder.

use std::collections::HashMap;

use super::common::{DepKind, merge_duplicates};
use crate::{DependencyGraph, Package};

/// What sits at one location of the tree.
pub(super) enum Holds {
    /// A package installed there: an index into [`Tree::packages`].
    Package(usize),
    /// A symlink to another location (npm's `"link": true`, pointing at `resolved`).
    Link(String),
    /// The project itself or one of its workspaces: its dependencies are the roots.
    Project,
}

pub(super) struct Location {
    pub key: String,
    pub holds: Holds,
    /// The names this location requires and how.
    pub requires: Vec<(String, DepKind)>,
}

#[derive(Default)]
pub(super) struct Tree {
    pub packages: Vec<Package>,
    pub locations: Vec<Location>,
}

/// Symlink chains longer than this are treated as broken (they may loop).
const MAX_LINK_HOPS: usize = 16;

impl Tree {
    pub fn add_package(&mut self, key: String, package: Package, requires: Vec<(String, DepKind)>) {
        self.locations.push(Location {
            key,
            holds: Holds::Package(self.packages.len()),
            requires,
        });
        self.packages.push(package);
    }

    pub fn add(&mut self, key: String, holds: Holds, requires: Vec<(String, DepKind)>) {
        self.locations.push(Location {
            key,
            holds,
            requires,
        });
    }

    /// Resolves every requirement into the graph and returns the packages, with `direct`
    /// and `path` set and duplicates merged. With `infer_roots` (a v1 lockfile with no
    /// package.json beside it), top-level packages nothing else requires are the roots.
    pub fn finish(mut self, infer_roots: bool) -> Vec<Package> {
        let mut by_key: HashMap<&str, usize> = HashMap::with_capacity(self.locations.len());
        for (i, location) in self.locations.iter().enumerate() {
            by_key.entry(location.key.as_str()).or_insert(i);
        }
        let mut graph = DependencyGraph::new(self.packages.len());
        let mut required = vec![false; self.packages.len()];
        let mut buf = String::new();
        for location in &self.locations {
            for (name, kind) in &location.requires {
                let Some(target) = resolve(&by_key, &self.locations, &location.key, name, &mut buf)
                else {
                    continue;
                };
                match location.holds {
                    Holds::Package(from) if from != target => {
                        graph.add_edge(from, target);
                        required[target] = true;
                    }
                    Holds::Package(_) => {}
                    Holds::Project | Holds::Link(_) => {
                        let (dev, optional) = kind.root_flags();
                        graph.add_root(target, dev, optional);
                    }
                }
            }
        }
        if infer_roots {
            for location in &self.locations {
                if let Holds::Package(p) = location.holds {
                    let top_level = location.key.matches("node_modules/").count() == 1;
                    if top_level && !required[p] {
                        let package = &self.packages[p];
                        graph.add_root(p, package.dev, package.optional);
                    }
                }
            }
        }
        graph.apply(&mut self.packages, false);
        merge_duplicates(self.packages)
    }
}

/// The package `name` resolves to when required from the folder `from`.
fn resolve(
    by_key: &HashMap<&str, usize>,
    locations: &[Location],
    from: &str,
    name: &str,
    buf: &mut String,
) -> Option<usize> {
    let mut dir = from;
    let found = loop {
        buf.clear();
        if !dir.is_empty() {
            buf.push_str(dir);
            buf.push('/');
        }
        buf.push_str("node_modules/");
        buf.push_str(name);
        if let Some(&at) = by_key.get(buf.as_str()) {
            break at;
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent_dir(dir);
    };
    let mut at = found;
    for _ in 0..MAX_LINK_HOPS {
        match &locations[at].holds {
            Holds::Package(p) => return Some(*p),
            Holds::Project => return None,
            Holds::Link(target) => at = *by_key.get(target.as_str())?,
        }
    }
    None
}

/// The folder Node looks in next: `a/node_modules/b` → `a`, `node_modules/@s/b` → ``,
/// `deps/etag` → `deps`.
pub(super) fn parent_dir(dir: &str) -> &str {
    if let Some(i) = dir.rfind("/node_modules/") {
        return &dir[..i];
    }
    if dir.starts_with("node_modules/") {
        return "";
    }
    dir.rfind('/').map_or("", |i| &dir[..i])
}

/// The package name a location implies: what follows the last `node_modules/`, or the
/// folder's own name.
pub(super) fn name_from_key(key: &str) -> &str {
    if let Some(i) = key.rfind("/node_modules/") {
        return &key[i + "/node_modules/".len()..];
    }
    if let Some(rest) = key.strip_prefix("node_modules/") {
        return rest;
    }
    key.rsplit('/').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_walk_up_like_node() {
        assert_eq!(
            parent_dir("node_modules/a/node_modules/@s/b"),
            "node_modules/a"
        );
        assert_eq!(parent_dir("node_modules/a"), "");
        assert_eq!(parent_dir("deps/etag"), "deps");
        assert_eq!(parent_dir("deps"), "");
        assert_eq!(name_from_key("node_modules/a/node_modules/@s/b"), "@s/b");
        assert_eq!(name_from_key("node_modules/wrappy"), "wrappy");
        assert_eq!(name_from_key("deps/etag"), "etag");
    }
}
