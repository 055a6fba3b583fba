//! HTTP GET with npm's credential rule, size limits, timeouts and retries, and errors that
//! say which package, which URL (redacted) and what went wrong.

use std::error::Error as StdError;
use std::fs;
use std::io::{self, Read};
use std::thread;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::redirect::Policy;
use reqwest::{Certificate, NoProxy, Proxy, StatusCode};
use url::Url;

use crate::client::ClientOptions;
use crate::config::{NpmConfig, Origin};
use crate::error::RegistryError;
use crate::redact::redact_url;

/// Longest wait between retries, whatever `Retry-After` asks for.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const MAX_REDIRECTS: usize = 10;

/// What is being fetched, to name it in errors and pick the 404 error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Packument(&'a str),
    Tarball(&'a str, &'a str),
}

impl Target<'_> {
    fn label(&self) -> String {
        match self {
            Target::Packument(name) => name.to_string(),
            Target::Tarball(name, version) => format!("{name}@{version}"),
        }
    }
}

pub(crate) struct Body {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

pub(crate) struct Transport {
    http: Client,
    retries: u32,
    backoff: Duration,
    timeout: Duration,
}

/// One failed attempt: the error, whether trying again may help, and how long the server
/// asked us to wait.
struct Failure {
    error: Box<RegistryError>,
    retry: bool,
    retry_after: Option<Duration>,
}

impl Transport {
    pub(crate) fn new(
        config: &NpmConfig,
        options: &ClientOptions,
    ) -> Result<Transport, RegistryError> {
        let client_err = |detail: String| RegistryError::Client { detail };
        let mut builder = Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(Policy::custom(|attempt| {
                let downgrade = attempt.url().scheme() == "http"
                    && attempt.previous().iter().any(|u| u.scheme() == "https");
                if downgrade {
                    attempt.error("refusing a redirect from https to http")
                } else if attempt.previous().len() > MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else {
                    attempt.follow()
                }
            }));
        if let Some(path) = config.get_path("cafile") {
            let origin = config
                .origin_of("cafile")
                .cloned()
                .unwrap_or(Origin::Explicit);
            let ca_err = |detail: String| RegistryError::CaFile {
                origin: origin.clone(),
                path: path.clone(),
                detail,
            };
            let pem = fs::read(&path).map_err(|e| ca_err(e.to_string()))?;
            let certs = Certificate::from_pem_bundle(&pem).map_err(|e| ca_err(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_err("no PEM certificate in the file".to_string()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        // npm's proxy settings; without them reqwest follows HTTP(S)_PROXY / NO_PROXY.
        let setting = |key: &str| {
            config
                .get(key)
                .filter(|v| !v.is_empty() && *v != "false" && *v != "null")
        };
        let no_proxy = || setting("noproxy").and_then(NoProxy::from_string);
        let proxy_err = |key: &str, e: reqwest::Error| {
            client_err(format!(
                "npm setting `{key}` is not a usable proxy URL: {}",
                e.without_url()
            ))
        };
        if let Some((key, url)) = setting("https-proxy")
            .map(|u| ("https-proxy", u))
            .or_else(|| setting("proxy").map(|u| ("proxy", u)))
        {
            let proxy = Proxy::https(url).map_err(|e| proxy_err(key, e))?;
            builder = builder.proxy(proxy.no_proxy(no_proxy()));
        }
        if let Some(url) = setting("proxy") {
            let proxy = Proxy::http(url).map_err(|e| proxy_err("proxy", e))?;
            builder = builder.proxy(proxy.no_proxy(no_proxy()));
        }
        let http = builder
            .build()
            .map_err(|e| client_err(chain_text(&e.without_url())))?;
        Ok(Transport {
            http,
            retries: options.retries,
            backoff: options.retry_backoff,
            timeout: options.timeout,
        })
    }

    /// GETs `url`, retrying connection failures, timeouts, 408, 429 and 5xx with exponential
    /// backoff. The credential npm would send to `url` is attached; reqwest drops it on a
    /// redirect to another host.
    pub(crate) fn get(
        &self,
        config: &NpmConfig,
        target: Target<'_>,
        url: &Url,
        accept: &str,
        limit: u64,
    ) -> Result<Body, RegistryError> {
        let mut attempt = 0;
        loop {
            match self.attempt(config, target, url, accept, limit) {
                Ok(body) => return Ok(body),
                Err(failure) if failure.retry && attempt < self.retries => {
                    let exponential = self.backoff.saturating_mul(1 << attempt.min(16));
                    let wait = failure.retry_after.unwrap_or(exponential).min(MAX_BACKOFF);
                    thread::sleep(wait);
                    attempt += 1;
                }
                Err(failure) => return Err(*failure.error),
            }
        }
    }

    fn attempt(
        &self,
        config: &NpmConfig,
        target: Target<'_>,
        url: &Url,
        accept: &str,
        limit: u64,
    ) -> Result<Body, Failure> {
        let shown = redact_url(url);
        let mut request = self.http.get(url.clone()).header(ACCEPT, accept);
        let credential = config.credential_for(url);
        if let Some(credential) = &credential
            && let Ok(mut value) = HeaderValue::from_str(&credential.header_value())
        {
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let response = request
            .send()
            .map_err(|e| self.classify(e, target, &shown))?;
        let status = response.status();
        if !status.is_success() {
            return Err(status_failure(
                &response,
                target,
                &shown,
                credential.is_some(),
            ));
        }
        let too_large = || Failure {
            error: Box::new(RegistryError::TooLarge {
                package: target.label(),
                url: shown.clone(),
                limit,
            }),
            retry: false,
            retry_after: None,
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let mut bytes = Vec::new();
        response
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| self.classify_io(e, target, &shown))?;
        if bytes.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(Body {
            bytes,
            content_type,
        })
    }

    fn classify(&self, error: reqwest::Error, target: Target<'_>, url: &str) -> Failure {
        // reqwest's own text would show the URL unredacted.
        let error = error.without_url();
        let package = target.label();
        let url = url.to_string();
        let detail = chain_text(&error);
        let (error, retry) = if error.is_timeout() {
            let limit = self.timeout;
            (
                RegistryError::Timeout {
                    package,
                    url,
                    limit,
                },
                true,
            )
        } else if has_rustls_error(&error) {
            (
                RegistryError::Tls {
                    package,
                    url,
                    detail,
                },
                false,
            )
        } else if error.is_connect() {
            (
                RegistryError::Connect {
                    package,
                    url,
                    detail,
                },
                true,
            )
        } else if error.is_redirect() {
            (
                RegistryError::Transfer {
                    package,
                    url,
                    detail,
                },
                false,
            )
        } else {
            (
                RegistryError::Transfer {
                    package,
                    url,
                    detail,
                },
                true,
            )
        };
        Failure {
            error: Box::new(error),
            retry,
            retry_after: None,
        }
    }

    /// Errors while reading the body arrive as `io::Error`, often wrapping reqwest's.
    fn classify_io(&self, error: io::Error, target: Target<'_>, url: &str) -> Failure {
        let kind = error.kind();
        let text = error.to_string();
        if let Some(inner) = error.into_inner()
            && let Ok(reqwest_error) = inner.downcast::<reqwest::Error>()
        {
            return self.classify(*reqwest_error, target, url);
        }
        let package = target.label();
        let url = url.to_string();
        let error = if kind == io::ErrorKind::TimedOut {
            RegistryError::Timeout {
                package,
                url,
                limit: self.timeout,
            }
        } else {
            RegistryError::Transfer {
                package,
                url,
                detail: text,
            }
        };
        Failure {
            error: Box::new(error),
            retry: true,
            retry_after: None,
        }
    }
}

fn status_failure(
    response: &Response,
    target: Target<'_>,
    url: &str,
    sent_credential: bool,
) -> Failure {
    let status = response.status();
    let package = target.label();
    let url = url.to_string();
    if status == StatusCode::NOT_FOUND {
        let error = match target {
            Target::Packument(_) => RegistryError::PackageNotFound { package, url },
            Target::Tarball(name, version) => RegistryError::TarballNotFound {
                package: name.to_string(),
                version: version.to_string(),
                url,
            },
        };
        return Failure {
            error: Box::new(error),
            retry: false,
            retry_after: None,
        };
    }
    let hint = match status.as_u16() {
        401 | 403 if sent_credential => {
            " (the credential configured for this host was refused)".to_string()
        }
        401 | 403 => " (no credential is configured for this host: add `//host/:_authToken=...` \
                     to an .npmrc)"
            .to_string(),
        _ => status
            .canonical_reason()
            .map(|reason| format!(" ({reason})"))
            .unwrap_or_default(),
    };
    let retry = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS;
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Failure {
        error: Box::new(RegistryError::Status {
            package,
            url,
            status: status.as_u16(),
            hint,
        }),
        retry,
        retry_after,
    }
}

/// The error and its sources as one line.
fn chain_text(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Whether rustls reported the failure. `io::Error::source` skips the wrapped error itself,
/// so wrapped errors are inspected through `get_ref`.
fn has_rustls_error(error: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(|io| io.get_ref())
            && has_rustls_error(inner)
        {
            return true;
        }
        current = e.source();
    }
    false
}
