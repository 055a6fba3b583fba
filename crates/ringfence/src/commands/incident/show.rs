//! `ringfence incident show`: the incident, its next gate, open tasks and the timeline.

use std::io::Write;

use clap::Args;
use owo_colors::OwoColorize;
use ringfence_incident::gate::{self, GateStatus};
use ringfence_incident::{EventRecord, ProjectStatus};
use ringfence_store::{Store, StoredIncident};
use serde::Serialize;

use super::advance::print_gate;
use crate::output::print_json;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The incident: `INC-7` (or just `7`).
    #[arg(value_name = "INCIDENT")]
    pub id: ringfence_incident::IncidentId,
    /// Print as JSON: the record, the gate to the next stage, and the timeline.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct ShowOutput<'a> {
    #[serde(flatten)]
    incident: &'a StoredIncident,
    next_gate: Option<GateStatus>,
    timeline: &'a [EventRecord],
}

pub async fn run(store: &Store, args: &ShowArgs) -> anyhow::Result<i32> {
    let s = store.incident(args.id).await?;
    let timeline = store.timeline(args.id).await?;
    let next_gate = match s.incident.stage.next() {
        Some(to) => {
            let facts = store.gate_facts(&s.incident).await?;
            Some(gate::check(&s.incident, to, &facts))
        }
        None => None,
    };
    if args.json {
        print_json(&ShowOutput {
            incident: &s,
            next_gate,
            timeline: &timeline,
        })?;
        return Ok(0);
    }
    print(&s, next_gate.as_ref(), &timeline)?;
    Ok(0)
}

fn print(
    s: &StoredIncident,
    gate: Option<&GateStatus>,
    timeline: &[EventRecord],
) -> anyhow::Result<()> {
    let i = &s.incident;
    let mut out = anstream::stdout().lock();
    writeln!(out, "{} {}", i.id.to_string().bold(), i.title.bold())?;
    writeln!(
        out,
        "  {} · {} · stage {} · version {}",
        i.kind,
        i.severity.map(|s| s.label()).unwrap_or("no severity"),
        i.stage.to_string().cyan(),
        s.version
    )?;
    writeln!(
        out,
        "  commander: {}",
        i.commander.as_deref().unwrap_or("none")
    )?;
    if !i.participants.is_empty() {
        let people: Vec<String> = i
            .participants
            .iter()
            .map(|p| format!("{} ({})", p.who, p.role))
            .collect();
        writeln!(out, "  participants: {}", people.join(", "))?;
    }
    for (stage, at) in &i.stage_entered {
        writeln!(out, "  {} {stage}: {at}", "first entered".dimmed())?;
    }
    if !i.packages.is_empty() {
        writeln!(out, "\n{}", "Affected packages".bold())?;
        for p in &i.packages {
            writeln!(
                out,
                "  {}:{} {}  ({})",
                p.ecosystem,
                p.name,
                p.versions.join(", "),
                p.sources.join(", ")
            )?;
            for (version, at) in &p.published {
                writeln!(out, "    {version} published {at}")?;
            }
        }
        if i.packages.len() > 1 && !i.campaign.is_empty() {
            let keys: Vec<&str> = i.campaign.iter().map(String::as_str).collect();
            writeln!(
                out,
                "  {} {}",
                "one attack, linked by".dimmed(),
                keys.join(", ")
            )?;
        }
    }
    if !i.projects.is_empty() {
        writeln!(out, "\n{}", "Affected projects".bold())?;
        for p in &i.projects {
            let status = match p.status {
                ProjectStatus::Exposed => "EXPOSED".red().bold().to_string(),
                ProjectStatus::Remediated => "remediated".green().to_string(),
            };
            writeln!(
                out,
                "  {status} {} ({})  resolves {}  first seen {}{}",
                p.project,
                p.lockfile,
                p.resolved.join(", "),
                p.first_seen,
                p.remediated_at
                    .map(|t| format!(", remediated {t}"))
                    .unwrap_or_default()
            )?;
        }
    }
    if !i.observables.is_empty() {
        writeln!(out, "\n{}", "Observables".bold())?;
        for o in &i.observables {
            writeln!(out, "  {:<9} {}  ({})", o.kind.as_str(), o.value, o.source)?;
        }
    }
    if !i.evidence.is_empty() {
        writeln!(out, "\n{}", "Evidence".bold())?;
        for e in &i.evidence {
            writeln!(out, "  {}  {}  {} bytes", e.sha256, e.name, e.size)?;
        }
    }
    if !i.tasks.is_empty() {
        writeln!(out, "\n{}", "Tasks".bold())?;
        for t in &i.tasks {
            let mark = if t.done.is_some() {
                "✓".green().to_string()
            } else {
                "☐".to_string()
            };
            writeln!(
                out,
                "  {mark} #{} [{}] {}{}{}",
                t.id,
                t.stage,
                t.title,
                t.owner
                    .as_ref()
                    .map(|o| format!(" → {o}"))
                    .unwrap_or_default(),
                t.due
                    .as_ref()
                    .map(|d| format!(" (due {d})"))
                    .unwrap_or_default()
            )?;
        }
    }
    for o in &i.overrides {
        writeln!(
            out,
            "\n{} gate to {} forced by {} at {}: {}",
            "OVERRIDE".yellow().bold(),
            o.to,
            o.by,
            o.at,
            o.reason
        )?;
    }
    for r in &i.reopenings {
        writeln!(
            out,
            "\n{} from {} by {} at {}: {}",
            "RE-OPENED".red().bold(),
            r.from,
            r.by,
            r.at,
            r.reason
        )?;
    }
    writeln!(out)?;
    drop(out);
    match gate {
        Some(g) => print_gate(g)?,
        None => anstream::println!("closed: no further stage"),
    }
    let mut out = anstream::stdout().lock();
    writeln!(out, "\n{}", "Timeline".bold())?;
    for r in timeline {
        let text = match r.event() {
            Ok(e) => e.change.describe(),
            Err(_) => format!("{} (unreadable)", r.kind),
        };
        writeln!(
            out,
            "  {:>3} {} {:<10} {}  {}",
            r.seq,
            r.at.dimmed(),
            r.actor,
            text,
            r.hash.get(..12).unwrap_or("").dimmed()
        )?;
    }
    Ok(())
}
