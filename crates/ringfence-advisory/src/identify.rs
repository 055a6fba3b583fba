//! Identification: every resolved package of every lockfile, matched against the advisory
//! index, becomes a [`Finding`] that says where it is, how it got there and what to do. The
//! CLI, the server and the proxy all identify through this one function.

use std::collections::BTreeSet;
use std::path::Path;

use ringfence_lockfile::Lockfile;
use ringfence_package::Ecosystem;
use serde::Serialize;

use crate::{AdvisoryIndex, AdvisoryKind, Certainty, Match, Severity};

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub project: String,
    /// The lockfile, relative to the working directory where possible.
    pub lockfile: String,
    /// The line of the package's entry in the lockfile.
    pub line: Option<u32>,
    pub ecosystem: Ecosystem,
    pub package: String,
    pub version: String,
    pub purl: String,
    pub direct: bool,
    pub dev: bool,
    pub optional: bool,
    /// From a direct dependency of the project down to this package.
    pub path: Vec<String>,
    pub advisory: AdvisoryInfo,
    /// False when the advisory could not be fully evaluated for this version (an unknown range
    /// type, a version that does not parse): reported anyway, with `notes` saying why.
    pub certain: bool,
    pub notes: Vec<String>,
    /// The version to move to: the advisory's fix, or its last known good version.
    pub fixed_version: Option<String>,
    /// What the responder should do, in one sentence.
    pub remediation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryInfo {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub kind: AdvisoryKind,
    pub severity: Severity,
    pub url: String,
    /// When the advisory was published: the start of time-to-detect for incidents.
    #[serde(with = "time::serde::rfc3339::option")]
    pub published: Option<time::OffsetDateTime>,
    /// What ties this advisory to others of the same attack, for grouping incidents: its id
    /// and aliases, and the URLs of the articles and reports its records cite.
    #[serde(skip)]
    pub campaign: Vec<String>,
}

impl Finding {
    /// "webshop → left-pad-helper@1.2.0 → flatmap-stream@0.1.1".
    pub fn path_display(&self) -> String {
        let mut parts = vec![self.project.clone()];
        if self.path.is_empty() {
            parts.push(format!("{}@{}", self.package, self.version));
        } else {
            parts.extend(self.path.iter().cloned());
        }
        parts.join(" → ")
    }
}

/// The ids, aliases and cited reports of a match's records. Records of one attack on many
/// packages share them: the s1ngularity `@nx/*` records alias one GHSA, and the chalk/debug
/// records cite the same write-ups.
fn campaign_keys(m: &Match) -> Vec<String> {
    let mut keys: Vec<String> = std::iter::once(m.advisory.id.clone())
        .chain(m.aliases.iter().cloned())
        .collect();
    for record in std::iter::once(&m.advisory).chain(&m.also) {
        keys.extend(
            record
                .references
                .iter()
                .filter(|r| matches!(r.kind.as_str(), "ARTICLE" | "REPORT"))
                .map(|r| r.url.clone()),
        );
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Matches every package of every lockfile. Findings are sorted: known malware first, then
/// by severity, project, package and advisory, so output is the same on every run. `locate`
/// names a lockfile for people (the CLI makes it relative to the working directory).
pub fn identify(
    lockfiles: &[Lockfile],
    index: &AdvisoryIndex,
    locate: impl Fn(&Path) -> String,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for lockfile in lockfiles {
        let location = locate(&lockfile.path);
        let mut seen = BTreeSet::new();
        for p in &lockfile.packages {
            for m in index.matches(p.ecosystem, &p.name, &p.version) {
                let advisory = &m.advisory;
                // One package version can appear several times in a lockfile (nested copies);
                // report each (package, version, advisory) once per lockfile, at its first line.
                if !seen.insert((p.name.clone(), p.version.clone(), advisory.id.clone())) {
                    continue;
                }
                let fixed_version = m.fixed.clone();
                let remediation = match (&fixed_version, &m.last_affected) {
                    (None, Some(last)) => format!(
                        "versions up to {last} are affected: move to a later release{}",
                        if m.kind == AdvisoryKind::KnownMalware {
                            "; treat machines that installed it as compromised"
                        } else {
                            ""
                        }
                    ),
                    _ => remediation(m.kind, fixed_version.as_deref(), p.direct, &p.path),
                };
                findings.push(Finding {
                    project: lockfile.project.clone(),
                    lockfile: location.clone(),
                    line: p.line,
                    ecosystem: p.ecosystem,
                    package: p.name.clone(),
                    version: p.version.clone(),
                    purl: p.purl(),
                    direct: p.direct,
                    dev: p.dev,
                    optional: p.optional,
                    path: p.path.clone(),
                    advisory: AdvisoryInfo {
                        id: advisory.id.clone(),
                        aliases: m.aliases.clone(),
                        summary: advisory
                            .summary
                            .clone()
                            .unwrap_or_else(|| advisory.id.clone()),
                        kind: m.kind,
                        severity: m.severity,
                        url: format!("https://osv.dev/vulnerability/{}", advisory.id),
                        published: advisory.published,
                        campaign: campaign_keys(&m),
                    },
                    certain: m.certainty == Certainty::Affected,
                    notes: m.notes.clone(),
                    fixed_version,
                    remediation,
                });
            }
        }
    }
    findings.sort_by(|a, b| {
        let rank = |f: &Finding| {
            (
                f.advisory.kind != AdvisoryKind::KnownMalware,
                std::cmp::Reverse(f.advisory.severity),
            )
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.project.cmp(&b.project))
            .then_with(|| a.lockfile.cmp(&b.lockfile))
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.version.cmp(&b.version))
            .then_with(|| a.advisory.id.cmp(&b.advisory.id))
    });
    findings
}

fn remediation(kind: AdvisoryKind, fixed: Option<&str>, direct: bool, path: &[String]) -> String {
    let parent = if direct || path.len() < 2 {
        None
    } else {
        path.first()
    };
    match (kind, fixed, parent) {
        (_, Some(v), None) => format!("upgrade to {v} or later"),
        (_, Some(v), Some(p)) => format!("move to {v} or later (pulled in by {p}: update it, or pin with an override)"),
        (AdvisoryKind::KnownMalware, None, None) => {
            "remove it or pin the last version published before the compromise; treat machines that installed it as compromised".to_string()
        }
        (AdvisoryKind::KnownMalware, None, Some(p)) => format!(
            "pulled in by {p}: pin the last version published before the compromise with an override; treat machines that installed it as compromised"
        ),
        (_, None, _) => "no fixed version known: remove or replace the package".to_string(),
    }
}
