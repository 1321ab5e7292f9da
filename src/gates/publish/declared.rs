//! What a workflow file declares about its runs, for `relgate ci`: jobs with their display names, environments
//! and conditions, steps with their `if:`, the tools they run and how a job uploads; and which workflows a
//! release tag starts (the trigger, the publishing jobs and the jobs they need).
//!
//! A step's title in a job log is `Run <first line of the script>` or `Run owner/action@ref`, whatever its
//! `name:`; the API, the logs archive and `gh` name it by `name:`. Both are kept, so a log's step can be found
//! in the file.

use std::collections::BTreeMap;

use super::tools;
use super::upload::{self, Auth};
use super::workflow::{self, Workflow};

/// A workflow file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredWorkflow {
    /// Relative to the repository root: `.github/workflows/release.yml`.
    pub path: String,
    pub name: Option<String>,
    /// The triggers in words: `tag push (v*); manual (workflow_dispatch)`.
    pub triggers: String,
    pub jobs: Vec<DeclaredJob>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredJob {
    pub id: String,
    pub name: Option<String>,
    /// The deployment environment: the trusted publisher's `environment` claim.
    pub environment: Option<String>,
    pub condition: Option<String>,
    pub needs: Vec<String>,
    pub steps: Vec<DeclaredStep>,
    /// How the job uploads, e.g. `uploads to PyPI with pypa/gh-action-pypi-publish, using trusted publishing`.
    pub uploads: Vec<String>,
    /// Whether an upload of this job exchanges the job's OIDC token (trusted publishing).
    pub trusted_publishing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredStep {
    pub name: Option<String>,
    /// How a job log titles the step: `Run ruff check .`, `Run actions/checkout@v4`.
    pub title: String,
    pub uses: Option<String>,
    /// The script of a `run:` step.
    pub run: Option<String>,
    pub condition: Option<String>,
    /// Whether the step uploads to a package index.
    pub publishes: bool,
    /// The quality tools it runs, in the publish gate's ids (`ruff`, `ruff-format`, `mypy`, `pytest`...).
    pub tools: Vec<String>,
    pub with: BTreeMap<String, String>,
}

impl DeclaredStep {
    /// The name the step is shown by: its `name:`, else its title.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.title)
    }

    /// Whether a step of a log (by its name or title) is this step. `${{ ... }}` in the file matches anything
    /// in the log, where the runner has evaluated it.
    pub fn is(&self, shown: &str) -> bool {
        let shown = shown.trim();
        self.name
            .as_deref()
            .is_some_and(|n| expression_match(n.trim(), shown))
            || expression_match(self.title.trim(), shown)
    }
}

impl DeclaredJob {
    /// Whether a job of a log is this job: by `name:` or id, a matrix job's `id (values)`, or the last part of a
    /// reusable workflow's `caller / job`.
    pub fn is(&self, shown: &str) -> bool {
        let shown = shown.trim();
        let last = shown.rsplit(" / ").next().unwrap_or(shown);
        [shown, last].into_iter().any(|s| {
            s == self.id
                || self.name.as_deref().is_some_and(|n| expression_match(n, s))
                || s.strip_prefix(self.id.as_str())
                    .is_some_and(|rest| rest.starts_with(" (") && rest.ends_with(')'))
        })
    }

    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// A workflow that a release tag starts and that uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseWorkflow {
    pub workflow: DeclaredWorkflow,
    /// The event that starts it on the tag: `push`, `release`, or `workflow_dispatch` when it only runs by hand.
    pub event: String,
    /// That trigger in words: `tag push (v*)`.
    pub trigger: String,
    /// The uploading jobs and every job they need, in the file's order.
    pub jobs: Vec<String>,
}

/// Whether a tool id runs other tools that the workflow does not show (tox, nox, pre-commit, make).
pub fn is_aggregator(tool: &str) -> bool {
    tools::AGGREGATORS.contains(&tool)
}

/// Read one workflow file; the error is a one-line reason.
pub fn declare(path: &str, text: &str) -> Result<DeclaredWorkflow, String> {
    let w = workflow::parse(path, text).map_err(|e| e.reason)?;
    Ok(declared(&w))
}

