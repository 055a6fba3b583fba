//! `ringfence incident assign`: commander, severity and participants.

use clap::Args;
use ringfence_incident::{Change, IncidentType, Role, Severity};
use ringfence_store::Store;

use super::{Target, change_and_print};
use crate::cli::GlobalArgs;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ringfence incident assign INC-1 --commander alice --severity sev1\n  \
ringfence incident assign INC-1 --participant bob --role responder\n  \
ringfence incident assign INC-1 --remove-participant carol"
)]
pub struct AssignArgs {
    #[command(flatten)]
    pub target: Target,
    /// The incident commander: leads the response and owns the decisions.
    #[arg(long, value_name = "NAME")]
    pub commander: Option<String>,
    /// `sev1` (worst) to `sev4`.
    #[arg(long)]
    pub severity: Option<Severity>,
    /// malicious-dependency, vulnerable-dependency, compromised-credential or other.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<IncidentType>,
    /// Add a participant (with --role).
    #[arg(long, value_name = "NAME")]
    pub participant: Option<String>,
    /// The participant's role: commander, responder, communications, scribe, observer.
    #[arg(long, default_value = "responder", requires = "participant")]
    pub role: Role,
    /// Take a participant off the response.
    #[arg(long, value_name = "NAME")]
    pub remove_participant: Option<String>,
}

pub async fn run(store: &Store, args: &AssignArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    anyhow::ensure!(
        args.commander.is_some()
            || args.severity.is_some()
            || args.kind.is_some()
            || args.participant.is_some()
            || args.remove_participant.is_some(),
        "nothing to assign: give --commander, --severity, --type, --participant or --remove-participant"
    );
    change_and_print(store, &args.target, global, |current, _, _| {
        let i = &current.incident;
        anyhow::ensure!(!i.is_closed(), "{} is closed", i.id);
        let mut changes = Vec::new();
        if let Some(s) = args.severity
            && i.severity != Some(s)
        {
            changes.push(Change::SeveritySet { severity: s });
        }
        if let Some(k) = args.kind
            && i.kind != k
        {
            changes.push(Change::TypeSet { kind: k });
        }
        if let Some(c) = name(&args.commander)?
            && i.commander.as_deref() != Some(c.as_str())
        {
            changes.push(Change::CommanderAssigned { who: c });
        }
        if let Some(p) = name(&args.participant)? {
            anyhow::ensure!(
                args.role == Role::Commander || i.commander.as_deref() != Some(p.as_str()),
                "{p} is the commander of {}: assign another commander first (--commander NAME)",
                i.id
            );
            if args.role == Role::Commander {
                changes.push(Change::CommanderAssigned { who: p });
            } else if !i
                .participants
                .iter()
                .any(|x| x.who == p && x.role == args.role)
            {
                changes.push(Change::ParticipantAdded {
                    who: p,
                    role: args.role,
                });
            }
        }
        if let Some(p) = name(&args.remove_participant)? {
            anyhow::ensure!(
                i.participants.iter().any(|x| x.who == p),
                "{p} is not a participant of {}",
                i.id
            );
            changes.push(Change::ParticipantRemoved { who: p });
        }
        Ok(changes)
    })
    .await
}

fn name(value: &Option<String>) -> anyhow::Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => anyhow::bail!("a name cannot be empty"),
        Some(v) => Ok(Some(v.trim().to_string())),
    }
}
