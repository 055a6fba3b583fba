//! Identification feeds incidents. Given what one `scan --record` found and the incidents
//! already known, [`plan`] says which incidents to open, which to join, which to re-open, and
//! which projects moved between exposed and remediated. Pure and idempotent: planning the
//! same scan twice against the result of the first gives nothing to do.
//!
//! Re-introduction re-opens: when a project resolves an affected version again after its
//! incident reached recovery, or after it was closed, that incident goes back to containment
//! rather than a new one opening. A closed incident is re-opened only for a version it
//! already named; a new bad version of the same package is a new incident.

mod changes;
mod units;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::event::Change;
use crate::model::{Incident, IncidentId, ProjectStatus, Stage, Timestamp};
use changes::{join_changes, opened, reopened};
use units::units;

/// What kind of finding this is, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// An advisory says this release is malware (OSV `MAL-` records).
    KnownMalware,
    /// Deep inspection's verdict on the package's own code.
    MaliciousVerdict,
    SuspiciousVerdict,
    /// An ordinary vulnerability advisory.
    Vulnerability,
    /// The version is on the blocklist.
    Blocked,
}

/// One finding of a recorded scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedFinding {
    pub project: String,
    pub lockfile: String,
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub kind: FindingKind,
    /// The advisory id, or `inspection`.
    pub source: String,
    pub summary: String,
    /// When the bad release or its advisory became public, if known.
    pub detectable_since: Option<Timestamp>,
    /// What ties this finding to others of the same attack: the advisory's id and aliases
    /// and the URLs of reports about it. Findings that share one go into one incident.
    #[serde(default)]
    pub campaign: Vec<String>,
}

/// One lockfile as the scan saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedLockfile {
    pub project: String,
    pub lockfile: String,
    pub commit: Option<String>,
    /// Every (ecosystem, name, version) it resolves.
    pub packages: BTreeSet<(String, String, String)>,
}

/// Which findings open incidents, and whether one attack on many packages is one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentPolicy {
    pub opens_incident: BTreeSet<FindingKind>,
    /// Findings of different packages that share a campaign key (an advisory, a report about
    /// the attack) go into one incident. Off: one incident per package.
    pub group_campaigns: bool,
}

impl Default for IncidentPolicy {
    /// Known malware and `malicious` verdicts open incidents; the rest are reported only.
    /// Campaigns are grouped.
    fn default() -> Self {
        IncidentPolicy {
            opens_incident: [FindingKind::KnownMalware, FindingKind::MaliciousVerdict].into(),
            group_campaigns: true,
        }
    }
}

/// Where a plan's changes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Existing(IncidentId),
    /// A new incident, claiming these (ecosystem, name) packages so that no second open
    /// incident is created for them, even by a concurrent scan.
    New {
        claims: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub target: Target,
    pub changes: Vec<Change>,
}

/// Plans the incident changes for one recorded scan. `incidents` holds the incidents known
/// so far; closed ones matter only for re-opening.
pub fn plan(
    findings: &[RecordedFinding],
    scanned: &[ScannedLockfile],
    incidents: &[Incident],
    policy: &IncidentPolicy,
) -> Vec<Plan> {
    let open: Vec<&Incident> = incidents.iter().filter(|i| !i.is_closed()).collect();
    let mut plans: Vec<Plan> = Vec::new();
    // Findings that open or join incidents, grouped by package.
    let mut by_package: BTreeMap<(&str, &str), Vec<&RecordedFinding>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| policy.opens_incident.contains(&f.kind))
    {
        by_package
            .entry((f.ecosystem.as_str(), f.name.as_str()))
            .or_default()
            .push(f);
    }
    let mut touched: BTreeMap<IncidentId, Incident> = BTreeMap::new();
    for unit in units(by_package, &open, incidents, policy) {
        let group = &unit.findings;
        let mut changes = join_changes(unit.target, group, scanned);
        // Exposed again after eradication (or closing): back to containment.
        if let Some(i) = unit.target
            && i.stage >= Stage::Recovery
            && changes
                .iter()
                .any(|c| matches!(c, Change::ProjectExposed { .. }))
        {
            changes.insert(0, reopened(i.stage, group));
        }
        match unit.target {
            Some(incident) => {
                if !changes.is_empty() {
                    // Keep the incident as it will be, for the remediation pass below.
                    let mut next = incident.clone();
                    for c in &changes {
                        let _ = next.apply(&crate::event::Event {
                            at: group[0]
                                .detectable_since
                                .unwrap_or(Timestamp(time::OffsetDateTime::UNIX_EPOCH)),
                            actor: String::new(),
                            change: c.clone(),
                        });
                    }
                    touched.insert(incident.id, next);
                    plans.push(Plan {
                        target: Target::Existing(incident.id),
                        changes,
                    });
                }
            }
            None => {
                let mut all = vec![opened(&unit.packages, group)];
                all.extend(changes);
                plans.push(Plan {
                    target: Target::New {
                        claims: unit
                            .packages
                            .iter()
                            .map(|(e, n)| (e.to_string(), n.to_string()))
                            .collect(),
                    },
                    changes: all,
                });
            }
        }
    }
    // Projects of open incidents that this scan saw again: still exposed, or clean now?
    for incident in open {
        let incident = touched.get(&incident.id).unwrap_or(incident);
        let mut changes = Vec::new();
        let mut back: Vec<String> = Vec::new();
        for project in &incident.projects {
            let Some(lockfile) = scanned.iter().find(|s| s.lockfile == project.lockfile) else {
                continue;
            };
            let resolved: Vec<String> = incident
                .affected_versions()
                .filter(|(e, n, v)| {
                    lockfile
                        .packages
                        .contains(&(e.to_string(), n.to_string(), v.to_string()))
                })
                .map(|(_, n, v)| format!("{n}@{v}"))
                .collect();
            match (project.status, resolved.is_empty()) {
                (ProjectStatus::Exposed, true) => changes.push(Change::ProjectRemediated {
                    project: lockfile.project.clone(),
                    lockfile: lockfile.lockfile.clone(),
                    commit: lockfile.commit.clone(),
                }),
                // Re-introduced after remediation: exposed again.
                (ProjectStatus::Remediated, false) => {
                    back.push(format!(
                        "{} resolves {}",
                        lockfile.project,
                        resolved.join(", ")
                    ));
                    changes.push(Change::ProjectExposed {
                        project: lockfile.project.clone(),
                        lockfile: lockfile.lockfile.clone(),
                        resolved,
                        commit: lockfile.commit.clone(),
                    });
                }
                _ => {}
            }
        }
        // Past eradication, a project exposed again undoes it: back to containment.
        if !back.is_empty() && incident.stage >= Stage::Recovery {
            changes.insert(
                0,
                Change::Reopened {
                    from: incident.stage,
                    reason: format!("re-introduced: {}", back.join("; ")),
                },
            );
        }
        if changes.is_empty() {
            continue;
        }
        match plans
            .iter_mut()
            .find(|p| p.target == Target::Existing(incident.id))
        {
            Some(p) => p.changes.extend(changes),
            None => plans.push(Plan {
                target: Target::Existing(incident.id),
                changes,
            }),
        }
    }
    plans
}
