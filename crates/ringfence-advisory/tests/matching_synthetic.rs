//! Matching rules that the real fixtures do not exercise: `limit` events, unknown
//! and GIT range types, invalid bounds, unparseable package versions, alias groups,
//! duplicate ids, crates.io.

mod common;

use common::{fixture, synthetic};
use ringfence_advisory::{AdvisoryIndex, AdvisoryKind, Certainty, Inserted, Severity, WarningKind};
use ringfence_package::Ecosystem::{CratesIo, Npm, PyPI};

/// A record with one npm package `pkg` and the given `affected[0]` body.
fn record(id: &str, affected_body: &str) -> String {
    format!(
        r#"{{"id": "{id}", "modified": "2025-01-01T00:00:00Z",
            "affected": [{{"package": {{"ecosystem": "npm", "name": "pkg"}}, {affected_body}}}]}}"#
    )
}

fn index(jsons: &[String]) -> AdvisoryIndex {
    jsons.iter().map(|j| synthetic(j)).collect()
}

#[test]
fn limit_events_bound_the_range() {
    let idx = index(&[record(
        "GHSA-limit",
        r#""ranges": [{"type": "SEMVER", "events": [
            {"introduced": "1.0.0"}, {"limit": "2.0.0"}]}]"#,
    )]);
    assert_eq!(idx.matches(Npm, "pkg", "1.5.0").len(), 1);
    assert_eq!(idx.matches(Npm, "pkg", "1.0.0").len(), 1);
    assert!(
        idx.matches(Npm, "pkg", "2.0.0").is_empty(),
        "limit is exclusive"
    );
    assert!(idx.matches(Npm, "pkg", "3.0.0").is_empty());
    assert!(idx.matches(Npm, "pkg", "0.9.0").is_empty());
}

#[test]
fn several_limits_extend_and_star_means_infinity() {
    let idx = index(&[
        record(
            "GHSA-two-limits",
            r#""ranges": [{"type": "SEMVER", "events": [
                {"introduced": "0"}, {"limit": "1.0.0"}, {"limit": "3.0.0"}]}]"#,
        ),
        record(
            "GHSA-star",
            r#""ranges": [{"type": "ECOSYSTEM", "events": [
                {"introduced": "5.0.0"}, {"limit": "*"}]}]"#,
        ),
    ]);
    // Before any limit counts: 2.5.0 < 3.0.0.
    let ids: Vec<_> = idx
        .matches(Npm, "pkg", "2.5.0")
        .into_iter()
        .map(|m| m.advisory.id.clone())
        .collect();
    assert_eq!(ids, ["GHSA-two-limits"]);
    assert!(idx.matches(Npm, "pkg", "3.0.0").is_empty());
    assert_eq!(
        idx.matches(Npm, "pkg", "99.0.0")[0].advisory.id,
        "GHSA-star"
    );
}

#[test]
fn unknown_range_type_warns_and_matches_as_possible() {
    let advisory = synthetic(&record(
        "GHSA-unknown",
        r#""ranges": [{"type": "CALVER", "events": [{"introduced": "2024.01"}]}]"#,
    ));
    assert!(matches!(
        &advisory.warnings()[0].kind,
        WarningKind::UnsupportedRangeType { range_type, .. } if range_type == "CALVER"
    ));
    assert!(
        advisory.warnings()[0]
            .to_string()
            .contains("synthetic: GHSA-unknown")
    );
    let idx: AdvisoryIndex = [advisory].into_iter().collect();
    assert_eq!(idx.warnings().count(), 1);
    let hit = idx.matches(Npm, "pkg", "1.0.0");
    assert_eq!(hit.len(), 1, "never a silent 'not affected'");
    assert_eq!(hit[0].certainty, Certainty::Possible);
    assert!(hit[0].notes[0].contains("CALVER"), "{:?}", hit[0].notes);
}

