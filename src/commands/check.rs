//! `relgate check`: resolve the release, run every gate, report.

use crate::Exit;
use crate::cli::{CheckArgs, ProjectArgs};
use crate::commands::Output;

pub fn run(_args: &CheckArgs, _out: Output) -> anyhow::Result<Exit> {
    anyhow::bail!("not yet")
}

pub fn list(_args: &ProjectArgs, _out: Output) -> anyhow::Result<Exit> {
    anyhow::bail!("not yet")
}
