//! `scan --record`: the scan becomes history (each lockfile's inventory at its git commit,
//! and the findings), and findings the policy marks `incident` open or join incidents.
//! Planning is pure and idempotent (`ringfence_incident::ingest`), so a scan that raced
//! another writer simply plans again against what is there now.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ringfence_advisory::AdvisoryKind;
use ringfence_config::{Action, Config, FindingFacts, FindingKind as ConfigKind};
use ringfence_incident::ingest::{
    FindingKind, IncidentPolicy, Plan, RecordedFinding, ScannedLockfile, Target, plan,
};
use ringfence_incident::{Change, Event, IncidentId, Timestamp};
use ringfence_inspect::AlertSeverity;
use ringfence_inspect::Verdict;
use ringfence_lockfile::Lockfile;
use ringfence_store::{
    FindingRecord, InventoryRecord, Opened, PackageRecord, ScanRecord, Store, StoreError,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::blocked::BlockedHit;
use crate::deep::DeepResults;
use crate::identify::Finding;
use crate::output::display_path;
use crate::playbooks::Touched;

/// How many times a scan re-plans after losing a race with another writer.
const ATTEMPTS: usize = 4;

#[derive(Default, Serialize)]
pub struct RecordOutcome {
    pub scan: i64,
    pub lockfiles: usize,
    pub packages: usize,
    /// Incidents this scan opened.
    pub opened: Vec<IncidentChange>,
    /// Changes to incidents that were already open.
    pub updated: Vec<IncidentChange>,
    /// What the playbooks did after the incidents were updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub playbooks: Option<crate::playbooks::PlaybookRun>,
    #[serde(skip)]
    pub touched: Vec<Touched>,
}

#[derive(Debug, Serialize)]
pub struct IncidentChange {
    pub incident: IncidentId,
    pub title: String,
    pub changes: Vec<String>,
}

/// The identity of a lockfile across scans: its absolute path.
pub fn lockfile_key(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

#[allow(clippy::too_many_arguments)]
pub async fn record(
    store: &Store,
    config: &Config,
    lockfiles: &[Lockfile],
    findings: &[Finding],
    deep: Option<&DeepResults>,
    blocked: &[BlockedHit],
    actor: &str,
    at: OffsetDateTime,
) -> anyhow::Result<RecordOutcome> {
    let keys: Vec<String> = lockfiles.iter().map(|l| lockfile_key(&l.path)).collect();
    let commits: Vec<Option<String>> = lockfiles
        .iter()
        .map(|l| crate::git::head_commit(&l.path))
        .collect();
    let by_display: BTreeMap<String, usize> = lockfiles
        .iter()
        .enumerate()
        .map(|(i, l)| (display_path(&l.path), i))
        .collect();

    let recorded_findings =
        recorded_findings(lockfiles, &keys, &by_display, findings, deep, blocked);
    let scan = ScanRecord {
        at: Timestamp(at).rfc3339(),
        actor: actor.to_string(),
        lockfiles: lockfiles
            .iter()
            .zip(&keys)
            .zip(&commits)
            .map(|((l, key), commit)| InventoryRecord {
                project: l.project.clone(),
                lockfile: key.clone(),
                format: l.format.to_string(),
                commit: commit.clone(),
                packages: l
                    .packages
                    .iter()
                    .map(|p| PackageRecord {
                        ecosystem: p.ecosystem.osv_name().to_string(),
                        name: p.name.clone(),
                        version: p.version.clone(),
                        direct: p.direct,
                        dev: p.dev,
                    })
                    .collect(),
            })
            .collect(),
        findings: recorded_findings
            .iter()
            .map(|(index, f, _, _)| FindingRecord {
                lockfile: *index,
                ecosystem: f.ecosystem.clone(),
                name: f.name.clone(),
                version: f.version.clone(),
                kind: serde_json::to_value(f.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                source: f.source.clone(),
                summary: f.summary.clone(),
            })
            .collect(),
    };
    let recorded = store.record_scan(&scan).await?;
    let mut outcome = RecordOutcome {
        scan: recorded.scan,
        lockfiles: lockfiles.len(),
        packages: lockfiles.iter().map(|l| l.packages.len()).sum(),
        ..RecordOutcome::default()
    };

    let scanned: Vec<ScannedLockfile> = lockfiles
        .iter()
        .zip(&keys)
        .zip(&commits)
        .map(|((l, key), commit)| ScannedLockfile {
            project: l.project.clone(),
            lockfile: key.clone(),
            commit: commit.clone(),
            packages: l
                .packages
                .iter()
                .map(|p| {
                    (
                        p.ecosystem.osv_name().to_string(),
                        p.name.clone(),
                        p.version.clone(),
                    )
                })
                .collect::<BTreeSet<_>>(),
        })
        .collect();
    let commit_of: BTreeMap<&str, Option<String>> = scanned
        .iter()
        .map(|s| (s.lockfile.as_str(), s.commit.clone()))
        .collect();
    // The policy decides which findings open incidents (`incident`); the plan takes those.
    let today = at.date();
    let facts: Vec<(FindingFacts, AlertSeverity)> = recorded_findings
        .iter()
        .map(|(_, _, f, s)| (f.clone(), *s))
        .collect();
    let findings: Vec<RecordedFinding> = recorded_findings
        .into_iter()
        .filter(|(_, _, facts, _)| config.policy.action(facts, today).action == Action::Incident)
        .map(|(_, f, _, _)| f)
        .collect();
    let policy = IncidentPolicy {
        opens_incident: [
            FindingKind::KnownMalware,
            FindingKind::MaliciousVerdict,
            FindingKind::SuspiciousVerdict,
            FindingKind::Vulnerability,
            FindingKind::Blocked,
        ]
        .into(),
        group_campaigns: config.policy.group_campaigns(),
    };

    for attempt in 1..=ATTEMPTS {
        // Closed incidents too: one whose version comes back is re-opened.
        let listed = store.incidents(true).await?;
        let versions: BTreeMap<IncidentId, i64> =
            listed.iter().map(|s| (s.incident.id, s.version)).collect();
        let known: Vec<_> = listed.into_iter().map(|s| s.incident).collect();
        let plans = plan(&findings, &scanned, &known, &policy);
        let mut raced = false;
        for p in plans {
            match apply(store, p, &versions, &commit_of, actor, at, &mut outcome).await {
                Ok(()) => {}
                Err(Failure::Store(e)) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "the scan is recorded (#{}), but updating its incidents failed",
                        outcome.scan
                    )));
                }
                Err(Failure::Raced) if attempt < ATTEMPTS => raced = true,
                Err(Failure::Raced) => anyhow::bail!(
                    "other writers kept changing the same incidents; the scan is recorded (#{}), re-run it to update incidents",
                    outcome.scan
                ),
            }
        }
        if !raced {
            break;
        }
    }

    // What the playbooks need: each touched incident with the findings of its packages.
    let opened: BTreeSet<IncidentId> = outcome.opened.iter().map(|c| c.incident).collect();
    let mut ids: Vec<IncidentId> = outcome
        .opened
        .iter()
        .chain(&outcome.updated)
        .map(|c| c.incident)
        .collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let incident = store.incident(id).await?.incident;
        let findings: Vec<(FindingFacts, AlertSeverity)> = facts
            .iter()
            .filter(|(f, _)| {
                incident
                    .package(f.ecosystem.osv_name(), &f.name)
                    .is_some_and(|p| p.versions.contains(&f.version))
            })
            .cloned()
            .collect();
        attach_lockfiles(store, id, &keys, actor, at).await?;
        outcome.touched.push(Touched {
            incident: id,
            just_opened: opened.contains(&id),
            findings,
        });
    }
    Ok(outcome)
}

