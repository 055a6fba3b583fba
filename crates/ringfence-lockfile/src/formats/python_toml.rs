//! What the TOML lockfiles (poetry.lock, uv.lock, pdm.lock, and Cargo.lock too) have in
//! common: `[[package]]` arrays read with their line, file lists with hashes, and a
//! dependency graph whose edges name packages rather than point at them.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{DependencyGraph, LineIndex, Package, ParseError};

/// Parses a whole TOML lockfile into its wire struct; syntax errors carry their line.
pub(super) fn from_toml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, ParseError> {
    toml::from_str(text).map_err(|e| ParseError::toml(path, text, &e))
}

/// One `[[package]]` entry and where its header starts in the file.
pub(super) struct Located<T> {
    pub value: T,
    offset: usize,
}

impl<T> Located<T> {
    /// The 1-based line of the entry's `[[package]]` header.
    pub fn line(&self, index: &LineIndex) -> u32 {
        index.line_of_offset(self.offset)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = toml::Spanned::<T>::deserialize(d)?;
        let offset = spanned.span().start;
        Ok(Located {
            value: spanned.into_inner(),
            offset,
        })
    }
}

/// A distribution file with its hash (`{file = "x.tar.gz", hash = "sha256:…"}` in poetry and
/// pdm, `{url = "…/x.tar.gz", hash = "…"}` in uv).
#[derive(Debug, Default, Deserialize)]
pub(super) struct FileWire {
    pub file: Option<String>,
    pub url: Option<String>,
    pub hash: Option<String>,
}

impl FileWire {
    fn is_sdist(&self) -> bool {
        let name = self.file.as_deref().or(self.url.as_deref()).unwrap_or("");
        [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .any(|ext| name.ends_with(ext))
    }
}

/// The one hash to record for a package built for many platforms: the source
/// distribution's, which every installer could fetch, else the first wheel's.
pub(super) fn pick_file(files: &[FileWire]) -> Option<&FileWire> {
    let with_hash = || files.iter().filter(|f| f.hash.is_some());
    with_hash()
        .find(|f| f.is_sdist())
        .or_else(|| with_hash().next())
}

/// A dependency as Python lockfiles and Cargo.lock name it: by name, sometimes with the
/// version when several of that name are locked.
#[derive(Debug, Clone)]
pub(super) struct DepRef {
    pub name: String,
    pub version: Option<String>,
}

impl DepRef {
    pub fn name(name: &str) -> DepRef {
        DepRef {
            name: name.to_string(),
            version: None,
        }
    }
}

/// A dependency the project itself declares.
pub(super) struct RootRef {
    pub dep: DepRef,
    pub dev: bool,
    pub optional: bool,
}

/// Builds the graph from named edges (`deps[i]` are what package `i` depends on) and
/// applies it. Without `roots` (formats that do not record the project's own
/// dependencies), packages nobody depends on are taken as the direct ones, with their
/// recorded flags.
pub(super) fn apply_named_graph(
    packages: &mut [Package],
    deps: &[Vec<DepRef>],
    roots: Option<&[RootRef]>,
    derive_flags: bool,
) {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let resolve = |dep: &DepRef| -> Vec<usize> {
        let Some(first) = packages.first() else {
            return Vec::new();
        };
        let name = ringfence_package::normalize_name(first.ecosystem, &dep.name);
        let all = by_name.get(name.as_str()).cloned().unwrap_or_default();
        match &dep.version {
            Some(v) => {
                let exact: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&i| packages[i].version == v.trim())
                    .collect();
                if exact.is_empty() { all } else { exact }
            }
            None => all,
        }
    };

    let mut graph = DependencyGraph::new(packages.len());
    let mut depended_on = vec![false; packages.len()];
    for (from, list) in deps.iter().enumerate().take(packages.len()) {
        for dep in list {
            for to in resolve(dep) {
                if to != from {
                    depended_on[to] = true;
                }
                graph.add_edge(from, to);
            }
        }
    }
    match roots {
        Some(roots) => {
            for root in roots {
                for node in resolve(&root.dep) {
                    graph.add_root(node, root.dev, root.optional);
                }
            }
        }
        None => {
            for (i, p) in packages.iter().enumerate() {
                if !depended_on[i] {
                    graph.add_root(i, p.dev, p.optional);
                }
            }
        }
    }
    graph.apply(packages, derive_flags);
}

/// The distribution name at the start of a PEP 508 requirement
/// (`win-inet-pton; platform_system == "Windows"`, `requests[socks]>=2`).
pub(super) fn requirement_name(requirement: &str) -> Option<&str> {
    let s = requirement.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let name = &s[..end];
    (!name.is_empty()).then_some(name)
}

/// The text after `#` in a git URL (`git+https://host/repo?branch=x#<commit>`) when it
/// looks like a commit hash.
pub(super) fn commit_after_hash(url: &str) -> Option<String> {
    let (_, commit) = url.rsplit_once('#')?;
    let hex = commit.len() >= 7 && commit.bytes().all(|b| b.is_ascii_hexdigit());
    hex.then(|| commit.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringfence_package::Ecosystem;

    #[derive(Deserialize)]
    struct Lock {
        package: Vec<Located<Named>>,
    }

    #[derive(Deserialize)]
    struct Named {
        name: String,
    }

    #[test]
    fn package_lines_are_the_header_lines() {
        let text = "version = 1\n\n[[package]]\nname = \"a\"\ndescription = \"\"\"\n[[package]]\n\"\"\"\n\n[[package]]\nname = \"b\"\n";
        let lock: Lock = from_toml(Path::new("x.lock"), text).unwrap();
        let index = LineIndex::new(text);
        let got: Vec<(&str, u32)> = lock
            .package
            .iter()
            .map(|p| (p.value.name.as_str(), p.line(&index)))
            .collect();
        assert_eq!(got, vec![("a", 3), ("b", 9)]);
    }

    #[test]
    fn sdist_hash_is_preferred() {
        let files = vec![
            FileWire {
                file: Some("x-1.0-py3-none-any.whl".into()),
                url: None,
                hash: Some("sha256:aa".into()),
            },
            FileWire {
                file: Some("x-1.0.tar.gz".into()),
                url: None,
                hash: Some("sha256:bb".into()),
            },
        ];
        assert_eq!(
            pick_file(&files).unwrap().hash.as_deref(),
            Some("sha256:bb")
        );
        assert_eq!(
            pick_file(&files[..1]).unwrap().hash.as_deref(),
            Some("sha256:aa")
        );
        assert!(pick_file(&[]).is_none());
    }

    #[test]
    fn requirement_names_stop_at_markers_and_extras() {
        assert_eq!(
            requirement_name("win-inet-pton; platform_system == \"Windows\""),
            Some("win-inet-pton")
        );
        assert_eq!(requirement_name("requests[socks]>=2"), Some("requests"));
        assert_eq!(requirement_name("  zope.interface"), Some("zope.interface"));
        assert_eq!(requirement_name(";"), None);
    }

    #[test]
    fn orphans_become_direct_when_roots_are_unknown() {
        let mut p = vec![
            Package::new(Ecosystem::PyPI, "app-lib", "1.0"),
            Package::new(Ecosystem::PyPI, "six", "1.16.0"),
        ];
        let deps = vec![vec![DepRef::name("Six")], vec![]];
        apply_named_graph(&mut p, &deps, None, false);
        assert!(p[0].direct && !p[1].direct);
        assert_eq!(p[1].path, vec!["app-lib@1.0", "six@1.16.0"]);
    }
}
