//! The command line: clap derive types only. `///` comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::outcome::Kind;

const AFTER_HELP: &str = "\
Exit status:
  0    the gate passed
  1    the gate failed (a required check failed or could not give a verdict)
  2    relgate could not run: usage or configuration error
  130  interrupted (Ctrl-C or SIGTERM): every check it started was stopped

Environment:
  NO_COLOR            disable colour (same as --color never)
  RELGATE_INDEX_URL   the package index's simple API root (default https://pypi.org/simple)
  HTTPS_PROXY, NO_PROXY, SSL_CERT_FILE  proxy and trusted CAs for the index
  GH_TOKEN, GITHUB_API_URL  the token and API of the GitHub audit (github-audit = true)
  RELGATE_SKIP=1      hooks let the push or tag through, with a warning
  RELGATE_FORMAT      the output format when --format is not given: human, json or github
  GITHUB_ACTIONS=true check and ci explain default to --format github (unless --format or RELGATE_FORMAT);
                      its Markdown summary is appended to the file GITHUB_STEP_SUMMARY names";

/// A release gate for Python projects: check that a tag, the declared version, the package index and the
/// project's own linters, type checker and tests agree before the release leaves your machine.
#[derive(Debug, Parser)]
#[command(name = "relgate", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour in the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Output format of the report. Default: `github` for `check` and `ci explain` inside GitHub Actions
    /// (`GITHUB_ACTIONS=true`), else `human`; `RELGATE_FORMAT` sets another default.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Print only the verdict and failures.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Show every command line and the output of passing checks too.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the release gate: version agreement, the package index, and the project's own checks.
    Check(CheckArgs),
    /// List the checks `relgate check` would run, with their resolved commands, without running them.
    Checks(SelectArgs),
    /// Print the version the project declares, where it comes from, and the tag it expects.
    Version(ProjectArgs),
    /// Install relgate's git hooks (pre-push and reference-transaction) into this repository.
    Install(InstallArgs),
    /// Remove relgate's git hooks and restore the hooks that were there before.
    Uninstall(InstallArgs),
    /// Entry points called by the installed git hooks.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Explain failed GitHub Actions runs.
    #[command(subcommand)]
    Ci(CiCommand),
    /// Audit and set the GitHub repository settings that stop a bad release being created there, and write the
    /// publishing workflow that gates each release in CI.
    #[command(subcommand)]
    Github(GithubCommand),
    /// Release a new version: bump it, run the whole gate on the release commit before anything is created,
    /// then commit, tag and push (and create the GitHub release).
    #[command(after_help = RELEASE_AFTER_HELP)]
    Release(ReleaseArgs),
    /// Check publishing credentials without publishing anything.
    #[command(subcommand)]
    Publish(PublishCommand),
}

/// Where the project is and how its release tags are named.
#[derive(Debug, Clone, Args, Default)]
pub struct ProjectArgs {
    /// The Python project's directory (for a project that is not at the repository root).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// How release tags are named, e.g. `v{version}` or `mypkg-v{version}`. Default: `v{version}` and `{version}`.
    #[arg(long, value_name = "FORMAT")]
    pub tag_format: Option<String>,
}

/// Which release and which of its checks: the options `relgate check` and `relgate checks` share.
#[derive(Debug, Clone, Args, Default)]
pub struct SelectArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    /// The release tag to check. Default: the release tags pointing at HEAD.
    #[arg(long, value_name = "NAME")]
    pub tag: Option<String>,

    /// Run only the checks of these kinds.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND,...")]
    pub only: Vec<Kind>,

    /// Skip the checks with these names (or kinds).
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    pub skip: Vec<String>,

    /// Do not ask the package index (the index check is reported as skipped).
    #[arg(long)]
    pub offline: bool,

    /// The package index's simple API root, like pip's --index-url.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
}

