//! Release forensics: why a GitHub Actions run failed, read from its log in any form users have (a job log, the
//! logs zip archive, `gh run view --log-failed`, a copy of the web page, or the API), as one [`FailureReport`]
//! per failed job: the step, the telling error line, the exit code, a category, the next action and the local
//! command that reproduces it.
//!
//! Flow: [`input`] detects the form and reads it ([`raw`], [`archive`], [`gh`]) into [`job::Job`]s cut into
//! steps, each keeping the [`facts`] of its environment; [`explain`] picks each job's failed step; [`analyse`]
//! reads the step's output ([`evidence`], [`tools`], [`publish`]) and the command it ran ([`command`]);
//! [`action`] writes the advice; [`render`] prints. [`compare`] puts a run that passed beside one that failed;
//! [`fallback`] explains a release from the repository alone ([`changes`]: what changed since the previous
//! tag). The three report failures as one [`FailureReport`].

pub mod action;
pub mod analyse;
pub mod archive;
pub mod changes;
pub mod command;
pub mod compare;
pub mod evidence;
pub mod facts;
pub mod fallback;
#[cfg(test)]
mod fuzz;
pub mod gh;
pub mod input;
pub mod job;
pub mod line;
pub mod publish;
pub mod raw;
pub mod render;
pub mod tools;

use serde::Serialize;

use self::job::{Job, Step, StepKind};

/// What kind of failure it is: decides the recommended action and the `relgate check --only` that gates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Lint,
    Format,
    Type,
    Test,
    Build,
    /// The file (version) already exists on the package index.
    VersionConflict,
    /// Trusted publishing (OIDC token exchange, `id-token: write`), an invalid or missing API token.
    Auth,
    /// Invalid distribution metadata, a README that does not render.
    Metadata,
    Network,
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Lint => "lint",
            Category::Format => "format",
            Category::Type => "type",
            Category::Test => "test",
            Category::Build => "build",
            Category::VersionConflict => "version-conflict",
            Category::Auth => "auth",
            Category::Metadata => "metadata",
            Category::Network => "network",
            Category::Other => "other",
        }
    }
}

/// Why one job failed (schema in README.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureReport {
    pub workflow_run_id: Option<u64>,
    pub trigger_event: Option<String>,
    pub job: Option<String>,
    pub failed_step: Option<String>,
    /// The most telling line(s): a tool's summary and first finding, the index's refusal.
    pub error_message: String,
    pub exit_code: Option<i32>,
    /// When the step failed, as the runner stamped it.
    pub timestamp: Option<String>,
    /// The step's output around the failure, without timestamps and colour.
    pub logs_excerpt: String,
    pub category: Category,
    pub recommended_action: String,
    /// The local command: the tool command the step ran, or the `relgate check` that gates it.
    pub reproduce: String,
}

/// The form the log came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// One job's log, as `Download log` or the API's job log gives it.
    JobLog,
    /// The run's logs archive (`logs_<run id>.zip`).
    LogsZip,
    /// `gh run view --log-failed` (or `--log`) output.
    GhLog,
    /// Text copied from the web page (no timestamps; `Error: ...` instead of `##[error]`).
    WebCopy,
    /// Downloaded through the GitHub API.
    Api,
    /// No log: the release explained from the repository alone (`ci explain --tag`).
    Repository,
}

impl Form {
    pub fn describe(self) -> &'static str {
        match self {
            Form::JobLog => "job log",
            Form::LogsZip => "logs archive",
            Form::GhLog => "gh run view --log-failed output",
            Form::WebCopy => "log copied from the web page",
            Form::Api => "GitHub API",
            Form::Repository => "from the repository, GitHub not asked",
        }
    }
}

/// A run's log, read.
#[derive(Debug, Clone)]
pub struct RunLog {
    pub form: Form,
    /// What was read: a path, `stdin`, `run 12345`.
    pub source: String,
    pub run_id: Option<u64>,
    pub event: Option<String>,
    pub workflow: Option<String>,
    pub jobs: Vec<Job>,
}

