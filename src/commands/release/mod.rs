//! `relgate release`: a release that cannot be created unless it passes the gate.
//!
//! 1. [`plan::prepare`] checks the preconditions and decides every step, writing nothing.
//! 2. The plan is shown; on a terminal the user confirms it (`--yes` for scripts).
//! 3. The release commit is built with git plumbing (an in-memory index, `git commit-tree`): no ref points at it,
//!    the working tree and the index are untouched.
//! 4. The whole gate, as `relgate check` runs it, runs on exactly that commit as the new tag. A refusal leaves
//!    the repository as it was (the unreferenced objects are git's garbage), and the exit status is 1.
//! 5. [`execute::execute`] writes the file, moves the branch to the gated commit, tags it and pushes both with
//!    `git push --atomic`. The pre-push hook gates the tag again and finds every check in the record of passes
//!    (the same tree, relgate, configuration and tools).

mod edit;
mod execute;
mod github;
mod plan;

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal};
use std::str::FromStr;

use serde::Serialize;

use crate::Exit;
use crate::bump::{Bump, Request};
use crate::cli::{Format, ReleaseArgs};
use crate::commands::{Output, check};
use crate::error::{Interrupted, hinted};
use crate::git::{self, write};
use crate::output::{self, Text};
use crate::process;
use crate::release::Release;
use crate::report::{self, Report};

pub fn run(args: &ReleaseArgs, out: Output) -> anyhow::Result<Exit> {
    process::watch_interrupts();
    process::set_verbose(out.verbose);
    let request = Request::from_str(&args.new_version).map_err(|e| {
        hinted(
            e.to_string(),
            format!("e.g. relgate release 1.4.0, or one of {}", Bump::WORDS),
        )
    })?;
    let release = Release::open(&args.project)?;
    let plan = plan::prepare(&release, args, request)?;
    let json = out.format == Format::Json;
    let mut shown = Text::new();
    shown.lines("", &plan.render());
    if json {
        output::err(&shown);
    } else {
        output::out(&shown);
    }
    if !args.dry_run && !args.yes {
        confirm(&plan)?;
    }

    // The release commit, which nothing refers to until the gate passed.
    let commit = match &plan.edit {
        Some(edit) => {
            let tree = release
                .repo
                .tree_with(plan.head, &[(edit.path.clone(), edit.new_bytes.clone())])?;
            write::commit_tree(
                release.repo.workdir(),
                tree,
                plan.head,
                &plan.commit_message,
            )?
        }
        None => plan.head,
    };
    let declared = release.declared(Some((commit, &plan.tag)))?;
    let agrees = declared
        .version
        .as_deref()
        .and_then(|v| pep440_rs::Version::from_str(v).ok())
        .is_none_or(|v| v == plan.version);
    if !agrees {
        return Err(anyhow::anyhow!(
            "after writing {}, the project declares {} instead of {} (a bug in relgate; please report it): nothing was created",
            plan.edit
                .as_ref()
                .map_or("the version", |e| e.shown.as_str()),
            declared.version.as_deref().unwrap_or("?"),
            plan.version
        ));
    }

    let gate_request = check::Request {
        project: (&args.project).into(),
        tag: Some(plan.tag.clone()),
        commit: Some(commit),
        index_url: args.index_url.clone(),
        no_cache: args.no_cache,
        jobs: args.jobs,
        ..check::Request::default()
    };
    let report = check::gate(&gate_request, out)?;
    if !json {
        output::out(&report::render(&report, out.verbose, out.quiet));
    }
    if report.exit() == Exit::Fail {
        let nothing = execute::Done::default();
        let summary = Summary::new(&plan, "refused", None, &nothing, &report);
        finish(
            json,
            &summary,
            &format!(
                "relgate: the gate refused {} {}: nothing was created (no commit, no tag, no file changed); fix what the report says, then run relgate release again",
                plan.name.as_deref().unwrap_or("the release"),
                plan.version
            ),
        )?;
        return Ok(Exit::Fail);
    }
    if process::interrupted() {
        return Err(Interrupted.into());
    }
    if args.dry_run {
        let nothing = execute::Done::default();
        let summary = Summary::new(&plan, "dry-run", None, &nothing, &report);
        finish(
            json,
            &summary,
            &format!(
                "relgate: dry run: the gate passed on the release commit {} as {}; nothing was written, tagged or pushed",
                git::short(commit),
                plan.tag
            ),
        )?;
        return Ok(Exit::Pass);
    }
    let done = execute::execute(&release, &plan, commit)?;
    let mut line = format!(
        "relgate: released {} {}: {} on {}, pushed to {} with {}",
        plan.name.as_deref().unwrap_or("the project"),
        plan.version,
        plan.tag,
        git::short(commit),
        plan.remote,
        plan.branch
    );
    if let Some(url) = &done.github_release {
        let _ = write!(line, "; GitHub release: {url}");
    }
    let summary = Summary::new(&plan, "released", Some(commit), &done, &report);
    finish(json, &summary, &line)?;
    Ok(Exit::Pass)
}

/// Ask on the terminal; refuse when there is none to ask on.
fn confirm(plan: &plan::Plan) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() || !crate::term::stderr_is_terminal() {
        return Err(hinted(
            "relgate release asks for confirmation, and there is no terminal to ask on",
            "pass --yes to release without asking (after checking the plan with --dry-run)",
        ));
    }
    let mut question = Text::new();
    question.add(format!(
        "Release {} {} as {} and push it to {}? [y/N] ",
        plan.name.as_deref().unwrap_or("the project"),
        plan.version,
        plan.tag,
        plan.remote
    ));
    output::err(&question);
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if process::interrupted() {
        return Err(Interrupted.into());
    }
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(hinted(
            "the release was not confirmed: nothing was changed",
            "answer y to release, or pass --yes",
        ))
    }
}

/// The last line (human) or the JSON document (`--format json`) on stdout.
fn finish(json: bool, summary: &Summary, line: &str) -> anyhow::Result<()> {
    if json {
        output::json(summary)?;
    } else {
        output::outln!("{line}");
    }
    Ok(())
}

/// `relgate release --format json`.
#[derive(Serialize)]
struct Summary<'a> {
    relgate_version: &'static str,
    /// `released`, `dry-run` or `refused`.
    status: &'static str,
    name: Option<&'a str>,
    previous_version: Option<String>,
    version: String,
    tag: &'a str,
    branch: &'a str,
    remote: &'a str,
    commit: Option<String>,
    files: Vec<FileChange<'a>>,
    pushed: bool,
    github_release: Option<&'a str>,
    gate: &'a Report,
}

#[derive(Serialize)]
struct FileChange<'a> {
    file: &'a str,
    line: u32,
    before: &'a str,
    after: &'a str,
}

impl<'a> Summary<'a> {
    fn new(
        plan: &'a plan::Plan,
        status: &'static str,
        commit: Option<git::CommitId>,
        done: &'a execute::Done,
        gate: &'a Report,
    ) -> Summary<'a> {
        Summary {
            relgate_version: env!("CARGO_PKG_VERSION"),
            status,
            name: plan.name.as_deref(),
            previous_version: plan.current.as_ref().map(ToString::to_string),
            version: plan.version.to_string(),
            tag: &plan.tag,
            branch: &plan.branch,
            remote: &plan.remote,
            commit: commit.map(|c| c.to_string()),
            files: plan
                .edit
                .iter()
                .map(|e| FileChange {
                    file: &e.shown,
                    line: e.line,
                    before: &e.before,
                    after: &e.after,
                })
                .collect(),
            pushed: done.pushed,
            github_release: done.github_release.as_deref(),
            gate,
        }
    }
}