#[derive(Debug, Clone, Args, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub select: SelectArgs,

    /// Print what would run, without running it (same as `relgate checks`).
    #[arg(long)]
    pub list: bool,

    /// Ignore the record of passes: run every check again.
    #[arg(long)]
    pub no_cache: bool,

    /// Stop the remaining checks at the first failure.
    #[arg(long)]
    pub fail_fast: bool,

    /// How many checks run at once. Default: the number of cores.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Clone, Args, Default)]
pub struct InstallArgs {
    /// Which hooks: pre-push, reference-transaction (default: both).
    #[arg(long = "hook", value_enum, value_name = "HOOK")]
    pub hooks: Vec<HookName>,

    /// The project's directory (default: the current directory). Its repository gets the hooks; a project in a
    /// subdirectory is recorded so that the hooks gate it.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookName {
    PrePush,
    ReferenceTransaction,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Called by git's pre-push hook: gates the tags being pushed (read from stdin).
    PrePush {
        /// The project's directory, as recorded by `relgate install` (default: the current directory).
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
        /// The remote's name.
        remote: String,
        /// The remote's URL.
        url: String,
    },
    /// Called by git's reference-transaction hook: refuses a bad release tag when it is created (read from stdin).
    ReferenceTransaction {
        /// The project's directory, as recorded by `relgate install` (default: the current directory).
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
        /// The transaction's state: prepared, committed or aborted.
        state: String,
    },
}

const CI_AFTER_HELP: &str = "\
Exit status:
  0    a failure was explained (ci explain, ci compare), the runs were listed (ci runs)
  1    ci explain: the log holds no failed step (with --tag: the tag passes the release checks);
       ci compare: the bad run holds no failed step
  2    the log could not be read, or GitHub could not be asked (no token, unreachable, refused)

Environment:
  GH_TOKEN, GITHUB_TOKEN  the token for the GitHub API (never printed)
  GITHUB_ACTIONS=true     ci explain defaults to --format github (unless --format or RELGATE_FORMAT)";

