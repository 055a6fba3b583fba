//! `ringfence incident evidence add|list|get`: content-addressed evidence with its custody.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use owo_colors::OwoColorize;
use ringfence_incident::timeline::sha256_hex;
use ringfence_incident::{Change, Event};
use ringfence_store::Store;

use super::{Target, actor, now, print_change};
use crate::cli::GlobalArgs;
use crate::output::print_json;

/// Evidence larger than this is refused: the store keeps it in the database.
const MAX_EVIDENCE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Attach files: the malicious tarball, the lockfile at detection, a CI log, a report.
    #[command(after_help = "Examples:\n  \
ringfence incident evidence add INC-1 debug-4.4.2.tgz --description \"tarball as published\"\n  \
ringfence incident evidence add INC-1 storefront/package-lock.json ci-build-4711.log")]
    Add(EvidenceAddArgs),
    /// List the evidence of an incident with hashes and custody.
    List(EvidenceListArgs),
    /// Write one piece of evidence back out, checked against its SHA-256.
    Get(EvidenceGetArgs),
}

#[derive(Debug, Args)]
pub struct EvidenceAddArgs {
    #[command(flatten)]
    pub target: Target,
    /// Files to attach.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// What the evidence is and where it came from.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvidenceListArgs {
    #[arg(value_name = "INCIDENT")]
    pub id: ringfence_incident::IncidentId,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvidenceGetArgs {
    #[arg(value_name = "INCIDENT")]
    pub id: ringfence_incident::IncidentId,
    /// The evidence's SHA-256 (a unique prefix of at least 8 characters will do).
    #[arg(value_name = "SHA256")]
    pub sha256: String,
    /// Where to write it.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

pub async fn run(
    store: &Store,
    command: &EvidenceCommand,
    global: &GlobalArgs,
) -> anyhow::Result<i32> {
    match command {
        EvidenceCommand::Add(a) => add(store, a, global).await,
        EvidenceCommand::List(a) => list(store, a).await,
        EvidenceCommand::Get(a) => get(store, a).await,
    }
}

async fn add(store: &Store, a: &EvidenceAddArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let t = &a.target;
    // Read everything first: a file that cannot be read stops the command before any write.
    let mut files = Vec::new();
    for path in &a.files {
        let meta = std::fs::metadata(path)
            .with_context(|| format!("cannot read evidence file {}", path.display()))?;
        anyhow::ensure!(meta.is_file(), "{} is not a file", path.display());
        anyhow::ensure!(
            meta.len() <= MAX_EVIDENCE_BYTES,
            "{} is {} bytes; evidence is limited to {} MiB",
            path.display(),
            meta.len(),
            MAX_EVIDENCE_BYTES >> 20
        );
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read evidence file {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "evidence".into());
        files.push((name, bytes));
    }
    let current = store.incident(t.id).await?;
    let (who, at) = (actor(global), now());
    let mut events = Vec::new();
    let mut blobs: Vec<&[u8]> = Vec::new();
    for (name, bytes) in &files {
        let sha256 = sha256_hex(bytes);
        if current.incident.evidence.iter().any(|e| e.sha256 == sha256)
            || events.iter().any(|e: &Event| matches!(&e.change, Change::EvidenceAdded { sha256: s, .. } if *s == sha256))
        {
            anstream::eprintln!("{name}: already attached (sha256 {sha256})");
            continue;
        }
        blobs.push(bytes);
        events.push(Event::new(
            at,
            who.clone(),
            Change::EvidenceAdded {
                sha256,
                size: bytes.len() as u64,
                name: name.clone(),
                description: a.description.clone(),
            },
        ));
    }
    if events.is_empty() {
        print_change(Some(&current), &current, &[], t.json)?;
        return Ok(0);
    }
    let expected = t.expect_version.unwrap_or(current.version);
    let after = store
        .append_with_blobs(t.id, expected, &blobs, &events)
        .await?;
    let records = store.timeline(t.id).await?;
    print_change(Some(&current), &after, &records, t.json)?;
    Ok(0)
}

async fn list(store: &Store, a: &EvidenceListArgs) -> anyhow::Result<i32> {
    let s = store.incident(a.id).await?;
    if a.json {
        print_json(&s.incident.evidence)?;
        return Ok(0);
    }
    let mut out = anstream::stdout().lock();
    if s.incident.evidence.is_empty() {
        writeln!(out, "{} has no evidence yet", a.id)?;
    }
    for e in &s.incident.evidence {
        writeln!(
            out,
            "{}  {}  {} bytes  added by {} at {}",
            e.sha256.cyan(),
            e.name.bold(),
            e.size,
            e.added_by,
            e.added_at
        )?;
        if let Some(d) = &e.description {
            writeln!(out, "    {d}")?;
        }
        for c in &e.custody {
            writeln!(out, "    {} {} by {}", c.at, c.action, c.by)?;
        }
    }
    Ok(0)
}

async fn get(store: &Store, a: &EvidenceGetArgs) -> anyhow::Result<i32> {
    let s = store.incident(a.id).await?;
    let wanted = a.sha256.trim().to_ascii_lowercase();
    anyhow::ensure!(
        wanted.len() >= 8,
        "give at least 8 characters of the SHA-256"
    );
    let matches: Vec<_> = s
        .incident
        .evidence
        .iter()
        .filter(|e| e.sha256.starts_with(&wanted))
        .collect();
    let evidence = match matches.as_slice() {
        [one] => *one,
        [] => anyhow::bail!("{} has no evidence with sha256 {wanted}…", a.id),
        _ => anyhow::bail!("`{wanted}` matches several pieces of evidence; give more of the hash"),
    };
    let bytes = store
        .evidence_blob(&evidence.sha256)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!("evidence {} is missing from the database", evidence.sha256)
        })?;
    crate::output::write_atomically(&a.output, &bytes)?;
    anstream::eprintln!(
        "wrote {} ({} bytes, sha256 {} verified)",
        a.output.display(),
        bytes.len(),
        evidence.sha256
    );
    Ok(0)
}
