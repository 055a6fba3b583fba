//! `outbox`: no notification is stuck undelivered, or the team may never hear of an incident.

use ringfence_store::OutboxMessage;
use time::OffsetDateTime;

use super::{Check, Status, ago, count, parse_time};
use crate::notify::deliver::display_url;

pub fn outbox(pending: &[OutboxMessage], delivered: i64, now: OffsetDateTime) -> Check {
    let (failing, waiting): (Vec<&OutboxMessage>, Vec<&OutboxMessage>) =
        pending.iter().partition(|m| m.attempts > 0);
    let age = |m: &OutboxMessage| {
        parse_time(&m.created_at)
            .map(|t| format!("waiting for {}", ago(now - t)))
            .unwrap_or_else(|| format!("since {}", m.created_at))
    };
    if !failing.is_empty() {
        let details: Vec<String> = failing
            .iter()
            .map(|m| {
                let answer = m
                    .last_status
                    .map(|s| format!("last status {s}"))
                    .unwrap_or_else(|| "no answer".to_string());
                format!(
                    "#{} to {} ({}): {}, {answer}: {}; {}",
                    m.id,
                    m.webhook,
                    display_url(&m.url),
                    count(m.attempts as usize, "attempt", "attempts"),
                    m.last_error.as_deref().unwrap_or("-"),
                    age(m)
                )
            })
            .collect();
        return Check::new(
            "outbox",
            Status::Fail,
            format!(
                "{} failing, kept for retry",
                count(
                    failing.len(),
                    "undelivered notification is",
                    "undelivered notifications are"
                ),
            ),
        )
        .details(details)
        .fix("fix the receiver, then `ringfence notify deliver --all`; `ringfence notify status` lists the outbox");
    }
    if let Some(oldest) = waiting.first() {
        return Check::new(
            "outbox",
            Status::Warn,
            format!(
                "{} never sent yet, oldest {}",
                count(waiting.len(), "notification", "notifications"),
                age(oldest)
            ),
        )
        .fix("run `ringfence notify deliver` (from cron or a CI schedule)");
    }
    Check::new(
        "outbox",
        Status::Pass,
        format!("no undelivered notifications ({delivered} delivered)"),
    )
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::super::test_support::{NOW, rfc3339};
    use super::*;

    fn message(id: i64, attempts: i64, status: Option<i64>, error: Option<&str>) -> OutboxMessage {
        OutboxMessage {
            id,
            webhook: "soc".into(),
            url: "https://hooks.example.com/secret/path".into(),
            format: "json".into(),
            secret_env: None,
            body: "{}".into(),
            event: "test".into(),
            incident: None,
            created_at: rfc3339(NOW - Duration::hours(3)),
            attempts,
            next_attempt_at: 0,
            last_error: error.map(str::to_string),
            last_status: status,
            delivered_at: None,
            dedupe_key: None,
        }
    }

    #[test]
    fn a_failing_message_fails_the_outbox_check_by_name_and_status() {
        let failing = message(
            7,
            3,
            Some(500),
            Some("HTTP 500 Internal Server Error: boom"),
        );
        let check = outbox(&[message(8, 0, None, None), failing], 2, NOW);
        assert_eq!(check.status, Status::Fail);
        assert_eq!(check.details.len(), 1, "only failing messages are listed");
        assert_eq!(
            check.details[0],
            "#7 to soc (https://hooks.example.com/…): 3 attempts, last status 500: \
             HTTP 500 Internal Server Error: boom; waiting for 3 h"
        );
        assert!(!check.summary.contains("secret"), "paths stay hidden");

        let waiting = outbox(&[message(8, 0, None, None)], 2, NOW);
        assert_eq!(waiting.status, Status::Warn);
        assert_eq!(outbox(&[], 2, NOW).status, Status::Pass);
    }
}
