//! `ringfence drill`: a rehearsal incident, end to end, in a scratch database. It plants a
//! synthetic malicious-release advisory for one of a real project's direct dependencies, runs
//! identification and the team's playbooks against a copy of the project's inventory, and
//! reports how long each stage took and which steps would have needed a person. The real
//! database is never opened; the project's files are only read.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use owo_colors::OwoColorize;
use ringfence_advisory::AdvisoryIndex;
use ringfence_incident::gate::{self, GateStatus};
use ringfence_incident::{IncidentId, Stage};
use ringfence_lockfile::Lockfile;
use ringfence_package::Ecosystem;
use ringfence_store::Store;
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::commands::incident::now;
use crate::output::print_json;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ringfence drill                      # the project in the current folder\n  \
ringfence drill services/storefront --package express\n  \
ringfence drill . --notify           # also send the playbooks' notifications (marked DRILL)\n\n\
Exit codes: 0 the drill ran (whatever it found), 2 it could not run."
)]
pub struct DrillArgs {
    /// The project (a folder or lockfile) whose inventory the drill copies.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The dependency to plant the malicious release in (default: the first direct npm
    /// dependency).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// Deliver the playbooks' webhook notifications for real (they are queued and counted
    /// otherwise).
    #[arg(long)]
    pub notify: bool,
    /// Keep the scratch database in this folder to look at afterwards (`--db FILE`).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct DrillReport {
    planted: String,
    advisory: String,
    project: String,
    scratch_database: Option<String>,
    incident: Option<IncidentId>,
    stage_reached: Option<Stage>,
    timings: Vec<Timing>,
    steps: Vec<String>,
    /// What stopped automation: the conditions of the gates still ahead, and failed steps.
    needs_a_human: Vec<String>,
}

#[derive(Serialize)]
struct Timing {
    stage: String,
    millis: u128,
    what: String,
}

pub fn run(args: &DrillArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    let config = crate::config::load(global)?;
    let loaded = crate::load::load(std::slice::from_ref(&args.path), true);
    crate::report_problems(&loaded.warnings, &loaded.errors);
    let (lockfile, planted) = pick(&loaded.lockfiles, args.package.as_deref())?;
    let advisory_id = format!("DRILL-{}", now().unix_timestamp());
    let advisory = synthetic_advisory(&advisory_id, &planted.0, &planted.1);

    // Identification, against the built-in snapshot plus the planted advisory only: the drill
    // rehearses one incident.
    let t = Instant::now();
    let mut index = AdvisoryIndex::new();
    index.insert(
        ringfence_advisory::parse_record(advisory.as_bytes(), "drill")
            .map_err(|e| anyhow::anyhow!("the drill's advisory does not parse: {e}"))?,
    );
    let findings: Vec<_> = crate::identify::identify(std::slice::from_ref(lockfile), &index)
        .into_iter()
        .filter(|f| f.advisory.id == advisory_id)
        .collect();
    anyhow::ensure!(
        !findings.is_empty(),
        "the planted release was not identified: this is a bug in the drill"
    );
    let mut timings = vec![Timing {
        stage: "identification".into(),
        millis: t.elapsed().as_millis(),
        what: format!(
            "{} finding in {} ({} packages)",
            findings.len(),
            lockfile.project,
            lockfile.packages.len()
        ),
    }];

    // The scratch database: never the user's.
    let scratch_dir = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            tempfile::Builder::new()
                .prefix("ringfence-drill-")
                .tempdir_in(dir)?
                .keep()
        }
        None => tempfile::Builder::new()
            .prefix("ringfence-drill-")
            .tempdir()?
            .keep(),
    };
    let scratch = scratch_dir.join("drill.db");
    let rt = crate::runtime()?;
    let store = rt.block_on(Store::open_path(&scratch))?;
    let at = now();
    let actor = format!("drill:{}", crate::commands::incident::actor(global));

    let t = Instant::now();
    let mut outcome = rt.block_on(crate::record::record(
        &store,
        &config.config,
        std::slice::from_ref(lockfile),
        &findings,
        None,
        &[],
        &actor,
        at,
    ))?;
    let incident = outcome.opened.first().map(|c| c.incident);
    timings.push(Timing {
        stage: "record".into(),
        millis: t.elapsed().as_millis(),
        what: match incident {
            Some(id) => format!("opened {id}"),
            None => "no incident opened: the policy does not mark known malware `incident`".into(),
        },
    });

    let t = Instant::now();
    let run = if config.config.playbooks.is_empty() || outcome.touched.is_empty() {
        None
    } else {
        Some(crate::playbooks::run(
            &rt,
            &store,
            &config.config,
            &outcome.touched,
            at,
            args.notify,
        )?)
    };
    let mut steps: Vec<String> = Vec::new();
    let mut needs_a_human: Vec<String> = Vec::new();
    if let Some(run) = &run {
        steps.extend(
            run.steps
                .iter()
                .map(|s| format!("{}: {}: {}", s.playbook, s.step, s.outcome)),
        );
        needs_a_human.extend(run.problems.iter().map(|p| format!("a step failed: {p}")));
        if run.notifications_queued > 0 && !args.notify {
            steps.push(format!(
                "{} notification(s) queued, not sent (a drill; --notify sends them)",
                run.notifications_queued
            ));
        }
    } else {
        needs_a_human.push(
            "no playbook matched: every step was left to people (add a playbook for known malware to ringfence.toml)"
                .into(),
        );
    }
    timings.push(Timing {
        stage: "playbooks".into(),
        millis: t.elapsed().as_millis(),
        what: format!("{} automated steps", steps.len()),
    });
    outcome.playbooks = run;

    let mut stage_reached = None;
    if let Some(id) = incident {
        let stored = rt.block_on(store.incident(id))?;
        stage_reached = Some(stored.incident.stage);
        for (stage, at) in &stored.incident.stage_entered {
            if *stage != Stage::Identification {
                timings.push(Timing {
                    stage: stage.to_string(),
                    millis: ((at.0 - stored.incident.opened_at()).whole_milliseconds()).max(0)
                        as u128,
                    what: "entered after the incident opened (automatically)".into(),
                });
            }
        }
        // Every gate still ahead, evaluated as if the earlier ones had passed: what people
        // would have to do.
        let facts = rt.block_on(store.gate_facts(&stored.incident))?;
        let mut probe = stored.incident.clone();
        while let Some(to) = probe.stage.next() {
            let status: GateStatus = gate::check(&probe, to, &facts);
            for c in status.unmet() {
                needs_a_human.push(format!("{} → {to}: {}", probe.stage, c.detail));
            }
            probe.stage = to;
        }
    }
    rt.block_on(store.close());
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&scratch_dir);
    }

    let report = DrillReport {
        planted: format!("npm:{}@{}", planted.0, planted.1),
        advisory: advisory_id,
        project: lockfile.project.clone(),
        scratch_database: args.keep.as_ref().map(|_| scratch.display().to_string()),
        incident,
        stage_reached,
        timings,
        steps,
        needs_a_human,
    };
    if args.json {
        print_json(&report)?;
    } else {
        print(&report, started.elapsed().as_millis())?;
    }
    Ok(0)
}

