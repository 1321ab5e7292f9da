//! What a tool's exit means, and how its findings are fixed: the words `gates::quality` turns into a verdict
//! and a next action.

use crate::outcome::Finding;

/// What an exit code says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The code passes (warnings it printed are kept as findings).
    Pass,
    /// The tool found problems in the code: the check fails.
    Findings,
    /// The tool did not do its job: an error, unless it reported findings about the code that stopped it (a
    /// syntax error mypy could not get past, a test module pytest could not import), which fail. `why` words
    /// the error when the tool's exit code says more than its output.
    Trouble { why: Option<String> },
    /// The tool did not do its job, whatever it reported: an error, with what to do.
    Broken { why: String, hint: Option<String> },
}

/// The convention most tools follow: 0 passes, 1 reports violations, anything else is the tool failing (ruff
/// 2, mypy 2, pyright 2-4, black 123).
pub fn by_convention(code: i32) -> Exit {
    match code {
        0 => Exit::Pass,
        1 => Exit::Findings,
        _ => Exit::Trouble { why: None },
    }
}

/// What a report file counts: (tests, failed or erroring, skipped).
pub type Counts = (u32, u32, u32);

/// How a check ended, for a tool that words its own message.
pub struct Outcome<'a> {
    pub code: i32,
    pub findings: &'a [Finding],
    /// From the report file, when the tool wrote one.
    pub counts: Option<Counts>,
}

/// How a tool's findings are fixed: the next action under a failed check, and in `relgate ci`'s advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Nothing fixes them but an edit.
    None,
    /// `command` fixes the findings that carry a fix suggestion (ruff's safe fixes); `marker` shows them in the
    /// tool's text output.
    Some {
        command: &'static str,
        marker: &'static str,
    },
    /// `command PATHS` rewrites the files (a formatter): "`verb`: `command` PATHS"; the report says each file
    /// it would change is `changed`.
    Rewrite {
        command: &'static str,
        verb: &'static str,
        changed: &'static str,
    },
    /// `command ID...` runs the failed ones again.
    Rerun { command: &'static str },
}

impl Fix {
    /// The command that rewrites files, for a formatter.
    pub fn rewrite(self) -> Option<&'static str> {
        match self {
            Fix::Rewrite { command, .. } => Some(command),
            _ => None,
        }
    }
}
