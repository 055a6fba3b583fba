//! CycloneDX 1.5 JSON SBOM of an inventory (`ringfence inventory --sbom`).
//!
//! One component per distinct package version (by purl), with the lockfiles it was found in
//! as properties, and a dependency graph entry per project listing its direct dependencies.

use std::collections::BTreeMap;

use ringfence_lockfile::Lockfile;
use serde_json::{Value, json};

use super::display_path;

pub fn sbom(lockfiles: &[Lockfile], timestamp: &str, serial: &str) -> Value {
    // purl -> (component, lockfiles it is in)
    let mut components: BTreeMap<String, (Value, Vec<String>, bool)> = BTreeMap::new();
    let mut projects = Vec::new();
    for lockfile in lockfiles {
        let location = display_path(&lockfile.path);
        let project_ref = format!("project:{location}");
        let mut direct = Vec::new();
        for p in &lockfile.packages {
            let purl = p.purl();
            if p.direct {
                direct.push(purl.clone());
            }
            let entry = components.entry(purl.clone()).or_insert_with(|| {
                let (group, name) = split_scope(&p.name);
                let mut c = json!({
                    "type": "library",
                    "bom-ref": purl,
                    "name": name,
                    "version": p.version,
                    "purl": purl,
                });
                if let Some(group) = group {
                    c["group"] = json!(group);
                }
                if let Some(hash) = p.integrity.as_deref().and_then(cyclonedx_hash) {
                    c["hashes"] = json!([hash]);
                }
                if let Some(url) = &p.resolved {
                    c["externalReferences"] = json!([{ "type": "distribution", "url": url }]);
                }
                (c, Vec::new(), true)
            });
            entry.1.push(location.clone());
            // A component is "optional" in CycloneDX terms only if every occurrence is dev.
            entry.2 &= p.dev;
        }
        direct.sort();
        direct.dedup();
        projects.push((project_ref, lockfile.project.clone(), location, direct));
    }

    let components: Vec<Value> = components
        .into_values()
        .map(|(mut c, mut found_in, dev_only)| {
            found_in.sort();
            found_in.dedup();
            c["scope"] = json!(if dev_only { "optional" } else { "required" });
            c["properties"] = Value::Array(
                found_in
                    .into_iter()
                    .map(|l| json!({ "name": "ringfence:lockfile", "value": l }))
                    .collect(),
            );
            c
        })
        .collect();
    let project_components: Vec<Value> = projects
        .iter()
        .map(|(bom_ref, name, location, _)| {
            json!({
                "type": "application",
                "bom-ref": bom_ref,
                "name": name,
                "properties": [{ "name": "ringfence:lockfile", "value": location }],
            })
        })
        .collect();
    let dependencies: Vec<Value> = projects
        .iter()
        .map(|(bom_ref, _, _, direct)| json!({ "ref": bom_ref, "dependsOn": direct }))
        .collect();

    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": { "components": [{
                "type": "application",
                "name": "ringfence",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "component": { "type": "application", "bom-ref": "ringfence:scan-root", "name": "inventory", "components": project_components },
        },
        "components": components,
        "dependencies": dependencies,
    })
}

fn split_scope(name: &str) -> (Option<&str>, &str) {
    match name.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
        Some(_) => {
            let (scope, rest) = name.split_once('/').unwrap_or(("", name));
            (Some(scope), rest)
        }
        None => (None, name),
    }
}

/// Converts `sha512-<base64>` (npm SRI) or `sha256:<hex>` into a CycloneDX hash object.
fn cyclonedx_hash(integrity: &str) -> Option<Value> {
    let (alg, content) = if let Some((alg, b64)) = integrity.split_once('-') {
        (alg, hex_from_base64(b64)?)
    } else if let Some((alg, hex)) = integrity.split_once(':') {
        (alg, hex.to_ascii_lowercase())
    } else {
        return None;
    };
    let alg = match alg {
        "sha1" => "SHA-1",
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        _ => return None,
    };
    if content.is_empty() || !content.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(json!({ "alg": alg, "content": content }))
}

fn hex_from_base64(b64: &str) -> Option<String> {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = String::new();
    for c in b64.bytes().filter(|&c| c != b'=') {
        let v = TABLE.iter().position(|&t| t == c)? as u32;
        bits = (bits << 6) | v;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push_str(&format!("{:02x}", (bits >> nbits) & 0xff));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_integrity_becomes_hex() {
        // sha1 of the empty string: da39a3ee5e6b4b0d3255bfef95601890afd80709
        let h = cyclonedx_hash("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=").unwrap();
        assert_eq!(h["alg"], "SHA-1");
        assert_eq!(h["content"], "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(cyclonedx_hash("sha256:ABCD").unwrap()["content"], "abcd");
        assert!(cyclonedx_hash("md5-xyz").is_none());
    }

    #[test]
    fn scopes_become_groups() {
        assert_eq!(split_scope("@babel/core"), (Some("@babel"), "core"));
        assert_eq!(split_scope("left-pad"), (None, "left-pad"));
    }
}
