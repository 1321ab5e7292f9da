//! `relgate ci explain`, `relgate ci compare` and `relgate ci runs`: why a GitHub Actions run failed, from its
//! log in any form or from the GitHub API, compared with a run that passed ([`compare`]), or, when GitHub
//! cannot be asked, from the repository alone ([`fallback`]).

mod compare;
mod fallback;

use std::path::Path;

use serde::Serialize;

use crate::cli::{CiCommand, ExplainArgs, Format, RunsArgs};
use crate::commands::Output;
use crate::error::hinted;
use crate::forensics::{self, Form, RunLog, action, input, render};
use crate::github::{self, ApiError, Client, RepoName};
use crate::outcome::Exit;
use crate::output::{self, Text};

pub fn run(command: &CiCommand, out: Output) -> anyhow::Result<Exit> {
    match command {
        CiCommand::Explain(args) => explain(args, out),
        CiCommand::Runs(args) => runs(args, out),
        CiCommand::Compare(args) => compare::run(args, out),
    }
}

/// Exit 0 when a failure was explained, 1 when the log holds no failed step.
fn explain(args: &ExplainArgs, out: Output) -> anyhow::Result<Exit> {
    if let Some(tag) = &args.tag {
        return fallback::run(tag, args.path.as_deref(), out);
    }
    let (log, notes) = match (&args.input, args.run) {
        (Some(path), _) if path == Path::new("-") => (input::read_stdin()?, Vec::new()),
        (Some(path), _) => (input::read_path(path)?, Vec::new()),
        (None, Some(id)) => download(args, id)?,
        (None, None) => {
            return Err(hinted(
                "nothing to explain: give a log file, `-` for stdin, --run RUN_ID, or --tag TAG",
                "e.g. `relgate ci explain logs_123.zip`, `gh run view 123 --log-failed | relgate ci explain -`, `relgate ci explain --run 123`, or, without GitHub, `relgate ci explain --tag v1.2.0`",
            ));
        }
    };
    let mut explanation = forensics::explain(&log);
    explanation.notes.extend(notes);
    match out.format {
        Format::Json => output::json(&render::document(&explanation))?,
        Format::Github => {
            output::out(&render::github::render(&explanation, out.quiet));
            output::summary::append(&render::github::summary(&explanation));
        }
        Format::Human => output::out(&render::human(&explanation, out.quiet)),
    }
    Ok(if explanation.failures.is_empty() {
        Exit::Fail
    } else {
        Exit::Pass
    })
}

/// The failed jobs' logs of run `id`, through the API; notes for the jobs whose log could not be had.
fn download(args: &ExplainArgs, id: u64) -> anyhow::Result<(RunLog, Vec<String>)> {
    let repo = resolve_repo(args.repo.as_deref(), &args.api_url)?;
    let hint = format!("get the log another way: {}", action::log_hint(Some(id)));
    let fail = |e: ApiError| api_error(&e, &hint);
    let client = Client::from_env(&args.api_url).map_err(fail)?;
    let run = client.run(&repo, id).map_err(fail)?;
    let jobs = client.jobs(&repo, id).map_err(fail)?;
    let failed = |j: &&github::Job| {
        matches!(
            j.conclusion.as_deref(),
            Some("failure" | "timed_out" | "startup_failure")
        )
    };
    let mut chosen: Vec<&github::Job> = jobs.iter().filter(failed).collect();
    if chosen.is_empty() {
        chosen = jobs
            .iter()
            .filter(|j| j.conclusion.as_deref() == Some("cancelled"))
            .collect();
    }
    let mut notes = Vec::new();
    if jobs.is_empty() && run.conclusion.as_deref() == Some("startup_failure") {
        notes.push(format!(
            "run {id} never started (startup_failure): the workflow file is invalid; the run's page says why{}",
            run.html_url
                .as_deref()
                .map_or_else(String::new, |u| format!(" ({u})"))
        ));
    }
    let mut log_jobs = Vec::new();
    for job in chosen {
        let bytes = match client.job_log(&repo, job) {
            Ok(bytes) => bytes,
            Err(e @ (ApiError::NotFound { .. } | ApiError::Gone { .. })) => {
                notes.push(format!("{}: no log ({e}); {WITHOUT_GITHUB}", job.name));
                continue;
            }
            Err(e) => return Err(fail(e)),
        };
        let parsed = match input::read_bytes(bytes, &format!("the log of job \"{}\"", job.name)) {
            Ok(parsed) => parsed,
            Err(e) => {
                notes.push(format!("{}: {e}", job.name));
                continue;
            }
        };
        for parsed_job in parsed.jobs.into_iter().take(1) {
            log_jobs.push(api_job(parsed_job, job));
        }
    }
    let log = RunLog {
        form: Form::Api,
        source: format!("run {id} of {repo}"),
        run_id: Some(id),
        event: Some(run.event.clone()),
        workflow: run.name.clone(),
        jobs: log_jobs,
    };
    Ok((log, notes))
}

/// A job read from its log, with what the API says of it: its name, conclusion and steps.
fn api_job(mut parsed: forensics::job::Job, job: &github::Job) -> forensics::job::Job {
    parsed.name = Some(job.name.clone());
    parsed.conclusion.clone_from(&job.conclusion);
    parsed.failed_steps = job
        .steps
        .iter()
        .filter(|s| s.conclusion.as_deref() == Some("failure"))
        .map(|s| s.name.clone())
        .collect();
    parsed.api_steps = job
        .steps
        .iter()
        .map(|s| forensics::job::ApiStep {
            name: s.name.clone(),
            number: s.number,
            conclusion: s.conclusion.clone(),
        })
        .collect();
    parsed
}

