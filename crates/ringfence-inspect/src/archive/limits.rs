//! Limits on what one package may cost to read. A package that breaches one is reported
//! `unanalysable` (suspicious), never silently clean, and never costs more than the limit.
//!
//! The defaults were checked against the 1,000-package benign corpus (BENCHMARKS.md), where the
//! largest values were: 18.9 MB unpacked (`@img/sharp-libvips-linuxmusl-x64`), 5,136 files
//! (`date-fns`), a 18.9 MB single file (`libvips-cpp.so`, binary), a 5.3 MB single text file
//! (`@octokit/openapi-types`' `types.d.ts`), gzip ratio 19.8 (`es-abstract`), path depth 9 and
//! path length 117 bytes (`@smithy/core`). Each default leaves a wide margin above those.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the `.tgz` file itself.
    pub max_tarball_bytes: u64,
    /// Sum of all inflated bytes (tar headers and padding included for tarballs). Also bounds
    /// the memory one package can hold, since only text is kept whole.
    pub max_total_bytes: u64,
    /// Regular files in the package.
    pub max_files: usize,
    /// One file of any kind (binaries are hashed as a stream, only their head is kept).
    pub max_file_bytes: u64,
    /// One text file kept whole in memory for analysis; a larger text file is unanalysable.
    pub max_text_file_bytes: u64,
    /// How much of a binary file (or of a text file over the limit) is kept: enough for magic
    /// bytes and headers. The rest is hashed, not stored.
    pub binary_head_bytes: usize,
    /// Inflated / compressed bytes, checked once `ratio_floor_bytes` have been inflated.
    pub max_compression_ratio: u64,
    pub ratio_floor_bytes: u64,
    /// Components in a file path (`a/b/c.js` is 3).
    pub max_path_depth: usize,
    /// Bytes in a file path.
    pub max_path_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_tarball_bytes: 256 << 20,
            max_total_bytes: 256 << 20,
            max_files: 20_000,
            max_file_bytes: 128 << 20,
            max_text_file_bytes: 16 << 20,
            binary_head_bytes: 64 << 10,
            max_compression_ratio: 100,
            ratio_floor_bytes: 8 << 20,
            max_path_depth: 64,
            max_path_bytes: 1024,
        }
    }
}

/// Which limit was breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitKind {
    TarballBytes,
    TotalBytes,
    Files,
    FileBytes,
    TextFileBytes,
    CompressionRatio,
    PathDepth,
    PathBytes,
}

impl LimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::TarballBytes => "tarball size",
            LimitKind::TotalBytes => "total unpacked size",
            LimitKind::Files => "file count",
            LimitKind::FileBytes => "single file size",
            LimitKind::TextFileBytes => "single text file size",
            LimitKind::CompressionRatio => "compression ratio",
            LimitKind::PathDepth => "path depth",
            LimitKind::PathBytes => "path length",
        }
    }

    /// The configured value of this limit, for messages.
    pub fn value(self, limits: &Limits) -> u64 {
        match self {
            LimitKind::TarballBytes => limits.max_tarball_bytes,
            LimitKind::TotalBytes => limits.max_total_bytes,
            LimitKind::Files => limits.max_files as u64,
            LimitKind::FileBytes => limits.max_file_bytes,
            LimitKind::TextFileBytes => limits.max_text_file_bytes,
            LimitKind::CompressionRatio => limits.max_compression_ratio,
            LimitKind::PathDepth => limits.max_path_depth as u64,
            LimitKind::PathBytes => limits.max_path_bytes as u64,
        }
    }
}
