//! The changes a plan is made of: what a unit of findings adds to its incident, the title of
//! a new one, and the re-opening of one that was past eradication.

use std::collections::{BTreeMap, BTreeSet};

use super::{FindingKind, RecordedFinding, ScannedLockfile};
use crate::event::Change;
use crate::model::{Incident, IncidentType, ProjectStatus, Severity, Stage};

pub(super) fn reopened(from: Stage, group: &[&RecordedFinding]) -> Change {
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
pub(super) fn opened(packages: &[(&str, &str)], group: &[&RecordedFinding]) -> Change {
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
pub(super) fn join_changes(
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
