//! Reading OSV records: one record from bytes, a directory tree, or a zip export.
//! A bad file is reported and skipped; it never stops an import.

mod dir;
mod zip_export;

pub use self::dir::load_dir;
pub use self::zip_export::{ZipLimits, load_zip, load_zip_bytes, load_zip_with_limits};

use crate::advisory::Advisory;
use crate::error::{ImportError, RecordError, RecordErrorKind, Warning};
use crate::wire::RecordWire;

/// The largest record accepted from a directory (and the default per-entry zip
/// limit). Real OSV records are a few kilobytes; the largest are well under 1 MiB.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// The result of an import: the records read, and what went wrong file by file.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Parsed records in a stable order (by file path, or by zip entry order).
    pub advisories: Vec<Advisory>,
    /// Files or entries that could not be read or parsed.
    pub errors: Vec<ImportError>,
    /// Parts of parsed records that cannot be evaluated ([`Advisory::warnings`]).
    pub warnings: Vec<Warning>,
    /// JSON files (or zip entries) looked at, good or bad.
    pub files_read: usize,
}

impl ImportReport {
    pub(crate) fn push(&mut self, result: Result<Advisory, ImportError>) {
        self.files_read += 1;
        match result {
            Ok(advisory) => {
                self.warnings.extend(advisory.warnings().iter().cloned());
                self.advisories.push(advisory);
            }
            Err(err) => self.errors.push(err),
        }
    }
}

/// Parses one OSV record. `origin` names it in errors and warnings (a path,
/// `all.zip:MAL-2025-1.json`, a store row id). A UTF-8 byte-order mark is skipped.
pub fn parse_record(bytes: &[u8], origin: &str) -> Result<Advisory, RecordError> {
    let error = |kind: RecordErrorKind| RecordError {
        origin: origin.to_string(),
        kind,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(error(RecordErrorKind::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_RECORD_BYTES,
        }));
    }
    // serde_json validates UTF-8 inside strings and caps nesting at 128 levels, so
    // hostile input is an error, not a panic or a stack overflow.
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(RecordErrorKind::NotUtf8 {
            offset: e.valid_up_to(),
        })
    })?;
    let wire: RecordWire =
        serde_json::from_str(text).map_err(|e| error(RecordErrorKind::Json(e)))?;
    let mut advisory = Advisory::try_from(wire).map_err(error)?;
    advisory.attach_source(origin, text);
    Ok(advisory)
}
