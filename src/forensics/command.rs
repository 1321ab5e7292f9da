//! What a step ran: the tool behind each command of its script, seen through the wrappers Python projects put
//! in front of tools (`uv run`, `poetry run`, `python -m`, `hatch run`, `coverage run -m`...; read by
//! [`crate::shell`]), with what it does and how to run it again, and the tool behind a well-known action. The
//! catalogue's tools and actions are the catalogue's (`crate::tools`); the others relgate does not run are
//! named here.

use super::job::Header;
use crate::outcome::Kind;
use crate::shell;
use crate::tools::{self, Tool};

/// What a tool does, for the failure's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    Lint,
    Format,
    Type,
    Test,
    Build,
    /// Uploads to a package index.
    Publish,
    /// Validates distribution metadata (`twine check`).
    Check,
    /// Runs other tools: tox, nox, pre-commit, make, just...
    Wrapper,
    Install,
    Other,
}

/// One command of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The command as written in the step (continuation lines joined).
    pub line: String,
    /// The wrapper words before the tool: `uv run`, `python -m`...
    pub prefix: String,
    /// The tool, normalised: `ruff check`, `ruff format`, `pytest`, `twine upload`, `tox`...
    pub tool: String,
    pub kind: ToolKind,
    /// The words after the tool (and its subcommand).
    pub args: Vec<String>,
    /// The tool of the catalogue it runs.
    pub catalogued: Option<&'static Tool>,
}

impl Invocation {
    /// The same invocation with other arguments: `uv run pytest` + `tests/x.py::t`.
    pub fn with_args(&self, args: &str) -> String {
        let mut out = String::new();
        if !self.prefix.is_empty() {
            out.push_str(&self.prefix);
            out.push(' ');
        }
        out.push_str(&self.tool);
        if !args.is_empty() {
            out.push(' ');
            out.push_str(args);
        }
        out
    }
}

/// The commands of a step's script, in order.
pub fn invocations(script: &[String]) -> Vec<Invocation> {
    shell::commands(&script.join("\n"))
        .iter()
        .filter_map(|command| invocation(command))
        .collect()
}

/// The command an action stands for, when it wraps a tool.
pub fn from_action(header: &Header) -> Option<Invocation> {
    let uses = header.uses()?;
    let input = |key: &str| header.input(key).filter(|v| !v.is_empty());
    if let Some(action) = tools::action(uses) {
        let line = (action.command)(&|key| input(key).map(str::to_owned));
        return invocation(&line);
    }
    let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    let (line, kind) = match name.as_str() {
        "pre-commit/action" => {
            let extra = input("extra_args").unwrap_or("--all-files");
            (format!("pre-commit run {extra}"), ToolKind::Wrapper)
        }
        "pypa/gh-action-pypi-publish" => (uses.to_string(), ToolKind::Publish),
        "pypa/cibuildwheel" => ("cibuildwheel".into(), ToolKind::Build),
        "pyo3/maturin-action" => ("maturin build".into(), ToolKind::Build),
        "hynek/build-and-inspect-python-package" => ("python -m build".into(), ToolKind::Build),
        _ => return None,
    };
    let mut parsed = invocation(&line).unwrap_or(Invocation {
        line: line.clone(),
        prefix: String::new(),
        tool: line.clone(),
        kind,
        args: Vec::new(),
        catalogued: None,
    });
    parsed.kind = kind;
    Some(parsed)
}

const SHELL_WORDS: [&str; 12] = [
    "if", "then", "else", "elif", "fi", "for", "do", "done", "while", "echo", "cd", "export",
];

/// A command of a script, read through its prefixes and runners; `None` for shell syntax and builtins.
fn invocation(command: &str) -> Option<Invocation> {
    let words = shell::words(command);
    let program = shell::program(&words)?;
    let first = &words[program.start];
    if SHELL_WORDS.contains(&first.as_str()) || first.starts_with('$') {
        return None;
    }
    let sub = words.get(program.at + 1).map_or("", String::as_str);
    let catalogued = tools::by_program(&program.name, sub);
    let (tool, kind, args_from) = match catalogued {
        Some((t, true)) => (
            format!("{} {sub}", program.name),
            kind(t.kind),
            program.at + 2,
        ),
        Some((t, false)) => (program.name.clone(), kind(t.kind), program.at + 1),
        None => classify(&program.name, sub, program.at),
    };
    Some(Invocation {
        line: command.trim().to_string(),
        prefix: words[program.start..program.at].join(" "),
        tool,
        kind,
        args: words
            .get(args_from..)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
        catalogued: catalogued.map(|(t, _)| t),
    })
}

/// What a check of the catalogue does.
fn kind(kind: Kind) -> ToolKind {
    match kind {
        Kind::Lint => ToolKind::Lint,
        Kind::Format => ToolKind::Format,
        Kind::Type => ToolKind::Type,
        Kind::Test => ToolKind::Test,
        Kind::Build => ToolKind::Build,
        Kind::Publish => ToolKind::Publish,
        Kind::Version | Kind::Index => ToolKind::Other,
    }
}

