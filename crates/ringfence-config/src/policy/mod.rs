//! The policy: what each finding and alert does, the exceptions a team granted, the versions it
//! blocks, and the cool-down for fresh releases.
//!
//! Deciding a finding ([`Policy::action`]):
//! 1. the finding's kind gives an action (`[policy.findings]`, else the default below), and
//!    so does each of its alerts (`[policy.alerts]`, else the default below);
//! 2. an active exception for the package lowers what it covers to `monitor`: an exception
//!    without `alerts` covers the whole finding; one with `alerts` covers those alerts, and the
//!    finding itself when it lists every alert the finding has. Known malware and blocked
//!    versions are lowered only by an exception that names the exact version: an exception
//!    for `npm:esbuild`'s install script must not let a hijacked esbuild release through;
//! 3. an expired exception does not apply; the decision carries a warning instead;
//! 4. the strongest action wins: `ignore` < `monitor` < `warn` < `block` < `incident`.
//!
//! Defaults for finding kinds: `known-malware` and `malicious` → incident, `suspicious` → warn,
//! `vulnerability-critical` → block, `vulnerability-high` → warn, `vulnerability-medium` and
//! `vulnerability-low` → monitor, `blocked` and `too-new` → block.
//!
//! Defaults for alerts (ALERTS.md): capabilities → monitor (popular packages have them);
//! threats → block; `known-malware` and `too-new` → block; other metadata and integrity alerts
//! by their severity: critical → block, high → warn, medium and low → monitor.

mod parse;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use ringfence_inspect::{AlertId, AlertKind, AlertSeverity};
use ringfence_package::{Ecosystem, normalize_name};
use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

use crate::finding::{FindingFacts, FindingKind};
use crate::package::PackageSpec;

pub(crate) use parse::{parse_alert_id, read_policy};

/// What ringfence does about a finding, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Not reported.
    Ignore,
    /// Recorded and listed, never fails anything.
    Monitor,
    /// Reported as a warning.
    Warn,
    /// Fails the CI gate and is refused by the proxy.
    Block,
    /// Blocked, and an incident is opened (or joined) for it.
    Incident,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Ignore,
        Action::Monitor,
        Action::Warn,
        Action::Block,
        Action::Incident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Ignore => "ignore",
            Action::Monitor => "monitor",
            Action::Warn => "warn",
            Action::Block => "block",
            Action::Incident => "incident",
        }
    }

    /// The action for a finding kind that the policy does not mention.
    pub fn default_for_finding(kind: FindingKind) -> Action {
        match kind {
            FindingKind::KnownMalware | FindingKind::Malicious => Action::Incident,
            FindingKind::Suspicious => Action::Warn,
            FindingKind::Vulnerability { severity } => match severity {
                AlertSeverity::Critical => Action::Block,
                AlertSeverity::High => Action::Warn,
                AlertSeverity::Medium | AlertSeverity::Low => Action::Monitor,
            },
            FindingKind::Blocked | FindingKind::TooNew => Action::Block,
        }
    }

    /// The action for an alert that the policy does not mention.
    pub fn default_for_alert(id: AlertId) -> Action {
        match (id, id.kind()) {
            (_, AlertKind::Capability) => Action::Monitor,
            (_, AlertKind::Threat) => Action::Block,
            (AlertId::KnownMalware | AlertId::TooNew, _) => Action::Block,
            _ => match id.default_severity() {
                AlertSeverity::Critical => Action::Block,
                AlertSeverity::High => Action::Warn,
                AlertSeverity::Medium | AlertSeverity::Low => Action::Monitor,
            },
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown action `{s}`, expected one of: ignore, monitor, warn, block, incident"
                )
            })
    }
}

/// A team's decision to tolerate a package (or some of its alerts) for a while, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub package: PackageSpec,
    /// The alerts it covers; empty covers the whole finding.
    pub alerts: Vec<AlertId>,
    pub reason: String,
    /// The last day the exception applies.
    pub expires: Date,
    /// Where it is written in the file, for messages.
    pub line: usize,
}

impl Exception {
    pub fn is_expired(&self, today: Date) -> bool {
        today > self.expires
    }

    fn covers_alert(&self, id: AlertId) -> bool {
        self.alerts.is_empty() || self.alerts.contains(&id)
    }

    fn covers_finding(&self, facts: &FindingFacts) -> bool {
        self.alerts.is_empty()
            || (!facts.alerts.is_empty() && facts.alerts.iter().all(|a| self.alerts.contains(a)))
    }

    /// Known malware and blocked versions yield only to an exception for that exact version.
    fn may_lower(&self, hard: bool) -> bool {
        !hard || self.package.version.is_some()
    }

    fn describe(&self) -> String {
        format!(
            "the exception for {} (line {}: {}; until {})",
            self.package, self.line, self.reason, self.expires
        )
    }
}

/// One blocked package version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedSpec {
    pub ecosystem: Ecosystem,
    /// Normalised for its ecosystem.
    pub name: String,
    pub version: String,
    pub reason: Option<String>,
    /// Where it is written in the file.
    pub line: usize,
}

impl BlockedSpec {
    fn spec(&self) -> PackageSpec {
        PackageSpec {
            ecosystem: self.ecosystem,
            name: self.name.clone(),
            version: Some(self.version.clone()),
        }
    }
}

