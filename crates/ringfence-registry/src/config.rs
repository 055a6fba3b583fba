//! npm configuration, resolved the way npm resolves it. Layers, highest first:
//! `npm_config_*` environment variables, the project `.npmrc` (at npm's local prefix), the
//! user config (`$npm_config_userconfig` or `~/.npmrc`), the global config
//! (`$npm_config_globalconfig` or `<prefix>/etc/npmrc`). When none sets `registry`, npm itself
//! is asked. There is no built-in registry host.

mod npm_command;
mod prefix;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use url::Url;

use crate::auth::{self, Credential};
use crate::error::RegistryError;
use crate::npmrc;

/// npmrc files larger than this are refused rather than read.
const MAX_NPMRC: u64 = 4 * 1024 * 1024;

/// Where a setting came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An `npm_config_*` environment variable (its exact name).
    Env(String),
    /// A line of an npmrc file.
    File { path: PathBuf, line: usize },
    /// The output of `npm config get`.
    NpmCommand,
    /// Set by the program through [`NpmConfig::set`] (a command-line flag, say).
    Explicit,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::File { path, line } => write!(f, "{} line {line}", path.display()),
            Origin::NpmCommand => f.write_str("`npm config get`"),
            Origin::Explicit => f.write_str("explicit setting"),
        }
    }
}

/// How to reach npm for the last-resort `npm config get registry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NpmProgram {
    /// `npm` on the `PATH` of [`DiscoverOptions::env`].
    Search,
    Path(PathBuf),
    /// Never run npm (tests, sandboxes).
    Disabled,
}

/// Everything discovery looks at, so it can run against a made-up environment.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// Where the project search starts (npm's working directory).
    pub cwd: PathBuf,
    /// Environment variables (`npm_config_*`, `PREFIX`, `PATH`, and those `${VAR}` expands).
    pub env: BTreeMap<String, String>,
    /// The home directory for `~/.npmrc`; `None` skips the user config unless
    /// `npm_config_userconfig` names one.
    pub home: Option<PathBuf>,
    pub npm: NpmProgram,
}

impl DiscoverOptions {
    /// This process's working directory, environment (variables that are valid UTF-8) and
    /// home directory, with npm looked up on `PATH`.
    pub fn from_process() -> Self {
        DiscoverOptions {
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            env: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            home: dirs::home_dir(),
            npm: NpmProgram::Search,
        }
    }

    /// Only what is given: no environment, no home, npm never run.
    pub fn isolated(cwd: impl Into<PathBuf>) -> Self {
        DiscoverOptions {
            cwd: cwd.into(),
            env: BTreeMap::new(),
            home: None,
            npm: NpmProgram::Disabled,
        }
    }
}

/// The resolved npm configuration: the default registry, scoped registries, credentials and
/// any other key (`get`). `Debug` does not print values, which include tokens.
#[derive(Clone)]
pub struct NpmConfig {
    registry: Url,
    scopes: BTreeMap<String, Url>,
    values: BTreeMap<String, (String, Origin)>,
    files: Vec<PathBuf>,
    warnings: Vec<String>,
    cwd: PathBuf,
    home: Option<PathBuf>,
}

impl fmt::Debug for NpmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NpmConfig")
            .field("registry", &crate::redact_url(&self.registry))
            .field("scopes", &self.scopes.keys().collect::<Vec<_>>())
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// One config layer: key → (value, origin), already `${VAR}`-expanded.
type Layer = BTreeMap<String, (String, Origin)>;

impl NpmConfig {
    /// Discovers the configuration of this process, as `npm` run here would see it.
    pub fn discover() -> Result<NpmConfig, RegistryError> {
        NpmConfig::discover_with(&DiscoverOptions::from_process())
    }

