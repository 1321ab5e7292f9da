//! Which tools a project uses, from its own files, with zero configuration; each detection says why.
//!
//! Evidence, strongest first: the tool's configuration (what the catalogue's `configuration` names:
//! `[tool.ruff]`, `mypy.ini`, `[flake8]` in setup.cfg, `[tool.pytest.ini_options]`...), a pre-commit hook, a
//! tox/nox/hatch command that runs it (which also gives the arguments the project runs it with), and the
//! development dependencies that list it.

use std::path::Path;

use super::sources::{self, ToolCommand};
use crate::files::{self, ReadError};
use crate::toml_file::TomlFile;
use crate::tools::{Tool, configuration};

/// A detected tool: the reasons, and the command the project runs it with, when one was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub tool: &'static Tool,
    pub reasons: Vec<String>,
    pub command: Option<ToolCommand>,
    /// The `rev` of the pre-commit repository that runs it: the version pre-commit installs.
    pub pre_commit_rev: Option<String>,
}

impl Detection {
    /// The reasons on one line, e.g. `[tool.ruff] in pyproject.toml, ruff in [dependency-groups] dev`.
    pub fn reason(&self) -> String {
        const AT_MOST: usize = 3;
        let mut shown: Vec<&str> = self
            .reasons
            .iter()
            .take(AT_MOST)
            .map(String::as_str)
            .collect();
        let more = self.reasons.len().saturating_sub(AT_MOST);
        let tail = format!("and {more} more");
        if more > 0 {
            shown.push(&tail);
        }
        shown.join(", ")
    }
}

/// The tools the project in `dir` uses, in report order. Files that do not parse are passed over (the version
/// check reports a broken pyproject.toml); a file that cannot be read (a link out of the repository, a FIFO,
/// one over the size or YAML limits) is an error: what it would have shown is unknown.
/// `root` is the repository's (or the export's) root, where `.github/workflows` is; `dir` the project's.
pub fn detect(root: &Path, dir: &Path) -> anyhow::Result<Vec<Detection>> {
    let read = |name: &str| files::read_text(root, &dir.join(name)).map_err(ReadError::into_anyhow);
    let pyproject = read("pyproject.toml")?.and_then(|t| TomlFile::parse("pyproject.toml", t).ok());
    let py = pyproject.as_ref();
    let mut found: Vec<Detection> = Vec::new();
    let mut add = |tool: &'static Tool, reason: String, command: Option<ToolCommand>| {
        if let Some(d) = found.iter_mut().find(|d| d.tool == tool) {
            if !d.reasons.contains(&reason) {
                d.reasons.push(reason);
            }
            if d.command.is_none() {
                d.command = command.filter(|c| c.args.is_some());
            }
        } else {
            found.push(Detection {
                tool,
                reasons: vec![reason],
                command: command.filter(|c| c.args.is_some()),
                pre_commit_rev: None,
            });
        }
    };
    for (tool, reason) in
        configuration::configured(root, dir, py).map_err(ReadError::into_anyhow)?
    {
        add(tool, reason, None);
    }
    let hooks = sources::pre_commit(root, dir)?;
    for (tool, reason, _) in &hooks {
        add(tool, reason.clone(), None);
    }
    let subdir = dir.strip_prefix(root).unwrap_or(Path::new(""));
    let commands = sources::tox(root, dir, py)
        .and_then(|tox| Ok(tox.into_iter().chain(sources::nox(root, dir)?)))
        .and_then(|cmds| Ok(cmds.chain(sources::hatch(root, dir, py)?)))
        .map_err(ReadError::into_anyhow)?
        .chain(sources::workflows(root, subdir)?);
    for command in commands {
        let shown = match command.args.as_deref() {
            Some(args) if !args.is_empty() => {
                format!("{} {}", command.tool.label(), args.join(" "))
            }
            _ => command.tool.label(),
        };
        add(
            command.tool,
            format!("{}: {shown}", command.source),
            Some(command),
        );
    }
    for (tool, reason) in sources::dependencies(root, dir, py).map_err(ReadError::into_anyhow)? {
        add(tool, reason, None);
    }
    for (tool, _, rev) in hooks {
        if let Some(d) = found.iter_mut().find(|d| d.tool == tool) {
            d.pre_commit_rev = d.pre_commit_rev.take().or(rev);
        }
    }
    found.sort_by_key(|d| d.tool);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        detect(dir.path(), dir.path())
            .unwrap()
            .into_iter()
            .map(|d| (d.tool.name.to_owned(), d.reason()))
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn from_pyproject_tables() {
        assert_eq!(
            detected(&[(
                "pyproject.toml",
                "[tool.ruff]\nline-length = 100\n[tool.mypy]\nstrict = true\n[tool.pytest.ini_options]\ntestpaths = ['tests']\n[dependency-groups]\ndev = ['pytest', 'black']\n"
            )]),
            pairs(&[
                ("ruff", "[tool.ruff] in pyproject.toml"),
                ("black", "black in [dependency-groups] dev"),
                ("mypy", "[tool.mypy] in pyproject.toml"),
                (
                    "pytest",
                    "[tool.pytest.ini_options] in pyproject.toml, pytest in [dependency-groups] dev"
                ),
            ])
        );
    }

    #[test]
    fn ruff_format_needs_its_own_evidence() {
        assert_eq!(
            detected(&[(
                "ruff.toml",
                "line-length = 100\n[format]\nquote-style = 'single'\n"
            )]),
            pairs(&[
                ("ruff", "ruff.toml"),
                ("ruff-format", "[format] in ruff.toml")
            ])
        );
        assert_eq!(
            detected(&[("pyproject.toml", "[tool.ruff.lint]\nselect = ['E']\n")]),
            pairs(&[("ruff", "[tool.ruff] in pyproject.toml")])
        );
    }

    #[test]
    fn from_ini_files_and_layout() {
        assert_eq!(
            detected(&[
                (
                    "setup.cfg",
                    "[metadata]\nname = x\n[flake8]\nmax-line-length = 100\n[tool:pytest]\naddopts = -q\n[mypy]\n"
                ),
                (".isort.cfg", "[settings]\nprofile = black\n"),
                ("tests/test_x.py", ""),
            ]),
            pairs(&[
                ("isort", ".isort.cfg"),
                ("flake8", "[flake8] in setup.cfg"),
                ("mypy", "[mypy] in setup.cfg"),
                ("pytest", "[tool:pytest] in setup.cfg, a tests/ directory"),
            ])
        );
    }

    #[test]
    fn tox_gives_the_arguments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tox.ini"),
            "[testenv:type]\ncommands = mypy --strict src\n",
        )
        .unwrap();
        let found = detect(dir.path(), dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].reason(),
            "tox.ini [testenv:type]: mypy --strict src"
        );
        assert_eq!(
            found[0].command.as_ref().unwrap().args,
            Some(vec!["--strict".to_owned(), "src".to_owned()])
        );
    }

    #[test]
    fn nothing_in_an_empty_project() {
        assert!(detected(&[("pyproject.toml", "[project]\nname = 'x'\n")]).is_empty());
    }
}