/// What the policy decided about one finding, and why, in words a responder can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub action: Action,
    /// The rule that decided: `finding `suspicious`: warn (default)`, `alert `env-exfiltration`:
    /// incident (policy)`, plus the exception that lowered it, if one did.
    pub because: String,
    /// Set when an exception for this package has expired and so no longer applies.
    pub exception_warning: Option<String>,
}

/// The `[policy]` table, validated. [`Policy::default`] is the built-in policy: the defaults
/// in the module documentation, no exceptions, no blocklist, no cool-down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    findings: BTreeMap<FindingKind, Action>,
    alerts: BTreeMap<AlertId, Action>,
    exceptions: Vec<Exception>,
    blocklist: Vec<BlockedSpec>,
    min_release_age: Option<Duration>,
    /// `incident-grouping = "package"`: one incident per package even when several are hit by
    /// one attack. The default groups a campaign's packages into one incident.
    per_package_incidents: bool,
}

/// One source of an action while deciding: the finding's kind or one alert.
struct Part<'a> {
    action: Action,
    label: String,
    lowered_by: Option<&'a Exception>,
}

impl Policy {
    /// The action for a finding kind: the file's, else the default.
    pub fn finding_action(&self, kind: FindingKind) -> Action {
        self.findings
            .get(&kind)
            .copied()
            .unwrap_or_else(|| Action::default_for_finding(kind))
    }

    /// The action for an alert: the file's, else the default.
    pub fn alert_action(&self, id: AlertId) -> Action {
        self.alerts
            .get(&id)
            .copied()
            .unwrap_or_else(|| Action::default_for_alert(id))
    }

    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    pub fn blocklist(&self) -> &[BlockedSpec] {
        &self.blocklist
    }

    /// The blocklist entry for this version, if there is one.
    pub fn blocked(&self, ecosystem: Ecosystem, name: &str, version: &str) -> Option<&BlockedSpec> {
        self.blocklist
            .iter()
            .find(|b| b.spec().matches(ecosystem, name, version))
    }

    /// Whether findings of different packages that share an advisory or a report about the
    /// attack go into one incident (`incident-grouping = "campaign"`, the default).
    pub fn group_campaigns(&self) -> bool {
        !self.per_package_incidents
    }

    /// The cool-down: versions published less than this long ago are `too-new`.
    pub fn min_release_age(&self) -> Option<Duration> {
        self.min_release_age
    }

    /// True when a version published at `published` is still inside the cool-down at `now`
    /// (a publish time in the future counts as too new).
    pub fn too_new(&self, published: OffsetDateTime, now: OffsetDateTime) -> bool {
        self.min_release_age
            .is_some_and(|age| now - published < age)
    }

    /// Decides one finding (rules in the module documentation).
    pub fn action(&self, facts: &FindingFacts, today: Date) -> Decision {
        let name = normalize_name(facts.ecosystem, &facts.name);
        let matching: Vec<&Exception> = self
            .exceptions
            .iter()
            .filter(|e| e.package.matches(facts.ecosystem, &name, &facts.version))
            .collect();
        let (expired, active): (Vec<&Exception>, Vec<&Exception>) =
            matching.into_iter().partition(|e| e.is_expired(today));
        let exception_warning = expired.first().map(|e| {
            format!(
                "the exception for {} (line {}) expired on {} and no longer applies",
                e.package, e.line, e.expires
            )
        });

        let mut parts = Vec::with_capacity(facts.alerts.len() + 1);
        let hard_kind = matches!(facts.kind, FindingKind::KnownMalware | FindingKind::Blocked);
        let kind_action = self.finding_action(facts.kind);
        parts.push(Part {
            action: kind_action,
            label: format!(
                "finding `{}`: {kind_action} ({})",
                facts.kind,
                origin(self.findings.contains_key(&facts.kind))
            ),
            lowered_by: active
                .iter()
                .copied()
                .find(|e| e.covers_finding(facts) && e.may_lower(hard_kind)),
        });
        let mut seen = Vec::new();
        for &id in &facts.alerts {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let hard = id == AlertId::KnownMalware;
            let alert_action = self.alert_action(id);
            parts.push(Part {
                action: alert_action,
                label: format!(
                    "alert `{id}`: {alert_action} ({})",
                    origin(self.alerts.contains_key(&id))
                ),
                lowered_by: active
                    .iter()
                    .copied()
                    .find(|e| e.covers_alert(id) && e.may_lower(hard)),
            });
        }

        let mut strongest: Option<(Action, String)> = None;
        for part in parts {
            let action = match part.lowered_by {
                Some(_) => part.action.min(Action::Monitor),
                None => part.action,
            };
            if strongest.as_ref().is_some_and(|(a, _)| *a >= action) {
                continue;
            }
            let mut because = part.label;
            if let Some(e) = part.lowered_by.filter(|_| action < part.action) {
                because.push_str(&format!(", lowered to {action} by {}", e.describe()));
            }
            strongest = Some((action, because));
        }
        let (action, because) = strongest.unwrap_or((Action::Ignore, String::new()));
        Decision {
            action,
            because,
            exception_warning,
        }
    }
}

fn origin(configured: bool) -> &'static str {
    if configured { "policy" } else { "default" }
}
