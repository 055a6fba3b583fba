//! The embedded snapshot finds the famous malicious releases with no database.

use ringfence_advisory::{
    AdvisoryIndex, AdvisoryKind, Certainty, Severity, snapshot, snapshot_len,
};
use ringfence_package::Ecosystem::{self, Npm, PyPI};

fn index() -> AdvisoryIndex {
    snapshot().into_iter().collect()
}

#[test]
fn famous_malicious_releases_are_found_offline() {
    let index = index();
    let cases: &[(Ecosystem, &str, &str, &str)] = &[
        (Npm, "flatmap-stream", "0.1.1", "MAL-2025-20690"),
        (Npm, "ua-parser-js", "0.7.29", "GHSA-pjwm-rvh2-c87w"),
        (Npm, "ua-parser-js", "1.0.0", "GHSA-pjwm-rvh2-c87w"),
        (Npm, "chalk", "5.6.1", "MAL-2025-46969"),
        (Npm, "debug", "4.4.2", "MAL-2025-46974"),
        (Npm, "ansi-styles", "6.2.2", "MAL-2025-46967"),
        (Npm, "strip-ansi", "7.1.1", "MAL-2025-46980"),
        (Npm, "supports-color", "10.2.1", "MAL-2025-46981"),
        (Npm, "wrap-ansi", "9.0.1", "MAL-2025-46983"),
        (Npm, "color-convert", "3.1.1", "MAL-2025-46971"),
        (Npm, "ansi-regex", "6.2.1", "MAL-2025-46966"),
        (Npm, "@ctrl/tinycolor", "4.1.1", "MAL-2025-47141"),
        (Npm, "nx", "21.5.0", "MAL-2025-41443"),
        (Npm, "@nx/devkit", "20.9.0", "MAL-2025-41436"),
        (Npm, "node-ipc", "9.2.3", "MAL-2026-3744"),
        (Npm, "@solana/web3.js", "1.95.7", "MAL-2024-11183"),
        (Npm, "eslint-config-prettier", "8.10.1", "MAL-2025-6022"),
        (Npm, "eslint-plugin-prettier", "4.2.2", "MAL-2025-6023"),
        (Npm, "synckit", "0.11.9", "MAL-2025-6026"),
        (Npm, "is", "5.0.0", "MAL-2025-6020"),
        (Npm, "duckdb", "1.3.3", "MAL-2025-46994"),
        (Npm, "@duckdb/node-api", "1.3.3", "MAL-2025-46992"),
        (Npm, "@ledgerhq/connect-kit", "1.1.7", "MAL-2023-8697"),
        (Npm, "@lottiefiles/lottie-player", "2.0.6", "MAL-2024-10301"),
        (Npm, "ngx-bootstrap", "20.0.4", "MAL-2025-47197"),
        (Npm, "getcookies", "1.0.0", "MAL-2025-21368"),
        (PyPI, "num2words", "0.5.15", "MAL-2025-6794"),
        (PyPI, "aiocpa", "0.1.13", "MAL-2024-11518"),
    ];
    for &(eco, name, version, id) in cases {
        let hit = index.matches(eco, name, version);
        assert_eq!(hit.len(), 1, "{name}@{version}: {hit:?}");
        assert_eq!(hit[0].advisory.id, id, "{name}@{version}");
        assert_eq!(hit[0].certainty, Certainty::Affected, "{name}@{version}");
        assert_eq!(hit[0].kind, AdvisoryKind::KnownMalware, "{name}@{version}");
        assert_eq!(hit[0].severity, Severity::Critical, "{name}@{version}");
    }
}

#[test]
fn clean_neighbouring_versions_are_not_flagged() {
    let index = index();
    let clean: &[(Ecosystem, &str, &str)] = &[
        (Npm, "chalk", "5.6.0"),
        (Npm, "chalk", "5.6.2"),
        (Npm, "debug", "4.4.1"),
        (Npm, "ua-parser-js", "0.7.30"),
        (Npm, "nx", "21.4.1"),
        (Npm, "node-ipc", "9.2.2"),
        (Npm, "@solana/web3.js", "1.95.8"),
        (Npm, "duckdb", "1.3.4"),
        (Npm, "@ledgerhq/connect-kit", "1.1.8"),
        (PyPI, "num2words", "0.5.14"),
    ];
    for &(eco, name, version) in clean {
        assert!(
            index.matches(eco, name, version).is_empty(),
            "{name}@{version}"
        );
    }
}

#[test]
fn snapshot_records_carry_their_real_text() {
    let records = snapshot();
    assert_eq!(records.len(), snapshot_len());
    assert!(records.len() >= 29);
    for a in &records {
        assert!(a.origin.starts_with("snapshot:"), "{}", a.origin);
        assert!(
            a.raw_json().contains(&format!("\"id\": \"{}\"", a.id)),
            "{}",
            a.id
        );
        assert!(a.warnings().is_empty(), "{}: {:?}", a.id, a.warnings());
    }
}
