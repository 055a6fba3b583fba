//! Range bounds: the versions named by `introduced`, `fixed`, `last_affected` and
//! `limit`, parsed once when a record is read so matching only compares.

use std::cmp::Ordering;

use ringfence_package::{Ecosystem, Version};

/// A parsed event version.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    /// `introduced: "0"`: sorts before every version (OSV special value).
    Zero,
    /// A `limit` containing `*`: sorts after every version (OSV special value).
    Infinity,
    Version(Version),
    /// Not a version of this ecosystem; the range cannot be evaluated.
    Invalid(String),
}

impl Bound {
    pub(crate) fn parse(ecosystem: Ecosystem, event: &str, text: &str) -> Bound {
        let text = text.trim();
        if event == "introduced" && text == "0" {
            return Bound::Zero;
        }
        if event == "limit" && text.contains('*') {
            return Bound::Infinity;
        }
        match parse_lenient(ecosystem, text) {
            Ok(v) => Bound::Version(v),
            Err(reason) => Bound::Invalid(reason),
        }
    }

    /// Compares this bound with a package version. `None` for an invalid bound.
    pub(crate) fn cmp_version(&self, v: &Version) -> Option<Ordering> {
        // The result is the bound relative to `v`: `Less` means the bound is below it.
        match self {
            Bound::Zero => Some(Ordering::Less),
            Bound::Infinity => Some(Ordering::Greater),
            Bound::Version(b) => b.partial_cmp(v),
            Bound::Invalid(_) => None,
        }
    }

    /// Order between two bounds of one range, for the spec's `sorted(range.events)`.
    pub(crate) fn sort_cmp(&self, other: &Bound) -> Ordering {
        use Bound::*;
        match (self, other) {
            (Zero, Zero) | (Infinity, Infinity) => Ordering::Equal,
            (Zero, _) | (_, Infinity) => Ordering::Less,
            (_, Zero) | (Infinity, _) => Ordering::Greater,
            (Version(a), Version(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            // Invalid bounds make the range unevaluable; their position is irrelevant.
            (Invalid(_), _) | (_, Invalid(_)) => Ordering::Equal,
        }
    }
}

/// Parses a version by its ecosystem's rules, accepting the short forms advisory
/// databases write for npm and crates.io bounds (`"1.0"` means `1.0.0`; GitHub's
/// node-fetch advisory uses it).
pub(crate) fn parse_lenient(ecosystem: Ecosystem, text: &str) -> Result<Version, String> {
    match Version::parse(ecosystem, text) {
        Ok(v) => Ok(v),
        Err(err) => {
            if matches!(ecosystem, Ecosystem::Npm | Ecosystem::CratesIo)
                && let Some(padded) = pad_short_semver(text)
                && let Ok(v) = Version::parse(ecosystem, &padded)
            {
                return Ok(v);
            }
            Err(err.reason)
        }
    }
}

/// `"1"` → `"1.0.0"`, `"1.2"` → `"1.2.0"`; anything else is left alone.
fn pad_short_semver(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() > 2 || !parts.iter().all(numeric) {
        return None;
    }
    let mut out = parts.join(".");
    for _ in parts.len()..3 {
        out.push_str(".0");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(e: Ecosystem, s: &str) -> Version {
        Version::parse(e, s).unwrap()
    }

    #[test]
    fn short_npm_and_cargo_bounds_are_padded() {
        assert!(matches!(
            Bound::parse(Ecosystem::Npm, "introduced", "1.0"),
            Bound::Version(b) if b == v(Ecosystem::Npm, "1.0.0")
        ));
        assert!(matches!(
            Bound::parse(Ecosystem::CratesIo, "fixed", "2"),
            Bound::Version(b) if b == v(Ecosystem::CratesIo, "2.0.0")
        ));
        assert!(matches!(
            Bound::parse(Ecosystem::Npm, "fixed", "not-a-version"),
            Bound::Invalid(_)
        ));
    }

    #[test]
    fn special_values_sort_at_the_ends() {
        let zero = Bound::parse(Ecosystem::PyPI, "introduced", "0");
        let inf = Bound::parse(Ecosystem::PyPI, "limit", "*");
        let mid = Bound::parse(Ecosystem::PyPI, "fixed", "0.0.0.1");
        assert!(matches!(zero, Bound::Zero));
        assert!(matches!(inf, Bound::Infinity));
        assert_eq!(zero.sort_cmp(&mid), Ordering::Less);
        assert_eq!(inf.sort_cmp(&mid), Ordering::Greater);
        // `0` as a `fixed` value is an ordinary PEP 440 version, not the special value.
        assert!(matches!(
            Bound::parse(Ecosystem::PyPI, "fixed", "0"),
            Bound::Version(_)
        ));
    }

    #[test]
    fn cmp_version_is_bound_relative_to_version() {
        let pkg = v(Ecosystem::Npm, "1.5.0");
        let fixed = Bound::parse(Ecosystem::Npm, "fixed", "2.0.0");
        assert_eq!(fixed.cmp_version(&pkg), Some(Ordering::Greater));
        assert_eq!(
            Bound::Zero.cmp_version(&pkg),
            Some(Ordering::Less),
            "0 is below every version"
        );
        assert_eq!(Bound::Infinity.cmp_version(&pkg), Some(Ordering::Greater));
    }
}
