//! The client against real HTTP fixture registries on 127.0.0.1: packuments, specs,
//! credentials, tarball verification and caching, retries and error messages.

mod common;

use std::fs;
use std::time::Duration;

use common::{client, config_from_npmrc, fast_options, files_under};
use ringfence_registry::testing::{Fault, FixturePackage, FixtureRegistry};
use ringfence_registry::{
    Detail, NpmConfig, NpmSpec, RegistryClient, RegistryError, TarballSource,
};
use time::OffsetDateTime;

/// 2016-03-01T10:00:00Z and 2024-05-02T03:04:05Z.
fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

fn left_pad() -> Vec<FixturePackage> {
    vec![
        FixturePackage::new("left-pad", "1.0.0")
            .file("index.js", "module.exports = (s, n) => s.padStart(n);\n")
            .publisher("alice")
            .published_at(at(1_456_826_400)),
        FixturePackage::new("left-pad", "1.1.0")
            .file("index.js", "module.exports = require('os').hostname;\n")
            .script("postinstall", "node steal.js")
            .dependency("evil-helper", "^1.0.0")
            .publisher("mallory")
            .published_at(at(1_714_619_045)),
        FixturePackage::new("left-pad", "2.0.0-beta.1").publisher("alice"),
    ]
}

fn plain_client(registry: &FixtureRegistry) -> RegistryClient {
    client(
        NpmConfig::with_registry(registry.url().as_str()).unwrap(),
        None,
    )
}

#[test]
fn full_packument_has_publish_times_and_publishers() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let packument = plain_client(&registry)
        .fetch_packument("left-pad", Detail::Full)
        .unwrap();
    assert_eq!(packument.detail, Detail::Full);
    assert_eq!(packument.name, "left-pad");
    assert_eq!(packument.latest(), Some("1.1.0"));
    assert_eq!(packument.versions.len(), 3);
    assert_eq!(packument.published_at("1.1.0"), Some(at(1_714_619_045)));
    assert_eq!(packument.publisher("1.0.0").unwrap().name, "alice");
    assert_eq!(packument.publisher("1.1.0").unwrap().name, "mallory");
    let v110 = packument.version("1.1.0").unwrap();
    assert_eq!(
        v110.scripts.get("postinstall").map(String::as_str),
        Some("node steal.js")
    );
    assert!(v110.has_install_script);
    assert_eq!(
        v110.dependencies.get("evil-helper").map(String::as_str),
        Some("^1.0.0")
    );
    assert_eq!(
        v110.dist.integrity.as_deref(),
        registry.integrity("left-pad", "1.1.0").as_deref()
    );
    assert_eq!(v110.dist.tarball, registry.tarball_url("left-pad", "1.1.0"));
    assert_eq!(v110.dist.shasum.as_ref().map(String::len), Some(40));

    let requests = registry.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/left-pad");
    assert_eq!(requests[0].header("accept"), Some("application/json"));
    assert!(
        requests[0]
            .header("user-agent")
            .unwrap()
            .starts_with("ringfence/")
    );
}

#[test]
fn abbreviated_packument_is_asked_for_with_npms_accept_header() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let packument = plain_client(&registry)
        .fetch_packument("left-pad", Detail::Abbreviated)
        .unwrap();
    assert_eq!(packument.detail, Detail::Abbreviated);
    assert!(packument.time.is_empty());
    assert!(packument.publisher("1.1.0").is_none());
    let v110 = packument.version("1.1.0").unwrap();
    assert!(v110.scripts.is_empty());
    assert!(v110.has_install_script, "from hasInstallScript");
    let accept = registry.requests()[0].header("accept").unwrap().to_string();
    assert!(
        accept.starts_with("application/vnd.npm.install-v1+json"),
        "{accept}"
    );
}

