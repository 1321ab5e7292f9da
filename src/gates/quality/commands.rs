//! The command line and environment of each check: the project's own arguments (from tox, nox or hatch)
//! or the tool's defaults, plus what relgate needs (the tool's `arguments` in the catalogue): machine-readable
//! output, and nothing written into the tree (caches under `<git dir>/relgate/`, no bytecode, no coverage data
//! file, no `.hypothesis/`).

use std::path::{Path, PathBuf};

use super::detect::Detection;
use super::env::{self, Environment, Executable, NotFound};
use crate::gates::Workspace;
use crate::tools::command::{self, Context};
use crate::tools::{self, Tool};

/// How a check runs, before it runs.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The resolved argument vector (the executable's absolute path first).
    pub argv: Vec<String>,
    /// Variables set for the tool (besides those only known when it runs: the caches kept by path).
    pub env: Vec<(String, String)>,
    pub executable: Option<Executable>,
    /// Why it cannot run: the executable was not found.
    pub not_found: Option<NotFound>,
    /// The tool writes a report file (to a temporary file named when it runs).
    pub report: bool,
    /// Why the arguments are what they are, when relgate chose them (e.g. mypy's targets).
    pub note: Option<String>,
    /// What the command checks, as the project gave it or relgate chose it: repeated in fix commands
    /// (`ruff format src`). Empty for a configured `run`.
    pub targets: Vec<String>,
}

/// What a check's command is built from.
pub struct Request<'a> {
    pub tool: &'static Tool,
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

/// The executable a check runs: its program's, or a configured `run`'s.
pub fn executable(req: &Request) -> Result<Executable, NotFound> {
    let pre_commit_rev = req.detection.and_then(|d| d.pre_commit_rev.as_deref());
    let Some(run) = req.run else {
        return req
            .environment
            .find(req.tool.program, Some(req.tool), pre_commit_rev);
    };
    // A path with a `/` is relative to the project: the released one when the file is part of it, else the
    // user's tree.
    let program = &run[0];
    if !program.contains('/') {
        let tool = Some(req.tool).filter(|t| t.program == program);
        return req.environment.find(program, tool, pre_commit_rev);
    }
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
        Some(found) => Ok(Executable {
            path: found,
            venv: None,
        }),
        None => Err(NotFound {
            message: format!("{program} does not exist"),
            hint: format!(
                "fix [tool.relgate.checks.{}] run: a relative path starts at the project directory",
                req.tool.name
            ),
        }),
    }
}

/// The check's command, given its executable and the tool's version.
pub fn invocation(
    req: &Request,
    found: Result<Executable, NotFound>,
    version: Option<&str>,
) -> Invocation {
    let env = base_env(req);
    let (executable, not_found) = match found {
        Ok(exe) => (Some(exe), None),
        Err(nf) => (None, Some(nf)),
    };
    if let Some(run) = req.run {
        return configured(req, run, env, executable, not_found);
    }
    let tool = req.tool;
    let program = executable
        .as_ref()
        .map_or_else(|| tool.program.to_owned(), |e| e.path.display().to_string());
    let python = req.environment.python();
    let installed = |dist: &str| {
        executable
            .as_ref()
            .and_then(|e| e.venv.as_deref())
            .is_some_and(|v| env::has_distribution(v, dist))
    };
    let ours = (tool.arguments)(&Context {
        root: &req.workspace.root,
        project_dir: &req.workspace.project_dir,
        name: req.name,
        state_dir: req.state_dir,
        version,
        python: python.as_deref(),
        installed: &installed,
    });
    let project: Option<Vec<String>> = req
        .detection
        .and_then(|d| d.command.as_ref())
        .and_then(|c| c.args.as_deref())
        .map(|args| command::sanitize(tool.drops, args));
    let mut argv = vec![program];
    argv.extend(tool.subcommand.map(str::to_owned));
    argv.extend(ours.own);
    let (targets, note) = match project {
        Some(project) => (project, None),
        None => (ours.targets, ours.note),
    };
    argv.extend(targets.iter().cloned());
    Invocation {
        argv,
        env,
        executable,
        not_found,
        report: tool.report.is_some(),
        note,
        targets,
    }
}

/// A configured `run`: the user's argv, its program resolved; a command that runs the check's tool gets the
/// tool's `safety` arguments (ruff's `--no-fix`: whatever the command or ruff's `fix = true` says, the tree is
/// not rewritten; the last flag wins).
fn configured(
    req: &Request,
    run: &[String],
    env: Vec<(String, String)>,
    executable: Option<Executable>,
    not_found: Option<NotFound>,
) -> Invocation {
    let mut argv = run.to_vec();
    if let Some(exe) = &executable {
        argv[0] = exe.path.display().to_string();
    }
    if tools::invoked(run).is_some_and(|(tool, _)| tool == req.tool) {
        argv.extend(req.tool.safety.iter().map(|s| (*s).to_owned()));
    }
    Invocation {
        argv,
        env,
        executable,
        not_found,
        report: false,
        note: None,
        targets: Vec::new(),
    }
}

/// Variables every tool of the check gets: the environment activated, nothing written into the tree. A check
/// that runs in an isolated copy gets the copy's own (`gates::Isolated::env`) when it starts.
fn base_env(req: &Request) -> Vec<(String, String)> {
    let state = req.state_dir;
    let mut env: Vec<(String, String)> = vec![
        ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
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
    // Caches not keyed by path stay in relgate's state directory (those keyed by path: see `run_one`).
    env.extend(cache_env(state, false));
    env.extend((req.tool.env)(state));
    env.extend(req.environment.activation());
    env
}

/// The catalogue's cache variables whose caches are (or are not) keyed by path, under `root`: every check gets
/// them all, since a plugin may run a tool (pytest-mypy).
pub fn cache_env(root: &Path, by_path: bool) -> Vec<(String, String)> {
    tools::CATALOGUE
        .iter()
        .filter_map(|t| t.cache_env.map(|c| (t.name, c)))
        .filter(|(_, c)| c.by_path == by_path)
        .map(|(name, c)| (c.var.to_owned(), root.join(name).display().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        command::words(v)
    }

    fn tool(name: &str) -> &'static Tool {
        tools::by_name(name).unwrap()
    }

    #[test]
    fn project_arguments_lose_what_would_write_files() {
        let sanitize = |name, args: &[&str]| command::sanitize(tool(name).drops, &s(args));
        assert_eq!(
            sanitize("ruff", &["--fix", "--output-format", "github", "src"]),
            ["src"]
        );
        assert_eq!(
            sanitize("black", &["--check", "--diff", "src", "tests"]),
            ["src", "tests"]
        );
        assert_eq!(
            sanitize(
                "mypy",
                &["--strict", "-O", "text", "--junit-xml=x.xml", "src"]
            ),
            ["--strict", "src"]
        );
        assert_eq!(
            sanitize("pytest", &["-x", "--junitxml", "r.xml", "tests"]),
            ["-x", "tests"]
        );
    }

    #[test]
    fn caches_keyed_by_path_are_apart() {
        let root = Path::new("/state");
        let vars = |by_path| -> Vec<String> {
            cache_env(root, by_path)
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        };
        assert_eq!(
            vars(true),
            ["RUFF_CACHE_DIR=/state/ruff", "BLACK_CACHE_DIR=/state/black"]
        );
        assert_eq!(vars(false), ["MYPY_CACHE_DIR=/state/mypy"]);
    }
}
