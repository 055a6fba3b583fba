//! Release publish times, for time to detect. An advisory is published after the release it
//! is about, often hours later; the registry's own publish time of the bad release is when
//! detection could have started. Version lists are fetched by `contain --pin`, the `pin`
//! playbook step and `min-release-age`, and kept in the cache; this reads them from there,
//! never from the network, so recording stays offline.

use ringfence_incident::{Change, Event, Incident, Timestamp};
use ringfence_store::{Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::contain::versions::{Source, versions};

/// `release-published` changes for affected npm versions whose publish time the incident does
/// not hold yet and the cached version lists know.
pub fn known_from_cache(incident: &Incident) -> Vec<Change> {
    let mut changes = Vec::new();
    for p in incident.packages.iter().filter(|p| p.ecosystem == "npm") {
        let missing: Vec<&String> = p
            .versions
            .iter()
            .filter(|v| !p.published.contains_key(*v))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let Ok(list) = versions(&Source::Cache, &p.name) else {
            continue;
        };
        for version in missing {
            let published = list
                .versions
                .iter()
                .find(|a| &a.version == version)
                .and_then(|a| a.published.as_deref())
                .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
            if let Some(published) = published {
                changes.push(Change::ReleasePublished {
                    ecosystem: p.ecosystem.clone(),
                    name: p.name.clone(),
                    version: version.clone(),
                    published: Timestamp(published),
                });
            }
        }
    }
    changes
}

/// Records what the cache knows of the publish times of the affected releases of every open
/// incident. An incident that changed meanwhile is left for the next run: this is an
/// enrichment, never worth failing a scan for.
pub async fn record(store: &Store, actor: &str, at: OffsetDateTime) -> Result<usize, StoreError> {
    let mut recorded = 0;
    for current in store.incidents(false).await? {
        let changes = known_from_cache(&current.incident);
        if changes.is_empty() {
            continue;
        }
        let events: Vec<Event> = changes
            .into_iter()
            .map(|c| Event::new(at, actor, c))
            .collect();
        match store
            .append(current.incident.id, current.version, &events)
            .await
        {
            Ok(_) => recorded += events.len(),
            Err(StoreError::Stale { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(recorded)
}