#[test]
fn specs_resolve_like_npm() {
    let registry = FixtureRegistry::builder()
        .packages(left_pad())
        .dist_tag("left-pad", "next", "2.0.0-beta.1")
        .start()
        .unwrap();
    let client = plain_client(&registry);
    let version = |spec: &str| {
        let spec: NpmSpec = spec.parse().unwrap();
        client
            .resolve(&spec, Detail::Abbreviated)
            .map(|r| r.manifest.version)
    };
    assert_eq!(version("npm:left-pad@^1").unwrap(), "1.1.0");
    assert_eq!(version("npm:left-pad@~1.0").unwrap(), "1.0.0");
    assert_eq!(version("npm:left-pad@latest").unwrap(), "1.1.0");
    assert_eq!(version("npm:left-pad").unwrap(), "1.1.0");
    assert_eq!(version("npm:left-pad@next").unwrap(), "2.0.0-beta.1");
    assert_eq!(version("npm:left-pad@1.0.0").unwrap(), "1.0.0");
    // Prereleases only when the range asks for them.
    assert_eq!(
        version("npm:left-pad@>=2.0.0-beta.0").unwrap(),
        "2.0.0-beta.1"
    );
    let err = version("npm:left-pad@^3").unwrap_err().to_string();
    assert!(err.contains("left-pad") && err.contains("^3"), "{err}");
    let err = version("npm:left-pad@9.9.9").unwrap_err().to_string();
    assert!(err.contains("9.9.9 is not published"), "{err}");
    assert!(err.contains("latest is 1.1.0"), "{err}");
}

/// The scoped registry gets its token; the default registry, and the other host its
/// packument points tarballs at, never see it.
#[test]
fn scoped_registry_token_is_only_sent_to_its_host() {
    let secret = FixturePackage::new("@corp/secret", "1.0.0").file("index.js", "// corp\n");
    let public =
        FixtureRegistry::serve([FixturePackage::new("pub-pkg", "1.0.0"), secret.clone()]).unwrap();
    let corp = FixtureRegistry::builder()
        .package(secret)
        .tarball_base(public.url().clone())
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let corp_host = corp.url().authority().to_string();
    let npmrc = format!(
        "registry={}\n@corp:registry={}\n//{corp_host}/:_authToken=${{CORP_TOKEN}}\n",
        public.url(),
        corp.url()
    );
    let config = config_from_npmrc(dir.path(), &npmrc, &[("CORP_TOKEN", "s3cr3t")]);
    let client = client(config, None);

    let packument = client
        .fetch_packument("@corp/secret", Detail::Full)
        .unwrap();
    let tarball = client
        .fetch_tarball("@corp/secret", packument.version("1.0.0").unwrap())
        .unwrap();
    assert_eq!(Some(tarball.bytes), corp.tarball("@corp/secret", "1.0.0"));
    client.fetch_packument("pub-pkg", Detail::Full).unwrap();

    let corp_requests = corp.requests();
    assert_eq!(corp_requests.len(), 1);
    assert_eq!(corp_requests[0].target, "/@corp%2fsecret");
    assert_eq!(
        corp_requests[0].header("authorization"),
        Some("Bearer s3cr3t")
    );

    let public_requests = public.requests();
    let paths: Vec<&str> = public_requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/@corp/secret/-/secret-1.0.0.tgz", "/pub-pkg"]);
    for request in &public_requests {
        assert_eq!(request.header("authorization"), None, "{}", request.path);
    }
}

#[test]
fn redirect_to_another_host_drops_the_token() {
    let package = FixturePackage::new("@corp/tool", "1.0.0");
    let storage = FixtureRegistry::serve([package.clone()]).unwrap();
    let corp = FixtureRegistry::builder()
        .package(package)
        .redirect_tarballs_to(storage.url().clone())
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let npmrc = format!(
        "registry={}\n//{}/:_authToken=t0ken\n",
        corp.url(),
        corp.url().authority()
    );
    let client = client(config_from_npmrc(dir.path(), &npmrc, &[]), None);
    let packument = client
        .fetch_packument("@corp/tool", Detail::Abbreviated)
        .unwrap();
    let tarball = client
        .fetch_tarball("@corp/tool", packument.version("1.0.0").unwrap())
        .unwrap();
    assert_eq!(Some(tarball.bytes), storage.tarball("@corp/tool", "1.0.0"));
    let corp_requests = corp.requests();
    assert_eq!(
        corp_requests.len(),
        2,
        "packument and the redirected tarball"
    );
    assert!(
        corp_requests
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer t0ken"))
    );
    let storage_requests = storage.requests();
    assert_eq!(storage_requests.len(), 1);
    assert_eq!(storage_requests[0].header("authorization"), None);
}

