//! The webhook outbox on both backends: idempotent enqueuing, what is due, failures that stay
//! pending with their error, leases that keep two deliverers apart, and durability.

#[macro_use]
mod common;

use common::TestDb;
use ringfence_incident::IncidentId;
use ringfence_store::{NewMessage, OutboxStatus};

on_both_backends!(
    enqueue_with_the_same_dedupe_key_is_a_no_op,
    due_follows_next_attempt_at,
    a_failed_message_stays_pending_with_its_error,
    a_claimed_message_is_leased_to_one_deliverer,
    concurrent_claims_never_share_a_message,
    reschedule_makes_every_pending_message_due,
    the_outbox_survives_a_reopen,
);

fn message(text: &str, next_attempt_at: i64, dedupe_key: Option<&str>) -> NewMessage {
    NewMessage {
        webhook: "security".into(),
        url: "http://127.0.0.1:9/hook".into(),
        format: "json".into(),
        secret_env: Some("RINGFENCE_WEBHOOK_SECRET".into()),
        body: format!(r#"{{"text":"{text}"}}"#),
        event: "incident.opened".into(),
        incident: Some(IncidentId(7)),
        created_at: "2026-11-28T09:00:00+01:00".into(),
        next_attempt_at,
        dedupe_key: dedupe_key.map(str::to_string),
    }
}

async fn enqueue_with_the_same_dedupe_key_is_a_no_op(db: &TestDb) {
    let s = &db.store;
    let first = s
        .enqueue(&[
            message("a", 100, Some("INC-7/opened/security")),
            message("a again", 100, Some("INC-7/opened/security")),
            message("no key", 100, None),
            message("no key either", 100, None),
        ])
        .await
        .unwrap();
    assert_eq!(first.len(), 3, "one duplicate skipped: {first:?}");
    let again = s
        .enqueue(&[message("a", 100, Some("INC-7/opened/security"))])
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    let pending = s.pending().await.unwrap();
    let bodies: Vec<&str> = pending.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            r#"{"text":"a"}"#,
            r#"{"text":"no key"}"#,
            r#"{"text":"no key either"}"#
        ]
    );
    let stored = &pending[0];
    assert_eq!(stored.id, first[0]);
    assert_eq!(stored.incident, Some(IncidentId(7)));
    assert_eq!(
        stored.secret_env.as_deref(),
        Some("RINGFENCE_WEBHOOK_SECRET")
    );
    assert_eq!(stored.attempts, 0);
    assert_eq!(stored.delivered_at, None);
}

async fn due_follows_next_attempt_at(db: &TestDb) {
    let s = &db.store;
    let ids = s
        .enqueue(&[message("later", 200, None), message("sooner", 100, None)])
        .await
        .unwrap();
    assert!(s.due(99, 10).await.unwrap().is_empty());
    let at_150: Vec<i64> = s.due(150, 10).await.unwrap().iter().map(|m| m.id).collect();
    assert_eq!(at_150, [ids[1]]);
    let at_200: Vec<i64> = s.due(200, 10).await.unwrap().iter().map(|m| m.id).collect();
    assert_eq!(at_200, [ids[1], ids[0]], "soonest first");
    assert_eq!(s.due(200, 1).await.unwrap().len(), 1, "limit");
}

