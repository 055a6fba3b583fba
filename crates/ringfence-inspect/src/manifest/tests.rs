use super::*;
use crate::alert::AlertSeverity;
use crate::archive::{PackageContents, PackageFile};

fn package(files: &[(&str, &[u8])]) -> PackageContents {
    let files = files
        .iter()
        .map(|(path, bytes)| PackageFile {
            path: path.to_string(),
            mode: 0o644,
            size: bytes.len() as u64,
            bytes: bytes.to_vec(),
            binary: crate::archive::magic::looks_binary(bytes),
            streamed_sha256: None,
        })
        .collect();
    PackageContents {
        files,
        ..PackageContents::default()
    }
}

fn ids(analysis: &ManifestAnalysis) -> Vec<AlertId> {
    analysis.alerts.iter().map(|a| a.id).collect()
}

#[test]
fn reads_the_fields_inspection_needs() {
    let m = parse(
        r#"{"name":"@scope/tool","version":"1.2.3","bin":"cli.js","main":"lib/index.js","gypfile":true,
            "scripts":{"postinstall":"node install.js","test":"jest"},"dependencies":{"a":"^1"},
            "optionalDependencies":{"b":"2"},"os":["linux"],"cpu":"x64","devDependencies":{"c":1}}"#,
    )
    .unwrap();
    assert_eq!(m.name.as_deref(), Some("@scope/tool"));
    assert_eq!(m.bin.get("tool").map(String::as_str), Some("cli.js"));
    assert_eq!(
        m.install_scripts(false),
        vec![("postinstall".to_string(), "node install.js".to_string())]
    );
    assert!(m.gypfile);
    assert_eq!(m.cpu, vec!["x64".to_string()]);
    assert!(
        m.dev_dependencies.is_empty(),
        "a non-string version is ignored, as npm ignores it"
    );
}

#[test]
fn a_manifest_that_is_not_json_is_unanalysable_with_its_position() {
    let err = parse("{\n  \"name\": \"x\",\n  oops\n}").unwrap_err();
    assert_eq!(err.line, 3);
    let analysis = analyse(&package(&[(
        "package.json",
        b"{\n \"name\": \"x\",\n oops\n}",
    )]));
    assert_eq!(ids(&analysis), vec![AlertId::Unanalysable]);
    let detail = &analysis.alerts[0].evidence[0].detail;
    assert!(detail.contains("package.json:3:"), "{detail}");
    assert!(analysis.manifest.is_none());
    assert!(
        parse("[1, 2]")
            .unwrap_err()
            .message
            .contains("not a JSON object")
    );
}

#[test]
fn missing_or_binary_manifests_are_unanalysable() {
    let analysis = analyse(&package(&[("index.js", b"module.exports = 1")]));
    assert_eq!(ids(&analysis), vec![AlertId::Unanalysable]);
    assert!(
        analysis.alerts[0].evidence[0]
            .detail
            .contains("no package.json")
    );
    let analysis = analyse(&package(&[("package.json", b"{\"name\": \"\xff\xfe\"}")]));
    assert_eq!(ids(&analysis), vec![AlertId::Unanalysable]);
}

#[test]
fn a_bom_is_ignored_like_npm_does() {
    assert_eq!(
        parse("\u{feff}{\"name\":\"x\"}").unwrap().name.as_deref(),
        Some("x")
    );
}

#[test]
fn install_scripts_are_a_low_capability_with_the_command_and_position() {
    let json = b"{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"preinstall\": \"node setup.js\",\n    \"test\": \"jest\"\n  }\n}";
    let analysis = analyse(&package(&[("package.json", json)]));
    assert_eq!(ids(&analysis), vec![AlertId::InstallScript]);
    let alert = &analysis.alerts[0];
    assert_eq!(alert.severity, AlertSeverity::Low);
    assert_eq!(alert.evidence.len(), 1);
    assert_eq!((alert.evidence[0].line, alert.evidence[0].column), (4, 5));
    assert!(alert.evidence[0].detail.contains("node setup.js"));
}

#[test]
fn native_code_is_found_by_magic_bytes_addons_and_gyp() {
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0";
    let json = b"{\"name\":\"x\",\"version\":\"1.0.0\"}";
    let analysis = analyse(&package(&[
        ("package.json", json),
        ("bin/tool", elf),
        ("build/Release/addon.node", b"not really elf"),
        ("binding.gyp", b"{}"),
        ("README.md", b"MZ says hi"),
    ]));
    assert_eq!(
        ids(&analysis),
        vec![AlertId::InstallScript, AlertId::NativeCode]
    );
    let native = &analysis.alerts[1];
    let files: Vec<&str> = native.evidence.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        files,
        vec![
            "bin/tool",
            "build/Release/addon.node",
            "binding.gyp",
            "package.json"
        ]
    );
    assert!(native.evidence[0].detail.starts_with("ELF binary"));
    // The implicit `node-gyp rebuild` npm runs for a binding.gyp without an install script.
    assert!(
        analysis.alerts[0].evidence[0]
            .detail
            .contains("node-gyp rebuild")
    );
}

#[test]
fn git_and_url_dependencies_are_reported_dev_dependencies_are_not() {
    let json =
        br#"{"name":"x","dependencies":{"a":"github:u/a","b":"http://cdn.example/b.tgz","c":"^1"},
        "devDependencies":{"d":"git+https://host.example/d.git"}}"#;
    let analysis = analyse(&package(&[("package.json", json)]));
    assert_eq!(
        ids(&analysis),
        vec![AlertId::GitDependency, AlertId::HttpDependency]
    );
    assert_eq!(analysis.alerts[0].evidence.len(), 1);
    assert_eq!(
        analysis.alerts[1].evidence[0].urls,
        vec!["http://cdn.example/b.tgz".to_string()]
    );
    assert!(
        analysis.alerts[1].evidence[0]
            .detail
            .contains("unencrypted")
    );
}
