//! `relgate ci compare`: why a run failed when another passed ("it works when I run the workflow by hand, and
//! fails on the release"). Two runs' logs, side by side: what started each and on what, their jobs and steps
//! (a step skipped by an `if:` leaves no trace in a log: the workflow file at the run's commit names the
//! condition), the first step whose outcome differs, what differs in the environment of the steps that matter,
//! and a conclusion: the difference that explains the failure and the local command that checks it.
//!
//! Glossary: the *good* run passed (or got further), the *bad* run failed; a *row* is one step of one job as
//! one run shows it; a side is *partial* when its log holds only the failed steps (`gh run view --log-failed`).

mod align;
mod conclusion;
mod environment;
pub mod render;

use serde::Serialize;

use self::align::{JobView, Pair};
use super::{Category, FailureReport, Form, RunLog};
use crate::gates::publish::DeclaredWorkflow;

/// One run, as the command gathered it.
pub struct Side<'a> {
    pub log: &'a RunLog,
    /// What the API says of the run, when it was asked.
    pub api: Option<ApiRun>,
    /// The workflow file at the run's commit, when the local repository has it.
    pub workflow: Option<DeclaredWorkflow>,
    /// The commit the workflow file was read at.
    pub workflow_read_at: Option<String>,
}

/// The API's word on a run.
#[derive(Debug, Clone, Default)]
pub struct ApiRun {
    pub event: String,
    /// `.github/workflows/release.yml`
    pub path: Option<String>,
    pub head_sha: Option<String>,
}

/// The comparison (schema in README.md).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub good: RunSummary,
    pub bad: RunSummary,
    pub jobs: Vec<JobComparison>,
    pub first_difference: Option<StepComparison>,
    pub environment: Vec<EnvDifference>,
    /// The bad run's failures, as `relgate ci explain` reports them.
    pub failures: Vec<FailureReport>,
    pub conclusion: Option<Conclusion>,
    pub notes: Vec<String>,
}

/// What started a run, and on what.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub source: String,
    pub form: Form,
    pub run_id: Option<u64>,
    /// The event that started it (from the API).
    pub event: Option<String>,
    /// The workflow's name.
    pub workflow: Option<String>,
    /// `.github/workflows/release.yml`: from the API, the token's claims, or the local file whose steps match.
    pub workflow_file: Option<String>,
    /// The commit the API says the run's workflow file was read at.
    pub workflow_commit: Option<String>,
    /// The ref `actions/checkout` checked out: `refs/tags/v1.4.0`, `refs/heads/main`.
    pub checkout_ref: Option<String>,
    pub checkout_commit: Option<String>,
    pub runner_image: Option<String>,
    pub runner_image_version: Option<String>,
    pub runner_version: Option<String>,
    /// `failed` or `passed`, as the log shows it.
    pub outcome: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobComparison {
    pub job: String,
    /// Whether the job is in each run's log.
    pub good: bool,
    pub bad: bool,
    pub steps: Vec<StepComparison>,
}

/// One step in both runs.
#[derive(Debug, Clone, Serialize)]
pub struct StepComparison {
    pub job: String,
    pub step: String,
    pub good: StepOutcome,
    pub bad: StepOutcome,
    /// Why the step did not run in the good run: skipped by its `if:`, an earlier step failed, not in the
    /// workflow file at the run's commit.
    pub good_reason: Option<String>,
    pub bad_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    Passed,
    Failed,
    Cancelled,
    /// The API says the step was skipped.
    Skipped,
    /// No trace of the step in the log.
    Absent,
}

impl StepOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Passed => "passed",
            StepOutcome::Failed => "failed",
            StepOutcome::Cancelled => "cancelled",
            StepOutcome::Skipped => "skipped",
            StepOutcome::Absent => "absent",
        }
    }

    /// Whether the step ran at all.
    pub fn ran(self) -> bool {
        !matches!(self, StepOutcome::Skipped | StepOutcome::Absent)
    }
}

/// One difference in what the steps that matter ran with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvDifference {
    pub job: Option<String>,
    pub step: Option<String>,
    pub kind: EnvKind,
    pub name: String,
    /// `(none)` when the run positively has none; null when its log does not say.
    pub good: Option<String>,
    pub bad: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvKind {
    /// The runner's image and version.
    Runner,
    /// The `GITHUB_TOKEN`'s permissions.
    Permission,
    /// The Python set up.
    Python,
    /// An installed package's version.
    Package,
    /// A variable of the step's `env:`.
    Env,
    /// An input (`with:`) of the step's action.
    Input,
    /// A claim of the OIDC token that trusted publishing exchanges.
    Claim,
}

impl EnvKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvKind::Runner => "runner",
            EnvKind::Permission => "permission",
            EnvKind::Python => "python",
            EnvKind::Package => "package",
            EnvKind::Env => "env",
            EnvKind::Input => "input",
            EnvKind::Claim => "claim",
        }
    }
}

