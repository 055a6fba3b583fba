//! The blocklist: package versions that must not be installed. `scan` fails on them and the
//! proxy refuses them. Every edit is also an event on the `blocklist` hash chain, and on the
//! incident's timeline when it is made for an incident, in the same transaction.

use ringfence_incident::{Change, Event, IncidentId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::backend::{for_each_backend, transaction};
use crate::chains::Unsealed;
use crate::incidents::{Refusal, StoredIncident};
use crate::{Store, StoreError};

/// The name of the blocklist's hash chain.
pub const BLOCKLIST_CHAIN: &str = "blocklist";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEntry {
    /// OSV ecosystem name: `npm`, `PyPI`, `crates.io`.
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub reason: String,
    pub incident: Option<IncidentId>,
    pub added_by: String,
    /// RFC 3339.
    pub added_at: String,
}

impl BlockEntry {
    /// `npm:debug@4.4.2`.
    pub fn spec(&self) -> String {
        format!("{}:{}@{}", self.ecosystem, self.name, self.version)
    }
}

/// What a `block` call changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BlockSummary {
    pub added: Vec<BlockEntry>,
    /// Already on the list (left as they were).
    pub already: Vec<BlockEntry>,
    /// The incident the edit was recorded on, as it is now.
    pub incident: Option<StoredIncident>,
}

/// One edit on the blocklist chain.
#[derive(Serialize)]
struct ChainPayload<'a> {
    ecosystem: &'a str,
    name: &'a str,
    version: &'a str,
    reason: &'a str,
    incident: Option<IncidentId>,
}

impl Store {
    /// Adds versions to the blocklist. With `incident` (its id and the version last read),
    /// each newly blocked version is also a `blocked` event on its timeline.
    pub async fn block(
        &self,
        entries: &[BlockEntry],
        incident: Option<(IncidentId, i64)>,
    ) -> Result<BlockSummary, StoreError> {
        let action = "adding to the blocklist";
        let summary = transaction!(self, action, crate::blocklist, |sql, conn| {
            match sql::block(conn, entries, incident, None).await {
                Ok(s) => s,
                Err(r) => return Err(self.refused(action, r)),
            }
        });
        Ok(summary)
    }

    /// [`Store::block`] for a playbook's `block` step: when something was newly blocked, the
    /// `playbook-step` event saying so follows the `blocked` events in the same transaction.
    pub async fn block_for_playbook(
        &self,
        entries: &[BlockEntry],
        incident: (IncidentId, i64),
        playbook: &str,
        step: &str,
    ) -> Result<BlockSummary, StoreError> {
        let action = "adding to the blocklist";
        let summary = transaction!(self, action, crate::blocklist, |sql, conn| {
            match sql::block(conn, entries, Some(incident), Some((playbook, step))).await {
                Ok(s) => s,
                Err(r) => return Err(self.refused(action, r)),
            }
        });
        Ok(summary)
    }

    /// Takes versions off the blocklist; returns those that were on it.
    pub async fn unblock(
        &self,
        keys: &[(String, String, String)],
        actor: &str,
        at: Timestamp,
        reason: &str,
        incident: Option<(IncidentId, i64)>,
    ) -> Result<Vec<BlockEntry>, StoreError> {
        let action = "removing from the blocklist";
        let removed = transaction!(self, action, crate::blocklist, |sql, conn| {
            match sql::unblock(conn, keys, actor, at, reason, incident).await {
                Ok(s) => s,
                Err(r) => return Err(self.refused(action, r)),
            }
        });
        Ok(removed)
    }

