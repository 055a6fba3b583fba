//! `.tgz` → files, in memory. The gzip stream is metered: inflation stops as soon as the total
//! or the compression ratio goes over its limit, so a gzip bomb costs a few megabytes and
//! milliseconds, not gigabytes. Concatenated gzip members are read, as Node's zlib reads them.

use std::cell::Cell;
use std::io::{self, Read};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};
use tar::EntryType;

use super::collect::{Collector, Stop};
use super::limits::{LimitKind, Limits};
use super::{PackageContents, ProblemKind, hex};

/// Reads an npm tarball (gzip-compressed tar; a plain tar is accepted too) held in memory.
/// Never fails: whatever could not be read is listed in `problems`.
pub fn read_tarball(bytes: &[u8], limits: &Limits) -> PackageContents {
    let sha = hex(&Sha256::digest(bytes));
    let mut collector = Collector::new(limits);
    if bytes.len() as u64 > limits.max_tarball_bytes {
        let detail = format!(
            "the tarball is {} bytes, over the limit of {}",
            bytes.len(),
            limits.max_tarball_bytes
        );
        collector.limit(LimitKind::TarballBytes, "", detail);
        return collector.finish(Some(sha));
    }
    let meter = Meter::default();
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    let counted = Counted {
        inner: bytes,
        meter: &meter,
    };
    let source: Box<dyn Read + '_> = if gzip {
        Box::new(MultiGzDecoder::new(counted))
    } else {
        Box::new(counted)
    };
    let metered = Metered {
        inner: source,
        meter: &meter,
        limits,
        gzip,
    };
    let mut archive = tar::Archive::new(metered);
    match read_entries(&mut archive, &mut collector, &meter) {
        // Tar stops at its end-of-archive blocks; the rest of the stream must still be whole
        // (a truncated gzip trailer is a broken download npm would refuse).
        Ok(()) => {
            if let Err(e) = io::copy(&mut archive.into_inner(), &mut io::sink()) {
                collector.stop(meter.stop(e));
            }
        }
        Err(stop) => collector.stop(stop),
    }
    collector.finish(Some(sha))
}

fn read_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    collector: &mut Collector<'_>,
    meter: &Meter,
) -> Result<(), Stop> {
    let entries = archive.entries().map_err(|e| meter.stop(e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| meter.stop(e))?;
        let raw = entry.path_bytes().into_owned();
        let shown = match String::from_utf8(raw) {
            Ok(s) => s,
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                collector.problem(
                    ProblemKind::NonUtf8Path,
                    None,
                    &lossy,
                    "path is not UTF-8".into(),
                );
                lossy
            }
        };
        let kind = entry.header().entry_type();
        let problem = match kind {
            EntryType::Regular | EntryType::Continuous => None,
            EntryType::Directory | EntryType::XGlobalHeader => continue,
            EntryType::Symlink => {
                Some((ProblemKind::Symlink, link_detail("symbolic link", &entry)))
            }
            EntryType::Link => Some((ProblemKind::HardLink, link_detail("hard link", &entry))),
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                Some((ProblemKind::DeviceFile, format!("{kind:?} device entry")))
            }
            other => Some((
                ProblemKind::UnsupportedEntry,
                format!(
                    "tar entry type {:?} is not installed by npm",
                    other.as_byte() as char
                ),
            )),
        };
        if let Some((kind, detail)) = problem {
            collector.problem(kind, None, &shown, detail);
            continue;
        }
        let Some(path) = package_path(collector, &shown) else {
            continue;
        };
        let mode = entry.header().mode().unwrap_or(0o644);
        let declared = entry.size();
        collector
            .add_file(path, mode, declared, &mut entry)
            .map_err(|stop| match stop {
                Stop::Io(e) => meter.stop(e),
                limit => limit,
            })?;
    }
    Ok(())
}

/// The path npm would install the entry at: absolute prefixes removed (reported), the first
/// component stripped (`package/`), `..` refused.
fn package_path(collector: &mut Collector<'_>, shown: &str) -> Option<String> {
    let rooted = shown.trim_start_matches(['/', '\\']);
    let has_drive = rooted.len() >= 2
        && rooted.as_bytes()[1] == b':'
        && rooted.as_bytes()[0].is_ascii_alphabetic();
    let relative = if has_drive {
        rooted[2..].trim_start_matches(['/', '\\'])
    } else {
        rooted
    };
    if relative.len() != shown.len() {
        collector.problem(
            ProblemKind::AbsolutePath,
            None,
            shown,
            "absolute path in the archive".into(),
        );
    }
    let components: Vec<&str> = relative.split('/').collect();
    if components.iter().any(|c| c.split('\\').any(|p| p == "..")) {
        collector.problem(
            ProblemKind::PathTraversal,
            None,
            shown,
            "path climbs out of the package with `..`".into(),
        );
        return None;
    }
    let inside: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| !c.is_empty() && *c != ".")
        .skip(1)
        .collect();
    if inside.is_empty() {
        collector.problem(
            ProblemKind::OutsidePackageFolder,
            None,
            shown,
            "file outside the package folder; npm does not install it".into(),
        );
        return None;
    }
    collector.accept_path(&inside, shown)
}

fn link_detail<R: Read>(what: &str, entry: &tar::Entry<'_, R>) -> String {
    match entry.link_name_bytes() {
        Some(target) => format!(
            "{what} to `{}`; not followed",
            String::from_utf8_lossy(&target)
        ),
        None => format!("{what}; not followed"),
    }
}

/// Bytes in and out of the decompressor, and which limit (if any) stopped it.
#[derive(Default)]
struct Meter {
    compressed: Cell<u64>,
    inflated: Cell<u64>,
    breach: Cell<Option<(LimitKind, u64)>>,
}

impl Meter {
    /// Turns a stream error into the reason reading stopped: the limit the meter tripped, or
    /// a corrupt archive.
    fn stop(&self, e: io::Error) -> Stop {
        match self.breach.get() {
            Some((LimitKind::CompressionRatio, inflated)) => Stop::Limit(
                LimitKind::CompressionRatio,
                format!(
                    "inflated {inflated} bytes from {} compressed: a compression bomb",
                    self.compressed.get()
                ),
            ),
            Some((limit, inflated)) => {
                Stop::Limit(limit, format!("stopped after inflating {inflated} bytes"))
            }
            None => Stop::Io(e),
        }
    }
}

struct Counted<'a> {
    inner: &'a [u8],
    meter: &'a Meter,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter
            .compressed
            .set(self.meter.compressed.get() + n as u64);
        Ok(n)
    }
}

struct Metered<'a, R> {
    inner: R,
    meter: &'a Meter,
    limits: &'a Limits,
    gzip: bool,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.meter.breach.get().is_some() {
            return Err(io::Error::other("limit exceeded"));
        }
        let n = self.inner.read(buf)?;
        let inflated = self.meter.inflated.get() + n as u64;
        self.meter.inflated.set(inflated);
        let breach = if inflated > self.limits.max_total_bytes {
            Some(LimitKind::TotalBytes)
        } else if self.gzip
            && inflated > self.limits.ratio_floor_bytes
            && inflated
                > self
                    .meter
                    .compressed
                    .get()
                    .saturating_mul(self.limits.max_compression_ratio)
        {
            Some(LimitKind::CompressionRatio)
        } else {
            None
        };
        if let Some(limit) = breach {
            self.meter.breach.set(Some((limit, inflated)));
            return Err(io::Error::other(format!(
                "{} limit exceeded",
                limit.as_str()
            )));
        }
        Ok(n)
    }
}
