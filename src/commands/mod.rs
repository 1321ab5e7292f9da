//! One module per command; each orchestrates gates and ops and returns an [`Exit`] or an error.

mod check;
mod ci;
mod github;
mod hook;
mod install;
mod list;
mod publish;
mod release;
mod version;

use clap::ValueEnum as _;

use crate::cli::{CiCommand, Cli, Command, Format, ProjectArgs};
use crate::error::hinted;
use crate::outcome::Exit;
use crate::release::ProjectDir;

/// Run the command, its output in `format` (see [`format_of`]).
pub fn dispatch(cli: Cli, format: Format) -> anyhow::Result<Exit> {
    let Cli {
        command,
        quiet,
        verbose,
        ..
    } = cli;
    let out = Output {
        format,
        quiet,
        verbose,
    };
    // Every command answers Ctrl-C and SIGTERM with exit 130, even blocked on its input.
    crate::process::watch_interrupts();
    match command {
        Command::Check(args) if args.list => list::run(&args.select, out),
        Command::Check(args) => check::run(&args, out),
        Command::Checks(select) => list::run(&select, out),
        Command::Version(args) => version::run(&args, out),
        Command::Install(args) => install::install(&args, out),
        Command::Uninstall(args) => install::uninstall(&args, out),
        Command::Hook(hook) => hook::run(hook, out),
        Command::Ci(command) => ci::run(&command, out),
        Command::Github(command) => github::run(&command, out),
        Command::Release(args) => release::run(&args, out),
        Command::Publish(command) => publish::run(&command, out),
    }
}

/// The output format of this run: `--format`; else `RELGATE_FORMAT`; else, inside GitHub Actions
/// (`GITHUB_ACTIONS=true`), `github` for the commands that have that form (`check`, `ci explain`); else
/// `human`. Other commands, and the hooks, keep the human form: their output is not a report of checks.
pub fn format_of(cli: &Cli) -> anyhow::Result<Format> {
    if let Some(format) = cli.format {
        return Ok(format);
    }
    if let Some(value) = crate::env::format() {
        return Format::from_str(&value, true).map_err(|_| {
            hinted(
                format!("RELGATE_FORMAT={value:?} is not an output format"),
                "set RELGATE_FORMAT to human, json or github, or unset it",
            )
        });
    }
    let speaks_github = match &cli.command {
        Command::Check(args) => !args.list,
        Command::Ci(CiCommand::Explain(_)) => true,
        _ => false,
    };
    Ok(if speaks_github && crate::env::github_actions() {
        Format::Github
    } else {
        Format::Human
    })
}

/// The global output flags every command honours.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: crate::cli::Format,
    pub quiet: bool,
    pub verbose: bool,
}

impl From<&ProjectArgs> for ProjectDir {
    fn from(args: &ProjectArgs) -> ProjectDir {
        ProjectDir {
            path: args.path.clone(),
            tag_format: args.tag_format.clone(),
        }
    }
}
