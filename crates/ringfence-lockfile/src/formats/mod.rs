//! One module per lockfile format. Each has `parse(path, text) -> Result<Parsed, ParseError>`;
//! [`Format::detect`] is the cheap check on the file name that decides which one to call.

pub mod bun;
pub mod cargo;
pub mod npm;
pub mod pdm;
pub mod pipfile;
pub mod pnpm;
pub mod poetry;
mod python_toml;
pub mod requirements;
pub mod uv;
pub mod yarn;

use std::fmt;
use std::path::Path;

use ringfence_package::Ecosystem;
use serde::Serialize;

use crate::{ParseError, Parsed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `package-lock.json`, lockfile versions 1, 2 and 3.
    NpmPackageLock,
    /// `npm-shrinkwrap.json`: the same format, published with a package.
    NpmShrinkwrap,
    /// `yarn.lock`, classic (v1) and berry (v2+).
    Yarn,
    /// `pnpm-lock.yaml`, lockfile versions 5 to 9.
    Pnpm,
    /// `bun.lock`, bun's text lockfile.
    Bun,
    /// `requirements.txt` and friends (`requirements-dev.txt`, `requirements/*.txt`).
    Requirements,
    Poetry,
    Pipfile,
    Uv,
    Pdm,
    Cargo,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::NpmPackageLock,
        Format::NpmShrinkwrap,
        Format::Yarn,
        Format::Pnpm,
        Format::Bun,
        Format::Requirements,
        Format::Poetry,
        Format::Pipfile,
        Format::Uv,
        Format::Pdm,
        Format::Cargo,
    ];

    /// Decides from the file name alone whether this is a lockfile we read, and which.
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let format = match name {
            "package-lock.json" => Format::NpmPackageLock,
            "npm-shrinkwrap.json" => Format::NpmShrinkwrap,
            "yarn.lock" => Format::Yarn,
            "pnpm-lock.yaml" => Format::Pnpm,
            "bun.lock" => Format::Bun,
            "poetry.lock" => Format::Poetry,
            "Pipfile.lock" => Format::Pipfile,
            "uv.lock" => Format::Uv,
            "pdm.lock" => Format::Pdm,
            "Cargo.lock" => Format::Cargo,
            _ if requirements::is_requirements_file(path) => Format::Requirements,
            _ => return None,
        };
        Some(format)
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Format::NpmPackageLock
            | Format::NpmShrinkwrap
            | Format::Yarn
            | Format::Pnpm
            | Format::Bun => Ecosystem::Npm,
            Format::Requirements | Format::Poetry | Format::Pipfile | Format::Uv | Format::Pdm => {
                Ecosystem::PyPI
            }
            Format::Cargo => Ecosystem::CratesIo,
        }
    }

    /// The file name people know the format by.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::NpmPackageLock => "package-lock.json",
            Format::NpmShrinkwrap => "npm-shrinkwrap.json",
            Format::Yarn => "yarn.lock",
            Format::Pnpm => "pnpm-lock.yaml",
            Format::Bun => "bun.lock",
            Format::Requirements => "requirements.txt",
            Format::Poetry => "poetry.lock",
            Format::Pipfile => "Pipfile.lock",
            Format::Uv => "uv.lock",
            Format::Pdm => "pdm.lock",
            Format::Cargo => "Cargo.lock",
        }
    }

    /// Parses `text`, the contents of the file at `path`. `path` is used in errors, and by
    /// formats that read other files (requirements' `-r`, the package.json beside a yarn.lock).
    pub fn parse(self, path: &Path, text: &str) -> Result<Parsed, ParseError> {
        match self {
            Format::NpmPackageLock | Format::NpmShrinkwrap => npm::parse(path, text),
            Format::Yarn => yarn::parse(path, text),
            Format::Pnpm => pnpm::parse(path, text),
            Format::Bun => bun::parse(path, text),
            Format::Requirements => requirements::parse(path, text),
            Format::Poetry => poetry::parse(path, text),
            Format::Pipfile => pipfile::parse(path, text),
            Format::Uv => uv::parse(path, text),
            Format::Pdm => pdm::parse(path, text),
            Format::Cargo => cargo::parse(path, text),
        }
    }
}

/// The warning for the `i`-th `[[package]]` entry of a TOML lockfile that lacks a name or a
/// version: the entry is skipped, the rest of the file is still read.
pub(crate) fn unnamed_entry(path: &Path, line: u32, i: usize) -> ParseError {
    ParseError::new(
        path,
        Some(line),
        "package has no name or no version; skipped",
    )
    .with_key(format!("package[{i}]"))
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}
