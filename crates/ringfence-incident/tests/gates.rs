//! Stage gates as a responder meets them: `debug@4.4.2` turned out to be malware, two
//! projects resolved it, and the incident has to earn each stage on its way to closed.

use std::collections::{BTreeMap, BTreeSet};

use ringfence_incident::gate::{self, GateFacts, GateStatus, MoveError};
use ringfence_incident::{Change, Event, Incident, IncidentId, IncidentType, Severity, Stage};
use time::Duration;
use time::macros::datetime;

const WEB: &str = "apps/web/package-lock.json";
const API: &str = "services/api/package-lock.json";

/// An incident built the way the store builds it: by replaying its timeline.
struct Timeline {
    changes: Vec<Change>,
    stage: Stage,
}

impl Timeline {
    /// Opened by a scan, with no severity yet.
    fn opened() -> Timeline {
        Timeline {
            changes: vec![Change::Opened {
                title: "debug@4.4.2: known malicious release".into(),
                kind: IncidentType::MaliciousDependency,
                severity: None,
                source: "scan --record".into(),
            }],
            stage: Stage::Identification,
        }
    }

    fn then(mut self, change: Change) -> Timeline {
        self.changes.push(change);
        self
    }

    /// Walks the stages up to `stage`, one at a time, without looking at the gates.
    fn advanced_to(mut self, stage: Stage) -> Timeline {
        while self.stage < stage {
            let to = self.stage.next().expect("only closed has no next stage");
            self.changes.push(Change::StageAdvanced {
                from: self.stage,
                to,
                forced: None,
            });
            self.stage = to;
        }
        self
    }

    fn incident(&self) -> Incident {
        let start = datetime!(2026-11-28 09:00 UTC);
        let events: Vec<Event> = self
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| Event::new(start + Duration::minutes(i as i64), "alice", c.clone()))
            .collect();
        Incident::replay(IncidentId(7), &events).expect("a valid timeline")
    }
}

fn affected(version: &str) -> Change {
    Change::PackageAffected {
        ecosystem: "npm".into(),
        name: "debug".into(),
        version: version.into(),
        source: "MAL-2026-4711".into(),
        detectable_since: None,
        campaign: vec![],
    }
}

fn exposed(lockfile: &str) -> Change {
    Change::ProjectExposed {
        project: lockfile.split('/').nth(1).unwrap_or(lockfile).into(),
        lockfile: lockfile.into(),
        resolved: vec!["debug@4.4.2".into()],
        commit: None,
    }
}

fn task(id: u32, stage: Stage, title: &str, owner: Option<&str>) -> Change {
    Change::TaskAdded {
        id,
        stage,
        title: title.into(),
        owner: owner.map(Into::into),
        due: None,
    }
}

fn blocked(versions: &[&str]) -> GateFacts {
    GateFacts {
        blocked: versions
            .iter()
            .map(|v| ("npm".to_string(), "debug".to_string(), v.to_string()))
            .collect(),
        still_resolved: BTreeMap::new(),
    }
}

fn inventories(entries: &[(&str, &[&str])]) -> GateFacts {
    GateFacts {
        blocked: BTreeSet::new(),
        still_resolved: entries
            .iter()
            .map(|(lockfile, resolved)| {
                let resolved = resolved.iter().map(|r| r.to_string()).collect();
                (lockfile.to_string(), resolved)
            })
            .collect(),
    }
}

/// The condition with this id; a gate that lost it fails the test.
fn condition<'a>(status: &'a GateStatus, id: &str) -> &'a ringfence_incident::Condition {
    status
        .conditions
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no condition `{id}` in {status:#?}"))
}

fn unmet_ids(status: &GateStatus) -> Vec<&'static str> {
    status.unmet().map(|c| c.id).collect()
}

// --- Which stage comes next -------------------------------------------------------------

#[test]
fn without_a_target_the_next_stage_is_the_one_after_the_current() {
    let incident = Timeline::opened().incident();
    assert_eq!(gate::next_stage(&incident, None), Ok(Stage::Containment));
    assert_eq!(
        gate::next_stage(&incident, Some(Stage::Containment)),
        Ok(Stage::Containment)
    );
    let recovering = Timeline::opened().advanced_to(Stage::Recovery).incident();
    assert_eq!(
        gate::next_stage(&recovering, None),
        Ok(Stage::LessonsLearned)
    );
}

