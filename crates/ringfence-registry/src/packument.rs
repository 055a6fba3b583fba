//! Packuments: a package's registry document, every version with its `dist` (tarball URL and
//! integrity), scripts, dependencies and publisher, plus publish times. Old and odd packuments
//! are common (dependencies as arrays, people as strings), so fields are read leniently and a
//! version that is unusable is listed in `invalid_versions` instead of failing the package.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::integrity::Integrity;

/// Which form of the document to ask for. The abbreviated form (npm's install metadata) is
/// much smaller but has no publish times, scripts or publishers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Abbreviated,
    Full,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Packument {
    pub name: String,
    pub dist_tags: BTreeMap<String, String>,
    pub versions: BTreeMap<String, PackageVersion>,
    /// Publish time per version. Includes versions that were unpublished since, which is
    /// exactly what an investigation wants to see. Empty in the abbreviated form.
    pub time: BTreeMap<String, OffsetDateTime>,
    pub created: Option<OffsetDateTime>,
    pub modified: Option<OffsetDateTime>,
    pub maintainers: Vec<Person>,
    /// Set when the whole package was unpublished (the registry keeps a tombstone).
    pub unpublished: Option<Unpublished>,
    pub invalid_versions: Vec<InvalidVersion>,
    /// Which form the registry actually returned.
    pub detail: Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PackageVersion {
    pub version: String,
    pub dist: Dist,
    /// Empty in the abbreviated form; see `has_install_script`.
    pub scripts: BTreeMap<String, String>,
    pub dependencies: BTreeMap<String, String>,
    pub optional_dependencies: BTreeMap<String, String>,
    pub peer_dependencies: BTreeMap<String, String>,
    /// Who published this version (`_npmUser`); full form only.
    pub npm_user: Option<Person>,
    pub deprecated: Option<String>,
    /// `preinstall`, `install` or `postinstall` present (or the registry says so).
    pub has_install_script: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dist {
    pub tarball: String,
    pub integrity: Option<String>,
    pub shasum: Option<String>,
    pub unpacked_size: Option<u64>,
    pub file_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unpublished {
    pub time: Option<OffsetDateTime>,
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersion {
    pub version: String,
    pub reason: String,
}

impl Dist {
    /// What the tarball must hash to: `integrity` (SRI), else the hex SHA-1 `shasum`.
    pub fn expected_integrity(&self) -> Result<Integrity, String> {
        let from_sri = self.integrity.as_deref().map(Integrity::parse);
        match (from_sri, self.shasum.as_deref()) {
            (Some(Ok(integrity)), _) => Ok(integrity),
            (_, Some(shasum)) => Integrity::from_shasum(shasum),
            (Some(Err(e)), None) => Err(e),
            (None, None) => Err("the packument has neither dist.integrity nor dist.shasum".into()),
        }
    }
}

impl Packument {
    pub fn version(&self, version: &str) -> Option<&PackageVersion> {
        self.versions.get(version)
    }

    /// The `latest` dist-tag.
    pub fn latest(&self) -> Option<&str> {
        self.dist_tags.get("latest").map(String::as_str)
    }

    /// When `version` was published (full form only).
    pub fn published_at(&self, version: &str) -> Option<OffsetDateTime> {
        self.time.get(version).copied()
    }

    /// Who published `version` (full form only).
    pub fn publisher(&self, version: &str) -> Option<&Person> {
        self.versions.get(version)?.npm_user.as_ref()
    }

    /// Parses a packument body. `abbreviated` says the server labelled it as the
    /// abbreviated form.
    pub(crate) fn parse(bytes: &[u8], abbreviated: bool) -> Result<Packument, String> {
        let wire: PackumentWire =
            serde_json::from_slice(bytes).map_err(|e| format!("not a JSON packument: {e}"))?;
        let name = wire.name.ok_or("no `name`")?;
        let versions_wire = match wire.versions {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Err("`versions` is not an object".into()),
        };
        let mut versions = BTreeMap::new();
        let mut invalid_versions = Vec::new();
        for (version, doc) in versions_wire {
            match serde_json::from_value::<VersionWire>(doc) {
                Ok(wire) => {
                    versions.insert(version.clone(), wire.into_domain(version));
                }
                Err(e) => invalid_versions.push(InvalidVersion {
                    version,
                    reason: e.to_string(),
                }),
            }
        }
        let time_map = match &wire.time {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        };
        let mut time = BTreeMap::new();
        for (key, value) in time_map.into_iter().flatten() {
            if key != "created"
                && key != "modified"
                && let Some(at) = timestamp(value)
            {
                time.insert(key.clone(), at);
            }
        }
        let field = |key: &str| time_map.and_then(|m| m.get(key));
        let unpublished = field("unpublished").map(|u| Unpublished {
            time: u.get("time").and_then(timestamp),
            versions: u
                .get("versions")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        });
        let detail = if abbreviated || wire.time.is_none() && wire.modified.is_some() {
            Detail::Abbreviated
        } else {
            Detail::Full
        };
        Ok(Packument {
            name,
            dist_tags: string_map(wire.dist_tags.as_ref()),
            versions,
            time,
            created: field("created").and_then(timestamp),
            modified: field("modified")
                .or(wire.modified.as_ref())
                .and_then(timestamp),
            maintainers: wire
                .maintainers
                .as_ref()
                .and_then(Value::as_array)
                .map(|people| people.iter().filter_map(person).collect())
                .unwrap_or_default(),
            unpublished,
            invalid_versions,
            detail,
        })
    }
}

/// Mirrors the top of a packument; irregular parts stay `Value` and are read leniently.
#[derive(Deserialize)]
struct PackumentWire {
    name: Option<String>,
    #[serde(rename = "dist-tags")]
    dist_tags: Option<Value>,
    versions: Option<Value>,
    time: Option<Value>,
    maintainers: Option<Value>,
    /// Abbreviated documents carry `modified` at the top level instead of `time`.
    modified: Option<Value>,
}

#[derive(Deserialize)]
struct VersionWire {
    dist: DistWire,
    scripts: Option<Value>,
    dependencies: Option<Value>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Option<Value>,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: Option<Value>,
    #[serde(rename = "_npmUser")]
    npm_user: Option<Value>,
    deprecated: Option<Value>,
    #[serde(rename = "hasInstallScript")]
    has_install_script: Option<Value>,
}

#[derive(Deserialize)]
struct DistWire {
    tarball: String,
    integrity: Option<Value>,
    shasum: Option<Value>,
    #[serde(rename = "unpackedSize")]
    unpacked_size: Option<Value>,
    #[serde(rename = "fileCount")]
    file_count: Option<Value>,
}

impl VersionWire {
    fn into_domain(self, version: String) -> PackageVersion {
        let scripts = string_map(self.scripts.as_ref());
        let install_hook = ["preinstall", "install", "postinstall"]
            .iter()
            .any(|hook| scripts.contains_key(*hook));
        let flagged = self.has_install_script.as_ref().and_then(Value::as_bool) == Some(true);
        PackageVersion {
            version,
            dist: Dist {
                tarball: self.dist.tarball,
                integrity: text(self.dist.integrity.as_ref()),
                shasum: text(self.dist.shasum.as_ref()),
                unpacked_size: self.dist.unpacked_size.as_ref().and_then(Value::as_u64),
                file_count: self.dist.file_count.as_ref().and_then(Value::as_u64),
            },
            has_install_script: install_hook || flagged,
            scripts,
            dependencies: string_map(self.dependencies.as_ref()),
            optional_dependencies: string_map(self.optional_dependencies.as_ref()),
            peer_dependencies: string_map(self.peer_dependencies.as_ref()),
            npm_user: self.npm_user.as_ref().and_then(person),
            deprecated: match self.deprecated {
                Some(Value::String(message)) => Some(message),
                Some(Value::Bool(true)) => Some(String::new()),
                _ => None,
            },
        }
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// An object of strings; other value types and other shapes (old packuments have arrays)
/// are dropped.
fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn timestamp(value: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value.as_str()?, &Rfc3339).ok()
}

/// `{ "name": .., "email": .. }` or the string form `Name <email> (url)`.
fn person(value: &Value) -> Option<Person> {
    match value {
        Value::Object(map) => Some(Person {
            name: map.get("name")?.as_str()?.to_string(),
            email: map.get("email").and_then(Value::as_str).map(String::from),
        }),
        Value::String(text) => {
            let (name, rest) = match text.split_once('<') {
                Some((name, rest)) => (name, Some(rest)),
                None => (text.split('(').next().unwrap_or(text), None),
            };
            let email = rest
                .and_then(|r| r.split_once('>'))
                .map(|(email, _)| email.trim().to_string());
            let name = name.trim();
            (!name.is_empty()).then(|| Person {
                name: name.to_string(),
                email,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_odd_old_shapes_without_failing() {
        let doc = br#"{
          "name": "old",
          "dist-tags": {"latest": "0.1.0", "bad": 3},
          "maintainers": ["Ann <ann@x.example>", {"name": "bob"}, 7],
          "time": {"created": "2011-01-01T00:00:00.000Z", "0.1.0": "2011-01-02T00:00:00Z",
                   "0.0.9": "2010-12-31T00:00:00Z", "junk": "yesterday"},
          "versions": {
            "0.1.0": {"dist": {"tarball": "http://r.example/old/-/old-0.1.0.tgz",
                               "shasum": "0000000000000000000000000000000000000000"},
                      "dependencies": ["a", "b"], "scripts": {"install": "node-gyp rebuild", "x": 1},
                      "_npmUser": "carol <c@x.example>", "deprecated": "use new"},
            "0.0.1": {"name": "old"}
          }
        }"#;
        let p = Packument::parse(doc, false).unwrap();
        assert_eq!(p.detail, Detail::Full);
        assert_eq!(p.latest(), Some("0.1.0"));
        assert_eq!(p.dist_tags.len(), 1);
        assert_eq!(p.maintainers.len(), 2);
        assert_eq!(p.maintainers[0].email.as_deref(), Some("ann@x.example"));
        let v = p.version("0.1.0").unwrap();
        assert!(v.dependencies.is_empty());
        assert_eq!(v.scripts.len(), 1);
        assert!(v.has_install_script);
        assert_eq!(v.deprecated.as_deref(), Some("use new"));
        assert_eq!(p.publisher("0.1.0").unwrap().name, "carol");
        assert!(p.published_at("0.1.0").is_some());
        // An unpublished version keeps its publish time.
        assert!(p.published_at("0.0.9").is_some());
        assert!(!p.time.contains_key("junk"));
        assert_eq!(p.invalid_versions.len(), 1);
        assert_eq!(p.invalid_versions[0].version, "0.0.1");
        assert!(v.dist.expected_integrity().is_ok());
    }

    #[test]
    fn unpublished_tombstone() {
        let doc = br#"{"name":"gone","time":{"modified":"2024-01-01T00:00:00Z",
            "unpublished":{"time":"2024-01-01T00:00:00Z","versions":["1.0.0"]}}}"#;
        let p = Packument::parse(doc, false).unwrap();
        assert!(p.versions.is_empty());
        let u = p.unpublished.unwrap();
        assert_eq!(u.versions, vec!["1.0.0".to_string()]);
        assert!(u.time.is_some());
    }

    #[test]
    fn hostile_documents_are_errors() {
        assert!(Packument::parse(b"", false).is_err());
        assert!(Packument::parse(b"{\"name\":", false).is_err());
        assert!(Packument::parse(b"{\"versions\":{}}", false).is_err());
        assert!(Packument::parse(b"{\"name\":\"x\",\"versions\":[]}", false).is_err());
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        // Deep nesting where values are kept hits serde_json's recursion limit: an error.
        let deep = format!(
            "{{\"name\":\"x\",\"versions\":{{\"1.0.0\":{{\"dist\":{{\"tarball\":\"t\"}},\"scripts\":{}}}}}}}",
            nest(100_000)
        );
        assert!(Packument::parse(deep.as_bytes(), false).is_err());
        // In an ignored field it is skipped; either way nothing overflows the stack.
        let skipped = format!("{{\"name\":\"x\",\"a\":{}}}", nest(100_000));
        assert_eq!(
            Packument::parse(skipped.as_bytes(), false).unwrap().name,
            "x"
        );
        assert!(Packument::parse(b"\xff\xfe{}", false).is_err());
    }
}
