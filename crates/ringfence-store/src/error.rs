//! The one error type of the store. Every variant names the database location (with any
//! password replaced), or the advisory row, so a message alone tells the user what to fix.

use std::path::PathBuf;

/// Something the store could not do. The wrapped driver message is part of the text rather
/// than a `source()`, so that a `{:#}` chain in the binary does not print it twice.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The location string is not one the store understands.
    #[error("unsupported database location `{location}`: {reason}")]
    BadLocation { location: String, reason: String },

    /// The database could not be reached or created.
    #[error("cannot open database `{location}`: {cause}")]
    Open { location: String, cause: String },

    /// The schema could not be brought up to date.
    #[error("cannot apply migrations to database `{location}`: {cause}")]
    Migrate { location: String, cause: String },

    /// The user has no data directory to hold the default database.
    #[error("no data directory for this user: pass a database location with --db or RINGFENCE_DB")]
    NoDataDir,

    /// The directory for the default database could not be created.
    #[error("cannot create directory `{}`: {cause}", path.display())]
    CreateDir { path: PathBuf, cause: String },

    /// A query failed on an open database.
    #[error("database `{location}`: {action} failed: {cause}")]
    Query {
        location: String,
        action: &'static str,
        cause: String,
    },

    /// An advisory row handed to an import is unusable; nothing from that import was kept.
    #[error("advisory row {index} (id `{id}`): {reason}; the import was rolled back")]
    InvalidRow {
        index: usize,
        id: String,
        reason: String,
    },
}
