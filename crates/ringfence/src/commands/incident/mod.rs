//! `ringfence incident …`: the record of each response. One file per subcommand; this file
//! holds their arguments and what they share: who is acting, what time it is, and the
//! read-check-write cycle every change goes through.

mod advance;
mod assign;
mod evidence;
mod export;
mod ioc;
mod list;
mod note;
mod open;
mod show;
mod task;

use anyhow::Context;
use clap::{Args, Subcommand};
use ringfence_incident::{Event, IncidentId};
use ringfence_store::{Store, StoredIncident};
use time::OffsetDateTime;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;

pub use advance::AdvanceArgs;
pub use assign::AssignArgs;
pub use evidence::EvidenceCommand;
pub use export::ExportArgs;
pub use ioc::IocArgs;
pub use list::ListArgs;
pub use note::NoteArgs;
pub use open::OpenArgs;
pub use show::ShowArgs;
pub use task::TaskCommand;

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// List incidents: open ones, or all with --all.
    List(ListArgs),
    /// Show one incident: summary, gate status for the next stage, open tasks, timeline.
    Show(ShowArgs),
    /// Open an incident by hand (`scan --record` opens them for known malware).
    Open(OpenArgs),
    /// Move an incident to its next stage, if the stage gate passes.
    Advance(AdvanceArgs),
    /// Set the commander, severity or type, or add and remove participants.
    Assign(AssignArgs),
    /// Add, assign, finish or reopen tasks.
    #[command(subcommand)]
    Task(TaskCommand),
    /// Add a note to the timeline.
    Note(NoteArgs),
    /// Add observables (IOCs) by hand, or from a `ringfence inspect --format json` report.
    Ioc(IocArgs),
    /// Attach evidence files (stored by SHA-256), list them, or get one back.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Write the record, the timeline chain and the evidence to a tar bundle that
    /// `ringfence verify` checks offline.
    Export(ExportArgs),
}

pub fn run(command: &IncidentCommand, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    rt.block_on(async {
        let store = open_store(global).await?;
        let result = match command {
            IncidentCommand::List(a) => list::run(&store, a).await,
            IncidentCommand::Show(a) => show::run(&store, a).await,
            IncidentCommand::Open(a) => open::run(&store, a, global).await,
            IncidentCommand::Advance(a) => advance::run(&store, a, global).await,
            IncidentCommand::Assign(a) => assign::run(&store, a, global).await,
            IncidentCommand::Task(a) => task::run(&store, a, global).await,
            IncidentCommand::Note(a) => note::run(&store, a, global).await,
            IncidentCommand::Ioc(a) => ioc::run(&store, a, global).await,
            IncidentCommand::Evidence(a) => evidence::run(&store, a, global).await,
            IncidentCommand::Export(a) => export::run(&store, a, global).await,
        };
        store.close().await;
        result
    })
}

/// What every change takes: which incident, the version the user last saw, and how to print.
#[derive(Debug, Args)]
pub struct Target {
    /// The incident: `INC-7` (or just `7`).
    #[arg(value_name = "INCIDENT")]
    pub id: IncidentId,

    /// Refuse the change unless the incident is still at this version (as printed by `show`):
    /// a second responder's change in between is never silently overwritten.
    #[arg(long, value_name = "N")]
    pub expect_version: Option<i64>,

    /// Print the updated incident as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The time now, with this machine's zone offset when it can be read.
/// Whole seconds: timelines are read by people, and events are ordered by their sequence.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_local().unwrap_or_else(|_| OffsetDateTime::now_utc());
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Who is acting: `--actor`, `RINGFENCE_ACTOR`, else the login name.
pub fn actor(global: &GlobalArgs) -> String {
    global
        .actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Reads the incident, lets `change` turn it into events (or refuse), and appends them
/// against the version that was read (or `--expect-version`). One transaction.
pub async fn change<F>(
    store: &Store,
    target: &Target,
    global: &GlobalArgs,
    change: F,
) -> anyhow::Result<StoredIncident>
where
    F: FnOnce(
        &StoredIncident,
        &str,
        OffsetDateTime,
    ) -> anyhow::Result<Vec<ringfence_incident::Change>>,
{
    let current = store.incident(target.id).await?;
    let who = actor(global);
    let at = now();
    let changes = change(&current, &who, at)?;
    if changes.is_empty() {
        return Ok(current);
    }
    let events: Vec<Event> = changes
        .into_iter()
        .map(|c| Event::new(at, who.clone(), c))
        .collect();
    let expected = target.expect_version.unwrap_or(current.version);
    store
        .append(target.id, expected, &events)
        .await
        .with_context(|| format!("{} is unchanged", target.id))
}

/// Prints what a change did: the incident as JSON, or one line per new event.
pub fn print_change(
    before: Option<&StoredIncident>,
    after: &StoredIncident,
    records: &[ringfence_incident::EventRecord],
    json: bool,
) -> anyhow::Result<()> {
    if json {
        return crate::output::print_json(after);
    }
    let seen = before.map_or(0, |b| b.incident.events) as usize;
    for r in records.iter().skip(seen) {
        let text = match r.event() {
            Ok(e) => e.change.describe(),
            Err(_) => r.kind.clone(),
        };
        anstream::println!("{} #{}: {text}", after.incident.id, r.seq);
    }
    anstream::println!(
        "{} is in {} (version {})",
        after.incident.id,
        after.incident.stage,
        after.version
    );
    Ok(())
}

/// Applies a change and prints its result: the common shape of the small commands.
pub async fn change_and_print<F>(
    store: &Store,
    target: &Target,
    global: &GlobalArgs,
    f: F,
) -> anyhow::Result<i32>
where
    F: FnOnce(
        &StoredIncident,
        &str,
        OffsetDateTime,
    ) -> anyhow::Result<Vec<ringfence_incident::Change>>,
{
    let before = store.incident(target.id).await?;
    let after = change(store, target, global, f).await?;
    let records = store.timeline(target.id).await?;
    print_change(Some(&before), &after, &records, target.json)?;
    Ok(0)
}
