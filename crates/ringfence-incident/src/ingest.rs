//! Identification feeds incidents. Given what one `scan --record` found and the incidents
//! already known, [`plan`] says which incidents to open, which to join, which to re-open, and
//! which projects moved between exposed and remediated. Pure and idempotent: planning the
//! same scan twice against the result of the first gives nothing to do.
//!
//! Re-introduction re-opens: when a project resolves an affected version again after its
//! incident reached recovery, or after it was closed, that incident goes back to containment
//! rather than a new one opening. A closed incident is re-opened only for a version it
//! already named; a new bad version of the same package is a new incident.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::event::Change;
use crate::model::{Incident, IncidentId, IncidentType, ProjectStatus, Severity, Stage, Timestamp};

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

/// The findings that go into one incident: one package's, or a campaign's.
struct Unit<'f, 'i> {
    packages: Vec<(&'f str, &'f str)>,
    findings: Vec<&'f RecordedFinding>,
    /// The incident they join (or re-open); `None` opens a new one.
    target: Option<&'i Incident>,
}

/// Groups the findings by the incident they belong to. A package keeps the incident that
/// already holds it (open, or closed and naming the version: re-opened). With campaign
/// grouping, a package that has none joins an open incident that shares a campaign key, and
/// packages that share keys with each other open one incident together.
fn units<'f, 'i>(
    by_package: BTreeMap<(&'f str, &'f str), Vec<&'f RecordedFinding>>,
    open: &[&'i Incident],
    incidents: &'i [Incident],
    policy: &IncidentPolicy,
) -> Vec<Unit<'f, 'i>> {
    let mut joined: BTreeMap<IncidentId, Unit<'f, 'i>> = BTreeMap::new();
    fn join<'f, 'i>(
        joined: &mut BTreeMap<IncidentId, Unit<'f, 'i>>,
        incident: &'i Incident,
        package: (&'f str, &'f str),
        group: Vec<&'f RecordedFinding>,
    ) {
        let unit = joined.entry(incident.id).or_insert_with(|| Unit {
            packages: Vec::new(),
            findings: Vec::new(),
            target: Some(incident),
        });
        unit.packages.push(package);
        unit.findings.extend(group);
    }
    // First the packages that have an incident of their own.
    let mut homeless: Vec<((&'f str, &'f str), Vec<&'f RecordedFinding>)> = Vec::new();
    for ((ecosystem, name), group) in by_package {
        let holder = open
            .iter()
            .copied()
            .find(|i| i.package(ecosystem, name).is_some())
            .or_else(|| reopens(incidents, ecosystem, name, &group));
        match holder {
            Some(incident) => join(&mut joined, incident, (ecosystem, name), group),
            None => homeless.push(((ecosystem, name), group)),
        }
    }
    // Then those that share a campaign key with an open incident, or with what joined one.
    if policy.group_campaigns {
        let mut known: Vec<(&'i Incident, BTreeSet<&str>)> = open
            .iter()
            .map(|i| (*i, i.campaign.iter().map(String::as_str).collect()))
            .collect();
        for unit in joined.values() {
            let incident = unit.target.expect("joined units have a target");
            let keys = campaign_keys(&unit.findings);
            match known.iter_mut().find(|(i, _)| i.id == incident.id) {
                Some((_, k)) => k.extend(keys),
                None => known.push((incident, keys)),
            }
        }
        known.sort_by_key(|(i, _)| i.id);
        let mut rest = Vec::new();
        for (package, group) in homeless {
            let keys = campaign_keys(&group);
            match known.iter().find(|(_, k)| !k.is_disjoint(&keys)) {
                Some((incident, _)) => join(&mut joined, incident, package, group),
                None => rest.push((package, group)),
            }
        }
        homeless = rest;
    }
    let mut units: Vec<Unit<'f, 'i>> = joined.into_values().collect();
    // New incidents: one per package, or one per set of packages linked by shared keys.
    let mut component: Vec<usize> = (0..homeless.len()).collect();
    if policy.group_campaigns {
        let keys: Vec<BTreeSet<&str>> = homeless.iter().map(|(_, g)| campaign_keys(g)).collect();
        for i in 0..homeless.len() {
            for j in 0..i {
                if !keys[i].is_disjoint(&keys[j]) {
                    let (from, to) = (component[i], component[j]);
                    for c in component.iter_mut().filter(|c| **c == from) {
                        *c = to;
                    }
                }
            }
        }
    }
    let mut fresh: BTreeMap<usize, Unit<'f, 'i>> = BTreeMap::new();
    for (i, (package, group)) in homeless.into_iter().enumerate() {
        let unit = fresh.entry(component[i]).or_insert_with(|| Unit {
            packages: Vec::new(),
            findings: Vec::new(),
            target: None,
        });
        unit.packages.push(package);
        unit.findings.extend(group);
    }
    units.extend(fresh.into_values());
    units
}

fn campaign_keys<'f>(group: &[&'f RecordedFinding]) -> BTreeSet<&'f str> {
    group
        .iter()
        .flat_map(|f| f.campaign.iter().map(String::as_str))
        .collect()
}

