//! The incident record: what is affected, who leads it, what has been done. An [`Incident`] is
//! never edited directly; it is the result of replaying its timeline (see [`crate::event`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// `INC-7`. The number comes from the store; ids are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct IncidentId(pub i64);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "INC-{}", self.0)
    }
}

impl From<IncidentId> for String {
    fn from(id: IncidentId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for IncidentId {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        s.parse()
    }
}

impl FromStr for IncidentId {
    type Err = ParseError;
    /// Accepts `INC-7`, `inc-7` and `7`.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        let digits = t
            .strip_prefix("INC-")
            .or_else(|| t.strip_prefix("inc-"))
            .unwrap_or(t);
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(IncidentId(n)),
            _ => Err(ParseError::new(
                "incident id",
                s,
                "INC-<number>, e.g. INC-7",
            )),
        }
    }
}

/// A value that is not one of the accepted spellings; the message lists them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {what}: expected {expected}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl ParseError {
    fn new(what: &'static str, value: &str, expected: &str) -> ParseError {
        ParseError {
            what,
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }
}

/// Declares a kebab-case enum with `as_str`, `ALL`, `Display` and `FromStr`.
macro_rules! kebab_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                let t = s.trim().to_ascii_lowercase();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t)
                    .ok_or_else(|| {
                        let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        ParseError::new($what, s, &all.join(", "))
                    })
            }
        }
    };
}

kebab_enum! {
    /// What kind of incident this is; playbooks and default commanders key off it.
    IncidentType, "incident type" {
        MaliciousDependency => "malicious-dependency",
        VulnerableDependency => "vulnerable-dependency",
        CompromisedCredential => "compromised-credential",
        Other => "other",
    }
}

kebab_enum! {
    /// SEV1 is the worst. Ordered so that `Sev1 < Sev4`.
    Severity, "severity" {
        Sev1 => "sev1",
        Sev2 => "sev2",
        Sev3 => "sev3",
        Sev4 => "sev4",
    }
}

impl Severity {
    /// `SEV1`, as people write it.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }
}

kebab_enum! {
    /// The lifecycle of NIST SP 800-61, after the incident was opened (identification).
    /// Ordered: an incident moves forward one stage at a time.
    Stage, "stage" {
        Identification => "identification",
        Containment => "containment",
        Eradication => "eradication",
        Recovery => "recovery",
        LessonsLearned => "lessons-learned",
        Closed => "closed",
    }
}

impl Stage {
    pub fn next(self) -> Option<Stage> {
        let i = Stage::ALL.iter().position(|s| *s == self)?;
        Stage::ALL.get(i + 1).copied()
    }
}

kebab_enum! {
    /// What an observable is; decides how it is hunted for and blocked.
    ObservableKind, "observable type" {
        Package => "package",
        Url => "url",
        Domain => "domain",
        Ip => "ip",
        Sha256 => "sha256",
        FilePath => "file-path",
    }
}

kebab_enum! {
    /// A participant's part in the response.
    Role, "role" {
        Commander => "commander",
        Responder => "responder",
        Communications => "communications",
        Scribe => "scribe",
        Observer => "observer",
    }
}

kebab_enum! {
    /// Whether a project still resolves an affected version.
    ProjectStatus, "project status" {
        /// Its latest recorded inventory resolves an affected version.
        Exposed => "exposed",
        /// It did once; its latest inventory no longer does.
        Remediated => "remediated",
    }
}

/// The whole record of one incident, as of its latest timeline event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: IncidentType,
    pub severity: Option<Severity>,
    pub stage: Stage,
    /// When each stage was entered (identification = when the incident was opened).
    pub stage_entered: BTreeMap<Stage, Timestamp>,
    pub commander: Option<String>,
    pub participants: Vec<Participant>,
    pub packages: Vec<AffectedPackage>,
    pub projects: Vec<AffectedProject>,
    pub observables: Vec<Observable>,
    pub tasks: Vec<Task>,
    pub evidence: Vec<Evidence>,
    pub notes: Vec<Note>,
    /// The earliest moment the threat was knowable: the malicious release's publish time, or
    /// the advisory's. Time to detect runs from here to the opening.
    pub detectable_since: Option<Timestamp>,
    /// Post-incident reports generated so far (their bytes are evidence).
    pub reports: Vec<ReportRef>,
    /// Gates that were overridden with `--force`, with the reason given.
    pub overrides: Vec<GateOverride>,
    /// Each time an affected version came back after recovery began, and the incident went
    /// back to containment. Stage times stay those of the first response.
    #[serde(default)]
    pub reopenings: Vec<Reopening>,
    /// What ties its releases to one attack (advisory ids and aliases, reports about it):
    /// a new finding that shares any of these joins this incident.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub campaign: BTreeSet<String>,
    /// How many timeline events make up this record.
    pub events: u64,
}

