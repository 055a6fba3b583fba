//! Diagnostics: every problem in a configuration file, with the line and column it is on, so a
//! responder fixes them all in one pass instead of one per run.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How bad a diagnostic is: an error rejects the whole file, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem at one place. `line` and `column` are 1-based; the column counts characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, as it was given (or found).
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub level: Level,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: message`, the shape editors and CI annotations understand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why a configuration could not be used. Nothing of an invalid file is applied.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (missing, a folder, not UTF-8, no permission).
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but has errors; `warnings` are kept so that a check shows them too.
    #[error("{}", render(errors))]
    Invalid {
        errors: Vec<Diagnostic>,
        warnings: Vec<Diagnostic>,
    },
}

impl ConfigError {
    /// The errors of an invalid file (none for an unreadable one).
    pub fn errors(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid { errors, .. } => errors,
            ConfigError::Unreadable { .. } => &[],
        }
    }

    /// The warnings found alongside the errors.
    pub fn warnings(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid { warnings, .. } => warnings,
            ConfigError::Unreadable { .. } => &[],
        }
    }
}

/// One diagnostic per line.
fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
