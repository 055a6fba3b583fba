//! The webhook outbox (migration 0003): notifications are written here first and sent
//! afterwards, so a receiver that is down loses nothing. A failed send stays with its error
//! and the time of its next attempt; undelivered rows are never deleted.
//!
//! Sending is at least once. [`Store::claim_due`] leases the messages it returns by moving
//! their next attempt to the end of the lease, so two deliverers running at once do not send
//! the same message twice, and a deliverer that dies mid-send leaves the message due again
//! once its lease runs out.

use ringfence_incident::IncidentId;
use serde::Serialize;

use crate::backend::{for_each_backend, transaction};
use crate::{Store, StoreError};

/// A notification to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The webhook's name, as configured (`security-slack`).
    pub webhook: String,
    pub url: String,
    /// The body format: `json` or `slack`.
    pub format: String,
    /// The environment variable that holds the signing secret; the secret is never stored.
    pub secret_env: Option<String>,
    /// The exact bytes to send.
    pub body: String,
    /// What happened: `incident.opened`, `stage.advanced`, `test`...
    pub event: String,
    pub incident: Option<IncidentId>,
    /// RFC 3339.
    pub created_at: String,
    /// Unix seconds; usually the time of enqueuing, so it is due at once.
    pub next_attempt_at: i64,
    /// Enqueuing a second message with the same key does nothing.
    pub dedupe_key: Option<String>,
}

/// A notification as stored, with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub webhook: String,
    pub url: String,
    pub format: String,
    pub secret_env: Option<String>,
    pub body: String,
    pub event: String,
    pub incident: Option<IncidentId>,
    pub created_at: String,
    /// Sends tried so far, failed or not.
    pub attempts: i64,
    /// Unix seconds.
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// The HTTP status of the last attempt, if the receiver answered.
    pub last_status: Option<i64>,
    /// RFC 3339; `None` while undelivered.
    pub delivered_at: Option<String>,
    pub dedupe_key: Option<String>,
}

/// Counts for `doctor` and `notify status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxStatus {
    /// Not yet delivered.
    pub pending: i64,
    /// Not yet delivered, and at least one attempt failed.
    pub failing: i64,
    pub delivered: i64,
    /// `created_at` of the oldest undelivered message.
    pub oldest_pending: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    webhook: String,
    url: String,
    format: String,
    secret_env: Option<String>,
    body: String,
    event: String,
    incident_id: Option<i64>,
    created_at: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    last_status: Option<i64>,
    delivered_at: Option<String>,
    dedupe_key: Option<String>,
}

impl From<Row> for OutboxMessage {
    fn from(r: Row) -> OutboxMessage {
        OutboxMessage {
            id: r.id,
            webhook: r.webhook,
            url: r.url,
            format: r.format,
            secret_env: r.secret_env,
            body: r.body,
            event: r.event,
            incident: r.incident_id.map(IncidentId),
            created_at: r.created_at,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            last_status: r.last_status,
            delivered_at: r.delivered_at,
            dedupe_key: r.dedupe_key,
        }
    }
}

const COLUMNS: &str = "id, webhook, url, format, secret_env, body, event, incident_id, created_at, \
    attempts, next_attempt_at, last_error, last_status, delivered_at, dedupe_key";

impl Store {
    /// Adds messages to the outbox in one transaction. Returns the ids of the rows added, in
    /// order; a message whose `dedupe_key` is already in the outbox is skipped.
    pub async fn enqueue(&self, messages: &[NewMessage]) -> Result<Vec<i64>, StoreError> {
        let action = "adding to the webhook outbox";
        let ids = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::enqueue(conn, messages)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(ids)
    }

    /// Undelivered messages whose next attempt is at or before `now` (unix seconds), oldest
    /// attempt first. Only reads: a deliverer uses [`Store::claim_due`].
    pub async fn due(&self, now: i64, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
        let action = "reading the webhook outbox";
        let rows = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::due(conn, now, limit)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(rows)
    }

    /// Like [`Store::due`], but leases what it returns: their next attempt moves to
    /// `lease_until`, so no other deliverer picks them up meanwhile. Recording the outcome
    /// with [`Store::mark_delivered`] or [`Store::mark_failed`] ends the lease.
    pub async fn claim_due(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let action = "claiming due webhook messages";
        let rows = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::claim_due(conn, now, lease_until, limit)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(rows)
    }

    /// Makes every undelivered message due at `now`, whatever its backoff: an operator's
    /// "retry everything". Returns how many were rescheduled. This also ends the lease of a
    /// message another deliverer is sending right now, which may then arrive twice.
    pub async fn reschedule_pending(&self, now: i64) -> Result<u64, StoreError> {
        let action = "rescheduling webhook messages";
        let n = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::reschedule_pending(conn, now)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(n)
    }

    /// Records a successful send (`at` is RFC 3339). False if the message was already
    /// delivered or does not exist.
    pub async fn mark_delivered(&self, id: i64, status: i64, at: &str) -> Result<bool, StoreError> {
        let action = "recording a webhook delivery";
        let changed = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::mark_delivered(conn, id, status, at)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(changed)
    }

