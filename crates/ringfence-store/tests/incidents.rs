//! Incidents on both backends: one transaction per change, optimistic concurrency, claims
//! that keep one open incident per package, evidence, the blocklist, recorded scans, and an
//! audit that notices any edit made behind the store's back.

#[macro_use]
mod common;

use common::{TestDb, tamper};
use ringfence_incident::{
    Change, Event, IncidentId, IncidentType, ObservableKind, Severity, Stage, Timestamp,
};
use ringfence_store::{
    BlockEntry, InventoryRecord, Opened, PackageRecord, ScanRecord, StoreError, StoredIncident,
};
use time::OffsetDateTime;

on_both_backends!(
    open_read_append_and_verify,
    stale_write_is_refused_and_changes_nothing,
    invalid_change_changes_nothing,
    unknown_incident_is_a_clear_error,
    one_open_incident_per_package,
    concurrent_writers_never_lose_an_update,
    edited_event_breaks_the_chain,
    edited_record_and_deleted_tail_are_caught,
    evidence_is_content_addressed_and_checked,
    blocklist_edits_are_recorded_on_both_chains,
    a_playbook_block_is_one_transaction,
    recorded_scans_feed_the_gates,
);

fn at(minutes: i64) -> OffsetDateTime {
    time::macros::datetime!(2026-11-28 09:00 +01:00) + time::Duration::minutes(minutes)
}

fn event(minutes: i64, actor: &str, change: Change) -> Event {
    Event::new(at(minutes), actor, change)
}

fn opened() -> Vec<Event> {
    vec![
        event(
            0,
            "scan",
            Change::Opened {
                title: "debug@4.4.2: known malicious release".into(),
                kind: IncidentType::MaliciousDependency,
                severity: Some(Severity::Sev2),
                source: "scan --record".into(),
            },
        ),
        event(
            0,
            "scan",
            Change::PackageAffected {
                ecosystem: "npm".into(),
                name: "debug".into(),
                version: "4.4.2".into(),
                source: "MAL-2025-46974".into(),
                detectable_since: Some(Timestamp(at(-90))),
                campaign: vec![],
            },
        ),
    ]
}

async fn open(db: &TestDb) -> StoredIncident {
    let claims = vec![("npm".to_string(), "debug".to_string())];
    match db.store.open_incident(&opened(), &claims).await.unwrap() {
        Opened::New(s) => *s,
        other => panic!("expected a new incident, got {other:?}"),
    }
}

fn note(minutes: i64, text: &str) -> Event {
    event(minutes, "alice", Change::NoteAdded { text: text.into() })
}

async fn open_read_append_and_verify(db: &TestDb) {
    let first = open(db).await;
    assert_eq!(first.version, 1);
    assert_eq!(first.incident.packages[0].versions, vec!["4.4.2"]);
    let id = first.incident.id;

    let next = db
        .store
        .append(
            id,
            1,
            &[
                event(
                    5,
                    "alice",
                    Change::CommanderAssigned {
                        who: "alice".into(),
                    },
                ),
                event(
                    6,
                    "alice",
                    Change::ObservableAdded {
                        kind: ObservableKind::Domain,
                        value: "evil.example".into(),
                        source: "manual".into(),
                    },
                ),
            ],
        )
        .await
        .unwrap();
    assert_eq!(next.version, 2);
    assert_eq!(next.incident.commander.as_deref(), Some("alice"));

    let reread = db.reopen().await.incident(id).await.unwrap();
    assert_eq!(reread.version, 2);
    assert_eq!(reread.incident, next.incident);

    let timeline = db.store.timeline(id).await.unwrap();
    assert_eq!(timeline.len(), 4);
    assert_eq!(timeline[0].kind, "opened");
    assert_eq!(timeline[3].kind, "observable-added");
    // Times keep the offset they were recorded with.
    assert_eq!(timeline[2].at, "2026-11-28T09:05:00+01:00");
    assert_eq!(timeline[1].hash, timeline[2].prev_hash);

    let audit = db.store.verify_audit().await.unwrap();
    assert!(audit.ok(), "{audit:?}");
    assert_eq!(audit.events, 4);

    let listed = db.store.incidents(false).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].incident.id, id);
}