#[test]
fn tarball_is_verified_cached_and_served_from_cache_with_the_registry_down() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let config = NpmConfig::with_registry(registry.url().as_str()).unwrap();
    let client = client(config.clone(), Some(cache_dir.path()));
    let packument = client.fetch_packument("left-pad", Detail::Full).unwrap();
    let manifest = packument.version("1.0.0").unwrap().clone();

    let first = client.fetch_tarball("left-pad", &manifest).unwrap();
    assert_eq!(
        Some(first.bytes.clone()),
        registry.tarball("left-pad", "1.0.0")
    );
    assert_eq!(
        first.source,
        TarballSource::Network(registry.tarball_url("left-pad", "1.0.0"))
    );
    assert_eq!(
        Some(first.integrity.to_string()),
        registry.integrity("left-pad", "1.0.0")
    );
    let cached = first.cache_path.clone().unwrap();
    assert!(cached.starts_with(cache_dir.path().join("sha512")));
    assert_eq!(fs::read(&cached).unwrap(), first.bytes);
    assert_eq!(files_under(cache_dir.path()), vec![cached.clone()]);

    registry.stop();
    // A new client too: the hit needs nothing but the cache.
    let offline = common::client(config, Some(cache_dir.path()));
    let second = offline.fetch_tarball("left-pad", &manifest).unwrap();
    assert_eq!(second.source, TarballSource::Cache);
    assert_eq!(second.bytes, first.bytes);

    // A corrupted cache entry is not trusted: it is dropped and the (dead) registry asked.
    fs::write(&cached, b"not the tarball").unwrap();
    let err = offline.fetch_tarball("left-pad", &manifest).unwrap_err();
    assert!(matches!(err, RegistryError::Connect { .. }), "{err}");
    assert!(!cached.exists());
}

#[test]
fn integrity_mismatch_is_rejected_and_nothing_is_cached() {
    let registry = FixtureRegistry::serve([FixturePackage::new("tampered", "1.0.0")
        .file("index.js", "ok\n")
        .wrong_integrity()])
    .unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let config = NpmConfig::with_registry(registry.url().as_str()).unwrap();
    let client = client(config, Some(cache_dir.path()));
    let packument = client
        .fetch_packument("tampered", Detail::Abbreviated)
        .unwrap();
    let err = client
        .fetch_tarball("tampered", packument.version("1.0.0").unwrap())
        .unwrap_err();
    let advertised = registry.advertised_integrity("tampered", "1.0.0").unwrap();
    let actual = registry.integrity("tampered", "1.0.0").unwrap();
    assert_ne!(advertised, actual);
    match &err {
        RegistryError::IntegrityMismatch {
            expected,
            actual: got,
            ..
        } => {
            assert_eq!(expected, &advertised);
            assert_eq!(got, &actual);
        }
        other => panic!("expected an integrity mismatch, got {other}"),
    }
    let message = err.to_string();
    assert!(message.contains("tampered@1.0.0"), "{message}");
    assert!(
        message.contains(&advertised) && message.contains(&actual),
        "{message}"
    );
    assert!(
        message.contains(&registry.tarball_url("tampered", "1.0.0")),
        "{message}"
    );
    assert!(files_under(cache_dir.path()).is_empty());
}

#[test]
fn shasum_is_the_fallback_when_integrity_is_missing() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let client = plain_client(&registry);
    let mut manifest = client
        .fetch_packument("left-pad", Detail::Abbreviated)
        .unwrap()
        .version("1.0.0")
        .unwrap()
        .clone();
    manifest.dist.integrity = None;
    let tarball = client.fetch_tarball("left-pad", &manifest).unwrap();
    assert!(tarball.integrity.to_string().starts_with("sha1-"));

    manifest.dist.shasum = Some("0".repeat(40));
    let err = client.fetch_tarball("left-pad", &manifest).unwrap_err();
    assert!(
        matches!(err, RegistryError::IntegrityMismatch { .. }),
        "{err}"
    );
    manifest.dist.shasum = None;
    let err = client.fetch_tarball("left-pad", &manifest).unwrap_err();
    assert!(matches!(err, RegistryError::NoIntegrity { .. }), "{err}");
}