/// The workflows among `files` (path, text) that upload and that pushing `tag` (or publishing a GitHub release
/// of it) starts; a workflow that uploads but only runs by hand is listed when no other does. Also the files
/// that are not valid workflows, with their reason.
pub fn release_workflows(
    files: &[(String, String)],
    tag: &str,
) -> (Vec<ReleaseWorkflow>, Vec<String>) {
    let mut parsed = Vec::new();
    let mut unreadable = Vec::new();
    for (path, text) in files {
        match workflow::parse(path, text) {
            Ok(w) => parsed.push(w),
            Err(reason) => unreadable.push(format!("{path}: {reason}")),
        }
    }
    let mut started = Vec::new();
    let mut manual = Vec::new();
    for w in &parsed {
        let uploads = upload::on_release(w).0;
        if uploads.is_empty() {
            continue;
        }
        let mut jobs: Vec<String> = Vec::new();
        for u in &uploads {
            for job in w.gating_jobs(&u.job) {
                if !jobs.contains(&job.id) {
                    jobs.push(job.id.clone());
                }
            }
        }
        jobs.sort_by_key(|id| w.jobs.iter().position(|j| &j.id == id));
        let push = w.triggers.iter().find(|t| t.starts_on_tag(tag));
        let release = w.triggers.iter().find(|t| t.event == "release");
        let dispatch = w.triggers.iter().find(|t| t.event == "workflow_dispatch");
        let (event, trigger) = match (push, release, dispatch) {
            (Some(t), _, _) if !t.filter.is_empty() => {
                ("push", format!("tag push ({})", t.filter.join(", ")))
            }
            (Some(_), _, _) => ("push", "every push".to_string()),
            (None, Some(t), _) if t.filter.is_empty() => (
                "release",
                "any activity of a GitHub release of the tag".to_string(),
            ),
            (None, Some(t), _) => (
                "release",
                format!("GitHub release of the tag ({})", t.filter.join(", ")),
            ),
            (None, None, Some(_)) => {
                let missed: Vec<String> = w
                    .triggers
                    .iter()
                    .filter(|t| t.event == "push" && !t.filter.is_empty())
                    .map(|t| t.filter.join(", "))
                    .collect();
                let trigger = if missed.is_empty() {
                    "manual (workflow_dispatch) only".to_string()
                } else {
                    format!(
                        "manual (workflow_dispatch) only: pushing {tag} does not start it (tags: {})",
                        missed.join("; ")
                    )
                };
                ("workflow_dispatch", trigger)
            }
            (None, None, None) => continue,
        };
        let entry = ReleaseWorkflow {
            workflow: declared(w),
            event: event.to_string(),
            trigger,
            jobs,
        };
        if event == "workflow_dispatch" {
            manual.push(entry);
        } else {
            started.push(entry);
        }
    }
    if started.is_empty() {
        started = manual;
    }
    (started, unreadable)
}

fn declared(w: &Workflow) -> DeclaredWorkflow {
    let mut uploads = upload::find_uploads(w);
    uploads.extend(upload::find_script_uploads(w));
    let jobs = w
        .jobs
        .iter()
        .map(|job| {
            let mine: Vec<&upload::Upload> = uploads.iter().filter(|u| u.job == job.id).collect();
            let describe = |u: &upload::Upload| {
                let auth = match &u.auth {
                    Auth::Trusted => "trusted publishing".to_string(),
                    Auth::Token(how) => format!("a token ({how})"),
                    Auth::Literal(place) => format!("a credential written in the file ({place})"),
                    Auth::Unknown => "credentials configured outside the workflow".to_string(),
                };
                format!(
                    "uploads to {} with {}, using {auth}",
                    u.index.label(),
                    u.uploader.label()
                )
            };
            DeclaredJob {
                id: job.id.clone(),
                name: job.name.clone(),
                environment: job.environment.clone(),
                condition: job.condition.clone(),
                needs: job.needs.clone(),
                steps: job
                    .steps
                    .iter()
                    .map(|s| DeclaredStep {
                        name: s.name.clone(),
                        title: title(s),
                        uses: s.uses.clone(),
                        run: s.run.clone(),
                        condition: s.condition.clone(),
                        publishes: mine.iter().any(|u| u.step == s.label()),
                        tools: tools::tools_in_step(s),
                        with: s.with.clone(),
                    })
                    .collect(),
                uploads: mine.iter().map(|u| describe(u)).collect(),
                trusted_publishing: mine.iter().any(|u| u.auth == Auth::Trusted),
            }
        })
        .collect();
    DeclaredWorkflow {
        path: w.path.clone(),
        name: w.name.clone(),
        triggers: w.describe_triggers(),
        jobs,
    }
}