    pub fn discover_with(options: &DiscoverOptions) -> Result<NpmConfig, RegistryError> {
        let mut warnings = Vec::new();
        let mut files = Vec::new();
        let cwd = &options.cwd;
        let home = options.home.as_deref();
        let env_layer = env_layer(&options.env, &mut warnings);

        let default_user = home.map(|h| h.join(".npmrc"));
        let user_before = lookup(&[&env_layer], "userconfig")
            .map(|v| resolve_path(v, cwd, home))
            .or_else(|| default_user.clone());
        let project_file = prefix::local_prefix(cwd).join(".npmrc");
        let project = if Some(&project_file) == user_before.as_ref() {
            Layer::new()
        } else {
            load_file(&project_file, &options.env, &mut files, &mut warnings)?
        };

        let user_file = lookup(&[&env_layer, &project], "userconfig")
            .map(|v| resolve_path(v, cwd, home))
            .or(default_user);
        let user = match &user_file {
            Some(path) => load_file(path, &options.env, &mut files, &mut warnings)?,
            None => Layer::new(),
        };

        let layers = [&env_layer, &project, &user];
        let global_file = lookup(&layers, "globalconfig")
            .map(|v| resolve_path(v, cwd, home))
            .or_else(|| {
                let prefix = lookup(&layers, "prefix")
                    .map(|v| resolve_path(v, cwd, home))
                    .or_else(|| options.env.get("PREFIX").map(PathBuf::from))
                    .or_else(|| node_prefix(&options.env))?;
                Some(prefix.join("etc").join("npmrc"))
            });
        let global = match &global_file {
            Some(path) => load_file(path, &options.env, &mut files, &mut warnings)?,
            None => Layer::new(),
        };

        let mut values = Layer::new();
        for layer in [env_layer, project, user, global] {
            for (key, value) in layer {
                values.entry(key).or_insert(value);
            }
        }
        if !values.contains_key("registry") {
            let answer = ask_npm(options)?;
            values.insert("registry".to_string(), (answer, Origin::NpmCommand));
        }
        let (registry, scopes) = derive_registries(&values)?;
        Ok(NpmConfig {
            registry,
            scopes,
            values,
            files,
            warnings,
            cwd: cwd.clone(),
            home: options.home.clone(),
        })
    }

    /// A configuration with only this registry (no files, no environment, no credentials).
    pub fn with_registry(registry: &str) -> Result<NpmConfig, RegistryError> {
        let values = BTreeMap::from([(
            "registry".to_string(),
            (registry.to_string(), Origin::Explicit),
        )]);
        let (registry, scopes) = derive_registries(&values)?;
        Ok(NpmConfig {
            registry,
            scopes,
            values,
            files: Vec::new(),
            warnings: Vec::new(),
            cwd: PathBuf::from("."),
            home: None,
        })
    }

    /// Overrides one key above every layer, as npm's command-line flags do
    /// (`--registry`, `--@scope:registry`, `--//host/:_authToken`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), RegistryError> {
        let mut values = self.values.clone();
        values.insert(key.to_string(), (value.to_string(), Origin::Explicit));
        let (registry, scopes) = derive_registries(&values)?;
        self.values = values;
        self.registry = registry;
        self.scopes = scopes;
        Ok(())
    }

    /// The default registry, always ending in `/`.
    pub fn registry(&self) -> &Url {
        &self.registry
    }

    /// The registry serving `package`: its scope's registry if configured, else the default.
    pub fn registry_for(&self, package: &str) -> &Url {
        package
            .strip_prefix('@')
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(scope, _)| self.scopes.get(&format!("@{scope}")))
            .unwrap_or(&self.registry)
    }

    /// Scoped registries (`@scope` → URL).
    pub fn scopes(&self) -> &BTreeMap<String, Url> {
        &self.scopes
    }

    /// The credential npm would send to `url`, by its nerf-dart rule.
    pub fn credential_for(&self, url: &Url) -> Option<Credential> {
        let keys: BTreeMap<String, String> = self
            .values
            .iter()
            .filter(|(k, _)| k.starts_with("//"))
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        auth::credential_for(url, &keys).map(|(credential, _)| credential)
    }

    /// Any setting by its npm name (`cafile`, `https-proxy`, `fetch-retries`, ...).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|(v, _)| v.as_str())
    }

    pub fn origin_of(&self, key: &str) -> Option<&Origin> {
        self.values.get(key).map(|(_, o)| o)
    }

    /// A path setting resolved as npm does (`~/` is the home directory, relative to cwd).
    pub fn get_path(&self, key: &str) -> Option<PathBuf> {
        self.get(key)
            .map(|v| resolve_path(v, &self.cwd, self.home.as_deref()))
    }

    /// The npmrc files that were read, highest precedence first.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Things worth telling the user (an unset `${VAR}` in a token, say).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// The default and scoped registries of merged settings, validated.
fn derive_registries(values: &Layer) -> Result<(Url, BTreeMap<String, Url>), RegistryError> {
    let (value, origin) = values
        .get("registry")
        .ok_or_else(|| RegistryError::NoRegistry {
            detail: "no `registry` setting".to_string(),
        })?;
    let registry = parse_registry("registry", value, origin)?;
    let mut scopes = BTreeMap::new();
    for (key, (value, origin)) in values {
        if let Some(scope) = key.strip_suffix(":registry")
            && scope.starts_with('@')
            && scope.len() > 1
            && !scope.contains('/')
        {
            scopes.insert(scope.to_string(), parse_registry(key, value, origin)?);
        }
    }
    Ok((registry, scopes))
}

