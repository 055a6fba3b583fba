//! An incident is the replay of its timeline. These tests drive the record through what a
//! response does to it, and check that events which cannot apply are refused, not guessed at.

use std::collections::BTreeSet;

use ringfence_incident::{
    ApplyError, Change, Event, Forced, Incident, IncidentId, IncidentType, ObservableKind,
    ProjectStatus, Role, Severity, Stage, Timestamp,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const WEB: &str = "apps/web/package-lock.json";
const SHA: &str = "9a1f3c0d5e7b2a4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c";

fn at(minute: i64) -> OffsetDateTime {
    datetime!(2026-11-28 09:00 +01:00) + Duration::minutes(minute)
}

fn opened() -> Change {
    Change::Opened {
        title: "debug@4.4.2: known malicious release".into(),
        kind: IncidentType::MaliciousDependency,
        severity: Some(Severity::Sev2),
        source: "scan --record".into(),
    }
}

/// Replays `changes` after an `opened` event, one minute apart, all by alice.
fn replay(changes: Vec<Change>) -> Result<Incident, ApplyError> {
    let events = timeline(changes);
    Incident::replay(IncidentId(7), &events)
}

fn timeline(changes: Vec<Change>) -> Vec<Event> {
    std::iter::once(opened())
        .chain(changes)
        .enumerate()
        .map(|(i, c)| Event::new(at(i as i64), "alice", c))
        .collect()
}

fn incident(changes: Vec<Change>) -> Incident {
    replay(changes).expect("a valid timeline")
}

fn affected(version: &str, detectable_since: Option<OffsetDateTime>) -> Change {
    Change::PackageAffected {
        ecosystem: "npm".into(),
        name: "debug".into(),
        version: version.into(),
        source: "MAL-2026-4711".into(),
        detectable_since: detectable_since.map(Timestamp),
        campaign: vec![],
    }
}

fn exposed(resolved: &str, commit: Option<&str>) -> Change {
    Change::ProjectExposed {
        project: "web-shop".into(),
        lockfile: WEB.into(),
        resolved: vec![resolved.into()],
        commit: commit.map(Into::into),
    }
}

fn remediated(commit: Option<&str>) -> Change {
    Change::ProjectRemediated {
        project: "web-shop".into(),
        lockfile: WEB.into(),
        commit: commit.map(Into::into),
    }
}

fn task(id: u32, stage: Stage) -> Change {
    Change::TaskAdded {
        id,
        stage,
        title: format!("task {id}"),
        owner: None,
        due: Some("2026-12-01".into()),
    }
}

fn advance(from: Stage, to: Stage, forced: Option<Forced>) -> Change {
    Change::StageAdvanced { from, to, forced }
}

fn observable(kind: ObservableKind, value: &str, source: &str) -> Change {
    Change::ObservableAdded {
        kind,
        value: value.into(),
        source: source.into(),
    }
}

fn evidence(name: &str) -> Change {
    Change::EvidenceAdded {
        sha256: SHA.into(),
        size: 4096,
        name: name.into(),
        description: Some("the tarball as published".into()),
    }
}

/// A response that has touched every part of the record.
fn busy_response() -> Vec<Change> {
    vec![
        Change::CommanderAssigned {
            who: "alice".into(),
        },
        Change::ParticipantAdded {
            who: "bob".into(),
            role: Role::Scribe,
        },
        affected("4.4.2", Some(datetime!(2026-11-28 06:45 UTC))),
        exposed("debug@4.4.2", Some("3f9c2e1")),
        observable(
            ObservableKind::Url,
            "https://evil.example/collect",
            "inspection",
        ),
        evidence("debug-4.4.2.tgz"),
        Change::EvidenceHandled {
            sha256: SHA.into(),
            action: "exported in bundle".into(),
        },
        task(1, Stage::Containment),
        Change::TaskDone { id: 1 },
        Change::NoteAdded {
            text: "CI tokens may have leaked".into(),
        },
        advance(Stage::Identification, Stage::Containment, None),
        advance(
            Stage::Containment,
            Stage::Eradication,
            Some(Forced {
                reason: "blocklist sync is down".into(),
                unmet: vec!["not on the blocklist: npm:debug@4.4.2".into()],
            }),
        ),
        Change::Blocked {
            ecosystem: "npm".into(),
            name: "debug".into(),
            version: "4.4.2".into(),
        },
        Change::ReportGenerated {
            sha256: "ab".repeat(32),
            format: "md".into(),
        },
        remediated(None),
        Change::Exported {
            manifest_sha256: "cd".repeat(32),
        },
        Change::TypeSet {
            kind: IncidentType::MaliciousDependency,
        },
        Change::PlaybookStep {
            playbook: "malicious-npm-release".into(),
            step: "block".into(),
            outcome: "blocked npm:debug@4.4.2".into(),
        },
    ]
}

// --- Replay ---------------------------------------------------------------------------------

#[test]
fn replaying_the_same_timeline_twice_gives_the_same_incident() {
    let events = timeline(busy_response());
    let first = Incident::replay(IncidentId(7), &events).unwrap();
    let second = Incident::replay(IncidentId(7), &events).unwrap();
    assert_eq!(first, second);
    assert_eq!(first.events, events.len() as u64);
    assert_eq!(first.stage, Stage::Eradication);

    // Applying the tail one event at a time gives the same record as replaying it whole.
    let mut stepwise = Incident::replay(IncidentId(7), &events[..1]).unwrap();
    for event in &events[1..] {
        stepwise.apply(event).unwrap();
    }
    assert_eq!(stepwise, first);
}

#[test]
fn a_timeline_must_start_with_opened() {
    let empty: Vec<Event> = Vec::new();
    let err = Incident::replay(IncidentId(7), &empty).unwrap_err();
    assert!(err.reason.contains("empty"), "{err}");

    let note = Event::new(at(0), "alice", Change::NoteAdded { text: "hi".into() });
    let err = Incident::replay(IncidentId(7), [&note]).unwrap_err();
    assert_eq!((err.index, err.kind), (0, "note-added"));

    let err = replay(vec![opened()]).unwrap_err();
    assert_eq!((err.index, err.kind), (1, "opened"));
}

#[test]
fn the_opening_sets_identification_and_its_time() {
    let incident = incident(vec![]);
    assert_eq!(incident.stage, Stage::Identification);
    assert_eq!(incident.severity, Some(Severity::Sev2));
    assert_eq!(incident.opened_at(), at(0));
    assert_eq!(incident.events, 1);
}

// --- People ---------------------------------------------------------------------------------

#[test]
fn a_new_commander_demotes_the_previous_one_to_responder() {
    let incident = incident(vec![
        Change::CommanderAssigned {
            who: "alice".into(),
        },
        Change::ParticipantAdded {
            who: "bob".into(),
            role: Role::Scribe,
        },
        Change::CommanderAssigned { who: "bob".into() },
    ]);
    assert_eq!(incident.commander.as_deref(), Some("bob"));
    let roles: Vec<(&str, Role)> = incident
        .participants
        .iter()
        .map(|p| (p.who.as_str(), p.role))
        .collect();
    assert_eq!(
        roles,
        [("alice", Role::Responder), ("bob", Role::Commander)]
    );
    // Bob was already on the response: he keeps the time he joined.
    assert_eq!(incident.participants[1].since, Timestamp(at(2)));
}

#[test]
fn removing_the_commander_leaves_the_incident_without_one() {
    let incident = incident(vec![
        Change::CommanderAssigned {
            who: "alice".into(),
        },
        Change::ParticipantRemoved {
            who: "alice".into(),
        },
    ]);
    assert_eq!(incident.commander, None);
    assert!(incident.participants.is_empty());
}

// --- Tasks ----------------------------------------------------------------------------------

#[test]
fn a_task_can_be_done_reassigned_and_reopened() {
    let mut changes = vec![task(1, Stage::Eradication), Change::TaskDone { id: 1 }];
    let done = incident(changes.clone());
    let record = done.task(1).unwrap();
    assert_eq!(record.done.as_ref().map(|d| d.by.as_str()), Some("alice"));
    assert_eq!(done.open_tasks().count(), 0);

    changes.push(Change::TaskAssigned {
        id: 1,
        owner: "bob".into(),
    });
    changes.push(Change::TaskReopened { id: 1 });
    let reopened = incident(changes);
    let record = reopened.task(1).unwrap();
    assert_eq!(record.owner.as_deref(), Some("bob"));
    assert!(record.done.is_none());
    assert_eq!(reopened.next_task_id(), 2);
}

#[test]
fn changes_to_an_unknown_task_are_refused_naming_it() {
    let unknown = [
        Change::TaskDone { id: 9 },
        Change::TaskAssigned {
            id: 9,
            owner: "bob".into(),
        },
        Change::TaskReopened { id: 9 },
    ];
    for change in unknown {
        let kind = change.kind();
        let err = replay(vec![task(1, Stage::Containment), change]).unwrap_err();
        assert_eq!(err.index, 2, "{err}");
        assert_eq!(err.kind, kind);
        assert!(err.reason.contains("#9"), "{err}");
        assert!(err.to_string().contains(kind), "{err}");
    }
}

#[test]
fn a_task_id_is_never_used_twice() {
    let err = replay(vec![task(1, Stage::Containment), task(1, Stage::Recovery)]).unwrap_err();
    assert_eq!(err.kind, "task-added");
    assert!(err.reason.contains("#1 already exists"), "{err}");
}

// --- Stages ---------------------------------------------------------------------------------

#[test]
fn a_stage_advance_from_the_wrong_stage_is_refused_and_changes_nothing() {
    let mut incident = incident(vec![]);
    let before = incident.clone();
    let wrong = Event::new(
        at(5),
        "alice",
        advance(Stage::Containment, Stage::Eradication, None),
    );
    let err = incident.apply(&wrong).unwrap_err();
    assert_eq!(err.kind, "stage-advanced");
    assert!(err.reason.contains("from containment"), "{err}");
    assert!(err.reason.contains("in identification"), "{err}");
    assert_eq!(incident, before);
}

#[test]
fn a_stage_advance_that_skips_a_stage_is_refused() {
    let err = replay(vec![advance(Stage::Identification, Stage::Closed, None)]).unwrap_err();
    assert_eq!(err.kind, "stage-advanced");
    assert!(err.reason.contains("closed"), "{err}");

    let back = vec![
        advance(Stage::Identification, Stage::Containment, None),
        advance(Stage::Containment, Stage::Identification, None),
    ];
    assert!(replay(back).is_err(), "a timeline cannot go back a stage");
}

#[test]
fn a_closed_incident_takes_no_further_stage_advance() {
    let mut changes = Vec::new();
    let mut from = Stage::Identification;
    while let Some(to) = from.next() {
        changes.push(advance(from, to, None));
        from = to;
    }
    let closed = incident(changes.clone());
    assert!(closed.is_closed());
    assert_eq!(closed.stage_entered.len(), Stage::ALL.len());

    changes.push(advance(Stage::Closed, Stage::Closed, None));
    assert!(replay(changes).is_err());
}

#[test]
fn a_forced_advance_records_the_override_and_a_normal_one_does_not() {
    let forced = Forced {
        reason: "attacker still active, contain now".into(),
        unmet: vec!["no commander: assign one".into()],
    };
    let incident = incident(vec![
        advance(
            Stage::Identification,
            Stage::Containment,
            Some(forced.clone()),
        ),
        advance(Stage::Containment, Stage::Eradication, None),
    ]);
    assert_eq!(incident.stage, Stage::Eradication);
    assert_eq!(incident.overrides.len(), 1);
    let record = &incident.overrides[0];
    assert_eq!(record.to, Stage::Containment);
    assert_eq!(record.reason, forced.reason);
    assert_eq!(record.unmet, forced.unmet);
    assert_eq!(record.by, "alice");
    assert_eq!(record.at, Timestamp(at(1)));
    assert_eq!(
        incident.stage_entered[&Stage::Containment],
        Timestamp(at(1))
    );
    assert_eq!(
        incident.stage_entered[&Stage::Eradication],
        Timestamp(at(2))
    );
}

// --- Packages and projects ------------------------------------------------------------------

#[test]
fn remediating_a_lockfile_the_incident_does_not_know_is_refused() {
    let err = replay(vec![affected("4.4.2", None), remediated(None)]).unwrap_err();
    assert_eq!(err.kind, "project-remediated");
    assert!(err.reason.contains(WEB), "{err}");
}

#[test]
fn a_project_goes_remediated_and_back_to_exposed_keeping_its_history() {
    let remediated_record = incident(vec![
        affected("4.4.2", None),
        exposed("debug@4.4.2", Some("3f9c2e1")),
        remediated(None),
    ]);
    let project = &remediated_record.projects[0];
    assert_eq!(project.status, ProjectStatus::Remediated);
    assert_eq!(project.remediated_at, Some(Timestamp(at(3))));
    // A remediation scan outside git keeps the commit that last saw it exposed.
    assert_eq!(project.commit.as_deref(), Some("3f9c2e1"));

    let again = incident(vec![
        affected("4.4.2", None),
        affected("4.4.3", None),
        exposed("debug@4.4.2", Some("3f9c2e1")),
        remediated(Some("77aa001")),
        exposed("debug@4.4.3", Some("88bb002")),
    ]);
    assert_eq!(again.projects.len(), 1);
    let project = &again.projects[0];
    assert_eq!(project.status, ProjectStatus::Exposed);
    assert_eq!(project.remediated_at, None);
    assert_eq!(project.first_seen, Timestamp(at(3)));
    assert_eq!(project.last_seen, Timestamp(at(5)));
    assert_eq!(project.resolved, ["debug@4.4.2", "debug@4.4.3"]);
    assert_eq!(project.commit.as_deref(), Some("88bb002"));
}

#[test]
fn the_earliest_detectable_since_wins() {
    let incident = incident(vec![
        affected("4.4.2", Some(datetime!(2026-11-28 06:45 UTC))),
        affected("4.4.3", Some(datetime!(2026-11-27 22:10 UTC))),
        affected("4.4.4", Some(datetime!(2026-11-28 08:00 UTC))),
        affected("4.4.5", None),
    ]);
    assert_eq!(
        incident.detectable_since,
        Some(Timestamp(datetime!(2026-11-27 22:10 UTC)))
    );
}

#[test]
fn a_version_affected_twice_is_listed_once_with_every_source() {
    let incident = incident(vec![
        affected("4.4.2", None),
        affected("4.4.2", None),
        Change::PackageAffected {
            ecosystem: "npm".into(),
            name: "debug".into(),
            version: "4.4.2".into(),
            source: "inspection: malicious".into(),
            detectable_since: None,
            campaign: vec![],
        },
    ]);
    assert_eq!(incident.packages.len(), 1);
    assert_eq!(incident.packages[0].versions, ["4.4.2"]);
    assert_eq!(
        incident.packages[0].sources,
        ["MAL-2026-4711", "inspection: malicious"]
    );
}

#[test]
fn the_same_observable_or_evidence_is_kept_once() {
    let incident = incident(vec![
        observable(
            ObservableKind::Domain,
            "evil.example",
            "inspection of debug@4.4.2",
        ),
        observable(ObservableKind::Domain, "evil.example", "manual"),
        // The same text as another kind is another observable.
        observable(ObservableKind::Url, "evil.example", "manual"),
        evidence("debug-4.4.2.tgz"),
        evidence("copy-of-debug.tgz"),
    ]);
    let observables: Vec<(ObservableKind, &str)> = incident
        .observables
        .iter()
        .map(|o| (o.kind, o.source.as_str()))
        .collect();
    assert_eq!(
        observables,
        [
            (ObservableKind::Domain, "inspection of debug@4.4.2"),
            (ObservableKind::Url, "manual")
        ]
    );
    assert_eq!(incident.evidence.len(), 1);
    assert_eq!(incident.evidence[0].name, "debug-4.4.2.tgz");
}

#[test]
fn handling_evidence_adds_custody_and_unknown_evidence_is_refused() {
    let handled = incident(vec![
        evidence("debug-4.4.2.tgz"),
        Change::EvidenceHandled {
            sha256: SHA.into(),
            action: "exported in bundle".into(),
        },
    ]);
    let custody = &handled.evidence[0].custody;
    assert_eq!(custody.len(), 1);
    assert_eq!(
        (custody[0].by.as_str(), custody[0].at),
        ("alice", Timestamp(at(2)))
    );

    let err = replay(vec![Change::EvidenceHandled {
        sha256: SHA.into(),
        action: "exported in bundle".into(),
    }])
    .unwrap_err();
    assert!(err.reason.contains(SHA), "{err}");
}

// --- Serialisation --------------------------------------------------------------------------

#[test]
fn an_incident_survives_a_json_round_trip() {
    let incident = incident(busy_response());
    let json = serde_json::to_string(&incident).unwrap();
    let back: Incident = serde_json::from_str(&json).unwrap();
    assert_eq!(back, incident);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["id"], "INC-7");
    assert_eq!(value["type"], "malicious-dependency");
    // Times keep the offset they were recorded in.
    assert_eq!(
        value["stage_entered"]["identification"],
        "2026-11-28T09:00:00+01:00"
    );
}

