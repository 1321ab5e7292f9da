//! The publish gate: the GitHub Actions workflow that uploads to the package index, checked before the tag
//! starts it.
//!
//! Two checks, both of kind `publish`:
//! - `publish-workflow`: which workflow uploads, on which trigger, how it authenticates; for trusted publishing,
//!   that the job's token may request an OIDC token (`id-token: write`), and the exact trusted-publisher fields
//!   to register on the index (the `invalid-publisher` errors of gh-action-pypi-publish #173, #217, #361 are an
//!   owner, workflow file or environment that does not match them).
//! - `release-checks`: quality tools that the publishing job (or a job it `needs`) runs but the local gate does
//!   not: a release run failing on checks the local run skipped is the failure relgate exists to prevent.

mod condition;
mod declared;
#[cfg(test)]
mod fuzz;
pub mod jobs;
mod tools;
mod upload;
mod workflow;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use self::condition::runs_on;
pub use self::declared::{
    DeclaredJob, DeclaredStep, DeclaredWorkflow, ReleaseWorkflow, declare, is_aggregator,
    release_workflows,
};
use self::upload::{Auth, Index, Upload};
use self::workflow::Workflow;
use crate::files;
use crate::gates::GateContext;
use crate::outcome::{CheckResult, Finding, Kind};

pub const WORKFLOW_CHECK: &str = "publish-workflow";
pub const TOOLS_CHECK: &str = "release-checks";

/// Check the publishing workflow. `local_checks` are the names (or commands) of the quality checks relgate runs
/// locally for this release, e.g. `["ruff", "ruff-format", "mypy", "pytest"]`; `tag` is the release tag's name
/// (without it, the names the tag format gives the version).
pub fn check_workflows_for_tag(
    ctx: &GateContext,
    local_checks: &[String],
    tag: Option<&str>,
) -> Vec<CheckResult> {
    let started = Instant::now();
    let tags: Vec<String> = match (tag, ctx.version) {
        (Some(tag), _) => vec![tag.to_owned()],
        (None, Some(version)) => ctx
            .config
            .tag_formats()
            .unwrap_or_else(|| vec!["v{version}".into(), "{version}".into()])
            .iter()
            .map(|f| f.replace("{version}", &version.to_string()))
            .collect(),
        (None, None) => Vec::new(),
    };
    let repo = crate::git::Repo::discover(ctx.local_project_dir).ok();
    let root: PathBuf = match (ctx.workspace, &repo) {
        (Some(ws), _) => ws.root.clone(),
        (None, Some(repo)) => repo.workdir().to_path_buf(),
        (None, None) => ctx.local_project_dir.to_path_buf(),
    };
    let project_dir = ctx
        .workspace
        .map_or(ctx.local_project_dir, |ws| ws.project_dir.as_path());
    let remote = repo.as_ref().and_then(|r| r.remote_url("origin"));
    let read = read_workflows(&root).and_then(|files| {
        tools::configured_tools(&root, project_dir).map(|configured| (files, configured))
    });
    let (files, configured) = match read {
        Ok(read) => read,
        Err(err) => {
            return unreadable(&err, &err.hint())
                .into_iter()
                .map(|r| r.took(started.elapsed()))
                .collect();
        }
    };
    let release = Release {
        remote: remote.as_deref(),
        project: ctx.name,
        tags: &tags,
    };
    let reason = format!(
        "{} workflow file(s) in .github/workflows of {}",
        files.len(),
        if ctx.workspace.is_some_and(|ws| !ws.in_place) {
            "the exported tag"
        } else {
            "the working tree"
        }
    );
    analyze(&files, &release, local_checks, &configured)
        .into_iter()
        .map(|mut r| {
            r.reason = Some(reason.clone());
            r.took(started.elapsed())
        })
        .collect()
}

/// A trusted publisher that a workflow of the tree at `root` would present to the index: the fields to register
/// there, and where the uploading job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// `PyPI`, `TestPyPI`, or the upload URL.
    pub index: String,
    /// From the `origin` remote, when it is on github.com.
    pub owner_repository: Option<(String, String)>,
    /// The workflow's file name.
    pub workflow: String,
    pub environment: Option<String>,
    /// `path:line` and id of the uploading job.
    pub at: String,
    pub job: String,
    /// Whether the job's token may request the OIDC token (`id-token: write`).
    pub id_token: bool,
}