async fn a_failed_message_stays_pending_with_its_error(db: &TestDb) {
    let s = &db.store;
    let id = s.enqueue(&[message("a", 100, None)]).await.unwrap()[0];
    assert!(
        s.mark_failed(id, Some(500), "HTTP 500: upstream broke", 160)
            .await
            .unwrap()
    );
    assert!(s.due(159, 10).await.unwrap().is_empty(), "backing off");
    let pending = s.pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    let m = &pending[0];
    assert_eq!(
        (m.attempts, m.last_status, m.next_attempt_at),
        (1, Some(500), 160)
    );
    assert_eq!(m.last_error.as_deref(), Some("HTTP 500: upstream broke"));
    assert_eq!(
        s.outbox_status().await.unwrap(),
        OutboxStatus {
            pending: 1,
            failing: 1,
            delivered: 0,
            oldest_pending: Some("2026-11-28T09:00:00+01:00".into()),
        }
    );

    assert!(
        s.mark_failed(id, None, "connection refused", 220)
            .await
            .unwrap()
    );
    let m = s.outbox_message(id).await.unwrap().unwrap();
    assert_eq!((m.attempts, m.last_status), (2, None));

    assert!(
        s.mark_delivered(id, 204, "2026-11-28T09:05:00+01:00")
            .await
            .unwrap()
    );
    let m = s.outbox_message(id).await.unwrap().unwrap();
    assert_eq!(m.attempts, 3);
    assert_eq!(m.last_status, Some(204));
    assert_eq!(m.last_error, None);
    assert_eq!(m.delivered_at.as_deref(), Some("2026-11-28T09:05:00+01:00"));
    assert!(s.pending().await.unwrap().is_empty());
    assert!(s.due(i64::MAX, 10).await.unwrap().is_empty());
    assert!(
        !s.mark_delivered(id, 200, "2026-11-28T09:06:00+01:00")
            .await
            .unwrap(),
        "delivered once"
    );
    assert!(
        !s.mark_failed(id, Some(500), "late", 999).await.unwrap(),
        "a delivered message is not failed again"
    );
    assert_eq!(
        s.outbox_status().await.unwrap(),
        OutboxStatus {
            pending: 0,
            failing: 0,
            delivered: 1,
            oldest_pending: None,
        }
    );
}

async fn a_claimed_message_is_leased_to_one_deliverer(db: &TestDb) {
    let s = &db.store;
    let ids = s
        .enqueue(&[message("a", 100, None), message("b", 100, None)])
        .await
        .unwrap();
    let claimed = s.claim_due(100, 160, 1).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, ids[0]);
    let second = s.claim_due(100, 160, 10).await.unwrap();
    assert_eq!(
        second.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[1]],
        "the leased message is not handed out again"
    );
    assert!(s.claim_due(159, 220, 10).await.unwrap().is_empty());
    // A deliverer that died mid-send: once the lease runs out the message is due again.
    assert_eq!(s.claim_due(160, 220, 10).await.unwrap().len(), 2);
    assert_eq!(
        s.pending().await.unwrap().len(),
        2,
        "claiming never delivers"
    );
}

async fn concurrent_claims_never_share_a_message(db: &TestDb) {
    let texts: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
    let messages: Vec<NewMessage> = texts.iter().map(|t| message(t, 100, None)).collect();
    db.store.enqueue(&messages).await.unwrap();
    let (a, b) = (db.reopen().await, db.reopen().await);
    let claim_all = |store: ringfence_store::Store| async move {
        let mut ids = Vec::new();
        loop {
            let batch = store.claim_due(100, 1000, 3).await.unwrap();
            if batch.is_empty() {
                break ids;
            }
            ids.extend(batch.into_iter().map(|m| m.id));
        }
    };
    let (from_a, from_b) = tokio::join!(tokio::spawn(claim_all(a)), tokio::spawn(claim_all(b)));
    let mut all = from_a.unwrap();
    all.extend(from_b.unwrap());
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40, "every message claimed");
    assert_eq!(total, 40, "no message claimed twice");
}

async fn reschedule_makes_every_pending_message_due(db: &TestDb) {
    let s = &db.store;
    let ids = s
        .enqueue(&[
            message("a", 100, None),
            message("b", 5000, None),
            message("c", 9000, None),
        ])
        .await
        .unwrap();
    s.mark_delivered(ids[2], 200, "2026-11-28T09:05:00+01:00")
        .await
        .unwrap();
    assert_eq!(s.reschedule_pending(300).await.unwrap(), 1, "only b moves");
    let due: Vec<i64> = s.due(300, 10).await.unwrap().iter().map(|m| m.id).collect();
    assert_eq!(due, [ids[0], ids[1]]);
    let c = s.outbox_message(ids[2]).await.unwrap().unwrap();
    assert!(
        c.delivered_at.is_some(),
        "a delivered message stays delivered"
    );
}

async fn the_outbox_survives_a_reopen(db: &TestDb) {
    let id = db.store.enqueue(&[message("a", 100, None)]).await.unwrap()[0];
    db.store
        .mark_failed(id, Some(503), "HTTP 503", 130)
        .await
        .unwrap();
    db.store.close().await;
    let again = db.reopen().await;
    let pending = again.pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].last_status, Some(503));
    assert_eq!(again.outbox_message(id + 1000).await.unwrap(), None);
}
