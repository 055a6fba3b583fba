//! TODO: parser not written yet.
use std::path::Path;

use crate::{ParseError, Parsed};

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/base.txt`.
pub fn is_requirements_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if !name.ends_with(".txt") {
        return false;
    }
    name.starts_with("requirements")
        || name.ends_with("requirements.txt")
        || path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|d| d == "requirements")
}

pub fn parse(path: &Path, _text: &str) -> Result<Parsed, ParseError> {
    Err(ParseError::new(
        path,
        None,
        "this lockfile format is not supported yet",
    ))
}
