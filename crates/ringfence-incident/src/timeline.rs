//! The hash chain behind every timeline. Each stored event carries the SHA-256 of its own
//! fields and of the event before it in the same chain, so editing, deleting or reordering
//! any stored event breaks every link after it. [`verify_chain`] finds the first broken link.
//!
//! The hash is taken over the stored text exactly (the payload as written, the time as
//! RFC 3339 with its offset), never over a re-serialisation, so verification does not depend
//! on how a JSON library orders keys.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::event::Event;

/// The `prev_hash` of the first event of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored: the fields that are hashed, and the links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Which chain: `INC-7` for an incident's timeline, `blocklist` for blocklist edits.
    pub chain: String,
    /// 1 for the first event of the chain, then +1.
    pub seq: i64,
    /// RFC 3339 with the recording machine's offset.
    pub at: String,
    pub actor: String,
    pub kind: String,
    /// The event's JSON, as stored.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRecord {
    /// Seals the next event of a chain whose last hash is `prev_hash`.
    pub fn seal(
        chain: &str,
        seq: i64,
        at: String,
        actor: String,
        kind: String,
        payload: String,
        prev_hash: &str,
    ) -> EventRecord {
        let hash = link_hash(prev_hash, chain, seq, &at, &actor, &kind, &payload);
        EventRecord {
            chain: chain.to_string(),
            seq,
            at,
            actor,
            kind,
            payload,
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }

    /// Seals an incident event: the payload is the event's change as JSON.
    pub fn seal_event(chain: &str, seq: i64, event: &Event, prev_hash: &str) -> EventRecord {
        let payload = serde_json::to_string(&event.change).expect("a change always serialises");
        EventRecord::seal(
            chain,
            seq,
            event.at.rfc3339(),
            event.actor.clone(),
            event.change.kind().to_string(),
            payload,
            prev_hash,
        )
    }

    /// The incident event this record holds.
    pub fn event(&self) -> Result<Event, serde_json::Error> {
        let change = serde_json::from_str(&self.payload)?;
        let at =
            time::OffsetDateTime::parse(&self.at, &time::format_description::well_known::Rfc3339)
                .map_err(serde::de::Error::custom)?;
        Ok(Event::new(at, self.actor.clone(), change))
    }

    /// Recomputes this record's hash from its fields.
    pub fn expected_hash(&self) -> String {
        link_hash(
            &self.prev_hash,
            &self.chain,
            self.seq,
            &self.at,
            &self.actor,
            &self.kind,
            &self.payload,
        )
    }
}

/// SHA-256, hex, over the previous hash and every field, each length-prefixed so that no two
/// different field lists hash the same bytes.
pub fn link_hash(
    prev_hash: &str,
    chain: &str,
    seq: i64,
    at: &str,
    actor: &str,
    kind: &str,
    payload: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"ringfence-timeline-v1\n");
    let seq = seq.to_string();
    for field in [prev_hash, chain, &seq, at, actor, kind, payload] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex(&h.finalize())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of some bytes, hex: evidence ids.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The first place a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("chain {chain}: event {seq}: {problem}")]
pub struct BrokenLink {
    pub chain: String,
    pub seq: i64,
    pub problem: String,
}

/// Checks one chain's records, in `seq` order: numbering without gaps from 1, each
/// `prev_hash` equal to the hash before it, each hash equal to the hash of its fields.
pub fn verify_chain(chain: &str, records: &[EventRecord]) -> Result<(), BrokenLink> {
    let mut prev = GENESIS.to_string();
    for (i, r) in records.iter().enumerate() {
        let want_seq = i as i64 + 1;
        let broken = |problem: String| BrokenLink {
            chain: chain.to_string(),
            seq: r.seq,
            problem,
        };
        if r.chain != chain {
            return Err(broken(format!("belongs to chain {}", r.chain)));
        }
        if r.seq != want_seq {
            return Err(broken(format!(
                "expected event {want_seq} here: an event was deleted or inserted"
            )));
        }
        if r.prev_hash != prev {
            return Err(broken(
                "its link to the event before does not match: an earlier event was changed or removed".into(),
            ));
        }
        if r.expected_hash() != r.hash {
            return Err(broken(
                "its contents do not match its hash: the event was edited".into(),
            ));
        }
        prev = r.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<EventRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let r = EventRecord::seal(
                    "INC-1",
                    seq,
                    "2026-11-28T09:00:00+01:00".into(),
                    "alice".into(),
                    "note-added".into(),
                    format!(r#"{{"kind":"note-added","text":"note {seq}"}}"#),
                    &prev,
                );
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain("INC-1", &chain(5)), Ok(()));
        assert_eq!(verify_chain("INC-1", &[]), Ok(()));
    }

    #[test]
    fn an_edited_payload_is_caught_at_that_event() {
        let mut c = chain(5);
        c[2].payload = c[2].payload.replace("note 3", "note 3 (edited)");
        let err = verify_chain("INC-1", &c).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.problem.contains("edited"), "{err}");
    }

    #[test]
    fn a_rehashed_edit_is_caught_at_the_next_link() {
        let mut c = chain(5);
        c[2].actor = "mallory".into();
        c[2].hash = c[2].expected_hash();
        let err = verify_chain("INC-1", &c).unwrap_err();
        assert_eq!(err.seq, 4);
    }

    #[test]
    fn a_deleted_event_is_caught() {
        let mut c = chain(5);
        c.remove(1);
        let err = verify_chain("INC-1", &c).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.problem.contains("deleted"), "{err}");
    }

    #[test]
    fn every_field_is_covered() {
        let base = chain(1).remove(0);
        let edits: [fn(&mut EventRecord); 5] = [
            |r| r.at = "2026-11-28T08:00:00Z".into(),
            |r| r.actor.push('x'),
            |r| r.kind = "opened".into(),
            |r| r.payload.push(' '),
            |r| r.chain = "INC-2".into(),
        ];
        for edit in edits {
            let mut r = base.clone();
            edit(&mut r);
            assert_ne!(r.expected_hash(), base.hash);
        }
        // Length prefixes: moving a character from one field to the next changes the hash.
        let a = link_hash(GENESIS, "c", 1, "ab", "c", "k", "p");
        let b = link_hash(GENESIS, "c", 1, "a", "bc", "k", "p");
        assert_ne!(a, b);
    }
}
