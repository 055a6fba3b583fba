//! `ringfence block add|list|remove`: the blocklist that `scan` enforces.

use std::io::Write;

use clap::{Args, Subcommand};
use owo_colors::OwoColorize;
use ringfence_incident::{IncidentId, Timestamp};
use ringfence_package::{Ecosystem, normalize_name};
use ringfence_store::{BlockEntry, BlockSummary, Store};

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::commands::incident::{actor, now};
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub enum BlockCommand {
    /// Put package versions on the blocklist: `scan` fails on them from now on.
    #[command(
        after_help = "Examples:\n  ringfence block add npm:debug@4.4.2 --incident INC-1\n  \
ringfence block add npm:@ctrl/tinycolor@4.1.1 npm:@ctrl/tinycolor@4.1.2 --reason \"Shai-Hulud\"\n  \
ringfence block add pypi:requessts@2.31.0 --reason typosquat"
    )]
    Add(BlockAddArgs),
    /// Show the blocklist.
    List(BlockListArgs),
    /// Take package versions off the blocklist.
    Remove(BlockRemoveArgs),
}

#[derive(Debug, Args)]
pub struct BlockAddArgs {
    /// `ECOSYSTEM:NAME@VERSION` (`npm:`, `pypi:`, `crates.io:`; without a prefix, npm).
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<String>,
    /// Why; defaults to the incident's title when --incident is given.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Record the block on this incident's timeline (its eradication gate checks it).
    #[arg(long, value_name = "INCIDENT")]
    pub incident: Option<IncidentId>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BlockListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BlockRemoveArgs {
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<String>,
    /// Why it is safe again.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Record the removal on this incident's timeline.
    #[arg(long, value_name = "INCIDENT")]
    pub incident: Option<IncidentId>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: &BlockCommand, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    rt.block_on(async {
        let store = open_store(global).await?;
        let result = match command {
            BlockCommand::Add(a) => add(&store, a, global).await,
            BlockCommand::List(a) => list(&store, a).await,
            BlockCommand::Remove(a) => remove(&store, a, global).await,
        };
        store.close().await;
        result
    })
}

/// `npm:@scope/name@1.2.3` → (`npm`, `@scope/name`, `1.2.3`), with the OSV ecosystem name
/// and the ecosystem's normalised package name.
pub fn parse_spec(spec: &str) -> anyhow::Result<(String, String, String)> {
    let s = spec.trim();
    let (ecosystem, rest) = match s.split_once(':') {
        Some((e, rest)) if !e.starts_with('@') => (
            e.parse::<Ecosystem>()
                .map_err(|e| anyhow::anyhow!("`{spec}`: {e}"))?,
            rest,
        ),
        _ => (Ecosystem::Npm, s),
    };
    // The version follows the last `@` that is not the start of an npm scope.
    let at = rest
        .rfind('@')
        .filter(|i| *i > 0)
        .ok_or_else(|| anyhow::anyhow!("`{spec}` has no version: write it as npm:NAME@VERSION"))?;
    let (name, version) = (&rest[..at], rest[at + 1..].trim());
    anyhow::ensure!(
        !name.is_empty() && !version.is_empty(),
        "`{spec}`: write it as ECOSYSTEM:NAME@VERSION, e.g. npm:debug@4.4.2"
    );
    anyhow::ensure!(
        !version.contains(['^', '~', '>', '<', '*', ' ', '|']),
        "`{spec}`: block exact versions, not ranges"
    );
    Ok((
        ecosystem.osv_name().to_string(),
        normalize_name(ecosystem, name),
        version.to_string(),
    ))
}

async fn add(store: &Store, a: &BlockAddArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let specs = a
        .specs
        .iter()
        .map(|s| parse_spec(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let summary = block_versions(store, specs, a.reason.as_deref(), a.incident, global).await?;
    if a.json {
        print_json(&summary)?;
        return Ok(0);
    }
    print_summary(&summary);
    Ok(0)
}

/// Puts (ecosystem, name, version) triples on the blocklist, recorded on the incident's
/// timeline when one is given; the reason defaults to the incident's title. Shared by
/// `block add` and `contain --block`.
pub async fn block_versions(
    store: &Store,
    specs: Vec<(String, String, String)>,
    reason: Option<&str>,
    incident: Option<IncidentId>,
    global: &GlobalArgs,
) -> anyhow::Result<BlockSummary> {
    let stored = match incident {
        Some(id) => Some(store.incident(id).await?),
        None => None,
    };
    let reason = match (reason, &stored) {
        (Some(r), _) if !r.trim().is_empty() => r.trim().to_string(),
        (_, Some(i)) => format!("{}: {}", i.incident.id, i.incident.title),
        _ => anyhow::bail!("give a --reason (or --incident INC-n)"),
    };
    let (who, at) = (actor(global), Timestamp(now()).rfc3339());
    let entries: Vec<BlockEntry> = specs
        .into_iter()
        .map(|(ecosystem, name, version)| BlockEntry {
            ecosystem,
            name,
            version,
            reason: reason.clone(),
            incident,
            added_by: who.clone(),
            added_at: at.clone(),
        })
        .collect();
    Ok(store
        .block(
            &entries,
            stored.as_ref().map(|i| (i.incident.id, i.version)),
        )
        .await?)
}

/// One line per version: newly blocked, or already on the list.
pub fn print_summary(summary: &BlockSummary) {
    for e in &summary.added {
        anstream::println!("{} {}", "blocked".red().bold(), e.spec());
    }
    for e in &summary.already {
        anstream::println!("already blocked {}", e.spec());
    }
}

async fn list(store: &Store, a: &BlockListArgs) -> anyhow::Result<i32> {
    let all = store.blocklist().await?;
    if a.json {
        print_json(&all)?;
        return Ok(0);
    }
    let mut out = anstream::stdout().lock();
    if all.is_empty() {
        writeln!(out, "the blocklist is empty")?;
    }
    for e in &all {
        writeln!(
            out,
            "{}  {}{}  {}",
            e.spec().bold(),
            e.reason,
            e.incident.map(|i| format!(" ({i})")).unwrap_or_default(),
            format!("added by {} at {}", e.added_by, e.added_at).dimmed()
        )?;
    }
    Ok(0)
}

async fn remove(store: &Store, a: &BlockRemoveArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let keys = a
        .specs
        .iter()
        .map(|s| parse_spec(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(!a.reason.trim().is_empty(), "--reason cannot be empty");
    let incident = match a.incident {
        Some(id) => Some(store.incident(id).await?),
        None => None,
    };
    let removed = store
        .unblock(
            &keys,
            &actor(global),
            Timestamp(now()),
            a.reason.trim(),
            incident.as_ref().map(|i| (i.incident.id, i.version)),
        )
        .await?;
    if a.json {
        print_json(&removed)?;
        return Ok(0);
    }
    for (e, n, v) in &keys {
        if removed
            .iter()
            .any(|r| &r.ecosystem == e && &r.name == n && &r.version == v)
        {
            anstream::println!("unblocked {e}:{n}@{v}");
        } else {
            anstream::println!("{e}:{n}@{v} was not on the blocklist");
        }
    }
    Ok(0)
}
