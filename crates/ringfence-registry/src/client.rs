//! The registry client: packuments from the package's (scoped) registry, tarballs verified
//! against the packument's integrity and kept in the content-addressed cache.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::cache::TarballCache;
use crate::config::NpmConfig;
use crate::error::RegistryError;
use crate::integrity::Hash;
use crate::name::escape_name;
use crate::packument::{Detail, PackageVersion, Packument};
use crate::redact::{redact_text, redact_url};
use crate::spec::NpmSpec;
use crate::transport::{Target, Transport};

/// npm's own `Accept` for install metadata: the abbreviated document if the registry has it.
const ACCEPT_ABBREVIATED: &str =
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
const ACCEPT_FULL: &str = "application/json";

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Whole request, body included (npm's `fetch-timeout`, 5 minutes by default).
    pub timeout: Duration,
    /// Extra attempts after a connection failure, timeout, 408, 429 or 5xx (npm's
    /// `fetch-retries`).
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one (capped at 30 s).
    pub retry_backoff: Duration,
    pub max_packument_bytes: u64,
    pub max_tarball_bytes: u64,
    /// Tarball cache directory; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(300),
            retries: 2,
            retry_backoff: Duration::from_millis(500),
            // Full packuments of long-lived packages reach tens of MB; tarballs with
            // bundled binaries hundreds.
            max_packument_bytes: 256 * 1024 * 1024,
            max_tarball_bytes: 512 * 1024 * 1024,
            cache_dir: TarballCache::default_dir(),
            user_agent: format!("ringfence/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl ClientOptions {
    /// Takes `fetch-retries`, `fetch-timeout` and `fetch-retry-mintimeout` (milliseconds)
    /// from the npm config where set, so ringfence is as patient as the user's npm.
    pub fn with_npm_settings(mut self, config: &NpmConfig) -> ClientOptions {
        let number = |key: &str| config.get(key).and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(retries) = number("fetch-retries") {
            self.retries = u32::try_from(retries).unwrap_or(u32::MAX).min(10);
        }
        if let Some(ms) = number("fetch-timeout").filter(|ms| *ms > 0) {
            self.timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = number("fetch-retry-mintimeout") {
            self.retry_backoff = Duration::from_millis(ms);
        }
        self
    }
}

/// A spec resolved against its packument.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub packument: Packument,
    pub manifest: PackageVersion,
}

impl Resolved {
    pub fn manifest(&self) -> &PackageVersion {
        &self.manifest
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TarballSource {
    /// Read from the cache; no network was used.
    Cache,
    /// Downloaded from this (redacted) URL.
    Network(String),
}

/// Verified tarball bytes.
#[derive(Debug, Clone)]
pub struct Tarball {
    pub bytes: Vec<u8>,
    /// The hash that matched (the strongest algorithm of the packument's integrity).
    pub integrity: Hash,
    pub source: TarballSource,
    /// Where the tarball is cached, if the cache is on.
    pub cache_path: Option<PathBuf>,
}

pub struct RegistryClient {
    config: NpmConfig,
    options: ClientOptions,
    transport: Transport,
    cache: Option<TarballCache>,
}

impl RegistryClient {
    pub fn new(config: NpmConfig, options: ClientOptions) -> Result<RegistryClient, RegistryError> {
        let transport = Transport::new(&config, &options)?;
        let cache = options.cache_dir.clone().map(TarballCache::new);
        Ok(RegistryClient {
            config,
            options,
            transport,
            cache,
        })
    }

    pub fn config(&self) -> &NpmConfig {
        &self.config
    }

    pub fn cache(&self) -> Option<&TarballCache> {
        self.cache.as_ref()
    }

    /// `{registry}/{name}` on the package's registry, scoped names as `@scope%2fname`.
    pub fn packument_url(&self, name: &str) -> Result<Url, RegistryError> {
        let escaped = escape_name(name)?;
        let registry = self.config.registry_for(name);
        registry
            .join(&escaped)
            .map_err(|e| RegistryError::InvalidName {
                name: name.to_string(),
                reason: format!("cannot be joined onto {}: {e}", redact_url(registry)),
            })
    }

    /// Fetches the packument. Ask for [`Detail::Full`] when publish times (`time`) or
    /// publishers (`_npmUser`) are needed; [`Detail::Abbreviated`] is enough to install.
    pub fn fetch_packument(&self, name: &str, detail: Detail) -> Result<Packument, RegistryError> {
        let url = self.packument_url(name)?;
        let accept = match detail {
            Detail::Abbreviated => ACCEPT_ABBREVIATED,
            Detail::Full => ACCEPT_FULL,
        };
        let limit = self.options.max_packument_bytes;
        let body =
            self.transport
                .get(&self.config, Target::Packument(name), &url, accept, limit)?;
        let invalid = |detail: String| RegistryError::InvalidPackument {
            package: name.to_string(),
            url: redact_url(&url),
            detail,
        };
        let abbreviated = body.content_type.contains("vnd.npm.install-v1");
        let packument = Packument::parse(&body.bytes, abbreviated).map_err(invalid)?;
        if packument.name != name {
            return Err(invalid(format!(
                "the document is for {:?}, not the package requested",
                packument.name
            )));
        }
        Ok(packument)
    }

    /// Fetches the packument and picks the version `spec` selects.
    pub fn resolve(&self, spec: &NpmSpec, detail: Detail) -> Result<Resolved, RegistryError> {
        let packument = self.fetch_packument(&spec.name, detail)?;
        let manifest = spec.resolve(&packument)?.clone();
        Ok(Resolved {
            packument,
            manifest,
        })
    }

    /// The tarball of `manifest` (a version of package `name`), verified against its
    /// `dist.integrity` (or `dist.shasum`). A cache hit needs no network; a download that
    /// does not verify is an error and is not cached.
    pub fn fetch_tarball(
        &self,
        name: &str,
        manifest: &PackageVersion,
    ) -> Result<Tarball, RegistryError> {
        let version = manifest.version.as_str();
        let no_integrity = |detail: String| RegistryError::NoIntegrity {
            package: name.to_string(),
            version: version.to_string(),
            url: redact_text(&manifest.dist.tarball),
            detail,
        };
        let expected = manifest.dist.expected_integrity().map_err(no_integrity)?;
        let limit = self.options.max_tarball_bytes;
        if let Some(cache) = &self.cache
            && let Some((bytes, integrity, path)) = cache.get(&expected, limit)?
        {
            return Ok(Tarball {
                bytes,
                integrity,
                source: TarballSource::Cache,
                cache_path: Some(path),
            });
        }
        let url = self.tarball_url(name, manifest)?;
        let body = self.transport.get(
            &self.config,
            Target::Tarball(name, version),
            &url,
            "*/*",
            limit,
        )?;
        let integrity = expected.check(&body.bytes).map_err(|actual| {
            let shown = expected
                .strongest()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            RegistryError::IntegrityMismatch {
                package: name.to_string(),
                version: version.to_string(),
                url: redact_url(&url),
                expected: shown,
                actual: actual.to_string(),
            }
        })?;
        let cache_path = match &self.cache {
            Some(cache) => Some(cache.put(&integrity, &body.bytes)?),
            None => None,
        };
        Ok(Tarball {
            bytes: body.bytes,
            integrity,
            source: TarballSource::Network(redact_url(&url)),
            cache_path,
        })
    }

    /// `dist.tarball`, which may be on another host than the registry (then no registry
    /// credential is sent to it); a relative URL is taken relative to the registry.
    fn tarball_url(&self, name: &str, manifest: &PackageVersion) -> Result<Url, RegistryError> {
        let registry = self.config.registry_for(name);
        let invalid = |detail: String| RegistryError::InvalidPackument {
            package: name.to_string(),
            url: redact_url(registry),
            detail,
        };
        let url = registry.join(manifest.dist.tarball.trim()).map_err(|e| {
            invalid(format!(
                "dist.tarball of {} is not a URL ({e}): {}",
                manifest.version,
                redact_text(&manifest.dist.tarball)
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "dist.tarball of {} is not an http(s) URL: {}",
                manifest.version,
                redact_url(&url)
            )));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RegistryClient>();
    }

    #[test]
    fn npm_fetch_settings_are_taken_over() {
        let mut config = NpmConfig::with_registry("http://127.0.0.1:9/").unwrap();
        config.set("fetch-retries", "4").unwrap();
        config.set("fetch-timeout", "1500").unwrap();
        config.set("fetch-retry-mintimeout", "20").unwrap();
        let options = ClientOptions::default().with_npm_settings(&config);
        assert_eq!(options.retries, 4);
        assert_eq!(options.timeout, Duration::from_millis(1500));
        assert_eq!(options.retry_backoff, Duration::from_millis(20));

        config.set("fetch-retries", "lots").unwrap();
        let options = ClientOptions::default().with_npm_settings(&config);
        assert_eq!(options.retries, ClientOptions::default().retries);
    }
}
