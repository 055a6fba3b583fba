//! package-lock.json beyond the conformance fixtures: dependency paths, direct flags,
//! node_modules resolution, what is recorded per package, and hostile input.

mod support;

use std::path::Path;

use ringfence_lockfile::{Format, Package, read_lockfile};
use serde_json::json;

fn parse(text: &str) -> Vec<Package> {
    Format::NpmPackageLock
        .parse(Path::new("package-lock.json"), text)
        .expect("parses")
        .packages
}

fn find<'a>(packages: &'a [Package], id: &str) -> &'a Package {
    packages
        .iter()
        .find(|p| p.id() == id)
        .unwrap_or_else(|| panic!("{id} missing from {packages:#?}"))
}

fn line_of(text: &str, needle: &str) -> u32 {
    let at = text.lines().position(|l| l.contains(needle)).unwrap();
    u32::try_from(at + 1).unwrap()
}

/// The event-stream incident: the app depends on event-stream, which pulled in the
/// malicious flatmap-stream. The path must show how it got in.
const EVENT_STREAM_V3: &str = r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "dependencies": {
        "event-stream": "3.3.6"
      },
      "devDependencies": {
        "tap": "^12.0.0"
      }
    },
    "node_modules/event-stream": {
      "version": "3.3.6",
      "resolved": "https://registry.npm.example/event-stream/-/event-stream-3.3.6.tgz",
      "integrity": "sha512-dGXNg4F/FgVzlApjzItL+7naHutA3fDqbV/zAZqDDlXTjiMnQmZKu+prImWKszeBM5UQeGvAl3u1wBiKeDh61g==",
      "dependencies": {
        "flatmap-stream": "0.1.1",
        "through": "~2.3.1"
      }
    },
    "node_modules/flatmap-stream": {
      "version": "0.1.1",
      "resolved": "https://registry.npm.example/flatmap-stream/-/flatmap-stream-0.1.1.tgz",
      "integrity": "sha512-lAq4tLbm3sidmdCN8G3ExaxH7cUCtP5mgDvrYowsx84dcYkJJ4I28N7gkxA6+YlSXzaGLJYIDEi9WGfXzMiXdw=="
    },
    "node_modules/tap": {
      "version": "12.0.1",
      "dev": true,
      "dependencies": {
        "through": "^2.3.0"
      }
    },
    "node_modules/through": {
      "version": "2.3.8"
    }
  }
}"#;

#[test]
fn event_stream_path_leads_to_flatmap_stream() {
    let packages = parse(EVENT_STREAM_V3);
    assert_eq!(packages.len(), 4);
    let flatmap = find(&packages, "flatmap-stream@0.1.1");
    assert_eq!(
        flatmap.path,
        vec!["event-stream@3.3.6", "flatmap-stream@0.1.1"]
    );
    assert!(!flatmap.direct && !flatmap.dev);
    let event_stream = find(&packages, "event-stream@3.3.6");
    assert!(event_stream.direct);
    assert_eq!(event_stream.path, vec!["event-stream@3.3.6"]);
    // through is reached from production first, so its path goes through event-stream.
    let through = find(&packages, "through@2.3.8");
    assert_eq!(through.path, vec!["event-stream@3.3.6", "through@2.3.8"]);
    let tap = find(&packages, "tap@12.0.1");
    assert!(tap.direct && tap.dev);
}

#[test]
fn resolved_integrity_and_line_are_recorded() {
    let packages = parse(EVENT_STREAM_V3);
    let flatmap = find(&packages, "flatmap-stream@0.1.1");
    assert_eq!(
        flatmap.resolved.as_deref(),
        Some("https://registry.npm.example/flatmap-stream/-/flatmap-stream-0.1.1.tgz")
    );
    assert!(
        flatmap
            .integrity
            .as_deref()
            .unwrap()
            .starts_with("sha512-lAq4")
    );
    assert_eq!(
        flatmap.line,
        Some(line_of(EVENT_STREAM_V3, "\"node_modules/flatmap-stream\""))
    );
    let through = find(&packages, "through@2.3.8");
    assert_eq!(
        through.line,
        Some(line_of(EVENT_STREAM_V3, "\"node_modules/through\""))
    );
    assert_eq!(through.resolved, None);
}

#[test]
fn nested_node_modules_resolve_to_the_nearest_version() {
    let lock = json!({
        "lockfileVersion": 3,
        "packages": {
            "": { "dependencies": { "a": "1", "b": "1" } },
            "node_modules/a": { "version": "1.0.0", "dependencies": { "c": "^2", "d": "1" } },
            "node_modules/a/node_modules/c": { "version": "2.0.0" },
            "node_modules/a/node_modules/d": { "version": "1.0.0", "dependencies": { "c": "^2" } },
            "node_modules/b": { "version": "1.0.0", "dependencies": { "c": "^1" } },
            "node_modules/c": { "version": "1.0.0" },
            // Only reachable through d, whose `c` must be a's nested c@2, not the top c@1.
            "node_modules/a/node_modules/d/node_modules/e": { "version": "1.0.0" }
        }
    });
    let packages = parse(&lock.to_string());
    assert_eq!(find(&packages, "c@2.0.0").path, vec!["a@1.0.0", "c@2.0.0"]);
    assert_eq!(find(&packages, "c@1.0.0").path, vec!["b@1.0.0", "c@1.0.0"]);
    assert_eq!(find(&packages, "d@1.0.0").path, vec!["a@1.0.0", "d@1.0.0"]);
    // e is installed but nothing requires it: no path, not direct.
    let e = find(&packages, "e@1.0.0");
    assert!(e.path.is_empty() && !e.direct);
}

