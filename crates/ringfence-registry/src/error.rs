//! One error type for the crate. Every network error names the package and the URL (with
//! credentials redacted, see [`crate::redact_url`]) so a responder can retry it by hand.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::Origin;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Nothing configures a registry and npm is not there to ask. There is deliberately no
    /// built-in default host.
    #[error(
        "no npm registry is configured and npm could not be asked ({detail}): set the \
         npm_config_registry environment variable to your registry's URL, or add \
         `registry=<url>` to an .npmrc"
    )]
    NoRegistry { detail: String },

    #[error("{origin}: `{key}` is not a usable registry URL ({value:?}): {reason}")]
    InvalidConfigUrl {
        origin: Origin,
        key: String,
        value: String,
        reason: String,
    },

    #[error("cannot read npm config file {path}: {source}")]
    ConfigRead { path: PathBuf, source: io::Error },

    #[error("{origin}: cannot read CA file {path}: {detail}")]
    CaFile {
        origin: Origin,
        path: PathBuf,
        detail: String,
    },

    #[error("invalid package spec {spec:?}: {reason}")]
    InvalidSpec { spec: String, reason: String },

    #[error("invalid npm package name {name:?}: {reason}")]
    InvalidName { name: String, reason: String },

    #[error("{package}: unknown package (404 from {url})")]
    PackageNotFound { package: String, url: String },

    #[error("{package}@{version}: tarball not found (404 from {url})")]
    TarballNotFound {
        package: String,
        version: String,
        url: String,
    },

    /// The packument exists but no published version fits the spec.
    #[error("{package}: no version matches {wanted:?} ({detail})")]
    NoMatchingVersion {
        package: String,
        wanted: String,
        detail: String,
    },

    #[error("{package}: {url} answered HTTP {status}{hint}")]
    Status {
        package: String,
        url: String,
        status: u16,
        hint: String,
    },

    #[error("{package}: {url} timed out (limit {}s)", limit.as_secs_f64())]
    Timeout {
        package: String,
        url: String,
        limit: Duration,
    },

    #[error("{package}: cannot connect to {url}: {detail}")]
    Connect {
        package: String,
        url: String,
        detail: String,
    },

    #[error("{package}: TLS failure talking to {url}: {detail}")]
    Tls {
        package: String,
        url: String,
        detail: String,
    },

    #[error("{package}: transfer from {url} failed: {detail}")]
    Transfer {
        package: String,
        url: String,
        detail: String,
    },

    #[error("{package}: response from {url} exceeds the {limit}-byte limit")]
    TooLarge {
        package: String,
        url: String,
        limit: u64,
    },

    #[error("{package}: invalid packument from {url}: {detail}")]
    InvalidPackument {
        package: String,
        url: String,
        detail: String,
    },

    #[error(
        "{package}@{version}: integrity mismatch for {url}: the packument says {expected}, \
         the downloaded bytes are {actual}"
    )]
    IntegrityMismatch {
        package: String,
        version: String,
        url: String,
        expected: String,
        actual: String,
    },

    #[error("{package}@{version}: no usable integrity for {url}: {detail}")]
    NoIntegrity {
        package: String,
        version: String,
        url: String,
        detail: String,
    },

    #[error("tarball cache {path}: {source}")]
    Cache { path: PathBuf, source: io::Error },

    #[error("cannot set up the HTTP client: {detail}")]
    Client { detail: String },
}
