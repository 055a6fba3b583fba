//! `ringfence incident export`: the record, its timeline chain and evidence as one tar that
//! `ringfence verify` checks offline.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ringfence_incident::bundle::{BundleInput, write_bundle};
use ringfence_incident::timeline::verify_chain;
use ringfence_incident::{Change, Event, Timestamp};
use ringfence_store::Store;
use serde::Serialize;

use super::{Target, actor, now};
use crate::cli::GlobalArgs;
use crate::output::print_json;

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  ringfence incident export INC-1 -o inc-1.tar && ringfence verify inc-1.tar"
)]
pub struct ExportArgs {
    #[command(flatten)]
    pub target: Target,
    /// The bundle to write (a tar file).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Serialize)]
struct Exported {
    incident: String,
    bundle: String,
    manifest_sha256: String,
    files: usize,
    bytes: u64,
    events: usize,
}

pub async fn run(store: &Store, args: &ExportArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let t = &args.target;
    let current = store.incident(t.id).await?;
    let (who, at) = (actor(global), now());
    let bundle_name = args
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());

    // The file is created (empty, beside its final name) before anything is recorded: an
    // unwritable destination must not leave custody events for an export that never was.
    let dir = match args.output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut staged = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("cannot write the bundle in {}", dir.display()))?;

    // Custody next: each piece of evidence leaving the store is a timeline event, and the
    // bundle carries the timeline that says so.
    let custody: Vec<Event> = current
        .incident
        .evidence
        .iter()
        .map(|e| {
            Event::new(
                at,
                who.clone(),
                Change::EvidenceHandled {
                    sha256: e.sha256.clone(),
                    action: format!("exported in bundle {bundle_name}"),
                },
            )
        })
        .collect();
    let expected = t.expect_version.unwrap_or(current.version);
    let record = if custody.is_empty() {
        anyhow::ensure!(
            expected == current.version,
            "{} is at version {}, not {expected}",
            t.id,
            current.version
        );
        current
    } else {
        store.append(t.id, expected, &custody).await?
    };
    let timeline = store.timeline(t.id).await?;
    verify_chain(&t.id.to_string(), &timeline).with_context(|| {
        format!(
            "the stored timeline of {} does not verify; run `ringfence audit verify`",
            t.id
        )
    })?;

    let mut evidence = Vec::new();
    for e in &record.incident.evidence {
        let bytes = store
            .evidence_blob(&e.sha256)
            .await?
            .ok_or_else(|| anyhow::anyhow!("evidence {} is missing from the database", e.sha256))?;
        evidence.push((e.sha256.clone(), bytes));
    }
    let input = BundleInput {
        incident: &record.incident,
        timeline: &timeline,
        evidence,
        reports: Vec::new(),
        exported_at: Timestamp(at),
        exported_by: who.clone(),
    };
    let mut bytes = Vec::new();
    let summary =
        write_bundle(&mut bytes, &input).with_context(|| format!("cannot export {}", t.id))?;
    {
        use std::io::Write;
        staged
            .write_all(&bytes)
            .and_then(|_| staged.as_file().sync_all())
            .with_context(|| format!("cannot write {}", args.output.display()))?;
    }
    staged
        .persist(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    store
        .append(
            t.id,
            record.version,
            &[Event::new(
                at,
                who,
                Change::Exported {
                    manifest_sha256: summary.manifest_sha256.clone(),
                },
            )],
        )
        .await?;
    let out = Exported {
        incident: t.id.to_string(),
        bundle: args.output.display().to_string(),
        manifest_sha256: summary.manifest_sha256,
        files: summary.files,
        bytes: summary.bytes,
        events: timeline.len(),
    };
    if t.json {
        print_json(&out)?;
    } else {
        anstream::println!(
            "exported {} to {}: {} files, {} bytes, {} timeline events\nmanifest sha256 {}\ncheck it with: ringfence verify {}",
            out.incident,
            out.bundle,
            out.files,
            out.bytes,
            out.events,
            out.manifest_sha256,
            out.bundle
        );
    }
    Ok(0)
}
