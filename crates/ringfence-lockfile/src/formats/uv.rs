//! TODO: parser not written yet.
use std::path::Path;

use crate::{ParseError, Parsed};

pub fn parse(path: &Path, _text: &str) -> Result<Parsed, ParseError> {
    Err(ParseError::new(
        path,
        None,
        "this lockfile format is not supported yet",
    ))
}
