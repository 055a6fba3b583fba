//! Rendering of results for people (tables) and machines (JSON, SARIF, CycloneDX).

pub mod cyclonedx;
pub mod inspect_sarif;
pub mod sarif;
pub mod table;

use std::io::Write;
use std::path::Path;

/// Writes `value` as pretty JSON and a final newline to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A path as the user would want to read it: relative to the working directory when it is
/// inside it, with `/` separators (SARIF URIs and stable output need them).
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
