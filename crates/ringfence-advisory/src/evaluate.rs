//! The OSV evaluation algorithm (schema "Evaluation" section), for one affected
//! entry and one package version:
//!
//! ```text
//! affected if v is in `versions`, or for some range:
//!   v < some limit (or no limit), and walking the events sorted by version,
//!   introduced <= v sets vulnerable, fixed <= v or last_affected < v clears it.
//! ```
//!
//! What the spec leaves open, decided here:
//! - `versions` entries match by string equality after trimming; on PyPI also by
//!   PEP 440 equality (`1.0` is `1.0.0` there, and the registry treats them as one).
//! - `SEMVER` and `ECOSYSTEM` ranges are both compared with the ecosystem's ordering.
//! - `GIT` ranges say nothing about registry versions: skipped.
//! - A range that cannot be evaluated (unknown type, invalid bound, malformed event,
//!   or a package version that does not parse) never yields "not affected": it yields
//!   [`Outcome::Possible`] with a note, unless the range is "every version"
//!   (`introduced: 0` alone), which covers even an unparseable version.

use std::cmp::Ordering;

use ringfence_package::{Ecosystem, Version};

use crate::advisory::{AffectedPackage, AffectedRange, EventKind, RangeKind};
use crate::bound::Bound;

/// A package version to test, parsed once per query.
pub(crate) struct Query<'a> {
    pub raw: &'a str,
    pub parsed: Result<Version, String>,
}

