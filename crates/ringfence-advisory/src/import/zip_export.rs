//! An OSV ecosystem export (`<ecosystem>/all.zip`: one `<ID>.json` per record at the
//! top level), read entirely in memory. Nothing is ever written to disk, and every
//! entry passes the [`ZipLimits`] before it is parsed: the archive is a download,
//! so it is treated as hostile.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use zip::ZipArchive;

use super::{ImportReport, MAX_RECORD_BYTES, parse_record};
use crate::error::{EntryRejection, ImportError};

/// Bounds on what an archive may make us read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipLimits {
    /// Size of the archive file itself.
    pub max_archive_bytes: u64,
    /// Entries read; the rest are reported as one error.
    pub max_entries: usize,
    /// Inflated size of one entry.
    pub max_entry_bytes: u64,
    /// Inflated size of all entries together.
    pub max_total_bytes: u64,
    /// Inflated/compressed ratio of one entry, checked once it inflates past
    /// [`ZipLimits::ratio_floor_bytes`] (JSON compresses about 5-20x; bombs ~1000x).
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
}

impl Default for ZipLimits {
    /// Sized for the largest real export (npm, a few hundred thousand records).
    fn default() -> Self {
        ZipLimits {
            max_archive_bytes: 2 * 1024 * 1024 * 1024,
            max_entries: 2_000_000,
            max_entry_bytes: MAX_RECORD_BYTES,
            max_total_bytes: 8 * 1024 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor_bytes: 64 * 1024,
        }
    }
}

/// Reads an OSV zip export with the default [`ZipLimits`].
pub fn load_zip(path: &Path) -> Result<ImportReport, ImportError> {
    load_zip_with_limits(path, &ZipLimits::default())
}

pub fn load_zip_with_limits(path: &Path, limits: &ZipLimits) -> Result<ImportReport, ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limits.max_archive_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(ImportError::Archive {
            path: path.to_path_buf(),
            reason: format!(
                "larger than the limit of {} bytes",
                limits.max_archive_bytes
            ),
        });
    }
    load_zip_bytes(&bytes, &path.display().to_string(), limits)
}

/// Reads an OSV zip export already in memory (a download). `origin` names the
/// archive in errors; entries are named `origin:entry`.
pub fn load_zip_bytes(
    bytes: &[u8],
    origin: &str,
    limits: &ZipLimits,
) -> Result<ImportReport, ImportError> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::Archive {
        path: origin.into(),
        reason: e.to_string(),
    })?;
    let mut report = ImportReport::default();
    let count = archive.len().min(limits.max_entries);
    let total = AtomicU64::new(0);
    let results: Vec<Option<Result<crate::Advisory, ImportError>>> = (0..count)
        .into_par_iter()
        .map_init(
            || archive.clone(),
            |archive, index| read_entry(archive, index, origin, limits, &total),
        )
        .collect();
    for result in results.into_iter().flatten() {
        report.push(result);
    }
    if archive.len() > limits.max_entries {
        report.errors.push(ImportError::Entry {
            origin: origin.to_string(),
            reason: EntryRejection::TooManyEntries {
                limit: limits.max_entries,
            },
        });
    }
    Ok(report)
}

/// One entry: `None` for directories and files that are not `*.json`.
fn read_entry(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    origin: &str,
    limits: &ZipLimits,
    total: &AtomicU64,
) -> Option<Result<crate::Advisory, ImportError>> {
    let reject = |name: &str, reason| {
        Some(Err(ImportError::Entry {
            origin: format!("{origin}:{name}"),
            reason,
        }))
    };
    let mut file = match archive.by_index(index) {
        Ok(file) => file,
        Err(e) => {
            return reject(
                &format!("#{index}"),
                EntryRejection::Unreadable {
                    reason: e.to_string(),
                },
            );
        }
    };
    let name = file.name().to_string();
    if file.is_dir() {
        return None;
    }
    if !is_safe_name(&name) {
        return reject(&name, EntryRejection::UnsafeName { name: name.clone() });
    }
    if !name.to_ascii_lowercase().ends_with(".json") {
        return None;
    }
    let too_large = EntryRejection::TooLarge {
        limit: limits.max_entry_bytes,
    };
    // The declared size can lie; it only lets us refuse early. The real guard is
    // the `take` below, which counts inflated bytes.
    if file.size() > limits.max_entry_bytes {
        return reject(&name, too_large);
    }
    if total.load(Ordering::Relaxed) > limits.max_total_bytes {
        return reject(
            &name,
            EntryRejection::TotalTooLarge {
                limit: limits.max_total_bytes,
            },
        );
    }
    let mut bytes = Vec::with_capacity(file.size().min(limits.max_entry_bytes) as usize);
    if let Err(e) = (&mut file)
        .take(limits.max_entry_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        return reject(
            &name,
            EntryRejection::Unreadable {
                reason: e.to_string(),
            },
        );
    }
    let inflated = bytes.len() as u64;
    if inflated > limits.max_entry_bytes {
        return reject(&name, too_large);
    }
    let ratio = inflated / file.compressed_size().max(1);
    if inflated > limits.ratio_floor_bytes && ratio > limits.max_ratio {
        return reject(
            &name,
            EntryRejection::Ratio {
                ratio,
                limit: limits.max_ratio,
            },
        );
    }
    if total.fetch_add(inflated, Ordering::Relaxed) + inflated > limits.max_total_bytes {
        return reject(
            &name,
            EntryRejection::TotalTooLarge {
                limit: limits.max_total_bytes,
            },
        );
    }
    Some(parse_record(&bytes, &format!("{origin}:{name}")).map_err(ImportError::from))
}

/// Entry names are only ever used as labels, but a name that would escape a
/// directory (`../x.json`, `/etc/x.json`, `C:\x.json`) marks a crafted archive:
/// such entries are refused rather than parsed.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('\0')
        && !name.starts_with(['/', '\\'])
        && name.as_bytes().get(1).is_none_or(|&b| b != b':')
        && !name.split(['/', '\\']).any(|part| part == "..")
}

#[cfg(test)]
mod tests {
    use super::is_safe_name;

    #[test]
    fn traversal_names_are_unsafe() {
        assert!(is_safe_name("MAL-2025-1.json"));
        assert!(is_safe_name("npm/MAL-2025-1.json"));
        assert!(!is_safe_name("../MAL-2025-1.json"));
        assert!(!is_safe_name("a/../../MAL.json"));
        assert!(!is_safe_name("/etc/passwd.json"));
        assert!(!is_safe_name("..\\x.json"));
        assert!(!is_safe_name("C:\\x.json"));
        assert!(!is_safe_name("a\0b.json"));
    }
}
