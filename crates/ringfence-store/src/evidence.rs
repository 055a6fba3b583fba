//! Evidence blobs: content-addressed by SHA-256, stored once however many incidents cite them,
//! and checked against their hash every time they are read back.

use ringfence_incident::timeline::sha256_hex;
use ringfence_incident::{Event, IncidentId};

use crate::backend::{for_each_backend, transaction};
use crate::incidents::{Refusal, StoredIncident};
use crate::{Store, StoreError};

impl Store {
    /// Stores `blobs` and appends `events` to the incident, in one transaction: the events
    /// (`evidence-added`, `report-generated`) never point at bytes that are not there.
    pub async fn append_with_blobs(
        &self,
        id: IncidentId,
        expected_version: i64,
        blobs: &[&[u8]],
        events: &[Event],
    ) -> Result<StoredIncident, StoreError> {
        let action = "adding evidence";
        let at = events.first().map(|e| e.at.rfc3339()).unwrap_or_default();
        let stored = transaction!(self, action, crate::evidence, |sql, conn| {
            match sql::put_and_append(conn, blobs, &at, id, expected_version, events).await {
                Ok(s) => s,
                Err(r) => return Err(self.refused(action, r)),
            }
        });
        Ok(stored)
    }

    /// The bytes of an evidence blob, verified against their SHA-256.
    pub async fn evidence_blob(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let action = "reading evidence";
        let blob = transaction!(self, action, crate::evidence, |sql, conn| {
            sql::get(conn, sha256)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        match blob {
            Some(bytes) if sha256_hex(&bytes) != sha256 => Err(self.refused(
                action,
                Refusal::Corrupt {
                    what: format!("evidence blob {sha256}"),
                    reason: format!("its bytes hash to {}", sha256_hex(&bytes)),
                },
            )),
            other => Ok(other),
        }
    }
}

for_each_backend! {
    pub(crate) async fn put_and_append(
        conn: &mut Conn,
        blobs: &[&[u8]],
        at: &str,
        id: IncidentId,
        expected_version: i64,
        events: &[Event],
    ) -> Result<StoredIncident, Refusal> {
        for blob in blobs {
            put(conn, blob, at).await?;
        }
        sql::incidents::append(conn, id, expected_version, events).await
    }

    pub(crate) async fn put(conn: &mut Conn, blob: &[u8], at: &str) -> Result<String, sqlx::Error> {
        let sha = sha256_hex(blob);
        // A blob already stored is not sent again: evidence such as a large lockfile can be
        // cited by hundreds of incidents.
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT size FROM evidence_blobs WHERE sha256 = $1")
                .bind(&sha)
                .fetch_optional(&mut *conn)
                .await?;
        if known.is_some() {
            return Ok(sha);
        }
        sqlx::query(
            "INSERT INTO evidence_blobs (sha256, size, content, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha)
        .bind(blob.len() as i64)
        .bind(blob)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        Ok(sha)
    }

    pub(crate) async fn get(conn: &mut Conn, sha256: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT content FROM evidence_blobs WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&mut *conn)
                .await?;
        Ok(row.map(|(b,)| b))
    }
}
