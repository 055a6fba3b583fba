//! Reading `[[playbooks]]`: each playbook, trigger and step is checked on its own, names of
//! responders and webhooks against the rest of the file.

use std::str::FromStr;

use ringfence_incident::{IncidentType, Severity, Stage};
use ringfence_inspect::AlertSeverity;
use ringfence_package::Ecosystem;
use serde::Deserialize;
use toml::Spanned;
use toml_edit::Item;

use super::{Playbook, Step, TaskTemplate, Trigger};
use crate::finding::FindingKind;
use crate::policy::parse_alert_id;
use crate::source::{Source, did_you_mean};
use crate::team::Team;

const ACTIONS: &[&str] = &[
    "open-incident",
    "add-tasks",
    "block",
    "pin",
    "notify",
    "attach-evidence",
    "rotate-credentials",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TriggerWire {
    #[serde(default)]
    findings: Vec<Spanned<String>>,
    #[serde(default)]
    alerts: Vec<Spanned<String>>,
    severity: Option<Spanned<String>>,
    #[serde(default)]
    ecosystems: Vec<Spanned<String>>,
}

/// Every field any step may have; which ones a step allows depends on its action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StepWire {
    action: Spanned<String>,
    #[serde(rename = "type")]
    incident_type: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    commander: Option<Spanned<String>>,
    tasks: Option<Vec<TaskWire>>,
    webhook: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TaskWire {
    stage: Spanned<String>,
    title: Spanned<String>,
    owner: Option<Spanned<String>>,
}

/// What the playbooks may refer to.
pub(crate) struct Context<'a> {
    pub team: &'a Team,
    /// Every `[webhooks.<name>]` declared, including ones with errors of their own.
    pub webhook_names: &'a [String],
}

pub(crate) fn read_playbooks(item: &Item, ctx: &Context, src: &mut Source) -> Vec<Playbook> {
    let mut playbooks: Vec<Playbook> = Vec::new();
    for entry in src.tables(item, "playbooks") {
        let Some(p) = read_playbook(&entry, ctx, src) else {
            continue;
        };
        if playbooks.iter().any(|q| q.name == p.name) {
            src.error(
                entry.span(),
                format!("playbook `{}` is defined twice", p.name),
            );
            continue;
        }
        playbooks.push(p);
    }
    playbooks
}

fn read_playbook(item: &Item, ctx: &Context, src: &mut Source) -> Option<Playbook> {
    let table = src.table(item, "playbooks")?;
    src.unknown_keys(
        table,
        &["name", "description", "trigger", "steps"],
        "[[playbooks]]",
    );
    let at = item.span();
    let name = match table.get("name") {
        Some(n) => src.decode::<Spanned<String>>(n),
        None => {
            src.error(at.clone(), "a playbook needs a `name`");
            None
        }
    };
    let description = table
        .get("description")
        .and_then(|d| src.decode::<String>(d));
    let trigger = match table.get("trigger") {
        Some(t) => read_trigger(t, src),
        None => Some(Trigger::default()),
    };
    let mut steps = Vec::new();
    let mut steps_ok = true;
    match table.get("steps") {
        None => {
            src.error(
                at.clone(),
                "a playbook needs `steps` (`[[playbooks.steps]]`)",
            );
            steps_ok = false;
        }
        Some(list) => {
            let entries = src.tables(list, "playbooks.steps");
            if entries.is_empty() {
                src.error(
                    list.span().or(at.clone()),
                    "a playbook needs at least one step",
                );
                steps_ok = false;
            }
            for entry in entries {
                match read_step(&entry, ctx, src) {
                    Some(step) => steps.push(step),
                    None => steps_ok = false,
                }
            }
        }
    }
    let name = name?;
    let trigger = trigger?;
    if !steps_ok {
        return None;
    }
    if trigger.is_empty() {
        src.warn(
            at.clone(),
            format!(
                "playbook `{}` has no trigger: it runs for every finding",
                name.get_ref()
            ),
        );
    }
    Some(Playbook {
        line: src.line_of(at.unwrap_or(name.span())),
        name: name.into_inner(),
        description,
        trigger,
        steps,
    })
}

fn read_trigger(item: &Item, src: &mut Source) -> Option<Trigger> {
    let wire: TriggerWire = src.decode(item)?;
    let mut ok = true;
    let mut trigger = Trigger::default();
    let mut report = |src: &mut Source, span, e: String| {
        src.error(Some(span), e);
        ok = false;
    };
    for f in &wire.findings {
        match FindingKind::from_str(f.get_ref()) {
            Ok(k) => trigger.findings.push(k),
            Err(e) => {
                let hint = did_you_mean(f.get_ref(), FindingKind::ALL.iter().map(|k| k.key()));
                report(src, f.span(), e + &hint);
            }
        }
    }
    for a in &wire.alerts {
        match parse_alert_id(a.get_ref()) {
            Ok(id) => trigger.alerts.push(id),
            Err(e) => report(src, a.span(), e),
        }
    }
    if let Some(s) = &wire.severity {
        match parse_severity(s.get_ref()) {
            Ok(level) => trigger.severity = Some(level),
            Err(e) => report(src, s.span(), e),
        }
    }
    for e in &wire.ecosystems {
        match Ecosystem::from_str(e.get_ref()) {
            Ok(eco) => trigger.ecosystems.push(eco),
            Err(msg) => report(src, e.span(), msg),
        }
    }
    ok.then_some(trigger)
}

