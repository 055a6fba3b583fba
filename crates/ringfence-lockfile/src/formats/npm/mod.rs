//! `package-lock.json` and `npm-shrinkwrap.json` (the same format), lockfile versions 1, 2
//! and 3. Versions 2 and 3 are read from the `packages` map ([`packages`]); version 1, and
//! any file without that map, from the nested `dependencies` tree ([`v1`]). Both describe
//! a `node_modules` tree, so both become a [`tree::Tree`] whose requirements resolve as
//! Node resolves them, which gives every package its dependency path.
//!
//! The helpers in [`common`] and [`json_keys`] are shared with yarn.lock and bun.lock.

pub(crate) mod common;
pub(crate) mod json_keys;
mod packages;
mod tree;
mod v1;
mod wire;

use std::path::Path;

use crate::{LineIndex, ParseError, Parsed};

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    // Editors on Windows may add a byte-order mark; npm ignores it, serde_json does not.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lock: wire::LockWire =
        serde_json::from_str(text).map_err(|e| ParseError::json(path, &e))?;
    let lines = LineIndex::new(text);
    let packages = match (lock.packages, lock.dependencies) {
        (Some(packages), _) => packages::build(packages, text, &lines),
        (None, Some(dependencies)) => {
            let manifest = common::manifest_beside(path);
            v1::build(dependencies, manifest, text, &lines)
        }
        (None, None) => Vec::new(),
    };
    Ok(Parsed {
        packages,
        warnings: Vec::new(),
    })
}
