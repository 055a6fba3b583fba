//! A small harness for running the real `ringfence` binary, as a user would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (examples/ lives there).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A `ringfence` command run from the repository root, with its own empty SQLite database so
/// tests never touch the user's real one.
pub struct Ringfence {
    pub dir: tempfile::TempDir,
}

impl Ringfence {
    pub fn new() -> Ringfence {
        Ringfence {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> String {
        self.dir.path().join("ringfence.db").display().to_string()
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("ringfence").unwrap();
        cmd.current_dir(repo_root())
            .env("RINGFENCE_DB", self.db())
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE");
        cmd
    }
}

/// Runs the command and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The PostgreSQL URL for tests, or None (and a note) when it is not configured.
pub fn postgres_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: no DATABASE_URL");
            None
        }
    }
}