/// The trusted publishers the workflows under `root` would present (for `relgate publish auth` outside
/// GitHub Actions, where the exchange itself cannot be made).
pub fn trusted_publishers(
    root: &Path,
    remote: Option<&str>,
) -> Result<Vec<Presented>, files::ReadError> {
    let files = read_workflows(root)?;
    let workflows: Vec<Workflow> = files
        .iter()
        .filter_map(|(path, text)| workflow::parse(path, text).ok())
        .collect();
    let owner_repository = remote.and_then(github_owner_repo);
    let mut out: Vec<Presented> = Vec::new();
    for w in &workflows {
        for u in upload::on_release(w).0 {
            if u.auth != Auth::Trusted {
                continue;
            }
            let Some(job) = w.job(&u.job) else { continue };
            let perms = w.effective_permissions(job);
            let id_token = perms.is_some_and(workflow::Permissions::grants_id_token)
                || (perms.is_none()
                    && callers(&workflows, w).any(|(cw, cj)| {
                        cw.effective_permissions(cj)
                            .is_some_and(workflow::Permissions::grants_id_token)
                    }));
            let presented = Presented {
                index: u.index.label(),
                owner_repository: owner_repository.clone(),
                workflow: w.file.clone(),
                environment: job.environment.clone(),
                at: job
                    .line
                    .map_or_else(|| w.path.clone(), |l| format!("{}:{l}", w.path)),
                job: u.job.clone(),
                id_token,
            };
            if !out.contains(&presented) {
                out.push(presented);
            }
        }
    }
    Ok(out)
}

/// `(path relative to the root, text)` of every `.github/workflows/*.yml|*.yaml`, sorted by path. A file that
/// cannot be read is an error: it may be the publishing workflow.
fn read_workflows(root: &Path) -> Result<Vec<(String, String)>, files::ReadError> {
    let dir = root.join(".github").join("workflows");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| {
            let ext = Path::new(name).extension().and_then(|e| e.to_str());
            matches!(ext, Some("yml" | "yaml"))
        })
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let path = format!(".github/workflows/{name}");
        if let Some(text) = files::read_text(root, Path::new(&path))? {
            out.push((path, text));
        }
    }
    Ok(out)
}

/// Both checks' error when the workflows (or the files that say which tools the project configures) cannot
/// be read: no verdict is possible.
fn unreadable(err: &impl std::fmt::Display, hint: &str) -> Vec<CheckResult> {
    [WORKFLOW_CHECK, TOOLS_CHECK]
        .into_iter()
        .map(|name| CheckResult::error(name, Kind::Publish, err.to_string()).detail(hint))
        .collect()
}

/// What the workflows are checked against.
struct Release<'a> {
    /// The `origin` remote's URL.
    remote: Option<&'a str>,
    /// The project's normalized name.
    project: Option<&'a str>,
    /// The release tag's possible names (one when the tag is known).
    tags: &'a [String],
}

