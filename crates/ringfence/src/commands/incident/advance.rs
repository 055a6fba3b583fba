//! `ringfence incident advance`: the next stage, if its gate passes.

use std::io::Write;

use clap::Args;
use owo_colors::OwoColorize;
use ringfence_incident::gate::{self, next_stage};
use ringfence_incident::{Change, Event, Forced, GateStatus, Stage};
use ringfence_store::Store;
use serde::Serialize;

use super::{Target, actor, now, print_change};
use crate::cli::GlobalArgs;
use crate::output::print_json;

#[derive(Debug, Args)]
#[command(after_help = "The gates:\n  \
to containment      severity and commander are set\n  \
to eradication      every affected version is on the blocklist (`ringfence block add`)\n  \
to recovery         the latest recorded inventory of every affected project no longer resolves an\n                      \
affected version (`ringfence scan --record`), and every eradication task is done\n  \
to lessons-learned  every recovery task is done\n  \
to closed           the post-incident report exists (`ringfence report`) and every action item\n                      \
(lessons-learned task) has an owner\n\n\
Exit codes: 0 advanced, 1 the gate did not pass (nothing changed), 2 an error.")]
pub struct AdvanceArgs {
    #[command(flatten)]
    pub target: Target,
    /// The stage to move to; must be the next one (the default).
    #[arg(long)]
    pub to: Option<Stage>,
    /// Move on although the gate does not pass. Needs --reason; recorded in the timeline and
    /// called out in the report.
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why the gate is overridden.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Serialize)]
struct Refused<'a> {
    advanced: bool,
    gate: &'a GateStatus,
}

pub async fn run(store: &Store, args: &AdvanceArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let t = &args.target;
    let current = store.incident(t.id).await?;
    let to = next_stage(&current.incident, args.to)?;
    let facts = store.gate_facts(&current.incident).await?;
    let status = gate::check(&current.incident, to, &facts);
    let forced = match (status.passes(), args.force) {
        (true, _) => None,
        (false, true) => {
            let reason = args.reason.as_deref().unwrap_or("").trim();
            anyhow::ensure!(!reason.is_empty(), "--force needs a --reason");
            Some(Forced {
                reason: reason.to_string(),
                unmet: status.unmet().map(|c| c.detail.clone()).collect(),
            })
        }
        (false, false) => {
            if t.json {
                print_json(&Refused {
                    advanced: false,
                    gate: &status,
                })?;
            } else {
                print_gate(&status)?;
                anstream::eprintln!(
                    "{} {} stays in {}: the gate to {to} does not pass (override with --force --reason \"...\")",
                    "refused:".red().bold(),
                    t.id,
                    current.incident.stage
                );
            }
            return Ok(1);
        }
    };
    let event = Event::new(
        now(),
        actor(global),
        Change::StageAdvanced {
            from: current.incident.stage,
            to,
            forced,
        },
    );
    let expected = t.expect_version.unwrap_or(current.version);
    let after = store.append(t.id, expected, &[event]).await?;
    if !t.json {
        print_gate(&status)?;
    }
    let records = store.timeline(t.id).await?;
    print_change(Some(&current), &after, &records, t.json)?;
    Ok(0)
}

/// The gate's conditions, one per line, ticked or crossed.
pub fn print_gate(status: &GateStatus) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    writeln!(out, "gate {} → {}:", status.from, status.to)?;
    for c in &status.conditions {
        if c.met {
            writeln!(out, "  {} {}", "✓".green(), c.detail)?;
        } else {
            writeln!(out, "  {} {}", "✗".red().bold(), c.detail)?;
        }
    }
    Ok(())
}
