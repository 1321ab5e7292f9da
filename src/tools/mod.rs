//! The catalogue of the tools relgate runs for a project: one module per tool holds everything relgate knows
//! about it, as one [`Tool`]: its check, executable and distribution, the configuration that shows a project
//! uses it, its pre-commit hooks and GitHub actions, the command relgate runs and what it drops from the
//! project's, its exit codes, its output parser, and how its failure reads in a CI log. Detection and the
//! commands (`gates::quality`), the release workflow's tools (`gates::publish`) and the CI-log analysis
//! (`forensics`) ask the catalogue; no other module names a tool.
//!
//! Adding a tool: a module here whose `pub static TOOL: Tool` says what differs from [`Tool::DEFAULT`], and its
//! name in the `catalogue!` list below (the README's Development section has the recipe).
//!
//! Glossary: a tool's *check* is its name in the report (`ruff-format`); its *program* is the executable
//! (`ruff`), with a *subcommand* when one program runs several checks (`ruff format`). The shared vocabulary
//! is in [`configuration`] (what shows a project uses a tool), [`command`] (how it is run), [`verdict`] (what
//! its exit means), [`parse`] (its output) and [`log`] (its failure in a CI log).

pub mod command;
pub mod configuration;
mod layout;
pub mod log;
pub mod parse;
pub mod verdict;

use std::path::Path;

use self::command::{Action, Arguments, CacheEnv, Context, ReportFile};
use self::configuration::Configuration;
use self::log::{Log, Sighting};
use self::parse::Input;
use self::verdict::{Exit, Fix, Outcome};
use crate::outcome::{Finding, Kind, Status};
use crate::shell;

/// Declares the tool modules and the catalogue, in report order: a new tool is one more line.
macro_rules! catalogue {
    ($($tool:ident,)*) => {
        $(mod $tool;)*

        /// Every tool relgate runs, in the order their checks are reported.
        pub static CATALOGUE: &[&Tool] = &[$(&$tool::TOOL),*];
    };
}

catalogue! {
    ruff,
    ruff_format,
    black,
    isort,
    flake8,
    pylint,
    mypy,
    pyright,
    basedpyright,
    pytest,
}

/// Everything relgate knows about one tool. A tool module sets what differs from [`Tool::DEFAULT`].
pub struct Tool {
    /// The check's name, as in the report, `--skip` and `[tool.relgate.checks.NAME]`.
    pub name: &'static str,
    pub kind: Kind,
    /// The executable.
    pub program: &'static str,
    /// Other names of the executable (`py.test`).
    pub aliases: &'static [&'static str],
    /// The subcommand that runs this check, when the program runs several (`ruff check`, `ruff format`).
    pub subcommand: Option<&'static str>,
    /// The program without its subcommand, followed by nothing, an option or a file, runs this check (`ruff .`
    /// is `ruff check .` in ruff's older releases).
    pub bare: bool,
    /// The distribution on the package index: what to install, and whose `*.dist-info` gives its version.
    pub distribution: &'static str,
    /// It imports the project and its dependencies: it runs in the project's environment, never from an
    /// unrelated installation on PATH.
    pub imports_project: bool,
    /// The files and tables that show a project uses it.
    pub configuration: Configuration,
    /// The ids of the pre-commit hooks that run it.
    pub hook_ids: &'static [&'static str],
    /// The repositories that publish those hooks (the tool's own, or its mirror).
    #[expect(
        dead_code,
        reason = "recorded with the hook ids; the pre-commit reading that pins a tool by its repository comes next"
    )]
    pub hook_repos: &'static [&'static str],
    /// The GitHub actions that run it.
    pub actions: &'static [Action],
    /// relgate's own arguments, and what it checks when the project's command names nothing.
    pub arguments: fn(&Context) -> Arguments,
    /// Options of the project's arguments that relgate leaves out, with whether each takes a separate value:
    /// what would write files, or change the output relgate reads.
    pub drops: &'static [(&'static str, bool)],
    /// Arguments a configured `run` of the tool ends with too, so that it cannot rewrite the tree (relgate's
    /// own command has them among its arguments).
    pub safety: &'static [&'static str],
    /// `Some` for a tool that only reads files and never runs code from the project (no plugin of the
    /// project's, no report file its configuration names), which may then read the released tree in place
    /// (`gates::quality::place`); the list holds the options of the project's arguments that would make it
    /// write all the same (its fixes, its own cache or report file), which send it to an isolated copy. `None`:
    /// it always runs in an isolated copy of its own.
    pub reads_only: Option<&'static [&'static str]>,
    /// The variable that moves its cache out of the tree; every check gets it (a plugin may run the tool).
    pub cache_env: Option<CacheEnv>,
    /// Variables of its own, given relgate's state directory (pytest's `PYTEST_ADDOPTS`).
    pub env: fn(&Path) -> Vec<(String, String)>,
    /// Arguments that need the run's scratch directory, given the project directory and the scratch
    /// directory (a copy of a file the tool would rewrite).
    pub prepare: Option<fn(&Path, &Path) -> Vec<String>>,
    /// A report file relgate asks for (pytest's `JUnit` XML), read with the output.
    pub report: Option<ReportFile>,
    /// What an exit code means.
    pub exit: fn(i32) -> Exit,
    /// Its output as findings.
    pub parse: fn(&Input) -> Vec<Finding>,
    /// The one-line message of a pass or a failure, when the tool words it itself (pytest's counts).
    pub summary: Option<fn(&Outcome, Status) -> String>,
    /// How its findings are fixed.
    pub fix: Fix,
    /// The command to run by hand to see the whole output, when it is not the program alone.
    pub by_hand: Option<&'static str>,
    /// Its own report of a failure in a CI log.
    pub log: Option<fn(&dyn Log) -> Option<Sighting>>,
}

