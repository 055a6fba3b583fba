//! What `scan --record` does to incidents: `debug@4.4.2` is published as malware, the scan of
//! two projects finds it, the team fixes one, a later bump brings it back. Each plan is
//! applied the way the store applies it, and the next scan is planned against the result.

use ringfence_incident::ingest::{
    self, FindingKind, IncidentPolicy, Plan, RecordedFinding, ScannedLockfile, Target,
};
use ringfence_incident::{
    Change, Event, Incident, IncidentId, IncidentType, ProjectStatus, Severity, Stage, Timestamp,
};
use time::macros::datetime;

const WEB: &str = "apps/web/package-lock.json";
const API: &str = "services/api/package-lock.json";
const MAL: &str = "MAL-2026-4711";

fn project_of(lockfile: &str) -> &str {
    if lockfile == WEB { "web-shop" } else { "api" }
}

fn finding(lockfile: &str, name: &str, version: &str, kind: FindingKind) -> RecordedFinding {
    RecordedFinding {
        project: project_of(lockfile).into(),
        lockfile: lockfile.into(),
        ecosystem: "npm".into(),
        name: name.into(),
        version: version.into(),
        kind,
        source: MAL.into(),
        summary: "steals CI tokens on install".into(),
        detectable_since: Some(Timestamp(datetime!(2026-11-28 06:45 UTC))),
        campaign: vec![],
    }
}

fn malware(lockfile: &str, version: &str) -> RecordedFinding {
    finding(lockfile, "debug", version, FindingKind::KnownMalware)
}

/// A lockfile as the scan saw it: `packages` are `name@version`, all npm.
fn lockfile(lockfile: &str, commit: &str, packages: &[&str]) -> ScannedLockfile {
    ScannedLockfile {
        project: project_of(lockfile).into(),
        lockfile: lockfile.into(),
        commit: Some(commit.into()),
        packages: packages
            .iter()
            .map(|p| {
                let (name, version) = p.rsplit_once('@').expect("name@version");
                ("npm".to_string(), name.to_string(), version.to_string())
            })
            .collect(),
    }
}

fn plan(findings: &[RecordedFinding], scanned: &[ScannedLockfile], open: &[Incident]) -> Vec<Plan> {
    ingest::plan(findings, scanned, open, &IncidentPolicy::default())
}

fn events(changes: &[Change]) -> Vec<Event> {
    let at = datetime!(2026-11-28 09:12 +01:00);
    changes
        .iter()
        .map(|c| Event::new(at, "ringfence", c.clone()))
        .collect()
}

/// Opens the incident a `Target::New` plan describes, as `INC-<id>`.
fn open_new(plan: &Plan, id: i64) -> Incident {
    assert!(matches!(plan.target, Target::New { .. }), "{plan:?}");
    Incident::replay(IncidentId(id), &events(&plan.changes)).expect("a plan replays")
}

/// Applies a `Target::Existing` plan to its incident.
fn apply(incident: &Incident, plan: &Plan) -> Incident {
    assert_eq!(plan.target, Target::Existing(incident.id), "{plan:?}");
    let mut next = incident.clone();
    for event in events(&plan.changes) {
        next.apply(&event).expect("a plan applies");
    }
    next
}

fn kinds(plan: &Plan) -> Vec<&'static str> {
    plan.changes.iter().map(Change::kind).collect()
}

/// The lockfiles a plan's project changes are about.
fn project_changes(plan: &Plan) -> Vec<(&'static str, &str)> {
    plan.changes
        .iter()
        .filter_map(|c| match c {
            Change::ProjectExposed { lockfile, .. }
            | Change::ProjectRemediated { lockfile, .. } => Some((c.kind(), lockfile.as_str())),
            _ => None,
        })
        .collect()
}

