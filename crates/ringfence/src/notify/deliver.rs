//! Sending what the outbox holds. A 2xx answer marks a message delivered; anything else (an
//! error status, a refused connection, a timeout, a missing secret) records the failure and
//! schedules the next attempt with exponential backoff. Nothing is ever dropped: even a 4xx,
//! which retrying rarely fixes, is retried, and `notify status` shows it with its error.
//!
//! The HTTP client is reqwest's blocking one, which runs a runtime of its own and must not be
//! created, used or dropped inside an async context. So the database work happens in
//! `rt.block_on` calls and the sending between them, never inside one.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use reqwest::blocking::Client;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use ringfence_store::{OutboxMessage, Store};
use serde::Serialize;
use tokio::runtime::Runtime;

use super::sign::{SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};

/// How long one send may take before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed message is kept from other deliverers: longer than one send.
const LEASE_SECS: i64 = 60;
/// The first retry waits this long; each further one twice as long as the last.
const FIRST_RETRY_SECS: i64 = 30;
const MAX_RETRY_SECS: i64 = 3600;
/// A bound on one run, so a huge backlog cannot keep `notify deliver` going for ever.
const MAX_PER_RUN: usize = 1000;
/// How much of an error response's body goes into `last_error`.
const ERROR_BODY_BYTES: u64 = 300;

pub const DELIVERY_HEADER: &str = "X-Ringfence-Delivery";
pub const EVENT_HEADER: &str = "X-Ringfence-Event";

/// What one send did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Delivered {
        status: u16,
    },
    Failed {
        status: Option<u16>,
        error: String,
        /// Seconds the receiver asked us to wait (`Retry-After`).
        retry_after: Option<i64>,
    },
}

/// One message's attempt in a delivery round, as reported to the user.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub id: i64,
    pub webhook: String,
    /// Scheme, host and port only: a webhook's path is often its secret.
    pub url: String,
    pub event: String,
    pub delivered: bool,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// RFC 3339, for a failed attempt.
    pub next_attempt_at: Option<String>,
}

/// What a delivery round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryRound {
    pub delivered: usize,
    pub failed: usize,
    pub attempts: Vec<Attempt>,
}

/// Sends webhook requests. Create it outside any async context.
pub struct Sender {
    client: Client,
}

impl Sender {
    pub fn new() -> anyhow::Result<Sender> {
        let client = Client::builder()
            .timeout(SEND_TIMEOUT)
            // A redirected POST may turn into a GET and lose its body: report it instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ringfence/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot set up the HTTP client for webhooks")?;
        Ok(Sender { client })
    }

    /// POSTs `body` to `url`, signed with `secret` when there is one.
    pub fn send(
        &self,
        url: &str,
        body: &str,
        secret: Option<&[u8]>,
        event: &str,
        delivery: Option<i64>,
    ) -> SendOutcome {
        let timestamp = now_unix();
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(EVENT_HEADER, event)
            .body(body.to_string());
        if let Some(secret) = secret {
            request = request.header(
                SIGNATURE_HEADER,
                signature(secret, timestamp, body.as_bytes()),
            );
        }
        if let Some(id) = delivery {
            request = request.header(DELIVERY_HEADER, id.to_string());
        }
        match request.send() {
            Ok(response) if response.status().is_success() => SendOutcome::Delivered {
                status: response.status().as_u16(),
            },
            Ok(response) => refused(response),
            Err(e) => SendOutcome::Failed {
                status: None,
                // Without the URL: its path may be the webhook's secret.
                error: error_chain(&e.without_url()),
                retry_after: None,
            },
        }
    }

    /// Sends one outbox message, reading its secret from the environment now.
    pub fn send_message(&self, m: &OutboxMessage) -> SendOutcome {
        let target = Target {
            url: &m.url,
            secret_env: m.secret_env.as_deref(),
        };
        self.send_to(&target, &m.body, &m.event, Some(m.id), "sent")
    }

    /// Sends to a webhook as configured: its URL (an `env:NAME` one read from the
    /// environment now, so it is stored nowhere) and its signing secret, both read here.
    /// A missing variable fails the send ("not `verb`"): never sent unsigned or guessed.
    pub fn send_to(
        &self,
        target: &Target<'_>,
        body: &str,
        event: &str,
        delivery: Option<i64>,
        verb: &str,
    ) -> SendOutcome {
        let failed = |error: String| SendOutcome::Failed {
            status: None,
            error,
            retry_after: None,
        };
        let secret = match target.secret_env {
            None => None,
            Some(var) => match std::env::var(var) {
                Ok(s) if !s.is_empty() => Some(s),
                _ => {
                    return failed(format!(
                        "the signing secret variable {var} is not set here; not {verb} unsigned"
                    ));
                }
            },
        };
        let url = match ringfence_config::resolve_url(target.url) {
            Ok(url) => url,
            Err(error) => return failed(format!("{error}; not {verb}")),
        };
        self.send(
            &url,
            body,
            secret.as_deref().map(str::as_bytes),
            event,
            delivery,
        )
    }
}

/// A webhook as stored: its URL (or `env:NAME`) and the variable holding its secret.
pub struct Target<'a> {
    pub url: &'a str,
    pub secret_env: Option<&'a str>,
}

