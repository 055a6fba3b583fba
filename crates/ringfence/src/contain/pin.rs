//! Which version to pin a package to while its bad versions are contained: the newest
//! unaffected release the project's declared range allows (so nothing else changes), or else
//! the newest unaffected release before the first bad one (the last version known good).

use nodejs_semver::{Range, Version};
use serde::{Deserialize, Serialize};

/// One published version, as the registry lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Available {
    pub version: String,
    /// RFC 3339, when the registry gave a publish time.
    pub published: Option<String>,
    /// The deprecation message, when the version is deprecated.
    pub deprecated: Option<String>,
}

/// The version to pin to, and why that one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub package: String,
    /// The affected versions the pin keeps out.
    pub from: Vec<String>,
    pub to: String,
    /// `newest unaffected satisfying ^4.3.7` or `newest unaffected before 4.4.2`.
    pub reason: String,
    pub published: Option<String>,
}

/// No version can be pinned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoPin {
    pub package: String,
    pub from: Vec<String>,
    pub why: String,
    pub suggestion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum PinOutcome {
    Pin(Pin),
    NoPin(NoPin),
}

/// What to do when nothing can be pinned to.
pub const REMOVE_SUGGESTION: &str = "remove the dependency or replace it";

/// Picks the pin for `package`. `declared` is the project's range for it (None when it is
/// only a transitive dependency); `affected` are the bad versions; `available` what the
/// registry publishes. Pre-releases are never picked; deprecated versions only when no
/// other unaffected version qualifies (the registry deprecates what its authors disown).
pub fn compute_pin(
    package: &str,
    declared: Option<&str>,
    affected: &[String],
    available: &[Available],
) -> PinOutcome {
    let bad: Vec<Version> = affected
        .iter()
        .filter_map(|v| Version::parse(v.trim_start_matches(['v', '='])).ok())
        .collect();
    let candidates: Vec<(Version, &Available)> = available
        .iter()
        .filter_map(|a| Some((Version::parse(&a.version).ok()?, a)))
        .filter(|(v, _)| !v.is_prerelease() && !bad.contains(v))
        .collect();
    let range = declared.and_then(|d| Range::parse(d).ok().map(|r| (d.trim(), r)));
    let first_bad = bad.iter().min();

    // Each rule in order, first with versions in good standing, then with deprecated ones.
    for allow_deprecated in [false, true] {
        let pool = || {
            candidates
                .iter()
                .filter(move |(_, a)| allow_deprecated || a.deprecated.is_none())
        };
        let satisfying = range.as_ref().and_then(|(text, r)| {
            let best = pool()
                .filter(|(v, _)| r.satisfies(v))
                .max_by(|x, y| x.0.cmp(&y.0))?;
            Some((best, format!("newest unaffected satisfying {text}")))
        });
        let before = first_bad.and_then(|first| {
            let best = pool()
                .filter(|(v, _)| v < first)
                .max_by(|x, y| x.0.cmp(&y.0))?;
            Some((best, format!("newest unaffected before {first}")))
        });
        if let Some(((version, available), mut reason)) = satisfying.or(before) {
            if let Some(message) = &available.deprecated {
                reason.push_str(&format!(" (deprecated: {})", message.trim()));
            }
            return PinOutcome::Pin(Pin {
                package: package.to_string(),
                from: affected.to_vec(),
                to: version.to_string(),
                reason,
                published: available.published.clone(),
            });
        }
    }
    let unaffected_prereleases = available
        .iter()
        .any(|a| Version::parse(&a.version).is_ok_and(|v| v.is_prerelease() && !bad.contains(&v)));
    PinOutcome::NoPin(NoPin {
        package: package.to_string(),
        from: affected.to_vec(),
        why: if candidates.is_empty() {
            let list = affected.join(", ");
            if available.is_empty() {
                format!("no unaffected version exists: the registry lists no versions of {package}")
            } else if unaffected_prereleases {
                format!(
                    "no unaffected version exists: every release of {package} is affected ({list}), and pre-releases are never pinned to"
                )
            } else {
                format!(
                    "no unaffected version exists: every published version of {package} is affected ({list})"
                )
            }
        } else {
            no_pin_reason(package, declared, first_bad)
        },
        suggestion: REMOVE_SUGGESTION.to_string(),
    })
}

