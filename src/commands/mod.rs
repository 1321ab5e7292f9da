//! One module per command; each orchestrates gates and ops and returns an [`Exit`] or an error.

mod check;
mod ci;
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
    match command {
        Command::Check(args) => check::run(&args, out),
        Command::Checks(args) => check::list(&args, out),
        Command::Version(args) => version::run(&args, out),
        Command::Ci(command) => ci::run(&command, out),
        Command::Install(_) | Command::Uninstall(_) | Command::Hook(_) => {
            Err(crate::error::hinted(
                "this command is not built yet",
                "see README.md for what works today",
            ))
        }
    }
}

/// The global output flags every command honours.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: crate::cli::Format,
    pub quiet: bool,
    pub verbose: bool,
}
