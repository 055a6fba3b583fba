use std::fmt;
use std::path::{Path, PathBuf};

/// A lockfile that could not be read, or a problem inside one. It always names the file,
/// and the line (or the key) where the format lets us find it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub file: PathBuf,
    pub line: Option<u32>,
    /// The key or entry the problem is in (`packages["node_modules/foo"].version`).
    pub key: Option<String>,
    pub message: String,
}

impl ParseError {
    pub fn new(file: &Path, line: Option<u32>, message: impl Into<String>) -> ParseError {
        ParseError {
            file: file.to_path_buf(),
            line,
            key: None,
            message: message.into(),
        }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> ParseError {
        self.key = Some(key.into());
        self
    }

    pub fn io(file: &Path, err: std::io::Error) -> ParseError {
        ParseError::new(file, None, format!("cannot read: {err}"))
    }

    /// From a serde_json error, which knows its line.
    pub fn json(file: &Path, err: &serde_json::Error) -> ParseError {
        let line = u32::try_from(err.line()).ok().filter(|l| *l > 0);
        ParseError::new(file, line, format!("invalid JSON: {err}"))
    }

    /// From a serde_yaml error, which knows its line where the problem is syntactic.
    pub fn yaml(file: &Path, err: &serde_yaml::Error) -> ParseError {
        let line = err.location().and_then(|l| u32::try_from(l.line()).ok());
        ParseError::new(file, line, format!("invalid YAML: {err}"))
    }

    /// From a toml error, which knows its byte span.
    pub fn toml(file: &Path, text: &str, err: &toml::de::Error) -> ParseError {
        let line = err
            .span()
            .map(|s| crate::LineIndex::new(text).line_of_offset(s.start));
        ParseError::new(file, line, format!("invalid TOML: {}", err.message()))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, " (at {key})")?;
        }
        write!(f, ": {}", self.message)
    }
}
