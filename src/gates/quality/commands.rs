//! The command line and environment of each check: the project's own arguments (from tox, nox or hatch)
//! or the tool's defaults, plus what relgate needs: machine-readable output, and nothing written into the
//! tree (caches under `<git dir>/relgate/`, no bytecode, no coverage data file, no `.hypothesis/`).

use std::path::{Path, PathBuf};

use super::detect::Detection;
use super::env::{self, Environment, Executable, NotFound};
use super::project::{flake8_extend_exclude, flake8_setting, mypy_targets};
use super::tool::Tool;
use crate::gates::Workspace;

/// How a check runs, before it runs.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The resolved argument vector (the executable's absolute path first).
    pub argv: Vec<String>,
    /// Variables set for the tool (besides those only known when it runs: see `run_env`).
    pub env: Vec<(String, String)>,
    pub executable: Option<Executable>,
    /// Why it cannot run: the executable was not found.
    pub not_found: Option<NotFound>,
    /// pytest writes a `JUnit` XML report (to a temporary file named when it runs).
    pub junit: bool,
    /// Why the arguments are what they are, when relgate chose them (e.g. mypy's targets).
    pub note: Option<String>,
}

/// What a check's command is built from.
pub struct Request<'a> {
    pub tool: Tool,
    pub detection: Option<&'a Detection>,
    /// `[tool.relgate.checks.NAME] run`: replaces the command, kept as written.
    pub run: Option<&'a [String]>,
    pub environment: &'a Environment,
    pub workspace: &'a Workspace,
    /// relgate's own directory (`<git common dir>/relgate`), for the tools' caches.
    pub state_dir: &'a Path,
    /// The project's declared name, to find its package.
    pub name: Option<&'a str>,
}

pub fn invocation(req: &Request) -> Invocation {
    let env = base_env(req);
    if let Some(run) = req.run {
        return configured(req, run, env);
    }
    let tool = req.tool;
    let pre_commit_rev = req.detection.and_then(|d| d.pre_commit_rev.as_deref());
    let found = req
        .environment
        .find(tool.program(), Some(tool), pre_commit_rev);
    let (program, executable, not_found) = match found {
        Ok(exe) => (exe.path.display().to_string(), Some(exe), None),
        Err(nf) => (tool.program().to_owned(), None, Some(nf)),
    };
    let project_args: Option<Vec<String>> = req
        .detection
        .and_then(|d| d.command.as_ref())
        .and_then(|c| c.args.as_deref())
        .map(|args| sanitize(tool, args));
    let mut note = None;
    let mut argv = vec![program];
    match tool {
        // `fix = true` in ruff's configuration would rewrite the files.
        Tool::Ruff => argv.extend(words(&["check", "--no-fix", "--output-format=json-lines"])),
        Tool::RuffFormat => {
            argv.extend(words(&["format", "--check"]));
            // `ruff format --check` writes JSON since 0.15 (its text is read before that).
            let version = executable.as_ref().and_then(|e| env::version(e, "ruff"));
            if version.as_deref().is_some_and(|v| at_least(v, (0, 15))) {
                argv.push("--output-format=json-lines".into());
            }
        }
        Tool::Black => argv.push("--check".into()),
        Tool::Isort => argv.push("--check-only".into()),
        Tool::Flake8 => {
            argv.push("--format=default".into());
            if flake8_setting(
                &req.workspace.root,
                &req.workspace.project_dir,
                "output-file",
            )
            .is_some()
            {
                // The configured report file would be written into the tree; the output is read here.
                argv.push("--output-file=/dev/stdout".into());
            }
            // flake8, unlike ruff and black, does not leave virtualenvs out by default.
            let venvs: Vec<&str> = [".venv", "venv"]
                .into_iter()
                .filter(|d| {
                    req.workspace
                        .project_dir
                        .join(d)
                        .join("pyvenv.cfg")
                        .is_file()
                })
                .collect();
            if !venvs.is_empty() {
                // On the command line the option replaces the configuration's own: keep those entries.
                let mut excluded =
                    flake8_extend_exclude(&req.workspace.root, &req.workspace.project_dir);
                excluded.extend(venvs.iter().map(|v| (*v).to_owned()));
                argv.push(format!("--extend-exclude={}", excluded.join(",")));
            }
        }
        Tool::Mypy => {
            let version = executable.as_ref().and_then(|e| env::version(e, "mypy"));
            if version.as_deref().is_none_or(|v| at_least(v, (1, 11))) {
                argv.extend(words(&["-O", "json"]));
            } else {
                argv.extend(words(&[
                    "--show-column-numbers",
                    "--show-error-codes",
                    "--no-pretty",
                    "--no-error-summary",
                    "--no-color-output",
                ]));
            }
            argv.push(format!(
                "--cache-dir={}",
                req.state_dir.join("mypy").display()
            ));
        }
        Tool::Pyright | Tool::Basedpyright => {
            argv.push("--outputjson".into());
            if let Some(python) = req.environment.python() {
                argv.push("--pythonpath".into());
                argv.push(python.display().to_string());
            }
        }
        Tool::Pytest => {
            argv.push("-o".into());
            argv.push(format!(
                "cache_dir={}",
                req.state_dir.join("pytest").display()
            ));
            let cov = executable
                .as_ref()
                .and_then(|e| e.venv.as_deref())
                .is_some_and(|v| env::has_distribution(v, "pytest-cov"));
            if cov {
                // Coverage writes .coverage and its reports into the tree; the gate is the tests' verdict.
                argv.push("--no-cov".into());
            }
        }
    }
    match project_args {
        Some(project) => argv.extend(project),
        None => match tool {
            Tool::Black | Tool::Isort => argv.push(".".into()),
            Tool::Mypy => {
                let (targets, why) =
                    mypy_targets(&req.workspace.root, &req.workspace.project_dir, req.name);
                argv.extend(targets);
                note = why;
            }
            _ => {}
        },
    }
    Invocation {
        argv,
        env,
        executable,
        not_found,
        junit: tool == Tool::Pytest,
        note,
    }
}