async fn stale_write_is_refused_and_changes_nothing(db: &TestDb) {
    let id = open(db).await.incident.id;
    db.store.append(id, 1, &[note(1, "first")]).await.unwrap();
    // A second responder still holding version 1.
    let err = db
        .store
        .append(id, 1, &[note(2, "second")])
        .await
        .unwrap_err();
    assert!(err.is_stale(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("INC-") && text.contains("version 2"),
        "{text}"
    );
    let now = db.store.incident(id).await.unwrap();
    assert_eq!(now.version, 2);
    assert_eq!(now.incident.notes.len(), 1);
    assert_eq!(db.store.timeline(id).await.unwrap().len(), 3);
}

async fn invalid_change_changes_nothing(db: &TestDb) {
    let id = open(db).await.incident.id;
    let err = db
        .store
        .append(
            id,
            1,
            &[
                note(1, "this note must not land"),
                event(2, "alice", Change::TaskDone { id: 42 }),
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidChange { .. }), "{err}");
    assert!(err.to_string().contains("no task #42"), "{err}");
    let now = db.store.incident(id).await.unwrap();
    assert_eq!(now.version, 1);
    assert!(now.incident.notes.is_empty());
    assert_eq!(db.store.timeline(id).await.unwrap().len(), 2);
    assert!(db.store.verify_audit().await.unwrap().ok());
}

async fn unknown_incident_is_a_clear_error(db: &TestDb) {
    let err = db.store.incident(IncidentId(99)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no incident INC-99 (`ringfence incident list --all` lists them)"
    );
    let err = db
        .store
        .append(IncidentId(99), 1, &[note(0, "x")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::IncidentNotFound { .. }), "{err}");
}

/// Forces an incident through every stage to closed; its version afterwards.
async fn force_close(db: &TestDb, incident: &StoredIncident) -> i64 {
    let mut version = incident.version;
    let mut from = incident.incident.stage;
    while let Some(to) = from.next() {
        let forced = Some(ringfence_incident::Forced {
            reason: "test".into(),
            unmet: vec![],
        });
        let change = Change::StageAdvanced { from, to, forced };
        version = db
            .store
            .append(incident.incident.id, version, &[event(1, "alice", change)])
            .await
            .unwrap()
            .version;
        from = to;
    }
    version
}

async fn one_open_incident_per_package(db: &TestDb) {
    let first = open(db).await;
    let claims = vec![("npm".to_string(), "debug".to_string())];
    match db.store.open_incident(&opened(), &claims).await.unwrap() {
        Opened::AlreadyOpen { incident, name, .. } => {
            assert_eq!(incident, first.incident.id);
            assert_eq!(name, "debug");
        }
        other => panic!("opened a duplicate: {other:?}"),
    }
    // Nothing of the refused incident was written.
    assert_eq!(db.store.incidents(true).await.unwrap().len(), 1);
    assert!(db.store.verify_audit().await.unwrap().ok());

    // Once the first is closed, the package can have a new incident.
    let version = force_close(db, &first).await;
    let again = db.store.open_incident(&opened(), &claims).await.unwrap();
    let Opened::New(second) = again else {
        panic!("{again:?}")
    };

    // Re-opening the first now would claim debug twice: refused, and nothing is written.
    let reopen = [event(
        2,
        "scan",
        Change::Reopened {
            from: Stage::Closed,
            reason: "re-introduced".into(),
        },
    )];
    let refused = db
        .store
        .append(first.incident.id, version, &reopen)
        .await
        .expect_err("debug belongs to the second incident");
    match &refused {
        StoreError::AlreadyClaimed { holder, name, .. } => {
            assert_eq!(holder, &second.incident.id.to_string());
            assert_eq!(name, "debug");
        }
        other => panic!("{other:?}"),
    }
    let still = db.store.incident(first.incident.id).await.unwrap();
    assert_eq!(still.version, version);
    assert_eq!(still.incident.stage, Stage::Closed);

    // Once the second is closed too, the first re-opens and holds the claim again.
    force_close(db, &second).await;
    let reopened = db
        .store
        .append(first.incident.id, version, &reopen)
        .await
        .unwrap();
    assert_eq!(reopened.incident.stage, Stage::Containment);
    let third = db.store.open_incident(&opened(), &claims).await.unwrap();
    assert!(
        matches!(&third, Opened::AlreadyOpen { incident, .. } if *incident == first.incident.id),
        "{third:?}"
    );
    assert!(db.store.verify_audit().await.unwrap().ok());
}

async fn concurrent_writers_never_lose_an_update(db: &TestDb) {
    let id = open(db).await.incident.id;
    let other = db.reopen().await;
    let (note_a, note_b) = ([note(1, "from a")], [note(1, "from b")]);
    let (a, b) = tokio::join!(
        db.store.append(id, 1, &note_a),
        other.append(id, 1, &note_b),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{a:?} / {b:?}"
    );
    let loser = if a.is_ok() { b } else { a };
    let err = loser.unwrap_err();
    // SQLite may report the loser as busy rather than stale; either way nothing is lost.
    assert!(err.is_stale() || err.to_string().contains("lock"), "{err}");
    let now = db.store.incident(id).await.unwrap();
    assert_eq!(now.incident.notes.len(), 1);
    assert!(db.store.verify_audit().await.unwrap().ok());
}

async fn edited_event_breaks_the_chain(db: &TestDb) {
    let id = open(db).await.incident.id;
    db.store
        .append(id, 1, &[note(1, "one"), note(2, "two"), note(3, "three")])
        .await
        .unwrap();
    assert!(db.store.verify_audit().await.unwrap().ok());
    let n = tamper(
        db,
        &format!(
            "UPDATE timeline_events SET payload = replace(payload, 'two', 'TWO') \
             WHERE chain = '{id}' AND seq = 4"
        ),
    )
    .await;
    assert_eq!(n, 1);
    let audit = db.store.verify_audit().await.unwrap();
    assert!(!audit.ok());
    let broken = audit
        .chains
        .iter()
        .find_map(|c| c.broken.clone())
        .expect("a broken link");
    assert_eq!(broken.chain, id.to_string());
    assert_eq!(broken.seq, 4);
}

async fn edited_record_and_deleted_tail_are_caught(db: &TestDb) {
    let id = open(db).await.incident.id;
    db.store
        .append(id, 1, &[note(1, "one"), note(2, "two")])
        .await
        .unwrap();
    tamper(
        db,
        &format!(
            "UPDATE incidents SET state = replace(state, '\"sev2\"', '\"sev4\"') WHERE id = {}",
            id.0
        ),
    )
    .await;
    let audit = db.store.verify_audit().await.unwrap();
    assert!(!audit.ok());
    assert!(
        audit.mismatched_records[0].contains("differs from its timeline"),
        "{audit:?}"
    );

    tamper(
        db,
        &format!("DELETE FROM timeline_events WHERE chain = '{id}' AND seq = 4"),
    )
    .await;
    let audit = db.store.verify_audit().await.unwrap();
    let broken = audit.chains[0]
        .broken
        .clone()
        .expect("tail deletion caught");
    assert!(broken.problem.contains("removed from the end"), "{broken}");
}

async fn evidence_is_content_addressed_and_checked(db: &TestDb) {
    let id = open(db).await.incident.id;
    let bytes = b"malicious tarball bytes".to_vec();
    let sha = ringfence_incident::timeline::sha256_hex(&bytes);
    let added = event(
        1,
        "alice",
        Change::EvidenceAdded {
            sha256: sha.clone(),
            size: bytes.len() as u64,
            name: "debug-4.4.2.tgz".into(),
            description: None,
        },
    );
    let s = db
        .store
        .append_with_blobs(id, 1, &[&bytes], &[added])
        .await
        .unwrap();
    assert_eq!(s.incident.evidence[0].sha256, sha);
    assert_eq!(
        db.store.evidence_blob(&sha).await.unwrap().as_deref(),
        Some(&bytes[..])
    );
    assert_eq!(db.store.evidence_blob(&"0".repeat(64)).await.unwrap(), None);

    // A failed append stores no blob either.
    let orphan = b"never stored".to_vec();
    let orphan_sha = ringfence_incident::timeline::sha256_hex(&orphan);
    let err = db
        .store
        .append_with_blobs(id, 1, &[&orphan], &[note(2, "stale")])
        .await
        .unwrap_err();
    assert!(err.is_stale());
    assert_eq!(db.store.evidence_blob(&orphan_sha).await.unwrap(), None);

    let sql = if db.location.starts_with("sqlite:") {
        format!("UPDATE evidence_blobs SET content = X'00' WHERE sha256 = '{sha}'")
    } else {
        format!("UPDATE evidence_blobs SET content = '\\x00'::bytea WHERE sha256 = '{sha}'")
    };
    tamper(db, &sql).await;
    let err = db.store.evidence_blob(&sha).await.unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
}

fn block_entry(version: &str, incident: Option<IncidentId>) -> BlockEntry {
    BlockEntry {
        ecosystem: "npm".into(),
        name: "debug".into(),
        version: version.into(),
        reason: "MAL-2025-46974".into(),
        incident,
        added_by: "alice".into(),
        added_at: "2026-11-28T10:00:00+01:00".into(),
    }
}

async fn a_playbook_block_is_one_transaction(db: &TestDb) {
    let s = open(db).await;
    let id = s.incident.id;
    let entry = BlockEntry {
        added_by: "playbook:malicious".into(),
        ..block_entry("4.4.2", Some(id))
    };
    // Against a stale version: neither the block nor any event is written.
    let refused = db
        .store
        .block_for_playbook(
            std::slice::from_ref(&entry),
            (id, s.version + 1),
            "malicious",
            "block",
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Stale { .. })),
        "{refused:?}"
    );
    assert!(db.store.blocklist().await.unwrap().is_empty());
    assert!(db.store.verify_audit().await.unwrap().ok());

    let done = db
        .store
        .block_for_playbook(
            std::slice::from_ref(&entry),
            (id, s.version),
            "malicious",
            "block",
        )
        .await
        .unwrap();
    let after = done.incident.expect("the incident");
    assert_eq!(after.version, s.version + 1, "blocks and step in one write");
    let timeline = db.store.timeline(id).await.unwrap();
    let kinds: Vec<&str> = timeline.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds[kinds.len() - 2..], ["blocked", "playbook-step"]);
    let step = timeline.last().unwrap();
    assert_eq!(step.actor, "playbook:malicious");
    assert!(
        step.payload.contains("blocked npm:debug@4.4.2"),
        "{}",
        step.payload
    );

    // Already blocked: the step records nothing.
    let again = db
        .store
        .block_for_playbook(&[entry], (id, after.version), "malicious", "block")
        .await
        .unwrap();
    assert_eq!(again.incident.unwrap().version, after.version);
}

