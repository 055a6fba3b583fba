//! Matching against real OSV records, one test per variation the records show.

mod common;

use common::{fixture, full_index, index_of};
use ringfence_advisory::{AdvisoryIndex, AdvisoryKind, Certainty, Match, Severity};
use ringfence_package::Ecosystem::{self, Npm, PyPI};

fn ids(matches: &[Match]) -> Vec<&str> {
    matches.iter().map(|m| m.advisory.id.as_str()).collect()
}

fn affected(index: &AdvisoryIndex, eco: Ecosystem, name: &str, version: &str) -> Vec<String> {
    index
        .matches(eco, name, version)
        .into_iter()
        .filter(|m| m.certainty == Certainty::Affected)
        .map(|m| m.advisory.id.clone())
        .collect()
}

#[test]
fn versions_only_record_matches_exactly_the_listed_version() {
    let index = index_of(&["npm/chalk/MAL-2025-46969.json"]);
    let hit = index.matches(Npm, "chalk", "5.6.1");
    assert_eq!(ids(&hit), ["MAL-2025-46969"]);
    assert_eq!(hit[0].kind, AdvisoryKind::KnownMalware);
    assert_eq!(hit[0].severity, Severity::Critical);
    assert_eq!(hit[0].fixed, None, "a versions list names no fix");
    assert!(index.matches(Npm, "chalk", "5.6.0").is_empty());
    assert!(index.matches(Npm, "chalk", "5.6.2").is_empty());
}

#[test]
fn ranges_only_record_reports_the_fix() {
    let index = index_of(&["npm/@solana/web3.js/MAL-2024-11183.json"]);
    for v in ["1.95.6", "1.95.7"] {
        let hit = index.matches(Npm, "@solana/web3.js", v);
        assert_eq!(ids(&hit), ["MAL-2024-11183"], "{v}");
        assert_eq!(hit[0].fixed.as_deref(), Some("1.95.8"));
    }
    for v in ["1.95.5", "1.95.8", "1.98.0"] {
        assert!(index.matches(Npm, "@solana/web3.js", v).is_empty(), "{v}");
    }
}

#[test]
fn versions_and_ranges_both_count_and_unsorted_pairs_are_sorted() {
    // ngx-bootstrap: versions list includes 18.1.4, which no range covers; the one
    // SEMVER range holds two introduced/last_affected pairs, written out of order.
    let index = index_of(&["npm/ngx-bootstrap/MAL-2025-47197.json"]);
    assert_eq!(
        affected(&index, Npm, "ngx-bootstrap", "18.1.4"),
        ["MAL-2025-47197"]
    );
    for v in ["19.0.3", "19.0.4", "20.0.3", "20.0.6"] {
        assert_eq!(
            affected(&index, Npm, "ngx-bootstrap", v),
            ["MAL-2025-47197"],
            "{v}"
        );
    }
    for v in ["18.1.3", "19.0.2", "19.0.5", "20.0.2", "20.0.7"] {
        assert!(index.matches(Npm, "ngx-bootstrap", v).is_empty(), "{v}");
    }
    let hit = index.matches(Npm, "ngx-bootstrap", "20.0.5");
    assert_eq!(hit[0].last_affected.as_deref(), Some("20.0.6"));
    let hit = index.matches(Npm, "ngx-bootstrap", "19.0.3");
    assert_eq!(hit[0].last_affected.as_deref(), Some("19.0.4"));
}

#[test]
fn versions_entry_outside_its_range_still_matches() {
    // pwm-components lists 10.0.0 but its range starts at 999.999.999.
    let index = index_of(&["npm/pwm-components/MAL-2025-6672.json"]);
    assert_eq!(
        affected(&index, Npm, "pwm-components", "10.0.0"),
        ["MAL-2025-6672"]
    );
    assert_eq!(
        affected(&index, Npm, "pwm-components", "999.999.999"),
        ["MAL-2025-6672"]
    );
    assert!(index.matches(Npm, "pwm-components", "10.0.1").is_empty());
}

#[test]
fn ecosystem_ranges_with_versions_give_the_fix_of_the_matching_entry() {
    let index =
        index_of(&["ghsa/github-reviewed/2021/10/GHSA-pjwm-rvh2-c87w/GHSA-pjwm-rvh2-c87w.json"]);
    let cases = [("0.7.29", "0.7.30"), ("0.8.0", "0.8.1"), ("1.0.0", "1.0.1")];
    for (v, fix) in cases {
        let hit = index.matches(Npm, "ua-parser-js", v);
        assert_eq!(ids(&hit), ["GHSA-pjwm-rvh2-c87w"], "{v}");
        assert_eq!(hit[0].fixed.as_deref(), Some(fix), "{v}");
        assert_eq!(
            hit[0].kind,
            AdvisoryKind::KnownMalware,
            "CWE-506 makes it malware"
        );
    }
    for v in ["0.7.28", "0.7.30", "0.8.1", "1.0.1", "2.0.0"] {
        assert!(index.matches(Npm, "ua-parser-js", v).is_empty(), "{v}");
    }
}