/// One example of every change; `variant` fails to compile when a variant is added.
fn every_change() -> Vec<Change> {
    let mut all = vec![
        opened(),
        Change::SeveritySet {
            severity: Severity::Sev1,
        },
        Change::ParticipantRemoved { who: "bob".into() },
        affected("4.4.3", None),
        Change::Unblocked {
            ecosystem: "npm".into(),
            name: "debug".into(),
            version: "4.4.2".into(),
        },
        advance(Stage::LessonsLearned, Stage::Closed, None),
    ];
    all.extend(busy_response());
    all.extend([
        task(2, Stage::LessonsLearned),
        Change::TaskAssigned {
            id: 2,
            owner: "carol".into(),
        },
        Change::TaskReopened { id: 2 },
        Change::Reopened {
            from: Stage::Closed,
            reason: "re-introduced: web resolves debug@4.4.2".into(),
        },
        Change::ReleasePublished {
            ecosystem: "npm".into(),
            name: "debug".into(),
            version: "4.4.2".into(),
            published: Timestamp(at(-600)),
        },
    ]);
    all
}

fn variant(change: &Change) -> usize {
    match change {
        Change::Opened { .. } => 0,
        Change::SeveritySet { .. } => 1,
        Change::CommanderAssigned { .. } => 2,
        Change::ParticipantAdded { .. } => 3,
        Change::ParticipantRemoved { .. } => 4,
        Change::PackageAffected { .. } => 5,
        Change::ProjectExposed { .. } => 6,
        Change::ProjectRemediated { .. } => 7,
        Change::ObservableAdded { .. } => 8,
        Change::TaskAdded { .. } => 9,
        Change::TaskAssigned { .. } => 10,
        Change::TaskDone { .. } => 11,
        Change::TaskReopened { .. } => 12,
        Change::EvidenceAdded { .. } => 13,
        Change::EvidenceHandled { .. } => 14,
        Change::NoteAdded { .. } => 15,
        Change::StageAdvanced { .. } => 16,
        Change::ReportGenerated { .. } => 17,
        Change::Blocked { .. } => 18,
        Change::Unblocked { .. } => 19,
        Change::Exported { .. } => 20,
        Change::PlaybookStep { .. } => 21,
        Change::TypeSet { .. } => 22,
        Change::Reopened { .. } => 23,
        Change::ReleasePublished { .. } => 24,
    }
}

