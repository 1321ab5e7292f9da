//! The GitHub audit: do the repository's settings on GitHub stop a bad release from being created there, where
//! local hooks cannot (the web page, a collaborator without hooks, `git push --no-verify`)?
//!
//! Five checks, each a [`CheckResult`] whose first detail is the exact fix:
//! - `default-branch`: rule sets or classic protection require the CI jobs that run the project's quality tools
//!   on pull requests, and block force pushes and deletion;
//! - `release-tags`: an active tag rule set covering the release tag pattern restricts creation, update and
//!   deletion (bypass actors are reported);
//! - `publish-environment`: the environment the publishing job names exists and admits only release tags (or
//!   protected branches); `environment-review` (advisory): it has required reviewers or a wait timer;
//! - `actions-token`: the workflows' `GITHUB_TOKEN` is read-only unless a workflow asks for more.
//!
//! A setting that cannot be read (a 403 without admin rights, a rate limit, no network) is that check's error,
//! never a pass. `relgate github protect` sets what [`remedy`] plans from the same findings.

mod branch;
mod environment;
mod refs;
pub mod remedy;
mod tags;
mod token;

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::config::Config;
use crate::error::Interrupted;
use crate::gates::publish::jobs::{self, CiJobs};
use crate::github::settings::{
    BranchRule, ClassicProtection, DeploymentPolicy, Environment, Repository, Ruleset,
    WorkflowPermissions,
};
use crate::github::{ApiError, Client, RepoName};
use crate::outcome::{CheckResult, Kind, Status};
use crate::tag_format::TagFormat;

/// The advisory check `relgate check` runs when `github-audit = true`.
pub const CHECK: &str = "github";
pub const DEFAULT_BRANCH: &str = "default-branch";
pub const RELEASE_TAGS: &str = "release-tags";
pub const ENVIRONMENT: &str = "publish-environment";
pub const REVIEW: &str = "environment-review";
pub const TOKEN: &str = "actions-token";

/// The names relgate gives the rule sets it creates, so that it recognises its own on the next run.
pub const BRANCH_RULESET: &str = "relgate: default branch";
pub const TAG_RULESET: &str = "relgate: release tags";

/// Versions whose release tags a rule set or deployment policy must cover (plain, short, pre, post and dev
/// releases).
const SAMPLE_VERSIONS: &[&str] = &["1.0.0", "0.1", "2.10.3rc1", "2024.1.post2", "3.0.0.dev4"];

/// What the settings are compared with, from the project's own files.
#[derive(Debug)]
pub struct Expectations {
    /// Release tag name patterns (`v*`), one per form of the tag format.
    pub tag_globs: Vec<String>,
    /// Example release tags, per form.
    pub sample_tags: Vec<Vec<String>>,
    pub jobs: CiJobs,
}

impl Expectations {
    /// The workflows under `root` (the repository's content) and the release tags of `format`.
    pub fn read(root: &Path, format: &TagFormat) -> Expectations {
        let tag_globs = format.globs();
        let sample_tags = (0..tag_globs.len())
            .map(|i| {
                SAMPLE_VERSIONS
                    .iter()
                    .filter_map(|v| format.names_for(v).into_iter().nth(i))
                    .collect()
            })
            .collect();
        Expectations {
            tag_globs,
            sample_tags,
            jobs: jobs::read(root),
        }
    }
}

/// What GitHub answered. Each setting is read on its own, so that one that cannot be read is one check's
/// error.
#[derive(Debug)]
pub struct Observed {
    pub repo: RepoName,
    pub repository: Repository,
    pub branch_rules: Result<Vec<BranchRule>, ApiError>,
    pub classic: Result<Option<ClassicProtection>, ApiError>,
    /// Every rule set that applies to the repository (its organisation's too); tag rule sets with their
    /// details.
    pub rulesets: Result<Vec<Ruleset>, ApiError>,
    /// Each environment a publishing job names: `None` when it does not exist.
    pub environments: Vec<(String, Result<Option<EnvironmentState>, ApiError>)>,
    pub workflow_permissions: Result<WorkflowPermissions, ApiError>,
}

