//! Errors (a record or an archive could not be read) and warnings (a record was read
//! but part of it cannot be evaluated). Every one names where it came from: the file,
//! the zip entry, or the store row the caller passed as `origin`.

use std::fmt;
use std::path::PathBuf;

use ringfence_package::Ecosystem;

/// One OSV record that could not be turned into an [`crate::Advisory`].
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {kind}")]
pub struct RecordError {
    /// The file path, `archive.zip:entry.json`, or whatever the caller named the source.
    pub origin: String,
    pub kind: RecordErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordErrorKind {
    /// Not JSON, not UTF-8, truncated, or the wrong shape. serde_json's message
    /// carries the line and column.
    #[error("not a valid OSV record: {0}")]
    Json(#[from] serde_json::Error),
    /// Staging files in ossf/malicious-packages have `"id": ""` or no `id` at all:
    /// such a record cannot be stored, deduplicated or cited, so it is refused.
    #[error("not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("the record has no `id` (missing or empty)")]
    MissingId,
    #[error("the record is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
}

/// A failure of the import as a whole or of one file in it. A bad file never stops
/// an import: these are collected in [`crate::ImportReport::errors`].
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a readable zip archive: {reason}", path.display())]
    Archive { path: PathBuf, reason: String },
    #[error("{origin}: zip entry rejected: {reason}")]
    Entry {
        origin: String,
        reason: EntryRejection,
    },
}

/// Why a zip entry was not read. These are the archive limits that keep a hostile or
/// corrupt download from exhausting memory ([`crate::ZipLimits`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryRejection {
    #[error("unsafe entry name (absolute, `..`, or NUL): {name:?}")]
    UnsafeName { name: String },
    #[error("entry inflates past the per-entry limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("entry inflates {ratio}x (limit {limit}x): likely a zip bomb")]
    Ratio { ratio: u64, limit: u64 },
    #[error("the archive's total inflated size passed the limit of {limit} bytes")]
    TotalTooLarge { limit: u64 },
    #[error("the archive has more than {limit} entries; the rest were not read")]
    TooManyEntries { limit: usize },
    #[error("cannot read entry: {reason}")]
    Unreadable { reason: String },
}

/// Something in a record that ringfence cannot evaluate. Matching never turns one of
/// these into a silent "not affected": the index keeps them, and a package that only
/// such a range could affect gets a [`crate::Certainty::Possible`] match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub origin: String,
    pub advisory_id: String,
    pub kind: WarningKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningKind {
    /// A range type other than `SEMVER`, `ECOSYSTEM` or `GIT`.
    UnsupportedRangeType {
        ecosystem: Ecosystem,
        package: String,
        range_type: String,
    },
    /// An `introduced`/`fixed`/`last_affected`/`limit` value that is not a valid
    /// version in the package's ecosystem.
    InvalidBound {
        ecosystem: Ecosystem,
        package: String,
        event: &'static str,
        version: String,
        reason: String,
    },
    /// An event object with none of the four keys, or with several (the schema
    /// allows exactly one).
    MalformedEvent {
        ecosystem: Ecosystem,
        package: String,
    },
    /// A range with no `introduced` event can never match under the OSV algorithm.
    NoIntroduced {
        ecosystem: Ecosystem,
        package: String,
    },
    /// `modified`, `published` or `withdrawn` is not an RFC 3339 timestamp.
    InvalidTimestamp { field: &'static str, value: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.origin, self.advisory_id, self.kind)
    }
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarningKind::UnsupportedRangeType {
                ecosystem,
                package,
                range_type,
            } => write!(
                f,
                "{ecosystem}/{package}: range type `{range_type}` is not supported; \
                 versions it covers are reported as possibly affected"
            ),
            WarningKind::InvalidBound {
                ecosystem,
                package,
                event,
                version,
                reason,
            } => write!(
                f,
                "{ecosystem}/{package}: `{event}: {version}` cannot be evaluated ({reason}); \
                 versions of this package are reported as possibly affected"
            ),
            WarningKind::MalformedEvent { ecosystem, package } => write!(
                f,
                "{ecosystem}/{package}: an event must hold exactly one of introduced, fixed, \
                 last_affected, limit; the range is reported as possibly affected"
            ),
            WarningKind::NoIntroduced { ecosystem, package } => write!(
                f,
                "{ecosystem}/{package}: a range has no `introduced` event and can never match"
            ),
            WarningKind::InvalidTimestamp { field, value } => {
                write!(f, "`{field}` is not an RFC 3339 timestamp: {value:?}")
            }
        }
    }
}
