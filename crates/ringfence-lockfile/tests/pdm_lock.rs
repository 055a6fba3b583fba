//! pdm.lock beyond the conformance cases: groups, the graph from PEP 508 requirements,
//! hashes, git revisions and errors.

use std::path::Path;

mod support;

use ringfence_lockfile::{Format, Parsed};
use support::find;

fn parse(text: &str) -> Parsed {
    Format::Pdm
        .parse(Path::new("app/pdm.lock"), text)
        .expect("parses")
}

const LOCK: &str = r#"[metadata]
groups = ["default", "dev", "docs"]
lock_version = "4.4.1"

[[package]]
name = "pyroute2"
version = "0.7.11"
groups = ["dev"]
dependencies = [
    "win-inet-pton; platform_system == \"Windows\"",
]
files = [
    {file = "pyroute2-0.7.11-py3-none-any.whl", hash = "sha256:aaaa"},
]

[[package]]
name = "win_inet_pton"
version = "1.1.0"
groups = ["dev"]
files = [
    {file = "win_inet_pton-1.1.0-py2.py3-none-any.whl", hash = "sha256:bbbb"},
    {file = "win_inet_pton-1.1.0.tar.gz", hash = "sha256:cccc"},
]

[[package]]
name = "sphinx"
version = "7.0.0"
groups = ["docs"]

[[package]]
name = "toml"
version = "0.10.2"
git = "https://git.example/uiri/toml.git"
revision = "65bab7582ce14c55cdeec2244c65ea23039c9e6f"
groups = ["default", "dev"]
"#;

#[test]
fn default_is_production_dev_is_dev_other_groups_optional() {
    let parsed = parse(LOCK);
    let pyroute2 = find(&parsed, "pyroute2");
    assert!(pyroute2.dev && !pyroute2.optional);
    let sphinx = find(&parsed, "sphinx");
    assert!(sphinx.optional && !sphinx.dev);
    let toml = find(&parsed, "toml");
    assert!(!toml.dev && !toml.optional);
}

#[test]
fn requirements_become_edges_by_normalised_name() {
    let parsed = parse(LOCK);
    let pton = find(&parsed, "win-inet-pton");
    assert!(!pton.direct);
    assert_eq!(pton.path, vec!["pyroute2@0.7.11", "win-inet-pton@1.1.0"]);
    assert!(find(&parsed, "pyroute2").direct);
    assert!(find(&parsed, "toml").direct);
}

#[test]
fn hashes_git_revision_and_lines_are_recorded() {
    let parsed = parse(LOCK);
    assert_eq!(
        find(&parsed, "win-inet-pton").integrity.as_deref(),
        Some("sha256:cccc")
    );
    assert_eq!(
        find(&parsed, "pyroute2").integrity.as_deref(),
        Some("sha256:aaaa")
    );
    let toml = find(&parsed, "toml");
    assert_eq!(
        toml.commit.as_deref(),
        Some("65bab7582ce14c55cdeec2244c65ea23039c9e6f")
    );
    assert_eq!(
        toml.resolved.as_deref(),
        Some("https://git.example/uiri/toml.git")
    );
    assert_eq!(find(&parsed, "pyroute2").line, Some(5));
}

#[test]
fn toml_syntax_errors_name_the_file_and_line() {
    let text = "[[package]]\nname = \"a\"\nversion = '1.0\n";
    let err = Format::Pdm
        .parse(Path::new("app/pdm.lock"), text)
        .unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    assert!(err.to_string().contains("pdm.lock"), "{err}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!("x = {}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(Format::Pdm.parse(Path::new("pdm.lock"), &text).is_err());
}