/// `INC-1`: the first scan found `debug@4.4.2` in the web shop only.
fn web_shop_incident() -> Incident {
    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2", "ms@2.1.3"])];
    let plans = plan(&[malware(WEB, "4.4.2")], &scanned, &[]);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    open_new(&plans[0], 1)
}

// --- Opening --------------------------------------------------------------------------------

#[test]
fn known_malware_with_no_open_incident_opens_one() {
    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2", "ms@2.1.3"])];
    let plans = plan(&[malware(WEB, "4.4.2")], &scanned, &[]);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    let plan = &plans[0];
    assert_eq!(
        plan.target,
        Target::New {
            claims: vec![("npm".into(), "debug".into())]
        }
    );
    assert_eq!(
        kinds(plan),
        ["opened", "package-affected", "project-exposed"]
    );

    let Change::Opened {
        title,
        kind,
        severity,
        source,
    } = &plan.changes[0]
    else {
        panic!("{plan:#?}")
    };
    assert!(title.contains("debug@4.4.2"), "{title}");
    assert_eq!(*kind, IncidentType::MaliciousDependency);
    assert_eq!(*severity, Some(Severity::Sev2));
    assert_eq!(source, "scan --record");

    assert_eq!(
        plan.changes[1],
        Change::PackageAffected {
            ecosystem: "npm".into(),
            name: "debug".into(),
            version: "4.4.2".into(),
            source: MAL.into(),
            detectable_since: Some(Timestamp(datetime!(2026-11-28 06:45 UTC))),
            campaign: vec![],
        }
    );
    assert_eq!(
        plan.changes[2],
        Change::ProjectExposed {
            project: "web-shop".into(),
            lockfile: WEB.into(),
            resolved: vec!["debug@4.4.2".into()],
            // The scan knows the commit it saw the exposure in; the report shows it.
            commit: Some("3f9c2e1".into()),
        }
    );
}

#[test]
fn the_same_package_in_two_lockfiles_opens_one_incident_with_both_projects() {
    let scanned = [
        lockfile(WEB, "3f9c2e1", &["debug@4.4.2"]),
        lockfile(API, "3f9c2e1", &["debug@4.4.2"]),
    ];
    let plans = plan(
        &[malware(WEB, "4.4.2"), malware(API, "4.4.2")],
        &scanned,
        &[],
    );
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(
        kinds(&plans[0]),
        [
            "opened",
            "package-affected",
            "project-exposed",
            "project-exposed"
        ]
    );
    let incident = open_new(&plans[0], 1);
    let lockfiles: Vec<&str> = incident
        .projects
        .iter()
        .map(|p| p.lockfile.as_str())
        .collect();
    assert_eq!(lockfiles, [WEB, API]);
    assert_eq!(incident.packages.len(), 1);
    assert_eq!(incident.packages[0].versions, ["4.4.2"]);
}

#[test]
fn two_malicious_packages_open_one_incident_each() {
    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2", "chalk@5.6.1"])];
    let findings = [
        malware(WEB, "4.4.2"),
        finding(WEB, "chalk", "5.6.1", FindingKind::MaliciousVerdict),
    ];
    let plans = plan(&findings, &scanned, &[]);
    let claims: Vec<&Target> = plans.iter().map(|p| &p.target).collect();
    assert_eq!(
        claims,
        [
            &Target::New {
                claims: vec![("npm".into(), "chalk".into())]
            },
            &Target::New {
                claims: vec![("npm".into(), "debug".into())]
            },
        ]
    );
}

// --- Joining --------------------------------------------------------------------------------

