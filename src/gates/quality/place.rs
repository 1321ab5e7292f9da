//! Where each check runs: on the released tree as it is, or in an isolated copy of its own.
//!
//! The released tree is the working tree when it is exactly the released content; nothing that runs there may
//! write. So only tools that read files and never run code from the project run there, with relgate's own
//! command line, which keeps them read-only: ruff (`--no-fix`, `--check`), black (`--check`), isort
//! (`--check-only`), pyright and basedpyright (JSON on stdout, basedpyright's baseline copied), with every cache
//! outside the tree (`RUFF_CACHE_DIR`, `BLACK_CACHE_DIR`). Their caches are keyed by the files' paths, so the
//! working tree keeps them warm (a warm black run over 80 files takes half a second, a cold one tens of
//! seconds on a loaded machine); in an export they would start cold every time.
//!
//! Everything else runs in a copy of its own (`gates::Workspace::isolated`): pytest runs the project's tests;
//! mypy loads the plugins the project configures (its own modules among them) and writes the report files its
//! configuration names; flake8 loads `[flake8:local-plugins]` from the project. mypy's cache is checked by the
//! files' content, so it stays warm there. A configured `run` is the user's command, whatever it does, and
//! project arguments that would make a reader write (`--add-noqa`, `--cache-dir`, `--createstub`...) move it
//! to a copy too.

use super::tool::Tool;

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
pub fn place(tool: Tool, configured: bool, argv: &[String]) -> Place {
    let reader = matches!(
        tool,
        Tool::Ruff
            | Tool::RuffFormat
            | Tool::Black
            | Tool::Isort
            | Tool::Pyright
            | Tool::Basedpyright
    );
    if !reader || configured || argv.iter().skip(1).any(|a| writes(tool, a)) {
        Place::Isolated
    } else {
        Place::Tree
    }
}

/// Whether an argument makes a reading tool write a file: its fixes, its own cache or report file, stubs or a
/// baseline (from the tools' command-line references; an option given as `--opt=value` counts too).
fn writes(tool: Tool, arg: &str) -> bool {
    let flag = arg.split_once('=').map_or(arg, |(flag, _)| flag);
    let writing: &[&str] = match tool {
        Tool::Ruff | Tool::RuffFormat => &[
            "--fix",
            "--fix-only",
            "--add-noqa",
            "--cache-dir",
            "--output-file",
            "-o",
        ],
        Tool::Pyright | Tool::Basedpyright => {
            &["--createstub", "--writebaseline", "--baselinefile"]
        }
        // `--check` and `--check-only` cannot be undone by a later option; the caches are relgate's.
        Tool::Black | Tool::Isort => &[],
        Tool::Flake8 | Tool::Mypy | Tool::Pytest => return true,
    };
    writing.contains(&flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
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
        assert_eq!(place(Tool::Ruff, false, &ruff), Place::Tree);
        assert_eq!(place(Tool::Ruff, true, &ruff), Place::Isolated);
        let noqa = argv(&["ruff", "check", "--no-fix", "--add-noqa", "src"]);
        assert_eq!(place(Tool::Ruff, false, &noqa), Place::Isolated);
        let cache = argv(&["ruff", "format", "--check", "--cache-dir=.cache"]);
        assert_eq!(place(Tool::RuffFormat, false, &cache), Place::Isolated);
        let black = argv(&["black", "--check", "--line-length=79", "."]);
        assert_eq!(place(Tool::Black, false, &black), Place::Tree);
        let stub = argv(&["pyright", "--outputjson", "--createstub", "x"]);
        assert_eq!(place(Tool::Pyright, false, &stub), Place::Isolated);
    }

    #[test]
    fn tools_that_run_the_projects_code_are_isolated() {
        for tool in [Tool::Pytest, Tool::Mypy, Tool::Flake8] {
            assert_eq!(
                place(tool, false, &argv(&[tool.program()])),
                Place::Isolated
            );
        }
    }
}
