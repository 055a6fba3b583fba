//! `ECOSYSTEM:NAME[@VERSION]`, the way policy entries name a package (`npm:@scope/pkg@1.2.3`,
//! `pypi:requests`, `crates.io:serde@1.0.0`).

use std::fmt;
use std::str::FromStr;

use ringfence_package::{Ecosystem, Version, normalize_name};

/// A package, or one version of it. The name is stored normalised for its ecosystem, so
/// `pypi:Django_REST` and `pypi:django-rest` are one package.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PackageSpec {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// `None`: every version.
    pub version: Option<String>,
}

impl PackageSpec {
    /// True when `name@version` of `ecosystem` is this package (and this version, if one is
    /// given). Versions compare by their ecosystem's rules (`1.0` equals `1.0.0` on PyPI); a
    /// version that does not parse compares as text.
    pub fn matches(&self, ecosystem: Ecosystem, name: &str, version: &str) -> bool {
        if self.ecosystem != ecosystem || self.name != normalize_name(ecosystem, name) {
            return false;
        }
        match &self.version {
            None => true,
            Some(wanted) => same_version(ecosystem, wanted, version),
        }
    }
}

fn same_version(ecosystem: Ecosystem, a: &str, b: &str) -> bool {
    match (Version::parse(ecosystem, a), Version::parse(ecosystem, b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

impl FromStr for PackageSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = || {
            format!(
                "`{text}` is not a package: expected ECOSYSTEM:NAME or ECOSYSTEM:NAME@VERSION, like `npm:debug@4.4.2`"
            )
        };
        let (ecosystem, rest) = text.trim().split_once(':').ok_or_else(expected)?;
        let ecosystem: Ecosystem = ecosystem.parse()?;
        // A scoped npm name starts with `@`; the version separator is the `@` after it.
        let (name, version) = match rest.get(1..).and_then(|tail| tail.rfind('@')) {
            Some(i) => (&rest[..=i], Some(&rest[i + 2..])),
            None => (rest, None),
        };
        if name.is_empty() || name.contains(char::is_whitespace) || name == "@" {
            return Err(expected());
        }
        if ecosystem == Ecosystem::Npm && name.starts_with('@') && !name.contains('/') {
            return Err(format!(
                "`{name}` is not an npm package name: a scoped name is `@scope/name`"
            ));
        }
        let version = match version {
            None => None,
            Some("") => return Err(expected()),
            Some(v) => {
                Version::parse(ecosystem, v).map_err(|e| e.to_string())?;
                Some(v.to_string())
            }
        };
        Ok(PackageSpec {
            ecosystem,
            name: normalize_name(ecosystem, name),
            version,
        })
    }
}

impl fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ecosystem, self.name)?;
        if let Some(v) = &self.version {
            write!(f, "@{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> PackageSpec {
        s.parse().unwrap()
    }

    #[test]
    fn names_versions_and_scopes_are_split_at_the_right_at_sign() {
        assert_eq!(
            spec("npm:@scope/pkg@1.2.3"),
            PackageSpec {
                ecosystem: Ecosystem::Npm,
                name: "@scope/pkg".into(),
                version: Some("1.2.3".into())
            }
        );
        assert_eq!(spec("npm:@scope/pkg").version, None);
        assert_eq!(spec("npm:@scope/pkg").name, "@scope/pkg");
        assert_eq!(spec("npm:debug@4.4.2").name, "debug");
        assert_eq!(spec("crates.io:serde@1.0.0").ecosystem, Ecosystem::CratesIo);
        assert_eq!(spec("pypi:Django_REST").name, "django-rest");
        assert_eq!(
            spec("npm:@scope/pkg@1.2.3").to_string(),
            "npm:@scope/pkg@1.2.3"
        );
    }

    #[test]
    fn malformed_specs_say_what_is_expected() {
        for bad in ["debug@4.4.2", "npm:", "npm:@", "npm:debug@", "npm:de bug"] {
            let e = PackageSpec::from_str(bad).expect_err(bad);
            assert!(e.contains("ECOSYSTEM:NAME"), "{bad}: {e}");
        }
        assert!(
            PackageSpec::from_str("gem:rails")
                .unwrap_err()
                .contains("unknown ecosystem")
        );
        assert!(
            PackageSpec::from_str("npm:debug@4.x")
                .unwrap_err()
                .contains("not a valid npm version")
        );
        assert!(
            PackageSpec::from_str("npm:@scope")
                .unwrap_err()
                .contains("@scope/name")
        );
    }

    #[test]
    fn matching_normalises_names_and_versions() {
        assert!(spec("pypi:django-rest@1.0").matches(Ecosystem::PyPI, "Django_Rest", "1.0.0"));
        assert!(!spec("pypi:django-rest@1.0").matches(Ecosystem::PyPI, "django-rest", "1.0.1"));
        assert!(spec("npm:esbuild").matches(Ecosystem::Npm, "esbuild", "0.25.0"));
        assert!(!spec("npm:esbuild").matches(Ecosystem::CratesIo, "esbuild", "0.25.0"));
        assert!(!spec("npm:esbuild").matches(Ecosystem::Npm, "esbuild-wasm", "0.25.0"));
    }
}
