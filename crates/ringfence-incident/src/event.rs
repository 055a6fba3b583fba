//! Timeline events: every change to an incident is one append-only [`Event`], and the
//! [`Incident`] is what replaying them gives. The store keeps the events hash-chained
//! (see [`crate::timeline`]); nothing else about an incident is ever written.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::{
    AffectedPackage, AffectedProject, CustodyEntry, Evidence, GateOverride, Incident, IncidentId,
    IncidentType, Note, Observable, ObservableKind, Participant, ProjectStatus, Reopening,
    ReportRef, Role, Severity, Stage, Task, TaskDone, Timestamp,
};

/// Who did what, when. `at` keeps the zone offset of the machine that recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    pub actor: String,
    pub change: Change,
}

impl Event {
    pub fn new(at: OffsetDateTime, actor: impl Into<String>, change: Change) -> Event {
        Event {
            at: Timestamp(at),
            actor: actor.into(),
            change,
        }
    }
}

/// One change. The `kind` tag is what the timeline shows and what the store indexes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Change {
    Opened {
        title: String,
        #[serde(rename = "type")]
        kind: IncidentType,
        severity: Option<Severity>,
        /// Why it was opened: `scan --record`, `manual`, a playbook name.
        source: String,
    },
    SeveritySet {
        severity: Severity,
    },
    TypeSet {
        #[serde(rename = "type")]
        kind: IncidentType,
    },
    CommanderAssigned {
        who: String,
    },
    ParticipantAdded {
        who: String,
        role: Role,
    },
    ParticipantRemoved {
        who: String,
    },
    /// A version of a package is part of this incident (joins the package if it is new).
    PackageAffected {
        ecosystem: String,
        name: String,
        version: String,
        /// An advisory id, or `inspection: malicious`.
        source: String,
        /// The release or advisory publish time, when known: starts time to detect.
        detectable_since: Option<Timestamp>,
        /// What ties this release to others of the same attack: the advisory's ids and
        /// aliases and the reports written about it. A later finding that shares one joins
        /// this incident.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        campaign: Vec<String>,
    },
    /// A scan saw this project resolve affected versions.
    ProjectExposed {
        project: String,
        lockfile: String,
        resolved: Vec<String>,
        commit: Option<String>,
    },
    /// A scan of this project no longer resolves any affected version.
    ProjectRemediated {
        project: String,
        lockfile: String,
        commit: Option<String>,
    },
    ObservableAdded {
        #[serde(rename = "type")]
        kind: ObservableKind,
        value: String,
        source: String,
    },
    TaskAdded {
        id: u32,
        stage: Stage,
        title: String,
        owner: Option<String>,
        due: Option<String>,
    },
    TaskAssigned {
        id: u32,
        owner: String,
    },
    TaskDone {
        id: u32,
    },
    TaskReopened {
        id: u32,
    },
    EvidenceAdded {
        sha256: String,
        size: u64,
        name: String,
        description: Option<String>,
    },
    /// The evidence left the store (an export bundle, a report): a custody entry.
    EvidenceHandled {
        sha256: String,
        action: String,
    },
    NoteAdded {
        text: String,
    },
    StageAdvanced {
        from: Stage,
        to: Stage,
        /// Set when a gate was overridden: the reason and the conditions that were unmet.
        forced: Option<Forced>,
    },
    ReportGenerated {
        sha256: String,
        format: String,
    },
    /// A version was put on (or taken off) the blocklist for this incident.
    Blocked {
        ecosystem: String,
        name: String,
        version: String,
    },
    Unblocked {
        ecosystem: String,
        name: String,
        version: String,
    },
    Exported {
        manifest_sha256: String,
    },
    /// An automated playbook step ran and changed something; `outcome` says what.
    PlaybookStep {
        playbook: String,
        step: String,
        outcome: String,
    },
    /// An affected version is resolved again after the incident reached recovery (or was
    /// closed): the incident goes back to containment, and its gates apply again.
    Reopened {
        from: Stage,
        reason: String,
    },
    /// The registry's publish time of an affected version. Time to detect starts at the
    /// earliest publish time known, which is earlier than any advisory about the release.
    ReleasePublished {
        ecosystem: String,
        name: String,
        version: String,
        published: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forced {
    pub reason: String,
    pub unmet: Vec<String>,
}

impl Change {
    /// The `kind` tag, as stored and shown.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Opened { .. } => "opened",
            Change::SeveritySet { .. } => "severity-set",
            Change::TypeSet { .. } => "type-set",
            Change::CommanderAssigned { .. } => "commander-assigned",
            Change::ParticipantAdded { .. } => "participant-added",
            Change::ParticipantRemoved { .. } => "participant-removed",
            Change::PackageAffected { .. } => "package-affected",
            Change::ProjectExposed { .. } => "project-exposed",
            Change::ProjectRemediated { .. } => "project-remediated",
            Change::ObservableAdded { .. } => "observable-added",
            Change::TaskAdded { .. } => "task-added",
            Change::TaskAssigned { .. } => "task-assigned",
            Change::TaskDone { .. } => "task-done",
            Change::TaskReopened { .. } => "task-reopened",
            Change::EvidenceAdded { .. } => "evidence-added",
            Change::EvidenceHandled { .. } => "evidence-handled",
            Change::NoteAdded { .. } => "note-added",
            Change::StageAdvanced { .. } => "stage-advanced",
            Change::ReportGenerated { .. } => "report-generated",
            Change::Blocked { .. } => "blocked",
            Change::Unblocked { .. } => "unblocked",
            Change::Exported { .. } => "exported",
            Change::PlaybookStep { .. } => "playbook-step",
            Change::Reopened { .. } => "reopened",
            Change::ReleasePublished { .. } => "release-published",
        }
    }

    /// One line for people: what the timeline shows.
    pub fn describe(&self) -> String {
        match self {
            Change::Opened {
                title,
                kind,
                severity,
                source,
            } => format!(
                "opened \"{title}\" ({kind}{}) from {source}",
                severity
                    .map(|s| format!(", {}", s.label()))
                    .unwrap_or_default()
            ),
            Change::SeveritySet { severity } => format!("severity set to {}", severity.label()),
            Change::TypeSet { kind } => format!("type set to {kind}"),
            Change::CommanderAssigned { who } => format!("{who} is incident commander"),
            Change::ParticipantAdded { who, role } => format!("{who} joined as {role}"),
            Change::ParticipantRemoved { who } => format!("{who} left the response"),
            Change::PackageAffected {
                ecosystem,
                name,
                version,
                source,
                ..
            } => format!("{ecosystem}:{name}@{version} affected ({source})"),
            Change::ProjectExposed {
                project,
                lockfile,
                resolved,
                ..
            } => format!("{project} ({lockfile}) resolves {}", resolved.join(", ")),
            Change::ProjectRemediated {
                project, lockfile, ..
            } => format!("{project} ({lockfile}) no longer resolves an affected version"),
            Change::ObservableAdded {
                kind,
                value,
                source,
            } => format!("observable {kind} {value} ({source})"),
            Change::TaskAdded {
                id,
                stage,
                title,
                owner,
                ..
            } => format!(
                "task #{id} [{stage}] {title}{}",
                owner
                    .as_ref()
                    .map(|o| format!(" → {o}"))
                    .unwrap_or_default()
            ),
            Change::TaskAssigned { id, owner } => format!("task #{id} assigned to {owner}"),
            Change::TaskDone { id } => format!("task #{id} done"),
            Change::TaskReopened { id } => format!("task #{id} reopened"),
            Change::EvidenceAdded {
                sha256, size, name, ..
            } => format!("evidence {name} ({size} bytes, sha256 {sha256})"),
            Change::EvidenceHandled { sha256, action } => {
                format!("evidence {} {action}", short(sha256))
            }
            Change::NoteAdded { text } => format!("note: {text}"),
            Change::StageAdvanced { from, to, forced } => match forced {
                None => format!("stage {from} → {to}"),
                Some(f) => format!(
                    "stage {from} → {to} FORCED ({}); unmet: {}",
                    f.reason,
                    f.unmet.join("; ")
                ),
            },
            Change::ReportGenerated { sha256, format } => {
                format!(
                    "post-incident report ({format}) generated, sha256 {}",
                    short(sha256)
                )
            }
            Change::Blocked {
                ecosystem,
                name,
                version,
            } => format!("blocked {ecosystem}:{name}@{version}"),
            Change::Unblocked {
                ecosystem,
                name,
                version,
            } => format!("unblocked {ecosystem}:{name}@{version}"),
            Change::PlaybookStep {
                playbook,
                step,
                outcome,
            } => format!("playbook {playbook}: {step}: {outcome}"),
            Change::Exported { manifest_sha256 } => {
                format!("exported, manifest sha256 {}", short(manifest_sha256))
            }
            Change::Reopened { from, reason } => {
                format!("RE-OPENED from {from}, back to containment: {reason}")
            }
            Change::ReleasePublished {
                ecosystem,
                name,
                version,
                published,
            } => format!("{ecosystem}:{name}@{version} was published {published}"),
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// An event that cannot apply to the incident as it stands. Commands check first, so this
/// means a corrupted or hand-edited timeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} ({kind}) cannot apply: {reason}")]
pub struct ApplyError {
    pub index: u64,
    pub kind: &'static str,
    pub reason: String,
}

impl Incident {
    /// Rebuilds an incident from its whole timeline. The first event must be `opened`.
    pub fn replay<'a>(
        id: IncidentId,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Incident, ApplyError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ApplyError {
            index: 0,
            kind: "none",
            reason: "the timeline is empty".into(),
        })?;
        let Change::Opened {
            title,
            kind,
            severity,
            ..
        } = &first.change
        else {
            return Err(ApplyError {
                index: 0,
                kind: first.change.kind(),
                reason: "the first event must be `opened`".into(),
            });
        };
        let mut incident = Incident {
            id,
            title: title.clone(),
            kind: *kind,
            severity: *severity,
            stage: Stage::Identification,
            stage_entered: [(Stage::Identification, first.at)].into(),
            commander: None,
            participants: Vec::new(),
            packages: Vec::new(),
            projects: Vec::new(),
            observables: Vec::new(),
            tasks: Vec::new(),
            evidence: Vec::new(),
            notes: Vec::new(),
            detectable_since: None,
            reports: Vec::new(),
            overrides: Vec::new(),
            reopenings: Vec::new(),
            campaign: Default::default(),
            events: 1,
        };
        for event in events {
            incident.apply(event)?;
        }
        Ok(incident)
    }

    /// Applies one more event. Deterministic: the same events always give the same record.
    pub fn apply(&mut self, event: &Event) -> Result<(), ApplyError> {
        let index = self.events;
        let fail = |reason: String| ApplyError {
            index,
            kind: event.change.kind(),
            reason,
        };
        let at = event.at;
        let actor = event.actor.clone();
        match &event.change {
            Change::Opened { .. } => return Err(fail("the incident is already open".into())),
            Change::SeveritySet { severity } => self.severity = Some(*severity),
            Change::TypeSet { kind } => self.kind = *kind,
            Change::CommanderAssigned { who } => {
                self.commander = Some(who.clone());
                if !self.participants.iter().any(|p| &p.who == who) {
                    self.participants.push(Participant {
                        who: who.clone(),
                        role: Role::Commander,
                        since: at,
                    });
                }
                for p in &mut self.participants {
                    if &p.who == who {
                        p.role = Role::Commander;
                    } else if p.role == Role::Commander {
                        p.role = Role::Responder;
                    }
                }
            }
            Change::ParticipantAdded { who, role } => {
                match self.participants.iter_mut().find(|p| &p.who == who) {
                    Some(p) => p.role = *role,
                    None => self.participants.push(Participant {
                        who: who.clone(),
                        role: *role,
                        since: at,
                    }),
                }
            }
            Change::ParticipantRemoved { who } => {
                self.participants.retain(|p| &p.who != who);
                if self.commander.as_ref() == Some(who) {
                    self.commander = None;
                }
            }
            Change::PackageAffected {
                ecosystem,
                name,
                version,
                source,
                detectable_since,
                campaign,
            } => {
                self.campaign.extend(campaign.iter().cloned());
                let package = match self
                    .packages
                    .iter_mut()
                    .find(|p| &p.ecosystem == ecosystem && &p.name == name)
                {
                    Some(p) => p,
                    None => {
                        self.packages.push(AffectedPackage {
                            ecosystem: ecosystem.clone(),
                            name: name.clone(),
                            versions: Vec::new(),
                            sources: Vec::new(),
                            published: Default::default(),
                        });
                        self.packages.last_mut().expect("just pushed")
                    }
                };
                if !package.versions.contains(version) {
                    package.versions.push(version.clone());
                }
                if !package.sources.contains(source) {
                    package.sources.push(source.clone());
                }
                if let Some(t) = detectable_since {
                    self.knowable_at(*t);
                }
            }
            Change::ProjectExposed {
                project,
                lockfile,
                resolved,
                commit,
            } => match self.projects.iter_mut().find(|p| &p.lockfile == lockfile) {
                Some(p) => {
                    p.project = project.clone();
                    p.status = ProjectStatus::Exposed;
                    p.last_seen = at;
                    p.remediated_at = None;
                    p.commit = commit.clone();
                    // A set, not `contains` per version: a hostile bundle's timeline can list
                    // hundreds of thousands, which took minutes to merge one by one.
                    let mut seen: HashSet<&str> = p.resolved.iter().map(String::as_str).collect();
                    let added: Vec<String> = resolved
                        .iter()
                        .filter(|r| seen.insert(r.as_str()))
                        .cloned()
                        .collect();
                    p.resolved.extend(added);
                }
                None => self.projects.push(AffectedProject {
                    project: project.clone(),
                    lockfile: lockfile.clone(),
                    status: ProjectStatus::Exposed,
                    resolved: resolved.clone(),
                    first_seen: at,
                    last_seen: at,
                    remediated_at: None,
                    commit: commit.clone(),
                }),
            },
            Change::ProjectRemediated {
                lockfile, commit, ..
            } => {
                let p = self
                    .projects
                    .iter_mut()
                    .find(|p| &p.lockfile == lockfile)
                    .ok_or_else(|| fail(format!("project `{lockfile}` is not affected")))?;
                p.status = ProjectStatus::Remediated;
                p.remediated_at = Some(at);
                if commit.is_some() {
                    p.commit = commit.clone();
                }
            }
            Change::ObservableAdded {
                kind,
                value,
                source,
            } => {
                if !self
                    .observables
                    .iter()
                    .any(|o| o.kind == *kind && &o.value == value)
                {
                    self.observables.push(Observable {
                        kind: *kind,
                        value: value.clone(),
                        source: source.clone(),
                        added_by: actor,
                        at,
                    });
                }
            }
            Change::TaskAdded {
                id,
                stage,
                title,
                owner,
                due,
            } => {
                if self.task(*id).is_some() {
                    return Err(fail(format!("task #{id} already exists")));
                }
                self.tasks.push(Task {
                    id: *id,
                    stage: *stage,
                    title: title.clone(),
                    owner: owner.clone(),
                    due: due.clone(),
                    created_by: actor,
                    created_at: at,
                    done: None,
                });
            }
            Change::TaskAssigned { id, owner } => {
                self.task_mut(*id).map_err(fail)?.owner = Some(owner.clone());
            }
            Change::TaskDone { id } => {
                self.task_mut(*id).map_err(fail)?.done = Some(TaskDone { by: actor, at });
            }
            Change::TaskReopened { id } => {
                self.task_mut(*id).map_err(fail)?.done = None;
            }
            Change::EvidenceAdded {
                sha256,
                size,
                name,
                description,
            } => {
                if !self.evidence.iter().any(|e| &e.sha256 == sha256) {
                    self.evidence.push(Evidence {
                        sha256: sha256.clone(),
                        size: *size,
                        name: name.clone(),
                        description: description.clone(),
                        added_by: actor,
                        added_at: at,
                        custody: Vec::new(),
                    });
                }
            }
            Change::EvidenceHandled { sha256, action } => {
                let e = self
                    .evidence
                    .iter_mut()
                    .find(|e| &e.sha256 == sha256)
                    .ok_or_else(|| fail(format!("no evidence with sha256 {sha256}")))?;
                e.custody.push(CustodyEntry {
                    at,
                    by: actor,
                    action: action.clone(),
                });
            }
            Change::NoteAdded { text } => self.notes.push(Note {
                at,
                author: actor,
                text: text.clone(),
            }),
            Change::StageAdvanced { from, to, forced } => {
                if *from != self.stage {
                    return Err(fail(format!(
                        "it says from {from}, but the incident is in {}",
                        self.stage
                    )));
                }
                // Stages move forward one at a time; the store relies on this check.
                if from.next() != Some(*to) {
                    return Err(fail(format!(
                        "{from} → {to} is not a move to the next stage"
                    )));
                }
                self.stage = *to;
                // After a re-opening the stages are passed again; the metrics measure the
                // first response, so the first time each stage was entered is kept.
                self.stage_entered.entry(*to).or_insert(at);
                if let Some(f) = forced {
                    self.overrides.push(GateOverride {
                        to: *to,
                        reason: f.reason.clone(),
                        unmet: f.unmet.clone(),
                        by: actor,
                        at,
                    });
                }
            }
            Change::ReportGenerated { sha256, format } => self.reports.push(ReportRef {
                sha256: sha256.clone(),
                format: format.clone(),
                at,
                by: actor,
            }),
            Change::Reopened { from, reason } => {
                if *from != self.stage {
                    return Err(fail(format!(
                        "it says from {from}, but the incident is in {}",
                        self.stage
                    )));
                }
                if *from < Stage::Recovery {
                    return Err(fail(format!(
                        "an incident in {from} is still being handled; only one in recovery or later is re-opened"
                    )));
                }
                self.stage = Stage::Containment;
                self.reopenings.push(Reopening {
                    from: *from,
                    reason: reason.clone(),
                    by: actor,
                    at,
                });
            }
            Change::ReleasePublished {
                ecosystem,
                name,
                version,
                published,
            } => {
                let package = self
                    .packages
                    .iter_mut()
                    .find(|p| &p.ecosystem == ecosystem && &p.name == name)
                    .ok_or_else(|| fail(format!("{ecosystem}:{name} is not affected")))?;
                package.published.insert(version.clone(), *published);
                self.knowable_at(*published);
            }
            // Blocklist membership lives in the blocklist table; the event is the record of
            // who did it for this incident, and needs no state here.
            Change::Blocked { .. }
            | Change::Unblocked { .. }
            | Change::Exported { .. }
            | Change::PlaybookStep { .. } => {}
        }
        self.events += 1;
        Ok(())
    }

    /// The earliest known moment wins: detection could have started there.
    fn knowable_at(&mut self, t: Timestamp) {
        if self.detectable_since.is_none_or(|d| t < d) {
            self.detectable_since = Some(t);
        }
    }

    fn task_mut(&mut self, id: u32) -> Result<&mut Task, String> {
        self.tasks
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| format!("there is no task #{id}"))
    }

    /// The id the next task gets.
    pub fn next_task_id(&self) -> u32 {
        self.tasks
            .iter()
            .map(|t| t.id)
            .max()
            .unwrap_or(0)
            .saturating_add(1)
    }
}