#[test]
fn a_finding_of_a_package_under_an_open_incident_joins_it_with_only_what_is_new() {
    let incident = web_shop_incident();
    // The web shop still has 4.4.2; the API now resolves the next malicious release.
    let scanned = [
        lockfile(WEB, "4d0e3f2", &["debug@4.4.2"]),
        lockfile(API, "4d0e3f2", &["debug@4.4.3"]),
    ];
    let findings = [malware(WEB, "4.4.2"), malware(API, "4.4.3")];
    let plans = plan(&findings, &scanned, std::slice::from_ref(&incident));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(plans[0].target, Target::Existing(IncidentId(1)));
    assert_eq!(kinds(&plans[0]), ["package-affected", "project-exposed"]);
    assert!(
        matches!(&plans[0].changes[0], Change::PackageAffected { version, .. } if version == "4.4.3"),
        "{plans:#?}"
    );
    assert_eq!(
        plans[0].changes[1],
        Change::ProjectExposed {
            project: "api".into(),
            lockfile: API.into(),
            resolved: vec!["debug@4.4.3".into()],
            commit: Some("4d0e3f2".into()),
        }
    );

    let joined = apply(&incident, &plans[0]);
    assert_eq!(joined.packages[0].versions, ["4.4.2", "4.4.3"]);
    assert_eq!(joined.projects.len(), 2);
    // The join is recorded once: the same scan again has nothing to add.
    assert!(plan(&findings, &scanned, &[joined]).is_empty());
}

#[test]
fn a_different_package_in_an_exposed_lockfile_opens_its_own_incident() {
    let incident = web_shop_incident();
    let scanned = [lockfile(WEB, "4d0e3f2", &["debug@4.4.2", "chalk@5.6.1"])];
    let findings = [
        malware(WEB, "4.4.2"),
        finding(WEB, "chalk", "5.6.1", FindingKind::KnownMalware),
    ];
    let plans = plan(&findings, &scanned, &[incident]);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(
        plans[0].target,
        Target::New {
            claims: vec![("npm".into(), "chalk".into())]
        }
    );
}

// --- Idempotence ----------------------------------------------------------------------------

#[test]
fn planning_the_same_scan_again_after_recording_it_gives_nothing_to_do() {
    let scanned = [
        lockfile(WEB, "3f9c2e1", &["debug@4.4.2"]),
        lockfile(API, "3f9c2e1", &["debug@4.4.2", "debug@4.4.3"]),
    ];
    let findings = [
        malware(WEB, "4.4.2"),
        malware(API, "4.4.2"),
        malware(API, "4.4.3"),
        RecordedFinding {
            source: "inspection".into(),
            ..finding(API, "debug", "4.4.3", FindingKind::MaliciousVerdict)
        },
    ];
    let plans = plan(&findings, &scanned, &[]);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    let incident = open_new(&plans[0], 1);
    assert_eq!(incident.packages[0].sources, [MAL, "inspection"]);
    let again = plan(&findings, &scanned, &[incident]);
    assert!(again.is_empty(), "{again:#?}");
}

// --- Policy ---------------------------------------------------------------------------------

#[test]
fn a_vulnerability_opens_no_incident_under_the_default_policy() {
    let scanned = [lockfile(WEB, "3f9c2e1", &["lodash@4.17.20"])];
    let findings = [RecordedFinding {
        source: "GHSA-35jh-r3h4-6jhm".into(),
        ..finding(WEB, "lodash", "4.17.20", FindingKind::Vulnerability)
    }];
    assert!(plan(&findings, &scanned, &[]).is_empty());

    let policy = IncidentPolicy {
        opens_incident: [FindingKind::KnownMalware, FindingKind::Vulnerability].into(),
        group_campaigns: true,
    };
    let plans = ingest::plan(&findings, &scanned, &[], &policy);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(
        plans[0].target,
        Target::New {
            claims: vec![("npm".into(), "lodash".into())]
        }
    );
    let Change::Opened { kind, severity, .. } = &plans[0].changes[0] else {
        panic!("{plans:#?}")
    };
    assert_eq!(*kind, IncidentType::VulnerableDependency);
    assert_eq!(*severity, Some(Severity::Sev3));
}