/// Why no pin, when unaffected releases exist but none qualifies.
fn no_pin_reason(package: &str, declared: Option<&str>, first_bad: Option<&Version>) -> String {
    let range = match declared {
        Some(d) => format!("satisfies {d} or "),
        None => String::new(),
    };
    match first_bad {
        Some(first) => format!(
            "no unaffected release of {package} {range}precedes {first}: every version before it is affected or a pre-release"
        ),
        None => format!("no unaffected release of {package} {range}is known"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn available(versions: &[&str]) -> Vec<Available> {
        versions
            .iter()
            .map(|v| Available {
                version: v.to_string(),
                published: None,
                deprecated: None,
            })
            .collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn pin(outcome: PinOutcome) -> Pin {
        match outcome {
            PinOutcome::Pin(p) => p,
            PinOutcome::NoPin(n) => panic!("expected a pin: {n:?}"),
        }
    }

    #[test]
    fn picks_the_newest_unaffected_version_in_the_declared_range() {
        let p = pin(compute_pin(
            "debug",
            Some("^4.3.7"),
            &strings(&["4.4.2"]),
            &available(&["3.2.7", "4.3.7", "4.4.1", "4.4.2", "5.0.0"]),
        ));
        assert_eq!(p.to, "4.4.1");
        assert_eq!(p.reason, "newest unaffected satisfying ^4.3.7");
        assert_eq!(p.from, vec!["4.4.2"]);
    }

    #[test]
    fn a_fixed_release_after_the_bad_one_is_taken_when_the_range_allows_it() {
        let p = pin(compute_pin(
            "chalk",
            Some("^5.3.0"),
            &strings(&["5.6.1"]),
            &available(&["5.3.0", "5.6.0", "5.6.1", "5.6.2"]),
        ));
        assert_eq!(p.to, "5.6.2");
    }

    #[test]
    fn falls_back_to_the_newest_version_before_the_bad_one() {
        // The range admits only the bad version.
        let p = pin(compute_pin(
            "debug",
            Some("4.4.2"),
            &strings(&["4.4.2"]),
            &available(&["4.3.7", "4.4.1", "4.4.2"]),
        ));
        assert_eq!(p.to, "4.4.1");
        assert_eq!(p.reason, "newest unaffected before 4.4.2");
        // A transitive dependency has no declared range; later releases are not "before".
        let p = pin(compute_pin(
            "debug",
            None,
            &strings(&["4.4.2", "4.4.3"]),
            &available(&["4.3.7", "4.4.1", "4.4.2", "4.4.3"]),
        ));
        assert_eq!(p.to, "4.4.1");
        // A range that is not semver (a git URL) is treated as no range.
        let p = pin(compute_pin(
            "debug",
            Some("github:debug-js/debug"),
            &strings(&["4.4.2"]),
            &available(&["4.4.1", "4.4.2"]),
        ));
        assert_eq!(p.reason, "newest unaffected before 4.4.2");
    }

    #[test]
    fn prereleases_are_never_picked() {
        let p = pin(compute_pin(
            "debug",
            Some(">=4.3.7"),
            &strings(&["4.4.2"]),
            &available(&["4.3.7", "4.4.1", "4.4.2", "4.4.3-beta.0", "4.5.0-rc.1"]),
        ));
        assert_eq!(p.to, "4.4.1");
        let none = compute_pin(
            "x",
            None,
            &strings(&["1.0.0"]),
            &available(&["1.0.0-beta.1", "1.0.0"]),
        );
        let PinOutcome::NoPin(n) = none else {
            panic!("expected no pin: {none:?}")
        };
        assert!(
            n.why.contains("pre-releases are never pinned to"),
            "{}",
            n.why
        );
    }

    #[test]
    fn deprecated_versions_only_as_a_last_resort() {
        let mut list = available(&["1.0.0", "1.1.0", "1.2.0"]);
        list[1].deprecated = Some("use 1.0.0".into());
        let p = pin(compute_pin(
            "x",
            Some("^1.0.0"),
            &strings(&["1.2.0"]),
            &list,
        ));
        assert_eq!(p.to, "1.0.0");
        list[0].deprecated = Some("old".into());
        let p = pin(compute_pin(
            "x",
            Some("^1.0.0"),
            &strings(&["1.2.0"]),
            &list,
        ));
        assert_eq!(p.to, "1.1.0");
        assert!(
            p.reason.ends_with("(deprecated: use 1.0.0)"),
            "{}",
            p.reason
        );
    }

    #[test]
    fn nothing_unaffected_means_no_pin_and_a_suggestion() {
        let outcome = compute_pin(
            "evil-pkg",
            Some("^1.0.0"),
            &strings(&["1.0.0", "1.0.1"]),
            &available(&["1.0.0", "1.0.1"]),
        );
        let PinOutcome::NoPin(n) = outcome else {
            panic!("expected no pin: {outcome:?}")
        };
        assert!(n.why.contains("no unaffected version exists"), "{}", n.why);
        assert_eq!(n.suggestion, REMOVE_SUGGESTION);
        // Unaffected versions exist, but only after the bad one and outside the range.
        let outcome = compute_pin(
            "p",
            Some("~1.0.0"),
            &strings(&["1.0.0"]),
            &available(&["1.0.0", "2.0.0"]),
        );
        let PinOutcome::NoPin(n) = outcome else {
            panic!("expected no pin: {outcome:?}")
        };
        assert!(
            n.why.contains("satisfies ~1.0.0 or precedes 1.0.0"),
            "{}",
            n.why
        );
        let PinOutcome::NoPin(n) = compute_pin("gone", None, &strings(&["1.0.0"]), &[]) else {
            panic!("expected no pin")
        };
        assert!(n.why.contains("lists no versions of gone"), "{}", n.why);
    }
}