impl<'a> Query<'a> {
    pub(crate) fn new(ecosystem: Ecosystem, raw: &'a str) -> Query<'a> {
        let raw = raw.trim();
        Query {
            raw,
            parsed: Version::parse(ecosystem, raw).map_err(|e| e.reason),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    NotAffected,
    Affected {
        fixed: Option<String>,
        last_affected: Option<String>,
    },
    Possible(String),
}

impl Outcome {
    /// Folds two outcomes: affected beats possible beats not affected; the first
    /// known fixed/last-affected version is kept.
    pub(crate) fn or(self, other: Outcome) -> Outcome {
        match (self, other) {
            (
                Outcome::Affected {
                    fixed,
                    last_affected,
                },
                Outcome::Affected {
                    fixed: f2,
                    last_affected: l2,
                },
            ) => {
                let known = fixed.is_some() || last_affected.is_some();
                if known {
                    Outcome::Affected {
                        fixed,
                        last_affected,
                    }
                } else {
                    Outcome::Affected {
                        fixed: f2,
                        last_affected: l2,
                    }
                }
            }
            (a @ Outcome::Affected { .. }, _) | (_, a @ Outcome::Affected { .. }) => a,
            (p @ Outcome::Possible(_), _) | (_, p @ Outcome::Possible(_)) => p,
            _ => Outcome::NotAffected,
        }
    }
}

/// Evaluates one `affected[]` entry (the caller checked the package key).
pub(crate) fn evaluate(pkg: &AffectedPackage, query: &Query<'_>) -> Outcome {
    let mut outcome = if in_versions(pkg, query) {
        Outcome::Affected {
            fixed: None,
            last_affected: None,
        }
    } else {
        Outcome::NotAffected
    };
    for range in &pkg.ranges {
        outcome = outcome.or(evaluate_range(pkg, range, query));
    }
    outcome
}

fn in_versions(pkg: &AffectedPackage, query: &Query<'_>) -> bool {
    if pkg.versions.iter().any(|v| v == query.raw) {
        return true;
    }
    match (&query.parsed, pkg.ecosystem) {
        (Ok(parsed), Ecosystem::PyPI) => pkg.parsed_versions.iter().flatten().any(|v| v == parsed),
        _ => false,
    }
}

fn evaluate_range(pkg: &AffectedPackage, range: &AffectedRange, query: &Query<'_>) -> Outcome {
    match &range.kind {
        RangeKind::Git => return Outcome::NotAffected,
        RangeKind::Other(kind) => {
            return Outcome::Possible(format!(
                "{}: range type `{kind}` is not supported, so version {} may be affected",
                pkg.name, query.raw
            ));
        }
        RangeKind::Semver | RangeKind::Ecosystem => {}
    }
    if range.malformed {
        return Outcome::Possible(format!(
            "{}: a range event is malformed (none or several of introduced/fixed/\
             last_affected/limit), so version {} may be affected",
            pkg.name, query.raw
        ));
    }
    if let Some(bad) = range
        .events
        .iter()
        .find(|e| matches!(e.bound, Bound::Invalid(_)))
    {
        return Outcome::Possible(format!(
            "{}: `{}: {}` is not a valid {} version, so version {} may be affected",
            pkg.name,
            bad.kind.as_str(),
            bad.version,
            pkg.ecosystem,
            query.raw
        ));
    }
    let version = match &query.parsed {
        Ok(v) => v,
        Err(_) if covers_everything(range) => {
            return Outcome::Affected {
                fixed: None,
                last_affected: None,
            };
        }
        Err(reason) => {
            return Outcome::Possible(format!(
                "{}: version `{}` is not a valid {} version ({reason}), so the range {} \
                 cannot be evaluated",
                pkg.name,
                query.raw,
                pkg.ecosystem,
                describe(range)
            ));
        }
    };
    included(range, version)
}

/// `BeforeLimits` and the sorted event walk of the spec, plus the version that
/// closes the matching interval (the fix to upgrade to, or the last bad version).
fn included(range: &AffectedRange, v: &Version) -> Outcome {
    let limits: Vec<&Bound> = range
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Limit)
        .map(|e| &e.bound)
        .collect();
    if !limits.is_empty()
        && !limits
            .iter()
            .any(|b| b.cmp_version(v) == Some(Ordering::Greater))
    {
        return Outcome::NotAffected;
    }

    let mut sorted: Vec<_> = range
        .events
        .iter()
        .filter(|e| e.kind != EventKind::Limit)
        .collect();
    // At equal versions `introduced` goes first, so `introduced: X, fixed: X` is empty.
    let rank = |k: EventKind| match k {
        EventKind::Introduced => 0,
        EventKind::Fixed => 1,
        EventKind::LastAffected => 2,
        EventKind::Limit => 3,
    };
    sorted.sort_by(|a, b| {
        a.bound
            .sort_cmp(&b.bound)
            .then(rank(a.kind).cmp(&rank(b.kind)))
    });

    let mut vulnerable = false;
    let mut opened_at = 0;
    for (i, event) in sorted.iter().enumerate() {
        let Some(bound_vs_v) = event.bound.cmp_version(v) else {
            continue;
        };
        match event.kind {
            EventKind::Introduced if bound_vs_v != Ordering::Greater => {
                vulnerable = true;
                opened_at = i;
            }
            EventKind::Fixed if bound_vs_v != Ordering::Greater => vulnerable = false,
            EventKind::LastAffected if bound_vs_v == Ordering::Less => vulnerable = false,
            _ => {}
        }
    }
    if !vulnerable {
        return Outcome::NotAffected;
    }
    let closing = sorted[opened_at + 1..]
        .iter()
        .find(|e| matches!(e.kind, EventKind::Fixed | EventKind::LastAffected));
    Outcome::Affected {
        fixed: closing
            .filter(|e| e.kind == EventKind::Fixed)
            .map(|e| e.version.clone()),
        last_affected: closing
            .filter(|e| e.kind == EventKind::LastAffected)
            .map(|e| e.version.clone()),
    }
}

/// `introduced: 0` with nothing that could end the range: every version, including
/// ones that do not parse, is affected.
fn covers_everything(range: &AffectedRange) -> bool {
    let mut from_zero = false;
    for e in &range.events {
        match (e.kind, &e.bound) {
            (EventKind::Introduced, Bound::Zero) => from_zero = true,
            (EventKind::Introduced, _) => {}
            (EventKind::Limit, Bound::Infinity) => {}
            _ => return false,
        }
    }
    from_zero
}

fn describe(range: &AffectedRange) -> String {
    let parts: Vec<String> = range
        .events
        .iter()
        .map(|e| format!("{} {}", e.kind.as_str(), e.version))
        .collect();
    format!("[{}]", parts.join(", "))
}
