//! The rules of an import, shared by both backends: validating rows, batching them, and
//! deciding from the stored state what each row does.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{AdvisoryRow, ImportSummary};
use crate::StoreError;

/// A validated row with what the SQL needs computed once.
pub(super) struct Prepared {
    pub(super) id: String,
    pub(super) modified: Option<String>,
    pub(super) modified_us: Option<i64>,
    pub(super) published: Option<String>,
    pub(super) withdrawn: bool,
    pub(super) malware: bool,
    /// Sorted, without duplicates.
    pub(super) keys: Vec<(String, String)>,
    pub(super) json: String,
    pub(super) content_hash: i64,
}

impl Prepared {
    fn new(row: AdvisoryRow, index: usize) -> Result<Prepared, StoreError> {
        let invalid = |reason: String| StoreError::InvalidRow {
            index,
            id: row.id.clone(),
            reason,
        };
        if row.id.is_empty() {
            return Err(invalid("the id is empty".into()));
        }
        let mut texts = vec![("id", row.id.as_str()), ("json", row.json.as_str())];
        texts.extend(row.modified.as_deref().map(|m| ("modified", m)));
        texts.extend(row.published.as_deref().map(|p| ("published", p)));
        for (eco, name) in &row.ecosystem_names {
            if eco.is_empty() || name.is_empty() {
                return Err(invalid(format!(
                    "empty ecosystem or package name in ({eco:?}, {name:?})"
                )));
            }
            texts.push(("ecosystem", eco));
            texts.push(("package name", name));
        }
        if let Some((field, _)) = texts.iter().find(|(_, t)| t.contains('\0')) {
            return Err(invalid(format!("{field} contains a NUL character")));
        }
        let modified_us = match row.modified.as_deref() {
            None => None,
            Some(m) => Some(micros(m).map_err(|e| invalid(format!("modified `{m}`: {e}")))?),
        };
        if let Some(p) = row.published.as_deref() {
            micros(p).map_err(|e| invalid(format!("published `{p}`: {e}")))?;
        }
        let mut keys = row.ecosystem_names;
        keys.sort_unstable();
        keys.dedup();
        let content_hash = content_hash(
            &row.id,
            row.modified.as_deref(),
            row.published.as_deref(),
            row.withdrawn,
            row.malware,
            &keys,
            &row.json,
        );
        Ok(Prepared {
            id: row.id,
            modified: row.modified,
            modified_us,
            published: row.published,
            withdrawn: row.withdrawn,
            malware: row.malware,
            keys,
            json: row.json,
            content_hash,
        })
    }
}

/// Microseconds since the epoch: comparable whatever offset or precision the text used.
fn micros(text: &str) -> Result<i64, String> {
    let t = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("not RFC 3339 ({e})"))?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).map_err(|_| "out of range".to_string())
}

/// A 64-bit digest of every field: tells an identical re-import from changed content under
/// the same `modified` without reading the stored JSON back. Our own mixing (MurmurHash3's
/// 64-bit steps, eight bytes at a time) so the value is stable across builds and Rust
/// versions, unlike std's hasher. A collision would only make a same-`modified` update
/// count as unchanged.
fn content_hash(
    id: &str,
    modified: Option<&str>,
    published: Option<&str>,
    withdrawn: bool,
    malware: bool,
    keys: &[(String, String)],
    json: &str,
) -> i64 {
    let mut h = Digest(0x9e37_79b9_7f4a_7c15);
    h.field(id.as_bytes());
    h.field(modified.unwrap_or("\u{1}").as_bytes());
    h.field(published.unwrap_or("\u{1}").as_bytes());
    h.field(&[u8::from(withdrawn), u8::from(malware)]);
    for (eco, name) in keys {
        h.field(eco.as_bytes());
        h.field(name.as_bytes());
    }
    h.field(json.as_bytes());
    h.finish() as i64
}

struct Digest(u64);

impl Digest {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;

    fn word(&mut self, w: u64) {
        let k = w
            .wrapping_mul(Self::C1)
            .rotate_left(31)
            .wrapping_mul(Self::C2);
        self.0 = (self.0 ^ k)
            .rotate_left(27)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
    }

    /// Each field ends with its length, so fields cannot run into each other.
    fn field(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.word(u64::from_le_bytes(tail));
        self.word(bytes.len() as u64);
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The stored state of an id that decides what an incoming row does.
pub(super) struct Stored {
    pub(super) modified_us: Option<i64>,
    pub(super) content_hash: i64,
}

/// Splits the incoming rows into batches of distinct ids; a repeated id starts a new batch,
/// so it is compared with its predecessor's write rather than colliding with it.
pub(super) struct Batches<I> {
    rows: I,
    index: usize,
    carry: Option<Prepared>,
}

impl<I: Iterator<Item = AdvisoryRow>> Batches<I> {
    pub(super) fn new(rows: I) -> Self {
        Batches {
            rows,
            index: 0,
            carry: None,
        }
    }

    pub(super) fn next_batch(&mut self, size: usize) -> Result<Vec<Prepared>, StoreError> {
        let mut batch = Vec::with_capacity(size);
        let mut ids = HashSet::with_capacity(size);
        if let Some(row) = self.carry.take() {
            ids.insert(row.id.clone());
            batch.push(row);
        }
        while batch.len() < size {
            let Some(row) = self.rows.next() else { break };
            let row = Prepared::new(row, self.index)?;
            self.index += 1;
            if !ids.insert(row.id.clone()) {
                self.carry = Some(row);
                break;
            }
            batch.push(row);
        }
        Ok(batch)
    }
}

/// What one batch writes.
#[derive(Default)]
pub(super) struct Plan {
    /// Ids not stored before.
    pub(super) inserts: Vec<Prepared>,
    /// Stored ids replaced by newer or different content: their key rows are replaced too.
    pub(super) updates: Vec<Prepared>,
}

pub(super) fn plan(
    batch: Vec<Prepared>,
    stored: &HashMap<String, Stored>,
    summary: &mut ImportSummary,
) -> Plan {
    let mut plan = Plan::default();
    for row in batch {
        let Some(old) = stored.get(&row.id) else {
            summary.inserted += 1;
            plan.inserts.push(row);
            continue;
        };
        // `None < Some`: a record without `modified` never replaces one with it.
        match row.modified_us.cmp(&old.modified_us) {
            std::cmp::Ordering::Less => summary.skipped_older += 1,
            std::cmp::Ordering::Equal if row.content_hash == old.content_hash => {
                summary.unchanged += 1;
            }
            _ => {
                summary.updated += 1;
                plan.updates.push(row);
            }
        }
    }
    plan
}

pub(super) fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, modified: Option<&str>) -> AdvisoryRow {
        AdvisoryRow {
            id: id.into(),
            modified: modified.map(Into::into),
            published: None,
            withdrawn: false,
            malware: false,
            ecosystem_names: vec![("npm".into(), "a".into())],
            json: "{}".into(),
        }
    }