#[derive(Debug)]
pub struct EnvironmentState {
    pub environment: Environment,
    /// Its deployment branch and tag policies (asked only when it has custom policies).
    pub policies: Result<Vec<DeploymentPolicy>, ApiError>,
}

/// Ask GitHub for every setting the audit reads. Only the repository itself failing is an error here (wrong
/// `--repo`, a refused token, no network): after a network failure or a rate limit, the remaining settings are
/// not asked (each gets the same error) so that the audit ends within one timeout.
pub fn observe(
    client: &Client,
    repo: &RepoName,
    expect: &Expectations,
) -> Result<Observed, ApiError> {
    let repository = client.repository(repo)?;
    let mut asker = Asker::default();
    let branch = repository.default_branch.clone();
    let branch_rules = asker.ask(|| client.branch_rules(repo, &branch));
    let classic = asker.ask(|| client.classic_protection(repo, &branch));
    let rulesets = asker.ask(|| {
        let mut all = client.rulesets(repo, true)?;
        for ruleset in &mut all {
            if ruleset.target.as_deref() == Some("tag") || ruleset.name == BRANCH_RULESET {
                *ruleset = client.ruleset(repo, ruleset.id)?;
            }
        }
        Ok(all)
    });
    let mut environments: Vec<(String, Result<Option<EnvironmentState>, ApiError>)> = Vec::new();
    for name in environment::names(&expect.jobs) {
        if environments.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let state = asker.ask(|| {
            let Some(environment) = client.environment(repo, &name)? else {
                return Ok(None);
            };
            let custom = environment
                .deployment_branch_policy
                .is_some_and(|p| p.custom_branch_policies);
            let policies = if custom {
                client.deployment_policies(repo, &name)
            } else {
                Ok(Vec::new())
            };
            Ok(Some(EnvironmentState {
                environment,
                policies,
            }))
        });
        environments.push((name, state));
    }
    let workflow_permissions = asker.ask(|| client.workflow_permissions(repo));
    Ok(Observed {
        repo: repo.clone(),
        repository,
        branch_rules,
        classic,
        rulesets,
        environments,
        workflow_permissions,
    })
}

/// The audit's verdicts, in a fixed order.
pub fn audit(expect: &Expectations, observed: &Observed) -> Vec<CheckResult> {
    let mut out = vec![
        branch::check(expect, observed),
        tags::check(expect, observed),
    ];
    out.extend(environment::checks(expect, observed));
    out.push(token::check(observed));
    for result in &mut out {
        if result.name == DEFAULT_BRANCH || result.name == ENVIRONMENT {
            unknown_workflows(result, &expect.jobs.unreadable);
        }
    }
    out
}

/// A check judged from the workflows' jobs, when some workflow could not be read: the jobs it holds (a quality
/// job to require, a publishing job's environment) are unknown, so a pass or a skip is an error, and a failure
/// says so too.
fn unknown_workflows(result: &mut CheckResult, unreadable: &[String]) {
    let Some(first) = unreadable.first() else {
        return;
    };
    let why = format!(
        "{}: relgate cannot read this workflow, so the jobs it runs are unknown",
        printable(first)
    );
    let more = unreadable.iter().skip(1).map(|u| printable(u));
    if matches!(result.status, Status::Pass | Status::Skipped) {
        let verdict = std::mem::take(&mut result.message);
        result.status = Status::Error;
        result.message = why;
        result.details = std::iter::once(
            "fix: make it a workflow GitHub runs (valid YAML, a `jobs:` map), or remove it"
                .to_owned(),
        )
        .chain(more)
        .chain(std::iter::once(format!("without it: {verdict}")))
        .collect();
    } else {
        result.details.push(why);
        result.details.extend(more);
    }
}

