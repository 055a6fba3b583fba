//! Running playbooks: after `scan --record` opened or joined incidents, every playbook whose
//! trigger matches one of an incident's findings runs its steps in order. Each step that
//! changes something is recorded on the incident's timeline with its outcome (a
//! `playbook-step` event beside the changes themselves); a step that finds its work already
//! done records nothing, so running a playbook twice changes nothing the second time.
//!
//! The HTTP work (registry, webhooks) blocks, so this runs outside the tokio runtime and
//! enters it only for each database call.

mod credentials;
mod inspected;

use std::collections::BTreeSet;

use anyhow::Context;
use ringfence_config::{Config, FindingFacts, Playbook, Step, WebhookFormat};
use ringfence_incident::gate::{self, next_stage};
use ringfence_incident::timeline::sha256_hex;
use ringfence_incident::{Change, Event, IncidentId, ObservableKind, Stage};
use ringfence_inspect::AlertSeverity;
use ringfence_store::{BlockEntry, Store, StoreError, StoredIncident};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::runtime::Runtime;

use crate::notify::{self, Notification};
use inspected::Inspections;

/// An incident this scan opened or changed, with the findings that touched it.
pub struct Touched {
    pub incident: IncidentId,
    pub just_opened: bool,
    pub findings: Vec<(FindingFacts, AlertSeverity)>,
}

/// What the playbooks did.
#[derive(Debug, Default, Serialize)]
pub struct PlaybookRun {
    pub steps: Vec<StepOutcome>,
    /// Problems that stopped a step (a registry that cannot be reached); the step is retried
    /// on the next run.
    pub problems: Vec<String>,
    pub notifications_delivered: usize,
    pub notifications_pending: usize,
    /// Notifications queued by this run (sent when the run delivers).
    pub notifications_queued: usize,
}

#[derive(Debug, Serialize)]
pub struct StepOutcome {
    pub incident: IncidentId,
    pub playbook: String,
    pub step: String,
    pub outcome: String,
}

/// How one run acts: who it says it is, and when.
struct Ctx<'a> {
    rt: &'a Runtime,
    store: &'a Store,
    config: &'a Config,
    at: OffsetDateTime,
    inspections: Inspections,
    run: PlaybookRun,
}

/// Runs the playbooks for every touched incident. With `deliver`, queued notifications are
/// sent at once (a drill queues them in its scratch database and sends nothing).
pub fn run(
    rt: &Runtime,
    store: &Store,
    config: &Config,
    touched: &[Touched],
    at: OffsetDateTime,
    deliver: bool,
) -> anyhow::Result<PlaybookRun> {
    let mut ctx = Ctx {
        rt,
        store,
        config,
        at,
        inspections: Inspections::default(),
        run: PlaybookRun::default(),
    };
    let mut queued = false;
    for t in touched {
        let mut playbooks: Vec<&Playbook> = Vec::new();
        for (facts, severity) in &t.findings {
            for p in config.playbooks_for(facts, *severity) {
                if !playbooks.iter().any(|q| q.name == p.name) {
                    playbooks.push(p);
                }
            }
        }
        for playbook in playbooks {
            for step in &playbook.steps {
                if let Err(e) = run_step(&mut ctx, t, playbook, step, &mut queued) {
                    ctx.run.problems.push(format!(
                        "{}: playbook {}: {}: {e:#}",
                        t.incident,
                        playbook.name,
                        step.action()
                    ));
                }
            }
            advance_while_gates_pass(&mut ctx, t.incident, playbook)?;
        }
    }
    if queued && deliver {
        let round = notify::deliver_due(store, rt, false)?;
        ctx.run.notifications_delivered = round.delivered;
        ctx.run.notifications_pending = rt
            .block_on(store.outbox_status())
            .map(|s| s.pending as usize)
            .unwrap_or(0);
    }
    Ok(ctx.run)
}

fn load(ctx: &Ctx, id: IncidentId) -> anyhow::Result<StoredIncident> {
    Ok(ctx.rt.block_on(ctx.store.incident(id))?)
}

