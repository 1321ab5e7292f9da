//! The only HTTP agent: one bounded GET at a time, over ureq with rustls.
//!
//! Every request has an overall deadline (retries included), a redirect limit and a cap on the body it reads,
//! so that a misbehaving index can slow the gate down by at most its timeout and never exhaust memory.
//! Credentials embedded in a URL (`https://user:token@host/...`) are sent as HTTP basic authentication and
//! never appear in any message: every URL and error text leaving this module goes through [`redact`].
//!
//! Glossary: a *proxy* here is an HTTP CONNECT proxy named by `HTTPS_PROXY` and friends (see `crate::env`);
//! the *CA bundle* is the PEM file named by `SSL_CERT_FILE`.

use std::io::ErrorKind;
use std::thread;
use std::time::{Duration, Instant};

use ureq::ResponseExt;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::env;

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

fn fetch(req: &Request, max_redirects: u32) -> Result<Response, HttpError> {
    let secrets = Secrets::of(req.url);
    // Credentials travel as a header on a URL without them, so that no error text from below can echo them.
    let (url, authorization) = split_credentials(req.url);
    let deadline = Instant::now() + req.timeout;
    let https = is_https(req.url);
    let proxy_url = proxy_url_for(req.url, https);
    let secrets = secrets.and(proxy_url.as_deref());
    let via = proxy_url.as_deref().map(host_of);
    let proxy = match &proxy_url {
        Some(proxy_url) => Some(ureq::Proxy::new(proxy_url).map_err(|_| {
            HttpError::Other(format!(
                "the proxy URL {} is invalid",
                secrets.scrub(&redact(proxy_url))
            ))
        })?),
        None => None,
    };
    let roots = if https {
        root_certs(env::ssl_cert_file())?
    } else {
        RootCerts::WebPki
    };

    let mut attempt = 0;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpError::Timeout(req.timeout));
        }
        let outcome = attempt_once(
            req,
            &url,
            authorization.as_deref(),
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
                Err(Attempt::Failed(err)) => {
                    Err(secrets.scrub_error(classify(err, req, via.as_deref())))
                }
            };
        }
        thread::sleep(pause);
        attempt += 1;
    }
}

/// The URL with any `user:password@` removed, for every message.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

enum Attempt {
    /// The connection broke before an answer: worth another try.
    Reset(String),
    Failed(ureq::Error),
}

/// The time left for one attempt and how many redirects it follows (0: a 3xx is the answer).
#[derive(Clone, Copy)]
struct Limits {
    remaining: Duration,
    max_redirects: u32,
}

fn attempt_once(
    req: &Request,
    url: &str,
    authorization: Option<&str>,
    limits: Limits,
    proxy: Option<&ureq::Proxy>,
    roots: &RootCerts,
) -> Result<Response, Attempt> {
    // Redirects are followed here rather than by ureq, whose same-host rule ignores the port: credentials go
    // only where pip (requests) would send them (same scheme, host and port, or http to https on the default
    // ports).
    let deadline = Instant::now() + limits.remaining;
    let mut current = url.to_owned();
    let mut authorization = authorization;
    let mut hops = 0;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Attempt::Failed(ureq::Error::Timeout(ureq::Timeout::Global)));
        }
        let response = request_once(req, &current, authorization, remaining, proxy, roots)?;
        let location = response
            .header("location")
            .filter(|_| (300..400).contains(&response.status) && limits.max_redirects > 0);
        let Some(location) = location else {
            return Ok(response);
        };
        if hops == limits.max_redirects {
            return Err(Attempt::Failed(ureq::Error::TooManyRedirects));
        }
        let next = join_url(&current, location);
        if !keeps_credentials(&current, &next) {
            authorization = None;
        }
        current = next;
        hops += 1;
    }
}

fn request_once(
    req: &Request,
    url: &str,
    authorization: Option<&str>,
    remaining: Duration,
    proxy: Option<&ureq::Proxy>,
    roots: &RootCerts,
) -> Result<Response, Attempt> {
    let mut request = agent(remaining, proxy, roots).get(url);
    for (name, value) in &req.headers {
        request = request.header(*name, value);
    }
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    read_response(request.call(), req.max_bytes)
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

/// The answer to a call, its body read up to `max_bytes`.
fn read_response(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    max_bytes: u64,
) -> Result<Response, Attempt> {
    let mut response = answer.map_err(attempt_error)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let url = response.get_uri().to_string();
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
        .map_err(attempt_error)?;
    Ok(Response {
        status,
        content_type,
        body,
        url,
        headers,
    })
}

/// A redirect's `Location` resolved against the URL that answered (absolute, scheme-relative, absolute-path
/// or relative-path references, RFC 3986 section 4.2).
fn join_url(base: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(authority_relative) = location.strip_prefix("//") {
        return format!("{scheme}://{authority_relative}");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..authority_end]);
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = &rest[authority_end..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let dir = if dir.is_empty() { "/" } else { dir };
    format!("{origin}{dir}{location}")
}

/// requests' `should_strip_auth`, the other way round: the same host, scheme and port, or http to https on the
/// default ports.
fn keeps_credentials(from: &str, to: &str) -> bool {
    let origin = |url: &str| {
        let scheme = url
            .split_once("://")
            .map_or(String::new(), |(s, _)| s.to_ascii_lowercase());
        let authority = host_of(url);
        let host = bare_host(&authority);
        let port = authority
            .rsplit_once(':')
            .filter(|(name, port)| {
                port.chars().all(|c| c.is_ascii_digit())
                    && (!name.contains(':') || name.ends_with(']'))
            })
            .and_then(|(_, port)| port.parse::<u16>().ok())
            .unwrap_or(match scheme.as_str() {
                "http" => 80,
                _ => 443,
            });
        (scheme, host, port)
    };
    let (from_scheme, from_host, from_port) = origin(from);
    let (to_scheme, to_host, to_port) = origin(to);
    from_host == to_host
        && ((from_scheme == to_scheme && from_port == to_port)
            || (from_scheme == "http" && from_port == 80 && to_scheme == "https" && to_port == 443))
}

fn attempt_error(err: ureq::Error) -> Attempt {
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
        _ => Attempt::Failed(err),
    }
}