fn parse_severity(text: &str) -> Result<AlertSeverity, String> {
    match text {
        "critical" => Ok(AlertSeverity::Critical),
        "high" => Ok(AlertSeverity::High),
        "medium" => Ok(AlertSeverity::Medium),
        "low" => Ok(AlertSeverity::Low),
        _ => Err(format!(
            "unknown severity `{text}`, expected one of: critical, high, medium, low"
        )),
    }
}

/// Reads one step: its action, the fields that action needs, and no field it does not use.
fn read_step(item: &Item, ctx: &Context, src: &mut Source) -> Option<Step> {
    let w: StepWire = src.decode(item)?;
    let action = w.action.get_ref().as_str();
    let at = w.action.span();
    if !ACTIONS.contains(&action) {
        let hint = match did_you_mean(action, ACTIONS.iter().copied()) {
            h if h.is_empty() => format!("; expected one of: {}", ACTIONS.join(", ")),
            h => h,
        };
        src.error(Some(at), format!("unknown step action `{action}`{hint}"));
        return None;
    }
    let allowed: &[&str] = match action {
        "open-incident" => &["type", "severity", "commander"],
        "add-tasks" => &["tasks"],
        "block" => &["reason"],
        "notify" => &["webhook"],
        "rotate-credentials" => &["owner"],
        _ => &[],
    };
    let given = [
        ("type", w.incident_type.as_ref().map(Spanned::span)),
        ("severity", w.severity.as_ref().map(Spanned::span)),
        ("commander", w.commander.as_ref().map(Spanned::span)),
        ("tasks", w.tasks.as_ref().map(|_| at.clone())),
        ("webhook", w.webhook.as_ref().map(Spanned::span)),
        ("reason", w.reason.as_ref().map(Spanned::span)),
        ("owner", w.owner.as_ref().map(Spanned::span)),
    ];
    let mut ok = true;
    for (field, span) in given {
        if let Some(span) = span
            && !allowed.contains(&field)
        {
            src.error(
                Some(span),
                format!("`{field}` does not belong to a `{action}` step"),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let missing = |src: &mut Source, field: &str| {
        src.error(
            Some(at.clone()),
            format!("the `{action}` step is missing `{field}`"),
        );
    };
    match action {
        "open-incident" => {
            let Some(t) = &w.incident_type else {
                missing(src, "type");
                return None;
            };
            let incident_type = IncidentType::from_str(t.get_ref())
                .map_err(|e| src.error(Some(t.span()), e.to_string()))
                .ok();
            let severity = match &w.severity {
                None => Some(None),
                Some(s) => Severity::from_str(s.get_ref())
                    .map(Some)
                    .map_err(|e| src.error(Some(s.span()), e.to_string()))
                    .ok(),
            };
            let commander_ok = w
                .commander
                .as_ref()
                .is_none_or(|c| ctx.team.check_member(c, "commander", src));
            let (incident_type, severity) = (incident_type?, severity?);
            if !commander_ok {
                return None;
            }
            let commander = w
                .commander
                .map(Spanned::into_inner)
                .or_else(|| ctx.team.commander_for(incident_type).map(str::to_string));
            if commander.is_none() {
                src.warn(
                    Some(at),
                    format!("no commander for `{incident_type}` incidents: set `commander` here or in [team.commanders]"),
                );
            }
            Some(Step::OpenIncident {
                incident_type,
                severity,
                commander,
            })
        }
        "add-tasks" => {
            let Some(tasks) = w.tasks else {
                missing(src, "tasks");
                return None;
            };
            if tasks.is_empty() {
                src.error(Some(at), "`tasks` is empty: list at least one task");
                return None;
            }
            let mut out = Vec::new();
            for t in tasks {
                if let Some(task) = read_task(t, ctx, src) {
                    out.push(task);
                } else {
                    ok = false;
                }
            }
            ok.then_some(Step::AddTasks { tasks: out })
        }
        "block" => Some(Step::Block {
            reason: w.reason.map(Spanned::into_inner),
        }),
        "pin" => Some(Step::Pin),
        "notify" => {
            let Some(hook) = w.webhook else {
                missing(src, "webhook");
                return None;
            };
            if !ctx.webhook_names.contains(hook.get_ref()) {
                let hint =
                    did_you_mean(hook.get_ref(), ctx.webhook_names.iter().map(String::as_str));
                src.error(
                    Some(hook.span()),
                    format!(
                        "webhook `{}` is not defined: add a [webhooks.{}] table{hint}",
                        hook.get_ref(),
                        hook.get_ref()
                    ),
                );
                return None;
            }
            Some(Step::Notify {
                webhook: hook.into_inner(),
            })
        }
        "attach-evidence" => Some(Step::AttachEvidence),
        "rotate-credentials" => {
            let owner_ok = w
                .owner
                .as_ref()
                .is_none_or(|o| ctx.team.check_member(o, "owner", src));
            owner_ok.then(|| Step::RotateCredentials {
                owner: w.owner.map(Spanned::into_inner),
            })
        }
        _ => None, // rejected above: not one of ACTIONS
    }
}

fn read_task(t: TaskWire, ctx: &Context, src: &mut Source) -> Option<TaskTemplate> {
    let stage = Stage::from_str(t.stage.get_ref())
        .map_err(|e| src.error(Some(t.stage.span()), e.to_string()))
        .ok();
    let title = t.title.get_ref().trim().to_string();
    if title.is_empty() {
        src.error(Some(t.title.span()), "a task needs a `title`");
    }
    let owner_ok = t
        .owner
        .as_ref()
        .is_none_or(|o| ctx.team.check_member(o, "owner", src));
    let stage = stage?;
    (owner_ok && !title.is_empty()).then(|| TaskTemplate {
        stage,
        title,
        owner: t.owner.map(Spanned::into_inner),
    })
}