/// The lockfiles of the incident's exposed projects, as this scan read them, become evidence
/// ("lockfile at detection"): what the project resolved when it was found. Content-addressed,
/// so an unchanged lockfile is attached once.
async fn attach_lockfiles(
    store: &Store,
    id: IncidentId,
    scanned: &[String],
    actor: &str,
    at: OffsetDateTime,
) -> anyhow::Result<()> {
    let current = store.incident(id).await?;
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut events = Vec::new();
    for p in &current.incident.projects {
        if p.status != ringfence_incident::ProjectStatus::Exposed || !scanned.contains(&p.lockfile)
        {
            continue;
        }
        let Ok(bytes) = std::fs::read(&p.lockfile) else {
            continue;
        };
        let sha256 = ringfence_incident::timeline::sha256_hex(&bytes);
        if current.incident.evidence.iter().any(|e| e.sha256 == sha256)
            || blobs
                .iter()
                .any(|b| ringfence_incident::timeline::sha256_hex(b) == sha256)
        {
            continue;
        }
        let file = Path::new(&p.lockfile)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "lockfile".into());
        events.push(Event::new(
            at,
            actor,
            Change::EvidenceAdded {
                sha256,
                size: bytes.len() as u64,
                name: format!("{}-{file}", p.project),
                description: Some(format!("{} as scanned at detection", p.lockfile)),
            },
        ));
        blobs.push(bytes);
    }
    if events.is_empty() {
        return Ok(());
    }
    let refs: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
    match store
        .append_with_blobs(id, current.version, &refs, &events)
        .await
    {
        // Someone changed the incident meanwhile: the next scan attaches it.
        Ok(_) | Err(StoreError::Stale { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

enum Failure {
    /// Lost a race with another writer: plan again.
    Raced,
    Store(StoreError),
}

async fn apply(
    store: &Store,
    mut p: Plan,
    versions: &BTreeMap<IncidentId, i64>,
    commit_of: &BTreeMap<&str, Option<String>>,
    actor: &str,
    at: OffsetDateTime,
    outcome: &mut RecordOutcome,
) -> Result<(), Failure> {
    for c in &mut p.changes {
        if let Change::ProjectExposed {
            lockfile, commit, ..
        } = c
        {
            *commit = commit_of.get(lockfile.as_str()).cloned().flatten();
        }
    }
    let described: Vec<String> = p.changes.iter().map(Change::describe).collect();
    let events: Vec<Event> = p
        .changes
        .into_iter()
        .map(|c| Event::new(at, actor, c))
        .collect();
    let result = match p.target {
        Target::New { claims } => match store.open_incident(&events, &claims).await {
            Ok(Opened::New(s)) => {
                outcome.opened.push(IncidentChange {
                    incident: s.incident.id,
                    title: s.incident.title.clone(),
                    changes: described,
                });
                return Ok(());
            }
            Ok(Opened::AlreadyOpen { .. }) => return Err(Failure::Raced),
            Err(e) => Err(e),
        },
        Target::Existing(id) => {
            // The plan was made against the incident as listed; append against that version,
            // so a change made since then makes it plan again.
            let listed = versions.get(&id).copied().unwrap_or(0);
            store.append(id, listed, &events).await
        }
    };
    match result {
        Ok(s) => {
            outcome.updated.push(IncidentChange {
                incident: s.incident.id,
                title: s.incident.title.clone(),
                changes: described,
            });
            Ok(())
        }
        // Re-opening lost its package to an incident opened meanwhile: plan again, and join it.
        Err(StoreError::Stale { .. } | StoreError::AlreadyClaimed { .. }) => Err(Failure::Raced),
        Err(e) => Err(Failure::Store(e)),
    }
}

/// Every finding of the scan, for the policy, paired with the index of its lockfile.
fn recorded_findings(
    lockfiles: &[Lockfile],
    keys: &[String],
    by_display: &BTreeMap<String, usize>,
    findings: &[Finding],
    deep: Option<&DeepResults>,
    blocked: &[BlockedHit],
) -> Vec<(usize, RecordedFinding, FindingFacts, AlertSeverity)> {
    let mut out = Vec::new();
    for f in findings {
        let Some(&i) = by_display.get(&f.lockfile) else {
            continue;
        };
        let (facts, severity) = facts_of(f);
        out.push((
            i,
            RecordedFinding {
                project: f.project.clone(),
                lockfile: keys[i].clone(),
                ecosystem: f.ecosystem.osv_name().to_string(),
                name: f.package.clone(),
                version: f.version.clone(),
                kind: match f.advisory.kind {
                    AdvisoryKind::KnownMalware => FindingKind::KnownMalware,
                    AdvisoryKind::Vulnerability => FindingKind::Vulnerability,
                },
                source: f.advisory.id.clone(),
                summary: f.advisory.summary.clone(),
                detectable_since: f.advisory.published.map(Timestamp),
                campaign: f.advisory.campaign.clone(),
            },
            facts,
            severity,
        ));
    }
    for v in deep.map(|d| d.verdicts.as_slice()).unwrap_or_default() {
        let (kind, config_kind, severity) = match v.verdict {
            Verdict::Malicious => (
                FindingKind::MaliciousVerdict,
                ConfigKind::Malicious,
                AlertSeverity::Critical,
            ),
            Verdict::Suspicious => (
                FindingKind::SuspiciousVerdict,
                ConfigKind::Suspicious,
                AlertSeverity::High,
            ),
            Verdict::Ok => continue,
        };
        let ids: Vec<&str> = v.decided_by.iter().map(|a| a.as_str()).collect();
        for (i, l) in lockfiles.iter().enumerate() {
            if l.packages.iter().any(|p| {
                p.ecosystem == ringfence_package::Ecosystem::Npm
                    && p.name == v.name
                    && p.version == v.version
            }) {
                out.push((
                    i,
                    RecordedFinding {
                        project: l.project.clone(),
                        lockfile: keys[i].clone(),
                        ecosystem: "npm".into(),
                        name: v.name.clone(),
                        version: v.version.clone(),
                        kind,
                        source: "inspection".into(),
                        summary: format!("{} verdict: {}", v.verdict.as_str(), ids.join(", ")),
                        detectable_since: None,
                        campaign: vec![],
                    },
                    FindingFacts {
                        ecosystem: ringfence_package::Ecosystem::Npm,
                        name: v.name.clone(),
                        version: v.version.clone(),
                        kind: config_kind,
                        alerts: v.alerts.clone(),
                    },
                    severity,
                ));
            }
        }
    }
    for b in blocked {
        let Some(&i) = by_display.get(&b.lockfile) else {
            continue;
        };
        out.push((
            i,
            RecordedFinding {
                project: b.project.clone(),
                lockfile: keys[i].clone(),
                ecosystem: b.ecosystem.clone(),
                name: b.package.clone(),
                version: b.version.clone(),
                kind: FindingKind::Blocked,
                source: "blocklist".into(),
                summary: b.reason.clone(),
                detectable_since: None,
                campaign: vec![],
            },
            FindingFacts {
                ecosystem: ringfence_package::Ecosystem::from_osv(&b.ecosystem)
                    .unwrap_or(ringfence_package::Ecosystem::Npm),
                name: b.package.clone(),
                version: b.version.clone(),
                kind: if b.too_new {
                    ConfigKind::TooNew
                } else {
                    ConfigKind::Blocked
                },
                alerts: Vec::new(),
            },
            AlertSeverity::High,
        ));
    }
    out
}

/// What the policy and the playbook triggers see of an advisory finding.
pub fn facts_of(f: &Finding) -> (FindingFacts, AlertSeverity) {
    let severity = alert_severity(f.advisory.severity);
    let (kind, severity) = match f.advisory.kind {
        AdvisoryKind::KnownMalware => (ConfigKind::KnownMalware, AlertSeverity::Critical),
        AdvisoryKind::Vulnerability => (ConfigKind::Vulnerability { severity }, severity),
    };
    (
        FindingFacts {
            ecosystem: f.ecosystem,
            name: f.package.clone(),
            version: f.version.clone(),
            kind,
            alerts: Vec::new(),
        },
        severity,
    )
}

fn alert_severity(s: ringfence_advisory::Severity) -> AlertSeverity {
    use ringfence_advisory::Severity;
    match s {
        Severity::Critical => AlertSeverity::Critical,
        Severity::High => AlertSeverity::High,
        Severity::Low => AlertSeverity::Low,
        Severity::Medium | Severity::Unknown => AlertSeverity::Medium,
    }
}
