use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A package ecosystem that ringfence reads lockfiles and advisories for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "crates.io")]
    CratesIo,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 3] = [Ecosystem::Npm, Ecosystem::PyPI, Ecosystem::CratesIo];

    /// The ecosystem's name exactly as the OSV schema spells it.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
        }
    }

    /// Reads an OSV `affected[].package.ecosystem` value. OSV allows a `:suffix`
    /// (for example `Debian:11`); none of ours use one, so a suffix is ignored.
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name);
        match base {
            "npm" => Some(Ecosystem::Npm),
            "PyPI" => Some(Ecosystem::PyPI),
            "crates.io" => Some(Ecosystem::CratesIo),
            _ => None,
        }
    }

    /// The package-URL type (`pkg:<type>/...`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::CratesIo => "cargo",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

impl FromStr for Ecosystem {
    type Err = String;

    /// Accepts the OSV spelling and the lower-case forms people type (`pypi`, `cargo`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(e) = Ecosystem::from_osv(s) {
            return Ok(e);
        }
        match s.to_ascii_lowercase().as_str() {
            "npm" => Ok(Ecosystem::Npm),
            "pypi" | "pip" | "python" => Ok(Ecosystem::PyPI),
            "crates.io" | "cargo" | "crates" | "rust" => Ok(Ecosystem::CratesIo),
            _ => Err(format!(
                "unknown ecosystem `{s}` (expected npm, PyPI or crates.io)"
            )),
        }
    }
}