    /// The whole blocklist, sorted by ecosystem, name and version.
    pub async fn blocklist(&self) -> Result<Vec<BlockEntry>, StoreError> {
        let action = "reading the blocklist";
        let all = transaction!(self, action, crate::blocklist, |sql, conn| {
            sql::all(conn)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(all)
    }
}

type Row = (String, String, String, String, Option<i64>, String, String);

fn entry((ecosystem, name, version, reason, incident, added_by, added_at): Row) -> BlockEntry {
    BlockEntry {
        ecosystem,
        name,
        version,
        reason,
        incident: incident.map(IncidentId),
        added_by,
        added_at,
    }
}

fn chain_event(kind: &str, e: &BlockEntry, actor: &str, at: &str) -> Unsealed {
    Unsealed {
        at: at.to_string(),
        actor: actor.to_string(),
        kind: kind.to_string(),
        payload: serde_json::to_string(&ChainPayload {
            ecosystem: &e.ecosystem,
            name: &e.name,
            version: &e.version,
            reason: &e.reason,
            incident: e.incident,
        })
        .expect("serialises"),
    }
}

fn parse_time(at: &str) -> Timestamp {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map(Timestamp)
        .unwrap_or(Timestamp(time::OffsetDateTime::UNIX_EPOCH))
}

for_each_backend! {
    pub(crate) async fn all(conn: &mut Conn) -> Result<Vec<BlockEntry>, sqlx::Error> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT ecosystem, name, version, reason, incident_id, added_by, added_at FROM blocklist \
             ORDER BY ecosystem, name, version",
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    pub(crate) async fn block(
        conn: &mut Conn,
        entries: &[BlockEntry],
        incident: Option<(IncidentId, i64)>,
        playbook_step: Option<(&str, &str)>,
    ) -> Result<BlockSummary, Refusal> {
        let mut summary = BlockSummary::default();
        for e in entries {
            let inserted = sqlx::query(
                "INSERT INTO blocklist (ecosystem, name, version, reason, incident_id, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ecosystem, name, version) DO NOTHING",
            )
            .bind(&e.ecosystem)
            .bind(&e.name)
            .bind(&e.version)
            .bind(&e.reason)
            .bind(e.incident.map(|i| i.0))
            .bind(&e.added_by)
            .bind(&e.added_at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 1 {
                summary.added.push(e.clone());
            } else {
                summary.already.push(e.clone());
            }
        }
        let events: Vec<Unsealed> = summary
            .added
            .iter()
            .map(|e| chain_event("blocked", e, &e.added_by, &e.added_at))
            .collect();
        if !events.is_empty() {
            sql::chains::append(conn, BLOCKLIST_CHAIN, &events).await?;
        }
        if let Some((id, version)) = incident {
            let mut timeline: Vec<Event> = summary
                .added
                .iter()
                .map(|e| Event {
                    at: parse_time(&e.added_at),
                    actor: e.added_by.clone(),
                    change: Change::Blocked {
                        ecosystem: e.ecosystem.clone(),
                        name: e.name.clone(),
                        version: e.version.clone(),
                    },
                })
                .collect();
            if let (Some((playbook, step)), Some(last)) = (playbook_step, summary.added.last()) {
                let specs: Vec<String> = summary.added.iter().map(BlockEntry::spec).collect();
                timeline.push(Event {
                    at: parse_time(&last.added_at),
                    actor: last.added_by.clone(),
                    change: Change::PlaybookStep {
                        playbook: playbook.to_string(),
                        step: step.to_string(),
                        outcome: format!("blocked {}", specs.join(", ")),
                    },
                });
            }
            summary.incident = Some(if timeline.is_empty() {
                sql::incidents::load(conn, id).await?
            } else {
                sql::incidents::append(conn, id, version, &timeline).await?
            });
        }
        Ok(summary)
    }

    pub(crate) async fn unblock(
        conn: &mut Conn,
        keys: &[(String, String, String)],
        actor: &str,
        at: Timestamp,
        reason: &str,
        incident: Option<(IncidentId, i64)>,
    ) -> Result<Vec<BlockEntry>, Refusal> {
        let mut removed = Vec::new();
        for (ecosystem, name, version) in keys {
            let row: Option<Row> = sqlx::query_as(
                "DELETE FROM blocklist WHERE ecosystem = $1 AND name = $2 AND version = $3 \
                 RETURNING ecosystem, name, version, reason, incident_id, added_by, added_at",
            )
            .bind(ecosystem)
            .bind(name)
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(row) = row {
                removed.push(entry(row));
            }
        }
        let stamp = at.rfc3339();
        let events: Vec<Unsealed> = removed
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.reason = reason.to_string();
                chain_event("unblocked", &e, actor, &stamp)
            })
            .collect();
        if !events.is_empty() {
            sql::chains::append(conn, BLOCKLIST_CHAIN, &events).await?;
        }
        if let Some((id, version)) = incident {
            let timeline: Vec<Event> = removed
                .iter()
                .map(|e| Event {
                    at,
                    actor: actor.to_string(),
                    change: Change::Unblocked {
                        ecosystem: e.ecosystem.clone(),
                        name: e.name.clone(),
                        version: e.version.clone(),
                    },
                })
                .collect();
            if !timeline.is_empty() {
                sql::incidents::append(conn, id, version, &timeline).await?;
            }
        }
        Ok(removed)
    }
}
