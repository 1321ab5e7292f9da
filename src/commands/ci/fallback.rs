//! `relgate ci explain --tag TAG`: the release explained from the repository alone, for when GitHub cannot be
//! asked (no token, no network, logs expired). Reads the workflows at the tag, runs the checks the release run
//! runs through `relgate check`'s own gate (its selection limited to them), and compares what those steps read
//! with the previous release tag.

use std::collections::BTreeMap;
use std::path::Path;

use crate::Exit;
use crate::cli::Format;
use crate::commands::Output;
use crate::commands::check::{self, Request};
use crate::error::hinted;
use crate::forensics::changes::{self, Files, Versions};
use crate::forensics::command::{self, ToolKind};
use crate::forensics::fallback::{self, ReleaseFacts, ReleaseStep, StepCheck, WorkflowFacts};
use crate::forensics::job::Header;
use crate::forensics::render::github;
use crate::forensics::{Explanation, Form};
use crate::gates::publish::{self, DeclaredStep, ReleaseWorkflow};
use crate::git::{self, CommitId, Repo};
use crate::outcome::Kind;
use crate::release::{ProjectDir, Release};

/// A file read at a tag is skipped past this size.
const MAX_FILE: usize = 4 << 20;
/// Files of one directory read at most.
const MAX_ENTRIES: usize = 200;

/// Exit 0 when a check of the release run fails on the tag's content (the failure is explained), 1 when the
/// tag passes them all.
pub fn run(tag: &str, path: Option<&Path>, out: Output) -> anyhow::Result<Exit> {
    let project = ProjectDir {
        path: path.map(Path::to_path_buf),
        tag_format: None,
    };
    let release = Release::open(project.clone())?;
    let release_tag = release.explicit_tag(tag)?;
    let commit = release_tag.commit;
    let workflow_files = read_dir(&release.repo, commit, ".github/workflows", |name| {
        changes::has_extension(name, &["yml", "yaml"])
    });
    let (workflows, unreadable) =
        publish::release_workflows(&workflow_files.into_iter().collect::<Vec<_>>(), tag);
    if workflows.is_empty() {
        return Err(hinted(
            format!(
                "no workflow in .github/workflows at {tag} ({}) uploads to a package index: nothing publishes this tag from CI",
                git::short(commit)
            ),
            format!(
                "`relgate check --tag {tag}` checks the tag anyway; `relgate ci explain --run RUN_ID` reads a run's log"
            ),
        ));
    }
    let mut notes: Vec<String> = unreadable
        .iter()
        .map(|u| format!("{u}: not a valid workflow, GitHub does not run it either"))
        .collect();
    let mut steps = release_steps(&workflows, tag, &mut notes);
    let tools: Vec<String> = unique(steps.iter().flat_map(|s| s.tools.iter().cloned()));
    let kinds = kinds(&tools);
    let mut failures = Vec::new();
    if kinds.is_empty() {
        notes.push("the publishing jobs run no check relgate can run: nothing was checked".into());
    } else {
        let request = Request {
            project: project.clone(),
            tag: Some(tag.to_string()),
            only: kinds.clone(),
            skip: skipped_tools(&tools, &kinds),
            offline: true,
            ..Request::default()
        };
        let quiet = Output {
            format: Format::Json,
            quiet: true,
            verbose: false,
        };
        let report = check::gate(&request, quiet)?;
        for check in &report.checks {
            for step in steps
                .iter_mut()
                .filter(|s| stands_for(s, &check.name, check.kind))
            {
                step.checks.push(StepCheck {
                    name: check.name.clone(),
                    kind: check.kind,
                    status: check.status,
                    message: check.message.clone(),
                });
            }
        }
        for check in report.checks.iter().filter(|c| c.blocks()) {
            let step = steps
                .iter()
                .find(|s| stands_for(s, &check.name, check.kind));
            let event = step
                .and_then(|s| workflows.iter().find(|w| w.workflow.path == s.workflow))
                .unwrap_or(&workflows[0])
                .event
                .clone();
            failures.push(fallback::report(check, step, &event, tag));
        }
        notes.push(
            "the package index was not asked (GitHub and the network may be out of reach): `relgate check --only index` confirms the version is free".into(),
        );
    }
    let (previous, changes) = since_previous(&release, &release_tag, &tools, &mut notes)?;
    let facts = ReleaseFacts {
        tag: tag.to_string(),
        commit: commit.to_string(),
        previous_tag: previous.as_ref().map(|(name, _)| name.clone()),
        previous_commit: previous.as_ref().map(|(_, c)| c.to_string()),
        workflows: workflows
            .iter()
            .map(|w| WorkflowFacts {
                file: w.workflow.path.clone(),
                name: w.workflow.name.clone(),
                event: w.event.clone(),
                trigger: w.trigger.clone(),
                jobs: w.jobs.clone(),
                uploads: w
                    .workflow
                    .jobs
                    .iter()
                    .flat_map(|j| j.uploads.iter().map(move |u| format!("job `{}` {u}", j.id)))
                    .collect(),
            })
            .collect(),
        steps,
        changes,
    };
    let explanation = Explanation {
        form: Form::Repository,
        source: format!("tag {tag} ({})", git::short(commit)),
        workflow: workflows[0]
            .workflow
            .name
            .clone()
            .or_else(|| Some(workflows[0].workflow.path.clone())),
        failures,
        cancelled_jobs: Vec::new(),
        notes,
    };
    match out.format {
        Format::Json => crate::output::json(&fallback::document(&explanation, &facts))?,
        Format::Github => {
            let mut text = fallback::human(&explanation, &facts, out.quiet);
            github::annotate(&mut text, &explanation);
            crate::output::out(&text);
            crate::output::summary::append(&github::summary(&explanation));
        }
        Format::Human => crate::output::out(&fallback::human(&explanation, &facts, out.quiet)),
    }
    Ok(if explanation.failures.is_empty() {
        Exit::Fail
    } else {
        Exit::Pass
    })
}