/// Appends `changes` and a `playbook-step` event saying what they were for, with the evidence
/// `blobs` they cite, in one transaction; re-reads and retries once if a person changed the
/// incident in between.
fn record(
    ctx: &mut Ctx,
    id: IncidentId,
    playbook: &str,
    step: &str,
    outcome: String,
    blobs: &[Vec<u8>],
    changes: impl Fn(&StoredIncident) -> Vec<Change>,
) -> anyhow::Result<()> {
    for _ in 0..2 {
        let current = load(ctx, id)?;
        let mut all = changes(&current);
        all.push(Change::PlaybookStep {
            playbook: playbook.to_string(),
            step: step.to_string(),
            outcome: outcome.clone(),
        });
        let events: Vec<Event> = all
            .into_iter()
            .map(|c| Event::new(ctx.at, actor(playbook), c))
            .collect();
        let refs: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
        match ctx.rt.block_on(
            ctx.store
                .append_with_blobs(id, current.version, &refs, &events),
        ) {
            Ok(_) => {
                ctx.run.steps.push(StepOutcome {
                    incident: id,
                    playbook: playbook.to_string(),
                    step: step.to_string(),
                    outcome,
                });
                return Ok(());
            }
            Err(StoreError::Stale { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("{id} kept changing while the playbook ran; it runs again on the next scan")
}

/// Timeline events of a playbook say so: `playbook:malicious-npm-release`.
fn actor(playbook: &str) -> String {
    format!("playbook:{playbook}")
}

fn run_step(
    ctx: &mut Ctx,
    t: &Touched,
    playbook: &Playbook,
    step: &Step,
    queued: &mut bool,
) -> anyhow::Result<()> {
    let id = t.incident;
    let name = playbook.name.as_str();
    let action = step.action();
    let current = load(ctx, id)?;
    let incident = &current.incident;
    match step {
        Step::OpenIncident {
            incident_type,
            severity,
            commander,
        } => {
            let mut changes = Vec::new();
            let mut said = Vec::new();
            if t.just_opened && incident.kind != *incident_type {
                changes.push(Change::TypeSet {
                    kind: *incident_type,
                });
                said.push(format!("type {incident_type}"));
            }
            // A playbook fills in what is missing and sets the severity of the incident it
            // just opened; it never overrides what a person decided since.
            if let Some(s) = severity
                && incident.severity != Some(*s)
                && (t.just_opened || incident.severity.is_none())
            {
                changes.push(Change::SeveritySet { severity: *s });
                said.push(format!("severity {}", s.label()));
            }
            let commander = commander.clone().or_else(|| {
                ctx.config
                    .team
                    .commander_for(incident.kind)
                    .map(str::to_string)
            });
            if let Some(c) = commander
                && incident.commander.is_none()
            {
                said.push(format!("commander {c}"));
                changes.push(Change::CommanderAssigned { who: c });
            }
            if !changes.is_empty() {
                record(ctx, id, name, action, said.join(", "), &[], |_| {
                    changes.clone()
                })?;
            }
        }
        Step::AddTasks { tasks } => {
            let missing: Vec<_> = tasks
                .iter()
                .filter(|t| {
                    !incident
                        .tasks
                        .iter()
                        .any(|x| x.stage == t.stage && x.title == t.title)
                })
                .collect();
            if !missing.is_empty() {
                let titles: Vec<String> = missing.iter().map(|t| t.title.clone()).collect();
                record(
                    ctx,
                    id,
                    name,
                    action,
                    format!("added tasks: {}", titles.join("; ")),
                    &[],
                    |s| {
                        let mut next = s.incident.next_task_id();
                        missing
                            .iter()
                            .map(|t| {
                                let c = Change::TaskAdded {
                                    id: next,
                                    stage: t.stage,
                                    title: t.title.clone(),
                                    owner: t.owner.clone(),
                                    due: None,
                                };
                                next += 1;
                                c
                            })
                            .collect()
                    },
                )?;
            }
        }
        Step::Block { reason } => {
            let reason = reason
                .clone()
                .unwrap_or_else(|| format!("{}: {}", incident.id, incident.title));
            let entries: Vec<BlockEntry> = incident
                .affected_versions()
                .map(|(e, n, v)| BlockEntry {
                    ecosystem: e.to_string(),
                    name: n.to_string(),
                    version: v.to_string(),
                    reason: reason.clone(),
                    incident: Some(id),
                    added_by: actor(name),
                    added_at: ringfence_incident::Timestamp(ctx.at).rfc3339(),
                })
                .collect();
            // The blocks, their `blocked` events and the step's own event: one transaction,
            // tried again once against the new version if a person changed the incident.
            let mut version = current.version;
            let summary = loop {
                match ctx.rt.block_on(ctx.store.block_for_playbook(
                    &entries,
                    (id, version),
                    name,
                    action,
                )) {
                    Err(StoreError::Stale { .. }) if version == current.version => {
                        version = load(ctx, id)?.version;
                    }
                    result => break result?,
                }
            };
            if !summary.added.is_empty() {
                let specs: Vec<String> = summary.added.iter().map(|e| e.spec()).collect();
                ctx.run.steps.push(StepOutcome {
                    incident: id,
                    playbook: name.to_string(),
                    step: action.to_string(),
                    outcome: format!("blocked {}", specs.join(", ")),
                });
            }
        }
        Step::Pin => pin(ctx, &current, name, action)?,
        Step::Notify { webhook } => {
            let wh = ctx
                .config
                .webhook(webhook)
                .with_context(|| format!("no webhook named {webhook}"))?;
            let target = notify::Webhook {
                name: wh.name.clone(),
                url: wh.url.clone(),
                format: match wh.format {
                    WebhookFormat::Json => notify::Format::Json,
                    WebhookFormat::Slack => notify::Format::Slack,
                },
                secret_env: wh.secret_env.clone(),
            };
            // Once when the incident opens (or the playbook first meets it), and again each
            // time it is re-opened: a version that came back is news the team must hear.
            let reopenings = incident.reopenings.len();
            let event = if t.just_opened {
                "incident.opened"
            } else if reopenings > 0 {
                "incident.reopened"
            } else {
                "incident.updated"
            };
            let notification = Notification::about_incident(
                event,
                incident,
                None,
                ringfence_incident::Timestamp(ctx.at).rfc3339(),
                serde_json::json!({ "playbook": name }),
            );
            // One notification per incident, playbook, webhook and re-opening: a re-run
            // queues nothing.
            let key = match reopenings {
                0 => format!("{id}/{name}/notify"),
                n => format!("{id}/{name}/notify/reopened-{n}"),
            };
            let message = notify::outbox_message(&target, &notification, Some(id), Some(&key));
            let ids = ctx.rt.block_on(ctx.store.enqueue(&[message]))?;
            if !ids.is_empty() {
                *queued = true;
                ctx.run.notifications_queued += ids.len();
                record(
                    ctx,
                    id,
                    name,
                    action,
                    format!("notification queued for webhook {webhook}"),
                    &[],
                    |_| Vec::new(),
                )?;
            }
        }
        Step::AttachEvidence => attach_evidence(ctx, &current, name, action)?,
        Step::RotateCredentials { owner } => {
            let mut titles = Vec::new();
            for p in incident.packages.iter().filter(|p| p.ecosystem == "npm") {
                for v in &p.versions {
                    let mut alerts: Vec<_> = t
                        .findings
                        .iter()
                        .filter(|(f, _)| f.name == p.name && &f.version == v)
                        .flat_map(|(f, _)| f.alerts.iter().copied())
                        .collect();
                    let report = ctx
                        .inspections
                        .get(&p.name, v)
                        .ok()
                        .map(|i| i.report.clone());
                    if let Some(r) = &report {
                        alerts.extend(r.alerts.iter().map(|a| a.alert.id));
                    }
                    let package = format!("{}@{v}", p.name);
                    for kind in credentials::at_risk(&alerts, report.as_ref()) {
                        titles.push(kind.task(&package));
                    }
                }
            }
            let existing: BTreeSet<&str> =
                incident.tasks.iter().map(|t| t.title.as_str()).collect();
            titles.retain(|t| !existing.contains(t.as_str()));
            titles.dedup();
            if !titles.is_empty() {
                let owner = owner.clone();
                record(
                    ctx,
                    id,
                    name,
                    action,
                    format!("credential-rotation tasks: {}", titles.join("; ")),
                    &[],
                    |s| {
                        let mut next = s.incident.next_task_id();
                        titles
                            .iter()
                            .map(|title| {
                                let c = Change::TaskAdded {
                                    id: next,
                                    stage: Stage::Eradication,
                                    title: title.clone(),
                                    owner: owner.clone(),
                                    due: None,
                                };
                                next += 1;
                                c
                            })
                            .collect()
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// Pin patches for every affected project, kept as evidence (`pin-<project>.diff`); applying
/// them stays a decision for a person (`ringfence contain INC-n --pin --apply`).
fn pin(ctx: &mut Ctx, current: &StoredIncident, name: &str, action: &str) -> anyhow::Result<()> {
    let incident = &current.incident;
    let client = crate::npm::client().ok();
    let mut lists = |package: &str| -> Result<_, String> {
        let source = match &client {
            Some(c) => crate::contain::versions::Source::Registry(c),
            None => crate::contain::versions::Source::Cache,
        };
        crate::contain::versions::versions(&source, package)
            .or_else(|_| {
                crate::contain::versions::versions(
                    &crate::contain::versions::Source::Cache,
                    package,
                )
            })
            .map_err(|e| format!("{e:#}"))
    };
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut changes = Vec::new();
    let mut said = Vec::new();
    for project in &incident.projects {
        let plan = crate::contain::plan_project(incident, project, &mut lists);
        if let Some(e) = &plan.error {
            ctx.run
                .problems
                .push(format!("{}: pin for {}: {e}", incident.id, project.project));
            continue;
        }
        for outcome in &plan.outcomes {
            if let crate::contain::pin::PinOutcome::NoPin(no) = outcome {
                ctx.run.problems.push(format!(
                    "{}: no pin for {} in {}: {}",
                    incident.id, no.package, project.project, no.why
                ));
            }
        }
        if plan.diff.is_empty() {
            continue;
        }
        let bytes = plan.diff.clone().into_bytes();
        let sha = sha256_hex(&bytes);
        if incident.evidence.iter().any(|e| e.sha256 == sha) {
            continue;
        }
        let pins: Vec<String> = plan
            .pins()
            .map(|p| format!("{} → {}", p.package, p.to))
            .collect();
        said.push(format!("{}: {}", project.project, pins.join(", ")));
        changes.push(Change::EvidenceAdded {
            sha256: sha,
            size: bytes.len() as u64,
            name: format!("pin-{}.diff", project.project),
            description: Some(format!(
                "pin patch; apply with `ringfence contain {} --pin --apply`",
                incident.id
            )),
        });
        blobs.push(bytes);
    }
    if changes.is_empty() {
        return Ok(());
    }
    let outcome = format!("pin patches: {}", said.join("; "));
    record(ctx, incident.id, name, action, outcome, &blobs, |_| {
        changes.clone()
    })
}

/// The tarball and its inspection report as evidence, and the report's IOCs as observables.
fn attach_evidence(
    ctx: &mut Ctx,
    current: &StoredIncident,
    name: &str,
    action: &str,
) -> anyhow::Result<()> {
    let incident = &current.incident;
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut changes = Vec::new();
    let mut said = Vec::new();
    let known: BTreeSet<&str> = incident
        .evidence
        .iter()
        .map(|e| e.sha256.as_str())
        .collect();
    for p in incident.packages.iter().filter(|p| p.ecosystem == "npm") {
        for v in &p.versions {
            let inspected = match ctx.inspections.get(&p.name, v) {
                Ok(i) => i.clone(),
                Err(e) => {
                    ctx.run.problems.push(format!(
                        "{}: cannot inspect {}@{v}: {e}",
                        incident.id, p.name
                    ));
                    continue;
                }
            };
            let report = serde_json::to_vec_pretty(&inspected.report)?;
            for (bytes, file, description) in [
                (
                    inspected.tarball.clone(),
                    format!("{}-{v}.tgz", p.name.replace('/', "-")),
                    "the package tarball as published".to_string(),
                ),
                (
                    report,
                    format!("{}-{v}.inspection.json", p.name.replace('/', "-")),
                    format!(
                        "ringfence inspection report: verdict {}",
                        inspected.report.verdict.as_str()
                    ),
                ),
            ] {
                let sha = sha256_hex(&bytes);
                if known.contains(sha.as_str()) || blobs.iter().any(|b| sha256_hex(b) == sha) {
                    continue;
                }
                said.push(file.clone());
                changes.push(Change::EvidenceAdded {
                    sha256: sha,
                    size: bytes.len() as u64,
                    name: file,
                    description: Some(description),
                });
                blobs.push(bytes);
            }
            let iocs = &inspected.report.iocs;
            let source = format!("inspection of {}@{v}", p.name);
            let mut observables: Vec<(ObservableKind, String)> = Vec::new();
            observables.extend(iocs.urls.iter().map(|u| (ObservableKind::Url, u.clone())));
            observables.extend(
                iocs.webhooks
                    .iter()
                    .map(|u| (ObservableKind::Url, u.clone())),
            );
            observables.extend(
                iocs.hosts
                    .iter()
                    .map(|h| (ObservableKind::Domain, h.clone())),
            );
            observables.extend(iocs.ips.iter().map(|i| (ObservableKind::Ip, i.clone())));
            if let Some(sha) = &inspected.report.tarball_sha256 {
                observables.push((ObservableKind::Sha256, sha.clone()));
            }
            for (kind, value) in observables {
                let seen = incident
                    .observables
                    .iter()
                    .any(|o| o.kind == kind && o.value == value)
                    || changes.iter().any(|c| {
                        matches!(c, Change::ObservableAdded { kind: k, value: x, .. } if *k == kind && *x == value)
                    });
                if !seen {
                    changes.push(Change::ObservableAdded {
                        kind,
                        value,
                        source: source.clone(),
                    });
                }
            }
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    let observables = changes
        .iter()
        .filter(|c| matches!(c, Change::ObservableAdded { .. }))
        .count();
    let outcome = format!(
        "attached {}{}",
        if said.is_empty() {
            "nothing new".to_string()
        } else {
            said.join(", ")
        },
        if observables > 0 {
            format!("; {observables} observables from the inspection")
        } else {
            String::new()
        }
    );
    record(ctx, incident.id, name, action, outcome, &blobs, |_| {
        changes.clone()
    })
}

/// After its steps, a playbook moves the incident on through the gates its steps satisfied,
/// up to eradication: once every affected version is blocked, the incident is contained.
/// Recovery needs the projects fixed, which is a person's work.
fn advance_while_gates_pass(
    ctx: &mut Ctx,
    id: IncidentId,
    playbook: &Playbook,
) -> anyhow::Result<()> {
    loop {
        let current = load(ctx, id)?;
        if current.incident.stage >= Stage::Eradication {
            return Ok(());
        }
        let Ok(to) = next_stage(&current.incident, None) else {
            return Ok(());
        };
        let facts = ctx.rt.block_on(ctx.store.gate_facts(&current.incident))?;
        if !gate::check(&current.incident, to, &facts).passes() {
            return Ok(());
        }
        let event = Event::new(
            ctx.at,
            actor(&playbook.name),
            Change::StageAdvanced {
                from: current.incident.stage,
                to,
                forced: None,
            },
        );
        match ctx
            .rt
            .block_on(ctx.store.append(id, current.version, &[event]))
        {
            Ok(_) => ctx.run.steps.push(StepOutcome {
                incident: id,
                playbook: playbook.name.clone(),
                step: "advance".into(),
                outcome: format!("stage {} → {to} (gate passed)", current.incident.stage),
            }),
            Err(StoreError::Stale { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
