//! Incidents: opening, reading, and appending to their timelines. Every write is one
//! transaction that seals the new events onto the incident's chain and stores the replayed
//! record with its version moved on by one; a write against an older version is refused.

use ringfence_incident::{Change, Event, EventRecord, Incident, IncidentId, Stage};
use serde::Serialize;

use crate::backend::{for_each_backend, transaction};
use crate::chains::Unsealed;
use crate::{Store, StoreError};

/// An incident as stored, with the version a later write must name.
#[derive(Debug, Clone, Serialize)]
pub struct StoredIncident {
    #[serde(flatten)]
    pub incident: Incident,
    pub version: i64,
}

/// What opening an incident did.
#[derive(Debug, Clone)]
pub enum Opened {
    New(Box<StoredIncident>),
    /// A package it would claim already has an open incident: join that one instead.
    AlreadyOpen {
        incident: IncidentId,
        ecosystem: String,
        name: String,
    },
}

/// Why a write inside a transaction stopped; mapped to [`StoreError`] outside it.
#[derive(Debug)]
pub(crate) enum Refusal {
    Sql(sqlx::Error),
    NotFound(IncidentId),
    Stale {
        id: IncidentId,
        expected: i64,
        actual: i64,
    },
    Invalid {
        id: IncidentId,
        reason: String,
    },
    Corrupt {
        what: String,
        reason: String,
    },
    AlreadyOpen {
        incident: IncidentId,
        ecosystem: String,
        name: String,
    },
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Refusal {
        Refusal::Sql(e)
    }
}

impl Store {
    pub(crate) fn refused(&self, action: &'static str, r: Refusal) -> StoreError {
        match r {
            Refusal::Sql(e) => self.query_error(action, e),
            Refusal::NotFound(id) => StoreError::IncidentNotFound { id: id.to_string() },
            Refusal::Stale {
                id,
                expected,
                actual,
            } => StoreError::Stale {
                id: id.to_string(),
                expected,
                actual,
            },
            Refusal::Invalid { id, reason } => StoreError::InvalidChange {
                id: id.to_string(),
                reason,
            },
            Refusal::Corrupt { what, reason } => StoreError::Corrupt {
                location: self.location.to_string(),
                what,
                reason,
            },
            Refusal::AlreadyOpen {
                incident,
                ecosystem,
                name,
            } => StoreError::AlreadyClaimed {
                holder: incident.to_string(),
                ecosystem,
                name,
            },
        }
    }

    /// Opens an incident from its first events (the first must be `opened`), claiming the
    /// given (ecosystem, name) packages. If another open incident holds a claim, nothing is
    /// written and [`Opened::AlreadyOpen`] names it.
    pub async fn open_incident(
        &self,
        events: &[Event],
        claims: &[(String, String)],
    ) -> Result<Opened, StoreError> {
        let action = "opening an incident";
        let stored = transaction!(self, action, crate::incidents, |sql, conn| {
            // Returning from inside drops the transaction: nothing is written.
            match sql::open(conn, events, claims).await {
                Ok(stored) => stored,
                Err(Refusal::AlreadyOpen {
                    incident,
                    ecosystem,
                    name,
                }) => {
                    return Ok(Opened::AlreadyOpen {
                        incident,
                        ecosystem,
                        name,
                    });
                }
                Err(r) => return Err(self.refused(action, r)),
            }
        });
        Ok(Opened::New(Box::new(stored)))
    }

    /// The incident with this id.
    pub async fn incident(&self, id: IncidentId) -> Result<StoredIncident, StoreError> {
        let action = "reading an incident";
        let found = transaction!(self, action, crate::incidents, |sql, conn| {
            sql::load(conn, id).await
        });
        found.map_err(|r| self.refused(action, r))
    }

    /// Every incident, newest first; closed ones only when asked.
    pub async fn incidents(&self, include_closed: bool) -> Result<Vec<StoredIncident>, StoreError> {
        let action = "listing incidents";
        let all = transaction!(self, action, crate::incidents, |sql, conn| {
            sql::list(conn, include_closed).await
        });
        all.map_err(|r| self.refused(action, r))
    }

    /// Appends events to an incident's timeline, if it is still at `expected_version`.
    pub async fn append(
        &self,
        id: IncidentId,
        expected_version: i64,
        events: &[Event],
    ) -> Result<StoredIncident, StoreError> {
        let action = "updating an incident";
        let result = transaction!(self, action, crate::incidents, |sql, conn| {
            match sql::append(conn, id, expected_version, events).await {
                Ok(stored) => stored,
                Err(r) => return Err(self.refused(action, r)),
            }
        });
        Ok(result)
    }

