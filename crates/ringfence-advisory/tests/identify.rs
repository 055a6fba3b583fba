//! Identification: the example shop's lockfiles against the built-in snapshot, as every front
//! end runs it.

use std::path::{Path, PathBuf};

use ringfence_advisory::identify::{Finding, identify};
use ringfence_advisory::{AdvisoryIndex, AdvisoryKind, snapshot};
use ringfence_lockfile::{discover, read_lockfile};

fn shop_findings() -> Vec<Finding> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/webshop");
    let (found, errors) = discover(std::slice::from_ref(&root));
    assert!(errors.is_empty(), "{errors:?}");
    let lockfiles: Vec<_> = found
        .iter()
        .map(|(path, format)| read_lockfile(path, *format).expect("the example parses"))
        .collect();
    let mut index = AdvisoryIndex::new();
    for advisory in snapshot() {
        index.insert(advisory);
    }
    let locate = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    identify(&lockfiles, &index, locate)
}

#[test]
fn the_example_shop_has_three_malicious_releases_sorted_malware_first() {
    let findings = shop_findings();
    let malware: Vec<String> = findings
        .iter()
        .filter(|f| f.advisory.kind == AdvisoryKind::KnownMalware)
        .map(|f| format!("{}@{} {}", f.package, f.version, f.lockfile))
        .collect();
    assert_eq!(
        malware,
        [
            "ua-parser-js@0.7.29 admin/yarn.lock",
            "debug@4.4.2 storefront/package-lock.json",
            "flatmap-stream@0.1.1 storefront/package-lock.json",
        ]
    );
    // Known malware comes before anything else.
    let first_other = findings
        .iter()
        .position(|f| f.advisory.kind != AdvisoryKind::KnownMalware)
        .unwrap_or(findings.len());
    assert_eq!(first_other, malware.len());
}

#[test]
fn a_finding_says_how_it_got_there_and_what_to_do() {
    let findings = shop_findings();
    let debug = findings.iter().find(|f| f.package == "debug").unwrap();
    assert!(debug.direct);
    assert_eq!(debug.path_display(), "webshop-storefront → debug@4.4.2");
    assert!(
        debug.remediation.starts_with("remove it or pin"),
        "{}",
        debug.remediation
    );
    assert!(debug.line.is_some());

    let flatmap = findings
        .iter()
        .find(|f| f.package == "flatmap-stream")
        .unwrap();
    assert!(!flatmap.direct && flatmap.dev);
    assert!(
        flatmap
            .remediation
            .starts_with("pulled in by npm-run-all@4.1.3"),
        "{}",
        flatmap.remediation
    );
}

#[test]
fn campaign_keys_tie_the_records_of_one_attack_together() {
    let findings = shop_findings();
    let debug = findings.iter().find(|f| f.package == "debug").unwrap();
    let keys = &debug.advisory.campaign;
    for expected in [
        "MAL-2025-46974",
        "GHSA-8mgj-vmr8-frr6",
        "GHSA-4x49-vf9v-38px",
    ] {
        assert!(
            keys.iter().any(|k| k == expected),
            "{expected} not in {keys:?}"
        );
    }
    assert!(
        keys.iter()
            .any(|k| k.ends_with("npm-debug-and-chalk-packages-compromised")),
        "the write-up every record of the attack cites: {keys:?}"
    );
    // An unrelated attack shares none of them.
    let flatmap = findings
        .iter()
        .find(|f| f.package == "flatmap-stream")
        .unwrap();
    assert!(
        flatmap.advisory.campaign.iter().all(|k| !keys.contains(k)),
        "{:?}",
        flatmap.advisory.campaign
    );
}
