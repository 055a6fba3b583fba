//! `ringfence inspect`: deep inspection of package tarballs, folders and `npm:` specs.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use owo_colors::{OwoColorize, Style};
use rayon::prelude::*;
use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::{InspectOptions, PackageReport, inspect, inspect_path};
use ringfence_inspect::{AlertKind, AlertSeverity, Verdict};
use ringfence_registry::Detail;
use serde::Serialize;

use crate::cli::{GlobalArgs, InspectArgs, InspectFormat};
use crate::output::print_json;
use crate::report_problems;

/// One inspected target: what the user named, and the report.
#[derive(Serialize)]
pub struct Inspected {
    pub target: String,
    #[serde(flatten)]
    pub report: PackageReport,
}

pub fn run(args: &InspectArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let options = InspectOptions::default();
    let client = if args.targets.iter().any(|t| t.starts_with("npm:")) {
        Some(crate::npm::client()?)
    } else {
        None
    };
    let bar = if global.quiet || args.targets.len() < 2 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(args.targets.len() as u64).with_style(
            ProgressStyle::with_template("{spinner} inspecting {bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    };
    // Targets are inspected in parallel; results keep the order they were given in.
    let results: Vec<(String, anyhow::Result<PackageReport>)> = args
        .targets
        .par_iter()
        .map(|target| {
            let result = if target.starts_with("npm:") {
                let client = client.as_ref().expect("created when a target is npm:");
                crate::npm::fetch(client, target, Detail::Abbreviated).map(|fetched| {
                    let contents = read_tarball(&fetched.tarball, &Limits::default());
                    inspect(&contents, &options)
                })
            } else {
                inspect_path(Path::new(target), &options)
                    .with_context(|| format!("cannot read {target}"))
            };
            bar.inc(1);
            (target.clone(), result)
        })
        .collect();
    bar.finish_and_clear();
    let mut inspected = Vec::new();
    let mut errors = Vec::new();
    for (target, result) in results {
        match result {
            Ok(report) => inspected.push(Inspected { target, report }),
            Err(e) => errors.push(format!("{target}: {e:#}")),
        }
    }

    match args.format {
        InspectFormat::Json => {
            print_json(&serde_json::json!({ "packages": inspected, "errors": errors }))?;
        }
        InspectFormat::Sarif => print_json(&crate::output::inspect_sarif::sarif(&inspected))?,
        InspectFormat::Table => {
            report_problems(&[], &errors);
            print_table(&inspected, args.verbose)?;
        }
    }
    if args.format != InspectFormat::Table {
        report_problems(&[], &errors);
    }
    let failing = inspected
        .iter()
        .any(|i| args.fail_on.fails(i.report.verdict));
    Ok(if !errors.is_empty() {
        2
    } else if failing {
        1
    } else {
        0
    })
}

pub fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Malicious => Style::new().white().on_red().bold(),
        Verdict::Suspicious => Style::new().black().on_yellow().bold(),
        Verdict::Ok => Style::new().green().bold(),
    }
}

fn print_table(inspected: &[Inspected], verbose: bool) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    for Inspected { target, report } in inspected {
        let name = match (&report.name, &report.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            _ => target.clone(),
        };
        writeln!(
            out,
            "{} {}  {}",
            format!(" {} ", report.verdict.as_str().to_uppercase())
                .style(verdict_style(report.verdict)),
            name.bold(),
            target.dimmed()
        )?;
        if !report.decided_by.is_empty() {
            let ids: Vec<&str> = report.decided_by.iter().map(|id| id.as_str()).collect();
            writeln!(out, "    decided by: {}", ids.join(", "))?;
        }
        for a in &report.alerts {
            let alert = &a.alert;
            let is_capability = alert.kind == AlertKind::Capability;
            if is_capability && !verbose {
                continue;
            }
            let severity_style = match alert.severity {
                AlertSeverity::Critical => Style::new().red().bold(),
                AlertSeverity::High => Style::new().red(),
                AlertSeverity::Medium => Style::new().yellow(),
                AlertSeverity::Low => Style::new().dimmed(),
            };
            writeln!(
                out,
                "    {} {} {}",
                alert.id.as_str().style(severity_style),
                format!("({:?})", alert.severity).to_lowercase().dimmed(),
                alert.message
            )?;
            for e in alert
                .evidence
                .iter()
                .take(if verbose { usize::MAX } else { 3 })
            {
                let at = if e.line > 0 {
                    format!("{}:{}:{}", e.file, e.line, e.column)
                } else {
                    e.file.clone()
                };
                writeln!(out, "        {}  {}", at.cyan(), e.snippet)?;
                if !e.detail.is_empty() && verbose {
                    writeln!(out, "          {}", e.detail.dimmed())?;
                }
            }
            let hidden = alert
                .evidence
                .len()
                .saturating_sub(if verbose { usize::MAX } else { 3 })
                + a.evidence_omitted;
            if hidden > 0 {
                writeln!(out, "        {}", format!("… {hidden} more").dimmed())?;
            }
        }
        let capabilities: Vec<&str> = report
            .alerts
            .iter()
            .filter(|a| a.alert.kind == AlertKind::Capability)
            .map(|a| a.alert.id.as_str())
            .collect();
        if !verbose && !capabilities.is_empty() {
            writeln!(
                out,
                "    {} {}",
                "capabilities:".dimmed(),
                capabilities.join(", ")
            )?;
        }
        let iocs = &report.iocs;
        if !iocs.hosts.is_empty() || !iocs.ips.is_empty() || !iocs.webhooks.is_empty() {
            let mut list: Vec<&str> = iocs
                .webhooks
                .iter()
                .chain(&iocs.hosts)
                .chain(&iocs.ips)
                .map(String::as_str)
                .collect();
            list.dedup();
            writeln!(out, "    {} {}", "IOCs:".dimmed(), list.join(", "))?;
        }
        writeln!(out)?;
    }
    let count = |v: Verdict| inspected.iter().filter(|i| i.report.verdict == v).count();
    writeln!(
        out,
        "{} packages: {} malicious, {} suspicious, {} ok",
        inspected.len(),
        count(Verdict::Malicious),
        count(Verdict::Suspicious),
        count(Verdict::Ok)
    )?;
    Ok(())
}