/// The publishing jobs' steps (and the jobs they need) that run a quality tool, build or upload, and that
/// their `if:` lets run on the tag.
fn release_steps(
    workflows: &[ReleaseWorkflow],
    tag: &str,
    notes: &mut Vec<String>,
) -> Vec<ReleaseStep> {
    let reference = format!("refs/tags/{tag}");
    let mut out = Vec::new();
    for w in workflows {
        let skipped = |condition: Option<&String>| {
            condition.and_then(|c| publish::runs_on(c, &w.event, &reference)) == Some(false)
        };
        for job in w.workflow.jobs.iter().filter(|j| w.jobs.contains(&j.id)) {
            if skipped(job.condition.as_ref()) {
                notes.push(format!(
                    "{} job `{}` does not run on a {} of {tag} (`if: {}`): its steps were not checked",
                    w.workflow.path,
                    job.id,
                    w.event,
                    job.condition.as_deref().unwrap_or_default()
                ));
                continue;
            }
            for step in &job.steps {
                if skipped(step.condition.as_ref()) {
                    notes.push(format!(
                        "{} job `{}`: step \"{}\" does not run on a {} of {tag} (`if: {}`): not checked",
                        w.workflow.path,
                        job.id,
                        step.label(),
                        w.event,
                        step.condition.as_deref().unwrap_or_default()
                    ));
                    continue;
                }
                let mut tools: Vec<String> = step.tools.clone();
                if builds(step) {
                    tools.push("build".into());
                }
                if step.publishes {
                    tools.push("publish".into());
                }
                for aggregator in tools.iter().filter(|t| publish::is_aggregator(t)) {
                    notes.push(format!(
                        "{} job `{}` runs {aggregator} (step \"{}\"): relgate cannot see what it runs; run it on the tag before pushing it again",
                        w.workflow.path,
                        job.id,
                        step.label()
                    ));
                }
                if tools.is_empty() {
                    continue;
                }
                out.push(ReleaseStep {
                    workflow: w.workflow.path.clone(),
                    job: job.label().to_string(),
                    step: step.label().to_string(),
                    tools,
                    condition: step.condition.clone(),
                    checks: Vec::new(),
                });
            }
        }
    }
    out
}

/// Whether a step builds the distributions (`python -m build`, `uv build`, a build action).
fn builds(step: &DeclaredStep) -> bool {
    let by_script = step.run.as_deref().is_some_and(|run| {
        let lines: Vec<String> = run.lines().map(str::to_string).collect();
        command::invocations(&lines)
            .iter()
            .any(|i| i.kind == ToolKind::Build)
    });
    let by_action = step.uses.as_ref().is_some_and(|uses| {
        let header = Header {
            run: uses.clone(),
            ..Header::default()
        };
        command::from_action(&header).is_some_and(|i| i.kind == ToolKind::Build)
    });
    by_script || by_action
}

