//! `scan --format sarif` validates against the SARIF 2.1.0 schema and locates every result at
//! the lockfile line, as GitHub code scanning needs.

mod util;

use serde_json::Value;
use util::{Ringfence, repo_root, run};

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) =
        run(rf
            .cmd()
            .args(["scan", "examples/webshop", "--format", "sarif"]));
    assert_eq!(code, 1, "{stderr}");
    let sarif: Value = serde_json::from_str(&stdout).unwrap();

    let schema_text = std::fs::read_to_string(
        repo_root().join("crates/ringfence/tests/data/sarif-2.1.0-rtm.5.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );

    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 3);
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("examples/webshop/"), "relative URI: {uri}");
        let line = loc["region"]["startLine"].as_u64().unwrap();
        // The line really is the package's entry in the lockfile.
        let text = std::fs::read_to_string(repo_root().join(uri)).unwrap();
        let at = text.lines().nth(line as usize - 1).unwrap();
        let package = r["properties"]["purl"]
            .as_str()
            .unwrap()
            .split('/')
            .next_back()
            .unwrap()
            .split('@')
            .next()
            .unwrap()
            .to_string();
        assert!(
            at.contains(&package),
            "{uri}:{line} is `{at}`, not {package}"
        );
        let rule = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            sarif["runs"][0]["tool"]["driver"]["rules"][rule]["id"],
            r["ruleId"]
        );
    }
}

#[test]
fn a_schema_violation_would_be_caught() {
    // Guard against a validator that accepts anything: a SARIF log with a wrong version fails.
    let schema_text = std::fs::read_to_string(
        repo_root().join("crates/ringfence/tests/data/sarif-2.1.0-rtm.5.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({ "version": "2.0.0", "runs": [] });
    assert!(!validator.is_valid(&bad));
}
