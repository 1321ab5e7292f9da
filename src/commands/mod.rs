//! One module per command; each orchestrates gates and ops and returns an [`Exit`] or an error.

mod check;
mod ci;
mod hook;
mod install;
mod list;
mod version;

use crate::Exit;
use crate::cli::{Cli, Command};

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
        Command::Check(args) => check::run(&args, out),
        Command::Checks(project) => list::run(
            &crate::cli::CheckArgs {
                project,
                ..crate::cli::CheckArgs::default()
            },
            out,
        ),
        Command::Version(args) => version::run(&args, out),
        Command::Install(args) => install::install(&args, out),
        Command::Uninstall(args) => install::uninstall(&args, out),
        Command::Hook(hook) => hook::run(hook, out),
        Command::Ci(command) => ci::run(&command, out),
    }
}

/// The global output flags every command honours.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: crate::cli::Format,
    pub quiet: bool,
    pub verbose: bool,
}
