//! `yarn.lock`, classic (v1) and berry (v2+). Both are read by one line-based reader
//! ([`syntax`]); a `__metadata` entry marks berry. Each entry is keyed by the specs that
//! resolved to it (`lodash@^4.17.0, lodash@^4.17.21`), so a dependency `name range`
//! resolves through the spec `name@range`. The project's own dependencies come from the
//! package.json beside the lockfile or, for berry, from the root workspace's entry.

mod berry;
mod syntax;
mod v1;

use std::collections::HashMap;
use std::path::Path;

use super::npm::common::{DepKind, manifest_beside, merge_duplicates, split_spec};
use crate::{DependencyGraph, Package, ParseError, Parsed};

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let entries = syntax::read_entries(text)
        .map_err(|(line, message)| ParseError::new(path, Some(line), message))?;
    let berry = entries.iter().any(|e| e.specs == ["__metadata"]);
    let mut lock = Lock {
        berry,
        ..Lock::default()
    };
    for entry in &entries {
        if berry {
            berry::read(entry, &mut lock, path);
        } else {
            v1::read(entry, &mut lock, path);
        }
    }
    let roots = manifest_beside(path).map(|m| m.deps);
    Ok(lock.finish(roots))
}

/// The entries read so far and the specs they answer to.
#[derive(Default)]
struct Lock {
    berry: bool,
    packages: Vec<Package>,
    /// Per package, the `(name, range)` pairs it depends on.
    requires: Vec<Vec<(String, String)>>,
    by_spec: HashMap<String, usize>,
    /// Spec names (aliases included) to the packages listed under them.
    by_name: HashMap<String, Vec<usize>>,
    /// Berry's root workspace dependencies, the roots when there is no package.json.
    project: Vec<(String, String, DepKind)>,
    warnings: Vec<ParseError>,
}

impl Lock {
    fn add(&mut self, specs: &[String], package: Package, requires: Vec<(String, String)>) {
        let at = self.packages.len();
        for spec in specs {
            self.by_spec.entry(spec.clone()).or_insert(at);
            // Berry keys file: dependencies with the requiring workspace appended.
            if let Some((bare, _)) = spec.split_once("::") {
                self.by_spec.entry(bare.to_string()).or_insert(at);
            }
            let names = self
                .by_name
                .entry(split_spec(spec).0.to_string())
                .or_default();
            if !names.contains(&at) {
                names.push(at);
            }
        }
        self.packages.push(package);
        self.requires.push(requires);
    }

    /// The package `name range` resolves to: its spec, berry's spec with the implied
    /// `npm:` protocol, or the only package listed under that name.
    fn lookup(&self, name: &str, range: &str) -> Option<usize> {
        if let Some(&at) = self.by_spec.get(&format!("{name}@{range}")) {
            return Some(at);
        }
        if self.berry
            && let Some(&at) = self.by_spec.get(&format!("{name}@npm:{range}"))
        {
            return Some(at);
        }
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([only]) => Some(*only),
            _ => None,
        }
    }

    fn finish(mut self, manifest: Option<Vec<(String, String, DepKind)>>) -> Parsed {
        let mut graph = DependencyGraph::new(self.packages.len());
        for (from, requires) in self.requires.iter().enumerate() {
            for (name, range) in requires {
                if let Some(to) = self.lookup(name, range) {
                    graph.add_edge(from, to);
                }
            }
        }
        let roots = manifest.unwrap_or_else(|| std::mem::take(&mut self.project));
        for (name, range, kind) in &roots {
            if let Some(at) = self.lookup(name, range) {
                let (dev, optional) = kind.root_flags();
                graph.add_root(at, dev, optional);
            }
        }
        // The lockfile has no dev/optional flags; with roots, the graph tells them.
        graph.apply(&mut self.packages, !roots.is_empty());
        Parsed {
            packages: merge_duplicates(self.packages),
            warnings: self.warnings,
        }
    }

    fn warn_no_version(&mut self, path: &Path, line: u32, spec: &str) {
        self.warnings.push(
            ParseError::new(path, Some(line), "entry has no version").with_key(spec.to_string()),
        );
    }
}
