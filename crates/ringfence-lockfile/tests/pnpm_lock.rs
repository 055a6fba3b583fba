//! pnpm-lock.yaml beyond the conformance cases: the dependency graph, what each entry
//! records, and hostile files.

use std::path::Path;

mod support;

use ringfence_lockfile::{Format, Parsed};
use support::find;

fn parse(text: &str) -> Parsed {
    Format::Pnpm
        .parse(Path::new("app/pnpm-lock.yaml"), text)
        .expect("parses")
}

const V9: &str = "lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      eslint-plugin:
        specifier: ^5.0.0
        version: 5.62.0(eslint@8.57.0)
    devDependencies:
      vitest:
        specifier: ^1.0.0
        version: 1.6.0
    optionalDependencies:
      fsevents:
        specifier: ^2.0.0
        version: 2.3.3

packages:

  eslint-plugin@5.62.0:
    resolution: {integrity: sha512-aaaa}

  eslint@8.57.0:
    resolution: {integrity: sha512-bbbb}

  debug@4.3.4:
    resolution: {integrity: sha512-cccc}

  ms@2.1.2:
    resolution: {integrity: sha512-dddd}

  vitest@1.6.0:
    resolution: {integrity: sha512-eeee}

  tinypool@0.8.4:
    resolution: {integrity: sha512-ffff}

  fsevents@2.3.3:
    resolution: {integrity: sha512-gggg}

snapshots:

  eslint-plugin@5.62.0(eslint@8.57.0):
    dependencies:
      debug: 4.3.4
      eslint: 8.57.0

  eslint@8.57.0:
    dependencies:
      debug: 4.3.4

  debug@4.3.4:
    dependencies:
      ms: 2.1.2

  ms@2.1.2: {}

  vitest@1.6.0:
    dependencies:
      debug: 4.3.4
      tinypool: 0.8.4

  tinypool@0.8.4: {}

  fsevents@2.3.3:
    optional: true
";

#[test]
fn v9_paths_run_through_snapshots_with_peer_suffixes() {
    let parsed = parse(V9);
    assert_eq!(parsed.packages.len(), 7);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(
        find(&parsed, "ms").path,
        vec!["eslint-plugin@5.62.0", "debug@4.3.4", "ms@2.1.2"]
    );
    assert_eq!(
        find(&parsed, "eslint").path,
        vec!["eslint-plugin@5.62.0", "eslint@8.57.0"]
    );
    assert_eq!(
        find(&parsed, "eslint-plugin").path,
        vec!["eslint-plugin@5.62.0"]
    );
}

#[test]
fn v9_direct_flags_come_from_the_importer() {
    let parsed = parse(V9);
    let direct: Vec<&str> = parsed
        .packages
        .iter()
        .filter(|p| p.direct)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(direct.len(), 3, "{direct:?}");
    for name in ["eslint-plugin", "vitest", "fsevents"] {
        assert!(
            direct.contains(&name),
            "{name} should be direct: {direct:?}"
        );
    }
}

#[test]
fn v9_dev_is_derived_and_shared_packages_stay_production() {
    let parsed = parse(V9);
    assert!(find(&parsed, "vitest").dev);
    assert!(find(&parsed, "tinypool").dev, "only vitest pulls it in");
    assert!(!find(&parsed, "debug").dev, "eslint-plugin pulls it in too");
    assert_eq!(
        find(&parsed, "tinypool").path,
        vec!["vitest@1.6.0", "tinypool@0.8.4"]
    );
    let fsevents = find(&parsed, "fsevents");
    assert!(fsevents.optional && !fsevents.dev);
}

#[test]
fn v9_records_integrity_and_the_line_of_the_packages_entry() {
    let parsed = parse(V9);
    let eslint = find(&parsed, "eslint");
    assert_eq!(eslint.integrity.as_deref(), Some("sha512-bbbb"));
    // Its `packages` entry, not the importer's `version: 5.62.0(eslint@8.57.0)` above it.
    assert_eq!(eslint.line, Some(24));
    assert_eq!(V9.lines().nth(23).map(str::trim), Some("eslint@8.57.0:"));
}