#[test]
fn git_ranges_are_skipped_silently() {
    let advisory = synthetic(&record(
        "GHSA-git",
        r#""ranges": [{"type": "GIT", "repo": "https://git.example/pkg",
            "events": [{"introduced": "0"}, {"fixed": "4f1b1a1c0d6c5e4f1b1a1c0d6c5e4f1b1a1c0d6c"}]}]"#,
    ));
    assert!(advisory.warnings().is_empty());
    assert_eq!(
        advisory.affected[0].ranges[0].repo.as_deref(),
        Some("https://git.example/pkg")
    );
    let idx: AdvisoryIndex = [advisory].into_iter().collect();
    assert!(idx.matches(Npm, "pkg", "1.0.0").is_empty());
}

#[test]
fn git_range_next_to_a_versions_list_still_matches_the_list() {
    let idx = index(&[record(
        "GHSA-git-versions",
        r#""versions": ["1.2.3"],
           "ranges": [{"type": "GIT", "repo": "https://git.example/pkg", "events": [{"introduced": "abc"}]}]"#,
    )]);
    assert_eq!(
        idx.matches(Npm, "pkg", "1.2.3")[0].certainty,
        Certainty::Affected
    );
    assert!(idx.matches(Npm, "pkg", "1.2.4").is_empty());
}

#[test]
fn invalid_bound_warns_and_matches_as_possible() {
    let advisory = synthetic(&record(
        "GHSA-bad-bound",
        r#""ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "next-week"}]}]"#,
    ));
    assert!(matches!(
        &advisory.warnings()[0].kind,
        WarningKind::InvalidBound { version, event: "fixed", .. } if version == "next-week"
    ));
    let idx: AdvisoryIndex = [advisory].into_iter().collect();
    let hit = idx.matches(Npm, "pkg", "1.0.0");
    assert_eq!(hit[0].certainty, Certainty::Possible);
    assert!(hit[0].notes[0].contains("next-week"));
}

#[test]
fn malformed_event_and_missing_introduced_are_reported() {
    let two_keys = synthetic(&record(
        "GHSA-two-keys",
        r#""ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0", "fixed": "2.0.0"}]}]"#,
    ));
    assert!(
        two_keys
            .warnings()
            .iter()
            .any(|w| matches!(w.kind, WarningKind::MalformedEvent { .. }))
    );
    let idx: AdvisoryIndex = [two_keys].into_iter().collect();
    assert_eq!(
        idx.matches(Npm, "pkg", "1.5.0")[0].certainty,
        Certainty::Possible
    );

    let no_intro = synthetic(&record(
        "GHSA-no-intro",
        r#""ranges": [{"type": "SEMVER", "events": [{"fixed": "2.0.0"}]}]"#,
    ));
    assert!(
        no_intro
            .warnings()
            .iter()
            .any(|w| matches!(w.kind, WarningKind::NoIntroduced { .. }))
    );
    let idx: AdvisoryIndex = [no_intro].into_iter().collect();
    assert!(
        idx.matches(Npm, "pkg", "1.0.0").is_empty(),
        "per the OSV algorithm"
    );
}

