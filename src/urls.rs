//! URLs that carry credentials: where the user-info ends, how a URL is shown without it, how a redirect's
//! `Location` resolves, and which origin a URL names. Every URL relgate prints goes through [`redact`].
//!
//! Glossary: the *authority* is `user-info@host:port`; the *user-info* is `user:password`, which package
//! indexes use for tokens (`https://__token__:pypi-...@host/simple`). RFC 3986 wants `/`, `?`, `#` and `@`
//! percent-encoded in it; tokens often hold them raw. Where the user-info ends is then ambiguous: relgate
//! hides everything up to the last `@` that could end it, and refuses to use such a URL (without echoing it)
//! rather than guess which host was meant. A URL whose authority is plain (`https://host/simple/a@b/`) is
//! shown as written.

use std::fmt;

use base64::Engine as _;
use percent_encoding::percent_decode_str;

/// A parsed `http://` or `https://` URL, credentials included; its `Display` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct SafeUrl {
    url: url::Url,
}

/// Why a URL cannot be used. The messages never contain the URL's credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error(
        "the URL's credentials hold a `/`, `?`, `#` or `@` that is not percent-encoded, so where they end is ambiguous"
    )]
    AmbiguousCredentials,
    #[error("{0} is not an http:// or https:// URL")]
    NotHttp(String),
    #[error("{shown} is not a valid URL: {why}")]
    Invalid { shown: String, why: String },
}

impl UrlError {
    /// What to do about it, for the `hint:` line.
    pub fn hint(&self) -> &'static str {
        match self {
            UrlError::AmbiguousCredentials => {
                "percent-encode the user name and token: `/` as %2F, `?` as %3F, `#` as %23, `@` as %40 (https://USER:TOKEN@host/simple)"
            }
            UrlError::NotHttp(_) | UrlError::Invalid { .. } => {
                "give the simple API root, as for pip's --index-url: e.g. --index-url https://pypi.org/simple"
            }
        }
    }
}

impl SafeUrl {
    /// Parse an `http(s)://` URL someone wrote (an index URL). Credentials whose end is ambiguous are refused,
    /// not guessed.
    pub fn parse(text: &str) -> Result<SafeUrl, UrlError> {
        SafeUrl::parse_as(text, true)
    }

    /// Parse an `http(s)://` URL a server gave (a log's download link): an `@` in its path or query is its own.
    pub fn parse_received(text: &str) -> Result<SafeUrl, UrlError> {
        SafeUrl::parse_as(text, false)
    }

    fn parse_as(text: &str, typed: bool) -> Result<SafeUrl, UrlError> {
        let text = text.trim();
        let (scheme, rest) = split_scheme(text);
        // WHATWG parsers read `https:///simple` as the host `simple`: relgate wants the host written.
        let http = matches!(
            scheme.map(str::to_ascii_lowercase).as_deref(),
            Some("http" | "https")
        );
        if !http || rest.starts_with(['/', '\\']) {
            return Err(UrlError::NotHttp(format!("{:?}", redact(text))));
        }
        let judged = if typed {
            classify(rest)
        } else {
            authority(rest)
        };
        if judged == Authority::Unclear {
            return Err(UrlError::AmbiguousCredentials);
        }
        let url = url::Url::parse(text).map_err(|e| UrlError::Invalid {
            shown: format!("{:?}", redact(text)),
            why: e.to_string(),
        })?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlError::NotHttp(format!("{:?}", redact(text))));
        }
        Ok(SafeUrl { url })
    }

    /// The URL without credentials, as it is requested.
    pub fn without_credentials(&self) -> String {
        let mut bare = self.url.clone();
        // Setting an empty user name and no password cannot fail on an http(s) URL with a host.
        let _ = bare.set_password(None);
        let _ = bare.set_username("");
        bare.into()
    }

    /// Whether the URL has a query (`?...`, even an empty one).
    pub fn has_query(&self) -> bool {
        self.url.query().is_some()
    }

    /// Whether the URL has a fragment (`#...`, even an empty one).
    pub fn has_fragment(&self) -> bool {
        self.url.fragment().is_some()
    }

    /// The HTTP basic `Authorization` value of the URL's credentials (percent-decoded, as pip reads them).
    pub fn basic_authorization(&self) -> Option<String> {
        let (user, password) = self.credentials()?;
        let pair = format!("{user}:{password}");
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        ))
    }

    /// The user name and password, percent-decoded; `None` without user-info.
    pub fn credentials(&self) -> Option<(String, String)> {
        let user = self.url.username();
        let password = self.url.password();
        if user.is_empty() && password.is_none() {
            return None;
        }
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        Some((decode(user), password.map(decode).unwrap_or_default()))
    }

    /// The credentials as they could appear in any text (raw and decoded), to scrub from messages.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((user, password)) = self.credentials() {
            for raw in [self.url.username(), self.url.password().unwrap_or_default()] {
                out.push(raw.to_owned());
            }
            out.extend([user, password]);
        }
        out.retain(|s| s.len() >= 3);
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }

    /// A redirect's `Location` resolved against this URL (RFC 3986 section 5: absolute, scheme-relative,
    /// absolute-path, relative-path and query-only references). The result keeps no credentials.
    pub fn join(&self, location: &str) -> Result<SafeUrl, UrlError> {
        let base = url::Url::parse(&self.without_credentials()).map_err(|e| UrlError::Invalid {
            shown: self.to_string(),
            why: e.to_string(),
        })?;
        let location = location.trim();
        // A server's `Location` may hold an `@` in its path or query (a signed URL): only an authority that
        // cannot be read is refused.
        let (scheme, rest) = split_scheme(location);
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let has_authority = scheme.is_some() || location.starts_with("//");
        if has_authority && authority(rest) == Authority::Unclear {
            return Err(UrlError::AmbiguousCredentials);
        }
        let joined = base.join(location).map_err(|e| UrlError::Invalid {
            shown: format!("{:?}", redact(location)),
            why: e.to_string(),
        })?;
        if !matches!(joined.scheme(), "http" | "https") {
            return Err(UrlError::NotHttp(format!("{:?}", redact(location))));
        }
        Ok(SafeUrl { url: joined })
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// `(scheme, host, port)`, the port made explicit: what requests compares before it hands on credentials.
    pub fn origin(&self) -> (String, String, u16) {
        (
            self.url.scheme().to_owned(),
            self.url.host_str().unwrap_or_default().to_ascii_lowercase(),
            self.url.port_or_known_default().unwrap_or(0),
        )
    }

    /// `host` or `host:port` as written (no credentials), for messages.
    pub fn host_port(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        match self.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.without_credentials())
    }
}

