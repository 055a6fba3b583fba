//! The published versions of a package: from the registry in the user's npm configuration,
//! or, with `--offline`, from the copy kept the last time they were fetched. An incident can
//! take the registry down with it (or the responder off the network), and a pin should still
//! be computable from what was seen before.

use std::path::PathBuf;

use anyhow::Context;
use ringfence_registry::{Detail, Packument, RegistryClient};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use super::pin::Available;

/// What is kept of a packument: enough to compute a pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionList {
    pub name: String,
    /// RFC 3339: when it was fetched.
    pub fetched_at: String,
    pub versions: Vec<Available>,
}

impl VersionList {
    pub fn from_packument(packument: &Packument) -> VersionList {
        let versions = packument
            .versions
            .values()
            .map(|v| Available {
                version: v.version.clone(),
                published: packument
                    .published_at(&v.version)
                    .and_then(|t| t.format(&Rfc3339).ok()),
                deprecated: v.deprecated.clone(),
            })
            .collect();
        VersionList {
            name: packument.name.clone(),
            fetched_at: crate::now_rfc3339(),
            versions,
        }
    }
}

/// `<cache dir>/ringfence/packuments/<name>.json`, a scope's slash written `%2f` as the
/// registry's URLs do.
pub fn cache_path(name: &str) -> Option<PathBuf> {
    Some(dirs::cache_dir()?.join(cache_file(name)))
}

/// The cache path of `name`'s list below the cache directory.
fn cache_file(name: &str) -> PathBuf {
    PathBuf::from("ringfence")
        .join("packuments")
        .join(format!("{}.json", name.replace('/', "%2f")))
}

/// Where the versions come from.
pub enum Source<'a> {
    Registry(&'a RegistryClient),
    /// Only the cache (`--offline`).
    Cache,
}

/// The versions of `name`: fetched (and cached for `--offline`), or read from the cache.
pub fn versions(source: &Source<'_>, name: &str) -> anyhow::Result<VersionList> {
    match source {
        Source::Registry(client) => {
            let packument = client
                .fetch_packument(name, Detail::Full)
                .with_context(|| format!("cannot list the versions of {name}"))?;
            let list = VersionList::from_packument(&packument);
            if let Err(e) = save(&list) {
                crate::report_problems(&[format!("{e:#}")], &[]);
            }
            Ok(list)
        }
        Source::Cache => {
            let path = cache_path(name).context("no cache directory on this system")?;
            let bytes = std::fs::read(&path).with_context(|| {
                format!(
                    "{name} has no cached version list at {} (run once without --offline)",
                    path.display()
                )
            })?;
            let list: VersionList = serde_json::from_slice(&bytes)
                .with_context(|| format!("cannot read {}", path.display()))?;
            anyhow::ensure!(
                list.name == name,
                "{} holds the versions of {}, not {name}",
                path.display(),
                list.name
            );
            Ok(list)
        }
    }
}

fn save(list: &VersionList) -> anyhow::Result<()> {
    let path = cache_path(&list.name).context("no cache directory to keep version lists in")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let bytes = serde_json::to_vec_pretty(list)?;
    crate::output::write_atomically(&path, &bytes)
        .with_context(|| format!("cannot cache the versions of {}", list.name))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn scoped_names_become_one_file_name() {
        let path = cache_file("@ctrl/tinycolor");
        assert_eq!(path.file_name().unwrap(), "@ctrl%2ftinycolor.json");
        assert_eq!(
            path,
            Path::new("ringfence/packuments/@ctrl%2ftinycolor.json")
        );
        assert_eq!(
            cache_file("debug"),
            Path::new("ringfence/packuments/debug.json")
        );
    }
}
