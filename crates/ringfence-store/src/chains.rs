//! Hash chains in the store: appending sealed events, reading them back. The chain head
//! (`chains` table) is updated in the same transaction as the events it covers.

use ringfence_incident::timeline::{EventRecord, GENESIS};

use crate::backend::for_each_backend;

/// An event to seal onto a chain: the fields that are hashed, before the links exist.
#[derive(Debug, Clone)]
pub(crate) struct Unsealed {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub payload: String,
}

impl Unsealed {
    pub(crate) fn from_event(event: &ringfence_incident::Event) -> Unsealed {
        Unsealed {
            at: event.at.rfc3339(),
            actor: event.actor.clone(),
            kind: event.change.kind().to_string(),
            payload: serde_json::to_string(&event.change).expect("a change always serialises"),
        }
    }
}

for_each_backend! {
    /// Seals `events` onto the end of `chain` (creating it if new) and returns them sealed.
    /// Locks the chain's head row first, so two writers to one chain take turns.
    pub(crate) async fn append(
        conn: &mut Conn,
        chain: &str,
        events: &[Unsealed],
    ) -> Result<Vec<EventRecord>, sqlx::Error> {
        sqlx::query(
            "INSERT INTO chains (name, head_seq, head_hash) VALUES ($1, 0, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(chain)
        .bind(GENESIS)
        .execute(&mut *conn)
        .await?;
        // A no-op update takes the row's write lock on both backends.
        let (mut seq, mut prev): (i64, String) = sqlx::query_as(
            "UPDATE chains SET head_seq = head_seq WHERE name = $1 RETURNING head_seq, head_hash",
        )
        .bind(chain)
        .fetch_one(&mut *conn)
        .await?;
        let mut sealed = Vec::with_capacity(events.len());
        for e in events {
            seq += 1;
            let record = EventRecord::seal(
                chain,
                seq,
                e.at.clone(),
                e.actor.clone(),
                e.kind.clone(),
                e.payload.clone(),
                &prev,
            );
            sqlx::query(
                "INSERT INTO timeline_events (chain, seq, at, actor, kind, payload, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&record.chain)
            .bind(record.seq)
            .bind(&record.at)
            .bind(&record.actor)
            .bind(&record.kind)
            .bind(&record.payload)
            .bind(&record.prev_hash)
            .bind(&record.hash)
            .execute(&mut *conn)
            .await?;
            prev = record.hash.clone();
            sealed.push(record);
        }
        sqlx::query("UPDATE chains SET head_seq = $2, head_hash = $3 WHERE name = $1")
            .bind(chain)
            .bind(seq)
            .bind(&prev)
            .execute(&mut *conn)
            .await?;
        Ok(sealed)
    }

    /// Every record of one chain, in order.
    pub(crate) async fn read(conn: &mut Conn, chain: &str) -> Result<Vec<EventRecord>, sqlx::Error> {
        let rows: Vec<RecordRow> = sqlx::query_as(
            "SELECT chain, seq, at, actor, kind, payload, prev_hash, hash FROM timeline_events \
             WHERE chain = $1 ORDER BY seq",
        )
        .bind(chain)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.into_iter().map(record).collect())
    }

    /// Every chain's name and recorded head.
    pub(crate) async fn heads(conn: &mut Conn) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
        sqlx::query_as("SELECT name, head_seq, head_hash FROM chains ORDER BY name")
            .fetch_all(&mut *conn)
            .await
    }
}

/// chain, seq, at, actor, kind, payload, prev_hash, hash.
type RecordRow = (String, i64, String, String, String, String, String, String);

fn record((chain, seq, at, actor, kind, payload, prev_hash, hash): RecordRow) -> EventRecord {
    EventRecord {
        chain,
        seq,
        at,
        actor,
        kind,
        payload,
        prev_hash,
        hash,
    }
}
