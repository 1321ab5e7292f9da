//! Where each check runs: on the released tree as it is, or in an isolated copy of its own.
//!
//! The released tree is the working tree when it is exactly the released content; nothing that runs there may
//! write. So only the tools the catalogue marks `reads_only` run there (ruff, ruff format, black, isort,
//! pyright, basedpyright: they read files and never run code from the project), with relgate's own command
//! line, which keeps them read-only (`--no-fix`, `--check`, `--check-only`, JSON on stdout, basedpyright's
//! baseline copied) and their caches outside the tree (`RUFF_CACHE_DIR`, `BLACK_CACHE_DIR`). ruff's and black's
//! caches are keyed by the files' paths, so the working tree keeps them warm (a warm black run over 80 files
//! takes half a second, a cold one tens of seconds on a loaded machine); in an export they would start cold
//! every time.
//!
//! Everything else runs in a copy of its own (`gates::Workspace::isolated`): pytest runs the project's tests;
//! mypy and pylint load the plugins the project configures (its own modules among them), and mypy writes the
//! report files its configuration names; flake8 loads `[flake8:local-plugins]` from the project. mypy's cache
//! is checked by the files' content, so it stays warm there. A configured `run` is the user's command, whatever
//! it does, and project arguments that would make a reader write (`--add-noqa`, `--cache-dir`,
//! `--createstub`...) move it to a copy too.

use crate::tools::Tool;

/// Where a check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The released tree as it is: read-only tools with relgate's own command line.
    Tree,
    /// An isolated copy of its own, made when the check starts.
    Isolated,
}

/// Where `tool` runs, given its command: `configured` when it comes from `[tool.relgate.checks.NAME] run`,
/// `argv` the whole command line.
pub fn place(tool: &Tool, configured: bool, argv: &[String]) -> Place {
    let Some(writing) = tool.reads_only else {
        return Place::Isolated;
    };
    let writes = |arg: &String| {
        let flag = arg.split_once('=').map_or(arg.as_str(), |(flag, _)| flag);
        writing.contains(&flag)
    };
    if configured || argv.iter().skip(1).any(writes) {
        Place::Isolated
    } else {
        Place::Tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::{CATALOGUE, by_name};

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn tool(name: &str) -> &'static Tool {
        by_name(name).unwrap()
    }

    #[test]
    fn readers_stay_in_the_tree_unless_told_to_write() {
        let ruff = argv(&[
            "ruff",
            "check",
            "--no-fix",
            "--output-format=json-lines",
            "src",
        ]);
        assert_eq!(place(tool("ruff"), false, &ruff), Place::Tree);
        assert_eq!(place(tool("ruff"), true, &ruff), Place::Isolated);
        let noqa = argv(&["ruff", "check", "--no-fix", "--add-noqa", "src"]);
        assert_eq!(place(tool("ruff"), false, &noqa), Place::Isolated);
        let cache = argv(&["ruff", "format", "--check", "--cache-dir=.cache"]);
        assert_eq!(place(tool("ruff-format"), false, &cache), Place::Isolated);
        let black = argv(&["black", "--check", "--line-length=79", "."]);
        assert_eq!(place(tool("black"), false, &black), Place::Tree);
        let stub = argv(&["pyright", "--outputjson", "--createstub", "x"]);
        assert_eq!(place(tool("pyright"), false, &stub), Place::Isolated);
    }

    #[test]
    fn tools_that_run_the_projects_code_are_isolated() {
        let isolated: Vec<&str> = CATALOGUE
            .iter()
            .filter(|t| place(t, false, &argv(&[t.program])) == Place::Isolated)
            .map(|t| t.name)
            .collect();
        assert_eq!(isolated, ["flake8", "pylint", "mypy", "pytest"]);
    }
}