#[test]
fn several_affected_entries_for_one_package() {
    let index =
        index_of(&["ghsa/github-reviewed/2021/08/GHSA-r628-mhmh-qjhw/GHSA-r628-mhmh-qjhw.json"]);
    let cases = [
        ("3.2.2", Some("3.2.3")),
        ("4.4.14", Some("4.4.15")),
        ("5.0.6", Some("5.0.7")),
        ("6.1.1", Some("6.1.2")),
    ];
    for (v, fix) in cases {
        let hit = index.matches(Npm, "tar", v);
        assert_eq!(hit.len(), 1, "one match per advisory, not per entry: {v}");
        assert_eq!(hit[0].fixed.as_deref(), fix, "{v}");
        assert_eq!(hit[0].kind, AdvisoryKind::Vulnerability);
        assert_eq!(hit[0].severity, Severity::High, "database label HIGH");
    }
    for v in ["3.2.3", "3.2.5", "4.4.15", "5.0.7", "6.1.2", "7.0.0"] {
        assert!(index.matches(Npm, "tar", v).is_empty(), "{v}");
    }
    // qs: nine entries, each its own minor line.
    let index =
        index_of(&["ghsa/github-reviewed/2022/11/GHSA-hrpp-h998-j3pp/GHSA-hrpp-h998-j3pp.json"]);
    assert_eq!(
        index.matches(Npm, "qs", "6.9.6")[0].fixed.as_deref(),
        Some("6.9.7")
    );
    assert_eq!(
        index.matches(Npm, "qs", "6.2.3")[0].fixed.as_deref(),
        Some("6.2.4")
    );
    assert!(index.matches(Npm, "qs", "6.9.7").is_empty());
    assert!(index.matches(Npm, "qs", "6.11.0").is_empty());
}

#[test]
fn several_packages_in_one_advisory() {
    let record =
        fixture("ghsa/github-reviewed/2020/07/GHSA-p6mc-m468-83gw/GHSA-p6mc-m468-83gw.json");
    assert_eq!(
        record.keys(),
        [(Npm, "lodash".to_string()), (Npm, "lodash-es".to_string())]
    );
    let index: AdvisoryIndex = [record].into_iter().collect();
    for name in ["lodash", "lodash-es"] {
        let hit = index.matches(Npm, name, "4.17.19");
        assert_eq!(ids(&hit), ["GHSA-p6mc-m468-83gw"], "{name}");
        assert_eq!(hit[0].fixed.as_deref(), Some("4.17.20"));
        assert!(hit[0].aliases.contains(&"CVE-2020-8203".to_string()));
    }
    assert!(index.matches(Npm, "lodash", "4.17.20").is_empty());
    assert!(
        index.matches(PyPI, "lodash", "4.17.19").is_empty(),
        "other ecosystem"
    );
}

#[test]
fn last_affected_is_inclusive_and_reported() {
    let index =
        index_of(&["ghsa/github-reviewed/2023/03/GHSA-p8p7-x288-28g6/GHSA-p8p7-x288-28g6.json"]);
    let hit = index.matches(Npm, "request", "2.88.2");
    assert_eq!(ids(&hit), ["GHSA-p8p7-x288-28g6"]);
    assert_eq!(hit[0].last_affected.as_deref(), Some("2.88.2"));
    assert_eq!(hit[0].fixed, None);
    assert!(index.matches(Npm, "request", "2.88.3").is_empty());
    assert_eq!(
        affected(&index, Npm, "@cypress/request", "2.88.11"),
        ["GHSA-p8p7-x288-28g6"]
    );
    assert!(index.matches(Npm, "@cypress/request", "3.0.0").is_empty());
}

