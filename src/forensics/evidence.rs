//! What a failed step's output says: the messages of the Python tools (the catalogue's, each read by its own
//! `log`, and unittest and the build frontends), of the wrappers that run them (tox, nox, pre-commit, make)
//! and of the network, each turned into an [`Evidence`] with a category and a telling message.
//!
//! Glossary: *strength* orders evidence of different kinds in one step: an index's refusal (6) names the
//! cause better than a tool's summary (4), which beats a network error seen in passing (3), a dependency that
//! could not be installed (2, often the network's doing), a tool known only from the command line (1) or
//! nothing at all (0). Between equals, the first in the log wins, then the first found (two tools that print
//! the same lines, flake8 and ruff's concise output: the catalogue's order).

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::line::{Line, Marker};
use super::{Category, tools};
use crate::tools::Tool;
use crate::tools::log::Log;

/// One finding about why the step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub category: Category,
    pub strength: u8,
    /// Position in the step's kept lines.
    pub at: usize,
    pub message: String,
    pub detail: Detail,
    /// The tool of the catalogue whose own report it is.
    pub tool: Option<&'static Tool>,
}

/// What the recommended action needs beyond the category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    /// The first failed test's node id (`tests/test_x.py::test_y`).
    Test(String),
    /// Trusted publishing found no publisher matching these claims.
    Publisher {
        repository: Option<String>,
        workflow: Option<String>,
        environment: Option<String>,
    },
    /// The job may not request an OIDC token (`id-token: write` missing).
    IdToken,
    /// An API token the index refused.
    Token,
    /// A password where the index wants a token.
    Password,
    /// Trusted publishing cannot create a project: a pending publisher is needed.
    NewProject,
    /// The file (and version) is already on the index.
    Exists {
        file: Option<String>,
        version: Option<String>,
    },
    /// The README does not render.
    Readme,
    /// The metadata version is newer than the uploader knows.
    MetadataVersion,
    /// Files the formatter would change.
    Reformat(Vec<String>),
    /// The runner ran out of disk or memory, or was shut down.
    Runner,
}

/// The tool wrapper that ran the failing command, for the reproduce command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wrapper {
    Tox {
        env: String,
        command: Option<String>,
    },
    Nox {
        session: String,
        command: Option<String>,
    },
    PreCommit {
        hook: String,
    },
    Make {
        target: String,
    },
}

/// The output lines of a step, as kept.
pub struct Lines<'a> {
    lines: &'a [(usize, Line)],
}

impl<'a> Lines<'a> {
    pub fn new(lines: &'a [(usize, Line)]) -> Lines<'a> {
        Lines { lines }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn text(&self, i: usize) -> &'a str {
        self.lines.get(i).map_or("", |(_, l)| l.text.as_str())
    }

    pub fn line(&self, i: usize) -> &'a Line {
        &self.lines[i].1
    }

    /// The line's index among all the step's lines (kept or not).
    pub fn index(&self, i: usize) -> usize {
        self.lines.get(i).map_or(0, |(index, _)| *index)
    }
}

impl Log for Lines<'_> {
    fn len(&self) -> usize {
        Lines::len(self)
    }

    fn text(&self, i: usize) -> &str {
        Lines::text(self, i)
    }
}

/// Everything the output says, and the wrapper it shows.
pub fn scan(lines: &Lines) -> (Vec<Evidence>, Option<Wrapper>) {
    let mut out = Vec::new();
    super::publish::scan(lines, &mut out);
    tools::scan(lines, &mut out);
    resolution(lines, &mut out);
    runner_resources(lines, &mut out);
    network(lines, &mut out);
    (out, wrapper(lines))
}

/// The strongest evidence; the first in the log between equals, then the first found.
pub fn best(evidence: &[Evidence]) -> Option<&Evidence> {
    evidence
        .iter()
        .fold(None, |best: Option<&Evidence>, e| match best {
            Some(b)
                if (b.strength, std::cmp::Reverse(b.at))
                    >= (e.strength, std::cmp::Reverse(e.at)) =>
            {
                Some(b)
            }
            _ => Some(e),
        })
}

