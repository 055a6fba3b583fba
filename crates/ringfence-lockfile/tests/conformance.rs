//! Conformance: every case in `tests/fixtures/<format>/` (transcribed from google/osv-scalibr's
//! extractor tests, see `tests/fixtures/SOURCE.md`) is parsed and its sorted package list
//! compared with `<fixture>.expected.json`. Cases where we deliberately differ are listed in
//! `DIVERGENCES` with the reason; everything else must match exactly.

use std::path::{Path, PathBuf};

use ringfence_lockfile::Format;
use ringfence_package::normalize_name;
use serde::Deserialize;

/// (fixture path relative to tests/fixtures, why we differ from the peer).
const DIVERGENCES: &[(&str, &str)] = &[
    (
        "cargo/two-packages-with-local.lock",
        "`local-rust-pkg` has no source: it is a workspace member, the project itself, not a dependency to check against advisories; we leave it out and make its dependencies the graph's roots (pinned in tests/cargo_lock.rs)",
    ),
    (
        "pnpm/one-package-dev.v9.yaml",
        "acorn is only in importers['.'].devDependencies; v9 records dev-ness nowhere else, so we derive it through the graph and report acorn as dev, as v5/v6 files record it; the peer reports every v9 package as production (pinned in tests/pnpm_lock.rs)",
    ),
    (
        "pnpm/mixed-groups.v9.yaml",
        "is-number is only a devDependency and uuid's snapshot says `optional: true`; we report them dev and optional, as the v5/v6 cases do, where the peer drops both flags for v9 (pinned in tests/pnpm_lock.rs)",
    ),
    (
        "uv/grouped-packages.lock",
        "black, click, flake8 and what they pull in are only reachable through the project's extras ([package.optional-dependencies] cli/dev/test), so we report them optional; the peer never sets optional and marks only the extra named `dev` as dev (pinned in tests/uv_lock.rs)",
    ),
    (
        "pip/per_req_options.txt",
        "pip rejects `foo7==1.0 unexpected_text` as an invalid requirement; we skip that line with a warning instead of reporting the version `1.0 unexpected_text...` (the rest of the case is pinned in requirements.rs tests)",
    ),
    (
        "pipenv/no-version.json",
        "git entries without a version are still dependencies of the project: we report them with an empty version and the locked commit instead of dropping them (pinned in pipfile.rs tests)",
    ),
    // bun.lock records no dev/optional flags; we derive them from workspaces[""] through the
    // dependency graph, the peer reports every bun package as production. Names, versions
    // and commits of these cases are still checked in tests/bun_graph.rs.
    (
        "bun/commits.json5",
        "git packages and what they pull in are only devDependencies, so dev: true",
    ),
    (
        "bun/files.json5",
        "etag is only a devDependency (file:./deps/etag), so dev: true",
    ),
    (
        "bun/nested-dependencies-dup.json5",
        "chalk and its own dependencies are only reachable from devDependencies, so dev: true",
    ),
    (
        "bun/nested-dependencies.json5",
        "chalk and its own dependencies are only reachable from devDependencies, so dev: true",
    ),
    (
        "bun/optional-package.json5",
        "fsevents and nan are only reachable from optionalDependencies, so optional: true",
    ),
    (
        "bun/scoped-packages-mixed.json5",
        "wrappy is only a devDependency, so dev: true",
    ),
];

#[derive(Deserialize)]
struct Expected {
    case: String,
    error: Option<String>,
    packages: Vec<ExpectedPackage>,
}

#[derive(Deserialize)]
struct ExpectedPackage {
    name: String,
    version: String,
    dev: bool,
    optional: Option<bool>,
    commit: Option<String>,
}

fn format_of(dir: &str) -> Format {
    match dir {
        "bun" => Format::Bun,
        "cargo" => Format::Cargo,
        "npm" => Format::NpmPackageLock,
        "pdm" => Format::Pdm,
        "pip" => Format::Requirements,
        "pipenv" => Format::Pipfile,
        "pnpm" => Format::Pnpm,
        "poetry" => Format::Poetry,
        "uv" => Format::Uv,
        "yarn" => Format::Yarn,
        other => panic!("fixture folder {other} has no format"),
    }
}