    /// The incident's timeline as stored, hashes and all.
    pub async fn timeline(&self, id: IncidentId) -> Result<Vec<EventRecord>, StoreError> {
        let action = "reading a timeline";
        let records = transaction!(self, action, crate::incidents, |sql, conn| {
            sql::load(conn, id)
                .await
                .map_err(|r| self.refused(action, r))?;
            sql::timeline(conn, id)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(records)
    }
}

fn parse_state(id: IncidentId, state: &str) -> Result<Incident, Refusal> {
    serde_json::from_str(state).map_err(|e| Refusal::Corrupt {
        what: format!("the stored record of {id}"),
        reason: e.to_string(),
    })
}

fn stored_columns(
    incident: &Incident,
) -> (String, &'static str, Option<&'static str>, &'static str) {
    (
        serde_json::to_string(incident).expect("an incident always serialises"),
        incident.kind.as_str(),
        incident.severity.map(|s| s.as_str()),
        incident.stage.as_str(),
    )
}

for_each_backend! {
    pub(crate) async fn open(
        conn: &mut Conn,
        events: &[Event],
        claims: &[(String, String)],
    ) -> Result<StoredIncident, Refusal> {
        let first = events.first().ok_or(Refusal::Invalid {
            id: IncidentId(0),
            reason: "an incident needs an `opened` event".into(),
        })?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO incidents (version, title, type, severity, stage, opened_at, updated_at, state) \
             VALUES (1, '', '', NULL, 'identification', $1, $1, '{}') RETURNING id",
        )
        .bind(first.at.rfc3339())
        .fetch_one(&mut *conn)
        .await?;
        let id = IncidentId(id);
        let incident = Incident::replay(id, events).map_err(|e| Refusal::Invalid {
            id,
            reason: e.to_string(),
        })?;
        for (ecosystem, name) in claims {
            claim(conn, id, ecosystem, name).await?;
        }
        let unsealed: Vec<Unsealed> = events.iter().map(Unsealed::from_event).collect();
        sql::chains::append(conn, &id.to_string(), &unsealed).await?;
        save(conn, &incident, &events[events.len() - 1]).await?;
        Ok(StoredIncident { incident, version: 1 })
    }

    /// Claims a package for an open incident; refuses if another open incident holds it.
    pub(crate) async fn claim(
        conn: &mut Conn,
        id: IncidentId,
        ecosystem: &str,
        name: &str,
    ) -> Result<(), Refusal> {
        sqlx::query(
            "INSERT INTO open_package_claims (ecosystem, name, incident_id) VALUES ($1, $2, $3) \
             ON CONFLICT (ecosystem, name) DO NOTHING",
        )
        .bind(ecosystem)
        .bind(name)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
        let (holder,): (i64,) = sqlx::query_as(
            "SELECT incident_id FROM open_package_claims WHERE ecosystem = $1 AND name = $2",
        )
        .bind(ecosystem)
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
        if holder != id.0 {
            return Err(Refusal::AlreadyOpen {
                incident: IncidentId(holder),
                ecosystem: ecosystem.to_string(),
                name: name.to_string(),
            });
        }
        Ok(())
    }

    async fn save(conn: &mut Conn, incident: &Incident, last: &Event) -> Result<(), Refusal> {
        let (state, kind, severity, stage) = stored_columns(incident);
        sqlx::query(
            "UPDATE incidents SET title = $2, type = $3, severity = $4, stage = $5, \
             updated_at = $6, state = $7 WHERE id = $1",
        )
        .bind(incident.id.0)
        .bind(&incident.title)
        .bind(kind)
        .bind(severity)
        .bind(stage)
        .bind(last.at.rfc3339())
        .bind(state)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(crate) async fn load(conn: &mut Conn, id: IncidentId) -> Result<StoredIncident, Refusal> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT version, state FROM incidents WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?;
        let (version, state) = row.ok_or(Refusal::NotFound(id))?;
        Ok(StoredIncident {
            incident: parse_state(id, &state)?,
            version,
        })
    }

    pub(crate) async fn list(conn: &mut Conn, include_closed: bool) -> Result<Vec<StoredIncident>, Refusal> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, version, state FROM incidents WHERE ($1 OR stage <> 'closed') ORDER BY id DESC",
        )
        .bind(include_closed)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|(id, version, state)| {
                Ok(StoredIncident {
                    incident: parse_state(IncidentId(id), &state)?,
                    version,
                })
            })
            .collect()
    }

    /// Applies and seals `events` if the incident is still at `expected`.
    pub(crate) async fn append(
        conn: &mut Conn,
        id: IncidentId,
        expected: i64,
        events: &[Event],
    ) -> Result<StoredIncident, Refusal> {
        // The update comes first: it takes the row's write lock, so the version check and
        // the write cannot be split by another writer.
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE incidents SET version = version + 1 WHERE id = $1 AND version = $2 RETURNING state",
        )
        .bind(id.0)
        .bind(expected)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((state,)) = row else {
            let actual: Option<(i64,)> = sqlx::query_as("SELECT version FROM incidents WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?;
            return Err(match actual {
                None => Refusal::NotFound(id),
                Some((actual,)) => Refusal::Stale { id, expected, actual },
            });
        };
        let mut incident = parse_state(id, &state)?;
        let Some(last) = events.last() else {
            return Err(Refusal::Invalid { id, reason: "nothing to record".into() });
        };
        for event in events {
            incident.apply(event).map_err(|e| Refusal::Invalid { id, reason: e.reason })?;
            match &event.change {
                Change::PackageAffected { ecosystem, name, .. } => {
                    claim(conn, id, ecosystem, name).await?;
                }
                // Re-opened after closing: its packages are claimed again, so the next finding
                // joins it. Another incident opened for one of them meanwhile refuses this.
                Change::Reopened { from: Stage::Closed, .. } => {
                    for p in &incident.packages {
                        claim(conn, id, &p.ecosystem, &p.name).await?;
                    }
                }
                Change::StageAdvanced { to: Stage::Closed, .. } => {
                    sqlx::query("DELETE FROM open_package_claims WHERE incident_id = $1")
                        .bind(id.0)
                        .execute(&mut *conn)
                        .await?;
                }
                _ => {}
            }
        }
        let unsealed: Vec<Unsealed> = events.iter().map(Unsealed::from_event).collect();
        sql::chains::append(conn, &id.to_string(), &unsealed).await?;
        save(conn, &incident, last).await?;
        Ok(StoredIncident { incident, version: expected + 1 })
    }

    pub(crate) async fn timeline(conn: &mut Conn, id: IncidentId) -> Result<Vec<EventRecord>, sqlx::Error> {
        sql::chains::read(conn, &id.to_string()).await
    }
}