#[test]
fn a_vulnerability_in_a_package_under_an_open_incident_does_not_join_by_default() {
    let incident = web_shop_incident();
    let scanned = [
        lockfile(WEB, "4d0e3f2", &["debug@4.4.2"]),
        lockfile(API, "4d0e3f2", &["debug@4.3.1"]),
    ];
    let findings = [
        malware(WEB, "4.4.2"),
        finding(API, "debug", "4.3.1", FindingKind::Vulnerability),
    ];
    assert!(plan(&findings, &scanned, &[incident]).is_empty());
}

// --- Remediation and re-introduction --------------------------------------------------------

#[test]
fn a_lockfile_that_no_longer_resolves_the_version_is_remediated() {
    let incident = web_shop_incident();
    // Pinned back to the last good release; the scan finds nothing.
    let scanned = [lockfile(WEB, "5e1f4a3", &["debug@4.4.1", "ms@2.1.3"])];
    let plans = plan(&[], &scanned, std::slice::from_ref(&incident));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(
        plans[0].changes,
        [Change::ProjectRemediated {
            project: "web-shop".into(),
            lockfile: WEB.into(),
            commit: Some("5e1f4a3".into()),
        }]
    );

    let fixed = apply(&incident, &plans[0]);
    assert_eq!(fixed.projects[0].status, ProjectStatus::Remediated);
    assert!(plan(&[], &scanned, &[fixed]).is_empty());
}

#[test]
fn re_introducing_the_version_after_remediation_exposes_the_project_again() {
    let incident = web_shop_incident();
    let clean = [lockfile(WEB, "5e1f4a3", &["debug@4.4.1"])];
    let fixed = apply(
        &incident,
        &plan(&[], &clean, std::slice::from_ref(&incident))[0],
    );

    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.2"])];
    let findings = [malware(WEB, "4.4.2")];
    let plans = plan(&findings, &bumped, std::slice::from_ref(&fixed));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    // Exposed once, not once by the finding and again by the inventory.
    assert_eq!(kinds(&plans[0]), ["project-exposed"]);
    let again = apply(&fixed, &plans[0]);
    assert_eq!(again.projects[0].status, ProjectStatus::Exposed);
    assert_eq!(again.projects[0].commit.as_deref(), Some("6f2a5b4"));
    assert!(plan(&findings, &bumped, &[again]).is_empty());
}

#[test]
fn the_inventory_alone_re_exposes_a_remediated_project() {
    // The version is back, but this scan's findings do not open incidents for it (say it was
    // reported as blocked); the affected version in the inventory is enough.
    let incident = web_shop_incident();
    let clean = [lockfile(WEB, "5e1f4a3", &["debug@4.4.1"])];
    let fixed = apply(
        &incident,
        &plan(&[], &clean, std::slice::from_ref(&incident))[0],
    );

    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.2"])];
    let findings = [finding(WEB, "debug", "4.4.2", FindingKind::Blocked)];
    let plans = plan(&findings, &bumped, &[fixed]);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(
        plans[0].changes,
        [Change::ProjectExposed {
            project: "web-shop".into(),
            lockfile: WEB.into(),
            resolved: vec!["debug@4.4.2".into()],
            commit: Some("6f2a5b4".into()),
        }]
    );
}

#[test]
fn lockfiles_the_scan_did_not_cover_are_left_alone() {
    let scanned = [
        lockfile(WEB, "3f9c2e1", &["debug@4.4.2"]),
        lockfile(API, "3f9c2e1", &["debug@4.4.2"]),
    ];
    let both = plan(
        &[malware(WEB, "4.4.2"), malware(API, "4.4.2")],
        &scanned,
        &[],
    );
    let incident = open_new(&both[0], 1);

    // Only the web shop is scanned now, and it is clean; the API was not looked at.
    let web_only = [lockfile(WEB, "5e1f4a3", &["debug@4.4.1"])];
    let plans = plan(&[], &web_only, std::slice::from_ref(&incident));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(project_changes(&plans[0]), [("project-remediated", WEB)]);

    // A scan of an unrelated project touches no incident at all.
    let other = ScannedLockfile {
        project: "docs".into(),
        lockfile: "docs/package-lock.json".into(),
        commit: None,
        packages: [("npm".into(), "ms".into(), "2.1.3".into())].into(),
    };
    assert!(plan(&[], &[other], &[incident]).is_empty());
}

