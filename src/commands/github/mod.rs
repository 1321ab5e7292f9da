//! `relgate github ...`: the repository's settings on GitHub. `audit` says whether they stop a bad release
//! from being created there; `protect` sets what makes the audit pass; `workflow` writes the publishing
//! workflow that gates each release in CI. Each subcommand is a file here; they
//! share how the repository, the token and the project's expectations are found.

mod audit;
mod protect;
mod workflow;

use crate::Exit;
use crate::cli::{GithubArgs, GithubCommand};
use crate::commands::Output;
use crate::error::hinted;
use crate::gates::github::{self as gate, Expectations};
use crate::github::{self, ApiError, Client, RepoName};
use crate::release::Release;

pub fn run(command: &GithubCommand, out: Output) -> anyhow::Result<Exit> {
    match command {
        GithubCommand::Audit(args) => audit::run(args, out),
        GithubCommand::Protect(args) => protect::run(args, out),
        GithubCommand::Workflow(args) => workflow::run(args, out),
    }
}

/// The repository, a client with the user's token, and what the project's files expect of the settings.
struct Target {
    repo: RepoName,
    client: Client,
    expect: Expectations,
}

impl Target {
    fn open(args: &GithubArgs) -> anyhow::Result<Target> {
        let release = Release::open(&args.project)?;
        let repo = resolve_repo(args.repo.as_deref(), &args.api_url, &release)?;
        let client = Client::from_env(&args.api_url).map_err(|e| api_error(&e))?;
        // The workflows of the working tree: the ones the next push runs.
        let expect = Expectations::read(release.repo.workdir(), &release.format);
        Ok(Target {
            repo,
            client,
            expect,
        })
    }
}

/// `--repo`, else the `origin` remote of the project's repository.
fn resolve_repo(arg: Option<&str>, api: &str, release: &Release) -> anyhow::Result<RepoName> {
    if let Some(text) = arg {
        return RepoName::parse(text).ok_or_else(|| {
            hinted(
                format!("--repo takes OWNER/NAME; got \"{}\"", gate::printable(text)),
                "e.g. --repo pypa/twine",
            )
        });
    }
    let host = github::web_host(api);
    match release.repo.remote_url("origin") {
        Some(url) => RepoName::from_remote(&url, &host).ok_or_else(|| {
            hinted(
                format!(
                    "the `origin` remote ({}) is not a repository on {host}",
                    gate::printable(&crate::http::redact(&url))
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

/// An error that stops the command (exit 2), with its fix.
fn api_error(err: &ApiError) -> anyhow::Error {
    hinted(gate::printable(&err.to_string()), gate::api_hint(err))
}

/// Write lines to stdout through the printer.
fn emit(text: &str) {
    let mut out = crate::output::Text::new();
    for line in text.lines() {
        out.line(line);
    }
    crate::output::out(&out);
}
