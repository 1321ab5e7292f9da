//! The workflow jobs that matter on GitHub's side of a release: the ones that run the project's quality tools
//! on pull requests (what the default branch should require before a merge), and the ones that upload to a
//! package index (whose deployment environment should admit only release tags). Read by the GitHub audit with
//! the publish gate's own workflow reading.
//!
//! Glossary: a job's *check run* is what a required status check names: the job's `name:` (else its id), with
//! ` (3.12, ubuntu-latest)` for each run of a matrix whose name does not use the matrix, and `caller / ` before
//! it when another workflow runs it as a reusable workflow.

use std::path::Path;

use super::tools::{AGGREGATORS, is_quality, tools_in_step};
use super::upload::{self, Auth};
use super::workflow::{self, Job, Matrix, Workflow};

/// A job that runs quality tools, as pull requests see it.
#[derive(Debug, Clone)]
pub struct QualityJob {
    /// The workflow file that defines the job, e.g. `.github/workflows/ci.yml`.
    pub workflow: String,
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "messages name the job by its label; the tests by its key"
        )
    )]
    pub job: String,
    /// The tools it runs (`ruff`, `pytest`, `tox`...).
    pub tools: Vec<String>,
    /// How its check runs are named, for messages: `lint`, `test (...)`, `ci / lint`.
    pub label: String,
    /// The exact names of its check runs, when the workflow file tells them (no expression in the name, a
    /// plain matrix); what `relgate github protect` requires.
    pub checks: Option<Vec<String>>,
    /// The base-branch filters of the pull request triggers that run it (an empty filter: every branch).
    pull_requests: Vec<Vec<String>>,
    /// Whether a merge queue runs it (its checks then gate every merge).
    merge_group: bool,
    matcher: Option<regex::Regex>,
}

impl QualityJob {
    /// Whether a required status check called `context` is one of this job's check runs.
    pub fn is_checked_by(&self, context: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(context))
    }

    /// Whether pull requests into `branch` run this job.
    pub fn runs_for(&self, branch: &str) -> bool {
        self.merge_group
            || self
                .pull_requests
                .iter()
                .any(|filter| filter.is_empty() || workflow::matches_filters(filter, branch))
    }
}

/// A job that uploads to a package index.
#[derive(Debug, Clone)]
pub struct PublishingJob {
    /// `.github/workflows/release.yml`
    pub workflow: String,
    pub job: String,
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests read it"))]
    pub line: Option<u32>,
    /// The deployment environment it names, as written (`${{ ... }}` included).
    pub environment: Option<String>,
    /// It authenticates by trusted publishing: the index must register the environment too.
    pub trusted: bool,
    /// `PyPI`, `TestPyPI` or the index's URL.
    pub index: String,
}

/// The jobs of `.github/workflows/*.yml` under `root`, and the files that are not valid workflows.
#[derive(Debug, Default)]
pub struct CiJobs {
    pub quality: Vec<QualityJob>,
    pub publishing: Vec<PublishingJob>,
    /// The workflow files that could not be read or parsed, each with why (the audit's checks that judge the
    /// jobs cannot pass while they are unknown).
    pub unreadable: Vec<String>,
}

/// Read the workflows of the repository whose content is at `root`.
pub fn read(root: &Path) -> CiJobs {
    let mut workflows = Vec::new();
    let mut unreadable = Vec::new();
    let files = match super::read_workflows(root) {
        Ok(files) => files,
        Err(err) => {
            unreadable.push(err.to_string());
            Vec::new()
        }
    };
    for (path, text) in files {
        match workflow::parse(&path, &text) {
            Ok(w) => workflows.push(w),
            Err(reason) => unreadable.push(format!("{path}: {reason}")),
        }
    }
    CiJobs {
        quality: quality_jobs(&workflows),
        publishing: publishing_jobs(&workflows),
        unreadable,
    }
}

