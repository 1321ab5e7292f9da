//! `publish-environment` and `environment-review`: the deployment environment of the job that uploads to the
//! package index exists on GitHub, lets only release tags (or protected branches) deploy, and (advisory) waits
//! for a reviewer or a timer. A trusted publisher registered with that environment then accepts uploads only
//! from runs GitHub let into it.
//!
//! GitHub creates an environment a workflow names on its first run, without any protection: a job naming
//! `environment: pypi` is protected only once `pypi` is configured.

use super::refs::{NOT_RELEASES, covers_all, fnmatch};
use super::{ENVIRONMENT, EnvironmentState, Expectations, Observed, REVIEW, printable, unreadable};
use crate::gates::publish::jobs::{CiJobs, PublishingJob};
use crate::github::ApiError;
use crate::outcome::{CheckResult, Kind, Status};

/// The environments the publishing jobs name (expressions left out: only a run knows their value).
pub fn names(jobs: &CiJobs) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for job in &jobs.publishing {
        if let Some(name) = job.environment.as_deref().filter(|n| !n.contains("${{")) {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// Why an environment does not hold back a bad release, with the fix; `None` when it does.
enum Verdict {
    Protected(String),
    Unprotected { problem: String, fix: String },
    Unknown(CheckResult),
}

pub fn checks(expect: &Expectations, observed: &Observed) -> [CheckResult; 2] {
    let publishing = &expect.jobs.publishing;
    if publishing.is_empty() {
        let note = "no workflow uploads to a package index: no environment to protect";
        return [
            CheckResult::skipped(ENVIRONMENT, Kind::Publish, note),
            with_advice(CheckResult::skipped(REVIEW, Kind::Publish, note)),
        ];
    }
    let mut passes = Vec::new();
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut unknown: Option<CheckResult> = None;
    let mut review = Vec::new();
    for job in publishing {
        match verdict(expect, observed, job) {
            Verdict::Protected(text) => passes.push(text),
            Verdict::Unprotected { problem, fix } => problems.push((problem, fix)),
            Verdict::Unknown(result) => {
                unknown.get_or_insert(result);
            }
        }
        if let Some(name) = &job.environment {
            if let Some((_, Ok(Some(state)))) =
                observed.environments.iter().find(|(n, _)| n == name)
            {
                review.push((name.clone(), state));
            }
        }
    }
    let publishers: Vec<String> = publishing
        .iter()
        .filter(|j| j.trusted)
        .filter_map(|j| {
            j.environment.as_ref().map(|e| {
                format!(
                    "the trusted publisher on {} must name environment `{}` (and workflow {})",
                    j.index,
                    printable(e),
                    j.workflow.rsplit('/').next().unwrap_or(&j.workflow)
                )
            })
        })
        .collect();
    let main = if let Some((problem, fix)) = problems.first() {
        let mut result = CheckResult::fail(ENVIRONMENT, Kind::Publish, problem.clone());
        result.details.push(format!("fix: {fix}"));
        for (problem, _) in problems.iter().skip(1) {
            result.details.push(problem.clone());
        }
        result.details.extend(publishers);
        result
    } else if let Some(mut result) = unknown {
        result.details.extend(publishers);
        result
    } else {
        let mut result = CheckResult::pass(ENVIRONMENT, Kind::Publish, passes.join("; "));
        result.details.extend(publishers);
        result
    };
    [main, review_check(&review, observed)]
}

fn verdict(expect: &Expectations, observed: &Observed, job: &PublishingJob) -> Verdict {
    let at = format!("job `{}` of {}", printable(&job.job), job.workflow);
    let Some(name) = job.environment.as_deref() else {
        return Verdict::Unprotected {
            problem: format!(
                "{at} uploads to {} without an environment: a run of that workflow from any branch can publish",
                job.index
            ),
            fix: format!(
                "add `environment: pypi` to {at}{}, then `relgate github protect` restricts it to release tags",
                if job.trusted {
                    " and name that environment in the trusted publisher"
                } else {
                    ""
                }
            ),
        };
    };
    let shown = printable(name);
    if name.contains("${{") {
        return Verdict::Unknown(
            CheckResult::error(
                ENVIRONMENT,
                Kind::Publish,
                format!("{at} names its environment with an expression (`{shown}`): only a run knows which environment it is"),
            )
            .detail("fix: name the environment literally (`environment: pypi`)"),
        );
    }
    let state = observed
        .environments
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s);
    let state = match state {
        Some(Ok(Some(state))) => state,
        Some(Ok(None)) => {
            return Verdict::Unprotected {
                problem: format!(
                    "environment `{shown}` ({at}) does not exist on GitHub: the first run creates it without any protection"
                ),
                fix: protect_fix(&shown, expect),
            };
        }
        Some(Err(e)) => {
            return Verdict::Unknown(unreadable(
                ENVIRONMENT,
                &format!("environment `{shown}`"),
                e,
                "Actions: read",
            ));
        }
        None => {
            return Verdict::Unknown(CheckResult::error(
                ENVIRONMENT,
                Kind::Publish,
                format!(
                    "environment `{shown}` was not asked for (a bug in relgate; please report it)"
                ),
            ));
        }
    };
    policy_verdict(expect, state, &shown, &at)
}

fn policy_verdict(
    expect: &Expectations,
    state: &EnvironmentState,
    shown: &str,
    at: &str,
) -> Verdict {
    let Some(policy) = state.environment.deployment_branch_policy else {
        return Verdict::Unprotected {
            problem: format!("environment `{shown}` ({at}) lets any branch or tag deploy"),
            fix: protect_fix(shown, expect),
        };
    };
    if policy.protected_branches {
        return Verdict::Protected(format!(
            "environment `{shown}` ({at}) admits protected branches only"
        ));
    }
    let policies = match &state.policies {
        Ok(p) => p,
        Err(e) => {
            return Verdict::Unknown(unreadable(
                ENVIRONMENT,
                &format!("the deployment policies of environment `{shown}`"),
                e,
                "Actions: read",
            ));
        }
    };
    let manual = format!(
        "in Settings > Environments > {shown} > Deployment branches and tags, keep only tag rules for release tags ({})",
        expect.tag_globs.join(", ")
    );
    let branches: Vec<String> = policies
        .iter()
        .filter(|p| !p.is_tag())
        .map(|p| format!("`{}`", printable(&p.name)))
        .collect();
    if !branches.is_empty() {
        return Verdict::Unprotected {
            problem: format!(
                "environment `{shown}` ({at}) lets branches {} deploy, not only release tags",
                branches.join(", ")
            ),
            fix: manual,
        };
    }
    let wide: Vec<String> = policies
        .iter()
        .filter(|p| NOT_RELEASES.iter().any(|t| fnmatch(&p.name, t)))
        .map(|p| format!("`{}`", printable(&p.name)))
        .collect();
    if !wide.is_empty() {
        return Verdict::Unprotected {
            problem: format!(
                "environment `{shown}` ({at}) admits tags that are no release ({})",
                wide.join(", ")
            ),
            fix: manual,
        };
    }
    let uncovered: Vec<&String> = expect
        .tag_globs
        .iter()
        .zip(&expect.sample_tags)
        .filter(|(_, samples)| {
            !samples.iter().all(|s| {
                policies
                    .iter()
                    .any(|p| covers_all(&p.name, std::slice::from_ref(s)))
            })
        })
        .map(|(g, _)| g)
        .collect();
    if !uncovered.is_empty() {
        // A release run would be refused by the environment: the upload never happens.
        return Verdict::Unprotected {
            problem: format!(
                "environment `{shown}` ({at}) does not admit release tags {}: the release run would be refused",
                uncovered
                    .iter()
                    .map(|g| format!("`{g}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            fix: protect_fix(shown, expect),
        };
    }
    let names: Vec<String> = policies.iter().map(|p| printable(&p.name)).collect();
    Verdict::Protected(format!(
        "environment `{shown}` ({at}) admits release tags only ({})",
        names.join(", ")
    ))
}

fn protect_fix(shown: &str, expect: &Expectations) -> String {
    format!(
        "`relgate github protect` (environment `{shown}`: deployments from tags {} only)",
        expect.tag_globs.join(", ")
    )
}

/// Advisory: someone approves, or a timer leaves time to cancel, before a release run publishes.
fn review_check(review: &[(String, &EnvironmentState)], observed: &Observed) -> CheckResult {
    if review.is_empty() {
        let why = observed
            .environments
            .iter()
            .find_map(|(_, s)| s.as_ref().err())
            .map_or_else(
                || "no publishing environment exists on GitHub yet".to_owned(),
                |e: &ApiError| {
                    format!(
                        "no publishing environment could be read ({})",
                        printable(&e.to_string())
                    )
                },
            );
        return with_advice(CheckResult::skipped(REVIEW, Kind::Publish, why));
    }
    let mut waiting = Vec::new();
    let mut open = Vec::new();
    for (name, state) in review {
        let rules = &state.environment.protection_rules;
        let reviewers = rules
            .iter()
            .any(|r| r.kind == "required_reviewers" && !r.reviewers.is_empty());
        let timer = rules
            .iter()
            .filter(|r| r.kind == "wait_timer")
            .filter_map(|r| r.wait_timer)
            .max()
            .unwrap_or(0);
        match (reviewers, timer) {
            (true, _) => waiting.push(format!(
                "`{}` waits for a required reviewer",
                printable(name)
            )),
            (false, t) if t > 0 => waiting.push(format!("`{}` waits {t} minutes", printable(name))),
            _ => open.push(printable(name)),
        }
    }
    if open.is_empty() {
        return with_advice(CheckResult::pass(REVIEW, Kind::Publish, waiting.join("; ")));
    }
    let mut result = CheckResult::fail(
        REVIEW,
        Kind::Publish,
        format!(
            "environment `{}` has no required reviewers and no wait timer: a release tag publishes at once",
            open.join("`, `")
        ),
    );
    result
        .details
        .push(format!("fix: {}", review_fix(&open[0])));
    with_advice(result)
}

/// How to make a release wait for someone: not something relgate can choose.
pub fn review_fix(shown: &str) -> String {
    format!(
        "Settings > Environments > {shown} > Required reviewers (or a wait timer); not set by `relgate github protect`, which cannot choose your reviewers"
    )
}

/// The review check is advisory: it warns, never fails the audit.
fn with_advice(mut result: CheckResult) -> CheckResult {
    result.required = false;
    if result.status == Status::Error {
        result.status = Status::Fail;
    }
    result
}