impl Incident {
    pub fn opened_at(&self) -> OffsetDateTime {
        self.stage_entered
            .get(&Stage::Identification)
            .map(|t| t.0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn is_closed(&self) -> bool {
        self.stage == Stage::Closed
    }

    pub fn package(&self, ecosystem: &str, name: &str) -> Option<&AffectedPackage> {
        self.packages
            .iter()
            .find(|p| p.ecosystem == ecosystem && p.name == name)
    }

    pub fn task(&self, id: u32) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    pub fn open_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.done.is_none())
    }

    /// Action items are the tasks of the lessons-learned stage: what to change so this does
    /// not happen again.
    pub fn action_items(&self) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(|t| t.stage == Stage::LessonsLearned)
    }

    /// Every (ecosystem, name, version) this incident covers.
    pub fn affected_versions(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.packages.iter().flat_map(|p| {
            p.versions
                .iter()
                .map(move |v| (p.ecosystem.as_str(), p.name.as_str(), v.as_str()))
        })
    }
}

/// A point in time with the zone offset it was recorded in, serialised as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(#[serde(with = "time::serde::rfc3339")] pub OffsetDateTime);

impl Timestamp {
    pub fn rfc3339(&self) -> String {
        self.0
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Timestamp {
        Timestamp(t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub who: String,
    pub role: Role,
    pub since: Timestamp,
}

/// One package and the versions of it that are bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// OSV ecosystem name: `npm`, `PyPI`, `crates.io`.
    pub ecosystem: String,
    pub name: String,
    pub versions: Vec<String>,
    /// Why: advisory ids, or `inspection: malicious`.
    pub sources: Vec<String>,
    /// When the registry says each affected version was published, where it is known.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub published: BTreeMap<String, Timestamp>,
}

/// A project (one lockfile) that resolved an affected version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedProject {
    pub project: String,
    /// The lockfile, as recorded by the scan; identifies the project across scans.
    pub lockfile: String,
    pub status: ProjectStatus,
    /// `name@version` of each affected version it resolved.
    pub resolved: Vec<String>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub remediated_at: Option<Timestamp>,
    /// The git commit of the scan that last saw it exposed, when the project is in git.
    pub commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observable {
    #[serde(rename = "type")]
    pub kind: ObservableKind,
    pub value: String,
    /// Where it came from: `inspection of pkg@1.0.0`, `manual`, an advisory id.
    pub source: String,
    pub added_by: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u32,
    pub stage: Stage,
    pub title: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub done: Option<TaskDone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDone {
    pub by: String,
    pub at: Timestamp,
}

/// A content-addressed blob attached to the incident. The bytes live in the store under
/// their SHA-256; this is the reference and its chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub sha256: String,
    pub size: u64,
    /// The file name it was added under.
    pub name: String,
    pub description: Option<String>,
    pub added_by: String,
    pub added_at: Timestamp,
    /// Every hand it passed through after it was added (exports, reports).
    pub custody: Vec<CustodyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    pub at: Timestamp,
    pub by: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub at: Timestamp,
    pub author: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRef {
    pub sha256: String,
    pub format: String,
    pub at: Timestamp,
    pub by: String,
}

/// The incident was re-opened: an affected version was resolved again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reopening {
    /// The stage it was in (recovery, lessons-learned or closed).
    pub from: Stage,
    pub reason: String,
    pub by: String,
    pub at: Timestamp,
}

impl Incident {
    /// When the incident was last re-opened, if ever.
    pub fn last_reopened(&self) -> Option<Timestamp> {
        self.reopenings.last().map(|r| r.at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateOverride {
    pub to: Stage,
    pub reason: String,
    /// The conditions that were unmet when the gate was forced.
    pub unmet: Vec<String>,
    pub by: String,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_ids_parse_in_the_forms_people_type() {
        assert_eq!("INC-7".parse::<IncidentId>().unwrap(), IncidentId(7));
        assert_eq!("inc-12".parse::<IncidentId>().unwrap(), IncidentId(12));
        assert_eq!("3".parse::<IncidentId>().unwrap(), IncidentId(3));
        let err = "INC-x".parse::<IncidentId>().unwrap_err();
        assert!(err.to_string().contains("INC-<number>"), "{err}");
        assert!("INC-0".parse::<IncidentId>().is_err());
        assert_eq!(IncidentId(7).to_string(), "INC-7");
    }

    #[test]
    fn enums_list_the_accepted_values_in_errors() {
        assert_eq!("SEV2".parse::<Severity>().unwrap(), Severity::Sev2);
        assert_eq!(
            "lessons-learned".parse::<Stage>().unwrap(),
            Stage::LessonsLearned
        );
        let err = "contain".parse::<Stage>().unwrap_err().to_string();
        assert!(err.contains("containment, eradication"), "{err}");
        assert_eq!(Stage::Recovery.next(), Some(Stage::LessonsLearned));
        assert_eq!(Stage::Closed.next(), None);
        assert!(Severity::Sev1 < Severity::Sev4);
    }
}
