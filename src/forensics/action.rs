//! The advice of a report: the action that fixes the failure, and the local command that reproduces it.

use super::analyse::Finding;
use super::command::Invocation;
use super::evidence::{Detail, Wrapper};
use super::{Category, RunLog};
use crate::tools::verdict::Fix;
use crate::tools::{CATALOGUE, Tool};

/// The `relgate check` that gates this kind of failure before the tag leaves the machine.
pub fn gate(category: Category) -> &'static str {
    match category {
        Category::Lint => "relgate check --only lint",
        Category::Format => "relgate check --only format",
        Category::Type => "relgate check --only type",
        Category::Test => "relgate check --only test",
        Category::Build => "relgate check --only build",
        Category::VersionConflict => "relgate check --only version,index",
        Category::Auth => "relgate check --only publish",
        Category::Metadata => "relgate check --only publish,build",
        Category::Network | Category::Other => "relgate check",
    }
}

/// How to get a failed run's log without relgate reaching GitHub.
pub fn log_hint(run_id: Option<u64>) -> String {
    let id = run_id.map_or_else(|| "<run id>".to_string(), |id| id.to_string());
    format!("`gh run view {id} --log-failed > log.txt`, then `relgate ci explain log.txt`")
}

/// The local command: the tool command as the step ran it (through its wrapper), else the gate.
pub fn reproduce(finding: &Finding) -> String {
    match finding.category {
        Category::Auth | Category::VersionConflict | Category::Metadata => {
            return gate(finding.category).to_string();
        }
        _ => {}
    }
    if let Some(command) = wrapped(finding.wrapper.as_ref(), finding.invocation.as_ref()) {
        return command;
    }
    match &finding.invocation {
        Some(invocation) => invocation.line.clone(),
        None => gate(finding.category).to_string(),
    }
}

/// `tox -e lint` for the env that failed, `nox -s tests`, `pre-commit run ruff --all-files`, `make lint`.
fn wrapped(wrapper: Option<&Wrapper>, invocation: Option<&Invocation>) -> Option<String> {
    let through = |tool: &str, args: String| match invocation {
        Some(i) if i.tool == tool => i.with_args(&args),
        _ => format!("{tool} {args}"),
    };
    Some(match wrapper? {
        Wrapper::Tox { env, .. } => through("tox", format!("-e {env}")),
        Wrapper::Nox { session, .. } => through("nox", format!("-s {session}")),
        Wrapper::PreCommit { hook } => match invocation {
            Some(i) if i.tool == "prek" => i.with_args(&format!("run {hook} --all-files")),
            _ => through("pre-commit", format!("run {hook} --all-files")),
        },
        Wrapper::Make { target } => through("make", target.clone()),
    })
}

pub fn recommend(finding: &Finding, log: &RunLog) -> String {
    let gate = gate(finding.category);
    let tool = finding.invocation.as_ref().map_or("", |i| i.tool.as_str());
    let ran = finding.invocation.as_ref().and_then(|i| i.catalogued);
    let text = match (&finding.category, &finding.detail) {
        (Category::Lint, _) if fixer(ran, &finding.message).is_some() => format!(
            "fix the findings (`{}` applies the safe fixes), then run `{gate}` before tagging again",
            fixer(ran, &finding.message).unwrap_or_default()
        ),
        (Category::Lint, _) => {
            format!("fix the findings, then run `{gate}` before tagging again")
        }
        (Category::Format, detail) => {
            let fix = match &finding.wrapper {
                Some(Wrapper::PreCommit { hook }) => format!("pre-commit run {hook} --all-files"),
                _ => formatter_fix(tool, [ran, finding.tool], &finding.message, detail),
            };
            format!("run `{fix}` and commit the result; `{gate}` checks it before the tag")
        }
        (Category::Type, _) => {
            format!("fix the type errors, then run `{gate}` before tagging again")
        }
        (Category::Test, Detail::Test(node)) => {
            let single = match &finding.invocation {
                Some(i) if i.tool == "pytest" || i.tool == "py.test" => i.with_args(node),
                _ => format!("pytest {node}"),
            };
            format!(
                "run the failing test locally: `{single}`; `{gate}` runs the suite before the tag"
            )
        }
        (Category::Test, _) if finding.exit_code == Some(5) => format!(
            "pytest collected no tests: check `testpaths` and the test file names; `{gate}` runs the suite before the tag"
        ),
        (Category::Test, _) => {
            format!("fix the failing tests; `{gate}` runs the suite before the tag")
        }
        (Category::Build, _) if finding.message.contains("setuptools-scm was unable to detect") => {
            "the checkout has no git history or tags for setuptools-scm: give `actions/checkout` `fetch-depth: 0`; `relgate check --only build` builds with the tag's version".to_string()
        }
        (Category::Build, _) => format!(
            "build the release as CI does and fix the error; `{gate}` builds the sdist and wheel in isolation before the tag"
        ),
        (Category::VersionConflict, Detail::Exists { file, version }) => {
            let what = match (version, file) {
                (Some(v), Some(f)) => format!("version {v} is already on the index ({f})"),
                (None, Some(f)) => format!("{f} is already on the index"),
                _ => "this version is already on the index".to_string(),
            };
            format!(
                "{what}, and a published file can never be replaced: bump the version, commit and tag again; `{gate}` confirms the new version is free before the push"
            )
        }
        (Category::VersionConflict, _) => format!(
            "this version is already on the index and a published file can never be replaced: bump the version and tag again; `{gate}` confirms it is free before the push"
        ),
        (Category::Auth, detail) => auth(detail, gate),
        (Category::Metadata, Detail::Readme) => format!(
            "the README does not render on the index: fix the markup at the line named above (`twine check dist/*` shows it); `{gate}` runs twine check before the tag"
        ),
        (Category::Metadata, Detail::MetadataVersion) => "the twine that uploads is older than the metadata your build backend writes: upgrade twine, or `pypa/gh-action-pypi-publish` to its latest release".to_string(),
        (Category::Metadata, _) => format!(
            "fix the distribution's metadata (pyproject.toml); `{gate}` checks the metadata and runs twine check before the tag"
        ),
        (Category::Network, _) => {
            let id = log
                .run_id
                .map_or_else(|| "<run id>".to_string(), |id| id.to_string());
            format!(
                "a network failure, not the project: re-run the failed jobs (`gh run rerun {id} --failed`)"
            )
        }
        (Category::Other, Detail::Runner) if finding.message.contains("disk space") || finding.message.contains("No space left") => {
            "the runner's disk is full: build less in the job, or free space first (a hosted runner has about 14 GB); then re-run the job".to_string()
        }
        (Category::Other, _) if finding.message.starts_with("The runner has received a shutdown signal") || finding.message.contains("lost communication with the server") => {
            let id = log.run_id.map_or_else(|| "<run id>".to_string(), |id| id.to_string());
            format!("the runner went away (shut down, out of memory, or its connection lost), not the project: re-run the failed jobs (`gh run rerun {id} --failed`)")
        }
        (Category::Other, Detail::Runner) => {
            "the runner ran out of memory: use a larger runner or less parallelism, then re-run the job".to_string()
        }
        (Category::Other, _) if finding.message.contains("satisf") || finding.message.contains("No solution found") || finding.message.contains("No matching distribution") => {
            "a dependency could not be installed: check its version pin against the Python version the job uses".to_string()
        }
        (Category::Other, _) => match &finding.invocation {
            Some(i) => format!(
                "read the excerpt; the step ran `{}`; `relgate check` gates the release locally",
                i.line
            ),
            None => format!(
                "read the excerpt of step \"{}\"; `relgate check` gates the release locally",
                finding.step.name
            ),
        },
    };
    let stopped = "the runner stopped the step at its time limit: look for a hang (a test waiting for input or the network), and set `timeout-minutes:` on the step";
    match (&finding.timeout, finding.explained) {
        (Some(_), true) => format!("{stopped}; {text}"),
        (Some(_), false) => {
            format!("{stopped}; `{gate}` runs the check with a timeout before the tag")
        }
        (None, _) => text,
    }
}

