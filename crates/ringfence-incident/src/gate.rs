//! Stage gates: what must be true before an incident moves on. The store gathers the facts
//! that live outside the incident (the blocklist, the latest inventories) into [`GateFacts`];
//! checking them is pure.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Incident, Stage};

/// What the gates need to know beyond the incident itself.
#[derive(Debug, Clone, Default)]
pub struct GateFacts {
    /// Blocked (ecosystem, name, version) triples.
    pub blocked: BTreeSet<(String, String, String)>,
    /// For each affected project's lockfile: the affected `name@version`s its latest recorded
    /// inventory still resolves. A lockfile missing here has never been recorded.
    pub still_resolved: BTreeMap<String, Vec<String>>,
}

/// One condition a gate checks, and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// Stable id: `severity-set`, `all-versions-blocked`...
    pub id: &'static str,
    pub met: bool,
    /// What holds, or what is missing, in words.
    pub detail: String,
}

/// The gate into `to`, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateStatus {
    pub from: Stage,
    pub to: Stage,
    pub conditions: Vec<Condition>,
}

impl GateStatus {
    pub fn passes(&self) -> bool {
        self.conditions.iter().all(|c| c.met)
    }

    pub fn unmet(&self) -> impl Iterator<Item = &Condition> {
        self.conditions.iter().filter(|c| !c.met)
    }
}

/// Why a stage move is not allowed at all (no `--force` can make it so).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("{id} is closed; a closed incident does not move")]
    Closed { id: String },
    #[error("{id} is already in {stage}")]
    Same { id: String, stage: Stage },
    #[error("{id} cannot go back from {from} to {to}: stages only move forward")]
    Backward { id: String, from: Stage, to: Stage },
    #[error("{id} cannot skip from {from} to {to}: advance one stage at a time (next is {next})")]
    Skip {
        id: String,
        from: Stage,
        to: Stage,
        next: Stage,
    },
}

/// The stage after the current one, if `to` is it (or `to` is not given).
pub fn next_stage(incident: &Incident, to: Option<Stage>) -> Result<Stage, MoveError> {
    let id = incident.id.to_string();
    let from = incident.stage;
    let next = from.next().ok_or(MoveError::Closed { id: id.clone() })?;
    match to {
        None => Ok(next),
        Some(to) if to == next => Ok(next),
        Some(to) if to == from => Err(MoveError::Same { id, stage: to }),
        Some(to) if to < from => Err(MoveError::Backward { id, from, to }),
        Some(to) => Err(MoveError::Skip { id, from, to, next }),
    }
}

/// Evaluates the gate from the incident's stage into `to` (which must be the next stage).
pub fn check(incident: &Incident, to: Stage, facts: &GateFacts) -> GateStatus {
    let conditions = match to {
        Stage::Identification => Vec::new(),
        Stage::Containment => vec![
            Condition {
                id: "severity-set",
                met: incident.severity.is_some(),
                detail: match incident.severity {
                    Some(s) => format!("severity is {}", s.label()),
                    None => format!(
                        "no severity: `ringfence incident assign {} --severity sev2`",
                        incident.id
                    ),
                },
            },
            Condition {
                id: "commander-set",
                met: incident.commander.is_some(),
                detail: match &incident.commander {
                    Some(c) => format!("{c} is commander"),
                    None => format!(
                        "no commander: `ringfence incident assign {} --commander NAME`",
                        incident.id
                    ),
                },
            },
        ],
        Stage::Eradication => vec![all_versions_blocked(incident, facts)],
        Stage::Recovery => vec![
            no_project_resolves(incident, facts),
            tasks_done(incident, Stage::Eradication, "eradication-tasks-done"),
        ],
        Stage::LessonsLearned => vec![tasks_done(incident, Stage::Recovery, "recovery-tasks-done")],
        Stage::Closed => vec![report_exists(incident), action_items_owned(incident)],
    };
    GateStatus {
        from: incident.stage,
        to,
        conditions,
    }
}

fn all_versions_blocked(incident: &Incident, facts: &GateFacts) -> Condition {
    let all: Vec<String> = incident
        .affected_versions()
        .map(|(e, n, v)| format!("{e}:{n}@{v}"))
        .collect();
    let missing: Vec<String> = incident
        .affected_versions()
        .filter(|(e, n, v)| {
            !facts
                .blocked
                .contains(&(e.to_string(), n.to_string(), v.to_string()))
        })
        .map(|(e, n, v)| format!("{e}:{n}@{v}"))
        .collect();
    Condition {
        id: "all-versions-blocked",
        met: !all.is_empty() && missing.is_empty(),
        detail: if all.is_empty() {
            "no affected version recorded yet".into()
        } else if missing.is_empty() {
            format!("all {} affected versions are on the blocklist", all.len())
        } else {
            format!(
                "not on the blocklist: {} (`ringfence block add {} --incident {}`)",
                missing.join(", "),
                missing[0],
                incident.id
            )
        },
    }
}

fn no_project_resolves(incident: &Incident, facts: &GateFacts) -> Condition {
    let mut still = Vec::new();
    for p in &incident.projects {
        match facts.still_resolved.get(&p.lockfile) {
            None => still.push(format!("{} (no inventory recorded)", p.lockfile)),
            Some(v) if !v.is_empty() => {
                still.push(format!("{} resolves {}", p.lockfile, v.join(", ")))
            }
            Some(_) => {}
        }
    }
    Condition {
        id: "no-project-resolves-affected",
        met: still.is_empty(),
        detail: if still.is_empty() {
            format!(
                "the latest inventory of every affected project ({}) is clean",
                incident.projects.len()
            )
        } else {
            format!(
                "still exposed: {}; fix and re-run `ringfence scan --record`",
                still.join("; ")
            )
        },
    }
}

fn tasks_done(incident: &Incident, stage: Stage, id: &'static str) -> Condition {
    let open: Vec<String> = incident
        .tasks
        .iter()
        .filter(|t| t.stage == stage && t.done.is_none())
        .map(|t| format!("#{} {}", t.id, t.title))
        .collect();
    Condition {
        id,
        met: open.is_empty(),
        detail: if open.is_empty() {
            format!("every {stage} task is done")
        } else {
            format!("open {stage} tasks: {}", open.join("; "))
        },
    }
}

/// A report exists, generated after the last re-opening (an earlier one tells an
/// unfinished story).
fn report_exists(incident: &Incident) -> Condition {
    let reopened = incident.last_reopened();
    let current = incident
        .reports
        .iter()
        .rfind(|r| reopened.is_none_or(|at| r.at >= at));
    Condition {
        id: "report-generated",
        met: current.is_some(),
        detail: match (current, reopened) {
            (Some(r), _) => format!("report generated {} ({})", r.at, r.format),
            (None, Some(at)) => format!(
                "no post-incident report since it was re-opened {at}: `ringfence report {} --format md`",
                incident.id
            ),
            (None, None) => format!(
                "no post-incident report: `ringfence report {} --format md`",
                incident.id
            ),
        },
    }
}

fn action_items_owned(incident: &Incident) -> Condition {
    let unowned: Vec<String> = incident
        .action_items()
        .filter(|t| t.owner.is_none())
        .map(|t| format!("#{} {}", t.id, t.title))
        .collect();
    Condition {
        id: "action-items-owned",
        met: unowned.is_empty(),
        detail: if unowned.is_empty() {
            format!(
                "{} action items, each with an owner",
                incident.action_items().count()
            )
        } else {
            format!("action items without an owner: {}", unowned.join("; "))
        },
    }
}
