//! `webhooks`: each webhook answers a test ping, so the playbooks' notifications reach the team.

use ringfence_config::Config;

use super::{Check, Status, count};
use crate::notify::deliver::{SendOutcome, display_url};

/// The answer of one webhook to its test ping.
#[derive(Debug, Clone)]
pub struct Ping {
    pub webhook: String,
    pub url: String,
    pub outcome: SendOutcome,
}

/// `pings` is `None` when they were skipped (`--offline`).
pub fn webhooks(config: &Config, pings: Option<&[Ping]>) -> Check {
    if config.webhooks.is_empty() {
        return Check::new(
            "webhooks",
            Status::Warn,
            "no webhooks configured: playbooks cannot tell anyone about an incident",
        )
        .fix("add a [webhooks.NAME] with its `url` (and `secret-env`), and a `notify` step to the playbooks");
    }
    let Some(pings) = pings else {
        return Check::new(
            "webhooks",
            Status::Skip,
            format!(
                "{} not pinged (--offline)",
                count(config.webhooks.len(), "webhook", "webhooks")
            ),
        );
    };
    let line = |p: &Ping| match &p.outcome {
        SendOutcome::Delivered { status } => {
            format!("{} ({}) answered {status}", p.webhook, display_url(&p.url))
        }
        SendOutcome::Failed { error, .. } => {
            format!("{} ({}): {error}", p.webhook, display_url(&p.url))
        }
    };
    let failed: Vec<&Ping> = pings
        .iter()
        .filter(|p| !matches!(p.outcome, SendOutcome::Delivered { .. }))
        .collect();
    let details = pings.iter().map(line).collect();
    let Some(first) = failed.first() else {
        return Check::new(
            "webhooks",
            Status::Pass,
            format!(
                "{} answered the test ping",
                count(pings.len(), "webhook", "webhooks")
            ),
        )
        .details(details);
    };
    Check::new(
        "webhooks",
        Status::Fail,
        format!(
            "{} of {} did not answer the test ping with 2xx",
            failed.len(),
            count(pings.len(), "webhook", "webhooks"),
        ),
    )
    .details(details)
    .fix(format!(
        "check the receiver, the webhook's URL and its secret; `ringfence notify test --url URL --format {}` pings one",
        config
            .webhook(&first.webhook)
            .map(|w| w.format.as_str())
            .unwrap_or("json")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::parse;
    use super::*;

    #[test]
    fn webhooks_fail_on_any_non_2xx_answer_and_skip_offline() {
        let config =
            parse("[webhooks.soc]\nurl = \"https://hooks.example.com/x\"\nformat = \"slack\"\n");
        let ping = |outcome| Ping {
            webhook: "soc".into(),
            url: "https://hooks.example.com/x".into(),
            outcome,
        };
        let ok = [ping(SendOutcome::Delivered { status: 204 })];
        assert_eq!(webhooks(&config, Some(&ok)).status, Status::Pass);
        let bad = [ping(SendOutcome::Failed {
            status: Some(500),
            error: "HTTP 500 Internal Server Error".into(),
            retry_after: None,
        })];
        let check = webhooks(&config, Some(&bad));
        assert_eq!(check.status, Status::Fail);
        assert_eq!(
            check.summary,
            "1 of 1 webhook did not answer the test ping with 2xx"
        );
        assert_eq!(
            check.details,
            ["soc (https://hooks.example.com/…): HTTP 500 Internal Server Error"]
        );
        assert!(check.fix.unwrap().contains("--format slack"));
        assert_eq!(webhooks(&config, None).status, Status::Skip);
        assert_eq!(webhooks(&Config::default(), None).status, Status::Warn);
    }
}