/// Every failed job's report, the first failure first.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub form: Form,
    pub source: String,
    pub workflow: Option<String>,
    pub failures: Vec<FailureReport>,
    /// Jobs cancelled while another failed (a matrix's fail-fast, a concurrency group): not failures of their own.
    pub cancelled_jobs: Vec<String>,
    /// Other failed steps: continue-on-error steps, steps that failed after the first failure.
    pub notes: Vec<String>,
}

/// Explain every failed job of the run.
pub fn explain(log: &RunLog) -> Explanation {
    let mut failures: Vec<(Option<String>, usize, FailureReport)> = Vec::new();
    let mut cancelled = Vec::new();
    let mut notes = Vec::new();
    for (order, job) in log.jobs.iter().enumerate() {
        match outcome(job) {
            Outcome::Failed { step, later } => {
                let report = analyse::analyse(log, job, step);
                for other in later {
                    notes.push(format!(
                        "{}: step \"{}\" failed too, after \"{}\" (a step with continue-on-error, or one that runs after a failure)",
                        job_label(job),
                        other.name,
                        report.failed_step.as_deref().unwrap_or("?")
                    ));
                }
                failures.push((report.timestamp.clone(), order, report));
            }
            Outcome::Cancelled => cancelled.push(job_label(job)),
            Outcome::Passed
                if matches!(job.conclusion.as_deref(), Some("failure" | "timed_out")) =>
            {
                // GitHub says it failed, the log does not say where: say what is known.
                let report = analyse::declared(log, job);
                failures.push((report.timestamp.clone(), order, report));
            }
            Outcome::Passed => {}
        }
    }
    // The first failure first: by the time it failed, then in the log's order.
    failures.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y).then(a.1.cmp(&b.1)),
        _ => a.1.cmp(&b.1),
    });
    let mut failures: Vec<FailureReport> = failures.into_iter().map(|(_, _, r)| r).collect();
    if failures.is_empty() && !cancelled.is_empty() {
        // Only cancelled jobs: the cancellation is all there is to explain.
        for job in log
            .jobs
            .iter()
            .filter(|j| matches!(outcome(j), Outcome::Cancelled))
        {
            failures.push(analyse::cancelled(log, job));
        }
        cancelled.clear();
    }
    Explanation {
        form: log.form,
        source: log.source.clone(),
        workflow: log.workflow.clone(),
        failures,
        cancelled_jobs: cancelled,
        notes,
    }
}

pub fn job_label(job: &Job) -> String {
    job.name.clone().unwrap_or_else(|| "the job".to_string())
}

enum Outcome<'a> {
    Failed {
        step: &'a Step,
        later: Vec<&'a Step>,
    },
    Cancelled,
    Passed,
}

/// A job's first failed step. Post steps count only when nothing else failed (they run after a failure, and
/// their own errors are usually its consequence).
fn outcome(job: &Job) -> Outcome<'_> {
    let declared = |s: &Step| job.failed_steps.contains(&s.name);
    let failed = |s: &&Step| (s.has_error && !only_cancelled(s)) || declared(s);
    let main: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| s.kind != StepKind::Post)
        .filter(failed)
        .collect();
    let post: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Post)
        .filter(failed)
        .collect();
    let chosen = if main.is_empty() { post } else { main };
    if let Some((first, later)) = chosen.split_first() {
        return Outcome::Failed {
            step: first,
            later: later.to_vec(),
        };
    }
    let was_cancelled =
        job.conclusion.as_deref() == Some("cancelled") || job.steps.iter().any(has_cancel_line);
    if was_cancelled {
        Outcome::Cancelled
    } else {
        Outcome::Passed
    }
}

fn has_cancel_line(step: &Step) -> bool {
    step.lines.iter().any(|(_, l)| {
        l.marker == line::Marker::Error && l.text.starts_with("The operation was canceled")
    })
}

/// A step whose only errors are the cancellation of the job.
fn only_cancelled(step: &Step) -> bool {
    let errors: Vec<&str> = step
        .lines
        .iter()
        .filter(|(_, l)| l.marker == line::Marker::Error)
        .map(|(_, l)| l.text.as_str())
        .collect();
    !errors.is_empty()
        && errors
            .iter()
            .all(|t| t.starts_with("The operation was canceled"))
}

#[cfg(test)]
mod tests;