pub(super) use crate::tools::log::{caps, matches};

pub(super) fn tool(category: Category, at: usize, message: String, detail: Detail) -> Evidence {
    Evidence {
        category,
        strength: TOOL,
        at,
        message,
        detail,
        tool: None,
    }
}

/// The strength of a tool's own report of its failure.
pub const TOOL: u8 = 4;

/// The runner's disk or memory ran out: the machine, not the project.
fn runner_resources(lines: &Lines, out: &mut Vec<Evidence>) {
    const NEEDLES: [&str; 4] = [
        "No space left on device",
        "You are running out of disk space",
        "The runner has received a shutdown signal",
        "MemoryError",
    ];
    if let Some(at) = (0..lines.len()).find(|&i| NEEDLES.iter().any(|n| lines.text(i).contains(n)))
    {
        out.push(Evidence {
            category: Category::Other,
            strength: 2,
            at,
            message: lines.text(at).trim().to_string(),
            detail: Detail::Runner,
            tool: None,
        });
    }
}

/// Dependencies that cannot be installed: the job's environment, not the code under test.
fn resolution(lines: &Lines, out: &mut Vec<Evidence>) {
    const NEEDLES: [&str; 5] = [
        "ERROR: Could not find a version that satisfies the requirement",
        "ERROR: No matching distribution found for",
        "ResolutionImpossible",
        "No solution found when resolving dependencies",
        "SolverProblemError",
    ];
    if let Some(at) = (0..lines.len()).find(|&i| NEEDLES.iter().any(|n| lines.text(i).contains(n)))
    {
        out.push(Evidence {
            category: Category::Other,
            strength: 2,
            at,
            message: lines
                .text(at)
                .trim()
                .trim_start_matches(['×', ' '])
                .to_string(),
            detail: Detail::None,
            tool: None,
        });
    }
}

/// Lines that say the network failed, whatever the tool.
fn network(lines: &Lines, out: &mut Vec<Evidence>) {
    const NEEDLES: [&str; 27] = [
        "Could not resolve host",
        "Temporary failure in name resolution",
        "Name or service not known",
        "nodename nor servname provided",
        "getaddrinfo ENOTFOUND",
        "EAI_AGAIN",
        "ECONNRESET",
        "ETIMEDOUT",
        "Connection reset by peer",
        "Connection timed out",
        "Max retries exceeded with url",
        "NewConnectionError",
        "ReadTimeoutError",
        "Read timed out",
        "RemoteDisconnected",
        "Network is unreachable",
        "502 Bad Gateway",
        "503 Service Unavailable",
        "504 Gateway Time",
        "fatal: unable to access",
        "error: RPC failed",
        "TLS handshake timeout",
        "i/o timeout",
        "socket hang up",
        "error sending request for url",
        "dns error",
        "CERTIFICATE_VERIFY_FAILED",
    ];
    let curl = |t: &str| {
        [
            "curl: (6)",
            "curl: (7)",
            "curl: (28)",
            "curl: (35)",
            "curl: (56)",
        ]
        .iter()
        .any(|c| t.contains(c))
    };
    // The last one: the fatal error after the retries' warnings.
    if let Some(at) = (0..lines.len()).rev().find(|&i| {
        let t = lines.text(i);
        NEEDLES.iter().any(|n| t.contains(n)) || curl(t)
    }) {
        out.push(Evidence {
            category: Category::Network,
            strength: 3,
            at,
            message: super::publish::message_at(lines, at),
            detail: Detail::None,
            tool: None,
        });
    }
}

