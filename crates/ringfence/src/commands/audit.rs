//! `ringfence audit verify`: every hash chain in the database, and every incident record
//! against the replay of its timeline.

use std::io::Write;

use clap::{Args, Subcommand};
use owo_colors::OwoColorize;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk every timeline's hash chain and report the first broken link of each.
    #[command(
        after_help = "Exit codes: 0 every chain holds, 1 a chain is broken or a record was edited, 2 an error."
    )]
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: &AuditCommand, global: &GlobalArgs) -> anyhow::Result<i32> {
    let AuditCommand::Verify(args) = command;
    let rt = crate::runtime()?;
    let report = rt.block_on(async {
        let store = open_store(global).await?;
        let report = store.verify_audit().await;
        store.close().await;
        anyhow::Ok(report?)
    })?;
    if args.json {
        print_json(&report)?;
    } else {
        let mut out = anstream::stdout().lock();
        for c in &report.chains {
            match &c.broken {
                None => writeln!(
                    out,
                    "{} {:<12} {} events, head {}",
                    "ok".green(),
                    c.chain,
                    c.events,
                    c.head.get(..16).unwrap_or("")
                )?,
                Some(b) => writeln!(
                    out,
                    "{} {:<12} first broken link at event {}: {}",
                    "BROKEN".red().bold(),
                    c.chain,
                    b.seq,
                    b.problem
                )?,
            }
        }
        for m in &report.mismatched_records {
            writeln!(out, "{} {m}", "EDITED".red().bold())?;
        }
        writeln!(
            out,
            "{} chains, {} events: {}",
            report.chains.len(),
            report.events,
            if report.ok() {
                "every chain verifies".green().to_string()
            } else {
                "the audit trail was tampered with".red().bold().to_string()
            }
        )?;
    }
    Ok(if report.ok() { 0 } else { 1 })
}
