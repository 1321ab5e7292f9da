//! Trusted publishing's token exchange, made the way pypa/gh-action-pypi-publish makes it (`oidc-exchange.py`),
//! and its short-lived upload token thrown away unused.
//!
//! 1. `GET <index>/_/oidc/audience` names the audience the index expects (`pypi`).
//! 2. `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<audience>` with `Authorization: bearer
//!    $ACTIONS_ID_TOKEN_REQUEST_TOKEN` returns the job's OIDC token (a JWT: `{"value": "..."}`). GitHub sets
//!    both variables only for jobs with `permissions: id-token: write`.
//! 3. `POST <index>/_/oidc/mint-token` with `{"token": "<JWT>"}` returns `{"token": "pypi-..."}` when a trusted
//!    publisher registered on the index matches the token's claims, else `{"errors": [{"code":
//!    "invalid-publisher", "description": ...}]}`.
//!
//! Glossary: the *claims* are the JWT's payload: `repository`, `repository_owner`, `job_workflow_ref` (the
//! workflow file and ref), `ref`, `environment`... The index matches a publisher's owner, repository, workflow
//! file name and environment against them. The JWT and the minted token are secrets: neither is ever printed,
//! and any text from the index is scrubbed of them before it is.

use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::credentials::Secret;
use crate::http::{self, Request, Response};
use crate::term::printable;

const TIMEOUT: Duration = Duration::from_secs(30);
const MAX_ANSWER: u64 = 1 << 20;

/// What the job's token says about it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub repository_owner: Option<String>,
    #[serde(default)]
    pub repository_owner_id: Option<String>,
    #[serde(default)]
    pub job_workflow_ref: Option<String>,
    #[serde(default)]
    pub workflow_ref: Option<String>,
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub event_name: Option<String>,
}

/// The fields of the index's "add a trusted publisher" form.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Publisher {
    pub owner: Option<String>,
    pub repository: Option<String>,
    /// The workflow's file name (`release.yml`).
    pub workflow: Option<String>,
    /// `None`: the publisher must leave the environment empty.
    pub environment: Option<String>,
}

impl Claims {
    /// The claims of a JWT (its middle part, base64url JSON); the signature is the index's business.
    fn of(jwt: &str) -> Option<Claims> {
        let payload = jwt.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The publisher these claims would match.
    pub fn publisher(&self) -> Publisher {
        let (owner, repository) = match self.repository.as_deref().and_then(|r| r.split_once('/')) {
            Some((owner, name)) => (Some(owner.to_owned()), Some(name.to_owned())),
            None => (self.repository_owner.clone(), self.repository.clone()),
        };
        let workflow = self
            .job_workflow_ref
            .as_deref()
            .or(self.workflow_ref.as_deref())
            .and_then(|r| r.split('@').next())
            .and_then(|path| path.rsplit('/').next())
            .map(str::to_owned);
        Publisher {
            owner: owner.map(|o| printable(&o)),
            repository: repository.map(|r| printable(&r)),
            workflow: workflow.map(|w| printable(&w)),
            environment: self.environment.as_deref().map(printable),
        }
    }

    /// `name: value` lines for the terminal, `MISSING` for an absent claim (as the publish action shows them).
    pub fn lines(&self) -> Vec<String> {
        [
            ("sub", &self.sub),
            ("repository", &self.repository),
            ("repository_owner", &self.repository_owner),
            ("repository_owner_id", &self.repository_owner_id),
            ("workflow_ref", &self.workflow_ref),
            ("job_workflow_ref", &self.job_workflow_ref),
            ("ref", &self.git_ref),
            ("environment", &self.environment),
            ("event_name", &self.event_name),
        ]
        .into_iter()
        .map(|(name, value)| {
            format!(
                "{name}: {}",
                value.as_deref().map_or_else(|| "MISSING".into(), printable)
            )
        })
        .collect()
    }
}

/// How the exchange went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The index minted an upload token (thrown away).
    Accepted { claims: Option<Claims> },
    /// The index, or GitHub, refused: the upload would fail.
    Refused {
        why: String,
        /// The index's `(code, description)` errors.
        errors: Vec<(String, String)>,
        claims: Option<Claims>,
        fix: String,
    },
    /// No verdict (the index or GitHub could not be reached, or answered something unreadable).
    Unknown(String),
}

