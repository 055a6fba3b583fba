//! The report's content, from the incident and its timeline only. The sections on what was
//! affected, on stages and on lessons learned live in [`super::inventory`], [`super::stages`]
//! and [`super::nist`].

use crate::event::Change;
use crate::metrics::{IncidentMetrics, Metric, human};
use crate::model::{Incident, Stage, Task, Timestamp};
use crate::timeline::EventRecord;

use super::ReportContext;
use super::doc::{Block, Doc, Inline, Line, code, plain, strong, text};

/// One timeline event as the report shows it, with the stage the incident was in.
pub(crate) struct Entry {
    pub seq: i64,
    /// As stored: RFC 3339 with the recording machine's offset.
    pub at: String,
    pub actor: String,
    pub text: String,
    pub hash: String,
    pub stage: Stage,
}

/// What every section draws on.
pub(crate) struct Facts<'a> {
    pub incident: &'a Incident,
    pub ctx: &'a ReportContext,
    pub entries: Vec<Entry>,
    /// The last record's hash: it pins the whole timeline the report was made from.
    pub head: Option<&'a str>,
    pub metrics: IncidentMetrics,
}

pub(crate) fn build(incident: &Incident, timeline: &[EventRecord], ctx: &ReportContext) -> Doc {
    let facts = Facts {
        incident,
        ctx,
        entries: entries(timeline),
        head: timeline.last().map(|r| r.hash.as_str()),
        metrics: IncidentMetrics::of(incident),
    };
    let mut doc = Doc {
        title: format!("{}: {}", incident.id, incident.title),
        blocks: Vec::new(),
    };
    doc.heading(1, doc.title.clone());
    doc.paragraph(vec![text(format!(
        "Post-incident report generated {} by {} from the {} events of the {} timeline. \
         Everything below is derived from that timeline.",
        ctx.generated_at,
        ctx.generated_by,
        facts.entries.len(),
        incident.id
    ))]);
    overrides_warning(&mut doc, incident);
    reopenings_warning(&mut doc, incident);
    summary(&mut doc, &facts);
    packages(&mut doc, &facts);
    chronology(&mut doc, &facts);
    super::inventory::projects(&mut doc, incident);
    super::inventory::observables(&mut doc, incident);
    super::inventory::evidence(&mut doc, incident);
    metrics(&mut doc, &facts);
    super::stages::by_stage(&mut doc, &facts);
    super::stages::action_items(&mut doc, incident);
    super::nist::lessons_learned(&mut doc, &facts);
    doc
}

/// Each record in order, read back into words. A record that does not read as an event is
/// still listed, so that the chronology never silently skips part of the chain.
fn entries(timeline: &[EventRecord]) -> Vec<Entry> {
    let mut stage = Stage::Identification;
    timeline
        .iter()
        .map(|r| {
            let text = match r.event() {
                Ok(event) => {
                    match event.change {
                        Change::StageAdvanced { to, .. } => stage = to,
                        Change::Reopened { .. } => stage = Stage::Containment,
                        _ => {}
                    }
                    event.change.describe()
                }
                Err(e) => format!("unreadable {} event: {e}", r.kind),
            };
            Entry {
                seq: r.seq,
                at: r.at.clone(),
                actor: r.actor.clone(),
                text,
                hash: r.hash.clone(),
                stage,
            }
        })
        .collect()
}

pub(crate) fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

pub(crate) fn or_dash(value: Option<&str>) -> Line {
    plain(value.unwrap_or("—"))
}

pub(crate) fn time(t: &Timestamp) -> Line {
    plain(t.rfc3339())
}

/// `open`, or `done by alice at …`.
pub(crate) fn task_status(task: &Task) -> Line {
    match &task.done {
        Some(d) => plain(format!("done by {} at {}", d.by, d.at)),
        None => vec![strong("open")],
    }
}

/// Parts separated by line breaks, in one cell.
pub(crate) fn lines(parts: impl IntoIterator<Item = Vec<Inline>>) -> Line {
    let mut out = Line::new();
    for part in parts {
        if !out.is_empty() {
            out.push(Inline::Break);
        }
        out.extend(part);
    }
    out
}

fn overrides_warning(doc: &mut Doc, incident: &Incident) {
    if incident.overrides.is_empty() {
        return;
    }
    let items = incident
        .overrides
        .iter()
        .map(|o| {
            vec![
                strong(format!("Gate into {} forced", o.to)),
                text(format!(" by {} at {}. Reason: {}", o.by, o.at, o.reason)),
                Inline::Break,
                text(format!("Unmet: {}", o.unmet.join("; "))),
            ]
        })
        .collect();
    doc.blocks.push(Block::Warning {
        title: format!(
            "{} stage gate(s) were overridden with --force",
            incident.overrides.len()
        ),
        items,
    });
}

/// A re-opened incident says so first: the version came back after eradication, which is
/// itself a lesson (the pin or the block did not hold).
fn reopenings_warning(doc: &mut Doc, incident: &Incident) {
    if incident.reopenings.is_empty() {
        return;
    }
    let items = incident
        .reopenings
        .iter()
        .map(|r| {
            vec![
                strong(format!("Re-opened from {}", r.from)),
                text(format!(" by {} at {}: {}", r.by, r.at, r.reason)),
            ]
        })
        .collect();
    doc.blocks.push(Block::Warning {
        title: format!(
            "An affected version came back after eradication: re-opened {} time(s)",
            incident.reopenings.len()
        ),
        items,
    });
}

