//! Reading an untrusted tar into memory. Nothing is ever extracted: entries are only read into
//! buffers, within [`BundleLimits`], and anything that is not a regular file with a safe name
//! is noted as a problem and skipped. Raw iteration: pax and GNU long-name entries are not
//! interpreted (a bundle never has them), so they cannot rename or resize another entry.

use std::io::{self, Read};

use super::names::{is_unsafe, printable};
use super::{BundleError, BundleLimits};

/// The entries of a tar, as far as they could be read.
#[derive(Debug, Default)]
pub(super) struct RawEntries {
    /// Regular files with safe names, in archive order (duplicates kept).
    pub files: Vec<(String, Vec<u8>)>,
    /// The name of the first entry of any kind.
    pub first: Option<String>,
    /// Entries that were skipped, and why.
    pub problems: Vec<String>,
}

pub(super) fn read_entries<R: Read>(
    input: R,
    limits: &BundleLimits,
) -> Result<RawEntries, BundleError> {
    let mut limited = Limited {
        inner: input,
        read: 0,
        limit: limits.max_total_bytes,
        over: false,
    };
    let result = read_all(&mut limited, limits);
    if limited.over {
        return Err(BundleError::TooLarge {
            limit: limits.max_total_bytes,
        });
    }
    result
}

fn read_all<R: Read>(input: R, limits: &BundleLimits) -> Result<RawEntries, BundleError> {
    let unreadable = |after: &Option<String>, source| BundleError::Unreadable {
        after: after.as_ref().map_or("the start".into(), |name| {
            format!("entry `{}`", printable(name))
        }),
        source,
    };
    let mut archive = tar::Archive::new(input);
    let mut out = RawEntries::default();
    let mut last: Option<String> = None;
    let mut count = 0u64;
    for entry in archive
        .entries()
        .map_err(|e| unreadable(&None, e))?
        .raw(true)
    {
        let mut entry = entry.map_err(|e| unreadable(&last, e))?;
        count += 1;
        if count > limits.max_entries {
            return Err(BundleError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let name_bytes = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&name_bytes).into_owned();
        let shown = printable(&name);
        let size = entry.size();
        if size > limits.max_entry_bytes {
            return Err(BundleError::EntryTooLarge {
                entry: shown,
                size,
                limit: limits.max_entry_bytes,
            });
        }
        out.first.get_or_insert_with(|| name.clone());
        last = Some(name.clone());

        let kind = entry.header().entry_type();
        if std::str::from_utf8(&name_bytes).is_err() {
            out.problems
                .push(format!("entry `{shown}`: the name is not UTF-8; skipped"));
        } else if is_unsafe(&name) {
            out.problems.push(format!(
                "entry `{shown}`: unsafe name (absolute, `..` or odd characters); never extracted"
            ));
        } else if !kind.is_file() {
            out.problems.push(format!(
                "entry `{shown}`: a {kind:?} entry, not a regular file; skipped"
            ));
        } else {
            let mut data = Vec::new();
            entry
                .read_to_end(&mut data)
                .map_err(|e| unreadable(&last, e))?;
            if (data.len() as u64) < size {
                return Err(BundleError::Truncated {
                    entry: name,
                    declared: size,
                    got: data.len() as u64,
                });
            }
            out.files.push((name, data));
        }
    }
    Ok(out)
}

/// Fails the read once more than `limit` bytes have come in, and remembers that it did.
struct Limited<R> {
    inner: R,
    read: u64,
    limit: u64,
    over: bool,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for at most one byte past the limit: enough to tell "exactly at" from "over".
        let room = self.limit.saturating_sub(self.read).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.read += n as u64;
        if self.read > self.limit {
            self.over = true;
            return Err(io::Error::other("over the total size limit"));
        }
        Ok(n)
    }
}
