//! An unpacked package folder → files, under the same limits as a tarball. Symbolic links are
//! reported and never followed; FIFOs and devices are reported and never opened. The walk uses
//! an explicit stack, so a folder nested 10,000 levels deep cannot overflow ours.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::collect::{Collector, Stop};
use super::limits::LimitKind;
use super::{Limits, PackageContents, ProblemKind};

/// Reads every regular file under `root`. Fails only when `root` itself cannot be listed.
pub fn read_folder(root: &Path, limits: &Limits) -> io::Result<PackageContents> {
    let mut collector = Collector::new(limits);
    // Directories are bounded too: a folder of a million empty folders costs no file bytes.
    let max_entries = limits.max_files.saturating_mul(4);
    let mut visited = 0usize;
    let mut stack: Vec<(PathBuf, Vec<String>)> = vec![(root.to_path_buf(), Vec::new())];
    let mut first = true;
    while let Some((dir, rel)) = stack.pop() {
        let listing = match list(&dir) {
            Ok(listing) => listing,
            Err(e) if first => return Err(e),
            Err(e) => {
                collector.problem(ProblemKind::Unreadable, None, &rel.join("/"), e.to_string());
                continue;
            }
        };
        first = false;
        let mut subdirs = Vec::new();
        for (name, full, utf8) in listing {
            visited += 1;
            if visited > max_entries {
                collector.stop(Stop::Limit(
                    LimitKind::Files,
                    format!("more than {max_entries} files and folders"),
                ));
                return Ok(collector.finish(None));
            }
            let mut parts = rel.clone();
            parts.push(name);
            let shown = parts.join("/");
            if !utf8 {
                collector.problem(
                    ProblemKind::NonUtf8Path,
                    None,
                    &shown,
                    "path is not UTF-8".into(),
                );
            }
            let meta = match fs::symlink_metadata(&full) {
                Ok(meta) => meta,
                Err(e) => {
                    collector.problem(ProblemKind::Unreadable, None, &shown, e.to_string());
                    continue;
                }
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                let target = fs::read_link(&full)
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                collector.problem(
                    ProblemKind::Symlink,
                    None,
                    &shown,
                    format!("symbolic link to `{target}`; not followed"),
                );
            } else if kind.is_dir() {
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                if collector.accept_path(&refs, &shown).is_some() {
                    subdirs.push((full, parts));
                }
            } else if kind.is_file() {
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                let Some(path) = collector.accept_path(&refs, &shown) else {
                    continue;
                };
                if let Err(stop) = add(&mut collector, path, &full, &meta) {
                    collector.stop(stop);
                    return Ok(collector.finish(None));
                }
            } else {
                collector.problem(
                    ProblemKind::DeviceFile,
                    None,
                    &shown,
                    "device, FIFO or socket; not opened".into(),
                );
            }
        }
        // Reversed so that popping visits sub-folders in sorted order.
        stack.extend(subdirs.into_iter().rev());
    }
    let mut contents = collector.finish(None);
    contents.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(contents)
}

fn add(
    collector: &mut Collector<'_>,
    path: String,
    full: &Path,
    meta: &fs::Metadata,
) -> Result<(), Stop> {
    let mut file = match File::open(full) {
        Ok(file) => file,
        Err(e) => {
            collector.problem(ProblemKind::Unreadable, None, &path, e.to_string());
            return Ok(());
        }
    };
    match collector.add_file(path.clone(), mode(meta), meta.len(), &mut file) {
        // A file that changed while being read is this file's problem, not the walk's.
        Err(Stop::Io(e)) => {
            collector.problem(ProblemKind::Unreadable, None, &path, e.to_string());
            Ok(())
        }
        other => other,
    }
}

/// Entries of one folder, sorted by name so that reading is deterministic.
fn list(dir: &Path) -> io::Result<Vec<(String, PathBuf, bool)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let raw = entry.file_name();
        let utf8 = raw.to_str().is_some();
        out.push((raw.to_string_lossy().into_owned(), entry.path(), utf8));
    }
    out.sort();
    Ok(out)
}

#[cfg(unix)]
fn mode(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(meta: &fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}