/// The command that fixes a linter's findings: the linter the step ran, or the one whose fixable findings the
/// message shows (ruff's `[*]`).
fn fixer(ran: Option<&Tool>, message: &str) -> Option<&'static str> {
    let fixes = |t: &Tool| match t.fix {
        Fix::Some { command, marker } => Some((command, marker)),
        _ => None,
    };
    ran.and_then(fixes).map(|(command, _)| command).or_else(|| {
        CATALOGUE
            .iter()
            .filter_map(|t| fixes(t))
            .find(|(_, marker)| message.contains(marker))
            .map(|(command, _)| command)
    })
}

/// The command that rewrites what the formatter (the one the step ran, else the one whose report this is)
/// would change.
fn formatter_fix(
    tool: &str,
    formatters: [Option<&Tool>; 2],
    message: &str,
    detail: &Detail,
) -> String {
    let files = match detail {
        Detail::Reformat(files) if !files.is_empty() && files.len() <= 3 => files.join(" "),
        _ => ".".to_string(),
    };
    let rewrite = formatters
        .into_iter()
        .flatten()
        .find_map(|t| t.fix.rewrite());
    if let Some(command) = rewrite {
        format!("{command} {files}")
    } else if tool == "pre-commit" || tool == "prek" || message.contains("pre-commit") {
        "pre-commit run --all-files".to_string()
    } else {
        format!("the formatter on {files}")
    }
}

fn auth(detail: &Detail, gate: &str) -> String {
    match detail {
        Detail::Publisher {
            repository,
            workflow,
            environment,
        } => {
            let (owner, name) = repository
                .as_deref()
                .and_then(|r| r.split_once('/'))
                .map_or(("?", "?"), |(o, n)| (o, n));
            format!(
                "register this trusted publisher on the index (PyPI: the project's Settings > Publishing, or a pending publisher for a new project): owner = {owner}, repository = {name}, workflow = {}, environment = {}; these are the claims of the run's token, and any difference (a renamed workflow file, another environment) fails the exchange; `{gate}` shows the fields the workflow needs",
                workflow.as_deref().unwrap_or("?"),
                environment.as_deref().unwrap_or("(none: leave it empty)")
            )
        }
        Detail::IdToken => format!(
            "give the publishing job `permissions: id-token: write` (a job's own `permissions:` block replaces the workflow's); `{gate}` checks it before the tag"
        ),
        Detail::Password => "the index no longer accepts passwords: use an API token (user `__token__`) or trusted publishing".to_string(),
        Detail::NewProject => "trusted publishing cannot create a project: add a pending publisher for it on PyPI (your account's Publishing page) before the first upload".to_string(),
        _ => format!(
            "the index refused the credentials: create a new API token scoped to the project, store it in the secret the workflow passes (user `__token__`), or switch to trusted publishing; `{gate}` checks the workflow's authentication"
        ),
    }
}