/// `relgate check`'s advisory `github` check: the whole audit of the repository at `root` in one line, the
/// checks that do not pass (with their fixes) under it. Never a required check: GitHub's settings are not part
/// of the released content.
pub fn advisory(client: &Client, repo: &RepoName, root: &Path, format: &TagFormat) -> CheckResult {
    let started = Instant::now();
    let expect = Expectations::read(root, format);
    let mut result = match observe(client, repo, &expect) {
        Err(e) => CheckResult::error(
            CHECK,
            Kind::Publish,
            format!(
                "cannot audit {repo} on GitHub: {}",
                printable(&e.to_string())
            ),
        )
        .detail(format!(
            "fix: {}; or set [tool.relgate] github-audit = false",
            api_hint(&e)
        )),
        Ok(observed) => summarize(repo, &audit(&expect, &observed)),
    };
    result.required = false;
    result.reason = Some("[tool.relgate] github-audit = true".into());
    result.took(started.elapsed())
}

/// Start `relgate check`'s advisory check in its own thread, when `[tool.relgate] github-audit = true`; `None`
/// otherwise, so that the default gate never asks the network. `root` holds the released content (its
/// workflows), `remote` is the `origin` URL. Without a token, with `--offline`, or without a GitHub remote, the
/// check is skipped and says why.
pub fn start(
    config: &Config,
    offline: bool,
    remote: Option<String>,
    root: PathBuf,
    format: TagFormat,
) -> Option<JoinHandle<CheckResult>> {
    if config.github_audit != Some(true) {
        return None;
    }
    let skipped = |why: String| {
        let mut r = CheckResult::skipped(CHECK, Kind::Publish, why);
        r.required = false;
        r
    };
    let api = crate::env::github_api_url().unwrap_or_else(|| crate::github::DEFAULT_API.to_owned());
    let host = crate::github::web_host(&api);
    Some(std::thread::spawn(move || {
        if offline {
            return skipped("--offline: GitHub is not asked".into());
        }
        let Some(repo) = remote
            .as_deref()
            .and_then(|url| RepoName::from_remote(url, &host))
        else {
            return skipped(format!(
                "the `origin` remote is not a repository on {host} (GITHUB_API_URL names another GitHub)"
            ));
        };
        match Client::from_env(&api) {
            Ok(client) => advisory(&client, &repo, &root, &format),
            Err(_) => skipped(
                "no GitHub token (GH_TOKEN or GITHUB_TOKEN): the repository's settings were not audited"
                    .into(),
            ),
        }
    }))
}

/// Wait for the advisory check; Ctrl-C does not wait for it (the API has its own timeout).
pub fn finish(job: JoinHandle<CheckResult>) -> Result<CheckResult, Interrupted> {
    while !job.is_finished() {
        if crate::process::interrupted() {
            return Err(Interrupted);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(job.join().unwrap_or_else(|_| {
        let mut r = CheckResult::error(
            CHECK,
            Kind::Publish,
            "the GitHub audit stopped unexpectedly (a bug in relgate; please report it)",
        );
        r.required = false;
        r
    }))
}

/// One line for the audit: which checks do not pass, their first details (the fix) under it.
fn summarize(repo: &RepoName, checks: &[CheckResult]) -> CheckResult {
    let bad: Vec<&CheckResult> = checks.iter().filter(|c| c.blocks()).collect();
    if bad.is_empty() {
        let warned: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Error))
            .map(|c| c.name.as_str())
            .collect();
        let note = if warned.is_empty() {
            String::new()
        } else {
            format!(" (advisory: {})", warned.join(", "))
        };
        return CheckResult::pass(
            CHECK,
            Kind::Publish,
            format!(
                "{repo} on GitHub: branch, tag, environment and token settings stop a bad release{note}"
            ),
        );
    }
    let status = if bad.iter().any(|c| c.status == Status::Fail) {
        Status::Fail
    } else {
        Status::Error
    };
    let names: Vec<&str> = bad.iter().map(|c| c.name.as_str()).collect();
    let mut result = CheckResult::new(
        CHECK,
        Kind::Publish,
        status,
        format!(
            "{repo} on GitHub: {} do not pass (`relgate github audit` for the details)",
            names.join(", ")
        ),
    );
    result.details.push(
        "fix: `relgate github protect` sets what it can; `relgate github audit` says the rest"
            .into(),
    );
    for check in bad {
        result
            .details
            .push(format!("{}: {}", check.name, check.message));
    }
    result
}

