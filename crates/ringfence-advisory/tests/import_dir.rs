//! Reading records: single records, directory trees, hostile input.

mod common;

use common::{fixture, fixtures};
use ringfence_advisory::{
    Advisory, AdvisoryKind, ImportError, RecordErrorKind, load_dir, parse_record,
};
use ringfence_package::Ecosystem::{Npm, PyPI};

#[test]
fn load_dir_reads_every_record_and_names_the_staging_files_it_refuses() {
    let report = load_dir(&fixtures()).unwrap();
    assert_eq!(report.files_read, 48);
    assert_eq!(report.advisories.len(), 42);
    assert_eq!(report.errors.len(), 6, "{:#?}", report.errors);
    for err in &report.errors {
        let text = err.to_string();
        assert!(text.contains("MAL-0000-"), "{text}");
        assert!(text.contains("no `id`"), "{text}");
        assert!(matches!(
            err,
            ImportError::Record(e) if matches!(e.kind, RecordErrorKind::MissingId)
        ));
    }
    // Stable order: sorted by path.
    let origins: Vec<&str> = report
        .advisories
        .iter()
        .map(|a| a.origin.as_str())
        .collect();
    let mut sorted = origins.clone();
    sorted.sort();
    assert_eq!(origins, sorted);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
}

#[test]
fn load_dir_skips_hidden_dirs_and_other_files_and_keeps_going_after_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git/objects")).unwrap();
    std::fs::create_dir_all(root.join("npm/pkg")).unwrap();
    std::fs::write(root.join(".git/objects/x.json"), r#"{"id": "MAL-HIDDEN"}"#).unwrap();
    std::fs::write(root.join("README.md"), "# not a record").unwrap();
    std::fs::write(
        root.join("npm/pkg/broken.json"),
        r#"{"id": "MAL-2025-1", "affected": [{"#,
    )
    .unwrap();
    std::fs::write(
        root.join("npm/pkg/MAL-2025-2.JSON"),
        r#"{"id": "MAL-2025-2"}"#,
    )
    .unwrap();
    std::fs::write(
        root.join("npm/pkg/not-utf8.json"),
        b"{\"id\": \"MAL-\xff\xfe\"}",
    )
    .unwrap();

    let report = load_dir(root).unwrap();
    assert_eq!(report.files_read, 3);
    let ids: Vec<&str> = report.advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["MAL-2025-2"]);
    let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0].contains("broken.json") && errors[0].contains("line 1"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("not-utf8.json") && errors[1].contains("UTF-8"),
        "{errors:?}"
    );
}

#[test]
fn load_dir_on_a_missing_root_is_an_error_naming_it() {
    let err = load_dir(std::path::Path::new("/nonexistent/osv-dump")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/osv-dump"), "{err}");
}

#[test]
fn every_schema_version_in_the_fixtures_parses() {
    let report = load_dir(&fixtures()).unwrap();
    let mut versions: Vec<&str> = report
        .advisories
        .iter()
        .filter_map(|a| a.schema_version.as_deref())
        .collect();
    versions.sort();
    versions.dedup();
    assert_eq!(versions, ["1.3.0", "1.4.0", "1.5.0", "1.7.4"]);
}

#[test]
fn fractional_second_timestamps_parse() {
    let a = parse_record(
        br#"{"id": "MAL-2026-1", "modified": "2026-05-14T16:53:17.000907870Z",
             "published": "2026-05-14T16:53:17Z"}"#,
        "inline",
    )
    .unwrap();
    assert_eq!(a.modified.unwrap().nanosecond(), 907_870);
    assert!(a.warnings().is_empty());

    let bad = parse_record(
        br#"{"id": "MAL-2026-2", "modified": "yesterday"}"#,
        "inline",
    )
    .unwrap();
    assert_eq!(bad.modified, None);
    assert!(bad.warnings()[0].to_string().contains("yesterday"));
}

#[test]
fn non_ascii_text_and_missing_final_newline_are_kept_verbatim() {
    let path = fixtures().join("pypi/7miners/MAL-2026-2670.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let a = fixture("pypi/7miners/MAL-2026-2670.json");
    assert_eq!(a.raw_json(), text);
    assert!(a.credits[0].name.contains("Mańkowski"));

    let path = fixtures().join("withdrawn/npm/@ctrl/plex/MAL-2026-4377.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.ends_with('\n'));
    assert_eq!(
        fixture("withdrawn/npm/@ctrl/plex/MAL-2026-4377.json").raw_json(),
        text
    );
}

#[test]
fn iocs_cwes_and_origins_are_read() {
    let duckdb = fixture("npm/duckdb/MAL-2025-46994.json");
    assert_eq!(duckdb.iocs.domains, ["npmjs.help"]);
    assert_eq!(duckdb.iocs.urls, ["https://npmjs.help"]);
    assert_eq!(duckdb.cwe_ids, ["CWE-506"]);
    assert_eq!(
        duckdb.malicious_origins[0].source.as_deref(),
        Some("ghsa-malware")
    );
    assert_eq!(
        duckdb.malicious_origins[0].id.as_deref(),
        Some("GHSA-m63q-rrxf-h93g")
    );

    let miners = fixture("pypi/7miners/MAL-2026-2670.json");
    assert_eq!(miners.iocs.urls.len(), 2);
    assert!(
        miners.iocs.urls[1].contains("&st="),
        "JSON \\u0026 unescaped"
    );
    let chimera = fixture("pypi/chimera-sandbox-extensions/MAL-2025-191701.json");
    assert_eq!(chimera.iocs.domains, ["chimerasandbox.workers.dev"]);

    let synthetic = parse_record(
        br#"{"id": "MAL-2025-8", "database_specific": {"iocs": {
            "ips": ["203.0.113.9"], "files": [{"sha256": "ab12"}, {"md5": "cd34"}]},
            "malicious-packages-origins": null}}"#,
        "inline",
    )
    .unwrap();
    assert_eq!(synthetic.iocs.ips, ["203.0.113.9"]);
    assert_eq!(
        synthetic.iocs.other,
        [("files".to_string(), vec!["ab12".into(), "cd34".into()])]
    );
    assert!(synthetic.malicious_origins.is_empty());

    let lodash =
        fixture("ghsa/github-reviewed/2020/07/GHSA-p6mc-m468-83gw/GHSA-p6mc-m468-83gw.json");
    assert_eq!(lodash.cwe_ids, ["CWE-1321", "CWE-770"]);
    assert!(lodash.iocs.is_empty());
}