#[test]
fn prerelease_bounds_follow_semver_precedence() {
    let index =
        index_of(&["ghsa/github-reviewed/2024/03/GHSA-rv95-896h-c2vc/GHSA-rv95-896h-c2vc.json"]);
    for v in ["5.0.0-alpha.1", "5.0.0-alpha.8", "5.0.0-beta.1", "4.19.1"] {
        assert_eq!(
            affected(&index, Npm, "express", v),
            ["GHSA-rv95-896h-c2vc"],
            "{v}"
        );
    }
    assert_eq!(
        index.matches(Npm, "express", "5.0.0-beta.2")[0]
            .fixed
            .as_deref(),
        Some("5.0.0-beta.3")
    );
    for v in ["5.0.0-beta.3", "5.0.0", "4.19.2", "5.0.0-alpha.0"] {
        assert!(index.matches(Npm, "express", v).is_empty(), "{v}");
    }
}

#[test]
fn short_bound_like_1_0_is_read_as_1_0_0() {
    // node-fetch's GHSA writes `introduced: "1.0"`, which strict semver refuses.
    let record =
        fixture("ghsa/github-reviewed/2022/01/GHSA-r683-j2x4-v87g/GHSA-r683-j2x4-v87g.json");
    assert!(record.warnings().is_empty(), "{:?}", record.warnings());
    let index: AdvisoryIndex = [record].into_iter().collect();
    assert_eq!(
        affected(&index, Npm, "node-fetch", "3.1.0"),
        ["GHSA-r683-j2x4-v87g"]
    );
    assert_eq!(
        index.matches(Npm, "node-fetch", "3.1.0")[0]
            .fixed
            .as_deref(),
        Some("3.1.1")
    );
    assert_eq!(
        affected(&index, Npm, "node-fetch", "2.6.6"),
        ["GHSA-r683-j2x4-v87g"]
    );
    assert!(index.matches(Npm, "node-fetch", "3.1.1").is_empty());
}

#[test]
fn odd_npm_prerelease_version_from_versions_list() {
    let index = index_of(&["npm/snapon-imageviewer-lw/MAL-2025-139.json"]);
    assert_eq!(
        affected(&index, Npm, "snapon-imageviewer-lw", "17.0.0-LW-R"),
        ["MAL-2025-139"]
    );
    // Its range is `introduced: 0`, so every other version is affected too.
    assert_eq!(
        affected(&index, Npm, "snapon-imageviewer-lw", "1.0.0"),
        ["MAL-2025-139"]
    );
}

#[test]
fn pypi_zero_and_four_part_versions() {
    let index = index_of(&[
        "pypi/90456984689490856/MAL-2024-4728.json",
        "pypi/0-8/MAL-2025-2925.json",
        "pypi/1337test/MAL-2024-4720.json",
    ]);
    assert_eq!(
        affected(&index, PyPI, "90456984689490856", "0"),
        ["MAL-2024-4728"]
    );
    // PEP 440 equality: 0.0 is the same release as 0.
    assert_eq!(
        affected(&index, PyPI, "90456984689490856", "0.0"),
        ["MAL-2024-4728"]
    );
    assert!(index.matches(PyPI, "90456984689490856", "1").is_empty());

    assert_eq!(affected(&index, PyPI, "0-8", "0.0.0.1"), ["MAL-2025-2925"]);
    assert_eq!(
        affected(&index, PyPI, "0_8", "0.0.0.1"),
        ["MAL-2025-2925"],
        "PEP 503 name"
    );
    assert!(index.matches(PyPI, "0-8", "0.0.1").is_empty());
    assert!(index.matches(PyPI, "0-8", "0.0.0.2").is_empty());

    assert_eq!(affected(&index, PyPI, "1337test", "1.0"), ["MAL-2024-4720"]);
}

#[test]
fn pypi_ecosystem_range_from_zero() {
    let index = index_of(&["pypi/fabrice/MAL-2024-10573.json"]);
    assert_eq!(
        affected(&index, PyPI, "Fabrice", "2.9.3"),
        ["MAL-2024-10573"]
    );
    assert_eq!(
        affected(&index, PyPI, "fabrice", "0.0.1.dev1"),
        ["MAL-2024-10573"]
    );
}

#[test]
fn scoped_dashed_and_dotted_names() {
    let index = full_index();
    assert_eq!(affected(&index, Npm, "--hiljson", "1.0.0"), ["MAL-2022-2"]);
    assert_eq!(affected(&index, Npm, "-d3-ushape", "0.0.1"), ["MAL-2022-5"]);
    assert_eq!(
        affected(&index, Npm, "bignum.js", "3.0.0"),
        ["MAL-2024-10917"]
    );
    assert_eq!(
        affected(&index, Npm, "@nx/devkit", "21.5.0"),
        ["MAL-2025-41436"]
    );
    assert!(index.matches(Npm, "@nx/devkit", "21.4.0").is_empty());
    assert!(index.matches(Npm, "hiljson", "1.0.0").is_empty());
    assert!(index.matches(Npm, "nx/devkit", "21.5.0").is_empty());
}

