//! The only HTTP agent: one bounded GET at a time, over ureq with rustls.
//!
//! Every request has an overall deadline (retries included), a redirect limit and a cap on the body it reads,
//! so that a misbehaving index can slow the gate down by at most its timeout and never exhaust memory.
//! Credentials embedded in a URL (`https://user:token@host/...`) are sent as HTTP basic authentication and
//! never appear in any message: every URL and error text leaving this module goes through [`redact`], and a
//! URL whose credentials end ambiguously (a raw `/` in a token) is refused, never guessed (see `crate::urls`).
//!
//! Glossary: a *proxy* here is an HTTP CONNECT proxy named by `HTTPS_PROXY` and friends (see `crate::env`);
//! the *CA bundle* is the PEM file named by `SSL_CERT_FILE`.

use std::io::ErrorKind;
use std::thread;
use std::time::{Duration, Instant};

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::env;
use crate::urls::{self, SafeUrl};

/// Redirects followed before giving up (pip follows up to 30; an index needs one or two at most).
const MAX_REDIRECTS: u32 = 5;
/// Attempts after the first one, for connection resets and 5xx answers.
const RETRIES: u32 = 2;
/// Pause before the first retry; doubled for the next one.
const BACKOFF: Duration = Duration::from_millis(200);

/// One GET request.
pub struct Request<'a> {
    pub url: &'a str,
    pub headers: Vec<(&'static str, String)>,
    /// The whole exchange, retries and body included, ends within this time.
    pub timeout: Duration,
    /// The largest body read; a longer one is an error, not a truncation.
    pub max_bytes: u64,
}

/// An HTTP answer, whatever its status.
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The URL that answered, after redirects, without credentials.
    pub url: String,
    /// Every response header, names lower-cased (`location`, `x-ratelimit-remaining`...).
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// The first value of a header, by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why no HTTP answer was obtained. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("response larger than {0} bytes")]
    TooLarge(u64),
    #[error("too many redirects")]
    TooManyRedirects,
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Other(String),
}

/// GET; any HTTP status is `Ok(Response)` (the caller decides); follows up to 5 redirects; retries twice on
/// connection reset / 5xx; proxies from `crate::env::https_proxy()`; CA bundle from `crate::env::ssl_cert_file()`.
pub fn get(req: &Request) -> Result<Response, HttpError> {
    fetch(req, MAX_REDIRECTS)
}

/// [`get`] without following redirects: a 3xx answer is returned as is, its target in the `location` header.
/// For requests carrying a bearer token, whose redirect target is another service that must not receive it
/// (GitHub's log downloads redirect to a signed storage URL).
pub fn get_without_redirects(req: &Request) -> Result<Response, HttpError> {
    fetch(req, 0)
}

/// The URL with any `user:password@` removed, for every message (see [`crate::urls::redact`]).
pub fn redact(url: &str) -> String {
    urls::redact(url)
}

/// What every request to one URL needs: the URL checked, the secrets to scrub from messages, the proxy (and
/// its `host:port` when the request goes through it) and the trusted roots.
struct Prepared {
    url: SafeUrl,
    secrets: Secrets,
    proxy: Option<ureq::Proxy>,
    via: Option<String>,
    roots: RootCerts,
}

fn prepare(req: &Request) -> Result<Prepared, HttpError> {
    // Index URLs are checked strictly where they are given (`crate::gates::index`); here a URL may also be
    // a download link a server gave.
    let url = SafeUrl::parse_received(req.url).map_err(|e| HttpError::Other(e.to_string()))?;
    let proxy_url = if url.is_https() {
        env::https_proxy()
    } else {
        env::http_proxy()
    };
    let mut secrets = url.secrets();
    if let Some(proxy_url) = &proxy_url {
        secrets.extend(proxy_secrets(proxy_url));
    }
    let secrets = Secrets(secrets);
    let proxy = match &proxy_url {
        Some(proxy_url) => Some(proxy(proxy_url, env::no_proxy().as_deref()).ok_or_else(|| {
            HttpError::Other(format!(
                "the proxy URL {} is invalid",
                secrets.scrub(&redact(proxy_url))
            ))
        })?),
        None => None,
    };
    let via = proxy
        .as_ref()
        .filter(|p| !p.is_no_proxy(&request_uri(&url)))
        .map(|p| format!("{}:{}", p.host(), p.port()));
    let roots = if url.is_https() {
        root_certs(env::ssl_cert_file())?
    } else {
        RootCerts::WebPki
    };
    Ok(Prepared {
        url,
        secrets,
        proxy,
        via,
        roots,
    })
}