#[test]
fn server_errors_are_retried_until_success() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    registry.fail_next(2, 500);
    let packument = plain_client(&registry)
        .fetch_packument("left-pad", Detail::Full)
        .unwrap();
    assert_eq!(packument.versions.len(), 3);
    assert_eq!(registry.requests().len(), 3, "two 500s, then the answer");

    registry.clear_requests();
    registry.inject(Fault::Disconnect, 1);
    plain_client(&registry)
        .fetch_packument("left-pad", Detail::Full)
        .unwrap();
    assert_eq!(
        registry.requests().len(),
        2,
        "a dropped connection is retried"
    );
}

#[test]
fn retries_give_up_with_the_last_status() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    registry.fail_next(10, 503);
    let err = plain_client(&registry)
        .fetch_packument("left-pad", Detail::Full)
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 503, .. }),
        "{err}"
    );
    assert_eq!(registry.requests().len(), 3, "one attempt and two retries");
    let message = err.to_string();
    assert!(
        message.contains("left-pad") && message.contains(registry.url().as_str()),
        "{message}"
    );
}

#[test]
fn client_errors_are_not_retried_and_say_what_to_do() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    registry.fail_next(1, 401);
    let err = plain_client(&registry)
        .fetch_packument("left-pad", Detail::Full)
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("HTTP 401"), "{message}");
    assert!(message.contains("_authToken"), "{message}");
    assert_eq!(registry.requests().len(), 1);
}

#[test]
fn not_found_names_the_package_and_url() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let client = plain_client(&registry);
    let err = client
        .fetch_packument("@nobody/nothing", Detail::Full)
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::PackageNotFound { .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("@nobody/nothing: unknown package"),
        "{message}"
    );
    assert!(
        message.contains(&format!("{}@nobody%2fnothing", registry.url())),
        "{message}"
    );
    assert_eq!(registry.requests().len(), 1, "404 is not retried");

    let mut manifest = client
        .fetch_packument("left-pad", Detail::Abbreviated)
        .unwrap()
        .version("1.0.0")
        .unwrap()
        .clone();
    manifest.dist.tarball = format!("{}left-pad/-/left-pad-0.0.0.tgz", registry.url());
    let err = client.fetch_tarball("left-pad", &manifest).unwrap_err();
    assert!(
        matches!(err, RegistryError::TarballNotFound { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("left-pad@1.0.0: tarball not found"),
        "{err}"
    );
}

#[test]
fn slow_registry_times_out_and_a_retry_recovers() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let config = NpmConfig::with_registry(registry.url().as_str()).unwrap();
    let mut options = fast_options(None);
    options.timeout = Duration::from_millis(300);
    options.retries = 0;
    registry.inject(Fault::Delay(Duration::from_secs(2)), 1);
    let strict = RegistryClient::new(config.clone(), options.clone()).unwrap();
    let err = strict
        .fetch_packument("left-pad", Detail::Full)
        .unwrap_err();
    assert!(matches!(err, RegistryError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");

    options.retries = 1;
    registry.inject(Fault::Delay(Duration::from_secs(2)), 1);
    let patient = RegistryClient::new(config, options).unwrap();
    assert!(patient.fetch_packument("left-pad", Detail::Full).is_ok());
}

#[test]
fn tls_failures_are_reported_as_tls() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    // The fixture speaks plain HTTP; an https client fails the handshake.
    let https = format!("https://{}/", registry.addr());
    let client = client(NpmConfig::with_registry(&https).unwrap(), None);
    let err = client
        .fetch_packument("left-pad", Detail::Full)
        .unwrap_err();
    assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
}

#[test]
fn credentials_in_urls_are_redacted_from_errors() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let url = format!("http://user:hunter2@{}/", registry.addr());
    let client = client(NpmConfig::with_registry(&url).unwrap(), None);
    let err = client.fetch_packument("missing", Detail::Full).unwrap_err();
    let message = err.to_string();
    assert!(!message.contains("hunter2"), "{message}");
    assert!(message.contains("***"), "{message}");
    // The URL's credentials were still used, as basic auth.
    let auth = registry.requests()[0]
        .header("authorization")
        .map(String::from);
    assert!(auth.is_some_and(|a| a.starts_with("Basic ")));
}

