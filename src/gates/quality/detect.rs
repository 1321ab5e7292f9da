//! Which tools a project uses, from its own files, with zero configuration; each detection says why.
//!
//! Evidence, strongest first: the tool's configuration (`[tool.ruff]`, `mypy.ini`, `[flake8]` in setup.cfg,
//! `[tool.pytest.ini_options]`...), a pre-commit hook, a tox/nox/hatch command that runs it (which also gives
//! the arguments the project runs it with), and the development dependencies that list it. `ruff format` is
//! only detected with evidence of its own (`[tool.ruff.format]`, a hook, a command): a project that lints with
//! ruff may well format with black, or not at all.

use std::path::Path;

use super::sources::{self, ToolCommand};
use super::tool::Tool;
use crate::files::{self, ReadError};
use crate::python::ini::Ini;
use crate::toml_file::TomlFile;

/// A detected tool: the reasons, and the command the project runs it with, when one was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub tool: Tool,
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
    let mut add = |tool: Tool, reason: String, command: Option<ToolCommand>| {
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
    for (tool, reason) in configuration(root, dir, py).map_err(ReadError::into_anyhow)? {
        add(tool, reason, None);
    }
    let hooks = sources::pre_commit(root, dir)?;
    for (tool, reason, _) in &hooks {
        add(*tool, reason.clone(), None);
    }
    let subdir = dir.strip_prefix(root).unwrap_or(Path::new(""));
    let commands = sources::tox(root, dir, py)
        .and_then(|tox| Ok(tox.into_iter().chain(sources::nox(root, dir)?)))
        .and_then(|cmds| Ok(cmds.chain(sources::hatch(root, dir, py)?)))
        .map_err(ReadError::into_anyhow)?
        .chain(sources::workflows(root, subdir)?);
    for command in commands {
        let shown = match command.args.as_deref() {
            Some(args) if !args.is_empty() => format!("{} {}", label(command.tool), args.join(" ")),
            _ => label(command.tool).to_owned(),
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

/// The tool's own configuration files and tables. A configuration file counts when it can be read: the tool
/// reads it too.
fn configuration(
    root: &Path,
    dir: &Path,
    py: Option<&TomlFile>,
) -> Result<Vec<(Tool, String)>, ReadError> {
    let mut out = Vec::new();
    let in_pyproject = |path: &[&str]| py.is_some_and(|p| p.get(path).is_some());
    let read = |name: &str| files::read_text(root, &dir.join(name));
    let setup_cfg = Ini::parse(&read("setup.cfg")?.unwrap_or_default());
    let tox_ini = Ini::parse(&read("tox.ini")?.unwrap_or_default());
    let mut table = |tool: Tool, path: &[&str]| {
        if in_pyproject(path) {
            out.push((tool, format!("[{}] in pyproject.toml", path.join("."))));
            true
        } else {
            false
        }
    };

    table(Tool::Ruff, &["tool", "ruff"]);
    table(Tool::RuffFormat, &["tool", "ruff", "format"]);
    table(Tool::Black, &["tool", "black"]);
    table(Tool::Isort, &["tool", "isort"]);
    table(Tool::Flake8, &["tool", "flake8"]);
    table(Tool::Mypy, &["tool", "mypy"]);
    table(Tool::Pyright, &["tool", "pyright"]);
    table(Tool::Basedpyright, &["tool", "basedpyright"]);
    if !table(Tool::Pytest, &["tool", "pytest", "ini_options"]) {
        // pytest 9 reads `[tool.pytest]` natively.
        table(Tool::Pytest, &["tool", "pytest"]);
    }

    for name in ["ruff.toml", ".ruff.toml"] {
        if let Some(text) = read(name)? {
            out.push((Tool::Ruff, name.to_owned()));
            let format = TomlFile::parse(name, text).is_ok_and(|f| f.get(&["format"]).is_some());
            if format {
                out.push((Tool::RuffFormat, format!("[format] in {name}")));
            }
        }
    }
    let config_files: [(Tool, &str); 6] = [
        (Tool::Isort, ".isort.cfg"),
        (Tool::Flake8, ".flake8"),
        (Tool::Mypy, "mypy.ini"),
        (Tool::Mypy, ".mypy.ini"),
        (Tool::Pyright, "pyrightconfig.json"),
        (Tool::Pytest, "pytest.ini"),
    ];
    for (tool, name) in config_files {
        if read(name)?.is_some() {
            out.push((tool, name.to_owned()));
        }
    }
    let sections: [(Tool, &str, &str, &Ini); 7] = [
        (Tool::Isort, "setup.cfg", "isort", &setup_cfg),
        (Tool::Isort, "setup.cfg", "tool:isort", &setup_cfg),
        (Tool::Isort, "tox.ini", "isort", &tox_ini),
        (Tool::Flake8, "setup.cfg", "flake8", &setup_cfg),
        (Tool::Flake8, "tox.ini", "flake8", &tox_ini),
        (Tool::Mypy, "setup.cfg", "mypy", &setup_cfg),
        (Tool::Pytest, "setup.cfg", "tool:pytest", &setup_cfg),
    ];
    for (tool, file, section, ini) in sections {
        if ini.has_section(section) {
            out.push((tool, format!("[{section}] in {file}")));
        }
    }
    if tox_ini.has_section("pytest") {
        out.push((Tool::Pytest, "[pytest] in tox.ini".into()));
    }
    if dir.join("conftest.py").is_file() {
        out.push((Tool::Pytest, "conftest.py".into()));
    }
    for name in ["tests", "test"] {
        if dir.join(name).is_dir() {
            out.push((Tool::Pytest, format!("a {name}/ directory")));
        }
    }
    Ok(out)
}

/// How a command for the tool reads: `ruff check`, `ruff format`, `mypy`.
fn label(tool: Tool) -> &'static str {
    match tool {
        Tool::Ruff => "ruff check",
        Tool::RuffFormat => "ruff format",
        other => other.name(),
    }
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
            .map(|d| (d.tool.name().to_owned(), d.reason()))
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