fn fetch(req: &Request, max_redirects: u32) -> Result<Response, HttpError> {
    let Prepared {
        url,
        secrets,
        proxy,
        via,
        roots,
    } = prepare(req)?;
    let deadline = Instant::now() + req.timeout;

    let mut attempt = 0;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpError::Timeout(req.timeout));
        }
        let outcome = attempt_once(
            req,
            &url,
            Limits {
                remaining,
                max_redirects,
            },
            proxy.as_ref(),
            &roots,
        );
        let retry = match &outcome {
            Ok(resp) => resp.status >= 500,
            Err(Attempt::Reset(_)) => true,
            Err(Attempt::Failed(_)) => false,
        };
        let pause = BACKOFF * 2u32.pow(attempt);
        if !retry || attempt >= RETRIES || Instant::now() + pause >= deadline {
            return match outcome {
                Ok(mut resp) => {
                    resp.url = secrets.scrub(&redact(&resp.url));
                    Ok(resp)
                }
                Err(Attempt::Reset(message)) => Err(HttpError::Connect(secrets.scrub(&message))),
                Err(Attempt::Failed(failed)) => {
                    let (err, asked) = *failed;
                    Err(secrets.scrub_error(classify(err, req, &asked, via.as_deref())))
                }
            };
        }
        thread::sleep(pause);
        attempt += 1;
    }
}

enum Attempt {
    /// The connection broke before an answer: worth another try.
    Reset(String),
    /// The error, and the URL that was being asked when it happened (after redirects, the last one).
    Failed(Box<(ureq::Error, SafeUrl)>),
}

/// The time left for one attempt and how many redirects it follows (0: a 3xx is the answer).
#[derive(Clone, Copy)]
struct Limits {
    remaining: Duration,
    max_redirects: u32,
}

fn attempt_once(
    req: &Request,
    url: &SafeUrl,
    limits: Limits,
    proxy: Option<&ureq::Proxy>,
    roots: &RootCerts,
) -> Result<Response, Attempt> {
    // Redirects are followed here rather than by ureq, whose same-host rule ignores the port: credentials go
    // only where pip (requests) would send them (same scheme, host and port, or http to https on the default
    // ports).
    let deadline = Instant::now() + limits.remaining;
    let mut current = url.clone();
    let mut authorization = url.basic_authorization();
    let mut hops = 0;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Attempt::Failed(Box::new((
                ureq::Error::Timeout(ureq::Timeout::Global),
                current,
            ))));
        }
        let response = request_once(
            req,
            &current,
            authorization.as_deref(),
            remaining,
            proxy,
            roots,
        )?;
        let location = response
            .header("location")
            .filter(|_| (300..400).contains(&response.status) && limits.max_redirects > 0);
        let Some(location) = location else {
            return Ok(response);
        };
        if hops == limits.max_redirects {
            return Err(Attempt::Failed(Box::new((
                ureq::Error::TooManyRedirects,
                current,
            ))));
        }
        let next = current.join(location).map_err(|e| {
            Attempt::Failed(Box::new((
                ureq::Error::BadUri(format!("the redirect to {e}")),
                current.clone(),
            )))
        })?;
        if !urls::keeps_credentials(&current, &next) {
            authorization = None;
        }
        current = next;
        hops += 1;
    }
}

