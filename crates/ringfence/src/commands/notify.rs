//! `ringfence notify deliver|status|test`: the webhook outbox from the command line.
//! Delivery itself lives in `crate::notify`.

use std::io::Write;

use anyhow::Context;
use clap::{Args, Subcommand};
use owo_colors::OwoColorize;
use ringfence_incident::IncidentId;
use ringfence_store::{OutboxMessage, OutboxStatus};
use serde::Serialize;
use serde_json::json;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::notify::deliver::{SendOutcome, display_url, now_unix, unix_rfc3339};
use crate::notify::{DeliveryRound, Format, Notification, Sender, Webhook};
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send every notification that is due now; failures are kept and retried later.
    ///
    /// Failed sends wait 30 s, then 60 s, 120 s... up to an hour between attempts. Run this
    /// from cron or a CI schedule to keep the outbox moving.
    #[command(
        after_help = "Exit codes: 0 nothing failed in this round, 1 a send failed (it stays in the outbox), 2 an error."
    )]
    Deliver(DeliverArgs),

    /// Show the outbox: pending and failing notifications with their last error.
    #[command(
        after_help = "Exit codes: 0 no notification is failing, 1 at least one is, 2 an error."
    )]
    Status(NotifyStatusArgs),

    /// Send a test notification to a webhook now, without the outbox.
    #[command(
        after_help = "Examples:\n  ringfence notify test --url https://hooks.example.com/T0/B0/x --format slack\n  \
ringfence notify test --url https://soc.example.com/hook --secret-env RINGFENCE_WEBHOOK_SECRET\n\n\
Exit codes: 0 the receiver answered 2xx, 1 it did not, 2 an error."
    )]
    Test(NotifyTestArgs),

    /// Put one notification in the outbox (for tests and scripted drills).
    #[command(hide = true)]
    Enqueue(NotifyEnqueueArgs),
}

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// Retry every pending notification now, ignoring the backoff.
    #[arg(long)]
    pub all: bool,

    /// Print the round as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NotifyStatusArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NotifyTestArgs {
    /// The webhook's URL.
    #[arg(long)]
    pub url: String,

    /// The body format the receiver expects.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// Sign the request with the secret in this environment variable.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,

    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NotifyEnqueueArgs {
    /// Where to send it: an http(s) URL, or `env:NAME` to read the URL from the variable
    /// NAME when the message is sent (a Slack webhook URL is a credential; this way it is
    /// never stored).
    #[arg(long, value_name = "URL")]
    pub webhook_url: String,

    /// The webhook's name.
    #[arg(long, default_value = "manual")]
    pub webhook: String,

    #[arg(long)]
    pub text: String,

    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,

    #[arg(long, default_value = "test")]
    pub event: String,

    /// About this incident (its fields go into the body).
    #[arg(long, value_name = "INC-N")]
    pub incident: Option<IncidentId>,

    #[arg(long)]
    pub dedupe_key: Option<String>,

    /// Also try to deliver everything due, as playbooks do.
    #[arg(long)]
    pub deliver: bool,
}

pub fn run(command: &NotifyCommand, global: &GlobalArgs) -> anyhow::Result<i32> {
    match command {
        NotifyCommand::Deliver(args) => deliver(args, global),
        NotifyCommand::Status(args) => status(args, global),
        NotifyCommand::Test(args) => test(args),
        NotifyCommand::Enqueue(args) => enqueue(args, global),
    }
}

fn deliver(args: &DeliverArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let store = rt.block_on(open_store(global))?;
    let round = crate::notify::deliver_due(&store, &rt, args.all);
    rt.block_on(store.close());
    let round = round?;
    print_round(&round, args.json, global.quiet)?;
    Ok(if round.failed == 0 { 0 } else { 1 })
}

fn print_round(round: &DeliveryRound, json: bool, quiet: bool) -> anyhow::Result<()> {
    if json {
        return print_json(round);
    }
    let mut out = anstream::stdout().lock();
    for a in &round.attempts {
        if a.delivered {
            writeln!(
                out,
                "{} #{} {} {} ({})",
                "delivered".green(),
                a.id,
                a.webhook,
                a.url,
                a.event
            )?;
        } else {
            writeln!(
                out,
                "{} #{} {} {} attempt {}: {}; next attempt {}",
                "failed".red().bold(),
                a.id,
                a.webhook,
                a.url,
                a.attempts,
                a.error.as_deref().unwrap_or("unknown error"),
                a.next_attempt_at.as_deref().unwrap_or("-")
            )?;
        }
    }
    if !quiet || round.failed > 0 {
        writeln!(
            out,
            "{} delivered, {} failed",
            round.delivered, round.failed
        )?;
    }
    Ok(())
}

/// A pending message as `notify status` shows it: no body, no secret-bearing path.
#[derive(Serialize)]
struct PendingView<'a> {
    id: i64,
    webhook: &'a str,
    url: String,
    event: &'a str,
    incident: Option<IncidentId>,
    created_at: &'a str,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<&'a str>,
    next_attempt_at: String,
}

