use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::Ecosystem;

/// A version parsed by its ecosystem's own rules: npm semver, PEP 440 for PyPI,
/// Cargo's semver for crates.io. Two versions compare only within one ecosystem.
#[derive(Debug, Clone)]
pub enum Version {
    Npm(nodejs_semver::Version),
    PyPI(pep440_rs::Version),
    Cargo(semver::Version),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{version}` is not a valid {ecosystem} version: {reason}")]
pub struct VersionError {
    pub ecosystem: Ecosystem,
    pub version: String,
    pub reason: String,
}

impl Version {
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Result<Version, VersionError> {
        let text = text.trim();
        let error = |reason: String| VersionError {
            ecosystem,
            version: text.to_string(),
            reason,
        };
        match ecosystem {
            Ecosystem::Npm => {
                // npm tolerates a leading `v` or `=` in lockfiles; the registry never stores one.
                let bare = text.trim_start_matches(['v', '=']);
                nodejs_semver::Version::parse(bare)
                    .map(Version::Npm)
                    .map_err(|e| error(e.to_string()))
            }
            Ecosystem::PyPI => pep440_rs::Version::from_str(text)
                .map(Version::PyPI)
                .map_err(|e| error(e.to_string())),
            Ecosystem::CratesIo => semver::Version::parse(text)
                .map(Version::Cargo)
                .map_err(|e| error(e.to_string())),
        }
    }

    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Version::Npm(_) => Ecosystem::Npm,
            Version::PyPI(_) => Ecosystem::PyPI,
            Version::Cargo(_) => Ecosystem::CratesIo,
        }
    }

    /// True for pre-releases (`1.0.0-beta.1`, `2.0rc1`).
    pub fn is_prerelease(&self) -> bool {
        match self {
            Version::Npm(v) => v.is_prerelease(),
            Version::PyPI(v) => v.any_prerelease(),
            Version::Cargo(v) => !v.pre.is_empty(),
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    /// Versions of different ecosystems do not compare. Build metadata is ignored,
    /// as semver and the OSV schema require.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::PyPI(a), Version::PyPI(b)) => Some(a.cmp(b)),
            (Version::Cargo(a), Version::Cargo(b)) => Some(
                (a.major, a.minor, a.patch)
                    .cmp(&(b.major, b.minor, b.patch))
                    .then_with(|| cmp_semver_pre(&a.pre, &b.pre)),
            ),
            _ => None,
        }
    }
}

fn cmp_semver_pre(a: &semver::Prerelease, b: &semver::Prerelease) -> Ordering {
    // An empty pre-release is greater than any pre-release; semver::Prerelease's Ord
    // already implements that rule.
    a.cmp(b)
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Npm(v) => write!(f, "{v}"),
            Version::PyPI(v) => write!(f, "{v}"),
            Version::Cargo(v) => write!(f, "{v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(e: Ecosystem, s: &str) -> Version {
        Version::parse(e, s).unwrap()
    }

    #[test]
    fn npm_prerelease_sorts_before_release() {
        assert!(v(Ecosystem::Npm, "1.0.0-beta.2") < v(Ecosystem::Npm, "1.0.0"));
        assert!(v(Ecosystem::Npm, "1.0.0-beta.2") > v(Ecosystem::Npm, "1.0.0-beta.1"));
        assert!(v(Ecosystem::Npm, "17.0.0-LW-R") < v(Ecosystem::Npm, "17.0.0"));
        assert!(v(Ecosystem::Npm, "0.7.29") > v(Ecosystem::Npm, "0.7.28"));
    }

    #[test]
    fn pep440_orders_dev_pre_post() {
        let order = ["1.0.dev1", "1.0a1", "1.0rc1", "1.0", "1.0.post1", "1.1"];
        for pair in order.windows(2) {
            assert!(
                v(Ecosystem::PyPI, pair[0]) < v(Ecosystem::PyPI, pair[1]),
                "{pair:?}"
            );
        }
        assert_eq!(v(Ecosystem::PyPI, "1.0"), v(Ecosystem::PyPI, "1.0.0"));
        assert!(v(Ecosystem::PyPI, "0") < v(Ecosystem::PyPI, "0.0.0.1"));
    }

    #[test]
    fn cargo_ignores_build_metadata() {
        assert_eq!(
            v(Ecosystem::CratesIo, "1.0.0+a"),
            v(Ecosystem::CratesIo, "1.0.0+b")
        );
        assert!(v(Ecosystem::CratesIo, "1.0.0-alpha") < v(Ecosystem::CratesIo, "1.0.0"));
    }

    #[test]
    fn bad_versions_name_the_ecosystem() {
        let err = Version::parse(Ecosystem::Npm, "not.a.version").unwrap_err();
        assert!(err.to_string().contains("npm"), "{err}");
        assert!(Version::parse(Ecosystem::PyPI, "1.0 garbage").is_err());
    }

    #[test]
    fn different_ecosystems_do_not_compare() {
        assert_eq!(
            v(Ecosystem::Npm, "1.0.0").partial_cmp(&v(Ecosystem::CratesIo, "1.0.0")),
            None
        );
    }
}
