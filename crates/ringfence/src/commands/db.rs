//! `ringfence db import|status`: the local advisory database.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use owo_colors::OwoColorize;
use ringfence_advisory::Advisory;
use ringfence_store::{AdvisoryRow, Store};
use serde_json::json;

use crate::cli::{GlobalArgs, ImportArgs, StatusArgs};
use crate::output::print_json;
use crate::report_problems;

/// Opens the database named by `--db` / `RINGFENCE_DB`, or the default one in the user's
/// data directory.
pub async fn open_store(global: &GlobalArgs) -> anyhow::Result<Store> {
    match &global.db {
        Some(location) => Store::open(location)
            .await
            .with_context(|| format!("cannot open the database at {location}")),
        None => {
            let path = Store::default_location()
                .context("cannot find a data directory for the default database; pass --db")?;
            Store::open_path(&path)
                .await
                .with_context(|| format!("cannot open the default database at {}", path.display()))
        }
    }
}

pub fn import(args: &ImportArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    let spinner = if global.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        )
    };
    spinner.enable_steady_tick(Duration::from_millis(100));

    let mut advisories: Vec<Advisory> = Vec::new();
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    for path in &args.paths {
        spinner.set_message(format!("reading {}", path.display()));
        match read_source(path) {
            Ok(report) => {
                problems.extend(report.errors.iter().map(ToString::to_string));
                problems.extend(report.warnings.iter().map(ToString::to_string));
                advisories.extend(report.advisories);
            }
            Err(e) => errors.push(format!("{}: {e:#}", path.display())),
        }
    }
    let parsed = advisories.len();
    let source = args
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");

    spinner.set_message(format!("writing {parsed} records"));
    let rows: Vec<AdvisoryRow> = advisories.iter().map(to_row).collect();
    let rt = crate::runtime()?;
    let summary = rt.block_on(async {
        let store = open_store(global).await?;
        store
            .import_advisories(&source, rows)
            .await
            .context("import failed; nothing was written")
    });
    spinner.finish_and_clear();
    let summary = summary?;
    let elapsed = started.elapsed();

    if args.json {
        print_json(&json!({
            "source": source,
            "records": parsed,
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "skipped_older": summary.skipped_older,
            "problems": problems,
            "errors": errors,
            "seconds": elapsed.as_secs_f64(),
        }))?;
    } else {
        report_problems(&problems, &errors);
        anstream::println!(
            "{} {parsed} records from {source} in {:.1}s: {} new, {} updated, {} unchanged, {} older than stored",
            "imported".green().bold(),
            elapsed.as_secs_f64(),
            summary.inserted,
            summary.updated,
            summary.unchanged,
            summary.skipped_older
        );
        if !problems.is_empty() {
            anstream::println!(
                "{} files skipped or partly read (see warnings above)",
                problems.len()
            );
        }
    }
    Ok(if errors.is_empty() { 0 } else { 2 })
}

fn read_source(path: &Path) -> anyhow::Result<ringfence_advisory::ImportReport> {
    let meta = std::fs::metadata(path).context("cannot read")?;
    if meta.is_dir() {
        Ok(ringfence_advisory::load_dir(path)?)
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        Ok(ringfence_advisory::load_zip(path)?)
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let bytes = std::fs::read(path)?;
        let advisory = ringfence_advisory::parse_record(&bytes, &path.display().to_string())?;
        Ok(ringfence_advisory::ImportReport {
            advisories: vec![advisory],
            ..Default::default()
        })
    } else {
        anyhow::bail!("not a folder, a .zip export or a .json record")
    }
}

fn to_row(a: &Advisory) -> AdvisoryRow {
    AdvisoryRow {
        id: a.id.clone(),
        modified: a.modified.map(rfc3339),
        published: a.published.map(rfc3339),
        withdrawn: a.is_withdrawn(),
        malware: a.is_malware(),
        ecosystem_names: a
            .keys()
            .into_iter()
            .map(|(e, n)| (e.osv_name().to_string(), n))
            .collect(),
        json: a.raw_json().to_string(),
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn status(args: &StatusArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let status = rt.block_on(async {
        open_store(global)
            .await?
            .advisory_status()
            .await
            .map_err(anyhow::Error::from)
    })?;
    let snapshot = ringfence_advisory::snapshot_len();
    if args.json {
        print_json(&json!({
            "total": status.total,
            "ecosystems": status.per_ecosystem.iter().map(|e| json!({
                "ecosystem": e.0, "records": e.1, "malware": e.2,
            })).collect::<Vec<_>>(),
            "newest_modified": status.newest_modified,
            "last_import": status.last_import.as_ref().map(|i| json!({ "time": rfc3339(i.0), "source": i.1, "records": i.2 })),
            "built_in_snapshot": snapshot,
        }))?;
        return Ok(0);
    }
    anstream::println!("{} advisory records in the database", status.total);
    for (ecosystem, count, malware) in &status.per_ecosystem {
        anstream::println!(
            "  {ecosystem:<10} {count:>8} records ({malware} malicious-package reports)"
        );
    }
    match &status.newest_modified {
        Some(t) => anstream::println!("newest record modified {t}"),
        None => anstream::println!(
            "no records yet: run `ringfence db import <folder-or-zip>` with an OSV export"
        ),
    }
    if let Some((time, source, count)) = &status.last_import {
        anstream::println!(
            "last import {}: {count} records from {source}",
            rfc3339(*time)
        );
    }
    anstream::println!(
        "built-in snapshot: {snapshot} records of famous malicious releases (always used by scan)"
    );
    Ok(0)
}