/// `npm_config_*` variables, named as npm names them: the prefix is case-insensitive, and
/// except for `//host` keys, `_` becomes `-` and the key is lowercased. Empty values are unset.
fn env_layer(env: &BTreeMap<String, String>, warnings: &mut Vec<String>) -> Layer {
    let mut layer = Layer::new();
    for (name, value) in env {
        let prefix_len = "npm_config_".len();
        let is_npm = name.len() > prefix_len
            && name.is_char_boundary(prefix_len)
            && name[..prefix_len].eq_ignore_ascii_case("npm_config_");
        if !is_npm || value.is_empty() {
            continue;
        }
        let raw = &name[prefix_len..];
        let key = if raw.starts_with("//") {
            raw.to_string()
        } else {
            let mut key = String::with_capacity(raw.len());
            for (i, c) in raw.chars().enumerate() {
                key.push(if c == '_' && i > 0 {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                });
            }
            key
        };
        let origin = Origin::Env(name.clone());
        let (value, missing) = npmrc::env_replace(value.trim(), env);
        warn_missing(&origin, &missing, warnings);
        layer.insert(key, (value, origin));
    }
    layer
}

fn load_file(
    path: &Path,
    env: &BTreeMap<String, String>,
    files: &mut Vec<PathBuf>,
    warnings: &mut Vec<String>,
) -> Result<Layer, RegistryError> {
    let read_err = |source| RegistryError::ConfigRead {
        path: path.to_path_buf(),
        source,
    };
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Layer::new()),
        Err(e) => return Err(read_err(e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_NPMRC + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_NPMRC {
        return Err(read_err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {MAX_NPMRC} bytes"),
        )));
    }
    files.push(path.to_path_buf());
    let mut layer = Layer::new();
    for entry in npmrc::parse(&String::from_utf8_lossy(&bytes)) {
        let origin = Origin::File {
            path: path.to_path_buf(),
            line: entry.line,
        };
        let (key, missing_in_key) = npmrc::env_replace(&entry.key, env);
        let (value, missing) = npmrc::env_replace(&entry.value, env);
        warn_missing(&origin, &missing_in_key, warnings);
        warn_missing(&origin, &missing, warnings);
        // Later lines win, as in npm.
        layer.insert(key, (value, origin));
    }
    Ok(layer)
}

fn warn_missing(origin: &Origin, missing: &[String], warnings: &mut Vec<String>) {
    for name in missing {
        warnings.push(format!(
            "{origin}: ${{{name}}} is not set in the environment; the text is used as written"
        ));
    }
}

fn lookup<'a>(layers: &[&'a Layer], key: &str) -> Option<&'a str> {
    layers
        .iter()
        .find_map(|layer| layer.get(key))
        .map(|(v, _)| v.as_str())
}

fn resolve_path(value: &str, cwd: &Path, home: Option<&Path>) -> PathBuf {
    match (value.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => cwd.join(value),
    }
}

/// npm's default global prefix: two levels above the real path of the `node` executable.
fn node_prefix(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let node = npm_command::find_on_path("node", env)?;
    let real = fs::canonicalize(node).ok()?;
    Some(real.parent()?.parent()?.to_path_buf())
}

fn ask_npm(options: &DiscoverOptions) -> Result<String, RegistryError> {
    let no = |detail: String| RegistryError::NoRegistry { detail };
    let program = match &options.npm {
        NpmProgram::Disabled => return Err(no("asking npm is disabled".to_string())),
        NpmProgram::Path(path) => path.clone(),
        NpmProgram::Search => npm_command::find_on_path("npm", &options.env)
            .ok_or_else(|| no("npm is not on PATH".to_string()))?,
    };
    let answer = npm_command::npm_config_get(&program, "registry", &options.cwd, &options.env)
        .map_err(no)?;
    if answer.is_empty() || answer == "undefined" || answer == "null" {
        return Err(no(format!("{} has no registry set", program.display())));
    }
    Ok(answer)
}

fn parse_registry(key: &str, value: &str, origin: &Origin) -> Result<Url, RegistryError> {
    let bad = |reason: String| RegistryError::InvalidConfigUrl {
        origin: origin.clone(),
        key: key.to_string(),
        value: crate::redact::redact_text(value),
        reason,
    };
    let mut url = Url::parse(value.trim()).map_err(|e| bad(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!(
            "scheme {:?} is not http or https",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".to_string()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_fragment(None);
    Ok(url)
}
