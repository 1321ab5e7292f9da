//! The GitHub REST API: a repository's failed workflow runs, a run, its jobs, a job's log; and creating a
//! release for a pushed tag ([`release`]).
//!
//! Every request goes through [`crate::http`] with `Accept: application/vnd.github+json`,
//! `X-GitHub-Api-Version: 2022-11-28` and the token as `Authorization: Bearer`. A job's log answers with a
//! redirect to a signed URL on another service: it is followed by hand, without the token. The token never
//! appears in a message. <https://docs.github.com/en/rest/actions/workflow-runs>,
//! <https://docs.github.com/en/rest/actions/workflow-jobs>.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::http::{self, HttpError, Request, Response};
use crate::urls::{self, SafeUrl};

pub mod release;
pub mod settings;

/// One API call (retries included).
const API_TIMEOUT: Duration = Duration::from_secs(30);
/// One log download.
const LOG_TIMEOUT: Duration = Duration::from_secs(120);
const MAX_JSON: u64 = 32 << 20;
const MAX_LOG: u64 = 512 << 20;
/// Pages of jobs read at most (100 jobs each).
const MAX_JOB_PAGES: u32 = 10;

pub const DEFAULT_API: &str = "https://api.github.com";

/// `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoName {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for RepoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl RepoName {
    /// `OWNER/NAME` as typed by the user.
    pub fn parse(text: &str) -> Option<RepoName> {
        let (owner, name) = text.trim().split_once('/')?;
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (valid(owner) && valid(name) && name != "." && name != "..").then(|| RepoName {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    /// The repository of a remote URL on `host` (`github.com`, or a GitHub Enterprise host): https, ssh and
    /// scp-like forms, with or without `.git`.
    pub fn from_remote(url: &str, host: &str) -> Option<RepoName> {
        let url = url.trim();
        let path = if let Some((scheme, rest)) = url.split_once("://") {
            if !matches!(scheme, "https" | "http" | "ssh" | "git") {
                return None;
            }
            let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
            let (authority, path) = rest.split_once('/')?;
            let remote_host = authority.split(':').next().unwrap_or(authority);
            if !remote_host.eq_ignore_ascii_case(host) {
                return None;
            }
            path
        } else {
            // scp-like: git@github.com:owner/name.git
            let (authority, path) = url.split_once(':')?;
            let remote_host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if !remote_host.eq_ignore_ascii_case(host) || path.starts_with('/') {
                return None;
            }
            path
        };
        let path = path.trim_end_matches('/');
        RepoName::parse(path.strip_suffix(".git").unwrap_or(path))
    }
}

/// The web host of an API root: `https://api.github.com` -> `github.com`, `https://ghe.example/api/v3` ->
/// `ghe.example`.
pub fn web_host(api: &str) -> String {
    let rest = api.split_once("://").map_or(api, |(_, r)| r);
    let host = rest
        .split(['/', ':'])
        .next()
        .unwrap_or(rest)
        .to_ascii_lowercase();
    host.strip_prefix("api.")
        .map_or(host.clone(), str::to_string)
}

/// Why the API gave no answer relgate can use. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no GitHub token: neither GH_TOKEN nor GITHUB_TOKEN is set")]
    NoToken,
    #[error("cannot reach the GitHub API at {api}: {why}")]
    Unreachable { api: String, why: String },
    #[error("GitHub refused the token (HTTP 401: {message})")]
    Unauthorized { message: String },
    #[error("GitHub's API rate limit for this token is used up{reset}")]
    RateLimited { reset: String },
    #[error("GitHub denied access to {what} (HTTP 403: {message})")]
    Forbidden {
        what: String,
        message: String,
        /// What the token lacks, as GitHub names it (`X-Accepted-GitHub-Permissions: administration=read` for a
        /// fine-grained token, `X-Accepted-OAuth-Scopes: repo` for a classic one), when it says.
        needs: Option<String>,
    },
    #[error("{what} not found (HTTP 404)")]
    NotFound { what: String },
    #[error("the log of {what} is no longer kept by GitHub (HTTP 410)")]
    Gone { what: String },
    #[error("GitHub answered HTTP {status} for {what}{message}")]
    Status {
        what: String,
        status: u16,
        message: String,
    },
    #[error("GitHub's answer for {what} is not the JSON expected: {why}")]
    BadAnswer { what: String, why: String },
}

/// A workflow run, as listed.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Run {
    pub id: u64,
    /// The workflow's name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_title: Option<String>,
    pub event: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub head_branch: Option<String>,
    pub head_sha: String,
    #[serde(default, rename = "run_number")]
    pub number: Option<u64>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// `.github/workflows/release.yml`
    #[serde(default)]
    pub path: Option<String>,
}

