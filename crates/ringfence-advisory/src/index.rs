//! An in-memory index of advisories keyed by package, and the matching that answers
//! "which advisories affect this package version?".
//!
//! Three rules beyond the OSV evaluation algorithm ([`crate::evaluate`]):
//! - One id, loaded twice: the record with the later `modified` wins; on a tie the
//!   withdrawn copy wins (ossf/malicious-packages moves a false positive to
//!   `withdrawn/` with a newer timestamp, so both rules agree on real data).
//! - Withdrawn records stay in the index (so an older copy cannot revive them) but
//!   never match.
//! - Records that are aliases of one another (one lists the other, or both list a
//!   common alias) give one [`Match`] per package: the `MAL-` record is preferred,
//!   then a GHSA, and the rest are listed in [`Match::aliases`] and [`Match::also`].

use std::collections::HashMap;
use std::sync::Arc;

use ringfence_package::{Ecosystem, normalize_name};

use crate::advisory::Advisory;
use crate::classify::{AdvisoryKind, Severity};
use crate::error::Warning;
use crate::evaluate::{Outcome, Query, evaluate};

type Key = (Ecosystem, String);

#[derive(Debug, Default, Clone)]
pub struct AdvisoryIndex {
    slots: Vec<Arc<Advisory>>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<Key, Vec<usize>>,
}

/// What [`AdvisoryIndex::insert`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// A record with the same id was there and this one is newer (or withdraws it).
    Replaced,
    /// A record with the same id was there and is newer: this one was dropped.
    KeptExisting,
}

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// The OSV algorithm says the version is affected.
    Affected,
    /// Part of the record cannot be evaluated for this version (unknown range type,
    /// invalid bound, version that does not parse): see [`Match::notes`]. Reported,
    /// never dropped, because "cannot tell" must not read as "not affected".
    Possible,
}

/// One advisory (or alias group of advisories) affecting one package version.
#[derive(Debug, Clone)]
pub struct Match {
    /// The preferred record of the alias group: `MAL-`, then GHSA, then the rest.
    pub advisory: Arc<Advisory>,
    /// The other records of the group that also matched.
    pub also: Vec<Arc<Advisory>>,
    /// Every id and alias of the group except `advisory.id`, sorted.
    pub aliases: Vec<String>,
    /// Known malware if any record of the group is.
    pub kind: AdvisoryKind,
    /// The highest severity in the group.
    pub severity: Severity,
    pub certainty: Certainty,
    /// The `fixed` version that ends the range this version falls in, if known.
    pub fixed: Option<String>,
    /// The `last_affected` version of that range, if the record gives one instead.
    pub last_affected: Option<String>,
    /// Why a [`Certainty::Possible`] match could not be decided. Empty otherwise.
    pub notes: Vec<String>,
}

impl AdvisoryIndex {
    pub fn new() -> AdvisoryIndex {
        AdvisoryIndex::default()
    }

    /// Adds a record, resolving a duplicate id by `modified` (see the module docs).
    pub fn insert(&mut self, advisory: Advisory) -> Inserted {
        let advisory = Arc::new(advisory);
        match self.by_id.get(&advisory.id).copied() {
            None => {
                let slot = self.slots.len();
                self.add_keys(slot, &advisory);
                self.by_id.insert(advisory.id.clone(), slot);
                self.slots.push(advisory);
                Inserted::New
            }
            Some(slot) => {
                if !supersedes(&advisory, &self.slots[slot]) {
                    return Inserted::KeptExisting;
                }
                let old = std::mem::replace(&mut self.slots[slot], advisory.clone());
                for key in old.keys() {
                    if let Some(list) = self.by_key.get_mut(&key) {
                        list.retain(|&s| s != slot);
                    }
                }
                self.add_keys(slot, &advisory);
                Inserted::Replaced
            }
        }
    }

    fn add_keys(&mut self, slot: usize, advisory: &Advisory) {
        for key in advisory.keys() {
            self.by_key.entry(key).or_default().push(slot);
        }
    }

