//! One package version to serve: its files (packed into a deterministic `.tgz`) and the
//! registry metadata around it (publisher, publish time, scripts, dependencies).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use time::OffsetDateTime;

/// npm packs every file with this modification time (1985-10-26T08:15:00Z).
const NPM_MTIME: u64 = 499_162_500;
/// Fixture tarballs are small; anything bigger while reading one is refused.
const MAX_MANIFEST: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct FixturePackage {
    pub(crate) name: String,
    pub(crate) version: String,
    files: Vec<(String, Vec<u8>)>,
    pub(crate) scripts: BTreeMap<String, String>,
    pub(crate) dependencies: BTreeMap<String, String>,
    pub(crate) publisher: String,
    pub(crate) published: Option<OffsetDateTime>,
    pub(crate) deprecated: Option<String>,
    pub(crate) wrong_integrity: bool,
    /// A tarball given as is (from a file) instead of built from `files`.
    prebuilt: Option<Vec<u8>>,
}

impl FixturePackage {
    /// A package with only a generated `package.json` until files are added.
    pub fn new(name: &str, version: &str) -> FixturePackage {
        FixturePackage {
            name: name.to_string(),
            version: version.to_string(),
            files: Vec::new(),
            scripts: BTreeMap::new(),
            dependencies: BTreeMap::new(),
            publisher: "fixture-publisher".to_string(),
            published: None,
            deprecated: None,
            wrong_integrity: false,
            prebuilt: None,
        }
    }

    /// Adds a file under `package/` (a `package.json` given here replaces the generated one).
    pub fn file(mut self, path: &str, contents: impl Into<Vec<u8>>) -> FixturePackage {
        self.files.push((path.to_string(), contents.into()));
        self
    }

    pub fn script(mut self, name: &str, command: &str) -> FixturePackage {
        self.scripts.insert(name.to_string(), command.to_string());
        self
    }

    pub fn dependency(mut self, name: &str, range: &str) -> FixturePackage {
        self.dependencies
            .insert(name.to_string(), range.to_string());
        self
    }

    /// The `_npmUser` of this version.
    pub fn publisher(mut self, name: &str) -> FixturePackage {
        self.publisher = name.to_string();
        self
    }

    pub fn published_at(mut self, at: OffsetDateTime) -> FixturePackage {
        self.published = Some(at);
        self
    }

    pub fn deprecated(mut self, message: &str) -> FixturePackage {
        self.deprecated = Some(message.to_string());
        self
    }

    /// The packument will advertise an integrity (and shasum) that the tarball does not
    /// have, as a tampered mirror would.
    pub fn wrong_integrity(mut self) -> FixturePackage {
        self.wrong_integrity = true;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Takes name, version, scripts and dependencies from the tarball's `package.json` and
    /// serves the tarball byte for byte.
    pub fn from_tarball(bytes: Vec<u8>) -> io::Result<FixturePackage> {
        let manifest = read_manifest(&bytes)?;
        let field = |key: &str| {
            manifest
                .get(key)
                .and_then(|v| v.as_str())
                .map(String::from)
                .ok_or_else(|| invalid(format!("package.json has no string `{key}`")))
        };
        let map = |key: &str| -> BTreeMap<String, String> {
            manifest
                .get(key)
                .and_then(|v| v.as_object())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut package = FixturePackage::new(&field("name")?, &field("version")?);
        package.scripts = map("scripts");
        package.dependencies = map("dependencies");
        package.prebuilt = Some(bytes);
        Ok(package)
    }

    /// The `.tgz` as served: built reproducibly (fixed mtime, owner and mode, like `npm
    /// pack`), so equal packages give equal bytes.
    pub fn tarball(&self) -> io::Result<Vec<u8>> {
        if let Some(bytes) = &self.prebuilt {
            return Ok(bytes.clone());
        }
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        if !self.files.iter().any(|(path, _)| path == "package.json") {
            files.push(("package.json".to_string(), self.manifest_json()?));
        }
        files.extend(self.files.iter().cloned());
        let mut archive = tar::Builder::new(Vec::new());
        for (path, contents) in &files {
            let mut header = tar::Header::new_ustar();
            header.set_path(format!("package/{path}"))?;
            header.set_size(contents.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(NPM_MTIME);
            header.set_uid(0);
            header.set_gid(0);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            archive.append(&header, contents.as_slice())?;
        }
        let tar_bytes = archive.into_inner()?;
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        gzip.write_all(&tar_bytes)?;
        gzip.finish()
    }

    fn manifest_json(&self) -> io::Result<Vec<u8>> {
        let mut manifest = serde_json::json!({ "name": self.name, "version": self.version });
        if !self.scripts.is_empty() {
            manifest["scripts"] = serde_json::json!(self.scripts);
        }
        if !self.dependencies.is_empty() {
            manifest["dependencies"] = serde_json::json!(self.dependencies);
        }
        serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)
    }
}

/// The top-level `*/package.json` of a `.tgz`.
fn read_manifest(bytes: &[u8]) -> io::Result<serde_json::Value> {
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    for entry in archive.entries()? {
        let entry = entry?;
        let path = entry.path()?.into_owned();
        let parts: Vec<_> = path.components().collect();
        if parts.len() == 2 && path.file_name().is_some_and(|n| n == "package.json") {
            let mut text = Vec::new();
            entry.take(MAX_MANIFEST + 1).read_to_end(&mut text)?;
            if text.len() as u64 > MAX_MANIFEST {
                return Err(invalid("package.json is larger than 1 MiB".to_string()));
            }
            return serde_json::from_slice(&text)
                .map_err(|e| invalid(format!("package.json: {e}")));
        }
    }
    Err(invalid("no package.json in the tarball".to_string()))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