#[test]
fn v9_git_dependencies_record_their_commit() {
    let text = "lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      left-pad:
        specifier: github:someone/left-pad
        version: https://codeload.example/someone/left-pad/tar.gz/6d1e5e1a1a1b1c1d1e1f2a2b2c2d2e2f3a3b3c3d
      right-pad:
        specifier: git+https://git.example/right-pad.git
        version: git+https://git.example/right-pad.git#0123456789abcdef0123456789abcdef01234567
packages:
  left-pad@https://codeload.example/someone/left-pad/tar.gz/6d1e5e1a1a1b1c1d1e1f2a2b2c2d2e2f3a3b3c3d:
    resolution: {tarball: https://codeload.example/someone/left-pad/tar.gz/6d1e5e1a1a1b1c1d1e1f2a2b2c2d2e2f3a3b3c3d}
    version: 1.3.0
  right-pad@git+https://git.example/right-pad.git#0123456789abcdef0123456789abcdef01234567:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, repo: https://git.example/right-pad.git, type: git}
    version: 2.0.0
snapshots:
  left-pad@https://codeload.example/someone/left-pad/tar.gz/6d1e5e1a1a1b1c1d1e1f2a2b2c2d2e2f3a3b3c3d: {}
  right-pad@git+https://git.example/right-pad.git#0123456789abcdef0123456789abcdef01234567: {}
";
    let parsed = parse(text);
    let left = find(&parsed, "left-pad");
    assert_eq!(left.version, "1.3.0");
    assert_eq!(
        left.commit.as_deref(),
        Some("6d1e5e1a1a1b1c1d1e1f2a2b2c2d2e2f3a3b3c3d")
    );
    assert!(
        left.resolved
            .as_deref()
            .is_some_and(|r| r.contains("/tar.gz/"))
    );
    assert!(left.direct);
    let right = find(&parsed, "right-pad");
    assert_eq!(
        right.commit.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(
        right.resolved.as_deref(),
        Some("https://git.example/right-pad.git")
    );
    assert!(right.direct);
}

#[test]
fn v5_flags_are_read_not_derived_and_peer_suffixed_references_resolve() {
    let text = "lockfileVersion: 5.4
specifiers:
  acorn-jsx: ^5.3.2
  jest: ^29.0.0
dependencies:
  acorn-jsx: 5.3.2_acorn@8.7.0
devDependencies:
  jest: 29.0.0
packages:
  /acorn-jsx/5.3.2_acorn@8.7.0:
    resolution: {integrity: sha512-jsx}
    dependencies:
      acorn: 8.7.0
    dev: false
  /acorn/8.7.0:
    resolution: {integrity: sha512-acorn}
    dev: false
  /jest/29.0.0:
    resolution: {integrity: sha512-jest}
    dependencies:
      acorn: 8.7.0
    dev: true
  /fsevents/2.3.2:
    resolution: {integrity: sha512-fse}
    dev: true
    optional: true
";
    let parsed = parse(text);
    let acorn = find(&parsed, "acorn");
    assert_eq!(acorn.path, vec!["acorn-jsx@5.3.2", "acorn@8.7.0"]);
    assert!(!acorn.dev && !acorn.direct);
    assert_eq!(acorn.line, Some(15));
    assert!(find(&parsed, "acorn-jsx").direct);
    let jest = find(&parsed, "jest");
    assert!(jest.dev && jest.direct);
    let fsevents = find(&parsed, "fsevents");
    assert!(fsevents.dev && fsevents.optional && !fsevents.direct);
}

#[test]
fn v6_scoped_packages_with_peers_are_linked() {
    let text = "lockfileVersion: '6.0'
dependencies:
  '@scope/ui':
    specifier: ^1.0.0
    version: 1.0.0(react@18.2.0)
packages:
  /@scope/ui@1.0.0(react@18.2.0):
    resolution: {integrity: sha512-ui}
    dependencies:
      react: 18.2.0
    dev: false
  /react@18.2.0:
    resolution: {integrity: sha512-react}
    dev: false
";
    let parsed = parse(text);
    let ui = find(&parsed, "@scope/ui");
    assert_eq!(ui.version, "1.0.0");
    assert!(ui.direct);
    assert_eq!(
        find(&parsed, "react").path,
        vec!["@scope/ui@1.0.0", "react@18.2.0"]
    );
    assert_eq!(find(&parsed, "react").line, Some(12));
}

#[test]
fn yaml_syntax_errors_name_the_file_and_line() {
    let text =
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: [unclosed\n";
    let err = Format::Pnpm
        .parse(Path::new("app/pnpm-lock.yaml"), text)
        .unwrap_err();
    assert!(err.line.is_some_and(|l| l >= 4), "{err}");
    assert!(err.to_string().contains("pnpm-lock.yaml"), "{err}");
}

#[test]
fn a_file_that_is_not_a_lockfile_is_an_error() {
    let err = Format::Pnpm
        .parse(Path::new("pnpm-lock.yaml"), "just some words")
        .unwrap_err();
    assert!(err.to_string().starts_with("pnpm-lock.yaml"), "{err}");
}

/// Ten anchors, each a collection of ten aliases to the one before: 10^10 nodes expanded.
fn alias_bomb(open: char, close: char, item: impl Fn(usize) -> String) -> String {
    let mut text = String::from("lockfileVersion: '9.0'\n");
    for level in 0..10 {
        let items: Vec<String> = (0..10)
            .map(|k| {
                let value = if level == 0 {
                    "lol".to_string()
                } else {
                    format!("*a{}", level - 1)
                };
                format!("{}{value}", item(k))
            })
            .collect();
        text.push_str(&format!(
            "a{level}: &a{level} {open}{}{close}\n",
            items.join(", ")
        ));
    }
    text
}

#[test]
fn alias_bombs_do_not_expand() {
    let sequences = alias_bomb('[', ']', |_| String::new());
    let mappings = alias_bomb('{', '}', |k| format!("k{k}: "));
    let cases = [
        format!("{sequences}settings: *a9\npackages: {{}}\n"),
        format!("{mappings}packages: *a9\n"),
        format!("{mappings}importers: *a9\n"),
        format!("{mappings}packages:\n  x@1.0.0:\n    dependencies: *a9\n"),
        format!("{mappings}snapshots: *a9\npackages:\n  x@1.0.0: {{}}\n"),
    ];
    for text in cases {
        let started = std::time::Instant::now();
        let result = Format::Pnpm.parse(Path::new("pnpm-lock.yaml"), &text);
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
        // Whatever the bomb lands on is ignored or refused; nothing of it is expanded.
        if let Ok(parsed) = result {
            assert!(
                parsed.packages.len() <= 10,
                "{} packages",
                parsed.packages.len()
            );
            assert!(
                parsed.warnings.len() <= 10,
                "{} warnings",
                parsed.warnings.len()
            );
        }
    }
    // The same bomb read as a plain document is refused outright by serde_yaml.
    let value: Result<serde_yaml::Value, _> = serde_yaml::from_str(&format!("{sequences}x: *a9\n"));
    assert!(value.is_err());
}

#[test]
fn deep_nesting_is_refused_quickly_with_its_line() {
    let depth = 100_000;
    let started = std::time::Instant::now();
    let text = format!(
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let err = Format::Pnpm
        .parse(Path::new("pnpm-lock.yaml"), &text)
        .unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    let text = format!("packages: {}", "{a: ".repeat(depth));
    assert!(
        Format::Pnpm
            .parse(Path::new("pnpm-lock.yaml"), &text)
            .is_err()
    );
    let text = format!(
        "packages:\n  a@1.0.0:\n    dependencies:\n      {}x\n",
        "- ".repeat(depth)
    );
    assert!(
        Format::Pnpm
            .parse(Path::new("pnpm-lock.yaml"), &text)
            .is_err()
    );
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn brackets_inside_strings_are_not_nesting() {
    let text = format!(
        "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {{integrity: sha512-x}}\n    deprecated: '{}'\n    engines: {{node: \"{}\"}}\n    cpu: [x64]\n",
        "[{".repeat(200),
        "{[".repeat(200)
    );
    let parsed = parse(&text);
    assert_eq!(parsed.packages.len(), 1);
}

#[test]
fn huge_garbage_is_an_error() {
    let text = format!(
        "lockfileVersion: '9.0'\npackages: [{}",
        "x, ".repeat(2_000_000)
    );
    assert!(
        Format::Pnpm
            .parse(Path::new("pnpm-lock.yaml"), &text)
            .is_err()
    );
}

#[test]
fn many_packages_parse_in_reasonable_time() {
    let mut text = String::from(
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      p0:\n        specifier: '1'\n        version: 1.0.0\npackages:\n",
    );
    let n = 2_000;
    for i in 0..n {
        text.push_str(&format!(
            "  p{i}@1.0.0:\n    resolution: {{integrity: sha512-x}}\n"
        ));
    }
    text.push_str("snapshots:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  p{i}@1.0.0:\n    dependencies:\n      p{}: 1.0.0\n",
            i + 1
        ));
    }
    let started = std::time::Instant::now();
    let parsed = parse(&text);
    assert_eq!(parsed.packages.len(), n);
    let last = find(&parsed, &format!("p{}", n - 1));
    // Long chains keep the direct dependency, an ellipsis and the nearest 48 links.
    assert_eq!(last.path.first().map(String::as_str), Some("p0@1.0.0"));
    assert_eq!(last.path.last(), Some(&format!("p{}@1.0.0", n - 1)));
    assert_eq!(last.path.len(), 50);
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

fn fixture(name: &str) -> Parsed {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pnpm")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    Format::Pnpm.parse(&path, &text).expect("parses")
}

/// The conformance cases listed as divergences: v9 dev and optional flags as the file says.
#[test]
fn v9_fixtures_report_dev_and_optional_where_the_peer_does_not() {
    let parsed = fixture("one-package-dev.v9.yaml");
    let acorn = find(&parsed, "acorn");
    assert!(acorn.dev && acorn.direct && acorn.version == "8.11.3");
    let parsed = fixture("mixed-groups.v9.yaml");
    assert_eq!(parsed.packages.len(), 3);
    let ansi = find(&parsed, "ansi-regex");
    assert!(!ansi.dev && !ansi.optional);
    let is_number = find(&parsed, "is-number");
    assert!(is_number.dev && !is_number.optional);
    let uuid = find(&parsed, "uuid");
    assert!(uuid.optional && !uuid.dev);
}
