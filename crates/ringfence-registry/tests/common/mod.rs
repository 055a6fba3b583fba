//! Helpers shared by the integration tests: fast client options and an npm config that
//! points at fixture registries through real `.npmrc` files and environment variables.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ringfence_registry::{ClientOptions, DiscoverOptions, NpmConfig, RegistryClient};

/// Short timeouts and backoff so failure tests stay fast.
pub fn fast_options(cache: Option<&Path>) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        retries: 2,
        retry_backoff: Duration::from_millis(10),
        cache_dir: cache.map(Path::to_path_buf),
        ..ClientOptions::default()
    }
}

/// A project folder with this `.npmrc` text, discovered with only `env` as environment
/// (no home, npm never asked).
pub fn config_from_npmrc(dir: &Path, npmrc: &str, env: &[(&str, &str)]) -> NpmConfig {
    let project = dir.join("project");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join("package.json"), "{}").unwrap();
    fs::write(project.join(".npmrc"), npmrc).unwrap();
    let mut options = DiscoverOptions::isolated(project);
    options.env = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<BTreeMap<_, _>>();
    NpmConfig::discover_with(&options).unwrap()
}

pub fn client(config: NpmConfig, cache: Option<&Path>) -> RegistryClient {
    RegistryClient::new(config, fast_options(cache)).unwrap()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}
