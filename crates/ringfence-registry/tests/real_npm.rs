//! The real npm against the fixture registry: it must see the same packuments, download the
//! same bytes as our client, and send tokens to the same hosts. Skipped (with a note) where
//! npm is not installed.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{client, config_from_npmrc};
use ringfence_registry::testing::{FixturePackage, FixtureRegistry, LoggedRequest};
use ringfence_registry::{Detail, NpmConfig};

fn npm() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join("npm"))
        .find(|p| p.is_file());
    if found.is_none() {
        eprintln!("npm is not installed: skipping the real-npm tests");
    }
    found
}

/// Runs npm in `cwd` with a throwaway home, user config and cache under `scratch`, so only
/// the fixture registries, the project `.npmrc` and `env` matter.
fn run_npm(npm: &Path, scratch: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = scratch.join("home");
    fs::create_dir_all(&home).unwrap();
    let user_config = home.join(".npmrc");
    fs::write(&user_config, "").unwrap();
    let output = Command::new(npm)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("npm_config_userconfig", &user_config)
        .env("npm_config_cache", scratch.join("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_loglevel", "error")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "npm {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn npm_view_and_pack_see_what_our_client_sees() {
    let Some(npm) = npm() else { return };
    let registry = FixtureRegistry::serve([
        FixturePackage::new("left-pad", "1.0.0")
            .file("index.js", "module.exports = (s, n) => s.padStart(n);\n")
            .file("README.md", "# left-pad\n"),
        FixturePackage::new("left-pad", "1.1.0").script("postinstall", "node x.js"),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = registry.url().as_str();

    let args = ["--registry", url, "view", "left-pad@1.0.0", "--json"];
    let view = run_npm(&npm, dir.path(), dir.path(), &args, &[]);
    let json: serde_json::Value = serde_json::from_slice(&view.stdout).unwrap();
    assert_eq!(json["version"], "1.0.0");
    assert_eq!(
        json["dist"]["integrity"],
        registry.integrity("left-pad", "1.0.0").unwrap()
    );
    // npm view prints people as `name <email>`.
    let publisher = json["_npmUser"].as_str().unwrap_or_default();
    assert!(publisher.starts_with("fixture-publisher <"), "{publisher}");
    let npm_time = json["time"]["1.0.0"].as_str().unwrap().to_string();

    let args = ["--registry", url, "pack", "left-pad@1.0.0"];
    run_npm(&npm, dir.path(), dir.path(), &args, &[]);
    let packed = fs::read(dir.path().join("left-pad-1.0.0.tgz")).unwrap();
    assert_eq!(Some(packed.clone()), registry.tarball("left-pad", "1.0.0"));

    let ours = client(NpmConfig::with_registry(url).unwrap(), None);
    let packument = ours.fetch_packument("left-pad", Detail::Full).unwrap();
    assert_eq!(
        packument.publisher("1.0.0").unwrap().name,
        "fixture-publisher"
    );
    let published = packument.published_at("1.0.0").unwrap();
    let npm_published =
        time::OffsetDateTime::parse(&npm_time, &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert_eq!(published, npm_published);
    let tarball = ours
        .fetch_tarball("left-pad", packument.version("1.0.0").unwrap())
        .unwrap();
    assert_eq!(
        tarball.bytes, packed,
        "npm pack and ringfence downloaded the same bytes"
    );
}

/// Same `.npmrc` for npm and for us: a scoped registry with a token, tarballs on another
/// host. Both must send the token to the scoped registry and nowhere else.
#[test]
fn npm_and_our_client_send_the_scoped_token_to_the_same_host() {
    let Some(npm) = npm() else { return };
    let secret = FixturePackage::new("@corp/secret", "1.0.0").file("index.js", "// corp\n");
    let public = FixtureRegistry::serve([secret.clone()]).unwrap();
    let corp = FixtureRegistry::builder()
        .package(secret)
        .tarball_base(public.url().clone())
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let npmrc = format!(
        "registry={}\n@corp:registry={}\n//{}/:_authToken=${{CORP_TOKEN}}\n",
        public.url(),
        corp.url(),
        corp.url().authority()
    );
    let project = dir.path().join("project");
    let config = config_from_npmrc(dir.path(), &npmrc, &[("CORP_TOKEN", "s3cr3t")]);

    let args = ["pack", "@corp/secret@1.0.0"];
    run_npm(
        &npm,
        dir.path(),
        &project,
        &args,
        &[("CORP_TOKEN", "s3cr3t")],
    );
    let packed = fs::read(project.join("corp-secret-1.0.0.tgz")).unwrap();
    let npm_corp = corp.requests();
    let npm_public = public.requests();
    assert!(!npm_corp.is_empty() && !npm_public.is_empty());
    assert!(
        npm_corp
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer s3cr3t"))
    );
    assert!(
        npm_public
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
    corp.clear_requests();
    public.clear_requests();

    let ours = client(config, None);
    let packument = ours
        .fetch_packument("@corp/secret", Detail::Abbreviated)
        .unwrap();
    let tarball = ours
        .fetch_tarball("@corp/secret", packument.version("1.0.0").unwrap())
        .unwrap();
    assert_eq!(tarball.bytes, packed);
    assert_eq!(auth_headers(&corp.requests()), auth_headers(&npm_corp));
    assert_eq!(auth_headers(&public.requests()), auth_headers(&npm_public));
}

/// The distinct `Authorization` values a server received (`None` for none).
fn auth_headers(requests: &[LoggedRequest]) -> BTreeSet<Option<String>> {
    requests
        .iter()
        .map(|r| r.header("authorization").map(String::from))
        .collect()
}