/// A configured `run`: the user's argv, its program found like a detected tool's (a path with a `/` is
/// relative to the project: the released one when the file is part of it, else the user's tree).
fn configured(req: &Request, run: &[String], env: Vec<(String, String)>) -> Invocation {
    let mut argv = run.to_vec();
    let program = &run[0];
    let (executable, not_found) = if program.contains('/') {
        let path = Path::new(program);
        let candidates: Vec<PathBuf> = if path.is_absolute() {
            vec![path.to_path_buf()]
        } else {
            vec![
                req.workspace.project_dir.join(path),
                req.environment.project_dir.join(path),
            ]
        };
        match candidates.into_iter().find(|p| p.is_file()) {
            Some(found) => (
                Some(Executable {
                    path: found,
                    venv: None,
                }),
                None,
            ),
            None => (
                None,
                Some(NotFound {
                    message: format!("{program} does not exist"),
                    hint: format!(
                        "fix [tool.relgate.checks.{}] run: a relative path starts at the project directory",
                        req.tool.name()
                    ),
                }),
            ),
        }
    } else {
        match req.environment.find(
            program,
            Some(req.tool).filter(|t| t.program() == program),
            req.detection.and_then(|d| d.pre_commit_rev.as_deref()),
        ) {
            Ok(exe) => (Some(exe), None),
            Err(nf) => (None, Some(nf)),
        }
    };
    if let Some(exe) = &executable {
        argv[0] = exe.path.display().to_string();
    }
    let ruff_check = req.tool == Tool::Ruff
        && Path::new(program).file_name().is_some_and(|n| n == "ruff")
        && run
            .get(1)
            .is_none_or(|sub| sub == "check" || sub.starts_with('-'));
    if ruff_check {
        // Whatever the command or ruff's `fix = true` says, the tree is not rewritten (the last flag wins).
        argv.push("--no-fix".into());
    }
    Invocation {
        argv,
        env,
        executable,
        not_found,
        junit: false,
        note: None,
    }
}

/// Variables every tool of the check gets: the environment activated, nothing written into the tree. A check
/// that runs in an isolated copy gets the copy's own (`gates::Isolated::env`) when it starts.
fn base_env(req: &Request) -> Vec<(String, String)> {
    let state = req.state_dir;
    let mut env: Vec<(String, String)> = vec![
        ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
        (
            "MYPY_CACHE_DIR".into(),
            state.join("mypy").display().to_string(),
        ),
        (
            "COVERAGE_FILE".into(),
            state
                .join("coverage")
                .join(".coverage")
                .display()
                .to_string(),
        ),
        (
            "HYPOTHESIS_STORAGE_DIRECTORY".into(),
            state.join("hypothesis").display().to_string(),
        ),
    ];
    if req.tool == Tool::Pytest {
        let mut addopts = crate::env::pytest_addopts().unwrap_or_default();
        if !addopts.is_empty() {
            addopts.push(' ');
        }
        addopts.push_str("-o ");
        addopts.push_str(&crate::shell::quote(&format!(
            "cache_dir={}",
            state.join("pytest").display()
        )));
        env.push(("PYTEST_ADDOPTS".into(), addopts));
    }
    env.extend(req.environment.activation());
    env
}

