//! npm config discovery against real files in a temporary tree: which layer wins, how keys
//! from different layers combine, `${VAR}` expansion, and the error when nothing is set.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ringfence_registry::{
    Credential, DiscoverOptions, NpmConfig, NpmProgram, Origin, RegistryError,
};
use url::Url;

/// home/.npmrc, global/etc/npmrc, project/.npmrc (with package.json), project/src/deep as cwd.
struct Tree {
    _dir: tempfile::TempDir,
    home: PathBuf,
    global_prefix: PathBuf,
    project: PathBuf,
    cwd: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let global_prefix = dir.path().join("global");
        let project = dir.path().join("project");
        let cwd = project.join("src").join("deep");
        fs::create_dir_all(&home).unwrap();
        fs::create_dir_all(global_prefix.join("etc")).unwrap();
        fs::create_dir_all(&cwd).unwrap();
        fs::write(project.join("package.json"), "{}").unwrap();
        Tree {
            _dir: dir,
            home,
            global_prefix,
            project,
            cwd,
        }
    }

    fn user_npmrc(&self) -> PathBuf {
        self.home.join(".npmrc")
    }
    fn global_npmrc(&self) -> PathBuf {
        self.global_prefix.join("etc").join("npmrc")
    }
    fn project_npmrc(&self) -> PathBuf {
        self.project.join(".npmrc")
    }

    fn options(&self, env: &[(&str, &str)]) -> DiscoverOptions {
        let mut env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert("PREFIX".into(), self.global_prefix.display().to_string());
        DiscoverOptions {
            cwd: self.cwd.clone(),
            env,
            home: Some(self.home.clone()),
            npm: NpmProgram::Disabled,
        }
    }
}

fn registry_of(options: &DiscoverOptions) -> (String, Origin) {
    let config = NpmConfig::discover_with(options).unwrap();
    (
        config.registry().to_string(),
        config.origin_of("registry").unwrap().clone(),
    )
}

#[test]
fn layers_win_in_npm_order_env_project_user_global() {
    let tree = Tree::new();
    fs::write(tree.global_npmrc(), "registry=http://127.0.0.1:9/global\n").unwrap();
    fs::write(tree.user_npmrc(), "registry=http://127.0.0.1:9/user/\n").unwrap();
    fs::write(
        tree.project_npmrc(),
        "; project\nregistry = http://127.0.0.1:9/project/\n",
    )
    .unwrap();

    let env = [("npm_config_registry", "http://127.0.0.1:9/env/")];
    let (url, origin) = registry_of(&tree.options(&env));
    assert_eq!(url, "http://127.0.0.1:9/env/");
    assert_eq!(origin, Origin::Env("npm_config_registry".into()));

    // The upper-case spelling is the same setting.
    let env = [("NPM_CONFIG_REGISTRY", "http://127.0.0.1:9/env-upper/")];
    assert_eq!(
        registry_of(&tree.options(&env)).0,
        "http://127.0.0.1:9/env-upper/"
    );

    // Project .npmrc, found by walking up from project/src/deep to the package.json folder.
    let (url, origin) = registry_of(&tree.options(&[]));
    assert_eq!(url, "http://127.0.0.1:9/project/");
    assert_eq!(
        origin,
        Origin::File {
            path: tree.project_npmrc(),
            line: 2
        }
    );

    fs::remove_file(tree.project_npmrc()).unwrap();
    assert_eq!(
        registry_of(&tree.options(&[])).0,
        "http://127.0.0.1:9/user/"
    );

    fs::remove_file(tree.user_npmrc()).unwrap();
    // A trailing slash is added, as npm does when joining paths.
    assert_eq!(
        registry_of(&tree.options(&[])).0,
        "http://127.0.0.1:9/global/"
    );
}

#[test]
fn userconfig_and_globalconfig_variables_move_the_files() {
    let tree = Tree::new();
    let other_user = tree.home.join("other.npmrc");
    let other_global = tree.home.join("other-global.npmrc");
    fs::write(
        tree.user_npmrc(),
        "registry=http://127.0.0.1:9/default-user/\n",
    )
    .unwrap();
    fs::write(&other_user, "registry=http://127.0.0.1:9/other-user/\n").unwrap();
    fs::write(&other_global, "registry=http://127.0.0.1:9/other-global/\n").unwrap();

    let user_var = other_user.display().to_string();
    let env = [("NPM_CONFIG_USERCONFIG", user_var.as_str())];
    assert_eq!(
        registry_of(&tree.options(&env)).0,
        "http://127.0.0.1:9/other-user/"
    );

    fs::remove_file(tree.user_npmrc()).unwrap();
    let global_var = other_global.display().to_string();
    let env = [("npm_config_globalconfig", global_var.as_str())];
    let config = NpmConfig::discover_with(&tree.options(&env)).unwrap();
    assert_eq!(
        config.registry().as_str(),
        "http://127.0.0.1:9/other-global/"
    );
    assert_eq!(config.files(), std::slice::from_ref(&other_global));
}

