//! The repository settings that stop a bad release on GitHub's side, as GitHub's REST API shows them: rule sets
//! (and the rules they put on a branch), classic branch protection, deployment environments with their
//! deployment policies, and the default permissions of the Actions token. Read for `relgate github audit`;
//! written by `relgate github protect` through [`Client::write`].
//!
//! Glossary: a *rule set* is a named list of rules (`creation`, `update`, `deletion`, `non_fast_forward`,
//! `required_status_checks`...) for the branches or tags its `conditions.ref_name` patterns select, configured
//! on the repository or inherited from its organisation; *bypass actors* may ignore it. An *environment* is what
//! a job names in `environment:`; its *deployment policy* says which branches and tags may run such a job.
//! <https://docs.github.com/en/rest/repos/rules>, <https://docs.github.com/en/rest/branches/branch-protection>,
//! <https://docs.github.com/en/rest/deployments/environments>,
//! <https://docs.github.com/en/rest/deployments/branch-policies>,
//! <https://docs.github.com/en/rest/actions/permissions>.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{API_TIMEOUT, ApiError, Client, MAX_JSON, RepoName, status_error};
use crate::http::{self, Method, Request};
use crate::urls::encode_segment as encode;

/// Pages read at most from a paginated list (100 items each).
const MAX_PAGES: u32 = 10;

/// `GET /repos/{owner}/{repo}`, the little the audit needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    pub default_branch: String,
    /// The authenticated user's rights on the repository (absent without a token).
    #[serde(default)]
    pub permissions: Option<RepoPermissions>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RepoPermissions {
    #[serde(default)]
    pub admin: bool,
}

/// One active rule that applies to a branch, whatever level (repository, organisation) configured it.
#[derive(Debug, Clone, Deserialize)]
pub struct BranchRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub ruleset_source_type: Option<String>,
    #[serde(default)]
    pub ruleset_source: Option<String>,
    #[serde(default)]
    pub ruleset_id: Option<u64>,
}

/// A rule set. The list endpoint gives only its summary (no `conditions`, `rules` or `bypass_actors`); one
/// rule set's own endpoint gives everything, `bypass_actors` only to a token that may edit it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Ruleset {
    pub id: u64,
    pub name: String,
    /// `branch`, `tag`, `push`...
    #[serde(default)]
    pub target: Option<String>,
    /// `Repository`, `Organization`, `Enterprise`.
    #[serde(default)]
    pub source_type: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    /// `active`, `evaluate` (reports, enforces nothing) or `disabled`.
    pub enforcement: String,
    #[serde(default)]
    pub bypass_actors: Option<Vec<BypassActor>>,
    #[serde(default)]
    pub conditions: Option<Conditions>,
    #[serde(default)]
    pub rules: Option<Vec<Rule>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Conditions {
    #[serde(default)]
    pub ref_name: Option<RefName>,
}

/// `refs/heads/main`, `refs/tags/v*`, `~DEFAULT_BRANCH`, `~ALL`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct RefName {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Rule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct BypassActor {
    /// `null` for deploy keys; `1` for organisation admins; the role's, team's or app's id otherwise.
    #[serde(default)]
    pub actor_id: Option<u64>,
    /// `RepositoryRole`, `OrganizationAdmin`, `Team`, `Integration`, `DeployKey`.
    pub actor_type: String,
    /// `always`, `pull_request`, `exempt`.
    #[serde(default)]
    pub bypass_mode: Option<String>,
}