#[derive(Deserialize)]
struct Audience {
    audience: String,
}

#[derive(Deserialize)]
struct IdToken {
    value: Option<String>,
}

#[derive(Deserialize)]
struct Minted {
    token: Option<String>,
}

#[derive(Deserialize)]
struct MintError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Make the exchange with the index whose upload URL is `upload_url`, as the job given by `request` (the
/// OIDC request URL and its bearer token, `None` when the job has no `id-token: write`).
pub fn exchange(upload_url: &str, request: (Option<String>, Option<Secret>)) -> Outcome {
    let Some(base) = origin(upload_url) else {
        return Outcome::Unknown(format!(
            "{} is not an http(s) URL",
            http::redact(upload_url)
        ));
    };
    let domain = base
        .split_once("://")
        .map_or(base.as_str(), |(_, d)| d)
        .to_owned();

    // 1. The audience.
    let answer = match get(&format!("{base}/_/oidc/audience"), Vec::new()) {
        Ok(answer) => answer,
        Err(why) => {
            return Outcome::Unknown(format!("cannot ask {domain} for its audience: {why}"));
        }
    };
    let audience = match answer.status {
        200..=299 => match serde_json::from_slice::<Audience>(&answer.body) {
            Ok(a) => a.audience,
            Err(_) => {
                return Outcome::Unknown(format!(
                    "{domain} answered its audience request with something that is not {{\"audience\": ...}}"
                ));
            }
        },
        403 => {
            return refused(
                format!("{domain} has trusted publishing disabled (HTTP 403 for its audience)"),
                "upload with an API token, or ask the index's administrators".into(),
            );
        }
        404 => {
            return refused(
                format!(
                    "{domain} does not support trusted publishing (HTTP 404 for /_/oidc/audience)"
                ),
                "upload to this index with an API token instead".into(),
            );
        }
        status => {
            return Outcome::Unknown(format!("{domain} answered HTTP {status} for its audience"));
        }
    };

    // 2. The job's OIDC token.
    let (Some(url), Some(bearer)) = request else {
        return refused(
            "the job cannot request an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set, which means the job lacks `permissions: id-token: write` (GitHub never grants it to pull requests from forks)".into(),
            "add `permissions: id-token: write` to the publishing job (a job-level `permissions:` block replaces the workflow's)".into(),
        );
    };
    let separator = if url.contains('?') { '&' } else { '?' };
    let token_url = format!("{url}{separator}audience={}", encode(&audience));
    let answer = match get_without_redirects(
        &token_url,
        vec![("Authorization", format!("bearer {}", bearer.expose()))],
    ) {
        Ok(answer) => answer,
        Err(why) => {
            return Outcome::Unknown(format!("cannot ask GitHub for the job's OIDC token: {why}"));
        }
    };
    if !(200..300).contains(&answer.status) {
        return refused(
            format!(
                "GitHub refused the job's OIDC token request (HTTP {})",
                answer.status
            ),
            "check that the job has `permissions: id-token: write`".into(),
        );
    }
    let Some(jwt) = serde_json::from_slice::<IdToken>(&answer.body)
        .ok()
        .and_then(|t| t.value)
        .map(Secret::new)
    else {
        return Outcome::Unknown("GitHub's answer to the OIDC token request holds no token".into());
    };
    let claims = Claims::of(jwt.expose());
    let scrub = |text: &str| {
        printable(
            &text
                .replace(jwt.expose(), "***")
                .replace(bearer.expose(), "***"),
        )
    };

    // 3. The exchange.
    let body = serde_json::json!({ "token": jwt.expose() }).to_string();
    let body = Secret::new(body);
    let request = Request {
        url: &format!("{base}/_/oidc/mint-token"),
        headers: vec![
            ("Accept", "application/json".into()),
            ("Content-Type", "application/json".into()),
        ],
        timeout: TIMEOUT,
        max_bytes: MAX_ANSWER,
    };
    let answer = match http::send(&request, http::Method::Post, body.expose().as_bytes()) {
        Ok(answer) => answer,
        Err(e) => {
            return Outcome::Unknown(format!(
                "cannot reach {domain} to exchange the token: {}",
                scrub(&e.to_string())
            ));
        }
    };
    if (200..300).contains(&answer.status) {
        let minted = serde_json::from_slice::<Minted>(&answer.body)
            .ok()
            .and_then(|m| m.token)
            .map(Secret::new);
        return match minted {
            // The upload token is dropped here, unused (its bytes are overwritten).
            Some(_upload_token) => Outcome::Accepted { claims },
            None => Outcome::Unknown(format!(
                "{domain} answered the exchange with HTTP {} but no token",
                answer.status
            )),
        };
    }
    let Ok(error) = serde_json::from_slice::<MintError>(&answer.body) else {
        return Outcome::Unknown(format!(
            "{domain} answered the exchange with an unexpected HTTP {} that is not JSON",
            answer.status
        ));
    };
    let errors: Vec<(String, String)> = error
        .errors
        .iter()
        .map(|e| {
            (
                scrub(e.code.as_deref().unwrap_or("error")),
                scrub(e.description.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let why = match (errors.first(), &error.message) {
        (Some((code, _)), _) => format!("{domain} refused the token exchange ({code})"),
        (None, Some(message)) => format!("{domain} refused the token exchange: {}", scrub(message)),
        (None, None) => format!(
            "{domain} refused the token exchange (HTTP {})",
            answer.status
        ),
    };
    Outcome::Refused {
        why,
        errors,
        claims,
        fix: "register a trusted publisher with exactly the fields below on the index (project settings, Publishing), or fix the workflow so that its claims match the one registered".into(),
    }
}

fn refused(why: String, fix: String) -> Outcome {
    Outcome::Refused {
        why,
        errors: Vec::new(),
        claims: None,
        fix,
    }
}

fn get(url: &str, headers: Vec<(&'static str, String)>) -> Result<Response, String> {
    let request = Request {
        url,
        headers: [vec![("Accept", "application/json".to_owned())], headers].concat(),
        timeout: TIMEOUT,
        max_bytes: MAX_ANSWER,
    };
    http::get(&request).map_err(|e| e.to_string())
}

/// A GET carrying a bearer token: a redirect is an answer, never followed with the token.
fn get_without_redirects(
    url: &str,
    headers: Vec<(&'static str, String)>,
) -> Result<Response, String> {
    let request = Request {
        url,
        headers: [vec![("Accept", "application/json".to_owned())], headers].concat(),
        timeout: TIMEOUT,
        max_bytes: MAX_ANSWER,
    };
    http::get_without_redirects(&request).map_err(|e| e.to_string())
}

/// `scheme://host[:port]` of an http(s) URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    (!authority.is_empty()).then(|| format!("{}://{authority}", scheme.to_ascii_lowercase()))
}

/// A query parameter's value, percent-encoded.
fn encode(value: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_and_the_publisher_they_match() {
        let payload = r#"{"sub":"repo:octo/app:environment:pypi","repository":"octo/app","repository_owner":"octo","job_workflow_ref":"octo/app/.github/workflows/release.yml@refs/tags/v1.0.0","ref":"refs/tags/v1.0.0","environment":"pypi"}"#;
        let jwt = format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
        );
        let claims = Claims::of(&jwt).unwrap();
        assert_eq!(
            claims.publisher(),
            Publisher {
                owner: Some("octo".into()),
                repository: Some("app".into()),
                workflow: Some("release.yml".into()),
                environment: Some("pypi".into()),
            }
        );
        assert_eq!(claims.lines()[3], "repository_owner_id: MISSING");
        assert_eq!(
            origin("https://upload.pypi.org/legacy/").as_deref(),
            Some("https://upload.pypi.org")
        );
        assert_eq!(origin("ftp://x"), None);
        assert_eq!(encode("pypi"), "pypi");
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }
}