fn publishing_jobs(workflows: &[Workflow]) -> Vec<PublishingJob> {
    let mut out: Vec<PublishingJob> = Vec::new();
    for w in workflows {
        for u in upload::on_release(w).0 {
            let Some(job) = w.job(&u.job) else { continue };
            if out.iter().any(|p| p.workflow == w.path && p.job == u.job) {
                continue;
            }
            out.push(PublishingJob {
                workflow: w.path.clone(),
                job: u.job.clone(),
                line: job.line,
                environment: job.environment.clone(),
                trusted: u.auth == Auth::Trusted,
                index: u.index.label(),
            });
        }
    }
    out
}

fn quality_jobs(workflows: &[Workflow]) -> Vec<QualityJob> {
    let mut out = Vec::new();
    for w in workflows {
        for job in &w.jobs {
            let tools = job_tools(job);
            if tools.is_empty() {
                continue;
            }
            // Run directly on pull requests, or as a reusable workflow by a job of a workflow that is.
            let (pull_requests, merge_group) = pull_request_triggers(w);
            if !pull_requests.is_empty() || merge_group {
                out.push(quality_job(
                    w,
                    job,
                    None,
                    tools.clone(),
                    pull_requests,
                    merge_group,
                ));
            }
            for (caller_workflow, caller) in callers(workflows, w) {
                let (pull_requests, merge_group) = pull_request_triggers(caller_workflow);
                if !pull_requests.is_empty() || merge_group {
                    let prefix = caller.name.clone().unwrap_or_else(|| caller.id.clone());
                    out.push(quality_job(
                        w,
                        job,
                        Some(prefix),
                        tools.clone(),
                        pull_requests,
                        merge_group,
                    ));
                }
            }
        }
    }
    out
}

/// The quality tools (and the runners of quality tools: tox, nox, pre-commit) that a job's steps run.
fn job_tools(job: &Job) -> Vec<String> {
    let mut tools: Vec<String> = Vec::new();
    for tool in job.steps.iter().flat_map(tools_in_step) {
        // `make` runs anything; only named tools and their runners say "quality".
        let quality = is_quality(&tool) || (AGGREGATORS.contains(&tool.as_str()) && tool != "make");
        if quality && !tools.contains(&tool) {
            tools.push(tool);
        }
    }
    tools
}

/// The base-branch filters of `w`'s pull request triggers, and whether a merge queue runs it.
fn pull_request_triggers(w: &Workflow) -> (Vec<Vec<String>>, bool) {
    let filters = w
        .triggers
        .iter()
        .filter(|t| matches!(t.event.as_str(), "pull_request" | "pull_request_target"))
        .map(|t| t.branches.clone())
        .collect();
    (filters, w.triggered_by("merge_group"))
}

/// The jobs of other workflows that run `w` as a reusable workflow (`uses: ./.github/workflows/w.yml`).
fn callers<'a>(workflows: &'a [Workflow], w: &'a Workflow) -> Vec<(&'a Workflow, &'a Job)> {
    workflows
        .iter()
        .flat_map(|cw| cw.jobs.iter().map(move |cj| (cw, cj)))
        .filter(|(_, cj)| {
            cj.uses
                .as_deref()
                .and_then(|u| u.strip_prefix("./"))
                .is_some_and(|u| u.split('@').next() == Some(w.path.as_str()))
        })
        .collect()
}

