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
  RELGATE_SKIP=1      hooks let the push or tag through, with a warning";

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

    /// Output format of the report.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

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
    /// Audit and set the GitHub repository settings that stop a bad release being created there.
    #[command(subcommand)]
    Github(GithubCommand),
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
  0    a failure was explained (ci explain), the runs were listed (ci runs)
  1    ci explain: the log holds no failed step
  2    the log could not be read, or GitHub could not be asked (no token, unreachable, refused)

Environment:
  GH_TOKEN, GITHUB_TOKEN  the token for the GitHub API (never printed)";

#[derive(Debug, Subcommand)]
pub enum CiCommand {
    /// Name the failed step, error, exit code and category of a failed GitHub Actions run, and how to reproduce it.
    #[command(after_help = CI_AFTER_HELP)]
    Explain(ExplainArgs),
    /// List recent failed runs of a repository's workflows.
    #[command(after_help = CI_AFTER_HELP)]
    Runs(RunsArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// A job log, the run's logs zip archive, `gh run view --log-failed` output, or `-` for stdin.
    #[arg(value_name = "PATH|-", conflicts_with = "run")]
    pub input: Option<PathBuf>,

    /// Download and explain this run through the GitHub API (needs `GH_TOKEN` or `GITHUB_TOKEN`).
    #[arg(long, value_name = "RUN_ID")]
    pub run: Option<u64>,

    /// The repository of --run, as OWNER/NAME (default: from the `origin` remote).
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