impl fmt::Debug for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafeUrl({self})")
    }
}

/// The text of a URL (or of anything written like one: `user:token@host/path`) with its user-info removed,
/// for every message. A plain authority is kept as written, `@` in the path included; where the user-info's end
/// is ambiguous, everything up to the last `@` that could end it goes.
pub fn redact(text: &str) -> String {
    let (_, rest) = split_scheme(text);
    let prefix = &text[..text.len() - rest.len()];
    match classify(rest) {
        Authority::Plain => text.to_owned(),
        Authority::UserInfo(at) => format!("{prefix}{}", &rest[at + 1..]),
        Authority::Unclear => {
            let at = rest.rfind('@').unwrap_or(0);
            format!("{prefix}{}", &rest[at + 1..])
        }
    }
}

/// Whether two URLs keep credentials across a redirect between them: requests' `should_strip_auth`, the other
/// way round (the same scheme, host and port, or http to https on the default ports).
pub fn keeps_credentials(from: &SafeUrl, to: &SafeUrl) -> bool {
    let (from_scheme, from_host, from_port) = from.origin();
    let (to_scheme, to_host, to_port) = to.origin();
    from_host == to_host
        && ((from_scheme == to_scheme && from_port == to_port)
            || (from_scheme == "http" && from_port == 80 && to_scheme == "https" && to_port == 443))
}