// --- Re-opening -----------------------------------------------------------------------------

/// The web shop incident after the team fixed the lockfile and moved it on to `stage`.
fn remediated_and_moved_to(stage: Stage) -> Incident {
    let incident = web_shop_incident();
    let clean = [lockfile(WEB, "5e1f4a3", &["debug@4.4.1"])];
    let mut fixed = apply(
        &incident,
        &plan(&[], &clean, std::slice::from_ref(&incident))[0],
    );
    while fixed.stage < stage {
        let to = fixed.stage.next().expect("a next stage");
        let from = fixed.stage;
        fixed
            .apply(&Event::new(
                datetime!(2026-11-29 10:00 UTC),
                "alice",
                Change::StageAdvanced {
                    from,
                    to,
                    forced: None,
                },
            ))
            .expect("advances");
    }
    fixed
}

#[test]
fn re_introduction_during_recovery_re_opens_the_incident_into_containment() {
    let recovering = remediated_and_moved_to(Stage::Recovery);
    let first_containment = recovering.stage_entered[&Stage::Containment];
    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.2"])];
    let findings = [malware(WEB, "4.4.2")];
    let plans = plan(&findings, &bumped, std::slice::from_ref(&recovering));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(plans[0].target, Target::Existing(IncidentId(1)));
    assert_eq!(kinds(&plans[0]), ["reopened", "project-exposed"]);
    let Change::Reopened { from, reason } = &plans[0].changes[0] else {
        panic!("{plans:#?}")
    };
    assert_eq!(*from, Stage::Recovery);
    assert!(reason.contains("web-shop resolves debug@4.4.2"), "{reason}");

    let reopened = apply(&recovering, &plans[0]);
    assert_eq!(reopened.stage, Stage::Containment);
    assert_eq!(reopened.reopenings.len(), 1);
    assert_eq!(reopened.projects[0].status, ProjectStatus::Exposed);
    // Metrics measure the first response: the first time in containment is kept.
    assert_eq!(
        reopened.stage_entered[&Stage::Containment],
        first_containment
    );
    // Re-opened once: the same scan again has nothing to add.
    assert!(plan(&findings, &bumped, &[reopened]).is_empty());
}

#[test]
fn the_inventory_alone_re_opens_an_incident_in_lessons_learned() {
    let learning = remediated_and_moved_to(Stage::LessonsLearned);
    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.2"])];
    let findings = [finding(WEB, "debug", "4.4.2", FindingKind::Blocked)];
    let plans = plan(&findings, &bumped, std::slice::from_ref(&learning));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(kinds(&plans[0]), ["reopened", "project-exposed"]);
    assert_eq!(apply(&learning, &plans[0]).stage, Stage::Containment);
}

#[test]
fn exposure_while_still_eradicating_does_not_re_open() {
    let eradicating = remediated_and_moved_to(Stage::Eradication);
    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.2"])];
    let plans = plan(&[malware(WEB, "4.4.2")], &bumped, &[eradicating]);
    assert_eq!(kinds(&plans[0]), ["project-exposed"]);
}

#[test]
fn a_closed_incident_whose_version_comes_back_is_re_opened_not_duplicated() {
    let closed = remediated_and_moved_to(Stage::Closed);
    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.2"])];
    let findings = [malware(WEB, "4.4.2")];
    let plans = plan(&findings, &bumped, std::slice::from_ref(&closed));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(plans[0].target, Target::Existing(IncidentId(1)));
    assert_eq!(kinds(&plans[0]), ["reopened", "project-exposed"]);
    let reopened = apply(&closed, &plans[0]);
    assert_eq!(reopened.stage, Stage::Containment);
    assert_eq!(reopened.reopenings[0].from, Stage::Closed);
    assert!(!reopened.is_closed());
    assert!(plan(&findings, &bumped, &[reopened]).is_empty());
}