/// The difference that explains the failure, and the local command that checks it before the next release.
#[derive(Debug, Clone, Serialize)]
pub struct Conclusion {
    pub cause: String,
    pub check: String,
    pub category: Category,
}

/// Compare the good run with the bad one.
pub fn compare(good: &Side, bad: &Side) -> Comparison {
    let mut notes = Vec::new();
    let good_views = align::views(good, &mut notes);
    let bad_views = align::views(bad, &mut notes);
    for (side, name) in [(good, "good"), (bad, "bad")] {
        if align::partial(side.log) {
            notes.push(format!(
                "the {name} run's log holds only its failed steps (`gh run view --log-failed`): a step missing from it may have run; `gh run view RUN_ID --log` holds every step"
            ));
        }
    }
    let pairs = align::pair_jobs(&good_views, &bad_views);
    let explanation = super::explain(bad.log);
    let failures = explanation.failures;
    notes.extend(explanation.notes);
    let jobs: Vec<JobComparison> = pairs.iter().map(Pair::comparison).collect();
    let first_difference = first_difference(&pairs, good.log, bad.log);
    let failure = failures.first();
    let failed_pair = failure.and_then(|f| align::pair_of(&pairs, f));
    let environment = failed_pair.map_or_else(Vec::new, |(pair, row)| {
        environment::differences(pair, row, good, bad, failure)
    });
    let conclusion = failure.map(|f| conclusion::conclude(f, failed_pair, &environment, good, bad));
    let good_failed = !super::explain(good.log).failures.is_empty();
    if good_failed {
        notes.push(format!(
            "the good run ({}) failed too: compare with a run that passed",
            good.log.source
        ));
    }
    let mut seen = std::collections::HashSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    Comparison {
        good: summary(good, &good_views, good_failed, failures.first()),
        bad: summary(bad, &bad_views, !failures.is_empty(), failures.first()),
        jobs,
        first_difference,
        environment,
        failures,
        conclusion,
        notes,
    }
}

/// The first step, in the bad run's order, that ran in one run and not the other, or ended otherwise.
fn first_difference(pairs: &[Pair], good: &RunLog, bad: &RunLog) -> Option<StepComparison> {
    let (good_partial, bad_partial) = (align::partial(good), align::partial(bad));
    pairs.iter().flat_map(|p| p.comparison().steps).find(|s| {
        let unknown = (good_partial && s.good == StepOutcome::Absent)
            || (bad_partial && s.bad == StepOutcome::Absent);
        let same = s.good == s.bad || (!s.good.ran() && !s.bad.ran());
        !unknown && !same
    })
}

fn summary(
    side: &Side,
    views: &[JobView],
    failed: bool,
    failure: Option<&FailureReport>,
) -> RunSummary {
    // The failed job's facts first: that is the job that matters.
    let failed_job = failure.and_then(|f| f.job.as_deref());
    let mut ordered: Vec<&JobView> = views.iter().collect();
    ordered.sort_by_key(|v| Some(v.name.as_str()) != failed_job);
    let fact = |get: &dyn Fn(&super::facts::Facts) -> Option<String>| {
        ordered
            .iter()
            .filter_map(|v| v.job)
            .flat_map(|j| j.steps.iter())
            .find_map(|s| get(&s.facts))
    };
    let claims_file = fact(&|f| {
        f.claims
            .iter()
            .find(|(k, _)| k == "job_workflow_ref")
            .and_then(|(_, v)| workflow_path(v))
    });
    let api = side.api.as_ref();
    RunSummary {
        source: side.log.source.clone(),
        form: side.log.form,
        run_id: side.log.run_id,
        event: api
            .map(|a| a.event.clone())
            .or_else(|| side.log.event.clone()),
        workflow: side.log.workflow.clone(),
        workflow_file: api
            .and_then(|a| a.path.clone())
            .or(claims_file)
            .or_else(|| side.workflow.as_ref().map(|w| w.path.clone())),
        workflow_commit: api.and_then(|a| a.head_sha.clone()),
        checkout_ref: fact(&|f| f.checkout_ref.clone()),
        checkout_commit: fact(&|f| f.checkout_commit.clone()),
        runner_image: fact(&|f| f.image.clone()),
        runner_image_version: fact(&|f| f.image_version.clone()),
        runner_version: fact(&|f| f.runner_version.clone()),
        outcome: if failed { "failed" } else { "passed" },
    }
}

/// `acme/demo/.github/workflows/release.yml@refs/tags/v1.4.0` -> `.github/workflows/release.yml`.
pub fn workflow_path(workflow_ref: &str) -> Option<String> {
    let path = workflow_ref.split('@').next()?;
    let at = path.find("/.github/workflows/")?;
    Some(path[at + 1..].to_string())
}

/// The local command that checks a category of failure before the next release.
pub fn check_command(category: Category) -> &'static str {
    match category {
        Category::Auth => "relgate publish auth",
        other => super::action::gate(other),
    }
}

#[cfg(test)]
mod tests;
