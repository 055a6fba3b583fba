//! uv.lock beyond the conformance cases: the graph from the project's own entry, dev
//! groups and extras, hashes, git commits and errors.

use std::path::Path;

mod support;

use ringfence_lockfile::{Format, Parsed};
use support::find;

fn parse(text: &str) -> Parsed {
    Format::Uv
        .parse(Path::new("app/uv.lock"), text)
        .expect("parses")
}

const LOCK: &str = r#"version = 1
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "requests" },
]

[package.optional-dependencies]
cli = [
    { name = "click" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.example/simple" }
dependencies = [
    { name = "urllib3" },
]
sdist = { url = "https://files.pypi.example/requests-2.32.3.tar.gz", hash = "sha256:aaaa", size = 1 }
wheels = [
    { url = "https://files.pypi.example/requests-2.32.3-py3-none-any.whl", hash = "sha256:bbbb", size = 1 },
]

[[package]]
name = "urllib3"
version = "2.2.3"
source = { registry = "https://pypi.example/simple" }
wheels = [
    { url = "https://files.pypi.example/urllib3-2.2.3-py3-none-any.whl", hash = "sha256:cccc", size = 1 },
]

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.example/simple" }
dependencies = [
    { name = "urllib3" },
    { name = "pluggy" },
]

[[package]]
name = "Pluggy"
version = "1.5.0"
source = { git = "https://git.example/pluggy?rev=main#84748be16341b76e073d117329f7f5f4ee2941ad" }

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://pypi.example/simple" }
"#;

#[test]
fn the_project_entry_is_left_out_and_its_dependencies_are_direct() {
    let parsed = parse(LOCK);
    assert!(parsed.packages.iter().all(|p| p.name != "app"));
    assert_eq!(parsed.packages.len(), 5);
    assert!(find(&parsed, "requests").direct);
    assert!(find(&parsed, "pytest").direct);
    assert!(find(&parsed, "click").direct);
    assert!(!find(&parsed, "urllib3").direct);
    assert_eq!(
        find(&parsed, "urllib3").path,
        vec!["requests@2.32.3", "urllib3@2.2.3"]
    );
}

#[test]
fn dependency_groups_are_dev_and_extras_optional() {
    let parsed = parse(LOCK);
    let pytest = find(&parsed, "pytest");
    assert!(pytest.dev && !pytest.optional);
    let pluggy = find(&parsed, "pluggy");
    assert!(pluggy.dev, "only pytest pulls it in");
    assert_eq!(pluggy.path, vec!["pytest@8.3.3", "pluggy@1.5.0"]);
    let urllib3 = find(&parsed, "urllib3");
    assert!(
        !urllib3.dev && !urllib3.optional,
        "requests needs it in production"
    );
    let click = find(&parsed, "click");
    assert!(click.optional && !click.dev);
}

#[test]
fn hashes_prefer_the_sdist_and_fall_back_to_a_wheel() {
    let parsed = parse(LOCK);
    let requests = find(&parsed, "requests");
    assert_eq!(requests.integrity.as_deref(), Some("sha256:aaaa"));
    assert_eq!(
        requests.resolved.as_deref(),
        Some("https://files.pypi.example/requests-2.32.3.tar.gz")
    );
    assert_eq!(
        find(&parsed, "urllib3").integrity.as_deref(),
        Some("sha256:cccc")
    );
    assert_eq!(requests.line, Some(22));
    assert_eq!(LOCK.lines().nth(21), Some("[[package]]"));
    assert_eq!(LOCK.lines().nth(22), Some("name = \"requests\""));
}

#[test]
fn git_sources_record_the_commit_and_names_are_normalised() {
    let parsed = parse(LOCK);
    let pluggy = find(&parsed, "pluggy");
    assert_eq!(
        pluggy.commit.as_deref(),
        Some("84748be16341b76e073d117329f7f5f4ee2941ad")
    );
    assert!(
        pluggy
            .resolved
            .as_deref()
            .is_some_and(|r| r.starts_with("https://git.example/"))
    );
}

#[test]
fn without_a_project_entry_nothing_is_guessed_about_dev() {
    let text = "version = 1\n\n[[package]]\nname = \"a\"\nversion = \"1.0\"\ndependencies = [{ name = \"b\" }]\n\n[[package]]\nname = \"b\"\nversion = \"2.0\"\n";
    let parsed = parse(text);
    assert!(find(&parsed, "a").direct);
    assert_eq!(find(&parsed, "b").path, vec!["a@1.0", "b@2.0"]);
    assert!(parsed.packages.iter().all(|p| !p.dev && !p.optional));
}

#[test]
fn toml_syntax_errors_name_the_file_and_line() {
    let text = "version = 1\n\n[[package]]\nname = \"a\"\nversion = = \"1\"\n";
    let err = Format::Uv
        .parse(Path::new("app/uv.lock"), text)
        .unwrap_err();
    assert_eq!(err.line, Some(5), "{err}");
    assert!(err.to_string().contains("uv.lock"), "{err}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("[[package]]\nname = \"a\"\nx = {}", "[".repeat(100_000));
    assert!(Format::Uv.parse(Path::new("uv.lock"), &text).is_err());
}

/// The conformance case listed as a divergence: what only the project's extras pull in is
/// optional, nothing is dev (the lockfile has no dependency groups).
#[test]
fn the_grouped_fixture_reports_extras_as_optional() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/uv/grouped-packages.lock");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let parsed = Format::Uv.parse(&path, &text).unwrap();
    assert_eq!(parsed.packages.len(), 14);
    let emoji = find(&parsed, "emoji");
    assert!(emoji.direct && !emoji.optional && !emoji.dev);
    for name in ["black", "click", "flake8", "colorama", "tomli", "pyflakes"] {
        let p = find(&parsed, name);
        assert!(p.optional && !p.dev, "{name}: {p:?}");
    }
    assert_eq!(
        find(&parsed, "colorama").path,
        vec!["click@8.1.7", "colorama@0.4.6"]
    );
}
