//! `relgate check`: resolve the release, run every selected gate, report.

use std::time::Duration;

use crate::Exit;
use crate::cache::PassRecord;
use crate::cli::{CheckArgs, Format};
use crate::commands::Output;
use crate::config::Isolation;
use crate::error::{Interrupted, hinted};
use crate::gates::custom::{self, CustomCheck, ToolEnv};
use crate::gates::index;
use crate::gates::quality::{self, PlannedCheck};
use crate::gates::version::{self, ReleaseTag, VersionInput};
use crate::gates::{GateContext, Selection, Workspace};
use crate::gates::{build, metadata, publish};
use crate::git::{self, CommitId};
use crate::outcome::{CheckResult, Kind, Status};
use crate::process;
use crate::release::Release;
use crate::report::{self, ProjectInfo, Report, TagInfo, WorkspaceInfo};
use crate::runner::{self, Job, Progress};
use crate::term;

pub fn run(args: &CheckArgs, out: Output) -> anyhow::Result<Exit> {
    if args.list {
        return super::list::run(args, out);
    }
    let report = gate(args, out)?;
    report::print(&report, out.format, out.verbose, out.quiet)?;
    Ok(report.exit())
}

/// Run the gate for one release and build its report (shared with the hooks, which pass `--tag`).
pub fn gate(args: &CheckArgs, out: Output) -> anyhow::Result<Report> {
    process::watch_interrupts();
    process::set_verbose(out.verbose);
    if args.jobs == Some(0) {
        return Err(hinted(
            "-j 0: at least one check must run at a time",
            "pass -j 1 or more, or leave -j out to run as many checks at once as there are cores",
        ));
    }
    let release = Release::open(&args.project)?;
    // The hooks pin the commit git is pushing or tagging; otherwise HEAD.
    let head = match args.commit {
        Some(commit) => commit,
        None => release.require_head()?,
    };
    let all_tags = release.repo.tag_refs()?;
    let selection = Selection::new(args, &release.config);
    let custom: Vec<CustomCheck> = custom::plan(&release.config)?
        .into_iter()
        .filter(|c| selection.check(&c.name, c.kind))
        .collect();

    let (tag, others) = match &args.tag {
        Some(name) => {
            let tag = match args.commit {
                Some(commit) => release.pinned_tag(name, commit),
                None => release.explicit_tag(name)?,
            };
            (Some(tag), Vec::new())
        }
        None => {
            let mut at_head = release.tags_at(&all_tags, head);
            let first = (!at_head.is_empty()).then(|| at_head.remove(0));
            (first, at_head)
        }
    };
    let declared = release.declared(tag.as_ref().map(|t| (t.commit, t.name.as_str())))?;
    let declared_result = Ok(declared.clone());
    let outcome = version::check(&VersionInput {
        repo: &release.repo,
        declared: &declared_result,
        tag: tag.as_ref(),
        base: Some(tag.as_ref().map_or(head, |t| t.commit)),
        format: &release.format,
        config: &release.config,
        all_tags: &all_tags,
    });
    let mut checks: Vec<CheckResult> = outcome
        .checks
        .into_iter()
        .filter(|c| selection.check(&c.name, c.kind))
        .collect();
    if let Some(check) = several_tags(tag.as_ref(), &others) {
        if selection.check(&check.name, check.kind) {
            checks.push(check);
        }
    }

    // The index is asked in its own thread while the other checks run: it adds nothing to the wall time.
    let index_settings = index::settings(args.index_url.as_deref(), args.offline, &release.config);
    let index_job = if selection.check("index", Kind::Index) {
        if index_settings.asks() {
            index_settings.validate()?;
        }
        let (name, version) = (declared.name.clone(), outcome.release.clone());
        Some(std::thread::spawn(move || {
            index::gate(name.as_deref(), version.as_ref(), &index_settings)
        }))
    } else {
        None
    };
    let index_position = checks.len();

    let (workspace, workspace_info, tree) = if selection.needs_files() || !custom.is_empty() {
        prepare_workspace(&release, tag.as_ref(), head, args.commit)?
    } else {
        (
            None,
            WorkspaceInfo {
                mode: "none",
                note: Some("no check that reads the project's files was selected".into()),
            },
            None,
        )
    };
    let ctx = GateContext {
        config: &release.config,
        local_project_dir: &release.project_dir,
        git_common_dir: release.repo.common_dir(),
        workspace: workspace.as_ref(),
        name: declared.name.as_deref(),
        version: outcome.release.as_ref(),
    };
    let quality = quality::plan(&ctx, &selection)?;
    let tag_name = tag.as_ref().map(|t| t.name.as_str());
    let record = tree
        .filter(|_| !args.no_cache && release.config.use_cache())
        .map(|tree| {
            PassRecord::new(
                release.repo.common_dir(),
                tree,
                &release.subdir,
                &release.config,
            )
        });
    let settings = runner::Settings {
        jobs: runner::concurrency(args.jobs, release.config.jobs),
        fail_fast: args.fail_fast,
        progress: progress(out),
        failed_before: checks.iter().find(|c| c.blocks()).map(|c| c.name.clone()),
    };
    let plan = FilePlan {
        selection: &selection,
        workspace: &workspace_info,
        tag: tag_name,
        custom: &custom,
        quality: &quality,
    };
    checks.extend(file_gates(&ctx, &plan, &settings, record.as_ref())?);
    let mut validation = outcome.validation;
    if let Some(job) = index_job {
        // The index has its own timeout; Ctrl-C does not wait for it.
        while !job.is_finished() {
            if process::interrupted() {
                return Err(Interrupted.into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let verdict = job.join().unwrap_or_else(|_| index::IndexVerdict {
            result: CheckResult::error(
                "index",
                Kind::Index,
                "the index check stopped unexpectedly (a bug in relgate; please report it)",
            ),
            conflict: false,
        });
        validation.pypi_conflict = verdict.conflict;
        checks.insert(index_position, verdict.result);
    }

    let report = Report {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status: "pass",
        project: ProjectInfo {
            name: declared.name.clone(),
            version: declared
                .version
                .clone()
                .or_else(|| outcome.release.as_ref().map(ToString::to_string)),
            version_source: Some(declared.source.as_str()),
            file: declared.file.clone(),
            line: declared.line,
        },
        tag: tag.as_ref().map(|t| TagInfo {
            name: t.name.clone(),
            version: t.version.as_ref().map(ToString::to_string),
            commit: t.commit.to_string(),
        }),
        workspace: workspace_info,
        checks,
        version_validation: validation,
    };
    if process::interrupted() {
        return Err(Interrupted.into());
    }
    Ok(report.finish())
}

/// Progress on stderr: redrawn in place on a terminal, a line per check otherwise (and with `-v`, whose command
/// lines would break a redrawn line), nothing under `-q` or `--format json`.
fn progress(out: Output) -> Progress {
    if out.quiet || out.format == Format::Json {
        Progress::Silent
    } else if out.verbose || !term::stderr_is_terminal() {
        Progress::Lines
    } else {
        Progress::Live
    }
}

/// What the file-based checks of this run are.
struct FilePlan<'a> {
    selection: &'a Selection,
    workspace: &'a WorkspaceInfo,
    tag: Option<&'a str>,
    custom: &'a [CustomCheck],
    /// The project's own linters, formatters, type checkers and tests.
    quality: &'a [PlannedCheck],
}

/// The checks that read the project's files, run in parallel by the runner. When the working tree is not the
/// released content and isolation is refused, each is reported as an error instead of running on other code.
fn file_gates(
    ctx: &GateContext,
    plan: &FilePlan,
    settings: &runner::Settings,
    record: Option<&PassRecord>,
) -> Result<Vec<CheckResult>, Interrupted> {
    let (selection, workspace) = (plan.selection, plan.workspace);
    if ctx.workspace.is_none() && workspace.mode == "refused" {
        let mut refused = CheckResult::error(
            "workspace",
            Kind::Test,
            format!(
                "the project's checks were not run: {}",
                workspace
                    .note
                    .as_deref()
                    .unwrap_or("the working tree is not the tagged content")
            ),
        );
        refused.details.push(
            "check out the tag with a clean tree (git switch --detach TAG), or set [tool.relgate] isolation = \"export\"".into(),
        );
        return Ok(vec![refused]);
    }
    let Some(ws) = ctx.workspace else {
        return Ok(Vec::new());
    };
    let enabled = |name: &str, kind: Kind| {
        selection.check(name, kind)
            && ctx.config.checks.get(name).and_then(|s| s.enabled) != Some(false)
    };
    let tools = ToolEnv::find(ctx.local_project_dir);
    let mut jobs: Vec<Job> = Vec::new();
    for check in plan.quality {
        let mut job = Job::new(check.name.clone(), check.kind, move || {
            quality::run_one(check)
        })
        .fingerprint(check.fingerprint.clone());
        if check.kind == Kind::Test {
            job = job.early();
        }
        jobs.push(job);
    }
    for check in plan.custom {
        let fingerprint = check.fingerprint(&tools);
        let tools = &tools;
        let mut job = Job::new(check.name.clone(), check.kind, move || {
            check.run(tools, &ws.project_dir)
        });
        if let Some(fingerprint) = fingerprint {
            job = job.fingerprint(fingerprint);
        }
        jobs.push(job);
    }
    if enabled(publish::WORKFLOW_CHECK, Kind::Publish)
        || enabled(publish::TOOLS_CHECK, Kind::Publish)
    {
        // The release workflow's tools are compared with the checks planned here, so this need not wait for them.
        let local: Vec<String> = plan
            .quality
            .iter()
            .flat_map(|c| [c.name.clone(), c.argv.join(" ")])
            .chain(
                plan.custom
                    .iter()
                    .filter(|c| {
                        matches!(c.kind, Kind::Lint | Kind::Format | Kind::Type | Kind::Test)
                    })
                    .flat_map(|c| [c.name.clone(), c.command()]),
            )
            .collect();
        let quality_selected = [Kind::Lint, Kind::Format, Kind::Type, Kind::Test]
            .into_iter()
            .any(|k| selection.kind(k));
        let tag = plan.tag;
        jobs.push(Job::several(
            vec![
                (publish::WORKFLOW_CHECK.into(), Kind::Publish),
                (publish::TOOLS_CHECK.into(), Kind::Publish),
            ],
            move || publish_gates(ctx, &local, quality_selected, tag),
        ));
    }
    if enabled(metadata::CHECK, Kind::Publish) {
        jobs.push(Job::new(metadata::CHECK, Kind::Publish, || {
            metadata::check_metadata(ctx)
        }));
    }
    if enabled(build::CHECK, Kind::Build) && ctx.config.build != Some(false) {
        let mut job = Job::several(vec![(build::CHECK.into(), Kind::Build)], || {
            build_gate(ctx).into_iter().collect()
        })
        .early();
        if let Some(version) = ctx.version {
            job = job.fingerprint(format!(
                "build\nversion {version}\nbuild = {:?}\n{}",
                ctx.config.build,
                build::identity(ctx.local_project_dir)
            ));
        }
        jobs.push(job);
    }
    let mut out = runner::run(jobs, settings, record)?;
    out.retain(|c| enabled(&c.name, c.kind));
    for check in &mut out {
        if let Some(settings) = ctx.config.checks.get(&check.name) {
            check.required = settings.required.unwrap_or(true);
        }
    }
    Ok(out)
}

/// The publishing workflow's two checks. `local` names the quality checks of this run (names and commands): the
/// release workflow's tools are compared with them.
fn publish_gates(
    ctx: &GateContext,
    local: &[String],
    quality_selected: bool,
    tag: Option<&str>,
) -> Vec<CheckResult> {
    let mut results = publish::check_workflows_for_tag(ctx, local, tag);
    for r in &mut results {
        if r.name == publish::TOOLS_CHECK && !quality_selected && r.status != Status::Skipped {
            // Comparing with a run that excludes every quality check (`--only publish`) would flag them all.
            *r = CheckResult::skipped(
                publish::TOOLS_CHECK,
                Kind::Publish,
                "no quality check is part of this run: nothing to compare the release workflow's tools with",
            )
            .took(Duration::from_millis(r.duration_ms));
        }
    }
    results
}

/// The build check runs when the project declares a backend and a frontend is found; `build = false` turns it
/// off, `build = true` makes a missing backend or frontend an error.
fn build_gate(ctx: &GateContext) -> Option<CheckResult> {
    let forced = match ctx.config.build {
        Some(false) => return None,
        Some(true) => true,
        None => false,
    };
    let workspace = ctx.workspace?;
    if build::build_system(&workspace.project_dir).is_none() {
        return forced.then(|| {
            CheckResult::error(
                build::CHECK,
                Kind::Build,
                "build = true, but the project declares no build backend ([build-system] build-backend)",
            )
        });
    }
    let frontend = build::find_frontend(ctx.local_project_dir);
    if frontend.is_none() && !forced {
        return Some(CheckResult::skipped(
            build::CHECK,
            Kind::Build,
            "no build frontend found (uv, or a Python with `build`); set [tool.relgate] build = true to require one",
        ));
    }
    let Some(version) = ctx.version else {
        return Some(CheckResult::skipped(
            build::CHECK,
            Kind::Build,
            "no release version to compare the built files with",
        ));
    };
    let timeout = ctx
        .config
        .checks
        .get(build::CHECK)
        .and_then(|c| c.timeout)
        .map_or_else(
            || ctx.config.check_timeout(),
            std::time::Duration::from_secs_f64,
        );
    Some(build::check_build_using(ctx, frontend, version, timeout))
}

/// Several release tags with different versions on one commit: only one of them can be right.
fn several_tags(tag: Option<&ReleaseTag>, others: &[ReleaseTag]) -> Option<CheckResult> {
    let tag = tag?;
    let differing: Vec<&str> = others
        .iter()
        .filter(|o| o.version != tag.version)
        .map(|o| o.name.as_str())
        .collect();
    if differing.is_empty() {
        return None;
    }
    Some(
        CheckResult::fail(
            "version-tags",
            Kind::Version,
            format!(
                "HEAD carries several release tags with different versions: {} and {}",
                tag.name,
                crate::report::name_list(&differing, 5)
            ),
        )
        .detail("delete the wrong tag (git tag -d NAME) before pushing"),
    )
}

/// Where file-based checks run: in place when the working tree is exactly the released content, else an
/// isolated export of the tag (or nowhere, when isolation is refused). `pinned` is the commit a hook gates
/// without a release tag (a branch push): its content, not the working tree's, is checked.
///
/// The third value is the tree the checks see, when it is a commit's content (the record of passes keys on it):
/// the tag's (or the pinned commit's) tree, or HEAD's when no tag is checked and the working tree is clean.
pub(super) fn prepare_workspace(
    release: &Release,
    tag: Option<&ReleaseTag>,
    head: CommitId,
    pinned: Option<CommitId>,
) -> anyhow::Result<(Option<Workspace>, WorkspaceInfo, Option<CommitId>)> {
    let in_place = || Workspace {
        root: release.repo.workdir().to_path_buf(),
        project_dir: release.project_dir.clone(),
        in_place: true,
        _export: None,
    };
    let (commit, label, what_is_exported) = match (tag, pinned) {
        (Some(tag), _) => (
            tag.commit,
            format!("tag {} is at {}", tag.name, git::short(tag.commit)),
            "the tag",
        ),
        (None, Some(commit)) => (
            commit,
            format!("the commit gated is {}", git::short(commit)),
            "that commit",
        ),
        (None, None) => {
            let tree = if release.repo.difference_from(head)?.is_clean() {
                Some(release.repo.tree_of(head)?)
            } else {
                None
            };
            return Ok((
                Some(in_place()),
                WorkspaceInfo {
                    mode: "in-place",
                    note: Some(
                        "no release tag at HEAD: the working tree was checked as it is".into(),
                    ),
                },
                tree,
            ));
        }
    };
    let tree = release.repo.tree_of(commit)?;
    let difference = release.repo.difference_from(commit)?;
    if difference.is_clean() {
        return Ok((
            Some(in_place()),
            WorkspaceInfo {
                mode: "in-place",
                note: None,
            },
            Some(tree),
        ));
    }
    let what = format!("{label}; {}", difference.describe());
    match release.config.isolation.unwrap_or_default() {
        Isolation::Refuse => Ok((
            None,
            WorkspaceInfo {
                mode: "refused",
                note: Some(what),
            },
            None,
        )),
        Isolation::Export => {
            let export = tempfile::Builder::new()
                .prefix("relgate-export-")
                .tempdir()
                .map_err(|e| {
                    anyhow::anyhow!("cannot create a temporary directory for the export: {e}")
                })?;
            let subject = tag.map_or_else(
                || format!("commit {}", git::short(commit)),
                |t| format!("tag {}", t.name),
            );
            release.repo.export(commit, export.path(), &subject)?;
            let workspace = Workspace {
                root: export.path().to_path_buf(),
                project_dir: export.path().join(&release.subdir),
                in_place: false,
                _export: Some(export),
            };
            Ok((
                Some(workspace),
                WorkspaceInfo {
                    mode: "export",
                    note: Some(format!(
                        "{what}: the checks ran on an isolated export of {what_is_exported}"
                    )),
                },
                Some(tree),
            ))
        }
    }
}
