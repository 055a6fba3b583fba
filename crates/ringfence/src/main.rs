//! The `ringfence` command-line tool. Each subcommand lives in `commands/<name>.rs`; this file
//! parses arguments, sets up colour, and turns results into exit codes
//! (0 = clean, 1 = findings, 2 = error — like ripgrep, errors never hide findings).

mod blocked;
mod cli;
mod commands;
mod config;
mod contain;
mod cooldown;
mod deep;
mod fail_on;
mod git;
mod identify;
mod load;
mod notify;
mod npm;
mod output;
mod playbooks;
mod published;
mod record;

use std::process::ExitCode;

use clap::Parser;
use owo_colors::OwoColorize;

use crate::cli::{Cli, ColorChoice, Command, DbCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.global.color {
        ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
        ColorChoice::Auto => {}
    }
    let result = match &cli.command {
        Command::Scan(args) => commands::scan::run(args, &cli.global),
        Command::Inventory(args) => commands::inventory::run(args, &cli.global),
        Command::Inspect(args) => commands::inspect::run(args, &cli.global),
        Command::Diff(args) => commands::diff::run(args, &cli.global),
        Command::Db(DbCommand::Import(args)) => commands::db::import(args, &cli.global),
        Command::Db(DbCommand::Status(args)) => commands::db::status(args, &cli.global),
        Command::Incident(c) => commands::incident::run(c, &cli.global),
        Command::Block(c) => commands::block::run(c, &cli.global),
        Command::Audit(c) => commands::audit::run(c, &cli.global),
        Command::Metrics(args) => commands::metrics::run(args, &cli.global),
        Command::Report(args) => commands::report::run(args, &cli.global),
        Command::Verify(args) => commands::verify::run(args),
        Command::Policy(c) => commands::policy::run(c, &cli.global),
        Command::Notify(c) => commands::notify::run(c, &cli.global),
        Command::Contain(args) => commands::contain::run(args, &cli.global),
        Command::Backup(args) => commands::backup::backup(args, &cli.global),
        Command::Restore(args) => commands::backup::restore(args, &cli.global),
        Command::Doctor(args) => commands::doctor::run(args, &cli.global),
        Command::Drill(args) => commands::drill::run(args, &cli.global),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(err) => {
            anstream::eprintln!("{} {err:#}", "error:".red().bold());
            ExitCode::from(2)
        }
    }
}

/// Prints warnings and errors from reading inputs to stderr, one per line.
pub fn report_problems(warnings: &[String], errors: &[String]) {
    for w in warnings {
        anstream::eprintln!("{} {w}", "warning:".yellow().bold());
    }
    for e in errors {
        anstream::eprintln!("{} {e}", "error:".red().bold());
    }
}

/// The current time as RFC 3339 in UTC, for reports and SBOMs.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// A single-threaded tokio runtime for the database calls of one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
