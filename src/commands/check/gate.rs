//! One run of the gate, from a [`Request`] to its [`Report`]: the version checks first (the others need the
//! release version), the index in its own thread, the rest in parallel through the runner.

use std::time::Duration;

use super::{Request, Session};
use crate::cache::PassRecord;
use crate::cli::Format;
use crate::commands::Output;
use crate::error::{self, Interrupted, hinted};
use crate::gates::plan::Plan;
use crate::gates::version::{self, VersionInput};
use crate::gates::version_tags;
use crate::gates::{github, index};
use crate::outcome::{CheckResult, Kind, Verdict};
use crate::process;
use crate::project::Declared;
use crate::report::{ProjectInfo, Report, TagInfo, WorkspaceMode};
use crate::runner::{self, Progress};
use crate::term;

/// Run the gate for one release and build its report (the hooks call it with the commit they gate).
pub fn gate(request: &Request, out: Output) -> anyhow::Result<Report> {
    process::watch_interrupts();
    process::set_verbose(out.verbose);
    if request.jobs == Some(0) {
        return Err(hinted(
            "-j 0: at least one check must run at a time",
            "pass -j 1 or more, or leave -j out to run as many checks at once as there are cores",
        ));
    }
    let session = Session::open(request)?;
    let (release, target) = (&session.release, &session.target);
    let declared = declared_for_version(&session.declared);
    let outcome = version::check(&VersionInput {
        repo: &release.repo,
        declared: &declared,
        tag: target.tag.as_ref(),
        base: Some(target.commit),
        format: &release.format,
        config: &release.config,
        all_tags: &target.all_tags,
    });
    let ctx = session.context(outcome.release.as_ref());
    let plan = session.plan(&ctx)?;
    let mut validation = outcome.validation;
    let mut results = outcome.checks;
    results.extend(version_tags::check(target.tag.as_ref(), &target.others));
    let mut checks = Vec::new();
    for mut result in results {
        let Some(settings) = plan.built_in(&result.name) else {
            continue;
        };
        result.required = settings.required;
        if let (Err(err), "version") = (&session.declared, result.name.as_str()) {
            if let Some(hint) = error::hint_of(err) {
                result.details.push(hint.to_owned());
                validation.recommended_action = Some(hint.to_owned());
            }
        }
        checks.push(result);
    }

    // The index is asked in its own thread while the other checks run: it adds nothing to the wall time.
    let index_job = match plan.built_in("index") {
        Some(settings) => {
            let asked = index::settings(
                request.index_url.as_deref(),
                request.offline,
                &release.config,
            );
            if asked.asks() {
                asked.validate()?;
            }
            let name = ctx.name.map(str::to_owned);
            let version = outcome.release.clone();
            let thread =
                std::thread::spawn(move || index::gate(name.as_deref(), version.as_ref(), &asked));
            Some((thread, settings))
        }
        None => None,
    };
    let index_position = checks.len();
    // The GitHub audit (opt-in, advisory) asks the API in its own thread too.
    let github_job = plan.built_in(github::CHECK).and_then(|settings| {
        let root = session
            .prepared
            .workspace
            .as_ref()
            .map_or_else(|| release.repo.workdir().to_path_buf(), |w| w.root.clone());
        let thread = github::start(
            &release.config,
            request.offline,
            release.repo.remote_url("origin"),
            root,
            release.format.clone(),
        )?;
        Some((thread, settings))
    });

    let record = session
        .prepared
        .tree
        .filter(|_| !request.no_cache && release.config.use_cache())
        .map(|tree| {
            PassRecord::new(
                release.repo.common_dir(),
                tree,
                &release.subdir,
                &release.config,
            )
        });
    let settings = runner::Settings {
        jobs: runner::concurrency(request.jobs, release.config.jobs),
        fail_fast: request.fail_fast,
        progress: progress(out),
        failed_before: checks.iter().find(|c| c.blocks()).map(|c| c.name.clone()),
    };
    checks.extend(file_checks(&session, &plan, &settings, record.as_ref())?);
    if let Some((thread, settings)) = index_job {
        // The index has its own timeout; Ctrl-C does not wait for it.
        while !thread.is_finished() {
            if process::interrupted() {
                return Err(Interrupted.into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let verdict = thread.join().unwrap_or_else(|_| index::IndexVerdict {
            result: CheckResult::error(
                "index",
                Kind::Index,
                "the index check stopped unexpectedly (a bug in relgate; please report it)",
            ),
            conflict: false,
        });
        validation.pypi_conflict = verdict.conflict;
        let mut result = verdict.result;
        result.required = settings.required;
        checks.insert(index_position, result);
    }
    if let Some((thread, settings)) = github_job {
        let mut result = github::finish(thread)?;
        result.required = settings.required;
        checks.push(result);
    }

    let declared = session.declared.as_ref().ok();
    let report = Report {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status: Verdict::Pass,
        project: ProjectInfo {
            name: declared.and_then(|d| d.name.clone()),
            version: declared
                .and_then(|d| d.version.clone())
                .or_else(|| outcome.release.as_ref().map(ToString::to_string)),
            version_source: declared.map(|d| d.source.as_str()),
            file: declared.and_then(|d| d.file.clone()),
            line: declared.and_then(|d| d.line),
        },
        tag: target.tag.as_ref().map(|t| TagInfo {
            name: t.name.clone(),
            version: t.version.as_ref().map(ToString::to_string),
            commit: t.commit.to_string(),
        }),
        workspace: session.prepared.info.clone(),
        checks,
        version_validation: validation,
        subdir: release.subdir.clone(),
    };
    if process::interrupted() {
        return Err(Interrupted.into());
    }
    Ok(report.finish())
}

/// What the version checks are told the project declares: the declaration, or the error (with its causes)
/// that says why it cannot be read.
fn declared_for_version(declared: &anyhow::Result<Declared>) -> Result<Declared, String> {
    match declared {
        Ok(declared) => Ok(declared.clone()),
        Err(err) => Err(format!("{err:#}")),
    }
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

/// The checks that read the project's files, run in parallel by the runner. When the working tree is not the
/// released content and isolation is refused, they are reported as one error instead of running on other code.
fn file_checks(
    session: &Session,
    plan: &Plan,
    settings: &runner::Settings,
    record: Option<&PassRecord>,
) -> Result<Vec<CheckResult>, Interrupted> {
    let info = &session.prepared.info;
    if info.mode == WorkspaceMode::Refused {
        let mut refused = CheckResult::error(
            "workspace",
            Kind::Test,
            format!(
                "the project's checks were not run: {}",
                info.note
                    .as_deref()
                    .unwrap_or("the working tree is not the tagged content")
            ),
        );
        refused.details.push(
            "check out the tag with a clean tree (git switch --detach TAG), or set [tool.relgate] isolation = \"export\"".into(),
        );
        return Ok(vec![refused]);
    }
    runner::run(plan.jobs(), settings, record)
}
