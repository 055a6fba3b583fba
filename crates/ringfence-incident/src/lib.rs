//! The incident domain of ringfence: the record of one response to a supply-chain attack, from
//! identification to lessons learned. No I/O: the store persists it, the CLI and server drive it.
//!
//! - [`model`]: the [`Incident`] and its parts (packages, projects, observables, tasks,
//!   evidence, notes).
//! - [`event`]: every change is an append-only [`Event`]; an incident is the replay of its
//!   timeline.
//! - [`timeline`]: the hash chain that makes the timeline tamper-evident.
//! - [`gate`]: the conditions for moving to the next stage.
//! - [`ingest`]: how a recorded scan opens, joins and updates incidents.
//! - [`metrics`]: time to detect, contain, eradicate and recover, and their median and p90.
//! - [`report`]: the post-incident report, in Markdown or self-contained HTML.

pub mod bundle;
pub mod event;
pub mod gate;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod report;
pub mod timeline;

pub use event::{ApplyError, Change, Event, Forced};
pub use gate::{Condition, GateFacts, GateStatus, MoveError};
pub use metrics::{Aggregate, IncidentMetrics, Metric, MetricSummary};
pub use model::{
    AffectedPackage, AffectedProject, Evidence, Incident, IncidentId, IncidentType, Observable,
    ObservableKind, ParseError, ProjectStatus, Reopening, Role, Severity, Stage, Task, Timestamp,
};
pub use report::{ReportContext, ReportFormat};
pub use timeline::{BrokenLink, EventRecord, GENESIS};