#[derive(Debug, Subcommand)]
pub enum CiCommand {
    /// Name the failed step, error, exit code and category of a failed GitHub Actions run, and how to reproduce it.
    #[command(after_help = CI_AFTER_HELP)]
    Explain(ExplainArgs),
    /// List recent failed runs of a repository's workflows.
    #[command(after_help = CI_AFTER_HELP)]
    Runs(RunsArgs),
    /// Compare a run that passed with one that failed: what started each, their steps side by side, what differs
    /// in the environment of the failed step, and the local command that checks the difference.
    #[command(after_help = CI_AFTER_HELP)]
    Compare(CompareArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// A job log, the run's logs zip archive, `gh run view --log-failed` output, or `-` for stdin.
    #[arg(value_name = "PATH|-", conflicts_with_all = ["run", "tag"])]
    pub input: Option<PathBuf>,

    /// Download and explain this run through the GitHub API (needs `GH_TOKEN` or `GITHUB_TOKEN`).
    #[arg(long, value_name = "RUN_ID", conflicts_with = "tag")]
    pub run: Option<u64>,

    /// Without GitHub (no token, no network, logs expired): explain the release of this tag from the repository
    /// alone: the workflow that publishes it, the checks it runs (run here on the tag's content), and what
    /// changed since the previous release tag.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,

    /// With --tag: the Python project's directory (for a project that is not at the repository root).
    #[arg(long, value_name = "DIR", requires = "tag")]
    pub path: Option<PathBuf>,

    /// The repository of --run, as OWNER/NAME (default: from the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The GitHub API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, value_name = "URL", default_value = crate::github::DEFAULT_API)]
    pub api_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// The two runs' logs, the good one first: job logs, logs zip archives, `gh run view --log` output, copies
    /// of the web page, or `-` for stdin (once). With --good-run or --bad-run, the other run's log only.
    #[arg(value_name = "GOOD BAD", num_args = 0..=2)]
    pub logs: Vec<PathBuf>,

    /// The run that passed, through the GitHub API (needs `GH_TOKEN` or `GITHUB_TOKEN`).
    #[arg(long, value_name = "RUN_ID")]
    pub good_run: Option<u64>,

    /// The run that failed, through the GitHub API.
    #[arg(long, value_name = "RUN_ID")]
    pub bad_run: Option<u64>,

    /// The repository of --good-run and --bad-run, as OWNER/NAME (default: from the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The GitHub API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, value_name = "URL", default_value = crate::github::DEFAULT_API)]
    pub api_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct RunsArgs {
    /// The repository, as OWNER/NAME (default: from the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// Only runs of this workflow file (e.g. `release.yml`).
    #[arg(long, value_name = "FILE")]
    pub workflow: Option<String>,

    /// How many runs to list at most.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub limit: u16,

    /// The GitHub API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, value_name = "URL", default_value = crate::github::DEFAULT_API)]
    pub api_url: String,
}

const GITHUB_AFTER_HELP: &str = "\
Exit status:
  0    every required check passes (audit); nothing is left to do by hand (protect)
  1    a check does not pass or cannot be read (audit); steps remain that relgate cannot take (protect)
  2    GitHub could not be asked (no token, refused, unknown repository, no network) or refused a change

Environment:
  GH_TOKEN, GITHUB_TOKEN  the token for the GitHub API (never printed); protect needs a fine-grained token
                          with \"Administration: write\" or a classic token with `repo`, of a repository admin";

/// `relgate github ...`: one subcommand per task on the repository's GitHub settings.
#[derive(Debug, Subcommand)]
pub enum GithubCommand {
    /// Check that the default branch, release tags, publishing environment and Actions token are protected on
    /// GitHub: pass, fail or warn for each, with the exact fix.
    #[command(after_help = GITHUB_AFTER_HELP)]
    Audit(GithubArgs),
    /// Create or update relgate's rule sets, the publishing environment's deployment policy and the Actions
    /// token default so that `relgate github audit` passes; others' rules are left alone.
    #[command(after_help = GITHUB_AFTER_HELP)]
    Protect(ProtectArgs),
    /// Print a GitHub Actions workflow that gates each release with `relgate check`, builds it and publishes it
    /// to the package index by trusted publishing (`--write`: into .github/workflows/, never over an existing
    /// file).
    #[command(after_help = WORKFLOW_AFTER_HELP)]
    Workflow(WorkflowArgs),
}

const WORKFLOW_AFTER_HELP: &str = "\
Exit status:
  0    the workflow was printed (or written)
  2    it could not be: not a Python project, a tag format GitHub cannot filter on, the file already exists";

/// Which project, and where the workflow goes.
#[derive(Debug, Clone, Args)]
pub struct WorkflowArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    /// Write it to .github/workflows/NAME.yml instead of printing it; an existing file is never overwritten.
    #[arg(long)]
    pub write: bool,

    /// The workflow file's name, without `.yml` (the trusted publisher registered on the index names this file).
    #[arg(long, value_name = "NAME", default_value = "release")]
    pub name: String,

    /// What starts it: pushing a release tag, or publishing a release on GitHub.
    #[arg(long, value_enum, value_name = "EVENT", default_value_t = crate::pipeline::Trigger::Tag)]
    pub on: crate::pipeline::Trigger,
}

/// The repository on GitHub and the project whose workflows and tag format say what to protect.
#[derive(Debug, Clone, Args)]
pub struct GithubArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    /// The repository, as OWNER/NAME (default: from the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The GitHub API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, value_name = "URL", default_value = crate::github::DEFAULT_API)]
    pub api_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ProtectArgs {
    #[command(flatten)]
    pub github: GithubArgs,

    /// Print each request (method, path, JSON body) without sending it.
    #[arg(long)]
    pub dry_run: bool,
}

const RELEASE_AFTER_HELP: &str = "\
Steps: compute the version; build the release commit (not referenced by any branch yet); run the whole gate
on it, as the tag; only when it passes: write the version file, move the branch, create the annotated tag,
push the branch and the tag together (git push --atomic), create the GitHub release (--github-release).

Exit status:
  0    released (with --dry-run: the gate would let it through)
  1    the gate refused the release: nothing was created, no file was changed
  2    usage, configuration or precondition error (dirty tree, detached HEAD, branch behind its upstream,
       existing tag, version not greater than the last release), or a step after the commit failed (the
       message says what exists and how to retry or undo)
  130  interrupted

Environment:
  GH_TOKEN, GITHUB_TOKEN  the token for --github-release (never printed)";

#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    /// The new version (PEP 440: 1.3.0, 1.3.0rc1), or the part to bump: major, minor, patch, alpha, beta, rc,
    /// post, dev.
    #[arg(id = "new_version", value_name = "VERSION|BUMP")]
    pub new_version: String,

