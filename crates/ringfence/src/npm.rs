//! Fetching npm packages for inspection: from the registry in the user's npm configuration
//! (never a built-in host), verified against the packument's integrity and cached by it.

use anyhow::Context;
use ringfence_registry::{ClientOptions, Detail, NpmConfig, NpmSpec, Packument, RegistryClient};

/// A package fetched from the registry: its tarball bytes, and its packument for metadata
/// (publisher, publish times) where the caller asked for the full one.
pub struct Fetched {
    pub version: String,
    pub tarball: Vec<u8>,
    pub packument: Packument,
}

/// A registry client for the user's npm configuration.
pub fn client() -> anyhow::Result<RegistryClient> {
    let config = NpmConfig::discover().context("cannot find the npm registry to use")?;
    let options = ClientOptions::default().with_npm_settings(&config);
    Ok(RegistryClient::new(config, options)?)
}

/// Fetches `npm:NAME@VERSION` (a version, range or dist-tag).
pub fn fetch(client: &RegistryClient, spec: &str, detail: Detail) -> anyhow::Result<Fetched> {
    let spec = NpmSpec::parse(spec)?;
    let resolved = client.resolve(&spec, detail)?;
    fetch_version(client, resolved.packument, &resolved.manifest.version)
}

/// Fetches one exact version of a package whose packument is known.
pub fn fetch_version(
    client: &RegistryClient,
    packument: Packument,
    version: &str,
) -> anyhow::Result<Fetched> {
    let manifest = packument
        .version(version)
        .with_context(|| {
            format!(
                "{}@{version} is not in the registry's packument",
                packument.name
            )
        })?
        .clone();
    let tarball = client.fetch_tarball(&packument.name, &manifest)?;
    Ok(Fetched {
        version: version.to_string(),
        tarball: tarball.bytes,
        packument,
    })
}

/// `name@version` → the packument and exact version, for inventory packages.
pub fn fetch_exact(client: &RegistryClient, name: &str, version: &str) -> anyhow::Result<Fetched> {
    let packument = client.fetch_packument(name, Detail::Abbreviated)?;
    fetch_version(client, packument, version)
}
