//! `ringfence diff A B`: what version B adds over version A.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use owo_colors::OwoColorize;
use ringfence_inspect::archive::{Limits, PackageContents, read_path, read_tarball};
use ringfence_inspect::diff::{VersionSide, diff};
use ringfence_inspect::report::{InspectOptions, inspect};
use ringfence_registry::{Detail, Packument};
use serde_json::json;

use crate::cli::{DiffArgs, GlobalArgs};
use crate::commands::inspect::verdict_style;
use crate::output::print_json;

struct Side {
    contents: PackageContents,
    publisher: Option<String>,
    packument: Option<Packument>,
    version: Option<String>,
}

fn read_side(
    target: &str,
    client: &mut Option<ringfence_registry::RegistryClient>,
) -> anyhow::Result<Side> {
    if target.starts_with("npm:") {
        if client.is_none() {
            *client = Some(crate::npm::client()?);
        }
        let fetched = crate::npm::fetch(client.as_ref().expect("set above"), target, Detail::Full)?;
        let publisher = fetched
            .packument
            .publisher(&fetched.version)
            .map(|p| p.name.clone());
        Ok(Side {
            contents: read_tarball(&fetched.tarball, &Limits::default()),
            publisher,
            version: Some(fetched.version.clone()),
            packument: Some(fetched.packument),
        })
    } else {
        let contents = read_path(Path::new(target), &Limits::default())
            .with_context(|| format!("cannot read {target}"))?;
        Ok(Side {
            contents,
            publisher: None,
            packument: None,
            version: None,
        })
    }
}

/// Accounts that published any version before `version`, by the packument's publish times.
fn earlier_publishers(packument: &Packument, version: &str) -> Vec<String> {
    let Some(cutoff) = packument.published_at(version) else {
        return Vec::new();
    };
    let mut out: Vec<String> = packument
        .versions
        .keys()
        .filter(|v| packument.published_at(v).is_some_and(|t| t < cutoff))
        .filter_map(|v| packument.publisher(v).map(|p| p.name.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

pub fn run(args: &DiffArgs, _global: &GlobalArgs) -> anyhow::Result<i32> {
    let mut client = None;
    let old = read_side(&args.old, &mut client)?;
    let new = read_side(&args.new, &mut client)?;
    let options = InspectOptions::default();
    let (old_report, new_report) = (
        inspect(&old.contents, &options),
        inspect(&new.contents, &options),
    );
    let earlier = match (&new.packument, &new.version) {
        (Some(p), Some(v)) => earlier_publishers(p, v),
        _ => Vec::new(),
    };
    let d = diff(
        &VersionSide {
            contents: &old.contents,
            report: &old_report,
            publisher: old.publisher.clone(),
        },
        &VersionSide {
            contents: &new.contents,
            report: &new_report,
            publisher: new.publisher.clone(),
        },
        &earlier,
    );

    if args.json {
        print_json(&json!({
            "old": { "target": args.old, "name": old_report.name, "version": old_report.version, "verdict": old_report.verdict, "publisher": old.publisher },
            "new": { "target": args.new, "name": new_report.name, "version": new_report.version, "verdict": d.decision.verdict, "publisher": new.publisher },
            "diff": d,
        }))?;
    } else {
        let mut out = anstream::stdout().lock();
        let label = |r: &ringfence_inspect::PackageReport, t: &str| match (&r.name, &r.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            _ => t.to_string(),
        };
        writeln!(
            out,
            "{} {} → {}",
            format!(" {} ", d.decision.verdict.as_str().to_uppercase())
                .style(verdict_style(d.decision.verdict)),
            label(&old_report, &args.old),
            label(&new_report, &args.new).bold()
        )?;
        if !d.decision.decided_by.is_empty() {
            let ids: Vec<&str> = d.decision.decided_by.iter().map(|i| i.as_str()).collect();
            writeln!(out, "    decided by: {}", ids.join(", "))?;
        }
        for a in &d.alerts {
            writeln!(out, "    {} {}", a.id.as_str().red(), a.message)?;
        }
        for c in &d.install_scripts {
            match &c.before {
                None => writeln!(out, "    + install script {}: {}", c.script.bold(), c.after)?,
                Some(b) => writeln!(
                    out,
                    "    ~ install script {}: {} → {}",
                    c.script.bold(),
                    b,
                    c.after
                )?,
            }
        }
        let list = |ids: &[ringfence_inspect::AlertId]| {
            ids.iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !d.added_threats.is_empty() {
            writeln!(out, "    + threats: {}", list(&d.added_threats).red())?;
        }
        if !d.added_capabilities.is_empty() {
            writeln!(out, "    + capabilities: {}", list(&d.added_capabilities))?;
        }
        if !d.new_endpoints.is_empty() {
            writeln!(out, "    + endpoints: {}", d.new_endpoints.join(", "))?;
        }
        for g in &d.grown_files {
            writeln!(
                out,
                "    ~ {} grew {} → {} bytes",
                g.path, g.before, g.after
            )?;
        }
        if let Some((p, earlier)) = &d.publisher_change {
            writeln!(
                out,
                "    ! published by {p}, never a publisher before (earlier: {})",
                earlier.join(", ")
            )?;
        }
        writeln!(
            out,
            "    files: {} added, {} removed",
            d.added_files.len(),
            d.removed_files.len()
        )?;
        for f in d.added_files.iter().take(20) {
            writeln!(out, "      + {f}")?;
        }
        if d.added_files.len() > 20 {
            writeln!(out, "      … {} more", d.added_files.len() - 20)?;
        }
    }
    Ok(if args.fail_on.fails(d.decision.verdict) {
        1
    } else {
        0
    })
}
