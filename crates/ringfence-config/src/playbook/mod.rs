//! `[[playbooks]]`: what happens, without a human, when a finding matches a trigger. Playbooks
//! are only read and checked here; running the steps is the incident engine's job.

mod parse;

use ringfence_incident::{IncidentType, Severity, Stage};
use ringfence_inspect::{AlertId, AlertSeverity};
use ringfence_package::Ecosystem;

use crate::finding::{FindingFacts, FindingKind};

pub(crate) use parse::{Context, read_playbooks};

/// A named automation: when [`Trigger`] matches a finding, the steps run in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    pub name: String,
    pub description: Option<String>,
    pub trigger: Trigger,
    pub steps: Vec<Step>,
    /// Where it starts in the file, for messages.
    pub line: usize,
}

/// Which findings a playbook runs for. Every non-empty field must match; an empty list or a
/// missing severity places no condition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trigger {
    /// The finding is one of these kinds (verdicts are the kinds `malicious` and `suspicious`).
    pub findings: Vec<FindingKind>,
    /// The finding carries at least one of these alerts.
    pub alerts: Vec<AlertId>,
    /// The finding is at least this severe.
    pub severity: Option<AlertSeverity>,
    pub ecosystems: Vec<Ecosystem>,
}

impl Trigger {
    /// True when no field places a condition: the playbook runs for every finding.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
            && self.alerts.is_empty()
            && self.severity.is_none()
            && self.ecosystems.is_empty()
    }

    pub fn matches(&self, facts: &FindingFacts, severity: AlertSeverity) -> bool {
        (self.findings.is_empty() || self.findings.contains(&facts.kind))
            && (self.alerts.is_empty() || facts.alerts.iter().any(|a| self.alerts.contains(a)))
            && self.severity.is_none_or(|min| severity >= min)
            && (self.ecosystems.is_empty() || self.ecosystems.contains(&facts.ecosystem))
    }
}

/// A task a playbook adds to the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTemplate {
    pub stage: Stage,
    pub title: String,
    /// A responder's name.
    pub owner: Option<String>,
}

/// One step of a playbook, as `action = "..."` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Open an incident for the finding, or join the open one for the same package.
    /// `commander` is the step's, else `[team.commanders]`'s for the type; `None` when
    /// neither names one. `severity: None` leaves it to the finding's severity.
    OpenIncident {
        incident_type: IncidentType,
        severity: Option<Severity>,
        commander: Option<String>,
    },
    /// Add tasks for stages of the incident.
    AddTasks { tasks: Vec<TaskTemplate> },
    /// Block the affected versions (CI gate and proxy).
    Block { reason: Option<String> },
    /// Generate patches pinning each affected project to the last good version.
    Pin,
    /// Send the event to a webhook from `[webhooks]`, by name.
    Notify { webhook: String },
    /// Attach the inspection report and the tarball to the incident as evidence.
    AttachEvidence,
    /// Add credential-rotation tasks when the package ran code at install time
    /// ([`FindingFacts::ran_at_install`]).
    RotateCredentials { owner: Option<String> },
}

impl Step {
    /// The `action` value that names this step.
    pub fn action(&self) -> &'static str {
        match self {
            Step::OpenIncident { .. } => "open-incident",
            Step::AddTasks { .. } => "add-tasks",
            Step::Block { .. } => "block",
            Step::Pin => "pin",
            Step::Notify { .. } => "notify",
            Step::AttachEvidence => "attach-evidence",
            Step::RotateCredentials { .. } => "rotate-credentials",
        }
    }
}

impl Playbook {
    /// True when the trigger matches this finding of this severity.
    pub fn matches(&self, facts: &FindingFacts, severity: AlertSeverity) -> bool {
        self.trigger.matches(facts, severity)
    }
}