static TOX_FAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:ERROR:\s+)?([\w.-]+): (?:FAIL code \d+|commands failed)").ok()
});
static TOX_EXIT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([\w.-]+): exit -?\d+ \([^)]*\) .*?> (.+?)(?: pid=\d+)?$").ok());
static NOX_FAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^nox > (?:Command (.+) failed with exit code \d+|Session (\S+) failed\.)").ok()
});
static MAKE_FAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:g?make)(?:\[\d+\])?: \*\*\* \[(?:[^\]:]+:\d+: )?([^\]]+)\] Error \d+").ok()
});
pub(super) static PRE_COMMIT_HOOK: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^- hook id: (\S+)$").ok());

/// The wrapper that ran the failing command: tox's env, nox's session, pre-commit's hook, make's target.
fn wrapper(lines: &Lines) -> Option<Wrapper> {
    let mut tox_command = None;
    let mut nox_command = None;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if let Some(c) = caps(&TOX_EXIT, text) {
            tox_command.get_or_insert((c[1].to_string(), c[2].to_string()));
            continue;
        }
        if let Some(c) = caps(&TOX_FAIL, text) {
            let env = c[1].to_string();
            let command = tox_command
                .as_ref()
                .filter(|(e, _)| *e == env)
                .map(|(_, c)| c.clone());
            return Some(Wrapper::Tox { env, command });
        }
        if let Some(c) = caps(&NOX_FAIL, text) {
            if let Some(command) = c.get(1) {
                nox_command.get_or_insert(command.as_str().to_string());
                continue;
            }
            if let Some(session) = c.get(2) {
                return Some(Wrapper::Nox {
                    session: session.as_str().to_string(),
                    command: nox_command,
                });
            }
        }
        if text.ends_with("Failed") && text.contains("....") {
            let hook = (i + 1..lines.len().min(i + 4)).find_map(|j| {
                caps(&PRE_COMMIT_HOOK, lines.text(j).trim()).map(|c| c[1].to_string())
            });
            if let Some(hook) = hook {
                return Some(Wrapper::PreCommit { hook });
            }
        }
        if let Some(c) = caps(&MAKE_FAIL, text) {
            return Some(Wrapper::Make {
                target: c[1].to_string(),
            });
        }
    }
    None
}

/// The category a pre-commit hook's id suggests, when its output says nothing recognisable: the catalogue's
/// tools by their hook ids, and the usual hooks of other tools.
pub fn hook_category(hook: &str) -> Option<Category> {
    if let Some(tool) = crate::tools::by_hook(hook) {
        return tools::category(tool.kind);
    }
    let hook = hook.to_ascii_lowercase();
    Some(match hook.as_str() {
        "trailing-whitespace"
        | "end-of-file-fixer"
        | "mixed-line-ending"
        | "prettier"
        | "autopep8"
        | "yapf"
        | "docformatter"
        | "pyupgrade" => Category::Format,
        "codespell"
        | "check-yaml"
        | "check-toml"
        | "check-ast"
        | "debug-statements"
        | "bandit"
        | "pydocstyle"
        | "check-merge-conflict" => Category::Lint,
        "pytest-check" => Category::Test,
        _ => return None,
    })
}

/// Paths in the runner's workspace (`/home/runner/work/demo/demo/src/x.py`, `D:\a\demo\demo\src\x.py`) as
/// the project knows them (`src/x.py`).
pub fn relative_to_workspace(text: &str) -> String {
    static WORKSPACE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?:/home/runner/work|/Users/runner/work|[A-Za-z]:\\a)[/\\]([^/\\\s]+)[/\\]([^/\\\s]+)[/\\]",
        ).ok()
    });
    match WORKSPACE.as_ref() {
        Some(re) => re
            .replace_all(text, |c: &Captures| {
                if c[1] == c[2] {
                    String::new()
                } else {
                    c[0].to_string()
                }
            })
            .into_owned(),
        None => text.to_string(),
    }
}

/// Lines that are the runner's, not the step's: group markers, commands, the runner's failure lines.
pub fn is_noise(line: &Line) -> bool {
    matches!(
        line.marker,
        Marker::Group | Marker::EndGroup | Marker::Debug | Marker::Command
    ) || (line.marker == Marker::Error && super::line::is_runner_error(&line.text))
        || line.text.trim().is_empty()
}