fn cases(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".expected.json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs every case of the given fixture folders and returns the failures.
fn run(folders: &[&str]) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut failures = Vec::new();
    let mut count = 0;
    for folder in folders {
        let format = format_of(folder);
        for expected_path in cases(&root.join(folder)) {
            count += 1;
            let fixture = PathBuf::from(
                expected_path
                    .to_string_lossy()
                    .trim_end_matches(".expected.json"),
            );
            let rel = fixture
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if DIVERGENCES.iter().any(|(p, _)| *p == rel) {
                continue;
            }
            let expected: Expected =
                serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
            if let Err(why) = check(format, &fixture, &expected) {
                failures.push(format!("{rel} ({}): {why}", expected.case));
            }
        }
    }
    (count, failures)
}

type Row = (String, String, bool, Option<bool>, Option<String>);

fn check(format: Format, fixture: &Path, expected: &Expected) -> Result<(), String> {
    let text = String::from_utf8_lossy(&std::fs::read(fixture).unwrap()).into_owned();
    let ecosystem = format.ecosystem();
    let (packages, had_error) = match format.parse(fixture, &text) {
        Ok(parsed) => (parsed.packages, !parsed.warnings.is_empty()),
        Err(e) => {
            // An error must name the file.
            if !e
                .to_string()
                .contains(&*fixture.file_name().unwrap().to_string_lossy())
            {
                return Err(format!("error does not name the file: {e}"));
            }
            (Vec::new(), true)
        }
    };
    if expected.error.is_some() && !had_error {
        return Err("expected an error or warning, got none".into());
    }
    if expected.error.is_none() && had_error && expected.packages.is_empty() && !packages.is_empty()
    {
        return Err("unexpected error".into());
    }
    let want_optional = expected.packages.iter().any(|p| p.optional.is_some());
    let want_commit = expected.packages.iter().any(|p| p.commit.is_some());
    let mut got: Vec<Row> = packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.dev,
                want_optional.then_some(p.optional),
                if want_commit { p.commit.clone() } else { None },
            )
        })
        .collect();
    let mut want: Vec<Row> = expected
        .packages
        .iter()
        .map(|p| {
            (
                normalize_name(ecosystem, &p.name),
                p.version.clone(),
                p.dev,
                if want_optional {
                    Some(p.optional.unwrap_or(false))
                } else {
                    None
                },
                p.commit.clone().filter(|c| !c.is_empty()),
            )
        })
        .collect();
    got.sort();
    want.sort();
    if got != want {
        return Err(format!(
            "packages differ\n    want: {want:?}\n    got:  {got:?}"
        ));
    }
    Ok(())
}

fn assert_folder(folders: &[&str]) {
    let (count, failures) = run(folders);
    eprintln!(
        "conformance {folders:?}: {} of {count} cases pass",
        count - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing cases:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn npm_package_lock() {
    assert_folder(&["npm"]);
}

#[test]
fn yarn() {
    assert_folder(&["yarn"]);
}

#[test]
fn pnpm() {
    assert_folder(&["pnpm"]);
}

#[test]
fn bun() {
    assert_folder(&["bun"]);
}

#[test]
fn requirements() {
    assert_folder(&["pip"]);
}

#[test]
fn poetry() {
    assert_folder(&["poetry"]);
}

#[test]
fn pipfile() {
    assert_folder(&["pipenv"]);
}

#[test]
fn uv() {
    assert_folder(&["uv"]);
}

#[test]
fn pdm() {
    assert_folder(&["pdm"]);
}

#[test]
fn cargo() {
    assert_folder(&["cargo"]);
}

/// The divergence list must only name cases that exist, each with a reason.
#[test]
fn divergences_are_real_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (path, reason) in DIVERGENCES {
        assert!(
            root.join(path).exists(),
            "{path} listed as a divergence but missing"
        );
        assert!(reason.len() > 10, "{path} needs a real reason");
    }
}