fn request_once(
    req: &Request,
    url: &SafeUrl,
    authorization: Option<&str>,
    remaining: Duration,
    proxy: Option<&ureq::Proxy>,
    roots: &RootCerts,
) -> Result<Response, Attempt> {
    let mut request = agent(remaining, proxy, roots).get(url.without_credentials());
    for (name, value) in &req.headers {
        request = request.header(*name, value);
    }
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    read_response(request.call(), req.max_bytes, url)
}

/// The agent of one attempt: no redirects of its own (they are followed by hand), any status is an answer.
fn agent(remaining: Duration, proxy: Option<&ureq::Proxy>, roots: &RootCerts) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(remaining))
        .proxy(proxy.cloned())
        .tls_config(TlsConfig::builder().root_certs(roots.clone()).build())
        .user_agent(concat!("relgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

/// The answer to a call to `url`, its body read up to `max_bytes`.
fn read_response(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    max_bytes: u64,
    url: &SafeUrl,
) -> Result<Response, Attempt> {
    let failed = |err: ureq::Error| attempt_error(err, url);
    let mut response = answer.map_err(failed)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let headers = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_ascii_lowercase(),
                value.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(max_bytes)
        .read_to_vec()
        .map_err(failed)?;
    Ok(Response {
        status,
        content_type,
        body,
        url: url.to_string(),
        headers,
    })
}

fn attempt_error(err: ureq::Error, url: &SafeUrl) -> Attempt {
    match &err {
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
            ) =>
        {
            Attempt::Reset(format!("connection lost ({io})"))
        }
        _ => Attempt::Failed(Box::new((err, url.clone()))),
    }
}

/// `asked`: the URL being asked when it failed (after a redirect, the target); `via`: the proxy's
/// `host:port`, when the request went through one.
fn classify(err: ureq::Error, req: &Request, asked: &SafeUrl, via: Option<&str>) -> HttpError {
    let peer = via.map_or_else(|| asked.host_port(), |proxy| format!("the proxy {proxy}"));
    match err {
        ureq::Error::Timeout(_) => HttpError::Timeout(req.timeout),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => HttpError::Timeout(req.timeout),
            ErrorKind::ConnectionRefused => {
                HttpError::Connect(format!("connection refused by {peer}"))
            }
            // rustls reports a failed handshake (an unknown CA, a wrong host name) as invalid data.
            ErrorKind::InvalidData if asked.is_https() => HttpError::Tls(io.to_string()),
            _ => HttpError::Connect(io.to_string()),
        },
        ureq::Error::HostNotFound => HttpError::Connect(match via {
            Some(proxy) => format!("proxy host {proxy} not found"),
            None => format!("host {} not found", asked.host_port()),
        }),
        ureq::Error::ConnectionFailed => HttpError::Connect(format!("no connection to {peer}")),
        ureq::Error::ConnectProxyFailed(why) => {
            HttpError::Connect(format!("through {peer}: {why}"))
        }
        ureq::Error::InvalidProxyUrl => HttpError::Other("the proxy URL is invalid".into()),
        ureq::Error::BodyExceedsLimit(_) => HttpError::TooLarge(req.max_bytes),
        ureq::Error::TooManyRedirects => HttpError::TooManyRedirects,
        ureq::Error::BadUri(what) => HttpError::Other(format!("{what} is not a valid URL")),
        ureq::Error::Tls(why) => HttpError::Tls(why.to_string()),
        ureq::Error::Rustls(why) => HttpError::Tls(why.to_string()),
        ureq::Error::Pem(why) => HttpError::Tls(why.to_string()),
        other => HttpError::Other(other.to_string()),
    }
}