async fn blocklist_edits_are_recorded_on_both_chains(db: &TestDb) {
    let s = open(db).await;
    let id = s.incident.id;
    let summary = db
        .store
        .block(&[block_entry("4.4.2", Some(id))], Some((id, s.version)))
        .await
        .unwrap();
    assert_eq!(summary.added.len(), 1);
    let incident = summary.incident.expect("incident updated");
    assert_eq!(incident.version, 2);
    // Blocking again changes nothing and adds no event.
    let again = db
        .store
        .block(&[block_entry("4.4.2", Some(id))], Some((id, 2)))
        .await
        .unwrap();
    assert_eq!(again.already.len(), 1);
    assert_eq!(again.incident.unwrap().version, 2);

    let list = db.store.blocklist().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].spec(), "npm:debug@4.4.2");
    assert_eq!(list[0].incident, Some(id));

    // The gate sees it.
    let facts = db.store.gate_facts(&incident.incident).await.unwrap();
    assert!(
        facts
            .blocked
            .contains(&("npm".to_string(), "debug".to_string(), "4.4.2".to_string()))
    );

    let removed = db
        .store
        .unblock(
            &[("npm".into(), "debug".into(), "4.4.2".into())],
            "bob",
            Timestamp(at(30)),
            "false positive",
            None,
        )
        .await
        .unwrap();
    assert_eq!(removed.len(), 1);
    assert!(db.store.blocklist().await.unwrap().is_empty());
    let audit = db.store.verify_audit().await.unwrap();
    assert!(audit.ok());
    let chain = audit
        .chains
        .iter()
        .find(|c| c.chain == "blocklist")
        .expect("blocklist chain");
    assert_eq!(chain.events, 2);
}

