//! Reading a package — an npm tarball (`.tgz`: gzip, then tar) or an unpacked folder — fully in
//! memory, under [`Limits`]. Nothing is ever written to disk and no path from an archive is
//! ever joined onto the filesystem: an archive is data, not a set of instructions.
//!
//! Paths are relative to the package root with `/` separators: the single top folder of a
//! tarball (`package/`, or whatever npm's `strip: 1` would remove) is dropped. Hostile
//! constructions (`..`, absolute paths, links, device files) and limit breaches are collected as
//! [`ArchiveProblem`]s; the report turns them into an `unanalysable` alert.
//!
//! Binary files (native code, images) are kept only as their first
//! [`Limits::binary_head_bytes`] plus size and SHA-256: the analysers need their magic bytes, not
//! their 20 MB of machine code. Text is kept whole, up to [`Limits::max_text_file_bytes`].

mod collect;
mod folder;
pub mod limits;
pub mod magic;
mod tarball;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use folder::read_folder;
pub use limits::{LimitKind, Limits};
pub use tarball::read_tarball;

/// One regular file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Relative to the package root, `/`-separated, no `.` or `..` components.
    pub path: String,
    /// Unix permission bits as recorded in the archive (or on disk for folders).
    pub mode: u32,
    /// The file's real size in bytes.
    pub size: u64,
    /// The whole file, or only its head when it is binary or over the text limit
    /// (see [`PackageFile::is_complete`]).
    pub bytes: Vec<u8>,
    /// Looked binary (NUL bytes or a native-code magic number in its first 8 KiB).
    pub binary: bool,
    /// SHA-256 computed while streaming, set only when `bytes` is not the whole file.
    pub(crate) streamed_sha256: Option<[u8; 32]>,
}

impl PackageFile {
    /// A file held whole in memory (for packages built in memory, tests and fuzzing).
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> PackageFile {
        let binary = magic::looks_binary(&bytes[..bytes.len().min(8192)]);
        PackageFile {
            path: path.into(),
            mode: 0o644,
            size: bytes.len() as u64,
            bytes,
            binary,
            streamed_sha256: None,
        }
    }

    /// True when `bytes` holds the whole file.
    pub fn is_complete(&self) -> bool {
        self.streamed_sha256.is_none()
    }

    /// SHA-256 of the whole file (computed on demand for files held whole).
    pub fn sha256(&self) -> [u8; 32] {
        match self.streamed_sha256 {
            Some(digest) => digest,
            None => Sha256::digest(&self.bytes).into(),
        }
    }

    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256())
    }

    /// The file as text; invalid UTF-8 becomes U+FFFD, as Node.js itself decodes sources.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

/// What kind of problem an archive had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A [`Limits`] value was exceeded; reading stopped or the file was skipped.
    LimitExceeded,
    /// The gzip or tar stream is broken or truncated.
    Corrupt,
    /// A path with a `..` component.
    PathTraversal,
    /// A path starting at the filesystem root or a drive letter.
    AbsolutePath,
    Symlink,
    HardLink,
    /// Character or block device, FIFO, socket.
    DeviceFile,
    /// Tar entry types npm does not install (sparse files, unknown types). Listed only.
    UnsupportedEntry,
    /// A path that is not UTF-8 (kept with U+FFFD replacements). Listed only.
    NonUtf8Path,
    /// The same path twice; installers keep the last copy, both are analysed. Listed only.
    DuplicatePath,
    /// A file at the archive root, outside the package folder, which npm never installs. Listed only.
    OutsidePackageFolder,
    /// The folder could not be read (permissions, I/O error).
    Unreadable,
}

impl ProblemKind {
    /// Problems that mean part of the package went unanalysed, or that only a hostile archive
    /// has: these make the package `unanalysable` (suspicious). The rest are listed only.
    pub fn makes_unanalysable(self) -> bool {
        !matches!(
            self,
            ProblemKind::UnsupportedEntry
                | ProblemKind::NonUtf8Path
                | ProblemKind::DuplicatePath
                | ProblemKind::OutsidePackageFolder
        )
    }
}

/// A problem found while reading, with the path it concerns (empty for the whole archive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveProblem {
    pub kind: ProblemKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitKind>,
    pub path: String,
    pub detail: String,
}

/// Everything read from one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageContents {
    /// In archive order (tarballs) or sorted by path (folders).
    pub files: Vec<PackageFile>,
    /// At most [`MAX_PROBLEMS`]; the number left out is in `problems_omitted`.
    pub problems: Vec<ArchiveProblem>,
    pub problems_omitted: usize,
    /// SHA-256 of the `.tgz` bytes, lower-case hex; `None` for folders.
    pub tarball_sha256: Option<String>,
    /// Sum of the sizes of the files read.
    pub unpacked_bytes: u64,
}

/// Problems kept per package: a hostile archive with 100,000 bad entries must not produce a
/// 100,000-line report.
pub const MAX_PROBLEMS: usize = 100;

impl PackageContents {
    /// A package made of files held in memory, with no archive and no problems.
    pub fn from_files(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> PackageContents {
        let files: Vec<PackageFile> = files
            .into_iter()
            .map(|(path, bytes)| PackageFile::new(path, bytes))
            .collect();
        let unpacked_bytes = files.iter().map(|f| f.size).sum();
        PackageContents {
            files,
            unpacked_bytes,
            ..PackageContents::default()
        }
    }

    /// The file installers would end up with at `path` (the last copy of a duplicate).
    pub fn file(&self, path: &str) -> Option<&PackageFile> {
        self.files.iter().rev().find(|f| f.path == path)
    }

    /// True when a problem means the package could not be read completely or safely.
    pub fn has_blocking_problems(&self) -> bool {
        self.problems.iter().any(|p| p.kind.makes_unanalysable())
    }
}

/// Why a package on disk could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a file or folder")]
    NotAPackage { path: PathBuf },
}

/// Reads a `.tgz` (or plain `.tar`) file or an unpacked package folder.
pub fn read_path(path: &Path, limits: &Limits) -> Result<PackageContents, ReadError> {
    let meta = std::fs::metadata(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return read_folder(path, limits).map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        });
    }
    if !meta.is_file() {
        return Err(ReadError::NotAPackage {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > limits.max_tarball_bytes {
        let mut contents = PackageContents::default();
        contents.problems.push(ArchiveProblem {
            kind: ProblemKind::LimitExceeded,
            limit: Some(LimitKind::TarballBytes),
            path: String::new(),
            detail: format!(
                "the tarball is {} bytes, over the limit of {}",
                meta.len(),
                limits.max_tarball_bytes
            ),
        });
        return Ok(contents);
    }
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(read_tarball(&bytes, limits))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}