/// The proxy named by the environment, with `NO_PROXY` handed to ureq, which skips the proxy for those hosts.
/// `NO_PROXY` is read as curl reads it: `*`, or comma-separated host names that match themselves and their
/// subdomains (a leading dot is optional); ports are ignored. `None` when the proxy URL is not one.
fn proxy(proxy_url: &str, no_proxy: Option<&str>) -> Option<ureq::Proxy> {
    let with_scheme = if proxy_url.contains("://") {
        proxy_url.to_owned()
    } else {
        format!("http://{proxy_url}")
    };
    let parsed = url::Url::parse(&with_scheme).ok()?;
    let protocol = ureq::ProxyProtocol::try_from(parsed.scheme()).ok()?;
    let mut builder = ureq::Proxy::builder(protocol).host(parsed.host_str()?);
    if let Some(port) = parsed.port() {
        builder = builder.port(port);
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    if !parsed.username().is_empty() {
        builder = builder.username(&decode(parsed.username()));
        if let Some(password) = parsed.password() {
            builder = builder.password(&decode(password));
        }
    }
    for entry in no_proxy_entries(no_proxy.unwrap_or_default()) {
        builder = builder.no_proxy(&entry);
    }
    builder.build().ok()
}

/// curl's `NO_PROXY` in ureq's terms: `example.com` is `example.com` and `.example.com`, a port is dropped,
/// an IPv6 address is also given in brackets (the way ureq sees a request's host).
fn no_proxy_entries(no_proxy: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in no_proxy.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry == "*" {
            out.push("*".to_owned());
            continue;
        }
        let entry = entry.trim_start_matches("*.").trim_start_matches('.');
        let host = match entry.rsplit_once(':') {
            Some((name, port))
                if port.chars().all(|c| c.is_ascii_digit())
                    && (!name.contains(':') || name.ends_with(']')) =>
            {
                name
            }
            _ => entry,
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if host.is_empty() {
            continue;
        }
        if host.contains(':') {
            out.push(format!("[{host}]"));
        }
        out.push(format!(".{host}"));
        out.push(host);
    }
    out
}

/// How ureq sees the request's target, for its `NO_PROXY` matching.
fn request_uri(url: &SafeUrl) -> ureq::http::Uri {
    url.without_credentials()
        .parse()
        .unwrap_or_else(|_| ureq::http::Uri::from_static("http://invalid"))
}

/// The credentials of a proxy URL, to scrub from messages.
fn proxy_secrets(proxy_url: &str) -> Vec<String> {
    let with_scheme = if proxy_url.contains("://") {
        proxy_url.to_owned()
    } else {
        format!("http://{proxy_url}")
    };
    SafeUrl::parse(&with_scheme)
        .map(|u| u.secrets())
        .unwrap_or_default()
}

/// The trusted roots: `SSL_CERT_FILE` when set (it replaces the built-in roots, as in OpenSSL and pip),
/// else Mozilla's roots compiled in.
fn root_certs(bundle: Option<std::ffi::OsString>) -> Result<RootCerts, HttpError> {
    let Some(path) = bundle else {
        return Ok(RootCerts::WebPki);
    };
    let shown = std::path::Path::new(&path).display().to_string();
    let pem = std::fs::read(&path)
        .map_err(|e| HttpError::Tls(format!("cannot read SSL_CERT_FILE={shown}: {e}")))?;
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(cert)) => Some(cert),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(HttpError::Tls(format!(
            "SSL_CERT_FILE={shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(RootCerts::from(certs))
}

/// The credentials of the requested URL and of the proxy, to be removed from any text that might echo them.
struct Secrets(Vec<String>);

impl Secrets {
    fn scrub(&self, text: &str) -> String {
        self.0.iter().fold(text.to_string(), |text, secret| {
            text.replace(secret.as_str(), "***")
        })
    }

    fn scrub_error(&self, err: HttpError) -> HttpError {
        match err {
            HttpError::Connect(m) => HttpError::Connect(self.scrub(&m)),
            HttpError::Tls(m) => HttpError::Tls(self.scrub(&m)),
            HttpError::Other(m) => HttpError::Other(self.scrub(&m)),
            other => other,
        }
    }
}

mod send;
pub use send::{Method, send};

#[cfg(test)]
pub(crate) mod test_server;

#[cfg(test)]
mod tests;