#[test]
fn unparseable_package_version_is_flagged_not_dropped() {
    let bounded = record(
        "GHSA-bounded",
        r#""ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "2.0.0"}]}]"#,
    );
    let everything = record(
        "MAL-2025-9",
        r#""ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]"#,
    );
    let listed = record("MAL-2025-10", r#""versions": ["git+ssh://weird"]"#);
    let idx = index(&[bounded, everything, listed]);

    let hit = idx.matches(Npm, "pkg", "latest-and-greatest");
    let by_id = |id: &str| hit.iter().find(|m| m.advisory.id == id).unwrap();
    assert_eq!(hit.len(), 2);
    // `introduced: 0` alone covers every version, parseable or not.
    assert_eq!(by_id("MAL-2025-9").certainty, Certainty::Affected);
    let possible = by_id("GHSA-bounded");
    assert_eq!(possible.certainty, Certainty::Possible);
    assert!(
        possible.notes[0].contains("latest-and-greatest"),
        "{:?}",
        possible.notes
    );
    // Definite matches sort before possible ones.
    assert_eq!(hit[0].advisory.id, "MAL-2025-9");

    // An explicit versions entry matches by string even if it is not semver.
    let hit = idx.matches(Npm, "pkg", "git+ssh://weird");
    assert!(
        hit.iter()
            .any(|m| m.advisory.id == "MAL-2025-10" && m.certainty == Certainty::Affected)
    );
}

#[test]
fn mal_record_and_ghsa_alias_give_one_match_preferring_mal() {
    let mal = fixture("npm/debug/MAL-2025-46974.json");
    let ghsa = synthetic(
        r#"{"id": "GHSA-8mgj-vmr8-frr6", "modified": "2025-09-09T00:00:00Z",
            "aliases": ["CVE-2025-0001"],
            "database_specific": {"cwe_ids": ["CWE-506"], "severity": "CRITICAL"},
            "affected": [{"package": {"ecosystem": "npm", "name": "debug"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "4.4.2"}, {"fixed": "4.4.3"}]}]}]}"#,
    );
    for order in [[mal.clone(), ghsa.clone()], [ghsa.clone(), mal.clone()]] {
        let idx: AdvisoryIndex = order.into_iter().collect();
        let hit = idx.matches(Npm, "debug", "4.4.2");
        assert_eq!(hit.len(), 1, "one match per alias group");
        assert_eq!(hit[0].advisory.id, "MAL-2025-46974");
        assert_eq!(hit[0].also[0].id, "GHSA-8mgj-vmr8-frr6");
        assert_eq!(
            hit[0].aliases,
            [
                "CVE-2025-0001",
                "GHSA-4x49-vf9v-38px",
                "GHSA-8mgj-vmr8-frr6"
            ]
        );
        assert_eq!(
            hit[0].fixed.as_deref(),
            Some("4.4.3"),
            "the GHSA knows the fix"
        );
        assert_eq!(hit[0].kind, AdvisoryKind::KnownMalware);
    }
}

#[test]
fn mal_duplicates_sharing_an_alias_prefer_the_real_mal_id() {
    let staging = synthetic(
        &record("MAL-0000-pkg-dup", r#""versions": ["1.0.0"]"#).replace(
            r#""modified""#,
            r#""aliases": ["GHSA-aaaa-bbbb-cccc"], "modified""#,
        ),
    );
    let real = synthetic(&record("MAL-2025-77", r#""versions": ["1.0.0"]"#).replace(
        r#""modified""#,
        r#""aliases": ["GHSA-aaaa-bbbb-cccc"], "modified""#,
    ));
    let unrelated = synthetic(&record("GHSA-zzzz-zzzz-zzzz", r#""versions": ["1.0.0"]"#));
    let idx: AdvisoryIndex = [staging, unrelated, real].into_iter().collect();
    let hit = idx.matches(Npm, "pkg", "1.0.0");
    let ids: Vec<_> = hit.iter().map(|m| m.advisory.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"MAL-2025-77") && ids.contains(&"GHSA-zzzz-zzzz-zzzz"));
    let mal = hit.iter().find(|m| m.advisory.id == "MAL-2025-77").unwrap();
    assert_eq!(mal.aliases, ["GHSA-aaaa-bbbb-cccc", "MAL-0000-pkg-dup"]);
}

#[test]
fn ghsa_preferred_over_other_databases() {
    let pysec = synthetic(
        r#"{"id": "PYSEC-2025-1", "aliases": ["GHSA-pppp-qqqq-rrrr"],
            "affected": [{"package": {"ecosystem": "PyPI", "name": "Some_Pkg"}, "versions": ["1.0"]}]}"#,
    );
    let ghsa = synthetic(
        r#"{"id": "GHSA-pppp-qqqq-rrrr", "aliases": ["PYSEC-2025-1"],
            "affected": [{"package": {"ecosystem": "PyPI", "name": "some.pkg"}, "versions": ["1.0"]}]}"#,
    );
    let idx: AdvisoryIndex = [pysec, ghsa].into_iter().collect();
    let hit = idx.matches(PyPI, "some-pkg", "1.0");
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].advisory.id, "GHSA-pppp-qqqq-rrrr");
    assert_eq!(hit[0].aliases, ["PYSEC-2025-1"]);
}

