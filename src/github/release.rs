//! Creating a GitHub release for a pushed tag: `POST /repos/{owner}/{repo}/releases`
//! (<https://docs.github.com/en/rest/releases/releases#create-a-release>). Publishing it is what starts the
//! project's `on: release: types: [published]` workflows.

use serde::{Deserialize, Serialize};

use super::{ApiError, Client, RepoName, status_error};
use crate::http::{self, Request};

/// The request body, as GitHub documents it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewRelease {
    pub tag_name: String,
    pub name: String,
    /// Absent when GitHub writes the notes (`generate_release_notes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub generate_release_notes: bool,
}

/// What GitHub answers, as far as relgate uses it.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedRelease {
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Deserialize)]
struct Refusal {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct FieldError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl Client {
    /// Create the release; never retried (a second request would be refused as a duplicate at best).
    pub fn create_release(
        &self,
        repo: &RepoName,
        release: &NewRelease,
    ) -> Result<CreatedRelease, ApiError> {
        let what = format!("the release {} of {repo}", release.tag_name);
        let url = format!("{}/repos/{repo}/releases", self.api);
        let body = serde_json::to_vec(release).map_err(|e| ApiError::BadAnswer {
            what: what.clone(),
            why: e.to_string(),
        })?;
        let request = Request {
            url: &url,
            headers: vec![
                ("Accept", "application/vnd.github+json".to_string()),
                ("X-GitHub-Api-Version", "2022-11-28".to_string()),
                ("Authorization", format!("Bearer {}", self.token)),
                ("Content-Type", "application/json".to_string()),
            ],
            timeout: super::API_TIMEOUT,
            max_bytes: super::MAX_JSON,
        };
        let response =
            http::send(&request, http::Method::Post, &body).map_err(|e| self.unreachable(&e))?;
        match response.status {
            200..=299 => serde_json::from_slice(&response.body).map_err(|e| ApiError::BadAnswer {
                what,
                why: e.to_string(),
            }),
            422 => {
                // "Validation Failed" says little; its errors say what (`already_exists` on `tag_name`).
                let refusal: Option<Refusal> = serde_json::from_slice(&response.body).ok();
                let reasons: Vec<String> = refusal
                    .as_ref()
                    .map(|r| {
                        r.errors
                            .iter()
                            .map(|e| {
                                let code = e.code.as_deref().unwrap_or("invalid");
                                let mut reason = match &e.field {
                                    Some(field) => format!("{field}: {code}"),
                                    None => code.to_owned(),
                                };
                                if let Some(message) = &e.message {
                                    reason = format!("{reason} ({message})");
                                }
                                reason
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let message = refusal
                    .and_then(|r| r.message)
                    .unwrap_or_else(|| "Validation Failed".into());
                Err(ApiError::Status {
                    what,
                    status: 422,
                    message: format!(
                        ": {}",
                        crate::term::printable(&if reasons.is_empty() {
                            message
                        } else {
                            format!("{message}: {}", reasons.join("; "))
                        })
                    ),
                })
            }
            _ => Err(status_error(&response, &what)),
        }
    }
}
