#![no_main]
//! Feeds arbitrary bytes as an incident export bundle (a plain tar) to the offline verifier.
//! Bundles come from other parties: it must return a report or an error, never panic, hang or
//! hold more than the limits allow, and every problem it reports must be safe to print.

use libfuzzer_sys::fuzz_target;
use ringfence_incident::bundle::{BundleLimits, verify_bundle};

fuzz_target!(|data: &[u8]| {
    // Small limits so the fuzzer reaches them.
    let limits = BundleLimits {
        max_entries: 64,
        max_entry_bytes: 256 << 10,
        max_total_bytes: 1 << 20,
    };
    if let Ok(report) = verify_bundle(data, &limits) {
        assert!(report.files as u64 <= limits.max_entries);
        assert!(report.evidence <= report.files);
        assert_eq!(report.manifest_sha256.len(), 64);
        for problem in &report.problems {
            assert!(!problem.chars().any(char::is_control), "{problem:?}");
        }
        let _ = serde_json::to_string(&report).expect("reports serialise");
    }
});
