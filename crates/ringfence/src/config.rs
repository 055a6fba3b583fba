//! Loading `ringfence.toml` for the commands that act on it (`scan`, `drill`): `--config`,
//! else the nearest one from the working directory up, else the built-in defaults. A file
//! with any error stops the command before it changes anything.

use std::path::PathBuf;

use ringfence_config::{Config, ConfigError};

use crate::cli::GlobalArgs;

/// The configuration in force, and where it came from (None: the defaults).
pub struct InForce {
    pub config: Config,
    pub path: Option<PathBuf>,
}

pub fn load(global: &GlobalArgs) -> anyhow::Result<InForce> {
    let path = match &global.config {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| Config::discover(&cwd)),
    };
    let Some(path) = path else {
        return Ok(InForce {
            config: Config::default(),
            path: None,
        });
    };
    match Config::load(&path) {
        Ok(loaded) => {
            let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
            crate::report_problems(&warnings, &[]);
            Ok(InForce {
                config: loaded.config,
                path: Some(path),
            })
        }
        Err(ConfigError::Invalid { errors, .. }) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::bail!(
                "{} has {} error{}; nothing was done (`ringfence policy check` lists them):\n  {}",
                path.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                lines.join("\n  ")
            )
        }
        Err(e) => Err(e.into()),
    }
}