    /// Records a failed send and when to try again (unix seconds). The message stays in the
    /// outbox. False if it was already delivered or does not exist.
    pub async fn mark_failed(
        &self,
        id: i64,
        status: Option<i64>,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<bool, StoreError> {
        let action = "recording a failed webhook delivery";
        let changed = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::mark_failed(conn, id, status, error, next_attempt_at)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(changed)
    }

    /// Every undelivered message, oldest first, with its attempts and last error.
    pub async fn pending(&self) -> Result<Vec<OutboxMessage>, StoreError> {
        let action = "reading the webhook outbox";
        let rows = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::pending(conn)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(rows)
    }

    /// One message by id, delivered or not.
    pub async fn outbox_message(&self, id: i64) -> Result<Option<OutboxMessage>, StoreError> {
        let action = "reading the webhook outbox";
        let row = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::one(conn, id)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(row)
    }

    /// How many messages are pending, failing and delivered.
    pub async fn outbox_status(&self) -> Result<OutboxStatus, StoreError> {
        let action = "reading the webhook outbox";
        let status = transaction!(self, action, crate::outbox, |sql, conn| {
            sql::status(conn)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(status)
    }
}

for_each_backend! {
    pub(crate) async fn enqueue(conn: &mut Conn, messages: &[NewMessage]) -> Result<Vec<i64>, sqlx::Error> {
        let mut ids = Vec::with_capacity(messages.len());
        for m in messages {
            let id: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO outbox (webhook, url, format, secret_env, body, event, incident_id, \
                 created_at, attempts, next_attempt_at, dedupe_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10) \
                 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            )
            .bind(&m.webhook)
            .bind(&m.url)
            .bind(&m.format)
            .bind(&m.secret_env)
            .bind(&m.body)
            .bind(&m.event)
            .bind(m.incident.map(|i| i.0))
            .bind(&m.created_at)
            .bind(m.next_attempt_at)
            .bind(&m.dedupe_key)
            .fetch_optional(&mut *conn)
            .await?;
            ids.extend(id.map(|(id,)| id));
        }
        Ok(ids)
    }

    pub(crate) async fn due(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.into_iter().map(OutboxMessage::from).collect())
    }

    pub(crate) async fn claim_due(
        conn: &mut Conn,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, sqlx::Error> {
        // The outer conditions are checked again on PostgreSQL after a concurrent claimer's
        // lock is released, so a row another deliverer just leased is skipped.
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "UPDATE outbox SET next_attempt_at = $2 \
             WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND id IN ( \
                 SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $3) \
             RETURNING {COLUMNS}"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        let mut messages: Vec<OutboxMessage> = rows.into_iter().map(OutboxMessage::from).collect();
        messages.sort_by_key(|m| m.id);
        Ok(messages)
    }

    pub(crate) async fn reschedule_pending(conn: &mut Conn, now: i64) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 WHERE delivered_at IS NULL AND next_attempt_at > $1",
        )
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected())
    }

    pub(crate) async fn mark_delivered(conn: &mut Conn, id: i64, status: i64, at: &str) -> Result<bool, sqlx::Error> {
        let n = sqlx::query(
            "UPDATE outbox SET delivered_at = $3, last_status = $2, last_error = NULL, \
             attempts = attempts + 1 WHERE id = $1 AND delivered_at IS NULL",
        )
        .bind(id)
        .bind(status)
        .bind(at)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub(crate) async fn mark_failed(
        conn: &mut Conn,
        id: i64,
        status: Option<i64>,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<bool, sqlx::Error> {
        let n = sqlx::query(
            "UPDATE outbox SET last_status = $2, last_error = $3, next_attempt_at = $4, \
             attempts = attempts + 1 WHERE id = $1 AND delivered_at IS NULL",
        )
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(next_attempt_at)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub(crate) async fn pending(conn: &mut Conn) -> Result<Vec<OutboxMessage>, sqlx::Error> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE delivered_at IS NULL ORDER BY id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.into_iter().map(OutboxMessage::from).collect())
    }

    pub(crate) async fn one(conn: &mut Conn, id: i64) -> Result<Option<OutboxMessage>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(OutboxMessage::from))
    }

    pub(crate) async fn status(conn: &mut Conn) -> Result<OutboxStatus, sqlx::Error> {
        // SUM over no rows is NULL, and PostgreSQL's SUM of BIGINT is NUMERIC: count instead.
        let (pending, failing, delivered): (i64, i64, i64) = sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL), \
               (SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND attempts > 0), \
               (SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL)",
        )
        .fetch_one(&mut *conn)
        .await?;
        let oldest: Option<(String,)> = sqlx::query_as(
            "SELECT created_at FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await?;
        Ok(OutboxStatus { pending, failing, delivered, oldest_pending: oldest.map(|(c,)| c) })
    }
}