/// One path segment with everything but RFC 3986's unreserved characters percent-encoded.
pub fn encode_segment(segment: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    // `.` and `..` would be resolved as path steps, not sent as a name.
    if !segment.is_empty() && segment.chars().all(|c| c == '.') {
        return "%2E".repeat(segment.len());
    }
    percent_encoding::utf8_percent_encode(segment, RESERVED).to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Authority {
    /// No user-info: the text after `//` up to the first `/`, `?` or `#` is a host.
    Plain,
    /// The user-info ends at this byte of the text after `//`.
    UserInfo(usize),
    /// A user-info with raw `/`, `?`, `#` (or an `@` followed by a host later in the text).
    Unclear,
}

/// `(scheme, the rest after "://")`; without a scheme the whole text is the rest.
fn split_scheme(text: &str) -> (Option<&str>, &str) {
    match text.find("://") {
        Some(i)
            if i > 0
                && text[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            (Some(&text[..i]), &text[i + 3..])
        }
        _ => (None, text),
    }
}

/// What the text after `//` starts with, judged by its authority alone.
fn authority(rest: &str) -> Authority {
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if let Some(at) = authority.rfind('@') {
        return if is_host_port(&authority[at + 1..]) {
            Authority::UserInfo(at)
        } else {
            Authority::Unclear
        };
    }
    if !is_host_port(authority) && rest.contains('@') {
        // `user:to` of `https://user:to/ken@host`: a `:` not followed by a port.
        return Authority::Unclear;
    }
    Authority::Plain
}

/// [`authority`], and for a URL someone typed: an `@` later on followed by a host name
/// (`https://tok/en@host.example/simple`) is a token with a raw `/`.
fn classify(rest: &str) -> Authority {
    let found = authority(rest);
    if found != Authority::Plain {
        return found;
    }
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let later = &rest[end..];
    let hides_a_host = later.match_indices('@').any(|(at, _)| {
        let after = &later[at + 1..];
        let host = &after[..after.find(['/', '?', '#']).unwrap_or(after.len())];
        is_host_port(host) && (host.contains(['.', ':']) || host.eq_ignore_ascii_case("localhost"))
    });
    if hides_a_host {
        Authority::Unclear
    } else {
        Authority::Plain
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`, with a registered name's characters (RFC 3986 3.2.2).
fn is_host_port(text: &str) -> bool {
    let (host, port) = if let Some(v6) = text.strip_prefix('[') {
        match v6.split_once(']') {
            Some((inner, after)) => {
                if !inner
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'))
                {
                    return false;
                }
                match after.strip_prefix(':') {
                    Some(port) => (inner, Some(port)),
                    None if after.is_empty() => (inner, None),
                    None => return false,
                }
            }
            None => return false,
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:".contains(c))
        && port.is_none_or(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_paths_and_hides_every_credential() {
        for (url, shown) in [
            (
                "https://user:tok@host.example/simple/",
                "https://host.example/simple/",
            ),
            ("https://tok@host:8443/simple", "https://host:8443/simple"),
            ("https://host/simple/a@b/", "https://host/simple/a@b/"),
            ("https://u:p@host/simple/a@b/", "https://host/simple/a@b/"),
            (
                "http://127.0.0.1:8080/simple",
                "http://127.0.0.1:8080/simple",
            ),
            ("u:p@host/x", "host/x"),
            ("https://u:p@ss@host/simple", "https://host/simple"),
            ("https://u:to/ken@host/simple", "https://host/simple"),
            ("https://u:to?ken@host/simple", "https://host/simple"),
            ("https://u:to#ken@host/simple", "https://host/simple"),
            (
                "https://to/ken@pkgs.example/simple",
                "https://pkgs.example/simple",
            ),
            ("https://[::1]:8080/simple", "https://[::1]:8080/simple"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }

    #[test]
    fn parsing_refuses_ambiguous_credentials_without_echoing_them() {
        for url in [
            "https://u:to/ken@host/simple",
            "https://u:to?ken@host/simple",
            "https://to/ken@pkgs.example/simple",
        ] {
            let err = SafeUrl::parse(url).unwrap_err();
            assert_eq!(err, UrlError::AmbiguousCredentials, "{url}");
            assert!(!err.to_string().contains("ken"), "{err}");
        }
        assert!(SafeUrl::parse_received("https://blob.example/x?owner=a@b.example").is_ok());
        assert!(SafeUrl::parse_received("https://u:to/ken@host/simple").is_err());
        let err = SafeUrl::parse("ftp://u:secret@host/").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(matches!(err, UrlError::NotHttp(_)));
        assert!(SafeUrl::parse("https://:8080/x").is_err());
    }

    #[test]
    fn credentials_are_decoded_and_never_displayed() {
        let url = SafeUrl::parse("https://u%40x:p%3Aw%2F@h/simple").unwrap();
        assert_eq!(url.credentials(), Some(("u@x".into(), "p:w/".into())));
        assert_eq!(
            url.basic_authorization().as_deref(),
            Some("Basic dUB4OnA6dy8=")
        );
        assert_eq!(url.to_string(), "https://h/simple");
        assert_eq!(format!("{url:?}"), "SafeUrl(https://h/simple)");
        let raw = SafeUrl::parse("https://u:p@ss@h/").unwrap();
        assert_eq!(raw.credentials(), Some(("u".into(), "p@ss".into())));
        assert_eq!(SafeUrl::parse("https://h/").unwrap().credentials(), None);
    }

    #[test]
    fn redirect_locations_resolve_like_a_browser() {
        let base = SafeUrl::parse("https://alice:s3cret@h:8443/a/b?q=1").unwrap();
        let join = |l: &str| base.join(l).unwrap().to_string();
        assert_eq!(join("c/"), "https://h:8443/a/c/");
        assert_eq!(join("/simple/p/"), "https://h:8443/simple/p/");
        assert_eq!(join("?page=2"), "https://h:8443/a/b?page=2");
        assert_eq!(join("//cdn.example/x"), "https://cdn.example/x");
        assert_eq!(join("http://h/a"), "http://h/a");
        assert!(base.join("file:///etc/passwd").is_err());
        assert_eq!(
            join("https://blob.example/logs?owner=a@b.example&sig=x"),
            "https://blob.example/logs?owner=a@b.example&sig=x"
        );
        assert!(base.join("https://u:to/ken@h/").is_err());
    }

    #[test]
    fn who_keeps_credentials_across_a_redirect() {
        let u = |s: &str| SafeUrl::parse(s).unwrap();
        assert!(keeps_credentials(
            &u("https://h/simple/"),
            &u("https://H:443/other/")
        ));
        assert!(keeps_credentials(
            &u("http://h/simple/"),
            &u("https://h/simple/")
        ));
        assert!(!keeps_credentials(
            &u("https://h/simple/"),
            &u("http://h/simple/")
        ));
        assert!(!keeps_credentials(
            &u("https://h/simple/"),
            &u("https://h:8443/simple/")
        ));
        assert!(!keeps_credentials(
            &u("https://h/simple/"),
            &u("https://g/simple/")
        ));
        assert!(!keeps_credentials(&u("http://h:8080/"), &u("https://h/")));
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("release.yml"), "release.yml");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("release/v1.0"), "release%2Fv1.0");
    }
}