/// Classic branch protection (`GET /repos/{owner}/{repo}/branches/{branch}/protection`).
#[derive(Debug, Clone, Deserialize)]
pub struct ClassicProtection {
    #[serde(default)]
    pub required_status_checks: Option<ClassicChecks>,
    #[serde(default)]
    pub allow_force_pushes: Option<Enabled>,
    #[serde(default)]
    pub allow_deletions: Option<Enabled>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClassicChecks {
    #[serde(default)]
    pub contexts: Vec<String>,
    #[serde(default)]
    pub checks: Vec<ClassicCheck>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClassicCheck {
    pub context: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Enabled {
    pub enabled: bool,
}

/// A deployment environment.
#[derive(Debug, Clone, Deserialize)]
pub struct Environment {
    /// `required_reviewers`, `wait_timer`, `branch_policy`, or a custom app's rule.
    #[serde(default)]
    pub protection_rules: Vec<ProtectionRule>,
    /// `null`: any branch or tag may deploy.
    #[serde(default)]
    pub deployment_branch_policy: Option<BranchPolicy>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProtectionRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub wait_timer: Option<u64>,
    #[serde(default)]
    pub reviewers: Vec<Value>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub struct BranchPolicy {
    /// Only branches protected by branch protection or rule sets may deploy.
    pub protected_branches: bool,
    /// Only the branches and tags of the environment's deployment policies may deploy.
    pub custom_branch_policies: bool,
}

/// A deployment branch or tag policy of an environment: a name pattern (`v*`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct DeploymentPolicy {
    pub id: u64,
    pub name: String,
    /// `branch` or `tag` (absent in older answers: `branch`).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

impl DeploymentPolicy {
    pub fn is_tag(&self) -> bool {
        self.kind.as_deref() == Some("tag")
    }
}

/// The default permissions of the `GITHUB_TOKEN` of the repository's workflows.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowPermissions {
    /// `read` or `write`.
    pub default_workflow_permissions: String,
    #[serde(default)]
    pub can_approve_pull_request_reviews: bool,
}

#[derive(Deserialize)]
struct PoliciesPage {
    #[serde(default)]
    total_count: u64,
    #[serde(default)]
    branch_policies: Vec<DeploymentPolicy>,
}

#[derive(Deserialize)]
struct ValidationErrors {
    #[serde(default)]
    errors: Vec<Value>,
}

impl Client {
    pub fn repository(&self, repo: &RepoName) -> Result<Repository, ApiError> {
        self.json(&format!("/repos/{repo}"), &format!("repository {repo}"))
    }

    /// Every active rule that applies to `branch`, the organisation's included.
    pub fn branch_rules(&self, repo: &RepoName, branch: &str) -> Result<Vec<BranchRule>, ApiError> {
        self.pages(
            &format!("/repos/{repo}/rules/branches/{}", encode(branch)),
            &format!("the rules of branch {branch} of {repo}"),
        )
    }

    /// The rule sets that apply to the repository (`parents`: the organisation's too), summaries only.
    pub fn rulesets(&self, repo: &RepoName, parents: bool) -> Result<Vec<Ruleset>, ApiError> {
        self.pages(
            &format!("/repos/{repo}/rulesets?includes_parents={parents}"),
            &format!("the rule sets of {repo}"),
        )
    }

    /// One rule set, with its conditions, rules and (for a token that may edit it) bypass actors.
    pub fn ruleset(&self, repo: &RepoName, id: u64) -> Result<Ruleset, ApiError> {
        self.json(
            &format!("/repos/{repo}/rulesets/{id}?includes_parents=true"),
            &format!("rule set {id} of {repo}"),
        )
    }

    /// Classic protection of `branch`; `None` when the branch has none.
    pub fn classic_protection(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> Result<Option<ClassicProtection>, ApiError> {
        let what = format!("the classic protection of branch {branch} of {repo}");
        let path = format!("/repos/{repo}/branches/{}/protection", encode(branch));
        let response = self.call(
            &format!("{}{path}", self.api),
            &what,
            API_TIMEOUT,
            MAX_JSON,
            false,
        )?;
        if response.status == 404 && message_of(&response.body) == "Branch not protected" {
            return Ok(None);
        }
        if !(200..300).contains(&response.status) {
            return Err(status_error(&response, &what));
        }
        parse(&response.body, &what).map(Some)
    }

    /// The environment named `name`; `None` when the repository has none by that name.
    pub fn environment(
        &self,
        repo: &RepoName,
        name: &str,
    ) -> Result<Option<Environment>, ApiError> {
        match self.json(
            &format!("/repos/{repo}/environments/{}", encode(name)),
            &format!("environment {name} of {repo}"),
        ) {
            Ok(environment) => Ok(Some(environment)),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The deployment branch and tag policies of environment `name`.
    pub fn deployment_policies(
        &self,
        repo: &RepoName,
        name: &str,
    ) -> Result<Vec<DeploymentPolicy>, ApiError> {
        let what = format!("the deployment policies of environment {name} of {repo}");
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: PoliciesPage = self.json(
                &format!(
                    "/repos/{repo}/environments/{}/deployment-branch-policies?per_page=100&page={page}",
                    encode(name)
                ),
                &what,
            )?;
            let done = batch.branch_policies.len() < 100;
            out.extend(batch.branch_policies);
            if done || out.len() as u64 >= batch.total_count {
                break;
            }
        }
        Ok(out)
    }

    pub fn workflow_permissions(&self, repo: &RepoName) -> Result<WorkflowPermissions, ApiError> {
        self.json(
            &format!("/repos/{repo}/actions/permissions/workflow"),
            &format!("the Actions token permissions of {repo}"),
        )
    }

    /// Send one change: `method` on `path` (below the API root) with a JSON body. The answer's JSON, when it has
    /// a body. A `303 See Other` (a deployment policy that already exists) counts as done. A validation failure
    /// (422) carries GitHub's reasons in its message.
    pub fn write(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        what: &str,
    ) -> Result<Option<Value>, ApiError> {
        let url = format!("{}{path}", self.api);
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::BadAnswer {
            what: what.to_string(),
            why: e.to_string(),
        })?;
        let request = Request {
            url: &url,
            headers: vec![
                ("Accept", "application/vnd.github+json".to_string()),
                ("X-GitHub-Api-Version", "2022-11-28".to_string()),
                ("Content-Type", "application/json".to_string()),
                ("Authorization", format!("Bearer {}", self.token)),
            ],
            timeout: API_TIMEOUT,
            max_bytes: MAX_JSON,
        };
        let response = http::send(&request, method, &bytes).map_err(|e| self.unreachable(&e))?;
        match response.status {
            303 => Ok(None),
            200..=299 if response.body.iter().all(u8::is_ascii_whitespace) => Ok(None),
            200..=299 => parse(&response.body, what).map(Some),
            422 => {
                let reasons = serde_json::from_slice::<ValidationErrors>(&response.body)
                    .map(|v| v.errors)
                    .unwrap_or_default();
                let reasons: Vec<String> = reasons
                    .iter()
                    .map(|r| match r {
                        Value::String(s) => s.clone(),
                        Value::Object(o) => o
                            .get("message")
                            .and_then(Value::as_str)
                            .map_or_else(|| r.to_string(), str::to_string),
                        other => other.to_string(),
                    })
                    .collect();
                let message = message_of(&response.body);
                Err(ApiError::Status {
                    what: what.to_string(),
                    status: 422,
                    message: match (message.is_empty(), reasons.is_empty()) {
                        (true, true) => String::new(),
                        (false, true) => format!(": {message}"),
                        (_, false) => format!(": {message} ({})", reasons.join("; ")),
                    },
                })
            }
            _ => Err(status_error(&response, what)),
        }
    }

    /// Every page of a list answered as a JSON array (100 items a page).
    fn pages<T: DeserializeOwned>(&self, path: &str, what: &str) -> Result<Vec<T>, ApiError> {
        let join = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: Vec<T> =
                self.json(&format!("{path}{join}per_page=100&page={page}"), what)?;
            let done = batch.len() < 100;
            out.extend(batch);
            if done {
                break;
            }
        }
        Ok(out)
    }
}

fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadAnswer {
        what: what.to_string(),
        why: e.to_string(),
    })
}

/// The `message` of an error answer, or nothing.
fn message_of(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}