/// `via`: the proxy's `host:port`, when the request went through one.
fn classify(err: ureq::Error, req: &Request, via: Option<&str>) -> HttpError {
    let peer = via.map_or_else(|| host_of(req.url), |proxy| format!("the proxy {proxy}"));
    match err {
        ureq::Error::Timeout(_) => HttpError::Timeout(req.timeout),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => HttpError::Timeout(req.timeout),
            ErrorKind::ConnectionRefused => {
                HttpError::Connect(format!("connection refused by {peer}"))
            }
            // rustls reports a failed handshake (an unknown CA, a wrong host name) as invalid data.
            ErrorKind::InvalidData if is_https(req.url) => HttpError::Tls(io.to_string()),
            _ => HttpError::Connect(io.to_string()),
        },
        ureq::Error::HostNotFound => HttpError::Connect(match via {
            Some(proxy) => format!("proxy host {proxy} not found"),
            None => format!("host {} not found", host_of(req.url)),
        }),
        ureq::Error::ConnectionFailed => HttpError::Connect(format!("no connection to {peer}")),
        ureq::Error::ConnectProxyFailed(why) => {
            HttpError::Connect(format!("through {peer}: {why}"))
        }
        ureq::Error::InvalidProxyUrl => HttpError::Other("the proxy URL is invalid".into()),
        ureq::Error::BodyExceedsLimit(_) => HttpError::TooLarge(req.max_bytes),
        ureq::Error::TooManyRedirects => HttpError::TooManyRedirects,
        ureq::Error::BadUri(_) => {
            HttpError::Other(format!("{} is not a valid URL", redact(req.url)))
        }
        ureq::Error::Tls(why) => HttpError::Tls(why.to_string()),
        ureq::Error::Rustls(why) => HttpError::Tls(why.to_string()),
        ureq::Error::Pem(why) => HttpError::Tls(why.to_string()),
        other => HttpError::Other(other.to_string()),
    }
}

/// The proxy URL for this URL, from the environment, unless `NO_PROXY` names its host.
fn proxy_url_for(url: &str, https: bool) -> Option<String> {
    let proxy = if https {
        env::https_proxy()
    } else {
        env::http_proxy()
    }?;
    if env::no_proxy().is_some_and(|list| bypasses(&list, &host_of(url))) {
        return None;
    }
    Some(proxy)
}

/// `NO_PROXY` as curl reads it: `*`, or comma-separated host names that match themselves and their
/// subdomains (a leading dot is optional); ports are ignored.
fn bypasses(no_proxy: &str, host: &str) -> bool {
    let host = bare_host(host);
    no_proxy
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = bare_host(entry.trim_start_matches('.'));
            host == entry || host.ends_with(&format!(".{entry}"))
        })
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

fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

/// `host[:port]` of a URL, without credentials.
fn host_of(url: &str) -> String {
    let redacted = redact(url);
    let rest = redacted
        .split_once("://")
        .map_or(redacted.as_str(), |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_string()
}

/// `host` without `:port` and IPv6 brackets, lower-cased.
fn bare_host(authority: &str) -> String {
    let host = match authority.rsplit_once(':') {
        Some((name, port))
            if port.chars().all(|c| c.is_ascii_digit())
                && (!name.contains(':') || name.ends_with(']')) =>
        {
            name
        }
        _ => authority,
    };
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// The URL without `user:password@`, and the HTTP basic `Authorization` value they make (percent-decoded, as
/// pip reads them).
fn split_credentials(url: &str) -> (String, Option<String>) {
    let redacted = redact(url);
    if redacted == url {
        return (redacted, None);
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let userinfo = rest[..end].rsplit_once('@').map_or("", |(u, _)| u);
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let pair = format!("{}:{}", percent_decode(user), percent_decode(password));
    (redacted, Some(format!("Basic {}", base64(pair.as_bytes()))))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with padding (RFC 4648), for the basic authentication header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The credentials of the requested URL, to be removed from any text that might echo them.
struct Secrets(Vec<String>);

impl Secrets {
    fn of(url: &str) -> Self {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let mut secrets = Vec::new();
        if let Some((userinfo, _)) = rest[..end].rsplit_once('@') {
            secrets.push(userinfo.to_string());
            secrets.extend(
                userinfo
                    .split(':')
                    .filter(|s| s.len() >= 3)
                    .map(str::to_string),
            );
        }
        Secrets(secrets)
    }

    /// Also the proxy URL's credentials.
    fn and(mut self, proxy_url: Option<&str>) -> Self {
        if let Some(url) = proxy_url {
            self.0.extend(Secrets::of(url).0);
        }
        self
    }

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
mod post;

pub use post::post_json;

#[cfg(test)]
pub(crate) mod test_server;

#[cfg(test)]
mod tests;