/// A tool relgate does not run: its normalised name, what it does, and where its arguments start.
fn classify(tool: &str, sub: &str, at: usize) -> (String, ToolKind, usize) {
    let with_sub = |kind| (format!("{tool} {sub}"), kind, at + 2);
    let alone = |kind| (tool.to_string(), kind, at + 1);
    match tool {
        "autopep8" | "yapf" | "docformatter" | "blackdoc" => alone(ToolKind::Format),
        "pyflakes" | "pycodestyle" | "pydocstyle" | "bandit" | "codespell" | "vulture"
        | "pyroma" | "check-manifest" | "validate-pyproject" | "deptry" => alone(ToolKind::Lint),
        "dmypy" | "pytype" | "pyre" | "stubtest" => alone(ToolKind::Type),
        "ty" if sub == "check" => with_sub(ToolKind::Type),
        "unittest" | "nose2" | "ward" | "green" | "trial" | "behave" => alone(ToolKind::Test),
        "tox" | "nox" | "pre-commit" | "prek" | "make" | "just" | "task" | "invoke" | "inv"
        | "poe" => alone(ToolKind::Wrapper),
        "twine" if sub == "check" => with_sub(ToolKind::Check),
        "twine" if sub == "upload" => with_sub(ToolKind::Publish),
        "uv" | "poetry" | "hatch" | "flit" | "pdm" | "maturin" | "rye" => match sub {
            "publish" | "upload" => with_sub(ToolKind::Publish),
            "build" | "sdist" | "wheel" => with_sub(ToolKind::Build),
            "test" => with_sub(ToolKind::Test),
            "fmt" => with_sub(ToolKind::Lint),
            "check" if tool == "poetry" => with_sub(ToolKind::Check),
            "lock" | "sync" | "install" | "pip" | "add" | "venv" => with_sub(ToolKind::Install),
            _ => with_sub(ToolKind::Other),
        },
        "build" | "pyproject-build" | "cibuildwheel" => alone(ToolKind::Build),
        "pip" | "pip3" if sub == "wheel" => with_sub(ToolKind::Build),
        "pip" | "pip3" if sub == "install" => with_sub(ToolKind::Install),
        "setup.py" => match sub {
            "sdist" | "bdist_wheel" | "build" | "bdist" => with_sub(ToolKind::Build),
            "upload" => with_sub(ToolKind::Publish),
            "test" => with_sub(ToolKind::Test),
            _ => with_sub(ToolKind::Other),
        },
        _ => alone(ToolKind::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Invocation {
        let mut all = invocations(&[line.to_string()]);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn tools_through_wrappers() {
        let cases = [
            ("ruff check .", "", "ruff check", ToolKind::Lint),
            (
                "uv run ruff format --check",
                "uv run",
                "ruff format",
                ToolKind::Format,
            ),
            (
                "uv run --frozen --group dev mypy src",
                "uv run --frozen --group dev",
                "mypy",
                ToolKind::Type,
            ),
            (
                "poetry run pytest -x",
                "poetry run",
                "pytest",
                ToolKind::Test,
            ),
            (
                "python -m pytest tests",
                "python -m",
                "pytest",
                ToolKind::Test,
            ),
            (
                "python3.12 -X dev -m mypy .",
                "python3.12 -X dev -m",
                "mypy",
                ToolKind::Type,
            ),
            (
                "coverage run -m pytest",
                "coverage run -m",
                "pytest",
                ToolKind::Test,
            ),
            ("hatch run pytest", "hatch run", "pytest", ToolKind::Test),
            ("hatch run lint:check", "", "hatch run", ToolKind::Other),
            ("tox -e lint", "", "tox", ToolKind::Wrapper),
            (
                "pre-commit run --all-files",
                "",
                "pre-commit",
                ToolKind::Wrapper,
            ),
            (
                "FORCE_COLOR=1 uvx ruff check",
                "uvx",
                "ruff check",
                ToolKind::Lint,
            ),
            (
                "python -m twine upload dist/*",
                "python -m",
                "twine upload",
                ToolKind::Publish,
            ),
            (
                "twine check --strict dist/*",
                "",
                "twine check",
                ToolKind::Check,
            ),
            ("python -m build", "python -m", "build", ToolKind::Build),
            ("uv build", "", "uv build", ToolKind::Build),
            (
                "python setup.py sdist bdist_wheel",
                "python",
                "setup.py sdist",
                ToolKind::Build,
            ),
            (".venv/bin/pytest -q", "", "pytest", ToolKind::Test),
        ];
        for (line, prefix, tool, kind) in cases {
            let inv = one(line);
            assert_eq!(
                (inv.prefix.as_str(), inv.tool.as_str(), inv.kind),
                (prefix, tool, kind),
                "{line}"
            );
            assert_eq!(inv.line, line);
        }
    }

    #[test]
    fn scripts_split_into_commands() {
        let script = [
            "python -m pip install --upgrade pip".to_string(),
            "pip install -e .[dev] \\".to_string(),
            "  --no-cache-dir".to_string(),
            "# comment".to_string(),
            "ruff check . && ruff format --check .".to_string(),
            "pytest -q | tee out.txt".to_string(),
            "echo done".to_string(),
        ];
        let tools: Vec<String> = invocations(&script).into_iter().map(|i| i.tool).collect();
        assert_eq!(
            tools,
            [
                "pip install",
                "pip install",
                "ruff check",
                "ruff format",
                "pytest",
                "tee"
            ]
        );
        let inv = one("uv run pytest -x --cov");
        assert_eq!(
            inv.with_args("tests/t.py::test_a"),
            "uv run pytest tests/t.py::test_a"
        );
    }

    #[test]
    fn actions_stand_for_tools() {
        let header = Header {
            run: "astral-sh/ruff-action@v3".into(),
            script: Vec::new(),
            with: vec![("args".into(), "format --check".into())],
            ..Header::default()
        };
        let inv = from_action(&header).unwrap();
        assert_eq!(
            (inv.line.as_str(), inv.kind),
            ("ruff format --check", ToolKind::Format)
        );
        let header = Header {
            run: "psf/black@stable".into(),
            ..Header::default()
        };
        assert_eq!(from_action(&header).unwrap().line, "black --check --diff .");
    }
}