/// The two verdicts from the workflow texts; pure, so that tests feed it real workflows.
fn analyze(
    files: &[(String, String)],
    release: &Release,
    local_checks: &[String],
    configured: &BTreeSet<String>,
) -> Vec<CheckResult> {
    if files.is_empty() {
        let note =
            "no GitHub Actions workflow (.github/workflows/*.yml): nothing publishes from CI";
        return vec![
            CheckResult::skipped(WORKFLOW_CHECK, Kind::Publish, note),
            CheckResult::skipped(TOOLS_CHECK, Kind::Publish, note),
        ];
    }
    let mut workflows = Vec::new();
    let mut unreadable = Vec::new();
    for (path, text) in files {
        match workflow::parse(path, text) {
            Ok(w) => workflows.push(w),
            Err(err) if err.over_limit => {
                return self::unreadable(
                    &format!("{path}: {}", err.reason),
                    &format!(
                        "{path} is not a workflow GitHub would run either: check what was committed there"
                    ),
                );
            }
            Err(err) => unreadable.push(format!("{path}: {}", err.reason)),
        }
    }
    let mut uploads: Vec<(&Workflow, Upload)> = Vec::new();
    // Uploads that never run on a release (a pull request's job, a branch push's): not this release's
    // publishers, and the tools before them do not gate it.
    let mut never: Vec<String> = Vec::new();
    for w in &workflows {
        let (publishers, elsewhere) = upload::on_release(w);
        uploads.extend(publishers.into_iter().map(|u| (w, u)));
        for (u, why) in elsewhere {
            let at = w
                .job(&u.job)
                .and_then(|j| j.line)
                .map_or_else(|| w.path.clone(), |l| format!("{}:{l}", w.path));
            let line = format!(
                "{at}: job `{}` uploads to {} with {}, but never on a release: {why}",
                u.job,
                u.index.label(),
                u.uploader.label()
            );
            if !never.contains(&line) {
                never.push(line);
            }
        }
    }
    if uploads.is_empty() {
        let (workflow_note, tools_note) = if never.is_empty() {
            (
                "no workflow uploads to a package index (looked for pypa/gh-action-pypi-publish, twine upload, uv publish, poetry/hatch/flit/pdm publish)",
                "no workflow uploads to a package index",
            )
        } else {
            (
                "no workflow uploads to a package index on a release",
                "no workflow uploads to a package index on a release",
            )
        };
        let mut skipped = CheckResult::skipped(WORKFLOW_CHECK, Kind::Publish, workflow_note);
        skipped.details.extend(never.iter().cloned());
        let tools = CheckResult::skipped(TOOLS_CHECK, Kind::Publish, tools_note);
        if !unreadable.is_empty() {
            // The unreadable file may be the publishing workflow; GitHub would not run it either.
            skipped = CheckResult::fail(
                WORKFLOW_CHECK,
                Kind::Publish,
                format!(
                    "{} is not a valid workflow: GitHub will not run it",
                    unreadable[0]
                ),
            );
            skipped.details.extend(unreadable.iter().skip(1).cloned());
        }
        return vec![skipped, tools];
    }
    let mut workflow = workflow_verdict(&workflows, &uploads, &unreadable, release);
    workflow.details.extend(
        never
            .iter()
            .map(|n| format!("  not a publisher of this release: {n}")),
    );
    vec![
        workflow,
        tools::verdict(&workflows, &uploads, local_checks, configured),
    ]
}

/// The jobs of other workflows that call `w` as a reusable workflow (`uses: ./.github/workflows/w.yml`).
fn callers<'a>(
    workflows: &'a [Workflow],
    w: &'a Workflow,
) -> impl Iterator<Item = (&'a Workflow, &'a workflow::Job)> {
    workflows.iter().flat_map(move |cw| {
        cw.jobs
            .iter()
            .filter(move |cj| {
                cj.uses
                    .as_deref()
                    .and_then(|u| u.strip_prefix("./"))
                    .is_some_and(|u| u == w.path)
            })
            .map(move |cj| (cw, cj))
    })
}

