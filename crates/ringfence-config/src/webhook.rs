//! `[webhooks.<name>]`: where playbooks send notifications. Requests are signed with an HMAC
//! whose secret is read from an environment variable, so the secret never sits in the file.

use std::fmt;

use serde::Deserialize;
use toml::Spanned;
use toml_edit::Item;

use crate::source::Source;

/// The body a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookFormat {
    /// ringfence's own JSON event.
    Json,
    /// A Slack incoming-webhook message (`{"text": ...}`).
    Slack,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Slack => "slack",
        }
    }
}

impl fmt::Display for WebhookFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The prefix of [`Webhook::url`] when `url-env` names the variable that holds the URL.
pub const URL_ENV_PREFIX: &str = "env:";

/// A named notification endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub name: String,
    /// An `http` or `https` URL, or `env:NAME` when `url-env` names the variable that holds
    /// it. A Slack webhook's path is its credential: with `url-env` it sits in neither the
    /// file nor the database, and is read from the environment when a message is sent.
    pub url: String,
    pub format: WebhookFormat,
    /// The environment variable holding the HMAC secret; `None` sends unsigned requests.
    pub secret_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WebhookWire {
    url: Option<Spanned<String>>,
    url_env: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    secret_env: Option<Spanned<String>>,
}

/// Reads `[webhooks]`, each entry on its own.
pub(crate) fn read_webhooks(item: &Item, src: &mut Source) -> Vec<Webhook> {
    let mut hooks = Vec::new();
    let Some(table) = src.table(item, "webhooks") else {
        return hooks;
    };
    for (name, entry) in table.iter() {
        if src.table(entry, &format!("webhooks.{name}")).is_none() {
            continue;
        }
        if let Some(hook) = read_webhook(name, entry, src) {
            hooks.push(hook);
        }
    }
    hooks
}

fn read_webhook(name: &str, item: &Item, src: &mut Source) -> Option<Webhook> {
    let wire: WebhookWire = src.decode(item)?;
    let mut ok = true;
    let (url, url_span) = match (&wire.url, &wire.url_env) {
        (Some(url), None) => {
            if let Err(e) = check_url(url.get_ref()) {
                src.error(Some(url.span()), e);
                ok = false;
            }
            (url.get_ref().clone(), url.span())
        }
        (None, Some(var)) => {
            if !is_env_name(var.get_ref()) {
                src.error(
                    Some(var.span()),
                    format!(
                        "`{}` is not an environment variable name: `url-env` names the variable that holds the URL",
                        var.get_ref()
                    ),
                );
                ok = false;
            }
            (format!("{URL_ENV_PREFIX}{}", var.get_ref()), var.span())
        }
        (Some(url), Some(_)) => {
            src.error(
                Some(url.span()),
                format!("webhook `{name}` has both `url` and `url-env`: keep one"),
            );
            return None;
        }
        (None, None) => {
            src.error(
                item.span(),
                format!(
                    "webhook `{name}` needs `url`, or `url-env` naming the variable that holds it"
                ),
            );
            return None;
        }
    };
    let format = match wire
        .format
        .as_ref()
        .map(|f| (f.get_ref().as_str(), f.span()))
    {
        None | Some(("json", _)) => WebhookFormat::Json,
        Some(("slack", _)) => WebhookFormat::Slack,
        Some((other, span)) => {
            src.error(
                Some(span),
                format!("unknown webhook format `{other}`, expected `json` or `slack`"),
            );
            ok = false;
            WebhookFormat::Json
        }
    };
    if let Some(var) = &wire.secret_env
        && !is_env_name(var.get_ref())
    {
        src.error(
            Some(var.span()),
            format!(
                "`{}` is not an environment variable name: `secret-env` names the variable that holds the secret, not the secret",
                var.get_ref()
            ),
        );
        ok = false;
    }
    if wire.secret_env.is_none() && format == WebhookFormat::Json {
        src.warn(
            Some(url_span.clone()),
            format!("webhook `{name}` has no `secret-env`: its requests are not signed"),
        );
    }
    if format == WebhookFormat::Slack && wire.url.is_some() {
        src.warn(
            Some(url_span),
            format!(
                "webhook `{name}`: a Slack webhook URL is a credential; keep it out of the file with `url-env`"
            ),
        );
    }
    ok.then(|| Webhook {
        name: name.to_string(),
        url,
        format,
        secret_env: wire.secret_env.map(Spanned::into_inner),
    })
}

fn check_url(text: &str) -> Result<(), String> {
    let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("`{text}` is not an http or https URL"));
    }
    Ok(())
}

/// Letters, digits and `_`, not starting with a digit: what every shell accepts.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The URL to send to: `url` itself, or the value of the variable an `env:NAME` url names.
pub fn resolve_url(url: &str) -> Result<String, String> {
    let Some(var) = url.strip_prefix(URL_ENV_PREFIX) else {
        return Ok(url.to_string());
    };
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => {
            let value = value.trim().to_string();
            check_url(&value).map_err(|_| format!("{var} does not hold an http or https URL"))?;
            Ok(value)
        }
        _ => Err(format!("the webhook URL variable {var} is not set here")),
    }
}