/// The most recently closed incident that named one of the found versions of this package.
fn reopens<'a>(
    incidents: &'a [Incident],
    ecosystem: &str,
    name: &str,
    group: &[&RecordedFinding],
) -> Option<&'a Incident> {
    incidents
        .iter()
        .filter(|i| i.is_closed())
        .filter(|i| {
            i.package(ecosystem, name)
                .is_some_and(|p| group.iter().any(|f| p.versions.contains(&f.version)))
        })
        .max_by_key(|i| i.id)
}

fn reopened(from: Stage, group: &[&RecordedFinding]) -> Change {
    let mut found: Vec<String> = group
        .iter()
        .map(|f| format!("{} resolves {}@{}", f.project, f.name, f.version))
        .collect();
    found.sort();
    found.dedup();
    Change::Reopened {
        from,
        reason: format!("re-introduced: {}", found.join("; ")),
    }
}

/// The `opened` change: the title names the packages (up to three) with their versions.
fn opened(packages: &[(&str, &str)], group: &[&RecordedFinding]) -> Change {
    let mut named: Vec<String> = packages
        .iter()
        .map(|(ecosystem, name)| {
            let mut versions: Vec<&str> = group
                .iter()
                .filter(|f| f.ecosystem == *ecosystem && f.name == *name)
                .map(|f| f.version.as_str())
                .collect();
            versions.sort();
            versions.dedup();
            format!("{name}@{}", versions.join(", "))
        })
        .collect();
    if named.len() > 3 {
        let more = named.len() - 3;
        named.truncate(3);
        named.push(format!("{more} more packages"));
    }
    let worst = group
        .iter()
        .map(|f| f.kind)
        .min()
        .expect("a group is never empty");
    let (kind, severity, what) = match worst {
        FindingKind::KnownMalware => (
            IncidentType::MaliciousDependency,
            Severity::Sev2,
            "known malicious release",
        ),
        FindingKind::MaliciousVerdict => (
            IncidentType::MaliciousDependency,
            Severity::Sev2,
            "malicious code found by inspection",
        ),
        FindingKind::SuspiciousVerdict | FindingKind::Blocked => {
            (IncidentType::Other, Severity::Sev3, "suspicious release")
        }
        FindingKind::Vulnerability => (
            IncidentType::VulnerableDependency,
            Severity::Sev3,
            "vulnerable release",
        ),
    };
    Change::Opened {
        title: format!("{}: {what}", named.join("; ")),
        kind,
        severity: Some(severity),
        source: "scan --record".into(),
    }
}

/// The package versions and projects of `group` that `existing` does not hold yet. A project's
/// commit is the one its lockfile was scanned at.
fn join_changes(
    existing: Option<&Incident>,
    group: &[&RecordedFinding],
    scanned: &[ScannedLockfile],
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut seen_versions = BTreeSet::new();
    for f in group {
        let known = existing
            .and_then(|i| i.package(&f.ecosystem, &f.name))
            .is_some_and(|p| p.versions.contains(&f.version) && p.sources.contains(&f.source));
        if !known && seen_versions.insert((&f.ecosystem, &f.name, &f.version, &f.source)) {
            let mut campaign: Vec<String> = group
                .iter()
                .filter(|g| g.name == f.name && g.ecosystem == f.ecosystem)
                .flat_map(|g| g.campaign.iter().cloned())
                .collect();
            campaign.sort();
            campaign.dedup();
            changes.push(Change::PackageAffected {
                ecosystem: f.ecosystem.clone(),
                name: f.name.clone(),
                version: f.version.clone(),
                source: f.source.clone(),
                detectable_since: f.detectable_since,
                campaign,
            });
        }
    }
    let mut by_lockfile: BTreeMap<&str, (&str, BTreeSet<String>)> = BTreeMap::new();
    for f in group {
        by_lockfile
            .entry(&f.lockfile)
            .or_insert((&f.project, BTreeSet::new()))
            .1
            .insert(format!("{}@{}", f.name, f.version));
    }
    for (lockfile, (project, resolved)) in by_lockfile {
        let current = existing.and_then(|i| i.projects.iter().find(|p| p.lockfile == lockfile));
        let up_to_date = current.is_some_and(|p| {
            p.status == ProjectStatus::Exposed && resolved.iter().all(|r| p.resolved.contains(r))
        });
        if !up_to_date {
            changes.push(Change::ProjectExposed {
                project: project.to_string(),
                lockfile: lockfile.to_string(),
                resolved: resolved.into_iter().collect(),
                commit: scanned
                    .iter()
                    .find(|s| s.lockfile == lockfile)
                    .and_then(|s| s.commit.clone()),
            });
        }
    }
    changes
}