fn workflow_verdict(
    workflows: &[Workflow],
    uploads: &[(&Workflow, Upload)],
    unreadable: &[String],
    release: &Release,
) -> CheckResult {
    let publisher = release.remote.and_then(github_owner_repo);
    let publisher = publisher.as_ref();
    let (remote, project) = (release.remote, release.project);
    let mut missed_tag = BTreeSet::new();
    let mut invalid_filters = BTreeSet::new();
    let mut problems: Vec<Finding> = Vec::new();
    let mut details = Vec::new();
    let mut summaries = Vec::new();
    let mut registered = BTreeSet::new();
    for (w, u) in uploads {
        let Some(job) = w.job(&u.job) else { continue };
        let at = job
            .line
            .map_or_else(|| w.path.clone(), |l| format!("{}:{l}", w.path));
        let auth = match &u.auth {
            Auth::Trusted => "trusted publishing".to_owned(),
            Auth::Token(how) => format!("a token ({how})"),
            Auth::Literal(place) => format!("a credential written in the file ({place})"),
            Auth::Unknown => "credentials configured outside the workflow, if any".to_owned(),
        };
        let summary = format!(
            "{at}: job `{}` uploads to {} with {}, using {auth}; runs on {}",
            u.job,
            u.index.label(),
            u.uploader.label(),
            w.describe_triggers()
        );
        details.push(summary);
        summaries.push(format!("{} (job `{}`, {})", w.path, u.job, u.index.label()));
        if let Some(condition) = &job.condition {
            details.push(format!("  only when: {condition}"));
        }
        let mut problem = |message: String, fix: String| {
            problems.push(Finding {
                file: Some(w.path.clone()),
                line: job.line,
                column: None,
                kind: Kind::Publish.as_str().into(),
                severity: "error".into(),
                code: None,
                message,
                fix_suggestion: Some(fix),
            });
        };
        match &u.auth {
            Auth::Trusted => {
                let perms = w.effective_permissions(job);
                // A reusable workflow without its own `permissions:` runs with its caller job's token.
                let caller_grants = perms.is_none()
                    && callers(workflows, w).any(|(cw, cj)| {
                        cw.effective_permissions(cj)
                            .is_some_and(workflow::Permissions::grants_id_token)
                    });
                if !caller_grants && !perms.is_some_and(workflow::Permissions::grants_id_token) {
                    let workflow_grants = w.permissions.as_ref().is_some_and(workflow::Permissions::grants_id_token);
                    let why = if job.permissions.is_some() && workflow_grants {
                        "its own `permissions:` block replaces the workflow's `id-token: write`"
                    } else if perms.is_some() {
                        "its `permissions:` do not include `id-token: write`"
                    } else {
                        "no `permissions:` block grants `id-token: write` (no default does)"
                    };
                    problem(
                        format!(
                            "job `{}` uses trusted publishing but cannot request an OIDC token: {why}",
                            u.job
                        ),
                        format!("add `id-token: write` under `permissions:` of job `{}`", u.job),
                    );
                }
                if w.triggers.iter().all(|t| t.event == "workflow_call") {
                    details.push(format!(
                        "  warning: {} is a reusable workflow; PyPI does not accept reusable workflows as trusted publishers: upload from the calling workflow",
                        w.path
                    ));
                }
                let environment = job.environment.clone();
                if environment.as_deref().is_some_and(|e| e.contains("${{")) {
                    details.push(
                        "  warning: the environment name is an expression; the trusted publisher must name the value it takes on a release run".into(),
                    );
                }
                let key = (u.index.label(), w.file.clone(), environment.clone());
                if registered.insert(key) {
                    details.push(publisher_fields(&u.index, publisher, remote, &w.file, environment.as_deref(), project));
                }
            }
            Auth::Literal(place) => problem(
                format!("an upload credential is written into the workflow file ({place}): anyone who can read the repository can upload"),
                "revoke that token on the index, then use trusted publishing (or `${{ secrets.NAME }}`)".into(),
            ),
            Auth::Unknown => details.push(format!(
                "  warning: {} cannot use trusted publishing and the workflow gives it no credentials; the upload fails unless they are configured elsewhere",
                u.uploader.label()
            )),
            Auth::Token(_) => {}
        }
        let tags = release.tags;
        if !tags.is_empty()
            && tags.iter().all(|t| w.misses_tag(t) == Some(true))
            && missed_tag.insert(w.path.clone())
        {
            let filters: Vec<String> = w
                .triggers
                .iter()
                .filter(|t| t.event == "push")
                .map(|t| {
                    if !t.filter.is_empty() {
                        format!("tags: {}", t.filter.join(", "))
                    } else if !t.tags_ignore.is_empty() {
                        format!("tags-ignore: {}", t.tags_ignore.join(", "))
                    } else {
                        format!("branches only: {}", t.branches.join(", "))
                    }
                })
                .collect();
            problems.push(Finding {
                file: Some(w.path.clone()),
                line: None,
                column: None,
                kind: Kind::Publish.as_str().into(),
                severity: "error".into(),
                code: None,
                message: format!(
                    "pushing {} does not start this workflow ({}): nothing would be published",
                    tags.join(" or "),
                    filters.join("; ")
                ),
                fix_suggestion: Some(format!(
                    "add a pattern matching {} under `on: push: tags:`, or name the tag as the workflow expects (tag-format)",
                    tags[0]
                )),
            });
        }
        // An invalid pattern is said as such: it is never taken for a filter that leaves the tag out.
        for (pattern, why) in w
            .triggers
            .iter()
            .flat_map(workflow::Trigger::invalid_tag_patterns)
        {
            if !tags.is_empty() && invalid_filters.insert((w.path.clone(), pattern.clone())) {
                details.push(format!(
                    "  warning: {}: the tag filter {pattern:?} is not a valid GitHub filter pattern ({why}), so relgate cannot tell whether pushing {} starts this workflow: fix the pattern (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet)",
                    w.path,
                    tags.join(" or ")
                ));
            }
        }
        for (job_id, need) in w.dangling_needs() {
            problems.push(Finding {
                file: Some(w.path.clone()),
                line: w.job(&job_id).and_then(|j| j.line),
                column: None,
                kind: Kind::Publish.as_str().into(),
                severity: "error".into(),
                code: None,
                message: format!(
                    "job `{job_id}` needs `{need}`, which is not a job of this workflow: GitHub will not run it"
                ),
                fix_suggestion: Some(format!("fix the `needs:` of job `{job_id}`")),
            });
        }
    }
    for line in unreadable {
        details.push(format!("  warning: {line} (not a valid workflow)"));
    }
    problems.dedup_by(|a, b| a.message == b.message);
    summaries.dedup();
    let mut result = if problems.is_empty() {
        CheckResult::pass(
            WORKFLOW_CHECK,
            Kind::Publish,
            format!("publishes from {}", summaries.join(", ")),
        )
    } else {
        CheckResult::fail(WORKFLOW_CHECK, Kind::Publish, summarize(&problems))
    };
    // The first detail is the next action (the report's `next:` line); every problem is in `issues`.
    if let Some(fix) = problems.first().and_then(|p| p.fix_suggestion.as_ref()) {
        details.insert(0, format!("fix: {fix}"));
    }
    result.details = details;
    result.issues = problems;
    result
}

