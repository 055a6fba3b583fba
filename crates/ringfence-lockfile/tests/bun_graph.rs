//! bun.lock beyond the conformance harness: the cases where we derive dev/optional flags
//! (listed as divergences there) still match the peer on everything else; dependency
//! paths; JSONC; bad input.

mod support;

use std::path::{Path, PathBuf};

use ringfence_lockfile::{Format, Package};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bun")
        .join(name)
}

fn parse_fixture(name: &str) -> Vec<Package> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Format::Bun.parse(&path, &text).unwrap().packages
}

fn parse(text: &str) -> ringfence_lockfile::Parsed {
    Format::Bun.parse(Path::new("bun.lock"), text).unwrap()
}

fn find<'a>(packages: &'a [Package], id: &str) -> &'a Package {
    packages
        .iter()
        .find(|p| p.id() == id)
        .unwrap_or_else(|| panic!("{id} missing from {packages:#?}"))
}

/// Names, versions and commits as the peer expects them, sorted.
fn identities(packages: &[Package]) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.commit.clone()))
        .collect();
    out.sort();
    out
}

fn expected_identities(name: &str) -> Vec<(String, String, Option<String>)> {
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out: Vec<_> = expected["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["commit"].as_str().map(str::to_string),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn divergent_cases_match_the_peer_apart_from_flags() {
    for name in [
        "commits.json5",
        "files.json5",
        "nested-dependencies-dup.json5",
        "nested-dependencies.json5",
        "optional-package.json5",
        "scoped-packages-mixed.json5",
    ] {
        assert_eq!(
            identities(&parse_fixture(name)),
            expected_identities(name),
            "{name}"
        );
    }
}

#[test]
fn flags_follow_the_workspace_declarations() {
    let packages = parse_fixture("nested-dependencies.json5");
    // chalk is a devDependency; supports-color@5 a dependency.
    let chalk = find(&packages, "chalk@4.1.2");
    assert!(chalk.dev && chalk.direct);
    assert!(find(&packages, "color-name@1.1.4").dev);
    assert!(!find(&packages, "supports-color@5.5.0").dev);
    assert!(!find(&packages, "has-flag@2.0.0").dev);

    let packages = parse_fixture("optional-package.json5");
    let nan = find(&packages, "nan@2.22.0");
    assert!(nan.optional && !nan.dev);
    assert_eq!(nan.path, vec!["fsevents@0.3.8", "nan@2.22.0"]);
    assert!(!find(&packages, "acorn@8.14.0").optional);

    // Reachable from a dependency and declared as a devDependency: not dev.
    let packages = parse_fixture("same-package-different-groups.json5");
    assert!(!find(&packages, "has-flag@3.0.0").dev);
}

#[test]
fn nested_install_paths_resolve_to_the_nearest_copy() {
    let packages = parse_fixture("nested-dependencies.json5");
    assert_eq!(
        find(&packages, "has-flag@4.0.0").path,
        vec!["chalk@4.1.2", "supports-color@7.2.0", "has-flag@4.0.0"]
    );
    assert_eq!(
        find(&packages, "has-flag@3.0.0").path,
        vec!["supports-color@5.5.0", "has-flag@3.0.0"]
    );
    let top = find(&packages, "supports-color@5.5.0");
    assert!(top.direct && top.path == vec!["supports-color@5.5.0"]);
    assert!(!find(&packages, "supports-color@7.2.0").direct);
}

#[test]
fn aliases_resolve_by_their_install_name() {
    let packages = parse_fixture("alias.json5");
    assert_eq!(
        find(&packages, "has-flag@3.0.0").path,
        vec!["supports-color@6.1.0", "has-flag@3.0.0"]
    );
    assert!(find(&packages, "supports-color@6.1.0").direct);
}

const JSONC: &str = r#"{
  // bun writes trailing commas; people add comments.
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": {
        "event-stream": "3.3.6", /* pinned after the incident */
        "web": "workspace:*",
      },
    },
    "packages/web": {
      "name": "web",
      "devDependencies": { "flatmap-stream": "0.1.1", },
    },
  },
  "packages": {
    "event-stream": ["event-stream@3.3.6", "", { "dependencies": { "flatmap-stream": "0.1.1", }, }, "sha512-event"],

    "flatmap-stream": ["flatmap-stream@0.1.1", "https://registry.npm.example/", {}, "sha512-flat"],

    "web": ["web@workspace:packages/web"],
  },
}"#;

