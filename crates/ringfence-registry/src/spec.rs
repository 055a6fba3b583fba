//! `npm:NAME@VERSION` specs, and picking the version a spec means from a packument the way
//! npm picks it: a dist-tag names a version, an exact version must exist, and for a range the
//! `latest` tag wins when it fits, else the highest fitting version that is not deprecated.

use std::fmt;
use std::str::FromStr;

use nodejs_semver::{Range, Version};

use crate::error::RegistryError;
use crate::name::validate_name;
use crate::packument::{PackageVersion, Packument};

/// What the part after `@` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// An exact version (`1.2.3`), normalised.
    Version(String),
    /// A semver range (`^1.2`, `1.x`, `>=2 <3`), with its text.
    Range(String),
    /// A dist-tag (`latest`, `next`).
    Tag(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NpmSpec {
    pub name: String,
    pub selector: Selector,
}

impl NpmSpec {
    /// Parses `npm:name@version`, `npm:@scope/name@^1`, `npm:name@latest`, or the same
    /// without `npm:`. No version means the `latest` tag, as with `npm install name`.
    pub fn parse(text: &str) -> Result<NpmSpec, RegistryError> {
        let invalid = |reason: &str| RegistryError::InvalidSpec {
            spec: text.chars().take(300).collect(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        let body = match trimmed.split_once(':') {
            Some(("npm", rest)) => rest,
            Some((prefix, _)) if !prefix.contains('@') && !prefix.contains('/') => {
                return Err(invalid(&format!("`{prefix}:` is not an npm spec")));
            }
            _ => trimmed,
        };
        // The version separator is the first `@` after the name (skip a scope's leading `@`).
        let (name, wanted) = match body.get(1..).and_then(|rest| rest.find('@')) {
            Some(at) => (&body[..at + 1], Some(&body[at + 2..])),
            None => (body, None),
        };
        validate_name(name).map_err(|e| invalid(&e.to_string()))?;
        let wanted = wanted.map(str::trim).filter(|w| !w.is_empty());
        let selector = match wanted {
            None => Selector::Tag("latest".to_string()),
            Some(wanted) => classify(wanted).ok_or_else(|| {
                invalid(&format!(
                    "{wanted:?} is neither a version, a semver range nor a dist-tag"
                ))
            })?,
        };
        Ok(NpmSpec {
            name: name.to_string(),
            selector,
        })
    }

    /// The version of `packument` this spec selects.
    pub fn resolve<'p>(
        &self,
        packument: &'p Packument,
    ) -> Result<&'p PackageVersion, RegistryError> {
        let no_match = |detail: String| RegistryError::NoMatchingVersion {
            package: self.name.clone(),
            wanted: self.selector.text().to_string(),
            detail,
        };
        let summary = || {
            let latest = packument
                .latest()
                .map(|l| format!(", latest is {l}"))
                .unwrap_or_default();
            let count = packument.versions.len();
            let plural = if count == 1 { "" } else { "s" };
            format!("{count} version{plural} published{latest}")
        };
        match &self.selector {
            Selector::Version(version) => packument.versions.get(version).ok_or_else(|| {
                no_match(format!("version {version} is not published; {}", summary()))
            }),
            Selector::Tag(tag) => {
                let version = packument
                    .dist_tags
                    .get(tag)
                    .ok_or_else(|| no_match(format!("no dist-tag {tag:?}; {}", summary())))?;
                packument.versions.get(version).ok_or_else(|| {
                    no_match(format!(
                        "dist-tag {tag:?} points at {version}, which is not in the packument"
                    ))
                })
            }
            Selector::Range(text) => {
                let range =
                    Range::parse(text).map_err(|e| no_match(format!("invalid range: {e}")))?;
                pick_in_range(packument, &range)
                    .ok_or_else(|| no_match(format!("nothing in range; {}", summary())))
            }
        }
    }
}

impl Selector {
    pub fn text(&self) -> &str {
        match self {
            Selector::Version(t) | Selector::Range(t) | Selector::Tag(t) => t,
        }
    }
}

impl FromStr for NpmSpec {
    type Err = RegistryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        NpmSpec::parse(text)
    }
}

impl fmt::Display for NpmSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "npm:{}@{}", self.name, self.selector.text())
    }
}

fn classify(wanted: &str) -> Option<Selector> {
    let bare = wanted.strip_prefix('v').unwrap_or(wanted);
    if looks_like_exact(bare)
        && let Ok(version) = Version::parse(bare)
    {
        return Some(Selector::Version(version.to_string()));
    }
    if Range::parse(wanted).is_ok() {
        return Some(Selector::Range(wanted.to_string()));
    }
    // A dist-tag must be usable in a URL as is (npm: encodeURIComponent(tag) == tag).
    let url_safe = wanted
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~!*'()".contains(c));
    url_safe.then(|| Selector::Tag(wanted.to_string()))
}

/// `1.2.3` or `1.2.3-beta.1+build`: three numeric parts, no operators or wildcards.
fn looks_like_exact(text: &str) -> bool {
    let core = text.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// npm-pick-manifest's choice for a range.
fn pick_in_range<'p>(packument: &'p Packument, range: &Range) -> Option<&'p PackageVersion> {
    if let Some(latest) = packument.latest().and_then(|l| packument.versions.get(l)) {
        let fits = Version::parse(&latest.version).is_ok_and(|v| range.satisfies(&v));
        if fits && latest.deprecated.is_none() {
            return Some(latest);
        }
    }
    packument
        .versions
        .values()
        .filter_map(|manifest| {
            let version = Version::parse(&manifest.version).ok()?;
            range.satisfies(&version).then_some((manifest, version))
        })
        .max_by(|(a, va), (b, vb)| (a.deprecated.is_none(), va).cmp(&(b.deprecated.is_none(), vb)))
        .map(|(manifest, _)| manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(text: &str) -> Selector {
        NpmSpec::parse(text).unwrap().selector
    }

    #[test]
    fn parses_spec_forms() {
        let spec = NpmSpec::parse("npm:@scope/pkg@1.2.3").unwrap();
        assert_eq!(spec.name, "@scope/pkg");
        assert_eq!(spec.selector, Selector::Version("1.2.3".into()));
        assert_eq!(spec.to_string(), "npm:@scope/pkg@1.2.3");
        assert_eq!(selector("npm:left-pad"), Selector::Tag("latest".into()));
        assert_eq!(selector("npm:@scope/pkg"), Selector::Tag("latest".into()));
        assert_eq!(
            selector("npm:left-pad@latest"),
            Selector::Tag("latest".into())
        );
        assert_eq!(selector("npm:left-pad@next"), Selector::Tag("next".into()));
        assert_eq!(
            selector("left-pad@v1.0.0"),
            Selector::Version("1.0.0".into())
        );
        assert_eq!(
            selector("left-pad@1.0.0-rc.1"),
            Selector::Version("1.0.0-rc.1".into())
        );
        assert_eq!(selector("npm:x@^1.2"), Selector::Range("^1.2".into()));
        assert_eq!(selector("npm:x@1.x"), Selector::Range("1.x".into()));
        assert_eq!(selector("npm:x@>=1 <2"), Selector::Range(">=1 <2".into()));
        assert_eq!(selector("npm:x@1"), Selector::Range("1".into()));
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "",
            "npm:",
            "npm:@",
            "pypi:requests@1",
            "npm:../x@1",
            "npm:x@a b/c",
            "npm:x@%2e",
        ] {
            assert!(NpmSpec::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