/// A non-2xx answer: why, in a line, with the start of the receiver's explanation.
fn refused(mut response: reqwest::blocking::Response) -> SendOutcome {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|s| *s >= 0);
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut text = Vec::new();
    let _ = (&mut response)
        .take(ERROR_BODY_BYTES)
        .read_to_end(&mut text);
    let said = String::from_utf8_lossy(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let code = status.as_u16();
    let mut error = format!("HTTP {status}");
    if !said.is_empty() {
        error.push_str(&format!(": {said}"));
    }
    if status.is_redirection() {
        let to = location.map(|l| display_url(&l)).unwrap_or_default();
        error.push_str(&format!(
            " (the receiver redirects {to}; point the webhook at the new URL; retried anyway, never dropped)"
        ));
    } else if status.is_client_error() && code != 408 && code != 429 {
        error.push_str(
            " (the receiver rejected the request: check the webhook's URL, format and secret; retried anyway, never dropped)",
        );
    }
    SendOutcome::Failed {
        status: Some(code),
        error,
        retry_after,
    }
}

/// An error and its causes on one line, without repeats.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Seconds until the next attempt after `attempts` failures: 30 s, 60 s, 120 s... capped at an
/// hour, plus up to a tenth more so that many failed messages do not all retry together.
/// `random` is any random number.
pub fn backoff_secs(attempts: i64, random: u64) -> i64 {
    let doublings = attempts.saturating_sub(1).clamp(0, 16) as u32;
    let base = (FIRST_RETRY_SECS << doublings).min(MAX_RETRY_SECS);
    let jitter = (random % (base as u64 / 10 + 1)) as i64;
    base + jitter
}

/// Delivers every message due now (with `all`, every pending message, whatever its backoff).
/// Must be called outside `rt`'s async context.
pub fn deliver_due(store: &Store, rt: &Runtime, all: bool) -> anyhow::Result<DeliveryRound> {
    let sender = Sender::new()?;
    let started = now_unix();
    if all {
        rt.block_on(store.reschedule_pending(started))?;
    }
    let mut round = DeliveryRound::default();
    // One message at a time: its lease then only has to outlast one send.
    while round.attempts.len() < MAX_PER_RUN {
        let claimed = rt.block_on(store.claim_due(started, now_unix() + LEASE_SECS, 1))?;
        let Some(message) = claimed.into_iter().next() else {
            break;
        };
        let outcome = sender.send_message(&message);
        round.attempts.push(record(store, rt, &message, outcome)?);
    }
    round.delivered = round.attempts.iter().filter(|a| a.delivered).count();
    round.failed = round.attempts.len() - round.delivered;
    Ok(round)
}

/// Writes the outcome of one send to the outbox.
fn record(
    store: &Store,
    rt: &Runtime,
    m: &OutboxMessage,
    outcome: SendOutcome,
) -> anyhow::Result<Attempt> {
    let mut attempt = Attempt {
        id: m.id,
        webhook: m.webhook.clone(),
        url: display_url(&m.url),
        event: m.event.clone(),
        delivered: false,
        status: None,
        error: None,
        attempts: m.attempts + 1,
        next_attempt_at: None,
    };
    match outcome {
        SendOutcome::Delivered { status } => {
            rt.block_on(store.mark_delivered(m.id, i64::from(status), &crate::now_rfc3339()))
                .with_context(|| format!("message {} was sent but could not be marked delivered; it will be sent again", m.id))?;
            attempt.delivered = true;
            attempt.status = Some(status);
        }
        SendOutcome::Failed {
            status,
            error,
            retry_after,
        } => {
            let mut wait = backoff_secs(attempt.attempts, random());
            if let Some(asked) = retry_after {
                wait = wait.max(asked.min(MAX_RETRY_SECS));
            }
            let next = now_unix() + wait;
            rt.block_on(store.mark_failed(m.id, status.map(i64::from), &error, next))?;
            attempt.status = status;
            attempt.error = Some(error);
            attempt.next_attempt_at = Some(unix_rfc3339(next));
        }
    }
    Ok(attempt)
}

/// `https://hooks.example.com/…`: the origin, with the path (often a secret) elided.
pub fn display_url(url: &str) -> String {
    if url.starts_with(ringfence_config::URL_ENV_PREFIX) {
        return url.to_string();
    }
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let origin = u.origin().ascii_serialization();
            if u.path() == "/" && u.query().is_none() {
                origin
            } else {
                format!("{origin}/…")
            }
        }
        Err(_) => "(not a valid URL)".to_string(),
    }
}

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn unix_rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

fn random() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_30_seconds_to_an_hour_with_a_little_jitter() {
        assert_eq!(backoff_secs(1, 0), 30);
        assert_eq!(backoff_secs(2, 0), 60);
        assert_eq!(backoff_secs(3, 0), 120);
        assert_eq!(backoff_secs(7, 0), 1920);
        assert_eq!(backoff_secs(8, 0), 3600);
        assert_eq!(backoff_secs(1000, 0), 3600);
        assert_eq!(backoff_secs(0, 0), 30, "never sooner than the first retry");
        for r in [1u64, 7, 999, u64::MAX] {
            let b = backoff_secs(1, r);
            assert!((30..=33).contains(&b), "{b}");
            let b = backoff_secs(50, r);
            assert!((3600..=3960).contains(&b), "{b}");
        }
        assert_ne!(
            (0..20)
                .map(|_| backoff_secs(5, random()))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            1,
            "jitter spreads retries"
        );
    }

    #[test]
    fn urls_are_shown_without_their_path() {
        assert_eq!(
            display_url("https://hooks.example.com/services/T0/B0/secret"),
            "https://hooks.example.com/…"
        );
        assert_eq!(
            display_url("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(display_url("not a url"), "(not a valid URL)");
    }
}