#[test]
fn jsonc_lines_integrity_and_workspaces() {
    let parsed = parse(JSONC);
    assert!(parsed.warnings.is_empty());
    let packages = parsed.packages;
    assert_eq!(
        packages.len(),
        2,
        "the workspace package is the project's own"
    );
    let flatmap = find(&packages, "flatmap-stream@0.1.1");
    assert_eq!(flatmap.line, Some(20));
    assert_eq!(flatmap.integrity.as_deref(), Some("sha512-flat"));
    assert_eq!(
        flatmap.resolved.as_deref(),
        Some("https://registry.npm.example/")
    );
    // The production path wins over the workspace's dev declaration.
    assert_eq!(
        flatmap.path,
        vec!["event-stream@3.3.6", "flatmap-stream@0.1.1"]
    );
    assert!(!flatmap.dev && flatmap.direct, "web declares it directly");
    assert_eq!(find(&packages, "event-stream@3.3.6").line, Some(18));
}

#[test]
fn bad_tuples_warn_with_key_and_line() {
    let path = fixture("bad-tuple.json5");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = Format::Bun.parse(&path, &text).unwrap();
    assert_eq!(identities(&parsed.packages).len(), 1);
    assert_eq!(parsed.warnings.len(), 2);
    let first = &parsed.warnings[0];
    assert_eq!(first.key.as_deref(), Some("packages[\"wrappy-bad1\"]"));
    assert_eq!(first.line, Some(12));
    assert!(first.to_string().contains("bad-tuple.json5"));
}

#[test]
fn git_packages_keep_their_reference() {
    let packages = parse_fixture("commits.json5");
    let php = find(&packages, "babel-preset-php@");
    assert_eq!(
        php.commit.as_deref(),
        Some("1ae6dc1267500360b411ec711b8aeac8c68b2246")
    );
    assert!(php.resolved.as_deref().unwrap().starts_with("git+ssh://"));
    assert_eq!(
        php.integrity, None,
        "the third element is bun's id, not a hash"
    );
}

#[test]
fn truncated_and_deeply_nested_input_are_errors() {
    let cut = &JSONC[..JSONC.find("\"web\": [\"web@").unwrap()];
    let err = Format::Bun
        .parse(Path::new("/p/bun.lock"), cut)
        .unwrap_err();
    assert!(err.to_string().contains("/p/bun.lock"), "{err}");
    assert!(err.line.is_some_and(|l| l >= 22), "{err:?}");

    for text in [
        "[".repeat(100_000),
        "{\"packages\": ".repeat(100_000),
        "null".into(),
    ] {
        let err = Format::Bun.parse(Path::new("bun.lock"), &text).unwrap_err();
        assert!(err.message.contains("invalid JSON"), "{err}");
    }
}

#[test]
fn ten_thousand_packages_parse_quickly() {
    let n = 10_000;
    let mut text = String::from(
        "{\n  \"lockfileVersion\": 1,\n  \"workspaces\": { \"\": { \"dependencies\": { \"pkg-0\": \"^1\", }, }, },\n  \"packages\": {\n",
    );
    for i in 0..n {
        let deps: Vec<String> = [2 * i + 1, 2 * i + 2]
            .into_iter()
            .filter(|c| *c < n)
            .map(|c| format!("\"pkg-{c}\": \"^1.0.0\""))
            .collect();
        text.push_str(&format!(
            "    \"pkg-{i}\": [\"pkg-{i}@1.0.0\", \"\", {{ \"dependencies\": {{ {} }} }}, \"sha512-AAAA\"],\n\n",
            deps.join(", ")
        ));
    }
    text.push_str("  },\n}\n");
    let (parsed, took) = support::best_of(|| parse(&text));
    eprintln!(
        "{} bytes, {} packages: {took:?}",
        text.len(),
        parsed.packages.len()
    );
    assert_eq!(parsed.packages.len(), n);
    assert_eq!(find(&parsed.packages, "pkg-9999@1.0.0").path.len(), 14);
    assert!(took < support::budget(), "took {took:?}");
}