#[test]
fn raw_json_round_trips_through_a_store() {
    let original = fixture("npm/ngx-bootstrap/MAL-2025-47197.json");
    let keys = original.keys();
    assert_eq!(keys, [(Npm, "ngx-bootstrap".to_string())]);
    let rebuilt = Advisory::from_raw_json(original.raw_json(), "store:42").unwrap();
    assert_eq!(rebuilt.id, original.id);
    assert_eq!(rebuilt.origin, "store:42");
    assert_eq!(rebuilt.keys(), keys);
    assert_eq!(rebuilt.affected[0].versions, original.affected[0].versions);
    assert_eq!(rebuilt.raw_json(), original.raw_json());
}

#[test]
fn keys_are_normalised_per_ecosystem() {
    let a = parse_record(
        br#"{"id": "PYSEC-X", "affected": [
            {"package": {"ecosystem": "PyPI", "name": "Zope.Interface"}, "versions": ["1"]},
            {"package": {"ecosystem": "PyPI", "name": "zope_interface"}, "versions": ["2"]},
            {"package": {"ecosystem": "npm", "name": "@Scope/Pkg"}, "versions": ["1.0.0"]},
            {"package": {"ecosystem": "Go", "name": "example.com/mod"}, "versions": ["1.0.0"]}]}"#,
        "inline",
    )
    .unwrap();
    assert_eq!(
        a.keys(),
        [
            (Npm, "@Scope/Pkg".to_string()),
            (PyPI, "zope-interface".to_string())
        ]
    );
}

#[test]
fn affected_packages_expose_fix_information() {
    let tar = fixture("ghsa/github-reviewed/2021/08/GHSA-r628-mhmh-qjhw/GHSA-r628-mhmh-qjhw.json");
    let fixes: Vec<&str> = tar
        .affected
        .iter()
        .flat_map(|p| p.fixed_versions())
        .collect();
    assert_eq!(fixes, ["3.2.3", "4.4.15", "5.0.7", "6.1.2"]);
    let ledger =
        fixture("ghsa/github-reviewed/2023/03/GHSA-p8p7-x288-28g6/GHSA-p8p7-x288-28g6.json");
    assert_eq!(ledger.affected[0].last_affected_versions(), ["2.88.2"]);
    assert!(
        ledger.affected[0].introduced_versions().is_empty(),
        "`0` is not a version"
    );
}

#[test]
fn missing_or_empty_id_is_refused() {
    for json in [
        &br#"{"summary": "x"}"#[..],
        br#"{"id": "  "}"#,
        br#"{"id": null}"#,
    ] {
        let err = parse_record(json, "staging/file.json").unwrap_err();
        assert!(matches!(err.kind, RecordErrorKind::MissingId));
        assert!(err.to_string().starts_with("staging/file.json:"), "{err}");
    }
}

#[test]
fn hostile_input_is_an_error_not_a_panic() {
    let deep = format!(
        r#"{{"id": "MAL-1", "database_specific": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        (
            "truncated",
            br#"{"id": "MAL-1", "affected": [{"package": {"#.to_vec(),
        ),
        ("array", b"[1, 2, 3]".to_vec()),
        (
            "wrong type",
            br#"{"id": "MAL-1", "aliases": "GHSA-x"}"#.to_vec(),
        ),
        ("deeply nested", deep.into_bytes()),
        ("invalid utf-8", b"\xff\xfe{}".to_vec()),
        ("huge", vec![b' '; 17 * 1024 * 1024]),
    ];
    for (what, bytes) in cases {
        let err = parse_record(&bytes, what).unwrap_err();
        assert!(err.to_string().starts_with(what), "{what}: {err}");
    }
}

#[test]
fn bom_is_tolerated() {
    let a = parse_record(b"\xEF\xBB\xBF{\"id\": \"MAL-2025-4\"}", "bom").unwrap();
    assert_eq!(a.id, "MAL-2025-4");
    assert_eq!(a.kind, AdvisoryKind::KnownMalware);
}

#[test]
fn crlf_line_endings_read_the_same() {
    let report = load_dir(&fixtures()).unwrap();
    for original in &report.advisories {
        let crlf = original.raw_json().replace('\n', "\r\n");
        let again = parse_record(crlf.as_bytes(), "crlf").unwrap();
        assert_eq!(again.id, original.id);
        assert_eq!(again.keys(), original.keys());
        assert_eq!(again.severity, original.severity);
        assert_eq!(again.kind, original.kind);
        let versions = |a: &Advisory| -> Vec<Vec<String>> {
            a.affected.iter().map(|p| p.versions.clone()).collect()
        };
        assert_eq!(versions(&again), versions(original), "{}", original.id);
    }
}