/// A job of a run.
#[derive(Debug, Clone, Deserialize)]
pub struct Job {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub steps: Vec<JobStep>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JobStep {
    pub name: String,
    pub number: u32,
    #[serde(default)]
    pub conclusion: Option<String>,
}

#[derive(Deserialize)]
struct RunsPage {
    workflow_runs: Vec<Run>,
}

#[derive(Deserialize)]
struct JobsPage {
    total_count: u64,
    jobs: Vec<Job>,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

pub struct Client {
    api: String,
    token: String,
}

impl Client {
    /// A client for the API root `api`, with the token from `GH_TOKEN` or `GITHUB_TOKEN`.
    pub fn from_env(api: &str) -> Result<Client, ApiError> {
        let token = crate::env::github_token().ok_or(ApiError::NoToken)?;
        Ok(Client {
            api: api.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// The most recent failed runs, newest first (of one workflow file, when given).
    pub fn failed_runs(
        &self,
        repo: &RepoName,
        workflow: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Run>, ApiError> {
        let path = match workflow {
            Some(file) => format!(
                "/repos/{repo}/actions/workflows/{}/runs?status=failure&per_page={limit}",
                urls::encode_segment(file)
            ),
            None => format!("/repos/{repo}/actions/runs?status=failure&per_page={limit}"),
        };
        let what = match workflow {
            Some(file) => format!("workflow {file} of {repo}"),
            None => format!("repository {repo}"),
        };
        let page: RunsPage = self.json(&path, &what)?;
        Ok(page.workflow_runs)
    }

    pub fn run(&self, repo: &RepoName, id: u64) -> Result<Run, ApiError> {
        self.json(
            &format!("/repos/{repo}/actions/runs/{id}"),
            &format!("run {id} of {repo}"),
        )
    }

    /// Every job of the run's latest attempt.
    pub fn jobs(&self, repo: &RepoName, id: u64) -> Result<Vec<Job>, ApiError> {
        let mut jobs = Vec::new();
        for page in 1..=MAX_JOB_PAGES {
            let batch: JobsPage = self.json(
                &format!("/repos/{repo}/actions/runs/{id}/jobs?per_page=100&page={page}"),
                &format!("the jobs of run {id} of {repo}"),
            )?;
            let done = batch.jobs.is_empty();
            jobs.extend(batch.jobs);
            if done || jobs.len() as u64 >= batch.total_count {
                break;
            }
        }
        Ok(jobs)
    }

    /// A job's whole log: the API answers with a redirect to a signed URL, fetched without the token.
    pub fn job_log(&self, repo: &RepoName, job: &Job) -> Result<Vec<u8>, ApiError> {
        let what = format!("job \"{}\" ({})", job.name, job.id);
        let url = format!("{}/repos/{repo}/actions/jobs/{}/logs", self.api, job.id);
        let first = self.call(&url, &what, LOG_TIMEOUT, MAX_LOG, true)?;
        let response = if (300..400).contains(&first.status) {
            let location = first
                .header("location")
                .map(|l| absolute(&url, l))
                .unwrap_or_default();
            let request = Request {
                url: &location,
                headers: Vec::new(),
                timeout: LOG_TIMEOUT,
                max_bytes: MAX_LOG,
            };
            http::get(&request).map_err(|e| self.unreachable(&e))?
        } else {
            first
        };
        match response.status {
            200..=299 => Ok(response.body),
            _ => Err(status_error(&response, &what)),
        }
    }

    fn json<T: DeserializeOwned>(&self, path: &str, what: &str) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.api);
        let response = self.call(&url, what, API_TIMEOUT, MAX_JSON, false)?;
        if !(200..300).contains(&response.status) {
            return Err(status_error(&response, what));
        }
        serde_json::from_slice(&response.body).map_err(|e| ApiError::BadAnswer {
            what: what.to_string(),
            why: e.to_string(),
        })
    }

    /// A GET with the token. A redirect within the API (a renamed repository answers 301) is followed with
    /// it, up to 3 times; a redirect elsewhere is returned when `elsewhere` (the caller follows it without the
    /// token), an error otherwise. The token never follows a redirect to another origin.
    fn call(
        &self,
        url: &str,
        what: &str,
        timeout: Duration,
        max_bytes: u64,
        elsewhere: bool,
    ) -> Result<Response, ApiError> {
        let mut url = url.to_string();
        for _ in 0..=3 {
            let request = Request {
                url: &url,
                headers: vec![
                    ("Accept", "application/vnd.github+json".to_string()),
                    ("X-GitHub-Api-Version", "2022-11-28".to_string()),
                    ("Authorization", format!("Bearer {}", self.token)),
                ],
                timeout,
                max_bytes,
            };
            let response =
                http::get_without_redirects(&request).map_err(|e| self.unreachable(&e))?;
            if !(300..400).contains(&response.status) {
                return Ok(response);
            }
            let location = response
                .header("location")
                .map(|l| absolute(&url, l))
                .unwrap_or_default();
            if origin(&location).is_some() && origin(&location) == origin(&self.api) {
                url = location;
                continue;
            }
            if elsewhere && !location.is_empty() {
                return Ok(response);
            }
            return Err(ApiError::Status {
                what: what.to_string(),
                status: response.status,
                message: if location.is_empty() {
                    ": a redirect without a Location".to_string()
                } else {
                    format!(": redirected to {}", http::redact(&location))
                },
            });
        }
        Err(ApiError::Status {
            what: what.to_string(),
            status: 310,
            message: ": too many redirects".into(),
        })
    }

    fn unreachable(&self, err: &HttpError) -> ApiError {
        ApiError::Unreachable {
            api: self.api.clone(),
            why: err.to_string().replace(&self.token, "***"),
        }
    }
}

/// `(scheme, host, port)` of a URL, the port made explicit; `None` for what is not an http(s) URL.
fn origin(url: &str) -> Option<(String, String, u16)> {
    SafeUrl::parse(url).ok().map(|u| u.origin())
}

/// A `Location` resolved against the URL that answered (empty when it does not resolve).
fn absolute(base: &str, location: &str) -> String {
    SafeUrl::parse(base)
        .and_then(|base| base.join(location))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

fn status_error(response: &Response, what: &str) -> ApiError {
    let message = serde_json::from_slice::<ErrorBody>(&response.body)
        .ok()
        .and_then(|b| b.message)
        .unwrap_or_default();
    let rate_limited = response.header("x-ratelimit-remaining") == Some("0")
        || response.status == 429
        || message.to_ascii_lowercase().contains("rate limit");
    match response.status {
        403 | 429 if rate_limited => ApiError::RateLimited {
            reset: reset_in(response),
        },
        401 => ApiError::Unauthorized {
            message: if message.is_empty() {
                "Bad credentials".into()
            } else {
                message
            },
        },
        403 => ApiError::Forbidden {
            what: what.to_string(),
            message,
            needs: response
                .header("x-accepted-github-permissions")
                .or_else(|| response.header("x-accepted-oauth-scopes"))
                .filter(|n| !n.trim().is_empty())
                .map(str::to_string),
        },
        404 => ApiError::NotFound {
            what: what.to_string(),
        },
        410 => ApiError::Gone {
            what: what.to_string(),
        },
        status => ApiError::Status {
            what: what.to_string(),
            status,
            message: if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            },
        },
    }
}

/// ` (it resets in 12 minutes)`, from `x-ratelimit-reset` (Unix seconds) or `retry-after` (seconds).
fn reset_in(response: &Response) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let wait = response
        .header("x-ratelimit-reset")
        .and_then(|r| r.parse::<u64>().ok())
        .map(|reset| reset.saturating_sub(now))
        .or_else(|| {
            response
                .header("retry-after")
                .and_then(|r| r.parse::<u64>().ok())
        });
    match wait {
        Some(secs) if secs >= 60 => format!(" (it resets in {} minutes)", secs.div_ceil(60)),
        Some(secs) => format!(" (it resets in {secs} seconds)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names() {
        let repo = |o: &str, n: &str| {
            Some(RepoName {
                owner: o.into(),
                name: n.into(),
            })
        };
        assert_eq!(RepoName::parse("pypa/twine"), repo("pypa", "twine"));
        assert_eq!(RepoName::parse("pypa"), None);
        assert_eq!(RepoName::parse("a/b/c"), None);
        assert_eq!(RepoName::parse("a/b c"), None);
        for url in [
            "https://github.com/psf/requests.git",
            "https://github.com/psf/requests",
            "https://user@github.com/psf/requests/",
            "git@github.com:psf/requests.git",
            "ssh://git@github.com/psf/requests.git",
            "ssh://git@github.com:22/psf/requests",
        ] {
            assert_eq!(
                RepoName::from_remote(url, "github.com"),
                repo("psf", "requests"),
                "{url}"
            );
        }
        assert_eq!(
            RepoName::from_remote("https://gitlab.com/psf/requests.git", "github.com"),
            None
        );
        assert_eq!(
            RepoName::from_remote("git@ghe.corp:team/app.git", "ghe.corp"),
            repo("team", "app")
        );
        assert_eq!(web_host("https://api.github.com"), "github.com");
        assert_eq!(web_host("https://ghe.corp/api/v3"), "ghe.corp");
        assert_eq!(
            origin("HTTPS://API.github.com/repos/x"),
            Some(("https".into(), "api.github.com".into(), 443))
        );
        assert_eq!(
            absolute(
                "http://127.0.0.1:8080/api/v3",
                "/repositories/1/actions/runs/2"
            ),
            "http://127.0.0.1:8080/repositories/1/actions/runs/2"
        );
    }
}
