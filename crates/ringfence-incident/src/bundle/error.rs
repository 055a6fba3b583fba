//! Why a bundle could not be written, or could not be read far enough to be verified.
//! Problems found in a readable bundle are not errors: they go into the report.

use crate::event::ApplyError;
use crate::timeline::BrokenLink;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    // Writing: the export refuses input that would not verify.
    #[error("evidence `{name}`: not a SHA-256 (64 lower-case hex digits)")]
    EvidenceName { name: String },
    #[error("evidence {sha256}: its bytes hash to {actual}")]
    EvidenceHash { sha256: String, actual: String },
    #[error("evidence {sha256} ({name}) is referenced by the incident but was not supplied")]
    MissingEvidence { sha256: String, name: String },
    #[error("report `{name}`: use 1 to 64 of A-Z a-z 0-9 . _ -, not starting with a dot")]
    ReportName { name: String },
    #[error("report `{name}` is supplied twice")]
    DuplicateReport { name: String },
    #[error("timeline: {0}")]
    BrokenChain(#[from] BrokenLink),
    #[error("timeline line {line}: {reason}")]
    TimelineRecord { line: usize, reason: String },
    #[error("timeline does not replay: {0}")]
    Replay(#[from] ApplyError),
    #[error("the incident differs from the replay of its timeline in: {}", fields.join(", "))]
    NotTheReplay { fields: Vec<String> },
    #[error("cannot serialise the bundle: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the bundle: {0}")]
    Write(#[source] std::io::Error),

    // Reading: the bundle cannot be verified at all.
    #[error("not a readable tar archive (after {after}): {source}")]
    Unreadable {
        after: String,
        #[source]
        source: std::io::Error,
    },
    #[error("truncated: entry `{entry}` declares {declared} bytes but only {got} follow")]
    Truncated {
        entry: String,
        declared: u64,
        got: u64,
    },
    #[error("more than {limit} entries: refusing to read further")]
    TooManyEntries { limit: u64 },
    #[error("entry `{entry}` declares {size} bytes, over the limit of {limit}")]
    EntryTooLarge {
        entry: String,
        size: u64,
        limit: u64,
    },
    #[error("the bundle is over the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("no manifest.json: not a ringfence incident bundle")]
    NoManifest,
    #[error("manifest.json: {reason}")]
    BadManifest { reason: String },
}
