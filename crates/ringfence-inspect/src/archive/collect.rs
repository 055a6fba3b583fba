//! What tarballs and folders share: path checks, per-file limits, reading a file body while
//! keeping only what the analysers need.

use std::collections::HashSet;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::limits::{LimitKind, Limits};
use super::magic::looks_binary;
use super::{ArchiveProblem, MAX_PROBLEMS, PackageContents, PackageFile, ProblemKind};

/// Bytes looked at to decide whether a file is binary.
const SNIFF_BYTES: usize = 8192;

/// Reading must stop: the archive as a whole breached a limit or the stream broke.
#[derive(Debug)]
pub(crate) enum Stop {
    Limit(LimitKind, String),
    Io(io::Error),
}

pub(crate) struct Collector<'a> {
    pub(crate) limits: &'a Limits,
    contents: PackageContents,
    seen: HashSet<String>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(limits: &'a Limits) -> Collector<'a> {
        Collector {
            limits,
            contents: PackageContents::default(),
            seen: HashSet::new(),
        }
    }

    pub(crate) fn problem(
        &mut self,
        kind: ProblemKind,
        limit: Option<LimitKind>,
        path: &str,
        detail: String,
    ) {
        if self.contents.problems.len() < MAX_PROBLEMS {
            self.contents.problems.push(ArchiveProblem {
                kind,
                limit,
                path: path.to_string(),
                detail,
            });
        } else {
            self.contents.problems_omitted += 1;
        }
    }

    pub(crate) fn limit(&mut self, limit: LimitKind, path: &str, detail: String) {
        self.problem(ProblemKind::LimitExceeded, Some(limit), path, detail);
    }

    /// Checks a relative path split into components (already without the tarball's top
    /// folder). Returns the normalised path, or `None` (with a problem recorded) to skip it.
    pub(crate) fn accept_path(&mut self, components: &[&str], shown: &str) -> Option<String> {
        let parts: Vec<&str> = components
            .iter()
            .copied()
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        if parts.iter().any(|c| c.split('\\').any(|p| p == "..")) {
            self.problem(
                ProblemKind::PathTraversal,
                None,
                shown,
                "path climbs out of the package with `..`".into(),
            );
            return None;
        }
        if parts.len() > self.limits.max_path_depth {
            let detail = format!(
                "path is {} levels deep, over the limit of {}",
                parts.len(),
                self.limits.max_path_depth
            );
            self.limit(LimitKind::PathDepth, &truncate_path(shown), detail);
            return None;
        }
        let path = parts.join("/");
        if path.len() > self.limits.max_path_bytes {
            let detail = format!(
                "path is {} bytes long, over the limit of {}",
                path.len(),
                self.limits.max_path_bytes
            );
            self.limit(LimitKind::PathBytes, &truncate_path(shown), detail);
            return None;
        }
        Some(path)
    }

    /// Reads one regular file. `declared` is its size from the archive header or metadata.
    pub(crate) fn add_file(
        &mut self,
        path: String,
        mode: u32,
        declared: u64,
        body: &mut dyn Read,
    ) -> Result<(), Stop> {
        let limits = self.limits;
        if self.contents.files.len() >= limits.max_files {
            return Err(Stop::Limit(
                LimitKind::Files,
                format!("more than {} files", limits.max_files),
            ));
        }
        if declared > limits.max_file_bytes {
            let detail = format!(
                "file is {declared} bytes, over the limit of {}; not analysed",
                limits.max_file_bytes
            );
            self.limit(LimitKind::FileBytes, &path, detail);
            return Ok(());
        }
        if self.contents.unpacked_bytes.saturating_add(declared) > limits.max_total_bytes {
            return Err(Stop::Limit(
                LimitKind::TotalBytes,
                format!("more than {} bytes unpacked", limits.max_total_bytes),
            ));
        }
        let file = read_body(path, mode, declared, body, limits).map_err(Stop::Io)?;
        if file.size < declared {
            return Err(Stop::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "`{}` ends after {} of its {declared} bytes",
                    file.path, file.size
                ),
            )));
        }
        if !file.binary && !file.is_complete() {
            let detail = format!(
                "text file is {} bytes, over the limit of {}; only its start was analysed",
                file.size, limits.max_text_file_bytes
            );
            self.limit(LimitKind::TextFileBytes, &file.path, detail);
        }
        if !self.seen.insert(file.path.clone()) {
            self.problem(
                ProblemKind::DuplicatePath,
                None,
                &file.path,
                "the archive has this path more than once".into(),
            );
        }
        self.contents.unpacked_bytes += file.size;
        self.contents.files.push(file);
        Ok(())
    }

    pub(crate) fn stop(&mut self, stop: Stop) {
        match stop {
            Stop::Limit(limit, detail) => self.limit(limit, "", detail),
            Stop::Io(e) => self.problem(ProblemKind::Corrupt, None, "", e.to_string()),
        }
    }

    pub(crate) fn finish(self, tarball_sha256: Option<String>) -> PackageContents {
        PackageContents {
            tarball_sha256,
            ..self.contents
        }
    }
}

/// Reads at most `declared` bytes: the whole file when it is text under the limit, otherwise
/// its head, hashing the rest as it streams past.
fn read_body(
    path: String,
    mode: u32,
    declared: u64,
    body: &mut dyn Read,
    limits: &Limits,
) -> io::Result<PackageFile> {
    let mut body = body.take(declared);
    let mut head = Vec::with_capacity(SNIFF_BYTES.min(declared as usize));
    (&mut body)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    let binary = looks_binary(&head);
    let keep = if binary {
        limits.binary_head_bytes as u64
    } else {
        limits.max_text_file_bytes
    };
    if declared <= keep {
        let mut bytes = head;
        bytes.reserve(declared as usize - bytes.len());
        body.read_to_end(&mut bytes)?;
        return Ok(PackageFile {
            path,
            mode,
            size: bytes.len() as u64,
            bytes,
            binary,
            streamed_sha256: None,
        });
    }
    let mut hasher = Sha256::new();
    hasher.update(&head);
    let mut bytes = head;
    let mut size = bytes.len() as u64;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        let room = limits.binary_head_bytes.saturating_sub(bytes.len());
        bytes.extend_from_slice(&buf[..n.min(room)]);
        size += n as u64;
    }
    bytes.truncate(limits.binary_head_bytes);
    Ok(PackageFile {
        path,
        mode,
        size,
        bytes,
        binary,
        streamed_sha256: Some(hasher.finalize().into()),
    })
}

/// Paths in problems are cut so a 20,000-byte path does not fill the report.
fn truncate_path(path: &str) -> String {
    const MAX: usize = 200;
    if path.len() <= MAX {
        return path.to_string();
    }
    let mut end = MAX;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &path[..end])
}