#[test]
fn skipping_a_stage_is_refused_and_says_which_one_is_next() {
    let incident = Timeline::opened().incident();
    let err = gate::next_stage(&incident, Some(Stage::Eradication)).unwrap_err();
    assert_eq!(
        err,
        MoveError::Skip {
            id: "INC-7".into(),
            from: Stage::Identification,
            to: Stage::Eradication,
            next: Stage::Containment,
        }
    );
    let message = err.to_string();
    for part in [
        "INC-7",
        "identification",
        "eradication",
        "next is containment",
    ] {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
    // Jumping straight to closed is a skip too, not a shortcut.
    assert!(matches!(
        gate::next_stage(&incident, Some(Stage::Closed)),
        Err(MoveError::Skip { .. })
    ));
}

#[test]
fn going_back_a_stage_is_refused() {
    let incident = Timeline::opened()
        .advanced_to(Stage::Eradication)
        .incident();
    let err = gate::next_stage(&incident, Some(Stage::Containment)).unwrap_err();
    assert_eq!(
        err,
        MoveError::Backward {
            id: "INC-7".into(),
            from: Stage::Eradication,
            to: Stage::Containment,
        }
    );
    let message = err.to_string();
    for part in ["INC-7", "from eradication to containment", "forward"] {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
}

#[test]
fn moving_to_the_stage_it_is_already_in_is_refused() {
    let incident = Timeline::opened()
        .advanced_to(Stage::Containment)
        .incident();
    let err = gate::next_stage(&incident, Some(Stage::Containment)).unwrap_err();
    assert_eq!(
        err,
        MoveError::Same {
            id: "INC-7".into(),
            stage: Stage::Containment,
        }
    );
    assert_eq!(err.to_string(), "INC-7 is already in containment");
}

#[test]
fn a_closed_incident_does_not_move_at_all() {
    let incident = Timeline::opened().advanced_to(Stage::Closed).incident();
    assert!(incident.is_closed());
    for to in [None, Some(Stage::Closed), Some(Stage::Identification)] {
        let err = gate::next_stage(&incident, to).unwrap_err();
        assert_eq!(err, MoveError::Closed { id: "INC-7".into() }, "to {to:?}");
        assert!(err.to_string().starts_with("INC-7 is closed"), "{err}");
    }
}

// --- Into containment: someone leads, and everyone knows how bad it is ---------------------

#[test]
fn containment_lists_a_missing_severity_and_a_missing_commander_separately() {
    let incident = Timeline::opened().incident();
    let status = gate::check(&incident, Stage::Containment, &GateFacts::default());
    assert_eq!(
        (status.from, status.to),
        (Stage::Identification, Stage::Containment)
    );
    assert!(!status.passes());
    assert_eq!(unmet_ids(&status), ["severity-set", "commander-set"]);
    // Each unmet condition says how to meet it, for this incident.
    let severity = &condition(&status, "severity-set").detail;
    assert!(
        severity.contains("`ringfence incident assign INC-7 --severity"),
        "{severity}"
    );
    let commander = &condition(&status, "commander-set").detail;
    assert!(
        commander.contains("`ringfence incident assign INC-7 --commander"),
        "{commander}"
    );
}

#[test]
fn containment_with_only_a_severity_still_needs_a_commander() {
    let incident = Timeline::opened()
        .then(Change::SeveritySet {
            severity: Severity::Sev2,
        })
        .incident();
    let status = gate::check(&incident, Stage::Containment, &GateFacts::default());
    assert_eq!(unmet_ids(&status), ["commander-set"]);
    assert_eq!(
        condition(&status, "severity-set").detail,
        "severity is SEV2"
    );
}

#[test]
fn containment_opens_once_severity_and_commander_are_set() {
    let incident = Timeline::opened()
        .then(Change::SeveritySet {
            severity: Severity::Sev1,
        })
        .then(Change::CommanderAssigned {
            who: "alice".into(),
        })
        .incident();
    let status = gate::check(&incident, Stage::Containment, &GateFacts::default());
    assert!(status.passes(), "{status:#?}");
    assert_eq!(
        condition(&status, "commander-set").detail,
        "alice is commander"
    );
}

#[test]
fn losing_the_commander_closes_the_containment_gate_again() {
    let incident = Timeline::opened()
        .then(Change::SeveritySet {
            severity: Severity::Sev1,
        })
        .then(Change::CommanderAssigned {
            who: "alice".into(),
        })
        .then(Change::ParticipantRemoved {
            who: "alice".into(),
        })
        .incident();
    let status = gate::check(&incident, Stage::Containment, &GateFacts::default());
    assert_eq!(unmet_ids(&status), ["commander-set"]);
}

// --- Into eradication: every bad version is blocked ---------------------------------------

#[test]
fn eradication_names_the_version_that_is_not_blocked_yet() {
    let incident = Timeline::opened()
        .then(affected("4.4.2"))
        .then(affected("4.4.3"))
        .advanced_to(Stage::Containment)
        .incident();
    let status = gate::check(&incident, Stage::Eradication, &blocked(&["4.4.2"]));
    assert!(!status.passes());
    let detail = &condition(&status, "all-versions-blocked").detail;
    assert!(detail.contains("npm:debug@4.4.3"), "{detail}");
    assert!(
        !detail.contains("4.4.2"),
        "the blocked version is not missing: {detail}"
    );
    assert!(
        detail.contains("`ringfence block add npm:debug@4.4.3 --incident INC-7`"),
        "{detail}"
    );
}

#[test]
fn eradication_opens_once_every_affected_version_is_blocked() {
    let incident = Timeline::opened()
        .then(affected("4.4.2"))
        .then(affected("4.4.3"))
        .advanced_to(Stage::Containment)
        .incident();
    let status = gate::check(&incident, Stage::Eradication, &blocked(&["4.4.2", "4.4.3"]));
    assert!(status.passes(), "{status:#?}");
    assert_eq!(
        condition(&status, "all-versions-blocked").detail,
        "all 2 affected versions are on the blocklist"
    );
}

#[test]
fn a_block_of_the_same_name_in_another_ecosystem_does_not_count() {
    let incident = Timeline::opened()
        .then(affected("4.4.2"))
        .advanced_to(Stage::Containment)
        .incident();
    let facts = GateFacts {
        blocked: [("PyPI".into(), "debug".into(), "4.4.2".into())].into(),
        still_resolved: BTreeMap::new(),
    };
    let status = gate::check(&incident, Stage::Eradication, &facts);
    assert_eq!(unmet_ids(&status), ["all-versions-blocked"]);
}

#[test]
fn an_incident_with_no_affected_version_cannot_enter_eradication() {
    let incident = Timeline::opened()
        .advanced_to(Stage::Containment)
        .incident();
    // Blocking something unrelated must not make an empty incident look eradicated.
    let status = gate::check(&incident, Stage::Eradication, &blocked(&["4.4.2"]));
    assert!(!status.passes());
    assert!(
        condition(&status, "all-versions-blocked")
            .detail
            .contains("no affected version"),
        "{status:#?}"
    );
}

// --- Into recovery: nothing resolves it any more, and eradication work is done -------------

fn eradicated() -> Timeline {
    Timeline::opened()
        .then(affected("4.4.2"))
        .then(exposed(WEB))
        .then(exposed(API))
        .advanced_to(Stage::Eradication)
}

#[test]
fn recovery_counts_a_project_with_no_recorded_inventory_as_exposed() {
    let incident = eradicated().incident();
    let status = gate::check(&incident, Stage::Recovery, &inventories(&[(WEB, &[])]));
    assert_eq!(unmet_ids(&status), ["no-project-resolves-affected"]);
    let detail = &condition(&status, "no-project-resolves-affected").detail;
    assert!(
        detail.contains(&format!("{API} (no inventory recorded)")),
        "{detail}"
    );
    assert!(
        !detail.contains(WEB),
        "the clean project is not exposed: {detail}"
    );
}

#[test]
fn recovery_names_the_project_that_still_resolves_the_version() {
    let incident = eradicated().incident();
    let facts = inventories(&[(WEB, &[]), (API, &["debug@4.4.2"])]);
    let status = gate::check(&incident, Stage::Recovery, &facts);
    assert!(!status.passes());
    let detail = &condition(&status, "no-project-resolves-affected").detail;
    assert!(
        detail.contains(&format!("{API} resolves debug@4.4.2")),
        "{detail}"
    );
    assert!(detail.contains("ringfence scan --record"), "{detail}");
}

#[test]
fn recovery_needs_every_eradication_task_done() {
    let timeline = eradicated()
        .then(task(
            1,
            Stage::Eradication,
            "Rotate the npm tokens of CI",
            None,
        ))
        .then(task(2, Stage::Recovery, "Redeploy web-shop", None))
        .then(task(3, Stage::Containment, "Freeze deploys", None));
    let clean = inventories(&[(WEB, &[]), (API, &[])]);

    let status = gate::check(&timeline.incident(), Stage::Recovery, &clean);
    assert_eq!(unmet_ids(&status), ["eradication-tasks-done"]);
    let detail = &condition(&status, "eradication-tasks-done").detail;
    assert!(
        detail.contains("#1 Rotate the npm tokens of CI"),
        "{detail}"
    );
    // Tasks of other stages are not this gate's business.
    assert!(!detail.contains("#2") && !detail.contains("#3"), "{detail}");

    let done = timeline.then(Change::TaskDone { id: 1 }).incident();
    let status = gate::check(&done, Stage::Recovery, &clean);
    assert!(status.passes(), "{status:#?}");
}

#[test]
fn a_reopened_eradication_task_closes_the_recovery_gate_again() {
    let incident = eradicated()
        .then(task(
            1,
            Stage::Eradication,
            "Rotate the npm tokens of CI",
            None,
        ))
        .then(Change::TaskDone { id: 1 })
        .then(Change::TaskReopened { id: 1 })
        .incident();
    let status = gate::check(
        &incident,
        Stage::Recovery,
        &inventories(&[(WEB, &[]), (API, &[])]),
    );
    assert_eq!(unmet_ids(&status), ["eradication-tasks-done"]);
}

// --- Into lessons learned, and closing ------------------------------------------------------

#[test]
fn lessons_learned_needs_every_recovery_task_done() {
    let timeline = eradicated()
        .then(task(1, Stage::Recovery, "Redeploy web-shop", Some("bob")))
        .then(task(2, Stage::LessonsLearned, "Pin transitive deps", None))
        .advanced_to(Stage::Recovery);
    let status = gate::check(
        &timeline.incident(),
        Stage::LessonsLearned,
        &GateFacts::default(),
    );
    assert_eq!(unmet_ids(&status), ["recovery-tasks-done"]);
    let detail = &condition(&status, "recovery-tasks-done").detail;
    assert!(detail.contains("#1 Redeploy web-shop"), "{detail}");

    let done = timeline.then(Change::TaskDone { id: 1 }).incident();
    let status = gate::check(&done, Stage::LessonsLearned, &GateFacts::default());
    assert!(status.passes(), "{status:#?}");
}

#[test]
fn closing_needs_a_report_and_an_owner_for_every_action_item() {
    let timeline = eradicated()
        .then(task(1, Stage::Recovery, "Redeploy web-shop", None))
        .then(task(
            2,
            Stage::LessonsLearned,
            "Pin transitive deps",
            Some("carol"),
        ))
        .then(task(
            3,
            Stage::LessonsLearned,
            "Alert on new install scripts",
            None,
        ))
        .advanced_to(Stage::LessonsLearned);

    let status = gate::check(&timeline.incident(), Stage::Closed, &GateFacts::default());
    assert_eq!(
        unmet_ids(&status),
        ["report-generated", "action-items-owned"]
    );
    let report = &condition(&status, "report-generated").detail;
    assert!(report.contains("`ringfence report INC-7"), "{report}");
    let owners = &condition(&status, "action-items-owned").detail;
    assert!(
        owners.contains("#3 Alert on new install scripts"),
        "{owners}"
    );
    // #2 has an owner; #1 is not an action item, so its missing owner does not matter.
    assert!(!owners.contains("#2") && !owners.contains("#1"), "{owners}");

    let ready = timeline
        .then(Change::ReportGenerated {
            sha256: "ab".repeat(32),
            format: "md".into(),
        })
        .then(Change::TaskAssigned {
            id: 3,
            owner: "dave".into(),
        })
        .incident();
    let status = gate::check(&ready, Stage::Closed, &GateFacts::default());
    assert!(status.passes(), "{status:#?}");
    assert_eq!(
        condition(&status, "action-items-owned").detail,
        "2 action items, each with an owner"
    );
}

#[test]
fn a_report_written_before_a_re_opening_does_not_close_the_incident() {
    let mut timeline = eradicated()
        .advanced_to(Stage::LessonsLearned)
        .then(Change::ReportGenerated {
            sha256: "ab".repeat(32),
            format: "md".into(),
        })
        .then(Change::Reopened {
            from: Stage::LessonsLearned,
            reason: "re-introduced: web resolves debug@4.4.2".into(),
        });
    timeline.stage = Stage::Containment;
    let timeline = timeline.advanced_to(Stage::LessonsLearned);

    let status = gate::check(&timeline.incident(), Stage::Closed, &GateFacts::default());
    assert_eq!(unmet_ids(&status), ["report-generated"]);
    let detail = &condition(&status, "report-generated").detail;
    assert!(detail.contains("since it was re-opened"), "{detail}");

    let rewritten = timeline
        .then(Change::ReportGenerated {
            sha256: "cd".repeat(32),
            format: "md".into(),
        })
        .incident();
    let status = gate::check(&rewritten, Stage::Closed, &GateFacts::default());
    assert!(status.passes(), "{status:#?}");
}