#[test]
fn a_new_bad_version_of_a_package_whose_incident_is_closed_opens_a_new_incident() {
    let closed = remediated_and_moved_to(Stage::Closed);
    let bumped = [lockfile(WEB, "6f2a5b4", &["debug@4.4.9"])];
    let plans = plan(&[malware(WEB, "4.4.9")], &bumped, &[closed]);
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert!(matches!(plans[0].target, Target::New { .. }), "{plans:#?}");
}

#[test]
fn re_opening_applies_only_past_eradication() {
    let mut eradicating = remediated_and_moved_to(Stage::Eradication);
    let refused = eradicating.apply(&Event::new(
        datetime!(2026-11-30 10:00 UTC),
        "ringfence",
        Change::Reopened {
            from: Stage::Eradication,
            reason: "back".into(),
        },
    ));
    let e = refused.expect_err("still being handled");
    assert!(e.reason.contains("still being handled"), "{e}");
    assert_eq!(eradicating.stage, Stage::Eradication);
}

// --- Campaigns ------------------------------------------------------------------------------

const ARTICLE: &str = "https://blog.example/npm-debug-and-chalk-packages-compromised";

/// A finding of the September 2025 compromise: its own record, and the write-up every record
/// of that attack cites.
fn campaign_finding(name: &str, version: &str, id: &str) -> RecordedFinding {
    RecordedFinding {
        source: id.into(),
        campaign: vec![id.into(), ARTICLE.into()],
        ..finding(WEB, name, version, FindingKind::KnownMalware)
    }
}

#[test]
fn packages_hit_by_one_attack_open_one_incident_that_claims_them_all() {
    let scanned = [lockfile(
        WEB,
        "3f9c2e1",
        &[
            "debug@4.4.2",
            "chalk@5.6.1",
            "ansi-styles@6.2.2",
            "ms@2.1.3",
        ],
    )];
    let findings = [
        campaign_finding("debug", "4.4.2", "MAL-2025-46974"),
        campaign_finding("chalk", "5.6.1", "MAL-2025-46969"),
        campaign_finding("ansi-styles", "6.2.2", "MAL-2025-46967"),
        // An unrelated malicious package in the same lockfile keeps its own incident.
        finding(WEB, "flatmap-stream", "0.1.1", FindingKind::KnownMalware),
    ];
    let plans = plan(&findings, &scanned, &[]);
    assert_eq!(plans.len(), 2, "{plans:#?}");
    let claims = |p: &Plan| match &p.target {
        Target::New { claims } => claims.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(claims(&plans[0]), ["ansi-styles", "chalk", "debug"]);
    assert_eq!(claims(&plans[1]), ["flatmap-stream"]);
    let incident = open_new(&plans[0], 1);
    let Change::Opened { title, .. } = &plans[0].changes[0] else {
        panic!("{plans:#?}")
    };
    assert_eq!(
        title,
        "ansi-styles@6.2.2; chalk@5.6.1; debug@4.4.2: known malicious release"
    );
    assert_eq!(incident.packages.len(), 3);
    // One project, exposed once, resolving all three.
    assert_eq!(incident.projects.len(), 1);
    assert_eq!(
        incident.projects[0].resolved,
        ["ansi-styles@6.2.2", "chalk@5.6.1", "debug@4.4.2"]
    );
    assert!(incident.campaign.contains(ARTICLE));
    assert!(plan(&findings[..3], &scanned, &[incident]).is_empty());
}

#[test]
fn a_later_package_of_the_same_attack_joins_the_open_incident() {
    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2"])];
    let first = [campaign_finding("debug", "4.4.2", "MAL-2025-46974")];
    let incident = open_new(&plan(&first, &scanned, &[])[0], 1);

    // The next day the API turns out to resolve chalk@5.6.1, a sibling of the same attack.
    let scanned = [
        lockfile(WEB, "3f9c2e1", &["debug@4.4.2"]),
        lockfile(API, "4d0e3f2", &["chalk@5.6.1"]),
    ];
    let chalk = RecordedFinding {
        lockfile: API.into(),
        project: "api".into(),
        ..campaign_finding("chalk", "5.6.1", "MAL-2025-46969")
    };
    let findings = [first[0].clone(), chalk];
    let plans = plan(&findings, &scanned, std::slice::from_ref(&incident));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(plans[0].target, Target::Existing(IncidentId(1)));
    assert_eq!(kinds(&plans[0]), ["package-affected", "project-exposed"]);
    let joined = apply(&incident, &plans[0]);
    let names: Vec<&str> = joined.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["debug", "chalk"]);
    assert!(plan(&findings, &scanned, &[joined]).is_empty());
}

