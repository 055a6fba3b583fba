//! Lockfile parsers. Each supported format lives in one module under [`formats`], with a
//! cheap "is this my file" check ([`Format::detect`]) and a parser that turns the file into
//! [`Package`] records. [`discover`] walks project trees and finds the lockfiles;
//! [`read_lockfile`] reads and parses one of them into a [`Lockfile`].

mod discover;
mod error;
pub mod formats;
mod graph;
pub mod lines;
mod package;

pub use discover::{DiscoverError, discover};
pub use error::ParseError;
pub use formats::Format;
pub use graph::DependencyGraph;
pub use lines::LineIndex;
pub use package::{Lockfile, Package, Parsed};

use std::path::Path;

/// Files larger than this are refused before they are read: no real lockfile comes close,
/// and a hostile one must not exhaust memory.
pub const MAX_LOCKFILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads and parses one lockfile whose format is already known.
///
/// Non-fatal problems (a `-r` include that is missing, an entry without a version) are
/// returned as [`Parsed::warnings`] next to everything that could be read.
pub fn read_lockfile(path: &Path, format: Format) -> Result<Lockfile, ParseError> {
    let meta = std::fs::metadata(path).map_err(|e| ParseError::io(path, e))?;
    if meta.len() > MAX_LOCKFILE_BYTES {
        return Err(ParseError::new(
            path,
            None,
            format!(
                "file is {} bytes, larger than the {} byte limit for a lockfile",
                meta.len(),
                MAX_LOCKFILE_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| ParseError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = LineIndex::new(&String::from_utf8_lossy(e.as_bytes()))
            .line_of_offset(e.utf8_error().valid_up_to());
        ParseError::new(path, Some(line), "file is not valid UTF-8".to_string())
    })?;
    let parsed = format.parse(path, &text)?;
    Ok(Lockfile {
        path: path.to_path_buf(),
        format,
        project: project_name(path, format),
        packages: parsed.packages,
        warnings: parsed.warnings,
    })
}

/// The name a project is shown under: the `name` of the manifest beside the lockfile
/// (package.json, pyproject.toml, Cargo.toml) where there is one, else the folder's name.
pub fn project_name(lockfile: &Path, format: Format) -> String {
    let dir = lockfile.parent().unwrap_or(Path::new("."));
    if let Some(name) = manifest_name(dir, format) {
        return name;
    }
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".".to_string())
}

fn manifest_name(dir: &Path, format: Format) -> Option<String> {
    match format.ecosystem() {
        ringfence_package::Ecosystem::Npm => {
            let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
            let value: serde_json::Value = serde_json::from_str(&text).ok()?;
            value
                .get("name")?
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        }
        ringfence_package::Ecosystem::PyPI => {
            let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
            let value: toml::Table = toml::from_str(&text).ok()?;
            let project = value.get("project").and_then(|p| p.get("name"));
            let poetry = value
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("name"));
            project.or(poetry)?.as_str().map(str::to_string)
        }
        ringfence_package::Ecosystem::CratesIo => {
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            let value: toml::Table = toml::from_str(&text).ok()?;
            value
                .get("package")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        }
    }
}
