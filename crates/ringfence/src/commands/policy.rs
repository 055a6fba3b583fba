//! `ringfence policy check`: checks ringfence.toml and prints every problem with its line, so a
//! team finds a typo in CI rather than during an incident.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use owo_colors::OwoColorize;
use ringfence_config::{Config, ConfigError, Diagnostic, Level, Summary};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check ringfence.toml: print every error and warning with its line, then what it holds.
    ///
    /// Uses --config (or RINGFENCE_CONFIG), else the nearest ringfence.toml in the current
    /// folder or above it. Unknown keys are errors. A file with any error is not applied at all.
    #[command(after_help = "Examples:\n  ringfence policy check\n  \
ringfence policy check --config examples/ringfence.toml --json\n\n\
Exit codes: 0 the file is valid (warnings allowed), 1 it has errors, 2 it cannot be found or read.")]
    Check(PolicyCheckArgs),
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: &PolicyCommand, global: &GlobalArgs) -> anyhow::Result<i32> {
    match command {
        PolicyCommand::Check(args) => check(args, global),
    }
}

/// The JSON form of a check.
#[derive(Serialize)]
struct CheckOutput<'a> {
    path: String,
    valid: bool,
    errors: &'a [Diagnostic],
    warnings: &'a [Diagnostic],
    summary: Option<Summary>,
}

fn check(args: &PolicyCheckArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let path = config_path(global)?;
    let today = time::OffsetDateTime::now_utc().date();
    let (errors, warnings, summary) = match Config::load_at(&path, today) {
        Ok(loaded) => (
            Vec::new(),
            loaded.warnings,
            Some(loaded.config.summary(today)),
        ),
        Err(ConfigError::Invalid { errors, warnings }) => (errors, warnings, None),
        Err(e @ ConfigError::Unreadable { .. }) => return Err(e.into()),
    };
    if args.json {
        print_json(&CheckOutput {
            path: path.display().to_string(),
            valid: errors.is_empty(),
            errors: &errors,
            warnings: &warnings,
            summary,
        })?;
    } else {
        let mut all: Vec<&Diagnostic> = errors.iter().chain(&warnings).collect();
        all.sort_by_key(|d| (d.line, d.column));
        let mut out = anstream::stdout().lock();
        for d in all {
            let level = match d.level {
                Level::Error => "error:".red().bold().to_string(),
                Level::Warning => "warning:".yellow().bold().to_string(),
            };
            let place = format!("{}:{}:{}:", d.path.display(), d.line, d.column);
            writeln!(out, "{place} {level} {}", d.message)?;
        }
        match summary {
            Some(summary) => writeln!(out, "{}: {summary}", path.display())?,
            None => writeln!(
                out,
                "{}: {}, {}; nothing in it is applied",
                path.display(),
                count(errors.len(), "error"),
                count(warnings.len(), "warning")
            )?,
        }
    }
    Ok(if errors.is_empty() { 0 } else { 1 })
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The configuration file to use: `--config` (or RINGFENCE_CONFIG) as given, else the nearest
/// ringfence.toml from the current folder upward, shown relative to the current folder when it
/// is inside it.
pub(crate) fn config_path(global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    if let Some(given) = &global.config {
        return Ok(given.clone());
    }
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let found = Config::discover(&cwd).with_context(|| {
        format!(
            "no {} found from {} upward; pass --config",
            ringfence_config::FILE_NAME,
            cwd.display()
        )
    })?;
    Ok(relative_to(&found, &cwd))
}

fn relative_to(path: &Path, dir: &Path) -> PathBuf {
    path.strip_prefix(dir)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