#[test]
fn per_package_grouping_opens_one_incident_per_package() {
    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2", "chalk@5.6.1"])];
    let findings = [
        campaign_finding("debug", "4.4.2", "MAL-2025-46974"),
        campaign_finding("chalk", "5.6.1", "MAL-2025-46969"),
    ];
    let policy = IncidentPolicy {
        group_campaigns: false,
        ..IncidentPolicy::default()
    };
    let plans = ingest::plan(&findings, &scanned, &[], &policy);
    assert_eq!(plans.len(), 2, "{plans:#?}");
}

#[test]
fn a_package_with_its_own_incident_stays_there_and_pulls_its_siblings_in() {
    // debug's incident predates campaign keys (an older record): it has none.
    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2"])];
    let incident = open_new(&plan(&[malware(WEB, "4.4.2")], &scanned, &[])[0], 1);
    assert!(incident.campaign.is_empty());

    let scanned = [lockfile(WEB, "3f9c2e1", &["debug@4.4.2", "chalk@5.6.1"])];
    let findings = [
        campaign_finding("debug", "4.4.2", MAL),
        campaign_finding("chalk", "5.6.1", "MAL-2025-46969"),
    ];
    let plans = plan(&findings, &scanned, std::slice::from_ref(&incident));
    assert_eq!(plans.len(), 1, "{plans:#?}");
    assert_eq!(plans[0].target, Target::Existing(IncidentId(1)));
    let joined = apply(&incident, &plans[0]);
    assert_eq!(joined.packages.len(), 2);
    assert!(joined.campaign.contains(ARTICLE));
}

#[test]
fn packages_linked_only_through_each_other_are_one_campaign_even_at_scale() {
    // p0 shares a key with p1, p1 with p2, ...: one attack, however long the chain; a second,
    // unrelated chain is another. Thousands of packages plan in well under a second.
    let n = 3_000;
    let chain = |prefix: &str, i: usize| RecordedFinding {
        campaign: vec![format!("{prefix}-{i}"), format!("{prefix}-{}", i + 1)],
        ..finding(
            WEB,
            &format!("{prefix}{i:05}"),
            "1.0.0",
            FindingKind::KnownMalware,
        )
    };
    let findings: Vec<RecordedFinding> = (0..n)
        .map(|i| chain("a", i))
        .chain((0..n).map(|i| chain("b", i)))
        .collect();
    let names: Vec<String> = findings
        .iter()
        .map(|f| format!("{}@1.0.0", f.name))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let scanned = [lockfile(WEB, "3f9c2e1", &refs)];
    let started = std::time::Instant::now();
    let plans = plan(&findings, &scanned, &[]);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(plans.len(), 2);
    for p in &plans {
        let Target::New { claims } = &p.target else {
            panic!("{:?}", p.target)
        };
        assert_eq!(claims.len(), n);
    }
}