fn quality_job(
    w: &Workflow,
    job: &Job,
    caller: Option<String>,
    tools: Vec<String>,
    pull_requests: Vec<Vec<String>>,
    merge_group: bool,
) -> QualityJob {
    let name = job.name.clone().unwrap_or_else(|| job.id.clone());
    let prefix = caller.map(|c| format!("{c} / ")).unwrap_or_default();
    let expression = name.contains("${{");
    // GitHub adds the matrix values only when the name does not use them.
    let suffixed = job.matrix.is_some() && !expression;
    let label = format!("{prefix}{name}{}", if suffixed { " (...)" } else { "" });
    let checks = if expression || prefix.contains("${{") {
        None
    } else {
        match &job.matrix {
            None => Some(vec![format!("{prefix}{name}")]),
            Some(Matrix::Runs(runs)) => Some(
                runs.iter()
                    .map(|values| format!("{prefix}{name} ({})", values.join(", ")))
                    .collect(),
            ),
            Some(Matrix::Opaque) => None,
        }
    };
    let mut pattern = format!("^{}", regex::escape(&prefix));
    let mut rest = name.as_str();
    // `${{ matrix.python }}` stands for any text.
    while let Some(start) = rest.find("${{") {
        pattern.push_str(&regex::escape(&rest[..start]));
        pattern.push_str(".*");
        rest = rest[start..]
            .find("}}")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    pattern.push_str(&regex::escape(rest));
    if suffixed {
        pattern.push_str(r" \(.*\)");
    }
    pattern.push('$');
    QualityJob {
        workflow: w.path.clone(),
        job: job.id.clone(),
        tools,
        label,
        checks,
        pull_requests,
        merge_group,
        matcher: regex::Regex::new(&pattern).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(files: &[(&str, &str)]) -> CiJobs {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(".github/workflows").join(name), text).unwrap();
        }
        read(dir.path())
    }

    #[test]
    fn quality_jobs_are_named_as_their_check_runs() {
        let jobs = read_text(&[(
            "ci.yml",
            "on:\n  pull_request:\n  push:\n    branches: [main]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n  test:\n    name: Tests\n    strategy:\n      matrix:\n        python: ['3.11', '3.12']\n        os: [ubuntu-latest]\n    steps:\n      - run: python -m pytest\n  docs:\n    steps:\n      - run: make html\n  typed:\n    name: mypy ${{ matrix.python }}\n    strategy:\n      matrix:\n        include: [{python: '3.12'}]\n    steps:\n      - run: mypy src\n",
        )]);
        let summary: Vec<(&str, &str, Option<Vec<String>>)> = jobs
            .quality
            .iter()
            .map(|j| (j.job.as_str(), j.label.as_str(), j.checks.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("lint", "lint", Some(vec!["lint".to_owned()])),
                (
                    "test",
                    "Tests (...)",
                    Some(vec![
                        "Tests (3.11, ubuntu-latest)".to_owned(),
                        "Tests (3.12, ubuntu-latest)".to_owned()
                    ])
                ),
                ("typed", "mypy ${{ matrix.python }}", None),
            ]
        );
        let test = &jobs.quality[1];
        assert!(test.is_checked_by("Tests (3.12, ubuntu-latest)"));
        assert!(!test.is_checked_by("Tests"));
        assert!(jobs.quality[2].is_checked_by("mypy 3.12"));
        assert!(!jobs.quality[0].is_checked_by("lint (3.12)"));
        assert!(jobs.quality[0].runs_for("main"));
    }

    #[test]
    fn reusable_workflows_carry_their_callers_name_and_push_only_workflows_do_not_count() {
        let jobs = read_text(&[
            (
                "checks.yml",
                "on: workflow_call\njobs:\n  lint:\n    steps:\n      - uses: astral-sh/ruff-action@v3\n",
            ),
            (
                "pr.yml",
                "on:\n  pull_request:\n    branches: [develop]\njobs:\n  ci:\n    uses: ./.github/workflows/checks.yml\n",
            ),
            (
                "nightly.yml",
                "on:\n  push:\n    branches: [main]\njobs:\n  test:\n    steps:\n      - run: pytest\n",
            ),
        ]);
        assert_eq!(jobs.quality.len(), 1);
        let lint = &jobs.quality[0];
        assert_eq!(
            (lint.label.as_str(), lint.checks.clone()),
            ("ci / lint", Some(vec!["ci / lint".to_owned()]))
        );
        assert!(lint.runs_for("develop"));
        assert!(!lint.runs_for("main"));
    }

    #[test]
    fn publishing_jobs_with_their_environment() {
        let jobs = read_text(&[(
            "release.yml",
            "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    environment:\n      name: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        )]);
        let p = &jobs.publishing[0];
        assert_eq!(
            (
                p.job.as_str(),
                p.environment.as_deref(),
                p.trusted,
                p.index.as_str(),
                p.line
            ),
            ("publish", Some("pypi"), true, "PyPI", Some(5))
        );
    }
}