/// The lockfile and the (name, version) to plant the malicious release in.
fn pick<'a>(
    lockfiles: &'a [Lockfile],
    wanted: Option<&str>,
) -> anyhow::Result<(&'a Lockfile, (String, String))> {
    for l in lockfiles {
        let candidate = l.packages.iter().find(|p| {
            p.ecosystem == Ecosystem::Npm
                && match wanted {
                    Some(name) => p.name == name,
                    None => p.direct,
                }
        });
        if let Some(p) = candidate {
            return Ok((l, (p.name.clone(), p.version.clone())));
        }
    }
    match wanted {
        Some(name) => anyhow::bail!("no npm lockfile here resolves `{name}`"),
        None => anyhow::bail!(
            "no npm project with a direct dependency found here: point the drill at a project (`ringfence drill path/to/project`)"
        ),
    }
}

/// An OSV malicious-package record for exactly `name@version`, marked as a drill.
fn synthetic_advisory(id: &str, name: &str, version: &str) -> String {
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": crate::now_rfc3339(),
        "published": crate::now_rfc3339(),
        "summary": format!("[DRILL] Malicious code in {name} (synthetic, for a rehearsal)"),
        "details": "Planted by `ringfence drill`. Not a real advisory.",
        // CWE-506 (embedded malicious code) is how advisories mark malware.
        "database_specific": { "cwe_ids": ["CWE-506"] },
        "affected": [{
            "package": { "ecosystem": "npm", "name": name },
            "versions": [version],
            "database_specific": { "malicious-packages-origins": [{ "source": "ringfence-drill" }] }
        }]
    })
    .to_string()
}

fn print(r: &DrillReport, total_ms: u128) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "{} planted a malicious release of {} in {} ({}; scratch database{})",
        "DRILL".yellow().bold(),
        r.planted.bold(),
        r.project,
        r.advisory,
        r.scratch_database
            .as_ref()
            .map(|p| format!(" kept at {p}"))
            .unwrap_or_else(|| ", discarded".into())
    )?;
    for t in &r.timings {
        writeln!(out, "  {:<16} {:>6} ms  {}", t.stage, t.millis, t.what)?;
    }
    if !r.steps.is_empty() {
        writeln!(out, "automated:")?;
        for s in &r.steps {
            writeln!(out, "  {} {s}", "✓".green())?;
        }
    }
    if let Some(stage) = r.stage_reached {
        writeln!(
            out,
            "reached {} without a person, in {total_ms} ms",
            stage.to_string().bold()
        )?;
    }
    if !r.needs_a_human.is_empty() {
        writeln!(out, "needs a human:")?;
        for n in &r.needs_a_human {
            writeln!(out, "  {} {n}", "•".yellow())?;
        }
    }
    Ok(())
}