    /// Number of distinct ids, withdrawn ones included.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Advisory>> {
        self.by_id.get(id).map(|&s| &self.slots[s])
    }

    /// Records whose id or alias is `id` (a CVE may name several records).
    pub fn find(&self, id: &str) -> Vec<&Arc<Advisory>> {
        if let Some(a) = self.get(id) {
            return vec![a];
        }
        self.slots
            .iter()
            .filter(|a| a.aliases.iter().any(|x| x == id))
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Advisory>> {
        self.slots.iter()
    }

    /// Warnings of the records that can match (withdrawn ones excluded).
    pub fn warnings(&self) -> impl Iterator<Item = &Warning> {
        self.slots
            .iter()
            .filter(|a| !a.is_withdrawn())
            .flat_map(|a| a.warnings())
    }

    /// Every live advisory naming this package, whatever the version.
    pub fn advisories_for(&self, ecosystem: Ecosystem, name: &str) -> Vec<&Arc<Advisory>> {
        let key = (ecosystem, normalize_name(ecosystem, name));
        self.by_key
            .get(&key)
            .into_iter()
            .flatten()
            .map(|&s| &self.slots[s])
            .filter(|a| !a.is_withdrawn())
            .collect()
    }

    /// The advisories affecting `name@version`, one [`Match`] per alias group,
    /// definite matches first, then by severity and id.
    pub fn matches(&self, ecosystem: Ecosystem, name: &str, version: &str) -> Vec<Match> {
        let name = normalize_name(ecosystem, name);
        let Some(slots) = self.by_key.get(&(ecosystem, name.clone())) else {
            return Vec::new();
        };
        let query = Query::new(ecosystem, version);
        let mut hits = Vec::new();
        for &slot in slots {
            let advisory = &self.slots[slot];
            if advisory.is_withdrawn() {
                continue;
            }
            let outcome = advisory
                .affected
                .iter()
                .filter(|p| p.ecosystem == ecosystem && p.normalized_name == name)
                .fold(Outcome::NotAffected, |acc, p| acc.or(evaluate(p, &query)));
            if outcome != Outcome::NotAffected {
                hits.push((advisory.clone(), outcome));
            }
        }
        let mut matches = group(hits);
        matches.sort_by(|a, b| {
            a.certainty
                .cmp(&b.certainty)
                .then(b.severity.cmp(&a.severity))
                .then(a.advisory.id.cmp(&b.advisory.id))
        });
        matches
    }
}

impl Extend<Advisory> for AdvisoryIndex {
    fn extend<T: IntoIterator<Item = Advisory>>(&mut self, iter: T) {
        for advisory in iter {
            self.insert(advisory);
        }
    }
}

impl FromIterator<Advisory> for AdvisoryIndex {
    fn from_iter<T: IntoIterator<Item = Advisory>>(iter: T) -> Self {
        let mut index = AdvisoryIndex::new();
        index.extend(iter);
        index
    }
}

/// True if `incoming` should replace `existing` (same id).
fn supersedes(incoming: &Advisory, existing: &Advisory) -> bool {
    match incoming.modified.cmp(&existing.modified) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => incoming.is_withdrawn() || !existing.is_withdrawn(),
    }
}

/// Unites hits that share an id or alias and builds one match per group.
fn group(hits: Vec<(Arc<Advisory>, Outcome)>) -> Vec<Match> {
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, (advisory, _)) in hits.iter().enumerate() {
        for id in advisory.all_ids() {
            match owner.get(id) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..hits.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups
        .into_values()
        .map(|members| build_match(&hits, members))
        .collect()
}

fn build_match(hits: &[(Arc<Advisory>, Outcome)], mut members: Vec<usize>) -> Match {
    members.sort_by(|&a, &b| preference(&hits[a].0).cmp(&preference(&hits[b].0)));
    let (representative, _) = &hits[members[0]];

    let mut aliases: Vec<String> = members
        .iter()
        .flat_map(|&m| hits[m].0.all_ids())
        .filter(|id| *id != representative.id)
        .map(str::to_string)
        .collect();
    aliases.sort();
    aliases.dedup();

    let affected = members
        .iter()
        .any(|&m| matches!(hits[m].1, Outcome::Affected { .. }));
    // The representative's fix first, then any other record's.
    let (fixed, last_affected) = members
        .iter()
        .find_map(|&m| match &hits[m].1 {
            Outcome::Affected {
                fixed,
                last_affected,
            } if fixed.is_some() || last_affected.is_some() => {
                Some((fixed.clone(), last_affected.clone()))
            }
            _ => None,
        })
        .unwrap_or((None, None));
    let mut notes: Vec<String> = if affected {
        Vec::new()
    } else {
        members
            .iter()
            .filter_map(|&m| match &hits[m].1 {
                Outcome::Possible(note) => Some(note.clone()),
                _ => None,
            })
            .collect()
    };
    notes.dedup();

    Match {
        kind: if members.iter().any(|&m| hits[m].0.is_malware()) {
            AdvisoryKind::KnownMalware
        } else {
            AdvisoryKind::Vulnerability
        },
        severity: members
            .iter()
            .map(|&m| hits[m].0.severity)
            .max()
            .unwrap_or(Severity::Unknown),
        certainty: if affected {
            Certainty::Affected
        } else {
            Certainty::Possible
        },
        fixed,
        last_affected,
        notes,
        aliases,
        also: members[1..].iter().map(|&m| hits[m].0.clone()).collect(),
        advisory: representative.clone(),
    }
}

/// Sort key for the representative of an alias group: a real `MAL-` id, then a
/// `MAL-0000-` placeholder, then GHSA, then anything else; the earliest published
/// record and then the smallest id break ties so the choice is stable.
fn preference(a: &Advisory) -> (u8, bool, Option<time::OffsetDateTime>, &str) {
    let rank = if a.id.starts_with("MAL-0000-") {
        1
    } else if a.id.starts_with("MAL-") {
        0
    } else if a.id.starts_with("GHSA-") {
        2
    } else {
        3
    };
    // `is_none` first: a record without a date sorts after every dated one.
    (rank, a.published.is_none(), a.published, &a.id)
}
