//! `relgate publish auth`: placeholder while the command is written.

use crate::Exit;
use crate::cli::PublishCommand;
use crate::commands::Output;

pub fn run(_command: &PublishCommand, _out: Output) -> anyhow::Result<Exit> {
    Err(anyhow::anyhow!("relgate publish auth is not written yet"))
}
