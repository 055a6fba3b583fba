//! A curated snapshot of famous malicious releases, compiled into the binary so an
//! offline scan on a fresh machine (no advisory database yet) still finds them.
//! The records are the real ones, unmodified: see `snapshot/README.md` for where
//! each came from, its licence, and what its ranges do and do not cover.

use crate::advisory::Advisory;
use crate::import::parse_record;

/// `(path under snapshot/, JSON text)` of every embedded record.
const RECORDS: &[(&str, &str)] = &[
    (
        "ghsa/GHSA-pjwm-rvh2-c87w.json",
        include_str!("../snapshot/ghsa/GHSA-pjwm-rvh2-c87w.json"),
    ),
    (
        "npm/@ctrl/tinycolor/MAL-2025-47141.json",
        include_str!("../snapshot/npm/@ctrl/tinycolor/MAL-2025-47141.json"),
    ),
    (
        "npm/@duckdb/node-api/MAL-2025-46992.json",
        include_str!("../snapshot/npm/@duckdb/node-api/MAL-2025-46992.json"),
    ),
    (
        "npm/@ledgerhq/connect-kit/MAL-2023-8697.json",
        include_str!("../snapshot/npm/@ledgerhq/connect-kit/MAL-2023-8697.json"),
    ),
    (
        "npm/@lottiefiles/lottie-player/MAL-2024-10301.json",
        include_str!("../snapshot/npm/@lottiefiles/lottie-player/MAL-2024-10301.json"),
    ),
    (
        "npm/@nx/devkit/MAL-2025-41436.json",
        include_str!("../snapshot/npm/@nx/devkit/MAL-2025-41436.json"),
    ),
    (
        "npm/@nx/js/MAL-2025-41439.json",
        include_str!("../snapshot/npm/@nx/js/MAL-2025-41439.json"),
    ),
    (
        "npm/@nx/key/MAL-2025-41440.json",
        include_str!("../snapshot/npm/@nx/key/MAL-2025-41440.json"),
    ),
    (
        "npm/@solana/web3.js/MAL-2024-11183.json",
        include_str!("../snapshot/npm/@solana/web3.js/MAL-2024-11183.json"),
    ),
    (
        "npm/ansi-regex/MAL-2025-46966.json",
        include_str!("../snapshot/npm/ansi-regex/MAL-2025-46966.json"),
    ),
    (
        "npm/ansi-styles/MAL-2025-46967.json",
        include_str!("../snapshot/npm/ansi-styles/MAL-2025-46967.json"),
    ),
    (
        "npm/chalk/MAL-2025-46969.json",
        include_str!("../snapshot/npm/chalk/MAL-2025-46969.json"),
    ),
    (
        "npm/color-convert/MAL-2025-46971.json",
        include_str!("../snapshot/npm/color-convert/MAL-2025-46971.json"),
    ),
    (
        "npm/debug/MAL-2025-46974.json",
        include_str!("../snapshot/npm/debug/MAL-2025-46974.json"),
    ),
    (
        "npm/duckdb/MAL-2025-46994.json",
        include_str!("../snapshot/npm/duckdb/MAL-2025-46994.json"),
    ),
    (
        "npm/eslint-config-prettier/MAL-2025-6022.json",
        include_str!("../snapshot/npm/eslint-config-prettier/MAL-2025-6022.json"),
    ),
    (
        "npm/eslint-plugin-prettier/MAL-2025-6023.json",
        include_str!("../snapshot/npm/eslint-plugin-prettier/MAL-2025-6023.json"),
    ),
    (
        "npm/flatmap-stream/MAL-2025-20690.json",
        include_str!("../snapshot/npm/flatmap-stream/MAL-2025-20690.json"),
    ),
    (
        "npm/getcookies/MAL-2025-21368.json",
        include_str!("../snapshot/npm/getcookies/MAL-2025-21368.json"),
    ),
    (
        "npm/is/MAL-2025-6020.json",
        include_str!("../snapshot/npm/is/MAL-2025-6020.json"),
    ),
    (
        "npm/ngx-bootstrap/MAL-2025-47197.json",
        include_str!("../snapshot/npm/ngx-bootstrap/MAL-2025-47197.json"),
    ),
    (
        "npm/node-ipc/MAL-2026-3744.json",
        include_str!("../snapshot/npm/node-ipc/MAL-2026-3744.json"),
    ),
    (
        "npm/nx/MAL-2025-41443.json",
        include_str!("../snapshot/npm/nx/MAL-2025-41443.json"),
    ),
    (
        "npm/strip-ansi/MAL-2025-46980.json",
        include_str!("../snapshot/npm/strip-ansi/MAL-2025-46980.json"),
    ),
    (
        "npm/supports-color/MAL-2025-46981.json",
        include_str!("../snapshot/npm/supports-color/MAL-2025-46981.json"),
    ),
    (
        "npm/synckit/MAL-2025-6026.json",
        include_str!("../snapshot/npm/synckit/MAL-2025-6026.json"),
    ),
    (
        "npm/wrap-ansi/MAL-2025-46983.json",
        include_str!("../snapshot/npm/wrap-ansi/MAL-2025-46983.json"),
    ),
    (
        "pypi/aiocpa/MAL-2024-11518.json",
        include_str!("../snapshot/pypi/aiocpa/MAL-2024-11518.json"),
    ),
    (
        "pypi/num2words/MAL-2025-6794.json",
        include_str!("../snapshot/pypi/num2words/MAL-2025-6794.json"),
    ),
];

/// The embedded advisories, parsed. Origins read `snapshot:<path>`.
///
/// The records are checked by this crate's tests; should one ever fail to parse it
/// is left out rather than taking the rest down.
pub fn snapshot() -> Vec<Advisory> {
    RECORDS
        .iter()
        .filter_map(|(path, text)| parse_record(text.as_bytes(), &format!("snapshot:{path}")).ok())
        .collect()
}

/// How many records are embedded (for `doctor`-style reports and tests).
pub fn snapshot_len() -> usize {
    RECORDS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_record_parses_with_its_real_id() {
        for (path, text) in RECORDS {
            let advisory = parse_record(text.as_bytes(), path)
                .unwrap_or_else(|e| panic!("snapshot record {path} does not parse: {e}"));
            let file_id = path.rsplit('/').next().unwrap().trim_end_matches(".json");
            assert_eq!(advisory.id, file_id, "{path}");
            assert!(advisory.is_malware(), "{path} is not classified as malware");
            assert!(!advisory.is_withdrawn(), "{path} is withdrawn");
            assert_eq!(advisory.raw_json(), *text);
        }
        assert_eq!(snapshot().len(), RECORDS.len());
    }
}
