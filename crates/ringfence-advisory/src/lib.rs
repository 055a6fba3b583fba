//! OSV advisories for ringfence: read them, classify them, and match packages
//! against them.
//!
//! The crate knows nothing about databases: `ringfence-store` keeps the records
//! ([`Advisory::raw_json`] and [`Advisory::keys`]) and the CLI glues the two.
//!
//! # Reading records
//! - [`parse_record`]: one OSV record (schema 1.3 to 1.7) from bytes; a record
//!   without an `id` is refused with an error naming its origin.
//! - [`load_dir`]: every `*.json` under a directory tree, in parallel.
//! - [`load_zip`] / [`load_zip_bytes`]: an OSV ecosystem export (`all.zip`), in
//!   memory, under [`ZipLimits`] (entry count, entry size, total size, ratio).
//! - [`snapshot`]: famous malicious releases compiled into the binary.
//! - [`Advisory::from_raw_json`]: rebuilds a record a store kept.
//!
//! Imports return an [`ImportReport`]: the records, per-file [`ImportError`]s and
//! per-record [`Warning`]s. A bad file never stops an import.
//!
//! # Classifying
//! [`AdvisoryKind::KnownMalware`] for `MAL-` ids, records aliasing a `MAL-` id and
//! records carrying CWE-506; [`AdvisoryKind::Vulnerability`] otherwise.
//! [`Severity`] is `Critical` for malware, else the database's label, else the
//! CVSS v3 base score ([`cvss3_base_score`]), else `Unknown`.
//!
//! # Matching
//! [`AdvisoryIndex`] holds records by `(Ecosystem, normalised name)`;
//! [`AdvisoryIndex::matches`] follows the OSV evaluation algorithm and returns one
//! [`Match`] per alias group, with the fixed or last-affected version it knows.
//! What cannot be evaluated (unknown range types, invalid bounds, a version that
//! does not parse) is a [`Certainty::Possible`] match with a note, never a silent
//! "not affected". See the `evaluate` and `index` module docs for the exact rules.
//!
//! # Identifying
//! [`identify::identify`] matches every package of every lockfile and returns sorted
//! [`identify::Finding`]s: where the package is, the path that pulled it in, what to do, and
//! the campaign keys (ids, aliases, cited reports) that tie one attack's records together.

mod advisory;
mod bound;
mod classify;
mod error;
mod evaluate;
pub mod identify;
mod import;
mod index;
mod snapshot;
mod wire;

pub use advisory::{
    Advisory, AffectedPackage, AffectedRange, Credit, EventKind, Iocs, MaliciousOrigin, RangeEvent,
    RangeKind, Reference, SeverityScore,
};
pub use classify::{AdvisoryKind, Severity, cvss3_base_score};
pub use error::{EntryRejection, ImportError, RecordError, RecordErrorKind, Warning, WarningKind};
pub use import::{
    ImportReport, MAX_RECORD_BYTES, ZipLimits, load_dir, load_zip, load_zip_bytes,
    load_zip_with_limits, parse_record,
};
pub use index::{AdvisoryIndex, Certainty, Inserted, Match};
pub use snapshot::{snapshot, snapshot_len};
