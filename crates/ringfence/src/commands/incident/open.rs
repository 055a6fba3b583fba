//! `ringfence incident open`: an incident opened by hand.

use clap::Args;
use ringfence_incident::{Change, Event, IncidentType, Severity};
use ringfence_store::{Opened, Store};

use super::{actor, now, print_change};
use crate::cli::GlobalArgs;
use crate::commands::block::parse_spec;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ringfence incident open --title \"chalk/debug compromise\" \\\n      \
--package npm:debug@4.4.2 --package npm:chalk@5.6.1 --severity sev1 --commander alice\n  \
ringfence incident open --title \"npm token leaked in CI logs\" --type compromised-credential"
)]
pub struct OpenArgs {
    /// What happened, in a few words.
    #[arg(long)]
    pub title: String,
    /// malicious-dependency, vulnerable-dependency, compromised-credential or other.
    #[arg(
        long = "type",
        default_value = "malicious-dependency",
        value_name = "TYPE"
    )]
    pub kind: IncidentType,
    /// `sev1` (worst) to `sev4`.
    #[arg(long)]
    pub severity: Option<Severity>,
    /// The incident commander.
    #[arg(long, value_name = "NAME")]
    pub commander: Option<String>,
    /// An affected version: `npm:NAME@VERSION` (also `pypi:` and `crates.io:`). Repeatable.
    #[arg(long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Print the new incident as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(store: &Store, args: &OpenArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let title = args.title.trim();
    anyhow::ensure!(!title.is_empty(), "--title cannot be empty");
    let specs = args
        .packages
        .iter()
        .map(|s| parse_spec(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let who = actor(global);
    let at = now();
    let mut changes = vec![Change::Opened {
        title: title.to_string(),
        kind: args.kind,
        severity: args.severity,
        source: "manual".into(),
    }];
    if let Some(c) = &args.commander {
        changes.push(Change::CommanderAssigned { who: c.clone() });
    }
    let mut claims = Vec::new();
    for (ecosystem, name, version) in specs {
        if !claims.contains(&(ecosystem.clone(), name.clone())) {
            claims.push((ecosystem.clone(), name.clone()));
        }
        changes.push(Change::PackageAffected {
            ecosystem,
            name,
            version,
            source: "manual".into(),
            detectable_since: None,
            campaign: vec![],
        });
    }
    let events: Vec<Event> = changes
        .into_iter()
        .map(|c| Event::new(at, who.clone(), c))
        .collect();
    match store.open_incident(&events, &claims).await? {
        Opened::New(stored) => {
            let records = store.timeline(stored.incident.id).await?;
            print_change(None, &stored, &records, args.json)?;
            Ok(0)
        }
        Opened::AlreadyOpen {
            incident,
            ecosystem,
            name,
        } => anyhow::bail!(
            "{ecosystem}:{name} is already part of open incident {incident}: add to it with `ringfence incident show {incident}` and its commands instead of opening a duplicate"
        ),
    }
}