#[test]
fn later_modified_wins_and_ties_go_to_withdrawn() {
    let body = r#""versions": ["1.0.0"]"#;
    let old = synthetic(&record("MAL-2025-5", body));
    let newer = synthetic(
        &record("MAL-2025-5", r#""versions": ["2.0.0"]"#)
            .replace("2025-01-01T00:00:00Z", "2025-06-01T00:00:00.123456789Z"),
    );
    let mut idx = AdvisoryIndex::new();
    assert_eq!(idx.insert(newer.clone()), Inserted::New);
    assert_eq!(idx.insert(old.clone()), Inserted::KeptExisting);
    assert!(idx.matches(Npm, "pkg", "1.0.0").is_empty());
    assert_eq!(idx.matches(Npm, "pkg", "2.0.0").len(), 1);

    let mut idx = AdvisoryIndex::new();
    idx.insert(old.clone());
    assert_eq!(idx.insert(newer), Inserted::Replaced);
    assert!(
        idx.matches(Npm, "pkg", "1.0.0").is_empty(),
        "old keys are gone"
    );
    assert_eq!(idx.len(), 1);

    let withdrawn_same_time = synthetic(&record("MAL-2025-5", body).replace(
        r#""modified""#,
        r#""withdrawn": "2025-01-01T00:00:00Z", "modified""#,
    ));
    let mut idx = AdvisoryIndex::new();
    idx.insert(withdrawn_same_time.clone());
    assert_eq!(idx.insert(old.clone()), Inserted::KeptExisting);
    assert!(idx.matches(Npm, "pkg", "1.0.0").is_empty());
    let mut idx = AdvisoryIndex::new();
    idx.insert(old);
    assert_eq!(idx.insert(withdrawn_same_time), Inserted::Replaced);
    assert!(idx.matches(Npm, "pkg", "1.0.0").is_empty());
}

#[test]
fn severity_from_label_then_cvss_then_unknown() {
    let labelled =
        fixture("ghsa/github-reviewed/2023/11/GHSA-wf5p-g6vw-rhxx/GHSA-wf5p-g6vw-rhxx.json");
    assert_eq!(
        labelled.severity,
        Severity::Medium,
        "MODERATE label, no vector"
    );

    let cvss_only = synthetic(
        r#"{"id": "OSV-cvss", "severity": [{"type": "CVSS_V3",
            "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}], "affected": []}"#,
    );
    assert_eq!(cvss_only.severity, Severity::Critical);
    assert_eq!(cvss_only.scores[0].base_score, Some(9.8));

    let per_package = synthetic(
        r#"{"id": "OSV-pkg-cvss", "affected": [{"package": {"ecosystem": "npm", "name": "x"},
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
            "versions": ["1.0.0"]}]}"#,
    );
    assert_eq!(per_package.severity, Severity::Medium);

    let v4_only = synthetic(
        r#"{"id": "OSV-v4", "severity": [{"type": "CVSS_V4",
            "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}"#,
    );
    assert_eq!(v4_only.severity, Severity::Unknown);
    assert_eq!(v4_only.kind, AdvisoryKind::Vulnerability);

    let malware_label_low =
        synthetic(r#"{"id": "MAL-2025-3", "database_specific": {"severity": "LOW"}}"#);
    assert_eq!(
        malware_label_low.severity,
        Severity::Critical,
        "malware is always critical"
    );
}

#[test]
fn crates_io_ranges_use_cargo_semver() {
    let idx = index(&[r#"{"id": "RUSTSEC-2025-0001", "affected": [{"package":
        {"ecosystem": "crates.io", "name": "evil-crate"},
        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.2"}, {"fixed": "0.3.1"}]}]}]}"#
        .to_string()]);
    assert_eq!(
        idx.matches(CratesIo, "evil-crate", "0.3.0")[0]
            .fixed
            .as_deref(),
        Some("0.3.1")
    );
    assert_eq!(
        idx.matches(CratesIo, "evil-crate", "0.3.0+build.7").len(),
        1
    );
    assert!(idx.matches(CratesIo, "evil-crate", "0.1.9").is_empty());
    assert!(idx.matches(CratesIo, "evil-crate", "0.3.1").is_empty());
    assert!(idx.matches(Npm, "evil-crate", "0.3.0").is_empty());
}

#[test]
fn introduced_equal_to_fixed_is_an_empty_range() {
    let idx = index(&[record(
        "GHSA-empty",
        r#""ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}, {"introduced": "1.0.0"}]}]"#,
    )]);
    assert!(idx.matches(Npm, "pkg", "1.0.0").is_empty());
}
