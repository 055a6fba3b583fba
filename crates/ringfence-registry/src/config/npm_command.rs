//! The last resort: ask the user's own npm (`npm config get registry`). It knows layers we do
//! not read (npm's built-in npmrc, its compiled-in default), and whatever it answers is the
//! user's registry, not one we chose.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Finds `name` in the `PATH` of `env`.
pub(crate) fn find_on_path(name: &str, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let path = env.get("PATH")?;
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Runs `npm config get <key>` in `cwd` with exactly `env`; the trimmed answer, or why not.
pub(crate) fn npm_config_get(
    program: &Path,
    key: &str,
    cwd: &Path,
    env: &BTreeMap<String, String>,
) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(["config", "get", key])
        .current_dir(cwd)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{} config get {key}` did not finish within {}s",
                    program.display(),
                    TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for {}: {e}", program.display())),
        }
    };
    let out = stdout.and_then(|h| h.join().ok()).unwrap_or_default();
    let err = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!(
            "`{} config get {key}` failed ({status}): {first}",
            program.display()
        ));
    }
    Ok(out.trim().to_string())
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        // Bounded: a misbehaving program cannot make us buffer without limit.
        let _ = pipe.by_ref().take(1 << 20).read_to_end(&mut bytes);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