/// The fix for an API error that stopped the whole audit.
pub fn api_hint(err: &ApiError) -> String {
    match err {
        ApiError::NoToken => "set GH_TOKEN to a token that may read the repository (`export GH_TOKEN=$(gh auth token)`)".into(),
        ApiError::Unreachable { .. } => "check the network; for GitHub Enterprise, pass --api-url https://HOST/api/v3".into(),
        ApiError::Unauthorized { .. } => "the token in GH_TOKEN/GITHUB_TOKEN is invalid or expired: set a valid one".into(),
        ApiError::RateLimited { .. } => "wait for the reset, or use another token".into(),
        ApiError::Forbidden { .. } => "use a token that may read the repository (fine-grained: \"Metadata: read\"; classic: `repo` for a private repository)".into(),
        ApiError::NotFound { .. } => "check --repo (OWNER/NAME); a private repository answers 404 to a token that cannot see it".into(),
        ApiError::Gone { .. } | ApiError::Status { .. } | ApiError::BadAnswer { .. } => {
            "try again later; if it persists, report it with the message above".into()
        }
    }
}

/// A check that could not read the setting it judges: an error naming the setting, why, and the permission
/// that reads it.
fn unreadable(name: &str, setting: &str, err: &ApiError, permission: &str) -> CheckResult {
    let why = printable(&err.to_string());
    let fix = match err {
        ApiError::Forbidden { needs, .. } => format!(
            "use a token that may read {setting}: fine-grained \"{permission}\"{}, classic `repo`; or run the audit as a repository admin",
            needs.as_deref().map_or_else(String::new, |n| format!(
                " (GitHub asks for {})",
                printable(n)
            ))
        ),
        other => api_hint(other),
    };
    CheckResult::error(name, Kind::Publish, format!("cannot read {setting}: {why}"))
        .detail(format!("fix: {fix}"))
}

/// Text from GitHub or a workflow file, safe for a terminal: control characters dropped, at most 200
/// characters.
pub fn printable(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).take(201).collect();
    if clean.chars().count() > 200 {
        format!("{}...", clean.chars().take(200).collect::<String>())
    } else {
        clean
    }
}

/// Stops asking after a failure that the next request would meet too (no network, a spent rate limit).
#[derive(Default)]
struct Asker {
    stopped: Option<ApiError>,
}

impl Asker {
    fn ask<T>(&mut self, f: impl FnOnce() -> Result<T, ApiError>) -> Result<T, ApiError> {
        if let Some(stop) = &self.stopped {
            return Err(again(stop));
        }
        let result = f();
        if let Err(e @ (ApiError::Unreachable { .. } | ApiError::RateLimited { .. })) = &result {
            self.stopped = Some(again(e));
        }
        result
    }
}

/// The same failure for a setting that was not asked after it.
fn again(err: &ApiError) -> ApiError {
    match err {
        ApiError::RateLimited { reset } => ApiError::RateLimited {
            reset: reset.clone(),
        },
        ApiError::Unreachable { api, why } => ApiError::Unreachable {
            api: api.clone(),
            why: why.clone(),
        },
        other => ApiError::Status {
            what: "an earlier request".into(),
            status: 0,
            message: format!(": {other}"),
        },
    }
}

#[cfg(test)]
mod tests;
