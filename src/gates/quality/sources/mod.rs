//! Where a project says which tools it runs, and how: tox and nox sessions, hatch scripts, CI workflows,
//! pre-commit hooks and the development dependencies it declares. These are read, never run (tox and nox
//! would build environments into the tree).
//!
//! This module reads command lines as tools (`tool_command`: the catalogue's `tools::invoked`, through tox's
//! own prefixes; INI files are read by `crate::python::ini`); the sources themselves are in `runners` (tox, nox,
//! hatch), `ci` (GitHub Actions, pre-commit) and `deps`.

mod ci;
mod deps;
mod runners;

pub use self::ci::{pre_commit, workflows};
pub use self::deps::{REQUIREMENTS_FILES, dependencies, is_development_extra};
pub use self::runners::{hatch, nox, tox};
use crate::shell;
use crate::tools::{self, Tool};

/// A command line a project runs a tool with, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCommand {
    pub tool: &'static Tool,
    /// The tool's arguments (after `check`/`format` for ruff), with tox/hatch placeholders resolved; `None`
    /// when they cannot be known (a CI expression, an action's inputs).
    pub args: Option<Vec<String>>,
    /// Where the command is written, e.g. `tox.ini [testenv:lint]`.
    pub source: String,
}

/// The tool a command line runs and its arguments, seen through runners and prefixes (`tools::invoked`) and
/// tox's own prefixes. `ruff` without a subcommand (older releases) is `ruff check`.
pub fn tool_command(words: &[String]) -> Option<(&'static Tool, Vec<String>)> {
    let mut i = 0;
    // tox: `- cmd` ignores the exit code; `py39: cmd` runs only in matching environments.
    if words.first().is_some_and(|w| w == "-" || w == "!") {
        i += 1;
    }
    if words.get(i).is_some_and(|w| is_factor(w)) {
        i += 1;
    }
    let (tool, args) = tools::invoked(&words[i..])?;
    Some((tool, resolve_placeholders(args)))
}

/// tox's and hatch's placeholders: `{posargs}`/`{args}` are dropped (or replaced by their default,
/// `{posargs:tests}`), `{toxinidir}`/`{tox_root}`/`{root}` is the project directory; an argument with any
/// other placeholder (an environment's own directory) is left out.
fn resolve_placeholders(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for arg in args {
        let posargs = ["{posargs", "{args"]
            .iter()
            .find_map(|p| arg.strip_prefix(p))
            .and_then(|rest| rest.strip_suffix('}'));
        if let Some(rest) = posargs {
            if let Some(default) = rest.strip_prefix(':') {
                out.extend(shell::words(default));
            }
            continue;
        }
        if arg == "[]" {
            continue;
        }
        let mut resolved = arg.clone();
        for root in ["{toxinidir}", "{tox_root}", "{root}"] {
            resolved = resolved.replace(&format!("{root}/"), "").replace(root, ".");
        }
        if resolved.contains('{') {
            continue;
        }
        out.push(resolved);
    }
    out
}

/// A tox factor condition (`py39:`, `lint,type:`, `!py27:`).
fn is_factor(word: &str) -> bool {
    word.len() > 1
        && word.ends_with(':')
        && word[..word.len() - 1].chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ',' | '-' | '_' | '.' | '!' | '{' | '}')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> Option<(&'static str, Vec<String>)> {
        tool_command(&shell::words(line)).map(|(t, args)| (t.name, args))
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tools_through_runners_and_placeholders() {
        assert_eq!(
            cmd("ruff check src tests"),
            Some(("ruff", s(&["src", "tests"])))
        );
        assert_eq!(cmd("ruff ."), Some(("ruff", s(&["."]))));
        assert_eq!(
            cmd("ruff format --check ."),
            Some(("ruff-format", s(&["--check", "."])))
        );
        assert_eq!(cmd("ruff rule F401"), None);
        assert_eq!(
            cmd("{envpython} -m pytest {posargs:tests}"),
            Some(("pytest", s(&["tests"])))
        );
        assert_eq!(
            cmd("- mypy {toxinidir}/src {posargs}"),
            Some(("mypy", s(&["src"])))
        );
        assert_eq!(
            cmd("py39: coverage run -m pytest -x"),
            Some(("pytest", s(&["-x"])))
        );
        assert_eq!(
            cmd("uv run --frozen --group dev mypy ."),
            Some(("mypy", s(&["."])))
        );
        assert_eq!(
            cmd("PYTHONWARNINGS=error pytest {envtmpdir}"),
            Some(("pytest", vec![]))
        );
        assert_eq!(cmd("pip install -e ."), None);
        assert_eq!(
            cmd("black --check src {args}"),
            Some(("black", s(&["--check", "src"])))
        );
    }
}
