//! `ringfence incident list`

use std::io::Write;

use clap::Args;
use owo_colors::OwoColorize;
use ringfence_store::Store;

use crate::output::print_json;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include closed incidents.
    #[arg(long)]
    pub all: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(store: &Store, args: &ListArgs) -> anyhow::Result<i32> {
    let incidents = store.incidents(args.all).await?;
    if args.json {
        print_json(&incidents)?;
        return Ok(0);
    }
    let mut out = anstream::stdout().lock();
    if incidents.is_empty() {
        writeln!(
            out,
            "no {}incidents (`ringfence scan --record` opens them for known malware; `ringfence incident open` by hand)",
            if args.all { "" } else { "open " }
        )?;
        return Ok(0);
    }
    for s in &incidents {
        let i = &s.incident;
        let open_tasks = i.open_tasks().count();
        writeln!(
            out,
            "{:<7} {:<5} {:<16} {}  {}",
            i.id.to_string().bold(),
            i.severity.map(|s| s.label()).unwrap_or("-"),
            i.stage.as_str(),
            i.title,
            format!(
                "commander {}, {} packages, {} projects, {} open tasks, opened {}",
                i.commander.as_deref().unwrap_or("none"),
                i.packages.len(),
                i.projects.len(),
                open_tasks,
                ringfence_incident::Timestamp(i.opened_at())
            )
            .dimmed()
        )?;
    }
    Ok(0)
}