#[test]
fn withdrawn_record_overrides_the_live_copy_in_either_order() {
    let live = "npm/@ctrl/plex/MAL-2026-4377.json";
    let withdrawn = "withdrawn/npm/@ctrl/plex/MAL-2026-4377.json";
    for order in [[live, withdrawn], [withdrawn, live]] {
        let index = index_of(&order);
        assert_eq!(index.len(), 1);
        assert!(
            index.get("MAL-2026-4377").unwrap().is_withdrawn(),
            "{order:?}"
        );
        assert!(
            index.matches(Npm, "@ctrl/plex", "6.0.0").is_empty(),
            "{order:?}"
        );
    }
    let live_only = index_of(&[live]);
    assert_eq!(
        affected(&live_only, Npm, "@ctrl/plex", "6.0.0"),
        ["MAL-2026-4377"]
    );
}

#[test]
fn withdrawn_false_positives_never_match() {
    let index = full_index();
    assert!(index.matches(PyPI, "fastapi", "0.136.3").is_empty());
    assert!(
        index
            .matches(Npm, "@amber-team/amazon-utils", "1.0.0")
            .is_empty()
    );
}

#[test]
fn flatmap_stream_0_1_1_is_covered() {
    let index = full_index();
    let hit = index.matches(Npm, "flatmap-stream", "0.1.1");
    assert_eq!(
        ids(&hit),
        ["MAL-2025-20690"],
        "the real 2018 malicious release"
    );
    // The staging record (no id, lists only 11.1.1) was refused, so it adds nothing.
    assert!(index.get("MAL-0000-flatmap-stream").is_none());
}

#[test]
fn duckdb_staging_duplicate_is_refused_and_the_real_record_matches() {
    let index = full_index();
    assert_eq!(affected(&index, Npm, "duckdb", "1.3.3"), ["MAL-2025-46994"]);
    assert!(index.matches(Npm, "duckdb", "1.3.4").is_empty());
    let record = index.get("MAL-2025-46994").unwrap();
    assert_eq!(record.iocs.domains, ["npmjs.help"]);
}

#[test]
fn node_ipc_and_nx_staging_files_do_not_double_report() {
    let index = full_index();
    let hit = index.matches(Npm, "node-ipc", "9.2.3");
    assert_eq!(ids(&hit), ["MAL-2026-3744"]);
    assert!(hit[0].aliases.contains(&"GHSA-pvh2-rg5g-69v7".to_string()));
    let hit = index.matches(Npm, "nx", "21.5.0");
    assert_eq!(ids(&hit), ["MAL-2025-41443"]);
    assert!(index.matches(Npm, "node-ipc", "9.2.2").is_empty());
}

#[test]
fn tinycolor_record_flags_every_version_as_published() {
    // The real record's first range is `introduced: 0` with no end.
    let index = index_of(&["npm/@ctrl/tinycolor/MAL-2025-47141.json"]);
    assert_eq!(
        affected(&index, Npm, "@ctrl/tinycolor", "4.1.1"),
        ["MAL-2025-47141"]
    );
    assert_eq!(
        affected(&index, Npm, "@ctrl/tinycolor", "4.1.0"),
        ["MAL-2025-47141"]
    );
}

#[test]
fn unsupported_ecosystem_entries_are_not_indexed() {
    // GHSA-j8xg-fqg3-53r7 names `GitHub Actions`, which ringfence does not scan.
    let record =
        fixture("ghsa/github-reviewed/2023/06/GHSA-j8xg-fqg3-53r7/GHSA-j8xg-fqg3-53r7.json");
    assert!(record.affected.is_empty());
    assert!(record.keys().is_empty());
    assert!(record.warnings().is_empty(), "not a warning: just not ours");
    let index: AdvisoryIndex = [record].into_iter().collect();
    assert!(index.matches(Npm, "word-wrap", "1.2.3").is_empty());
}

#[test]
fn alias_of_a_cve_does_not_group_different_advisories() {
    // Two express advisories with different CVEs stay two matches.
    let index = index_of(&[
        "ghsa/github-reviewed/2024/03/GHSA-rv95-896h-c2vc/GHSA-rv95-896h-c2vc.json",
        "ghsa/github-reviewed/2024/09/GHSA-qw6h-vgh9-j6wx/GHSA-qw6h-vgh9-j6wx.json",
    ]);
    let hit = index.matches(Npm, "express", "4.19.1");
    assert_eq!(ids(&hit).len(), 2);
}
