use std::path::PathBuf;

use ringfence_package::Ecosystem;
use serde::Serialize;

use crate::Format;

/// One resolved package version in a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// Normalised per ecosystem (`ringfence_package::normalize_name`): PEP 503 for PyPI,
    /// as published for npm (scope included) and crates.io.
    pub name: String,
    pub version: String,
    /// Only reachable through development dependencies.
    pub dev: bool,
    /// Only reachable through optional dependencies.
    pub optional: bool,
    /// Declared by the project itself, not pulled in by another package.
    pub direct: bool,
    /// The chain of packages (`name@version`) from a direct dependency of the project down
    /// to this package, inclusive; empty where the format does not record the graph.
    pub path: Vec<String>,
    /// Where the package manager downloads it from, where the lockfile says.
    pub resolved: Option<String>,
    /// The integrity hash (`sha512-…`, `sha256:…`) where the lockfile records one.
    pub integrity: Option<String>,
    /// The git commit for packages resolved from a git repository.
    pub commit: Option<String>,
    /// 1-based line in the lockfile where this package's entry starts.
    pub line: Option<u32>,
}

impl Package {
    /// A package with everything but identity left empty; parsers fill in what they know.
    pub fn new(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
        Package {
            ecosystem,
            name: ringfence_package::normalize_name(ecosystem, name),
            version: version.trim().to_string(),
            dev: false,
            optional: false,
            direct: false,
            path: Vec::new(),
            resolved: None,
            integrity: None,
            commit: None,
            line: None,
        }
    }

    pub fn purl(&self) -> String {
        ringfence_package::purl(self.ecosystem, &self.name, &self.version)
    }

    /// `name@version`, the form used in dependency paths.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// What a parser returns: every package it could read, and the problems that did not stop it.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub packages: Vec<Package>,
    pub warnings: Vec<crate::ParseError>,
}

/// A lockfile read from disk: where it is, which format, and what it resolves.
#[derive(Debug, Clone, Serialize)]
pub struct Lockfile {
    pub path: PathBuf,
    pub format: Format,
    /// The project's name, from the manifest beside the lockfile or the folder name.
    pub project: String,
    pub packages: Vec<Package>,
    #[serde(skip)]
    pub warnings: Vec<crate::ParseError>,
}