#[test]
fn keys_combine_across_layers_and_tokens_expand_from_env() {
    let tree = Tree::new();
    fs::write(tree.project_npmrc(), "registry=http://127.0.0.1:9/\n").unwrap();
    fs::write(
        tree.user_npmrc(),
        "@corp:registry=http://127.0.0.1:10/corp\n//127.0.0.1:10/corp/:_authToken=${CORP_TOKEN}\n",
    )
    .unwrap();
    fs::write(
        tree.global_npmrc(),
        "//127.0.0.1:9/:_authToken=${MISSING_TOKEN}\n",
    )
    .unwrap();

    let config = NpmConfig::discover_with(&tree.options(&[("CORP_TOKEN", "corp-secret")])).unwrap();
    assert_eq!(config.registry().as_str(), "http://127.0.0.1:9/");
    assert_eq!(
        config.registry_for("@corp/tool").as_str(),
        "http://127.0.0.1:10/corp/"
    );
    assert_eq!(
        config.registry_for("@other/tool").as_str(),
        "http://127.0.0.1:9/"
    );
    assert_eq!(config.registry_for("plain").as_str(), "http://127.0.0.1:9/");

    let corp_url = Url::parse("http://127.0.0.1:10/corp/@corp%2ftool").unwrap();
    assert_eq!(
        config.credential_for(&corp_url),
        Some(Credential::Token("corp-secret".into()))
    );
    // Same host, outside the configured path: nothing.
    let outside = Url::parse("http://127.0.0.1:10/elsewhere/x").unwrap();
    assert_eq!(config.credential_for(&outside), None);

    // The unset variable stays literal, as in npm, and is reported.
    let public = Url::parse("http://127.0.0.1:9/x").unwrap();
    assert_eq!(
        config.credential_for(&public),
        Some(Credential::Token("${MISSING_TOKEN}".into()))
    );
    assert!(
        config
            .warnings()
            .iter()
            .any(|w| w.contains("MISSING_TOKEN") && w.contains("npmrc line 1")),
        "{:?}",
        config.warnings()
    );
    // Debug output never shows tokens.
    assert!(!format!("{config:?}").contains("corp-secret"));
}

#[test]
fn no_registry_and_no_npm_is_a_clear_error() {
    let tree = Tree::new();
    let err = NpmConfig::discover_with(&tree.options(&[])).unwrap_err();
    assert!(matches!(err, RegistryError::NoRegistry { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("npm_config_registry"), "{message}");

    // npm asked but not on PATH: same error, saying why.
    let mut options = tree.options(&[("PATH", "/nonexistent")]);
    options.npm = NpmProgram::Search;
    let message = NpmConfig::discover_with(&options).unwrap_err().to_string();
    assert!(message.contains("npm is not on PATH"), "{message}");
}

#[test]
fn invalid_registry_names_file_and_line() {
    let tree = Tree::new();
    fs::write(tree.user_npmrc(), "\n\nregistry=ftp://127.0.0.1/\n").unwrap();
    let err = NpmConfig::discover_with(&tree.options(&[])).unwrap_err();
    let message = err.to_string();
    assert!(message.contains(".npmrc line 3"), "{message}");
    assert!(message.contains("registry"), "{message}");
}

#[test]
fn explicit_settings_override_like_command_line_flags() {
    let tree = Tree::new();
    fs::write(tree.project_npmrc(), "registry=http://127.0.0.1:9/\n").unwrap();
    let mut config = NpmConfig::discover_with(&tree.options(&[])).unwrap();
    config.set("registry", "http://127.0.0.1:11/").unwrap();
    assert_eq!(config.registry().as_str(), "http://127.0.0.1:11/");
    assert_eq!(config.origin_of("registry"), Some(&Origin::Explicit));
    // A bad value is refused and the old one kept.
    assert!(config.set("registry", "not a url").is_err());
    assert_eq!(config.registry().as_str(), "http://127.0.0.1:11/");
}

/// The last resort asks the real npm. Isolated from this machine's own config files, so
/// npm answers with its built-in value; we only check that it was npm that answered.
#[test]
fn falls_back_to_npm_config_get_registry() {
    let Some(path) = std::env::var_os("PATH") else {
        return;
    };
    let Some(npm) = std::env::split_paths(&path)
        .map(|d| d.join("npm"))
        .find(|p| p.is_file())
    else {
        eprintln!("npm is not installed: skipping the npm fallback test");
        return;
    };
    let tree = Tree::new();
    let empty_global = tree.home.join("empty-global");
    fs::write(&empty_global, "").unwrap();
    let mut options = tree.options(&[
        ("PATH", path.to_str().unwrap()),
        ("HOME", tree.home.to_str().unwrap()),
        ("npm_config_globalconfig", empty_global.to_str().unwrap()),
        ("npm_config_update_notifier", "false"),
    ]);
    options.npm = NpmProgram::Path(npm);
    let config = NpmConfig::discover_with(&options).unwrap();
    assert_eq!(config.origin_of("registry"), Some(&Origin::NpmCommand));
    assert!(matches!(config.registry().scheme(), "http" | "https"));
    assert!(config.registry().path().ends_with('/'));
}

#[test]
fn failing_npm_is_reported() {
    let tree = Tree::new();
    let script = tree.home.join("npm");
    fs::write(
        &script,
        "#!/bin/sh\necho 'npm error broken install' >&2\nexit 3\n",
    )
    .unwrap();
    make_executable(&script);
    let mut options = tree.options(&[]);
    options.npm = NpmProgram::Path(script);
    let message = NpmConfig::discover_with(&options).unwrap_err().to_string();
    assert!(message.contains("broken install"), "{message}");
    assert!(message.contains("npm_config_registry"), "{message}");
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}
