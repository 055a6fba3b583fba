//! `config`: ringfence.toml is found and valid, since a broken one applies nothing at all.

use ringfence_config::Config;

use super::{Check, ConfigState, Status, count};

/// How many configuration errors are listed; `policy check` shows them all.
const SHOWN_ERRORS: usize = 5;

pub fn config(state: &ConfigState, today: time::Date) -> Check {
    let summary_of = |c: &Config| c.summary(today).to_string();
    let policy_check = "fix them, then check again with `ringfence policy check`";
    match state {
        ConfigState::Missing { why } => Check::new(
            "config",
            Status::Warn,
            format!("{why}, so ringfence runs without a config: default policy, no playbooks, no team"),
        )
        .fix("write a ringfence.toml at the root of your repositories (examples/ringfence.toml in ringfence's repository is a commented one), then `ringfence policy check`"),
        ConfigState::Unreadable { error, .. } => Check::new("config", Status::Fail, error.clone())
            .fix("point --config (or RINGFENCE_CONFIG) at a readable ringfence.toml"),
        ConfigState::Invalid { path, errors, .. } => {
            let mut details: Vec<String> = errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(ToString::to_string)
                .collect();
            if errors.len() > SHOWN_ERRORS {
                details.push(format!("… and {} more", errors.len() - SHOWN_ERRORS));
            }
            Check::new(
                "config",
                Status::Fail,
                format!(
                    "{} has {}; nothing in it applies",
                    path.display(),
                    count(errors.len(), "error", "errors")
                ),
            )
            .details(details)
            .fix(policy_check)
        }
        ConfigState::Loaded {
            path,
            config,
            warnings,
        } if !warnings.is_empty() => Check::new(
            "config",
            Status::Warn,
            format!(
                "{} is valid with {}: {}",
                path.display(),
                count(warnings.len(), "warning", "warnings"),
                summary_of(config)
            ),
        )
        .details(warnings.iter().map(ToString::to_string).collect())
        .fix(policy_check),
        ConfigState::Loaded { path, config, .. } => Check::new(
            "config",
            Status::Pass,
            format!("{} is valid: {}", path.display(), summary_of(config)),
        ),
    }
}