#[test]
fn oversized_tarballs_are_refused() {
    let big = "x".repeat(200_000);
    let registry =
        FixtureRegistry::serve(
            [FixturePackage::new("big", "1.0.0").file("blob.txt", big.as_str())],
        )
        .unwrap();
    let config = NpmConfig::with_registry(registry.url().as_str()).unwrap();
    let mut options = fast_options(None);
    options.max_tarball_bytes = 64;
    let client = RegistryClient::new(config, options).unwrap();
    let packument = client.fetch_packument("big", Detail::Abbreviated).unwrap();
    let err = client
        .fetch_tarball("big", packument.version("1.0.0").unwrap())
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { limit: 64, .. }),
        "{err}"
    );
    assert_eq!(registry.requests().len(), 2, "not retried");
}

/// npm's `proxy` setting: the registry host need not resolve, the proxy fetches for us
/// (the fixture understands absolute-form requests, as a proxy does).
#[test]
fn npm_proxy_setting_is_used() {
    let proxy = FixtureRegistry::serve(left_pad()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let npmrc = format!("registry=http://registry.example/\nproxy={}\n", proxy.url());
    let client = client(config_from_npmrc(dir.path(), &npmrc, &[]), None);
    let packument = client.fetch_packument("left-pad", Detail::Full).unwrap();
    assert_eq!(packument.versions.len(), 3);
    let target = proxy.requests()[0].target.clone();
    assert_eq!(target, "http://registry.example/left-pad");
}

#[test]
fn serves_a_directory_of_tarballs() {
    let dir = tempfile::tempdir().unwrap();
    let a = FixturePackage::new("from-dir", "0.1.0").file("a.js", "1");
    let b = FixturePackage::new("@s/other", "3.0.0").script("install", "node-gyp rebuild");
    fs::write(dir.path().join("from-dir-0.1.0.tgz"), a.tarball().unwrap()).unwrap();
    fs::write(dir.path().join("s-other-3.0.0.tgz"), b.tarball().unwrap()).unwrap();
    fs::write(dir.path().join("README.md"), "not a tarball").unwrap();
    let registry = FixtureRegistry::builder()
        .tarballs_from_dir(dir.path())
        .unwrap()
        .start()
        .unwrap();
    let client = plain_client(&registry);
    let other = client.fetch_packument("@s/other", Detail::Full).unwrap();
    assert!(other.version("3.0.0").unwrap().has_install_script);
    let tarball = client
        .fetch_tarball("@s/other", other.version("3.0.0").unwrap())
        .unwrap();
    assert_eq!(
        tarball.bytes,
        fs::read(dir.path().join("s-other-3.0.0.tgz")).unwrap()
    );
    let spec: NpmSpec = "npm:from-dir".parse().unwrap();
    assert_eq!(
        client
            .resolve(&spec, Detail::Abbreviated)
            .unwrap()
            .manifest
            .version,
        "0.1.0"
    );
}

#[test]
fn hostile_names_never_reach_the_network() {
    let registry = FixtureRegistry::serve(left_pad()).unwrap();
    let client = plain_client(&registry);
    for name in ["../../etc/passwd", "a/b", "@x/../../y", "x?y", ""] {
        let err = client.fetch_packument(name, Detail::Full).unwrap_err();
        assert!(
            matches!(err, RegistryError::InvalidName { .. }),
            "{name:?}: {err}"
        );
    }
    assert!(registry.requests().is_empty());
}