fn inventory(lockfile: &str, packages: &[(&str, &str)]) -> InventoryRecord {
    InventoryRecord {
        project: "storefront".into(),
        lockfile: lockfile.into(),
        format: "package-lock.json".into(),
        commit: None,
        packages: packages
            .iter()
            .map(|(n, v)| PackageRecord {
                ecosystem: "npm".into(),
                name: n.to_string(),
                version: v.to_string(),
                direct: true,
                dev: false,
            })
            .collect(),
    }
}

async fn recorded_scans_feed_the_gates(db: &TestDb) {
    let s = open(db).await;
    let id = s.incident.id;
    let exposed = db
        .store
        .append(
            id,
            1,
            &[event(
                1,
                "scan",
                Change::ProjectExposed {
                    project: "storefront".into(),
                    lockfile: "storefront/package-lock.json".into(),
                    resolved: vec!["debug@4.4.2".into()],
                    commit: None,
                },
            )],
        )
        .await
        .unwrap();
    let lockfile = "storefront/package-lock.json";
    let scan = |packages: &[(&str, &str)]| ScanRecord {
        at: "2026-11-28T10:00:00+01:00".into(),
        actor: "ci".into(),
        lockfiles: vec![inventory(lockfile, packages)],
        findings: vec![],
    };
    // Duplicate rows in one lockfile (nested copies) are stored once.
    let recorded = db
        .store
        .record_scan(&scan(&[
            ("debug", "4.4.2"),
            ("debug", "4.4.2"),
            ("ms", "2.1.3"),
        ]))
        .await
        .unwrap();
    assert_eq!(recorded.inventories.len(), 1);
    let facts = db.store.gate_facts(&exposed.incident).await.unwrap();
    assert_eq!(facts.still_resolved[lockfile], vec!["debug@4.4.2"]);

    db.store
        .record_scan(&scan(&[("debug", "4.4.1"), ("ms", "2.1.3")]))
        .await
        .unwrap();
    let facts = db.store.gate_facts(&exposed.incident).await.unwrap();
    assert!(facts.still_resolved[lockfile].is_empty(), "{facts:?}");
    assert_eq!(db.store.scan_count().await.unwrap().0, 2);

    // A big inventory lands in one piece.
    let names: Vec<String> = (0..20_000).map(|i| format!("pkg-{i}")).collect();
    let big: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1.0.0")).collect();
    db.store.record_scan(&scan(&big)).await.unwrap();
    let facts = db.store.gate_facts(&exposed.incident).await.unwrap();
    assert!(facts.still_resolved[lockfile].is_empty());
}
