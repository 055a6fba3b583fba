//! Package identity: which ecosystem a package lives in, how its name is normalised,
//! how its versions compare, and how it is written as a package URL (purl).
//!
//! Everything else in ringfence (lockfiles, advisories, inspection, incidents) speaks
//! in these types, so a package found in a `yarn.lock` and a package named in an OSV
//! record compare equal when they are the same package.

mod ecosystem;
mod name;
mod purl;
mod version;

pub use ecosystem::Ecosystem;
pub use name::normalize_name;
pub use purl::purl;
pub use version::{Version, VersionError};