#[test]
fn aliases_report_the_real_package() {
    let lock = json!({
        "lockfileVersion": 2,
        "packages": {
            "": { "dependencies": { "sw-cjs": "npm:string-width@^4.2.0" } },
            "node_modules/sw-cjs": { "name": "string-width", "version": "4.2.0",
                                     "dependencies": { "strip-ansi": "^6" } },
            "node_modules/strip-ansi": { "version": "6.0.1" }
        }
    });
    let packages = parse(&lock.to_string());
    let sw = find(&packages, "string-width@4.2.0");
    assert!(sw.direct);
    assert_eq!(
        find(&packages, "strip-ansi@6.0.1").path,
        vec!["string-width@4.2.0", "strip-ansi@6.0.1"]
    );
}

#[test]
fn workspaces_are_the_project_not_packages() {
    let lock = json!({
        "lockfileVersion": 3,
        "packages": {
            "": { "name": "mono", "workspaces": ["packages/*"] },
            "packages/web": { "name": "web", "version": "0.1.0",
                              "dependencies": { "left-pad": "^1" },
                              "devDependencies": { "jest-ish": "1" } },
            "node_modules/web": { "resolved": "packages/web", "link": true },
            "node_modules/left-pad": { "version": "1.3.0" },
            "node_modules/jest-ish": { "version": "1.0.0", "dev": true }
        }
    });
    let packages = parse(&lock.to_string());
    assert_eq!(packages.len(), 2, "{packages:#?}");
    assert!(packages.iter().all(|p| p.name != "web"));
    let left_pad = find(&packages, "left-pad@1.3.0");
    assert!(left_pad.direct && left_pad.path == vec!["left-pad@1.3.0"]);
    assert!(find(&packages, "jest-ish@1.0.0").direct);
}

#[test]
fn links_to_local_packages_are_followed() {
    let lock = json!({
        "lockfileVersion": 3,
        "packages": {
            "": { "dependencies": { "local": "file:vendor/local" } },
            "vendor/local": { "name": "local", "version": "2.0.0", "dependencies": { "dep": "1" } },
            "node_modules/local": { "resolved": "vendor/local", "link": true },
            "node_modules/dep": { "version": "1.0.0" }
        }
    });
    let packages = parse(&lock.to_string());
    assert_eq!(packages.len(), 2);
    assert!(find(&packages, "local@2.0.0").direct);
    assert_eq!(
        find(&packages, "dep@1.0.0").path,
        vec!["local@2.0.0", "dep@1.0.0"]
    );
}

#[test]
fn git_dependencies_record_the_commit() {
    let sha = "3b1bb80b302c2e552685dc8a029797ec832ea7c9";
    let lock = json!({
        "lockfileVersion": 3,
        "packages": {
            "": { "dependencies": { "pixel": "github:org/pixel#2.4.1" } },
            "node_modules/pixel": { "version": "2.4.1",
                                    "resolved": format!("git+ssh://git@git.example/org/pixel.git#{sha}") }
        }
    });
    let packages = parse(&lock.to_string());
    assert_eq!(packages[0].commit.as_deref(), Some(sha));
}

const V1: &str = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "event-stream": {
      "version": "3.3.6",
      "resolved": "https://registry.npm.example/event-stream/-/event-stream-3.3.6.tgz",
      "requires": { "flatmap-stream": "0.1.1" }
    },
    "flatmap-stream": {
      "version": "0.1.1",
      "integrity": "sha512-flat"
    },
    "tap": {
      "version": "12.0.1",
      "dev": true,
      "requires": { "flatmap-stream": "0.2.0" },
      "dependencies": {
        "flatmap-stream": {
          "version": "0.2.0",
          "dev": true
        }
      }
    }
  }
}"#;

#[test]
fn v1_without_package_json_infers_roots() {
    let packages = parse(V1);
    let nested = find(&packages, "flatmap-stream@0.2.0");
    assert_eq!(nested.path, vec!["tap@12.0.1", "flatmap-stream@0.2.0"]);
    assert!(nested.dev);
    assert_eq!(nested.line, Some(line_of(V1, "\"version\": \"0.2.0\"") - 1));
    let top = find(&packages, "flatmap-stream@0.1.1");
    assert_eq!(top.path, vec!["event-stream@3.3.6", "flatmap-stream@0.1.1"]);
    assert!(!top.direct);
    assert_eq!(top.integrity.as_deref(), Some("sha512-flat"));
    assert!(find(&packages, "event-stream@3.3.6").direct);
    assert!(find(&packages, "tap@12.0.1").direct);
}

