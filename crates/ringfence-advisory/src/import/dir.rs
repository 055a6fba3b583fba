//! A directory tree of OSV files: a clone of github/advisory-database or
//! ossf/malicious-packages, or an unpacked export.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{ImportReport, MAX_RECORD_BYTES, parse_record};
use crate::error::{ImportError, RecordError, RecordErrorKind};

/// Reads every `*.json` file under `root` in parallel.
///
/// Hidden directories (`.git`, `.github`) are skipped, and so are symbolic links to
/// directories (a link cycle must not hang the walk). Fails only if `root` itself
/// cannot be read; every other problem is an entry in [`ImportReport::errors`].
pub fn load_dir(root: &Path) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let files = walk(root, &mut report.errors)?;
    let results: Vec<_> = files.par_iter().map(|path| read_one(path)).collect();
    for result in results {
        report.push(result);
    }
    Ok(report)
}

fn read_one(path: &Path) -> Result<crate::Advisory, ImportError> {
    let origin = path.display().to_string();
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // `take` bounds the read even if the file grows or lies about its size.
    file.take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(RecordError {
            origin,
            kind: RecordErrorKind::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_RECORD_BYTES,
            },
        }
        .into());
    }
    Ok(parse_record(&bytes, &origin)?)
}

/// The `*.json` files under `root`, sorted, so reports are stable run to run.
fn walk(root: &Path, errors: &mut Vec<ImportError>) -> Result<Vec<PathBuf>, ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    let meta = fs::metadata(root).map_err(io(root))?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    fs::read_dir(root).map_err(io(root))?;

    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(io(&dir)(e));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    errors.push(io(&dir)(e));
                    continue;
                }
            };
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if file_type.is_dir() {
                if !hidden {
                    stack.push(path);
                }
            } else if is_json(&path)
                && (file_type.is_file() || fs::metadata(&path).is_ok_and(|m| m.is_file()))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}
