use std::path::{Path, PathBuf};

use crate::Format;

/// A path given to [`discover`] that could not be walked or is not a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct DiscoverError {
    pub path: PathBuf,
    pub message: String,
}

/// Folders that hold installed or vendored third-party code, not a project's own lockfiles.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "third_party",
    "bower_components",
    ".venv",
    "venv",
    "site-packages",
    ".git",
    "target",
];

/// Finds every lockfile under the given paths. Directories are walked respecting
/// `.gitignore`, `.ignore` and hidden-file rules, and skip installed/vendored trees
/// (`node_modules`, `vendor`, virtualenvs, `target`). A file given by name is taken as a
/// lockfile whatever `.gitignore` says, and must be one we read.
///
/// Results are sorted by path so output is stable. Walk errors are returned beside the
/// lockfiles found: one unreadable folder does not stop the scan.
pub fn discover(paths: &[PathBuf]) -> (Vec<(PathBuf, Format)>, Vec<DiscoverError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                errors.push(DiscoverError {
                    path: root.clone(),
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        if meta.is_file() {
            match Format::detect(root) {
                Some(format) => found.push((root.clone(), format)),
                None => errors.push(DiscoverError {
                    path: root.clone(),
                    message:
                        "not a lockfile ringfence reads (see `ringfence scan --help` for the list)"
                            .to_string(),
                }),
            }
            continue;
        }
        walk(root, &mut found, &mut errors);
    }
    found.sort();
    found.dedup();
    (found, errors)
}

fn walk(root: &Path, found: &mut Vec<(PathBuf, Format)>, errors: &mut Vec<DiscoverError>) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file())
                    && let Some(format) = Format::detect(entry.path())
                {
                    found.push((entry.into_path(), format));
                }
            }
            Err(e) => errors.push(DiscoverError {
                path: root.to_path_buf(),
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn walks_projects_but_not_installed_or_ignored_trees() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("web/node_modules/dep")).unwrap();
        fs::create_dir_all(root.join("api")).unwrap();
        fs::create_dir_all(root.join("build")).unwrap();
        fs::write(root.join("web/package-lock.json"), "{}").unwrap();
        fs::write(root.join("web/node_modules/dep/package-lock.json"), "{}").unwrap();
        fs::write(root.join("api/requirements.txt"), "").unwrap();
        fs::write(root.join("build/yarn.lock"), "").unwrap();
        fs::write(root.join(".gitignore"), "build/\n").unwrap();
        fs::write(root.join("README.md"), "").unwrap();

        let (found, errors) = discover(&[root.to_path_buf()]);
        assert!(errors.is_empty(), "{errors:?}");
        let rel: Vec<_> = found
            .iter()
            .map(|(p, f)| (p.strip_prefix(root).unwrap().to_path_buf(), *f))
            .collect();
        assert_eq!(
            rel,
            vec![
                (PathBuf::from("api/requirements.txt"), Format::Requirements),
                (
                    PathBuf::from("web/package-lock.json"),
                    Format::NpmPackageLock
                ),
            ]
        );
    }

    #[test]
    fn a_named_file_that_is_not_a_lockfile_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.md");
        fs::write(&file, "").unwrap();
        let (found, errors) = discover(&[file.clone(), dir.path().join("missing")]);
        assert!(found.is_empty());
        assert_eq!(errors.len(), 2);
        assert!(errors[0].to_string().contains("notes.md"));
    }
}
