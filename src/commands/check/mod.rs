//! `relgate check`: gate one release, print the report, exit with its verdict.
//!
//! A run starts from a [`Request`], built the same way from the command line and by the hooks; a [`Session`]
//! resolves it (the release, its tag, its workspace, the plan of checks), shared with `relgate checks`; [`gate`]
//! runs it and builds the report.

mod gate;
mod session;

use crate::cli::{CheckArgs, Format, SelectArgs};
use crate::commands::Output;
use crate::git::CommitId;
use crate::outcome::{Exit, Kind};
use crate::release::ProjectDir;
use crate::{output, report};

pub use self::gate::gate;
pub use self::session::Session;

/// What one run of the gate is asked to check.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub project: ProjectDir,
    /// `--tag NAME`; default: the release tags at HEAD.
    pub tag: Option<String>,
    /// The commit to gate in place of the tag's or HEAD's: the hooks pass the commit git is pushing or tagging
    /// (the tag may not exist yet, or may point elsewhere locally).
    pub commit: Option<CommitId>,
    pub only: Vec<Kind>,
    pub skip: Vec<String>,
    pub offline: bool,
    pub index_url: Option<String>,
    pub no_cache: bool,
    pub fail_fast: bool,
    pub jobs: Option<usize>,
}

impl From<&SelectArgs> for Request {
    fn from(select: &SelectArgs) -> Request {
        Request {
            project: (&select.project).into(),
            tag: select.tag.clone(),
            only: select.only.clone(),
            skip: select.skip.clone(),
            offline: select.offline,
            index_url: select.index_url.clone(),
            ..Request::default()
        }
    }
}

impl From<&CheckArgs> for Request {
    fn from(args: &CheckArgs) -> Request {
        Request {
            no_cache: args.no_cache,
            fail_fast: args.fail_fast,
            jobs: args.jobs,
            ..Request::from(&args.select)
        }
    }
}

pub fn run(args: &CheckArgs, out: Output) -> anyhow::Result<Exit> {
    let report = gate(&Request::from(args), out)?;
    match out.format {
        Format::Json => output::json(&report)?,
        Format::Github => {
            output::out(&report::github::render(&report, out.verbose, out.quiet));
            output::summary::append(&report::github::summary(&report));
        }
        Format::Human => output::out(&report::render(&report, out.verbose, out.quiet)),
    }
    Ok(report.exit())
}
