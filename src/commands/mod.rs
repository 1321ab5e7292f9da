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

use crate::cli::{Cli, Command, ProjectArgs};
use crate::outcome::Exit;
use crate::release::ProjectDir;

pub fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    let Cli {
        command,
        format,
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