fn summary(doc: &mut Doc, facts: &Facts) {
    let i = facts.incident;
    let mut rows = vec![
        ("Type", plain(i.kind.as_str())),
        (
            "Severity",
            plain(i.severity.map_or("not set", |s| s.label())),
        ),
        ("Stage", plain(i.stage.as_str())),
        ("Commander", or_dash(i.commander.as_deref())),
        (
            "Participants",
            lines(
                i.participants
                    .iter()
                    .map(|p| plain(format!("{} ({}, since {})", p.who, p.role, p.since))),
            ),
        ),
        ("Opened", plain(Timestamp(i.opened_at()).rfc3339())),
    ];
    if let Some(closed) = i.stage_entered.get(&Stage::Closed) {
        rows.push(("Closed", time(closed)));
    }
    rows.push((
        "Detectable since",
        i.detectable_since.as_ref().map_or(plain("unknown"), time),
    ));
    rows.push((
        "Packages",
        lines(i.packages.iter().map(|p| {
            plain(format!(
                "{}:{}@{} ({})",
                p.ecosystem,
                p.name,
                p.versions.join(", "),
                p.sources.join(", ")
            ))
        })),
    ));
    rows.push(("Timeline", timeline_cell(facts)));
    rows.push((
        "Report",
        plain(format!(
            "generated {} by {}",
            facts.ctx.generated_at, facts.ctx.generated_by
        )),
    ));
    doc.heading(2, "Summary");
    let rows = rows
        .into_iter()
        .map(|(field, value)| vec![vec![strong(field)], value])
        .collect();
    doc.table(vec!["Field", "Value"], rows);
}

fn timeline_cell(facts: &Facts) -> Line {
    match facts.head {
        Some(head) => vec![
            text(format!("{} events; chain head ", facts.entries.len())),
            code(head),
        ],
        None => plain("no events"),
    }
}

fn packages(doc: &mut Doc, facts: &Facts) {
    let blocked = &facts.ctx.blocked;
    let rows = facts
        .incident
        .packages
        .iter()
        .map(|p| {
            let key = |v: &String| format!("{}:{}@{v}", p.ecosystem, p.name);
            let (on, off): (Vec<&String>, Vec<&String>) =
                p.versions.iter().partition(|v| blocked.contains(&key(v)));
            let mut status = Vec::new();
            if !on.is_empty() {
                status.push(plain(format!("blocked: {}", join(&on))));
            }
            if !off.is_empty() {
                status.push(vec![strong(format!("not blocked: {}", join(&off)))]);
            }
            vec![
                vec![code(format!("{}:{}", p.ecosystem, p.name))],
                plain(p.versions.join(", ")),
                plain(p.sources.join(", ")),
                lines(status),
            ]
        })
        .collect();
    doc.heading(2, "Affected packages");
    doc.table_or(
        vec!["Package", "Versions", "Sources", "Blocklist now"],
        rows,
        "No affected package was recorded.",
    );
    let affected: Vec<String> = facts
        .incident
        .affected_versions()
        .map(|(e, n, v)| format!("{e}:{n}@{v}"))
        .collect();
    let others: Vec<&String> = blocked.iter().filter(|b| !affected.contains(b)).collect();
    if !others.is_empty() {
        doc.paragraph(plain(format!("Also on the blocklist: {}.", join(&others))));
    }
    // Why several packages are one incident: what their advisories share.
    let campaign = &facts.incident.campaign;
    if facts.incident.packages.len() > 1 && !campaign.is_empty() {
        let keys: Vec<&String> = campaign.iter().collect();
        doc.paragraph(plain(format!(
            "One attack: these packages were grouped because their advisories share ids or \
             cite the same reports ({}).",
            join(&keys)
        )));
    }
}

fn join(items: &[&String]) -> String {
    items
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn chronology(doc: &mut Doc, facts: &Facts) {
    let rows = facts
        .entries
        .iter()
        .map(|e| {
            vec![
                plain(e.seq.to_string()),
                plain(&e.at),
                plain(&e.actor),
                plain(&e.text),
                vec![code(short(&e.hash))],
            ]
        })
        .collect();
    doc.heading(2, "Chronology");
    doc.table_or(
        vec!["#", "Time", "Actor", "Event", "Hash"],
        rows,
        "The timeline is empty.",
    );
}

/// `2h 5m (7500 s)`, or why there is no value.
pub(crate) fn metric_value(facts: &Facts, metric: Metric) -> String {
    match facts.metrics.get(metric) {
        Some(secs) => format!("{} ({secs} s)", human(secs)),
        None if metric == Metric::TimeToDetect => {
            "unknown (no publish time of the release or advisory was recorded)".into()
        }
        None => "not reached yet".into(),
    }
}

fn metrics(doc: &mut Doc, facts: &Facts) {
    let rows = Metric::ALL
        .iter()
        .map(|m| {
            vec![
                plain(m.label()),
                plain(metric_value(facts, *m)),
                plain(m.definition()),
            ]
        })
        .collect();
    doc.heading(2, "Response metrics");
    doc.table(vec!["Metric", "Value", "Measured as"], rows);
}