/// `Run <first line>` or `Run owner/action@ref`, as the runner titles the step in a job log.
fn title(step: &workflow::Step) -> String {
    if let Some(uses) = &step.uses {
        return format!("Run {uses}");
    }
    let first = step
        .run
        .as_deref()
        .and_then(|r| r.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    format!("Run {first}")
}

/// Whether `shown` (from a log) matches `declared` (from the file), where each `${{ ... }}` of the file stands
/// for any text.
fn expression_match(declared: &str, shown: &str) -> bool {
    if !declared.contains("${{") {
        return declared == shown;
    }
    let mut parts = Vec::new();
    let mut rest = declared;
    while let Some(start) = rest.find("${{") {
        parts.push(&rest[..start]);
        rest = match rest[start..].find("}}") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    parts.push(rest);
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !shown.starts_with(first) || shown.len() < first.len() + last.len() || !shown.ends_with(last)
    {
        return false;
    }
    let mut middle = &shown[first.len()..shown.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match middle.find(part) {
            Some(at) => middle = &middle[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELEASE: &str = "\
name: Release
on:
  push:
    tags: ['v*']
  workflow_dispatch:
jobs:
  build:
    name: Build and check
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: ruff check .
      - name: Type check
        if: github.event_name == 'push'
        run: |
          mypy src
      - run: python -m build
  publish:
    needs: build
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";

    #[test]
    fn steps_with_conditions_titles_and_tools() {
        let w = declare(".github/workflows/release.yml", RELEASE).unwrap();
        let build = &w.jobs[0];
        assert!(build.is("Build and check"));
        assert!(!build.is("publish"));
        let shown: Vec<(&str, &str, Option<&str>, Vec<String>)> = build
            .steps
            .iter()
            .map(|s| {
                (
                    s.label(),
                    s.title.as_str(),
                    s.condition.as_deref(),
                    s.tools.clone(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "Run actions/checkout@v4",
                    "Run actions/checkout@v4",
                    None,
                    vec![]
                ),
                ("Lint", "Run ruff check .", None, vec!["ruff".to_string()]),
                (
                    "Type check",
                    "Run mypy src",
                    Some("github.event_name == 'push'"),
                    vec!["mypy".to_string()]
                ),
                ("Run python -m build", "Run python -m build", None, vec![]),
            ]
        );
        assert!(build.steps[2].is("Run mypy src") && build.steps[2].is("Type check"));
        let publish = &w.jobs[1];
        assert_eq!(
            (
                publish.environment.as_deref(),
                publish.trusted_publishing,
                publish.uploads.clone()
            ),
            (
                Some("pypi"),
                true,
                vec![
                    "uploads to PyPI with pypa/gh-action-pypi-publish, using trusted publishing"
                        .to_string()
                ]
            )
        );
    }

    #[test]
    fn the_workflows_a_tag_starts() {
        let files = vec![
            (
                ".github/workflows/release.yml".to_string(),
                RELEASE.to_string(),
            ),
            (
                ".github/workflows/ci.yml".to_string(),
                "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n".to_string(),
            ),
            (
                ".github/workflows/bad.yml".to_string(),
                "on: [push\n".to_string(),
            ),
        ];
        let (found, unreadable) = release_workflows(&files, "v1.4.0");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (
                found[0].event.as_str(),
                found[0].trigger.as_str(),
                found[0].jobs.clone()
            ),
            (
                "push",
                "tag push (v*)",
                vec!["build".to_string(), "publish".to_string()]
            )
        );
        assert_eq!(unreadable.len(), 1);
        let (manual, _) = release_workflows(&files, "1.4.0");
        assert_eq!(
            (manual[0].event.as_str(), manual[0].trigger.as_str()),
            (
                "workflow_dispatch",
                "manual (workflow_dispatch) only: pushing 1.4.0 does not start it (tags: v*)"
            )
        );
    }

    #[test]
    fn expressions_match_what_the_runner_evaluated() {
        assert!(expression_match(
            "Run pip install mypy==${{ env.MYPY }} ruff",
            "Run pip install mypy==1.15 ruff"
        ));
        assert!(expression_match(
            "test (${{ matrix.python }})",
            "test (3.12)"
        ));
        assert!(!expression_match("Run ${{ x }} a", "Run b"));
        assert!(!expression_match("Run a", "Run b"));
        let job = DeclaredJob {
            id: "test".into(),
            name: None,
            environment: None,
            condition: None,
            needs: Vec::new(),
            steps: Vec::new(),
            uploads: Vec::new(),
            trusted_publishing: false,
        };
        assert!(job.is("test (3.12, ubuntu-latest)"));
        assert!(job.is("release / test"));
        assert!(!job.is("tests"));
    }
}
