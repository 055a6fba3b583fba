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

    /// Something this backend cannot do, with what to do instead.
    #[error("database `{location}`: {what}")]
    Unsupported { location: String, what: String },

    /// No incident has this id.
    #[error("there is no incident {id} (`ringfence incident list --all` lists them)")]
    IncidentNotFound { id: String },

    /// Someone else changed the incident since it was read; nothing was written.
    #[error(
        "{id} was changed by someone else (it is at version {actual}, this change was made against version {expected}); nothing was written: look again with `ringfence incident show {id}` and retry"
    )]
    Stale {
        id: String,
        expected: i64,
        actual: i64,
    },

    /// The change does not apply to the incident as it stands; nothing was written.
    #[error("{id}: {reason}; nothing was written")]
    InvalidChange { id: String, reason: String },

    /// A package the change would claim belongs to another open incident (a re-opened
    /// incident's package was opened anew meanwhile); nothing was written.
    #[error("{ecosystem}:{name} already has an open incident, {holder}; nothing was written")]
    AlreadyClaimed {
        holder: String,
        ecosystem: String,
        name: String,
    },

    /// A stored record does not read back: the database was edited or is damaged.
    #[error("database `{location}`: {what} is damaged: {reason} (run `ringfence audit verify`)")]
    Corrupt {
        location: String,
        what: String,
        reason: String,
    },

    /// An advisory row handed to an import is unusable; nothing from that import was kept.
    #[error("advisory row {index} (id `{id}`): {reason}; the import was rolled back")]
    InvalidRow {
        index: usize,
        id: String,
        reason: String,
    },
}

impl StoreError {
    /// True for a write that lost a race: re-read and try again.
    pub fn is_stale(&self) -> bool {
        matches!(self, StoreError::Stale { .. })
    }
}
