//! Finding and reading lockfiles, shared by `scan` and `inventory`.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use ringfence_lockfile::{Lockfile, discover, read_lockfile};

/// Everything read from the given paths: the lockfiles that parsed, and one message per
/// problem. A problem never stops the others from being read.
pub struct Loaded {
    pub lockfiles: Vec<Lockfile>,
    /// Files or folders that could not be read at all.
    pub errors: Vec<String>,
    /// Problems inside lockfiles that were still read (a missing `-r` include, say).
    pub warnings: Vec<String>,
}

pub fn load(paths: &[PathBuf], quiet: bool) -> Loaded {
    let (found, walk_errors) = discover(paths);
    let mut errors: Vec<String> = walk_errors.iter().map(ToString::to_string).collect();

    let bar = if quiet || found.len() < 2 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(found.len() as u64).with_style(
            ProgressStyle::with_template("{spinner} reading lockfiles {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    };
    let results: Vec<_> = found
        .par_iter()
        .map(|(path, format)| {
            let result = read_lockfile(path, *format);
            bar.inc(1);
            result
        })
        .collect();
    bar.finish_and_clear();

    let mut lockfiles = Vec::new();
    let mut warnings = Vec::new();
    for result in results {
        match result {
            Ok(lockfile) => {
                warnings.extend(lockfile.warnings.iter().map(ToString::to_string));
                lockfiles.push(lockfile);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if found.is_empty() && errors.is_empty() {
        errors.push(format!(
            "no lockfiles found under {} (ringfence reads package-lock.json, npm-shrinkwrap.json, \
yarn.lock, pnpm-lock.yaml, bun.lock, requirements*.txt, poetry.lock, Pipfile.lock, uv.lock, pdm.lock and Cargo.lock)",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    Loaded {
        lockfiles,
        errors,
        warnings,
    }
}
