//! Identification itself lives in `ringfence_advisory::identify`, shared with the other front
//! ends; the CLI names each lockfile relative to the working directory.

use ringfence_advisory::AdvisoryIndex;
use ringfence_lockfile::Lockfile;

pub use ringfence_advisory::identify::Finding;

use crate::output::display_path;

pub fn identify(lockfiles: &[Lockfile], index: &AdvisoryIndex) -> Vec<Finding> {
    ringfence_advisory::identify::identify(lockfiles, index, display_path)
}
