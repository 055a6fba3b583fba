//! The git commit a lockfile was scanned at, read from `.git` directly (no git binary):
//! HEAD, then the branch it names, loose or packed.

use std::path::{Path, PathBuf};

/// The commit checked out in the repository holding `path`, if it is in one.
pub fn head_commit(path: &Path) -> Option<String> {
    let start = path.canonicalize().ok()?;
    let git_dir = find_git_dir(&start)?;
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    match head.strip_prefix("ref: ") {
        None => is_commit(head).then(|| head.to_string()),
        Some(reference) => resolve_ref(&git_dir, reference.trim()),
    }
}

fn find_git_dir(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(".git");
        if candidate.is_dir() {
            return Some(candidate);
        }
        // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
        if candidate.is_file() {
            let text = std::fs::read_to_string(&candidate).ok()?;
            let target = text.trim().strip_prefix("gitdir: ")?;
            let target = dir.join(target);
            return target.is_dir().then_some(target);
        }
    }
    None
}

fn resolve_ref(git_dir: &Path, reference: &str) -> Option<String> {
    // Only follow names under refs/: nothing in HEAD may point us outside the repository.
    if !reference.starts_with("refs/") || reference.contains("..") {
        return None;
    }
    let common = common_dir(git_dir);
    for dir in [git_dir, common.as_path()] {
        if let Ok(text) = std::fs::read_to_string(dir.join(reference)) {
            let id = text.trim();
            if is_commit(id) {
                return Some(id.to_string());
            }
        }
        if let Ok(packed) = std::fs::read_to_string(dir.join("packed-refs")) {
            for line in packed.lines() {
                if let Some((id, name)) = line.split_once(' ')
                    && name.trim() == reference
                    && is_commit(id)
                {
                    return Some(id.to_string());
                }
            }
        }
    }
    None
}

/// Worktrees keep their refs in the main repository, named by `commondir`.
fn common_dir(git_dir: &Path) -> PathBuf {
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) => git_dir.join(text.trim()),
        Err(_) => git_dir.to_path_buf(),
    }
}

fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_branch_a_packed_ref_and_a_detached_head() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(git.join("refs/heads/main"), format!("{a}\n")).unwrap();
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        let lock = dir.path().join("app/package-lock.json");
        std::fs::write(&lock, "{}").unwrap();
        assert_eq!(head_commit(&lock), Some(a.clone()));

        std::fs::write(git.join("HEAD"), "ref: refs/heads/release\n").unwrap();
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs with: peeled\n{b} refs/heads/release\n"),
        )
        .unwrap();
        assert_eq!(head_commit(&lock), Some(b.clone()));

        std::fs::write(git.join("HEAD"), format!("{a}\n")).unwrap();
        assert_eq!(head_commit(&lock), Some(a));

        std::fs::write(git.join("HEAD"), "ref: ../../etc/passwd\n").unwrap();
        assert_eq!(head_commit(&lock), None);
    }

    #[test]
    fn outside_a_repository_there_is_no_commit() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("package-lock.json");
        std::fs::write(&lock, "{}").unwrap();
        // The temp dir may sit inside a repository on a developer machine; only assert when
        // it does not.
        if find_git_dir(dir.path()).is_none() {
            assert_eq!(head_commit(&lock), None);
        }
    }
}