impl Tool {
    /// A tool that says nothing beyond its name: every module starts from it.
    pub const DEFAULT: Tool = Tool {
        name: "",
        kind: Kind::Lint,
        program: "",
        aliases: &[],
        subcommand: None,
        bare: false,
        distribution: "",
        imports_project: false,
        configuration: Configuration::NONE,
        hook_ids: &[],
        hook_repos: &[],
        actions: &[],
        arguments: command::no_arguments,
        drops: &[],
        safety: &[],
        reads_only: None,
        cache_env: None,
        env: command::no_env,
        prepare: None,
        report: None,
        exit: verdict::by_convention,
        parse: parse::nothing,
        summary: None,
        fix: Fix::None,
        by_hand: None,
        log: None,
    };

    /// How a command that runs it reads: `ruff check`, `ruff format`, `mypy`.
    pub fn label(&self) -> String {
        match self.subcommand {
            Some(sub) => format!("{} {sub}", self.program),
            None => self.program.to_owned(),
        }
    }

    /// Whether `program` (an executable's name) is this tool's.
    fn runs_as(&self, program: &str) -> bool {
        program.eq_ignore_ascii_case(self.program)
            || self.aliases.iter().any(|a| program.eq_ignore_ascii_case(a))
    }

    /// Its place in the catalogue.
    fn position(&self) -> usize {
        CATALOGUE
            .iter()
            .position(|t| t.name == self.name)
            .unwrap_or(usize::MAX)
    }
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Tools are the same when their checks are: names are unique in the catalogue.
impl PartialEq for Tool {
    fn eq(&self, other: &Tool) -> bool {
        self.name == other.name
    }
}

impl Eq for Tool {}

impl std::hash::Hash for Tool {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// In report order.
impl Ord for Tool {
    fn cmp(&self, other: &Tool) -> std::cmp::Ordering {
        self.position().cmp(&other.position())
    }
}

impl PartialOrd for Tool {
    fn partial_cmp(&self, other: &Tool) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The tool whose check is `name`.
pub fn by_name(name: &str) -> Option<&'static Tool> {
    CATALOGUE.iter().copied().find(|t| t.name == name)
}

/// The tool a distribution name stands for in a list of dependencies (`ruff>=0.5` is ruff's linter: the first
/// of the checks ruff's distribution runs).
pub fn by_distribution(name: &str) -> Option<&'static Tool> {
    CATALOGUE
        .iter()
        .copied()
        .find(|t| t.distribution.eq_ignore_ascii_case(name))
}

/// The tool a pre-commit hook id runs.
pub fn by_hook(id: &str) -> Option<&'static Tool> {
    CATALOGUE
        .iter()
        .copied()
        .find(|t| t.hook_ids.iter().any(|h| h.eq_ignore_ascii_case(id)))
}

