//! npm registry client for ringfence.
//!
//! Incident response needs the exact bytes and metadata a developer's `npm install` saw, from
//! the registry *their* npm is configured for (a company mirror, a scoped private registry).
//! So nothing here knows a registry host: [`NpmConfig::discover`] reads the same settings npm
//! reads (`npm_config_*` variables, project, user and global `.npmrc`, then `npm config get
//! registry`), and [`RegistryClient`] applies them — scoped registries, tokens sent only to the
//! host they were configured for, integrity-checked tarballs in a content-addressed cache.
//!
//! ```no_run
//! use ringfence_registry::{ClientOptions, NpmConfig, NpmSpec, RegistryClient, Detail};
//!
//! let config = NpmConfig::discover()?;
//! let client = RegistryClient::new(config, ClientOptions::default())?;
//! let spec: NpmSpec = "npm:left-pad@^1.3".parse()?;
//! let resolved = client.resolve(&spec, Detail::Full)?;
//! let tarball = client.fetch_tarball(&resolved.packument.name, resolved.manifest())?;
//! println!("{} bytes, {}", tarball.bytes.len(), tarball.integrity);
//! # Ok::<(), ringfence_registry::RegistryError>(())
//! ```

mod auth;
mod cache;
mod client;
mod config;
mod error;
mod integrity;
mod name;
mod npmrc;
mod packument;
mod redact;
mod spec;
mod transport;

#[cfg(feature = "testing")]
pub mod testing;

pub use auth::Credential;
pub use cache::TarballCache;
pub use client::{ClientOptions, RegistryClient, Resolved, Tarball, TarballSource};
pub use config::{DiscoverOptions, NpmConfig, NpmProgram, Origin};
pub use error::RegistryError;
pub use integrity::{Algorithm, Hash, Integrity};
pub use name::{escape_name, validate_name};
pub use packument::{Detail, Dist, InvalidVersion, PackageVersion, Packument, Person, Unpublished};
pub use redact::redact_url;
pub use spec::{NpmSpec, Selector};
