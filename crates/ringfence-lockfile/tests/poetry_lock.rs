//! poetry.lock beyond the conformance cases: groups, the graph without recorded roots,
//! hashes and errors.

use std::path::Path;

mod support;

use ringfence_lockfile::{Format, Parsed};
use support::find;

fn parse(text: &str) -> Parsed {
    Format::Poetry
        .parse(Path::new("app/poetry.lock"), text)
        .expect("parses")
}

const LOCK: &str = r#"[[package]]
name = "Factory_Boy"
version = "3.3.1"
optional = false
python-versions = ">=3.8"
groups = ["dev"]
files = [
    {file = "factory_boy-3.3.1-py2.py3-none-any.whl", hash = "sha256:aaaa"},
    {file = "factory_boy-3.3.1.tar.gz", hash = "sha256:bbbb"},
]

[package.dependencies]
Faker = ">=0.7.0"

[[package]]
name = "faker"
version = "33.3.0"
optional = false
python-versions = ">=3.8"
groups = ["dev", "test"]

[package.dependencies]
six = {version = ">=1.5", markers = "python_version < \"4\""}

[[package]]
name = "six"
version = "1.17.0"
optional = false
python-versions = ">=2.7"
groups = ["main", "dev"]

[[package]]
name = "ike"
version = "0.2.0"
optional = true
python-versions = "^3.6"
groups = ["main"]

[package.source]
type = "git"
url = "https://git.example/ike"
reference = "main"
resolved_reference = "cd66602cd29f61a2d2e7fb995fef1e61708c034d"

[metadata]
lock-version = "2.1"
"#;

#[test]
fn groups_without_main_are_dev() {
    let parsed = parse(LOCK);
    assert!(find(&parsed, "factory-boy").dev);
    assert!(find(&parsed, "faker").dev);
    assert!(!find(&parsed, "six").dev);
    let ike = find(&parsed, "ike");
    assert!(ike.optional && !ike.dev);
}

#[test]
fn packages_nobody_depends_on_are_taken_as_direct() {
    let parsed = parse(LOCK);
    assert!(find(&parsed, "factory-boy").direct);
    assert!(find(&parsed, "ike").direct);
    assert!(!find(&parsed, "faker").direct);
    assert_eq!(
        find(&parsed, "six").path,
        vec!["factory-boy@3.3.1", "faker@33.3.0", "six@1.17.0"]
    );
}

#[test]
fn sdist_hash_git_commit_and_line_are_recorded() {
    let parsed = parse(LOCK);
    let factory = find(&parsed, "factory-boy");
    assert_eq!(factory.integrity.as_deref(), Some("sha256:bbbb"));
    assert_eq!(factory.line, Some(1));
    let ike = find(&parsed, "ike");
    assert_eq!(
        ike.commit.as_deref(),
        Some("cd66602cd29f61a2d2e7fb995fef1e61708c034d")
    );
    assert_eq!(ike.resolved.as_deref(), Some("https://git.example/ike"));
    assert_eq!(ike.line, Some(32));
    assert_eq!(LOCK.lines().nth(32), Some("name = \"ike\""));
}

#[test]
fn version_1_hashes_come_from_metadata_files_and_category_dev_is_dev() {
    let text = r#"[[package]]
name = "pytest"
version = "7.0.0"
category = "dev"
optional = false
python-versions = ">=3.6"

[metadata]
lock-version = "1.1"

[metadata.files]
pytest = [
    {file = "pytest-7.0.0-py3-none-any.whl", hash = "sha256:1111"},
    {file = "pytest-7.0.0.tar.gz", hash = "sha256:2222"},
]
"#;
    let parsed = parse(text);
    let pytest = find(&parsed, "pytest");
    assert!(pytest.dev);
    assert_eq!(pytest.integrity.as_deref(), Some("sha256:2222"));
}

#[test]
fn toml_syntax_errors_name_the_file_and_line() {
    let text = "[[package]]\nname = \"a\"\nversion = \"1.0\"\n[package\n";
    let err = Format::Poetry
        .parse(Path::new("app/poetry.lock"), text)
        .unwrap_err();
    assert_eq!(err.line, Some(4), "{err}");
    assert!(err.to_string().contains("poetry.lock"), "{err}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("[[package]]\nname = \"a\"\nx = {}", "{b = ".repeat(100_000));
    assert!(
        Format::Poetry
            .parse(Path::new("poetry.lock"), &text)
            .is_err()
    );
}