/// The `relgate ci runs --format json` document.
#[derive(Serialize)]
struct RunsDoc<'a> {
    relgate_version: &'static str,
    repository: String,
    workflow: Option<&'a str>,
    runs: &'a [github::Run],
}

fn runs(args: &RunsArgs, out: Output) -> anyhow::Result<Exit> {
    let repo = resolve_repo(args.repo.as_deref(), &args.api_url)?;
    let hint = "list them another way: `gh run list --status failure`, then `gh run view RUN_ID --log-failed > log.txt` and `relgate ci explain log.txt`";
    let fail = |e: ApiError| api_error(&e, hint);
    let client = Client::from_env(&args.api_url).map_err(fail)?;
    let runs = client
        .failed_runs(&repo, args.workflow.as_deref(), usize::from(args.limit))
        .map_err(fail)?;
    if out.format == Format::Json {
        let doc = RunsDoc {
            relgate_version: env!("CARGO_PKG_VERSION"),
            repository: repo.to_string(),
            workflow: args.workflow.as_deref(),
            runs: &runs,
        };
        output::json(&doc)?;
        return Ok(Exit::Pass);
    }
    output::out(&runs_table(&repo, args.workflow.as_deref(), &runs));
    Ok(Exit::Pass)
}

fn runs_table(repo: &RepoName, workflow: Option<&str>, runs: &[github::Run]) -> Text {
    let mut out = Text::new();
    let of = match workflow {
        Some(file) => format!("{repo} (workflow {file})"),
        None => repo.to_string(),
    };
    if runs.is_empty() {
        out.line(format!("no failed runs of {of}"));
        return out;
    }
    out.line(format!("failed runs of {of}, newest first:"));
    let id_width = runs
        .iter()
        .map(|r| r.id.to_string().len())
        .max()
        .unwrap_or(2);
    let name_width = runs
        .iter()
        .map(|r| r.name.as_deref().unwrap_or("").chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 30);
    out.line(format!(
        "  {:<id_width$}  {:<name_width$}  {:<19}  {:<20}  TITLE",
        "ID", "WORKFLOW", "EVENT", "CREATED"
    ));
    for run in runs {
        let name: String = run
            .name
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(name_width)
            .collect();
        out.line(format!(
            "  {:<id_width$}  {name:<name_width$}  {:<19}  {:<20}  {}",
            run.id,
            run.event,
            run.created_at.as_deref().unwrap_or(""),
            run.display_title.as_deref().unwrap_or("")
        ));
    }
    if let Some(first) = runs.first() {
        out.line(format!(
            "explain one: relgate ci explain --run {} --repo {repo}",
            first.id
        ));
    }
    out
}

/// `--repo`, else the `origin` remote of the repository around the current directory.
fn resolve_repo(arg: Option<&str>, api: &str) -> anyhow::Result<RepoName> {
    if let Some(text) = arg {
        return RepoName::parse(text).ok_or_else(|| {
            hinted(
                format!("--repo takes OWNER/NAME; got \"{text}\""),
                "e.g. --repo pypa/twine",
            )
        });
    }
    let host = github::web_host(api);
    let cwd = std::env::current_dir()?;
    let remote = crate::git::Repo::discover(&cwd)
        .ok()
        .and_then(|repo| repo.remote_url("origin"));
    match remote {
        Some(url) => RepoName::from_remote(&url, &host).ok_or_else(|| {
            hinted(
                format!(
                    "the `origin` remote ({}) is not a repository on {host}",
                    crate::http::redact(&url)
                ),
                "pass --repo OWNER/NAME (and --api-url for GitHub Enterprise)",
            )
        }),
        None => Err(hinted(
            "cannot tell which repository: no --repo, and no `origin` remote here",
            "pass --repo OWNER/NAME",
        )),
    }
}

/// Where every API error points when GitHub cannot be asked at all.
const WITHOUT_GITHUB: &str =
    "without GitHub, `relgate ci explain --tag TAG` explains a release from the repository alone";

/// An API error with the hint that fits it, always ending with how to get the log another way, and with the
/// fallback that needs no GitHub at all.
fn api_error(err: &ApiError, another_way: &str) -> anyhow::Error {
    let hint = match err {
        ApiError::NoToken => format!(
            "set GH_TOKEN to a token that may read the repository's Actions (`export GH_TOKEN=$(gh auth token)`), or {another_way}"
        ),
        ApiError::Unreachable { .. } => format!(
            "{another_way}; for GitHub Enterprise, pass --api-url https://HOST/api/v3"
        ),
        ApiError::Unauthorized { .. } => format!(
            "the token in GH_TOKEN/GITHUB_TOKEN is invalid or expired: set a valid one, or {another_way}"
        ),
        ApiError::RateLimited { .. } => format!("wait for the reset, or {another_way}"),
        ApiError::Forbidden { .. } => format!(
            "the token may not read this repository's Actions (a fine-grained token needs \"Actions: read\"; a classic token needs `repo` for a private repository), or {another_way}"
        ),
        ApiError::NotFound { .. } => format!(
            "check --repo and the run id (`relgate ci runs` lists failed runs); a private repository answers 404 to a token that cannot see it; or {another_way}"
        ),
        ApiError::Gone { .. } => {
            "GitHub deletes logs after the repository's retention period: re-run the workflow for new logs".to_string()
        }
        ApiError::Status { .. } | ApiError::BadAnswer { .. } => another_way.to_string(),
    };
    hinted(err.to_string(), format!("{hint}; {WITHOUT_GITHUB}"))
}
