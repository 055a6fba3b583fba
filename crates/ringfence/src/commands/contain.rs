//! `ringfence contain INC-n [--pin] [--block] [--apply]`: containment. `--pin` holds every
//! affected project at the last good version through its package manager's overrides (shown
//! as a diff; written with `--apply` and noted on the timeline); `--block` puts every affected
//! version on the blocklist that `scan` enforces.

use std::io::Write;

use anyhow::Context;
use clap::Args;
use owo_colors::OwoColorize;
use ringfence_incident::{Change, Event, IncidentId, ProjectStatus};
use ringfence_package::{Ecosystem, normalize_name};
use ringfence_store::{BlockSummary, Store, StoredIncident};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::commands::incident::{actor, now};
use crate::contain::pin::PinOutcome;
use crate::contain::versions::{self, Source, VersionList};
use crate::contain::{ProjectPlan, VersionCache, note_text, plan_project};
use crate::output::print_json;

#[derive(Debug, Args)]
pub struct ContainArgs {
    /// The incident: `INC-7` (or just `7`).
    #[arg(value_name = "INCIDENT")]
    pub id: IncidentId,
    /// Pin each affected project to the last good version of each bad package, through its
    /// package manager's overrides (the default when neither --pin nor --block is given).
    #[arg(long)]
    pub pin: bool,
    /// Add every affected version to the blocklist, recorded on the incident.
    #[arg(long)]
    pub block: bool,
    /// Write the pins into each package.json (without it, only the diff is shown). Implies
    /// --pin.
    #[arg(long)]
    pub apply: bool,
    /// Never ask the registry: use the version lists kept from earlier runs.
    #[arg(long)]
    pub offline: bool,
    /// Print the pins, diffs and blocklist changes as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Everything `contain` did, for `--json`.
#[derive(Serialize)]
struct Report {
    incident: IncidentId,
    apply: bool,
    projects: Vec<ProjectPlan>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
    blocked: Option<BlockSummary>,
}

pub fn run(args: &ContainArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let store = rt.block_on(open_store(global))?;
    let result = contain(&rt, &store, args, global);
    rt.block_on(store.close());
    result
}

/// The registry client is blocking: it is made and used between `block_on` calls, never
/// inside one.
fn contain(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    args: &ContainArgs,
    global: &GlobalArgs,
) -> anyhow::Result<i32> {
    let stored = rt.block_on(store.incident(args.id))?;
    let pin = args.pin || args.apply || !args.block;
    let mut report = Report {
        incident: args.id,
        apply: args.apply,
        projects: Vec::new(),
        errors: Vec::new(),
        blocked: None,
    };
    if pin {
        report.projects = plan(&stored, args)?;
        if args.apply {
            let notes = apply(&mut report.projects, &mut report.errors);
            if !notes.is_empty()
                && let Err(e) = rt.block_on(record_notes(store, args.id, notes, global))
            {
                report.errors.push(format!(
                    "the pins were written but not recorded on {}: {e:#}",
                    args.id
                ));
            }
        }
    }
    if args.block {
        let specs = affected_specs(&stored);
        anyhow::ensure!(
            !specs.is_empty(),
            "{} has no affected versions to block",
            args.id
        );
        let summary = rt.block_on(crate::commands::block::block_versions(
            store,
            specs,
            None,
            Some(args.id),
            global,
        ))?;
        report.blocked = Some(summary);
    }
    if args.json {
        print_json(&report)?;
    } else {
        print_text(&stored, &report, pin)?;
    }
    let project_errors = report
        .projects
        .iter()
        .filter_map(|p| Some(format!("{}: {}", p.project, p.error.as_ref()?)));
    let errors: Vec<String> = project_errors
        .chain(report.errors.iter().cloned())
        .collect();
    crate::report_problems(&[], &errors);
    Ok(if !errors.is_empty() {
        2
    } else if report.projects.iter().any(ProjectPlan::has_no_pin) {
        1
    } else {
        0
    })
}

/// The pins of every affected project, with each package's versions fetched once.
fn plan(stored: &StoredIncident, args: &ContainArgs) -> anyhow::Result<Vec<ProjectPlan>> {
    let incident = &stored.incident;
    let needs_registry = !args.offline
        && incident.packages.iter().any(|p| p.ecosystem == "npm")
        && !incident.projects.is_empty();
    let client = if needs_registry {
        Some(crate::npm::client()?)
    } else {
        None
    };
    let source = match &client {
        Some(c) => Source::Registry(c),
        None => Source::Cache,
    };
    let mut cache = VersionCache::new();
    let mut lists = |name: &str| -> Result<VersionList, String> {
        cache
            .entry(name.to_string())
            .or_insert_with(|| versions::versions(&source, name).map_err(|e| format!("{e:#}")))
            .clone()
    };
    Ok(incident
        .projects
        .iter()
        .map(|project| plan_project(incident, project, &mut lists))
        .collect())
}

/// Writes each changed package.json; returns the timeline notes of what was written.
fn apply(plans: &mut [ProjectPlan], errors: &mut Vec<String>) -> Vec<String> {
    let mut notes = Vec::new();
    for plan in plans.iter_mut() {
        let (Some(text), Some(path), Some(manager)) =
            (&plan.new_text, plan.manifest_path(), plan.package_manager)
        else {
            continue;
        };
        match crate::output::write_atomically(path, text.as_bytes()) {
            Ok(()) => {
                plan.applied = true;
                notes.extend(plan.pins().map(|p| note_text(&plan.project, p, manager)));
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    notes
}

async fn record_notes(
    store: &Store,
    id: IncidentId,
    notes: Vec<String>,
    global: &GlobalArgs,
) -> anyhow::Result<()> {
    let current = store.incident(id).await?;
    let (who, at) = (actor(global), now());
    let events: Vec<Event> = notes
        .into_iter()
        .map(|text| Event::new(at, who.clone(), Change::NoteAdded { text }))
        .collect();
    store
        .append(id, current.version, &events)
        .await
        .with_context(|| format!("cannot add the notes to {id}"))?;
    Ok(())
}

/// Every affected version as (ecosystem, normalised name, version), as `block add` takes them.
fn affected_specs(stored: &StoredIncident) -> Vec<(String, String, String)> {
    stored
        .incident
        .affected_versions()
        .map(|(ecosystem, name, version)| {
            let name = match Ecosystem::from_osv(ecosystem) {
                Some(e) => normalize_name(e, name),
                None => name.to_string(),
            };
            (ecosystem.to_string(), name, version.to_string())
        })
        .collect()
}

fn print_text(stored: &StoredIncident, report: &Report, pin: bool) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    let id = stored.incident.id;
    if pin {
        if report.projects.is_empty() {
            writeln!(
                out,
                "{id} has no affected projects on record: nothing to pin (`ringfence scan --record` records them)"
            )?;
        }
        for plan in &report.projects {
            print_plan(&mut out, plan, report.apply)?;
        }
        let pending = report
            .projects
            .iter()
            .any(|p| p.new_text.is_some() && !p.applied);
        if pending && !report.apply {
            writeln!(
                out,
                "\ndry run: nothing was written. Run `ringfence contain {id} --pin --apply` to write these pins."
            )?;
        }
    }
    if let Some(summary) = &report.blocked {
        if pin {
            writeln!(out)?;
        }
        drop(out);
        crate::commands::block::print_summary(summary);
    }
    Ok(())
}

fn print_plan(out: &mut impl Write, plan: &ProjectPlan, apply: bool) -> anyhow::Result<()> {
    let status = match plan.status {
        ProjectStatus::Exposed => "exposed: it still resolves an affected version".to_string(),
        ProjectStatus::Remediated => {
            "remediated: it no longer resolves an affected version; a pin keeps it that way"
                .to_string()
        }
    };
    let how = plan
        .package_manager
        .map(|m| format!(", {}", m.mechanism()))
        .unwrap_or_default();
    let shown = plan
        .manifest_path()
        .map(crate::output::display_path)
        .unwrap_or_else(|| plan.lockfile.clone());
    writeln!(out, "\n{} ({status})\n  {shown}{how}", plan.project.bold())?;
    for outcome in &plan.outcomes {
        match outcome {
            PinOutcome::Pin(p) => writeln!(
                out,
                "  {} {} → {}  {}",
                p.package.bold(),
                p.from.join(", "),
                p.to.green().bold(),
                p.reason.dimmed()
            )?,
            PinOutcome::NoPin(n) => writeln!(
                out,
                "  {} {}: {} {}; {}",
                n.package.bold(),
                n.from.join(", "),
                "no pin:".red().bold(),
                n.why,
                n.suggestion
            )?,
        }
    }
    if let Some(e) = &plan.error {
        writeln!(out, "  {} {e}", "error:".red().bold())?;
        return Ok(());
    }
    if plan.pins().next().is_none() {
        return Ok(());
    }
    if plan.diff.is_empty() {
        writeln!(out, "  already pinned: package.json needs no change")?;
        return Ok(());
    }
    write!(out, "{}", plan.diff)?;
    if apply && plan.applied {
        let install = plan
            .package_manager
            .map(|m| m.install_command())
            .unwrap_or("your package manager's install");
        writeln!(
            out,
            "  {} {shown}; run `{install}` there to update the lockfile",
            "wrote".green().bold()
        )?;
    }
    Ok(())
}