impl<'a> From<&'a OutboxMessage> for PendingView<'a> {
    fn from(m: &'a OutboxMessage) -> PendingView<'a> {
        PendingView {
            id: m.id,
            webhook: &m.webhook,
            url: display_url(&m.url),
            event: &m.event,
            incident: m.incident,
            created_at: &m.created_at,
            attempts: m.attempts,
            last_status: m.last_status,
            last_error: m.last_error.as_deref(),
            next_attempt_at: unix_rfc3339(m.next_attempt_at),
        }
    }
}

fn status(args: &NotifyStatusArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let (summary, pending): (OutboxStatus, Vec<OutboxMessage>) = rt.block_on(async {
        let store = open_store(global).await?;
        let summary = store.outbox_status().await?;
        let pending = store.pending().await?;
        store.close().await;
        anyhow::Ok((summary, pending))
    })?;
    let views: Vec<PendingView> = pending.iter().map(PendingView::from).collect();
    let code = if summary.failing > 0 { 1 } else { 0 };
    if args.json {
        print_json(&json!({ "outbox": summary, "pending": views }))?;
        return Ok(code);
    }
    let mut out = anstream::stdout().lock();
    let now = now_unix();
    for (v, m) in views.iter().zip(&pending) {
        let when = if m.next_attempt_at <= now {
            "due now".to_string()
        } else {
            format!(
                "next attempt in {}s ({})",
                m.next_attempt_at - now,
                v.next_attempt_at
            )
        };
        let state = if v.attempts == 0 {
            "pending".yellow().to_string()
        } else {
            "failing".red().bold().to_string()
        };
        write!(out, "{state} #{} {} {} {}", v.id, v.webhook, v.url, v.event)?;
        if let Some(i) = v.incident {
            write!(out, " {i}")?;
        }
        writeln!(out, ", since {}", v.created_at)?;
        if v.attempts > 0 {
            writeln!(
                out,
                "    {} attempts, last: {}; {when}",
                v.attempts,
                v.last_error.unwrap_or("-")
            )?;
        }
    }
    writeln!(
        out,
        "{} pending ({} failing), {} delivered{}",
        summary.pending,
        summary.failing,
        summary.delivered,
        summary
            .oldest_pending
            .as_deref()
            .map(|o| format!("; oldest pending since {o}"))
            .unwrap_or_default()
    )?;
    Ok(code)
}

fn test(args: &NotifyTestArgs) -> anyhow::Result<i32> {
    let secret = match &args.secret_env {
        None => None,
        Some(var) => Some(
            std::env::var(var)
                .ok()
                .filter(|s| !s.is_empty())
                .with_context(|| format!("the secret variable {var} is not set"))?,
        ),
    };
    let notification = Notification {
        event: "test".into(),
        incident: None,
        text: "ringfence test notification: this webhook works".into(),
        at: crate::now_rfc3339(),
        details: json!({}),
    };
    let outcome = Sender::new()?.send(
        &args.url,
        &notification.body(args.format),
        secret.as_deref().map(str::as_bytes),
        "test",
        None,
    );
    let url = display_url(&args.url);
    let ok = matches!(outcome, SendOutcome::Delivered { .. });
    if args.json {
        let (status, error) = match &outcome {
            SendOutcome::Delivered { status } => (Some(*status), None),
            SendOutcome::Failed { status, error, .. } => (*status, Some(error.as_str())),
        };
        print_json(&json!({ "url": url, "ok": ok, "status": status, "error": error }))?;
    } else {
        match &outcome {
            SendOutcome::Delivered { status } => {
                anstream::println!("{} {url} answered {status}", "ok".green())
            }
            SendOutcome::Failed { error, .. } => {
                anstream::println!("{} {url}: {error}", "failed".red().bold())
            }
        }
    }
    Ok(if ok { 0 } else { 1 })
}

fn enqueue(args: &NotifyEnqueueArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let webhook = Webhook {
        name: args.webhook.clone(),
        url: args.webhook_url.clone(),
        format: args.format,
        secret_env: args.secret_env.clone(),
    };
    let rt = crate::runtime()?;
    let store = rt.block_on(open_store(global))?;
    let result = (|| {
        let notification = match args.incident {
            Some(id) => {
                let stored = rt.block_on(store.incident(id))?;
                Notification::about_incident(
                    &args.event,
                    &stored.incident,
                    Some(&args.text),
                    crate::now_rfc3339(),
                    json!({}),
                )
            }
            None => Notification {
                event: args.event.clone(),
                incident: None,
                text: args.text.clone(),
                at: crate::now_rfc3339(),
                details: json!({}),
            },
        };
        let message = crate::notify::outbox_message(
            &webhook,
            &notification,
            args.incident,
            args.dedupe_key.as_deref(),
        );
        if args.deliver {
            let round = crate::notify::enqueue_and_deliver(&store, &rt, &[message])?;
            print_round(&round, false, global.quiet)?;
            anyhow::Ok(if round.failed == 0 { 0 } else { 1 })
        } else {
            let ids = rt.block_on(store.enqueue(&[message]))?;
            match ids.first() {
                Some(id) => anstream::println!("enqueued #{id}"),
                None => anstream::println!("already enqueued (same dedupe key)"),
            }
            anyhow::Ok(0)
        }
    })();
    rt.block_on(store.close());
    result
}