/// The GitHub action `uses` names (`astral-sh/ruff-action@v3`), when it runs a tool of the catalogue.
pub fn action(uses: &str) -> Option<&'static Action> {
    let name = uses.split('@').next().unwrap_or(uses);
    CATALOGUE
        .iter()
        .flat_map(|t| t.actions)
        .find(|a| a.uses.eq_ignore_ascii_case(name))
}

/// The tool a command line runs and its arguments (those after the subcommand), seen through runners and
/// prefixes (`uv run`, `python -m`: `shell::program`). Strict: `ruff rule F401` runs no check, `ruff .` is
/// `ruff check .`.
pub fn invoked(words: &[String]) -> Option<(&'static Tool, &[String])> {
    let program = shell::program(words)?;
    let rest = &words[program.at + 1..];
    let first = rest.first().map(String::as_str);
    let mine = || {
        CATALOGUE
            .iter()
            .copied()
            .filter(|t| t.runs_as(&program.name))
    };
    if let Some(tool) = mine().find(|t| t.subcommand.is_some() && t.subcommand == first) {
        return Some((tool, &rest[1..]));
    }
    let bare =
        first.is_none_or(|f| f.starts_with('-') || f == "." || Path::new(f).extension().is_some());
    mine()
        .find(|t| t.subcommand.is_none() || (t.bare && bare))
        .map(|tool| (tool, rest))
}

/// The tool an executable `program` with its first argument `next` stands for, and whether `next` is its
/// subcommand. Loose: `ruff rule` is ruff's, whatever it does (to name what a step runs, not to run it).
pub fn by_program(program: &str, next: &str) -> Option<(&'static Tool, bool)> {
    let mine = || CATALOGUE.iter().copied().filter(|t| t.runs_as(program));
    mine()
        .find(|t| t.subcommand == Some(next))
        .map(|t| (t, true))
        .or_else(|| {
            mine()
                .find(|t| t.subcommand.is_none() || t.bare)
                .map(|t| (t, false))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        shell::words(line)
    }

    #[test]
    fn names_are_unique_and_lookups_round_trip() {
        let mut names: Vec<&str> = CATALOGUE.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        for tool in CATALOGUE {
            assert_eq!(by_name(tool.name), Some(*tool));
            assert!(!tool.program.is_empty() && !tool.distribution.is_empty());
            // A distribution that runs several checks stands for the first of them.
            let first = CATALOGUE
                .iter()
                .find(|t| t.distribution == tool.distribution)
                .unwrap();
            assert_eq!(by_distribution(tool.distribution), Some(*first));
            for id in tool.hook_ids {
                assert_eq!(by_hook(id), Some(*tool), "hook {id}");
            }
        }
        assert!(by_distribution("tox").is_none());
    }

    #[test]
    fn commands_name_their_tool() {
        let named = |line: &str| {
            let words = words(line);
            invoked(&words).map(|(t, args)| format!("{} {}", t.name, args.join(" ")))
        };
        assert_eq!(named("ruff check src").as_deref(), Some("ruff src"));
        assert_eq!(named("ruff .").as_deref(), Some("ruff ."));
        assert_eq!(
            named("uv run ruff format --check").as_deref(),
            Some("ruff-format --check")
        );
        assert_eq!(named("ruff rule F401"), None);
        assert_eq!(named("python -m py.test -x").as_deref(), Some("pytest -x"));
        assert_eq!(named("pip install ruff"), None);
        assert_eq!(
            by_program("ruff", "rule").map(|(t, sub)| (t.name, sub)),
            Some(("ruff", false))
        );
        assert_eq!(
            by_program("ruff", "format").map(|(t, sub)| (t.name, sub)),
            Some(("ruff-format", true))
        );
        assert!(action("astral-sh/ruff-action@v3").is_some());
        assert!(action("actions/checkout@v4").is_none());
    }

    #[test]
    fn report_order_is_the_catalogue_order() {
        let mut tools: Vec<&Tool> = CATALOGUE.iter().rev().copied().collect();
        tools.sort();
        assert_eq!(tools, CATALOGUE);
    }
}