    #[test]
    fn timestamps_compare_as_instants_not_text() {
        let a = micros("2024-01-01T00:00:00Z").unwrap();
        let b = micros("2024-01-01T00:00:00.5Z").unwrap();
        let c = micros("2024-01-01T01:00:00+02:00").unwrap();
        assert!(a < b);
        assert!(c < a);
        assert!(micros("yesterday").is_err());
    }

    #[test]
    fn bad_rows_name_their_id_and_position() {
        let mut bad = row("GHSA-x", Some("not a date"));
        let err = Prepared::new(bad.clone(), 7).err().unwrap().to_string();
        assert!(
            err.contains("row 7") && err.contains("GHSA-x") && err.contains("modified"),
            "{err}"
        );
        bad.modified = None;
        bad.json = "{\"a\":\"\0\"}".into();
        let err = Prepared::new(bad.clone(), 0).err().unwrap().to_string();
        assert!(err.contains("NUL"), "{err}");
        bad.json = "{}".into();
        bad.ecosystem_names.push(("npm".into(), String::new()));
        assert!(Prepared::new(bad, 0).is_err());
        assert!(Prepared::new(row("", None), 0).is_err());
    }

    #[test]
    fn repeated_ids_split_batches() {
        let rows = vec![
            row("A", None),
            row("B", None),
            row("A", None),
            row("C", None),
        ];
        let mut batches = Batches::new(rows.into_iter());
        let ids = |b: Vec<Prepared>| b.into_iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(ids(batches.next_batch(10).unwrap()), ["A", "B"]);
        assert_eq!(ids(batches.next_batch(10).unwrap()), ["A", "C"]);
        assert!(batches.next_batch(10).unwrap().is_empty());
    }

    #[test]
    fn plan_classifies_against_stored_state() {
        let new = Prepared::new(row("N", Some("2024-01-02T00:00:00Z")), 0).unwrap();
        let same = Prepared::new(row("S", Some("2024-01-02T00:00:00Z")), 1).unwrap();
        let older = Prepared::new(row("O", Some("2024-01-01T00:00:00Z")), 2).unwrap();
        let newer = Prepared::new(row("U", Some("2024-01-03T00:00:00Z")), 3).unwrap();
        let t = micros("2024-01-02T00:00:00Z").unwrap();
        let same_hash = same.content_hash;
        let stored: HashMap<String, Stored> = [("S", same_hash), ("O", 0), ("U", 0)]
            .into_iter()
            .map(|(id, h)| {
                (
                    id.to_string(),
                    Stored {
                        modified_us: Some(t),
                        content_hash: h,
                    },
                )
            })
            .collect();
        let mut summary = ImportSummary::default();
        let plan = plan(vec![new, same, older, newer], &stored, &mut summary);
        assert_eq!(
            summary,
            ImportSummary {
                inserted: 1,
                updated: 1,
                unchanged: 1,
                skipped_older: 1
            }
        );
        let inserted: Vec<_> = plan.inserts.iter().map(|p| p.id.as_str()).collect();
        let updated: Vec<_> = plan.updates.iter().map(|p| p.id.as_str()).collect();
        assert_eq!((inserted, updated), (vec!["N"], vec!["U"]));
    }

    const STABLE_HASH: i64 = -5_249_213_067_629_710_612;

    #[test]
    fn content_hash_sees_every_field() {
        let base = Prepared::new(row("A", None), 0).unwrap().content_hash;
        let mut r = row("A", None);
        r.withdrawn = true;
        assert_ne!(Prepared::new(r, 0).unwrap().content_hash, base);
        let mut r = row("A", None);
        r.json = "{ }".into();
        assert_ne!(Prepared::new(r, 0).unwrap().content_hash, base);
        let mut r = row("A", None);
        r.ecosystem_names = vec![("npm".into(), "b".into())];
        assert_ne!(Prepared::new(r, 0).unwrap().content_hash, base);
        // Field boundaries count: ("ab", "c") is not ("a", "bc").
        let split = |a: &str, b: &str| content_hash("x", Some(a), Some(b), false, false, &[], "{}");
        assert_ne!(split("ab", "c"), split("a", "bc"));
        // Stable across builds: this value is stored in databases.
        assert_eq!(
            content_hash("GHSA-1", None, None, false, true, &[], "{}"),
            STABLE_HASH
        );
    }
}
