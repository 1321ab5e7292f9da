//! `relgate version`: the declared version, where it comes from, and the tag it expects.

use crate::Exit;
use crate::cli::ProjectArgs;
use crate::commands::Output;

pub fn run(_args: &ProjectArgs, _out: Output) -> anyhow::Result<Exit> {
    anyhow::bail!("not yet")
}
