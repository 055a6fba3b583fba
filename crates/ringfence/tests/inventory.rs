//! `ringfence inventory`: the inventory as a table, JSON and a CycloneDX 1.5 SBOM.

mod util;

use serde_json::Value;
use util::{Ringfence, run};

#[test]
fn json_inventory_lists_every_package_with_its_path_and_line() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) = run(rf.cmd().args([
        "inventory",
        "examples/webshop/admin/yarn.lock",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let lockfile = &v["lockfiles"][0];
    assert_eq!(lockfile["project"], "webshop-admin");
    assert_eq!(lockfile["format"], "yarn");
    let packages = lockfile["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 20, "every entry of the yarn.lock");
    let ua = packages
        .iter()
        .find(|p| p["name"] == "ua-parser-js")
        .unwrap();
    assert_eq!(ua["version"], "0.7.29");
    assert_eq!(ua["purl"], "pkg:npm/ua-parser-js@0.7.29");
    assert_eq!(ua["direct"], false);
    let path: Vec<&str> = ua["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(path, ["react@15.7.0", "fbjs@0.8.17", "ua-parser-js@0.7.29"]);
    assert!(ua["line"].as_u64().unwrap() > 1);
    let react = packages.iter().find(|p| p["name"] == "react").unwrap();
    assert_eq!(react["direct"], true);
}

#[test]
fn table_inventory_names_each_lockfile() {
    let rf = Ringfence::new();
    let (code, stdout, _) = run(rf.cmd().args(["inventory", "examples/webshop"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("examples/webshop/api/requirements.txt"),
        "{stdout}"
    );
    assert!(stdout.contains("flask"), "{stdout}");
    assert!(stdout.contains("3.0.3"), "{stdout}");
}

#[test]
fn sbom_is_cyclonedx_1_5_with_purls_and_dependencies() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) = run(rf.cmd().args(["inventory", "examples/webshop", "--sbom"]));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["bomFormat"], "CycloneDX");
    assert_eq!(v["specVersion"], "1.5");
    assert!(v["serialNumber"].as_str().unwrap().starts_with("urn:uuid:"));
    let components = v["components"].as_array().unwrap();
    let flask = components.iter().find(|c| c["name"] == "flask").unwrap();
    assert_eq!(flask["purl"], "pkg:pypi/flask@3.0.3");
    assert_eq!(flask["scope"], "required");
    // bom-refs are unique, and every dependency points at a component that exists.
    let mut refs: Vec<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let n = refs.len();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), n, "duplicate bom-ref");
    let deps = v["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 3, "one entry per project");
    for d in deps {
        for target in d["dependsOn"].as_array().unwrap() {
            assert!(
                refs.contains(&target.as_str().unwrap()),
                "dangling {target}"
            );
        }
    }
}
