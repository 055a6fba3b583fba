//! Reading a whole file: parse the TOML, read each section, and either return a complete
//! [`Config`] or every error found. There is no partial result: a file with one typo is not
//! applied at all, so a half-read policy never silently weakens the gate.

use std::path::Path;

use time::Date;
use toml_edit::ImDocument;

use crate::error::{ConfigError, Diagnostic};
use crate::playbook::{Context, read_playbooks};
use crate::policy::read_policy;
use crate::source::Source;
use crate::team::read_team;
use crate::webhook::read_webhooks;
use crate::{Config, Loaded};

const SECTIONS: &[&str] = &["team", "policy", "playbooks", "webhooks"];

pub(crate) fn parse(text: &str, path: &Path, today: Date) -> Result<Loaded, ConfigError> {
    let mut src = Source::new(text, path);
    let doc = match ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            src.error(e.span(), one_line(e.message()));
            return Err(finish(src).unwrap_err());
        }
    };
    let root = doc.as_table();
    src.unknown_keys(root, SECTIONS, "the file");

    let webhooks = root
        .get("webhooks")
        .map(|item| read_webhooks(item, &mut src))
        .unwrap_or_default();
    // Names declared, even of webhooks with errors, so a notify step is not blamed for them.
    let webhook_names: Vec<String> = root
        .get("webhooks")
        .and_then(|w| w.as_table_like())
        .map(|t| t.iter().map(|(name, _)| name.to_string()).collect())
        .unwrap_or_default();
    let team = root
        .get("team")
        .map(|item| read_team(item, &mut src))
        .unwrap_or_default();
    let policy = root
        .get("policy")
        .map(|item| read_policy(item, &mut src, today))
        .unwrap_or_default();
    let ctx = Context {
        team: &team,
        webhook_names: &webhook_names,
    };
    let playbooks = root
        .get("playbooks")
        .map(|item| read_playbooks(item, &ctx, &mut src))
        .unwrap_or_default();

    let config = Config {
        team,
        policy,
        playbooks,
        webhooks,
    };
    finish(src).map(|warnings| Loaded { config, warnings })
}

/// The warnings when there is no error, else everything, each list in file order.
fn finish(src: Source) -> Result<Vec<Diagnostic>, ConfigError> {
    let by_position = |a: &Diagnostic, b: &Diagnostic| (a.line, a.column).cmp(&(b.line, b.column));
    let (mut errors, mut warnings) = (src.errors, src.warnings);
    errors.sort_by(by_position);
    warnings.sort_by(by_position);
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(ConfigError::Invalid { errors, warnings })
    }
}

/// The TOML parser's message on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}
