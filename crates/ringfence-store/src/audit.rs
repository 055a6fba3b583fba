//! `ringfence audit verify`: walks every hash chain in the store and checks that each
//! incident's stored record is what its timeline replays to. Read-only.

use ringfence_incident::timeline::{EventRecord, verify_chain};
use ringfence_incident::{BrokenLink, Event, Incident, IncidentId};
use serde::Serialize;

use crate::backend::{for_each_backend, transaction};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub chains: Vec<ChainAudit>,
    pub events: usize,
    /// Incidents whose stored record does not match the replay of their timeline.
    pub mismatched_records: Vec<String>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.chains.iter().all(|c| c.broken.is_none()) && self.mismatched_records.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainAudit {
    pub chain: String,
    pub events: usize,
    pub head: String,
    /// The first link that does not hold.
    pub broken: Option<BrokenLink>,
}

impl Store {
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let action = "verifying the audit chains";
        let (heads, incidents) = transaction!(self, action, crate::audit, |sql, conn| {
            sql::load_all(conn)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        let mut report = AuditReport {
            chains: Vec::new(),
            events: 0,
            mismatched_records: Vec::new(),
        };
        for (name, head_seq, head_hash, records) in heads {
            report.events += records.len();
            let mut broken = verify_chain(&name, &records).err();
            if broken.is_none() {
                let last_seq = records.last().map_or(0, |r| r.seq);
                let last_hash = records.last().map(|r| r.hash.clone());
                if last_seq != head_seq || last_hash.as_deref() != Some(head_hash.as_str()) {
                    broken = Some(BrokenLink {
                        chain: name.clone(),
                        seq: last_seq,
                        problem: format!(
                            "the chain ends at event {last_seq} but its recorded head is event {head_seq}: events were removed from the end"
                        ),
                    });
                }
            }
            if broken.is_none()
                && let Some((id, state)) = incidents.iter().find(|(id, _)| id.to_string() == name)
                && let Some(problem) = replay_mismatch(*id, state, &records)
            {
                report.mismatched_records.push(problem);
            }
            report.chains.push(ChainAudit {
                chain: name,
                events: records.len(),
                head: head_hash,
                broken,
            });
        }
        for (id, _) in &incidents {
            let name = id.to_string();
            if !report.chains.iter().any(|c| c.chain == name) {
                report
                    .mismatched_records
                    .push(format!("{name} has a record but no timeline"));
            }
        }
        Ok(report)
    }
}

/// Why the stored record of `id` is not the replay of its timeline, if it is not.
fn replay_mismatch(id: IncidentId, state: &str, records: &[EventRecord]) -> Option<String> {
    let events: Result<Vec<Event>, _> = records.iter().map(EventRecord::event).collect();
    let events = match events {
        Ok(e) => e,
        Err(e) => return Some(format!("{id}: a timeline event does not read: {e}")),
    };
    let replayed = match Incident::replay(id, &events) {
        Ok(i) => i,
        Err(e) => return Some(format!("{id}: the timeline does not replay: {e}")),
    };
    let stored: serde_json::Value = match serde_json::from_str(state) {
        Ok(v) => v,
        Err(e) => return Some(format!("{id}: the stored record does not parse: {e}")),
    };
    let replayed = serde_json::to_value(&replayed).expect("serialises");
    (stored != replayed).then(|| {
        format!(
            "{id}: the stored record differs from its timeline (the incidents table was edited)"
        )
    })
}

type Loaded = (
    Vec<(String, i64, String, Vec<EventRecord>)>,
    Vec<(IncidentId, String)>,
);

for_each_backend! {
    pub(crate) async fn load_all(conn: &mut Conn) -> Result<Loaded, sqlx::Error> {
        let mut chains = Vec::new();
        for (name, seq, hash) in sql::chains::heads(conn).await? {
            let records = sql::chains::read(conn, &name).await?;
            chains.push((name, seq, hash, records));
        }
        let incidents: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, state FROM incidents ORDER BY id")
                .fetch_all(&mut *conn)
                .await?;
        Ok((chains, incidents.into_iter().map(|(id, s)| (IncidentId(id), s)).collect()))
    }
}
