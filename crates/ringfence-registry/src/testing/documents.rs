//! Packument JSON as a registry writes it, full or abbreviated, for the served versions.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha512};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use url::Url;

use super::package::FixturePackage;

/// One version as served: the package, its tarball, and what the packument advertises.
pub(crate) struct Served {
    pub package: FixturePackage,
    pub tarball: Vec<u8>,
    /// The tarball's real SRI sha512.
    pub integrity: String,
    pub advertised_integrity: String,
    pub advertised_shasum: String,
    pub published: OffsetDateTime,
}

impl Served {
    pub fn new(package: FixturePackage, tarball: Vec<u8>, published: OffsetDateTime) -> Served {
        let integrity = sri_sha512(&tarball);
        let (advertised_integrity, advertised_shasum) = if package.wrong_integrity {
            let mut other = tarball.clone();
            other.extend_from_slice(b"tampered");
            (sri_sha512(&other), hex_sha1(&other))
        } else {
            (integrity.clone(), hex_sha1(&tarball))
        };
        Served {
            package,
            tarball,
            integrity,
            advertised_integrity,
            advertised_shasum,
            published,
        }
    }
}

pub(crate) fn sri_sha512(bytes: &[u8]) -> String {
    format!("sha512-{}", STANDARD.encode(Sha512::digest(bytes)))
}

fn hex_sha1(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `{base}{name}/-/{bare name}-{version}.tgz`, the registry's usual tarball path.
pub(crate) fn tarball_url(base: &Url, name: &str, version: &str) -> String {
    let bare = name.rsplit('/').next().unwrap_or(name);
    format!("{base}{name}/-/{bare}-{version}.tgz")
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// The packument of `name`. The abbreviated form has what installs need and nothing more
/// (no `time`, scripts or `_npmUser`), as real registries do.
pub(crate) fn packument(
    name: &str,
    versions: &BTreeMap<String, Served>,
    dist_tags: &BTreeMap<String, String>,
    tarball_base: &Url,
    abbreviated: bool,
) -> Vec<u8> {
    let mut docs = Map::new();
    let mut times = Map::new();
    for (version, served) in versions {
        let package = &served.package;
        let mut dist = json!({
            "tarball": tarball_url(tarball_base, name, version),
            "integrity": served.advertised_integrity,
            "shasum": served.advertised_shasum,
        });
        if !abbreviated {
            dist["unpackedSize"] = json!(served.tarball.len());
        }
        let mut doc = json!({
            "name": name,
            "version": version,
            "dist": dist,
            "dependencies": package.dependencies,
        });
        if let Some(message) = &package.deprecated {
            doc["deprecated"] = json!(message);
        }
        if abbreviated {
            let hooks = ["preinstall", "install", "postinstall"];
            if hooks.iter().any(|h| package.scripts.contains_key(*h)) {
                doc["hasInstallScript"] = json!(true);
            }
        } else {
            doc["_id"] = json!(format!("{name}@{version}"));
            doc["scripts"] = json!(package.scripts);
            doc["_npmUser"] = person(&package.publisher);
            doc["maintainers"] = json!([person(&package.publisher)]);
        }
        docs.insert(version.clone(), doc);
        times.insert(version.clone(), json!(rfc3339(served.published)));
    }
    let first = versions.values().map(|s| s.published).min();
    let last = versions.values().map(|s| s.published).max();
    let modified = last.map(rfc3339).unwrap_or_default();
    let mut doc = json!({
        "name": name,
        "dist-tags": dist_tags,
        "versions": Value::Object(docs),
    });
    if abbreviated {
        doc["modified"] = json!(modified);
    } else {
        times.insert(
            "created".into(),
            json!(first.map(rfc3339).unwrap_or_default()),
        );
        times.insert("modified".into(), json!(modified));
        doc["_id"] = json!(name);
        doc["time"] = Value::Object(times);
        let mut maintainers: Vec<&str> = versions
            .values()
            .map(|s| s.package.publisher.as_str())
            .collect();
        maintainers.sort_unstable();
        maintainers.dedup();
        doc["maintainers"] = Value::Array(maintainers.into_iter().map(person).collect());
    }
    serde_json::to_vec(&doc).unwrap_or_default()
}

fn person(name: &str) -> Value {
    json!({ "name": name, "email": format!("{name}@registry.example") })
}
