//! `ringfence doctor`: how ready the team is for the next incident, scored, with what to fix.
//! Gathers the facts (the configuration, the database, test pings of the webhooks), lets
//! `checks` judge them, and prints the verdicts.

mod checks;

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use owo_colors::OwoColorize;
use ringfence_config::{Config, ConfigError, Webhook, WebhookFormat};
use ringfence_store::{AdvisoryStatus, BackupRecord, OutboxMessage};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::commands::policy::config_path;
use crate::notify::deliver::SendOutcome;
use crate::notify::{Format, Notification, Sender};
use crate::output::print_json;
use checks::{Check, ConfigState, Ping, Status};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the score and the checks as JSON.
    #[arg(long)]
    pub json: bool,

    /// Do not send test pings to the webhooks (their check is skipped, not scored).
    #[arg(long)]
    pub offline: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report {
    score: u32,
    checks: Vec<Check>,
}

/// What the database says, read in one go.
struct StoreFacts {
    advisories: AdvisoryStatus,
    last_backup: Option<BackupRecord>,
    pending: Vec<OutboxMessage>,
    delivered: i64,
    sqlite: bool,
}

pub fn run(args: &DoctorArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let now = OffsetDateTime::now_utc();
    let config = read_config(global, now.date());
    let rt = crate::runtime()?;
    let facts = rt.block_on(async {
        let store = open_store(global).await?;
        let facts = async {
            anyhow::Ok(StoreFacts {
                advisories: store.advisory_status().await?,
                last_backup: store.last_backup().await?,
                pending: store.pending().await?,
                delivered: store.outbox_status().await?.delivered,
                sqlite: store.is_sqlite(),
            })
        }
        .await;
        store.close().await;
        facts
    })?;
    drop(rt);

    let in_force = config.in_force();
    // Outside any async context: the HTTP client blocks.
    let pings = match &in_force {
        Ok((cfg, _)) if !args.offline && !cfg.webhooks.is_empty() => Some(ping_all(&cfg.webhooks)?),
        _ => None,
    };
    let configured =
        |id: &'static str, judge: &dyn Fn(&Config, Option<&PathBuf>) -> Check| match &in_force {
            Ok((cfg, path)) => judge(cfg, *path),
            Err(why) => checks::not_checked(id, why),
        };
    let all = vec![
        checks::config(&config, now.date()),
        configured("playbooks", &|cfg, _| checks::playbooks(cfg)),
        configured("commanders", &|cfg, _| checks::commanders(cfg)),
        configured("webhooks", &|cfg, _| {
            checks::webhooks(cfg, pings.as_deref())
        }),
        checks::outbox(&facts.pending, facts.delivered, now),
        checks::advisories(&facts.advisories, ringfence_advisory::snapshot_len(), now),
        checks::backup(facts.last_backup.as_ref(), facts.sqlite, now),
        configured("exceptions", &|cfg, path| {
            checks::exceptions(cfg, path, now.date())
        }),
    ];
    let report = Report {
        score: checks::score(&all),
        checks: all,
    };
    if args.json {
        print_json(&report)?;
    } else {
        print_text(&report)?;
    }
    let failed = report.checks.iter().any(|c| c.status == Status::Fail);
    Ok(if failed { 1 } else { 0 })
}

/// The configuration as `--config`, RINGFENCE_CONFIG or discovery gives it. Never an error: a
/// missing or broken file is a finding of the `config` check.
fn read_config(global: &GlobalArgs, today: time::Date) -> ConfigState {
    let path = match config_path(global) {
        Ok(path) => path,
        // `config_path` fails only when nothing was given and nothing was found.
        Err(e) => {
            let why = match std::env::current_dir() {
                Ok(cwd) => format!(
                    "no {} found from {} upward",
                    ringfence_config::FILE_NAME,
                    cwd.display()
                ),
                Err(_) => format!("{e:#}"),
            };
            return ConfigState::Missing { why };
        }
    };
    match Config::load_at(&path, today) {
        Ok(loaded) => ConfigState::Loaded {
            path,
            config: Box::new(loaded.config),
            warnings: loaded.warnings,
        },
        Err(ConfigError::Invalid { errors, .. }) => ConfigState::Invalid { path, errors },
        Err(e @ ConfigError::Unreadable { .. }) => ConfigState::Unreadable {
            path,
            error: e.to_string(),
        },
    }
}

/// Sends each webhook a signed test notification, as `notify test` does, one after another.
fn ping_all(webhooks: &[Webhook]) -> anyhow::Result<Vec<Ping>> {
    let sender = Sender::new()?;
    let notification = Notification {
        event: "test".into(),
        incident: None,
        text: "ringfence doctor: test ping, this webhook works".into(),
        at: crate::now_rfc3339(),
        details: json!({}),
    };
    Ok(webhooks
        .iter()
        .map(|w| Ping {
            webhook: w.name.clone(),
            url: w.url.clone(),
            outcome: ping(&sender, w, &notification),
        })
        .collect())
}

fn ping(sender: &Sender, webhook: &Webhook, notification: &Notification) -> SendOutcome {
    let format = match webhook.format {
        WebhookFormat::Json => Format::Json,
        WebhookFormat::Slack => Format::Slack,
    };
    let target = crate::notify::deliver::Target {
        url: &webhook.url,
        secret_env: webhook.secret_env.as_deref(),
    };
    sender.send_to(&target, &notification.body(format), "test", None, "pinged")
}

fn print_text(report: &Report) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    let indent = " ".repeat(14);
    for check in &report.checks {
        let mark = match check.status {
            Status::Pass => "✓".green().to_string(),
            Status::Warn => "!".yellow().bold().to_string(),
            Status::Fail => "✗".red().bold().to_string(),
            Status::Skip => "-".dimmed().to_string(),
        };
        writeln!(out, "{mark} {:<11} {}", check.id, check.summary)?;
        if check.status != Status::Pass {
            for line in &check.details {
                writeln!(out, "{indent}{line}")?;
            }
        }
        if let Some(fix) = &check.fix {
            writeln!(out, "{indent}{} {fix}", "fix:".bold())?;
        }
    }
    let score = format!("readiness {}/100", report.score);
    let score = match report.score {
        100 => score.green().bold().to_string(),
        s if s >= 75 => score.yellow().bold().to_string(),
        _ => score.red().bold().to_string(),
    };
    writeln!(out, "{score}")?;
    Ok(())
}