#[test]
fn every_change_survives_a_json_round_trip_under_its_kind_tag() {
    let all = every_change();
    let covered: BTreeSet<usize> = all.iter().map(variant).collect();
    assert_eq!(covered, (0..=24).collect(), "a variant has no example");

    let mut kinds = BTreeSet::new();
    for change in all {
        let value = serde_json::to_value(&change).unwrap();
        assert_eq!(value["kind"], change.kind(), "{value}");
        let back: Change = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(back, change, "{value}");
        kinds.insert(change.kind());
    }
    assert_eq!(kinds.len(), 25, "two variants share a kind tag: {kinds:?}");
}

#[test]
fn an_event_keeps_its_zone_offset_through_json() {
    let event = Event::new(at(0), "alice", opened());
    let json = serde_json::to_string(&event).unwrap();
    assert!(
        json.contains("\"at\":\"2026-11-28T09:00:00+01:00\""),
        "{json}"
    );
    let back: Event = serde_json::from_str(&json).unwrap();
    assert_eq!(back, event);
    assert_eq!(back.at.0.offset(), event.at.0.offset());
}

#[test]
fn a_change_with_an_unknown_field_is_refused() {
    let mut value = serde_json::to_value(Change::TaskDone { id: 1 }).unwrap();
    value["by"] = "mallory".into();
    assert!(serde_json::from_value::<Change>(value).is_err());
    let unknown_kind = serde_json::json!({ "kind": "incident-deleted" });
    assert!(serde_json::from_value::<Change>(unknown_kind).is_err());
}