#[test]
fn v1_roots_come_from_the_package_json_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package-lock.json"), V1).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "app", "dependencies": {"flatmap-stream": "0.1.1"}, "devDependencies": {"tap": "12"}}"#,
    )
    .unwrap();
    let lock = read_lockfile(
        &dir.path().join("package-lock.json"),
        Format::NpmPackageLock,
    )
    .unwrap();
    assert_eq!(lock.project, "app");
    let packages = lock.packages;
    // Declared directly now, so its path is itself.
    let top = find(&packages, "flatmap-stream@0.1.1");
    assert!(top.direct);
    assert_eq!(top.path, vec!["flatmap-stream@0.1.1"]);
    // Nothing the project declares requires event-stream.
    let es = find(&packages, "event-stream@3.3.6");
    assert!(!es.direct && es.path.is_empty());
}

#[test]
fn shrinkwrap_is_the_same_format() {
    let packages = Format::NpmShrinkwrap
        .parse(Path::new("npm-shrinkwrap.json"), EVENT_STREAM_V3)
        .unwrap()
        .packages;
    assert_eq!(packages.len(), 4);
}

#[test]
fn truncated_input_names_the_file_and_line() {
    let cut = &EVENT_STREAM_V3[..EVENT_STREAM_V3.find("\"node_modules/tap\"").unwrap()];
    let err = Format::NpmPackageLock
        .parse(Path::new("/p/package-lock.json"), cut)
        .unwrap_err();
    assert!(err.to_string().contains("/p/package-lock.json"), "{err}");
    assert!(err.line.is_some_and(|l| l >= 20), "{err:?}");
}

#[test]
fn null_and_wrong_shapes_are_errors() {
    for text in [
        "null",
        "[]",
        "\"x\"",
        "{\"packages\": {\"node_modules/a\": {\"dev\": \"yes\"}}}",
    ] {
        let err = Format::NpmPackageLock
            .parse(Path::new("package-lock.json"), text)
            .unwrap_err();
        assert!(err.to_string().contains("package-lock.json"), "{err}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let arrays = "[".repeat(100_000);
    let objects = "{\"packages\":".repeat(100_000);
    let v1 = "{\"dependencies\": {\"a\": ".repeat(50_000);
    for text in [&arrays, &objects, &v1] {
        let err = Format::NpmPackageLock
            .parse(Path::new("package-lock.json"), text)
            .unwrap_err();
        assert!(err.message.contains("invalid JSON"), "{err}");
    }
}

/// A lockfile of `n` packages: a binary tree (package i requires 2i+1 and 2i+2, so the
/// depth is realistic), each also requiring a shared package, with a nested copy of it
/// under every tenth package.
fn big_lock(n: usize) -> String {
    let mut packages = serde_json::Map::new();
    packages.insert("".into(), json!({ "dependencies": { "pkg-0": "1" } }));
    for i in 0..n {
        let mut deps = serde_json::Map::new();
        for child in [2 * i + 1, 2 * i + 2].into_iter().filter(|c| *c < n) {
            deps.insert(format!("pkg-{child}"), json!("1"));
        }
        deps.insert("shared".into(), json!("1"));
        packages.insert(
            format!("node_modules/pkg-{i}"),
            json!({
                "version": "1.0.0",
                "resolved": format!("https://registry.npm.example/pkg-{i}/-/pkg-{i}-1.0.0.tgz"),
                "integrity": "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
                "dependencies": deps,
                "engines": { "node": ">=14" },
                "license": "MIT"
            }),
        );
        if i % 10 == 0 {
            packages.insert(
                format!("node_modules/pkg-{i}/node_modules/shared"),
                json!({ "version": "2.0.0" }),
            );
        }
    }
    packages.insert("node_modules/shared".into(), json!({ "version": "1.0.0" }));
    serde_json::to_string_pretty(&json!({ "lockfileVersion": 3, "packages": packages })).unwrap()
}

#[test]
fn ten_thousand_packages_parse_quickly() {
    let text = big_lock(10_000);
    let (packages, took) = support::best_of(|| parse(&text));
    eprintln!(
        "{} bytes, {} packages: {took:?}",
        text.len(),
        packages.len()
    );
    assert_eq!(packages.len(), 10_002);
    // 9999 → 4999 → 2499 → 1249 → 624 → 311 → 155 → 77 → 38 → 18 → 8 → 3 → 1 → 0.
    let last = find(&packages, "pkg-9999@1.0.0");
    assert_eq!(last.path.len(), 14);
    assert_eq!(last.path[1], "pkg-1@1.0.0");
    assert!(last.line.is_some());
    assert_eq!(find(&packages, "shared@2.0.0").path.len(), 2);
    assert!(took < support::budget(), "took {took:?}");
}