/// Whether a `MAJOR.MINOR...` version is at least `(major, minor)` (mypy writes `-O json` since 1.11).
fn at_least(version: &str, (major, minor): (u32, u32)) -> bool {
    let mut parts = version.split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
            .unwrap_or(0)
    });
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor)
}

/// The project's arguments without what would change files or the output format relgate reads (tox's
/// `ruff check --fix`, `black .` in a formatting environment, `mypy --junit-xml out.xml`...).
fn sanitize(tool: Tool, args: &[String]) -> Vec<String> {
    // (flag, takes a separate value)
    let dropped: &[(&str, bool)] = match tool {
        Tool::Ruff => &[
            ("--fix", false),
            ("--unsafe-fixes", false),
            ("--fix-only", false),
            ("--show-fixes", false),
            ("--watch", false),
            ("-w", false),
            ("--output-format", true),
            ("--format", true),
            ("--output-file", true),
            ("-o", true),
            ("--statistics", false),
            ("--diff", false),
        ],
        Tool::RuffFormat => &[
            ("--check", false),
            ("--diff", false),
            ("--output-format", true),
        ],
        Tool::Black => &[
            ("--check", false),
            ("--diff", false),
            ("--color", false),
            ("-q", false),
            ("--quiet", false),
        ],
        Tool::Isort => &[
            ("--check-only", false),
            ("--check", false),
            ("-c", false),
            ("--diff", false),
            ("--df", false),
        ],
        Tool::Flake8 => &[
            ("--format", true),
            ("--output-file", true),
            ("--tee", false),
        ],
        Tool::Mypy => &[
            ("-O", true),
            ("--output", true),
            ("--junit-xml", true),
            ("--html-report", true),
            ("--txt-report", true),
            ("--xml-report", true),
            ("--cobertura-xml-report", true),
            ("--linecount-report", true),
            ("--cache-dir", true),
            ("--install-types", false),
            ("--non-interactive", false),
            ("--pretty", false),
        ],
        Tool::Pyright | Tool::Basedpyright => &[
            ("--outputjson", false),
            ("--watch", false),
            ("-w", false),
            ("--writebaseline", false),
            ("--pythonpath", true),
        ],
        Tool::Pytest => &[
            ("--junitxml", true),
            ("--junit-xml", true),
            ("--junit-prefix", true),
        ],
    };
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((f, _)) if f.starts_with('-') => (f, true),
            _ => (arg.as_str(), false),
        };
        if let Some((_, takes_value)) = dropped.iter().find(|(f, _)| *f == flag) {
            if *takes_value && !inline_value {
                iter.next();
            }
            continue;
        }
        out.push(arg.clone());
    }
    out
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        words(v)
    }

    #[test]
    fn project_arguments_lose_what_would_write_files() {
        assert_eq!(
            sanitize(
                Tool::Ruff,
                &s(&["--fix", "--output-format", "github", "src"])
            ),
            ["src"]
        );
        assert_eq!(
            sanitize(Tool::Black, &s(&["--check", "--diff", "src", "tests"])),
            ["src", "tests"]
        );
        assert_eq!(
            sanitize(
                Tool::Mypy,
                &s(&["--strict", "-O", "text", "--junit-xml=x.xml", "src"])
            ),
            ["--strict", "src"]
        );
        assert_eq!(
            sanitize(Tool::Pytest, &s(&["-x", "--junitxml", "r.xml", "tests"])),
            ["-x", "tests"]
        );
    }

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert!(at_least("1.11.0", (1, 11)));
        assert!(at_least("2.4.1", (1, 11)));
        assert!(!at_least("1.10.1", (1, 11)));
        assert!(at_least("0.17.6", (0, 15)));
        assert!(!at_least("0.9.10", (0, 15)));
        assert!(at_least("1.0rc1", (1, 0)));
    }
}