/// The kinds of check that stand for the release steps' tools.
fn kinds(tools: &[String]) -> Vec<Kind> {
    let mut kinds = Vec::new();
    for tool in tools {
        let kind = match tool.as_str() {
            "build" => Some(Kind::Build),
            "publish" => Some(Kind::Publish),
            name => crate::tools::by_name(name).map(|t| t.kind),
        };
        if let Some(kind) = kind {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

/// The checks of the selected kinds that the release run does not run: the quality tools it does not run, and
/// `release-checks` (which compares relgate's own selection with the workflow: this selection is the
/// workflow's).
fn skipped_tools(tools: &[String], kinds: &[Kind]) -> Vec<String> {
    crate::tools::CATALOGUE
        .iter()
        .filter(|t| kinds.contains(&t.kind) && !tools.iter().any(|x| x == t.name))
        .map(|t| t.name.to_string())
        .chain(std::iter::once(publish::TOOLS_CHECK.to_string()))
        .collect()
}

/// Whether the check `name` of `kind` stands for the step.
fn stands_for(step: &ReleaseStep, name: &str, kind: Kind) -> bool {
    step.tools.iter().any(|t| match t.as_str() {
        "build" => kind == Kind::Build,
        "publish" => kind == Kind::Publish,
        tool => tool == name,
    })
}

fn unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The previous release tag in the tag's history, and what changed since in what the release steps read.
/// The previous release tag (name and commit), and the changes since.
type SincePrevious = (Option<(String, CommitId)>, Vec<changes::Change>);

fn since_previous(
    release: &Release,
    tag: &crate::gates::version::ReleaseTag,
    tools: &[String],
    notes: &mut Vec<String>,
) -> anyhow::Result<SincePrevious> {
    let Some((name, previous)) = previous_tag(release, tag)? else {
        notes.push(format!(
            "no earlier release tag in the history of {}: nothing to compare with",
            tag.name
        ));
        return Ok((None, Vec::new()));
    };
    let project = project_prefix(release);
    let before = release_files(&release.repo, previous, &project, tools);
    let after = release_files(&release.repo, tag.commit, &project, tools);
    let declared = |commit: CommitId, label: &str| release.declared(Some((commit, label))).ok();
    let (old, new) = (declared(previous, &name), declared(tag.commit, &tag.name));
    let versions = Versions {
        before: old.as_ref().and_then(|d| d.version.clone()),
        after: new.as_ref().and_then(|d| d.version.clone()),
        file: new
            .as_ref()
            .and_then(|d| d.file.clone())
            .map(|f| format!("{project}{f}")),
    };
    let changes = changes::changes(&before, &after, &project, tools, &versions);
    Ok((Some((name, previous)), changes))
}

/// The release tag before `tag` in its history: the highest version below the tag's (the nearest ancestor
/// when versions cannot be read).
fn previous_tag(
    release: &Release,
    tag: &crate::gates::version::ReleaseTag,
) -> anyhow::Result<Option<(String, CommitId)>> {
    let history = release.repo.history(tag.commit)?;
    let mut best: Option<(Option<pep440_rs::Version>, String, CommitId)> = None;
    for candidate in release.repo.tag_refs()? {
        if candidate.name == tag.name {
            continue;
        }
        let Some(commit) = release.repo.tag_commit(&candidate)? else {
            continue;
        };
        if commit == tag.commit || !history.contains(&commit) {
            continue;
        }
        let version = release.format.version_of(&candidate.name);
        if version.is_none() && !release.format.looks_like_release(&candidate.name) {
            continue;
        }
        if let (Some(v), Some(mine)) = (&version, &tag.version) {
            if v >= mine {
                continue;
            }
        }
        let better = match &best {
            None => true,
            Some((best_version, _, _)) => version > *best_version,
        };
        if better {
            best = Some((version, candidate.name.clone(), commit));
        }
    }
    Ok(best.map(|(_, name, commit)| (name, commit)))
}

/// The project's directory in the repository, as a path prefix: `""` or `pkg/`.
fn project_prefix(release: &Release) -> String {
    let sub = release.subdir.to_string_lossy().replace('\\', "/");
    if sub.is_empty() {
        sub
    } else {
        format!("{}/", sub.trim_end_matches('/'))
    }
}

/// The files at `commit` that the release steps read: workflows, the project's configuration, the tools'
/// own files, requirements and lock files.
fn release_files(repo: &Repo, commit: CommitId, project: &str, tools: &[String]) -> Files {
    let mut files = read_dir(repo, commit, ".github/workflows", |name| {
        changes::has_extension(name, &["yml", "yaml"])
    });
    let mut wanted: Vec<String> = ["pyproject.toml", "setup.cfg", "tox.ini"]
        .iter()
        .chain(changes::LOCK_FILES.iter())
        .map(|f| (*f).to_string())
        .collect();
    for tool in tools {
        wanted.extend(
            changes::tool_files(tool)
                .files
                .iter()
                .map(|f| (*f).to_string()),
        );
    }
    for file in wanted {
        let path = format!("{project}{file}");
        if let Some(text) = read(repo, commit, &path) {
            files.insert(path, text);
        }
    }
    let dir = project.trim_end_matches('/');
    files.extend(read_dir(repo, commit, dir, changes::is_requirements));
    let requirements = format!("{project}requirements");
    files.extend(read_dir(repo, commit, &requirements, |name| {
        changes::has_extension(name, &["txt", "in"])
    }));
    files
}

/// The files of directory `dir` at `commit` whose names `keep` accepts, by path.
fn read_dir(repo: &Repo, commit: CommitId, dir: &str, keep: impl Fn(&str) -> bool) -> Files {
    let mut out = BTreeMap::new();
    let entries = repo
        .list_dir(commit, Path::new(dir))
        .ok()
        .flatten()
        .unwrap_or_default();
    for (name, is_dir) in entries.into_iter().take(MAX_ENTRIES) {
        if is_dir || !keep(&name) {
            continue;
        }
        let path = if dir.is_empty() {
            name
        } else {
            format!("{dir}/{name}")
        };
        if let Some(text) = read(repo, commit, &path) {
            out.insert(path, text);
        }
    }
    out
}

fn read(repo: &Repo, commit: CommitId, path: &str) -> Option<String> {
    let bytes = crate::files::read_in_tree(repo, commit, Path::new(path))
        .ok()
        .flatten()?;
    (bytes.len() <= MAX_FILE).then(|| String::from_utf8_lossy(&bytes).into_owned())
}