    #[command(flatten)]
    pub project: ProjectArgs,

    /// The remote to push to. Default: the branch's upstream remote, else `origin`.
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,

    /// Do not ask for confirmation (for scripts; without a terminal, relgate release refuses to go on without it).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Print every step and run the gate on the release commit, but create, write and push nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Create the GitHub release for the tag after the push (needs `GH_TOKEN` or `GITHUB_TOKEN`).
    #[arg(long)]
    pub github_release: bool,

    /// Release notes from this file: added to the tag message, and the GitHub release's text. Default: the
    /// tag message.
    #[arg(long, value_name = "FILE")]
    pub notes_file: Option<PathBuf>,

    /// Let GitHub write the release's notes (`generate_release_notes`).
    #[arg(long, requires = "github_release", conflicts_with = "notes_file")]
    pub generate_notes: bool,

    /// The GitHub repository, as OWNER/NAME (default: from the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The GitHub API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, value_name = "URL", default_value = crate::github::DEFAULT_API)]
    pub api_url: String,

    /// The package index's simple API root, like pip's --index-url (for the gate's index check).
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,

    /// Ignore the record of passes: run every check of the gate again.
    #[arg(long)]
    pub no_cache: bool,

    /// How many checks run at once. Default: the number of cores.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

const PUBLISH_AFTER_HELP: &str = "\
Exit status:
  0    the credentials would be accepted
  1    they would not be (expired, for another index or project, malformed, refused by the index)
  2    relgate could not tell (no credentials found, a caveat it does not know, the index could not be asked)

Environment (read, never printed):
  TWINE_USERNAME, TWINE_PASSWORD, UV_PUBLISH_TOKEN, UV_PUBLISH_USERNAME, UV_PUBLISH_PASSWORD,
  POETRY_PYPI_TOKEN_<NAME>, PDM_PUBLISH_USERNAME, PDM_PUBLISH_PASSWORD, FLIT_USERNAME, FLIT_PASSWORD,
  HATCH_INDEX_USER, HATCH_INDEX_AUTH, and ~/.pypirc
  GITHUB_ACTIONS, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN  trusted publishing";

#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Would the index accept the upload credentials? API tokens are decoded and checked locally; in GitHub
    /// Actions, trusted publishing's token exchange is made (and its token discarded). Nothing is uploaded.
    #[command(after_help = PUBLISH_AFTER_HELP)]
    Auth(AuthArgs),
}

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// The project's directory (default: the current directory): its name is what a token must be scoped to.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// The upload URL (default `https://upload.pypi.org/legacy/`; for `TestPyPI`: `https://test.pypi.org/legacy/`).
    #[arg(long, value_name = "URL")]
    pub repository_url: Option<String>,

    /// Read the token from stdin (its first line) instead of the uploaders' variables and ~/.pypirc.
    #[arg(long)]
    pub token_stdin: bool,

    /// Test trusted publishing even when API tokens are configured (inside GitHub Actions).
    #[arg(long, conflicts_with = "token_stdin")]
    pub trusted_publishing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// The report for people.
    #[default]
    Human,
    /// One JSON document (schema in the README).
    Json,
    /// GitHub Actions: the human report with each check's output in a collapsible group, findings as
    /// annotations, and a summary table appended to `$GITHUB_STEP_SUMMARY` (check and ci explain; other
    /// commands print their human report).
    Github,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
