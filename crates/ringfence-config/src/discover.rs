//! Finding `ringfence.toml` the way git finds `.git`: in the folder the command runs in, or
//! the nearest folder above it, so one file at a repository's root serves every subfolder.

use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "ringfence.toml";

/// The first `ringfence.toml` (a file, not a folder) in `start` or one of its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_file_above_wins() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.path().join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(root.path().join(FILE_NAME)));

        std::fs::write(root.path().join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(root.path().join("a").join(FILE_NAME)));
    }

    #[test]
    fn a_folder_named_like_the_file_is_skipped() {
        let root = tempfile::tempdir().unwrap();
        let inner = root.path().join("inner");
        std::fs::create_dir_all(inner.join(FILE_NAME)).unwrap();
        std::fs::write(root.path().join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&inner), Some(root.path().join(FILE_NAME)));
    }
}
