//! Capabilities: what a package can do. Informational (low severity); never a verdict alone.

pub mod dynamic_code;
pub mod env_access;
pub mod filesystem_access;
pub mod high_entropy_string;
pub mod minified_code;
pub mod network_access;
pub mod shell_access;
pub mod url_strings;