/// One line for a failed check: the first problem with its location, and how many more there are.
pub(crate) fn summarize(problems: &[Finding]) -> String {
    let Some(first) = problems.first() else {
        return String::new();
    };
    let at = match (&first.file, first.line) {
        (Some(file), Some(line)) => format!("{file}:{line}: "),
        (Some(file), None) => format!("{file}: "),
        _ => String::new(),
    };
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    format!("{at}{}{more}", first.message)
}

/// The fields of the index's "add a trusted publisher" form, filled in.
fn publisher_fields(
    index: &Index,
    publisher: Option<&(String, String)>,
    remote: Option<&str>,
    file: &str,
    environment: Option<&str>,
    project: Option<&str>,
) -> String {
    let host = match index {
        Index::TestPypi => "https://test.pypi.org",
        _ => "https://pypi.org",
    };
    let page = match project {
        Some(name) => format!("{host}/manage/project/{name}/settings/publishing/"),
        None => format!("{host}/manage/account/publishing/"),
    };
    let (owner, repository) = match publisher {
        Some((owner, repo)) => (owner.clone(), repo.clone()),
        None => {
            let why = match remote {
                Some(url) => format!("(origin {} is not on github.com)", crate::urls::redact(url)),
                None => "(no `origin` remote: use the GitHub owner and repository name)".into(),
            };
            (why.clone(), why)
        }
    };
    let environment = environment.unwrap_or("(none: leave it empty)");
    format!(
        "  trusted publisher to register on {} ({page}): owner = {owner}, repository = {repository}, workflow = {file}, environment = {environment}",
        index.label()
    )
}

/// `(owner, repository)` of a github.com remote URL in any of its forms (https, ssh, scp-like).
fn github_owner_repo(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let rest = if let Some(rest) = url.strip_prefix("git@github.com:") {
        rest
    } else {
        let after_scheme = url.split_once("://")?.1;
        let after_user = after_scheme
            .rsplit_once('@')
            .map_or(after_scheme, |(_, h)| h);
        let (host, path) = after_user.split_once('/')?;
        let host = host.split(':').next().unwrap_or(host);
        if !host.eq_ignore_ascii_case("github.com") {
            return None;
        }
        path
    };
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let (owner, repo) = rest.split_once('/')?;
    if owner.is_empty() || repo.is_empty() || repo.contains('/') {
        return None;
    }
    Some((owner.to_owned(), repo.to_owned()))
}

#[cfg(test)]
mod tests;
