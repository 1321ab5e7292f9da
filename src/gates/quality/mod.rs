//! The project's own linters, formatters, type checkers and tests: which it uses ([`detect`]), where they
//! are installed ([`env`]), how they are run ([`commands`]), and what their exit and output mean
//! ([`conclude`]). What each tool is, from its configuration to its parser, is in the catalogue
//! (`crate::tools`); this module is the same for every tool.
//!
//! [`plan`] decides everything without running a tool (what `relgate checks` prints, and the fingerprint a
//! cached pass is keyed on); [`run_one`] runs one planned check and always returns a verdict.
//!
//! Glossary: a *detected* check is one of the catalogue's tools, found from the project's files or named in
//! `[tool.relgate.checks.NAME]`; a *custom* check is any other configured name (see `gates::custom`).

mod commands;
mod conclude;
mod detect;
mod env;
mod place;
mod sources;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use self::place::Place;
pub use self::sources::{REQUIREMENTS_FILES, is_development_extra};
use crate::config::Config;
use crate::gates::{GateContext, Isolated, Purpose, Selection, Workspace};
use crate::outcome::{CheckResult, Kind, Status};
use crate::process::{self, Ended, SpawnError, Spec};
use crate::tools::parse::Input;
use crate::tools::{CATALOGUE, Tool};

/// How much of a tool's output is kept (head and tail).
const MAX_OUTPUT: usize = 4 * 1024 * 1024;

/// A check decided but not run.
#[derive(Debug, Clone)]
pub struct PlannedCheck {
    pub name: String,
    pub kind: Kind,
    pub tool: &'static Tool,
    /// The resolved command: the executable's absolute path, then its arguments.
    pub argv: Vec<String>,
    /// The released project's directory (the working tree, or an export): where it runs in [`Place::Tree`].
    pub cwd: PathBuf,
    /// Where it runs: on the released tree as it is, or in an isolated copy of its own.
    pub place: Place,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub required: bool,
    /// Why the check runs (what detected it, or the configuration).
    pub reason: String,
    /// The tool's version, when known.
    pub version: Option<String>,
    /// The executable as the report shows it (relative to the project when inside it).
    pub executable: Option<String>,
    /// Where the tools come from (`.venv, a uv project`, `PATH`...).
    pub environment: String,
    /// What must change for a cached pass to be invalid: executable, version, argv, environment identity.
    pub fingerprint: String,
    /// Why relgate chose these arguments, when it did (e.g. mypy's targets).
    pub note: Option<String>,
    /// Set when the check cannot run: the error message and the next action (a missing tool).
    pub unavailable: Option<(String, String)>,
    /// The tool's report file is requested when it runs (pytest's `-o junit_family=xunit1 --junitxml=<temp>`).
    pub report: bool,
    /// What the command checks, repeated in fix commands (`ruff format src`); empty for a configured `run`.
    pub targets: Vec<String>,
    /// The command is relgate's (machine-readable output options), not a configured `run`.
    pub detected_command: bool,
    /// The released tree is the user's working tree (not an export).
    pub in_place: bool,
    /// relgate's state directory, for caches that are only safe in place.
    pub state_dir: PathBuf,
    /// The configuration key that sets the timeout, for the message when it expires.
    pub timeout_key: String,
}

impl PlannedCheck {
    /// The command as `relgate checks` prints it: the report file is named when it runs.
    pub fn display_argv(&self) -> Vec<String> {
        let mut argv = self.argv.clone();
        argv.extend(self.report_args("<temp file>"));
        argv
    }

    /// The arguments that ask for the tool's report file at `path`, when it writes one.
    fn report_args(&self, path: &str) -> Vec<String> {
        match (self.report, self.tool.report) {
            (true, Some(report)) => (report.args)(path),
            _ => Vec::new(),
        }
    }
}

/// The detected checks this run selects, resolved (the registry validated their configuration). A tool that is
/// not installed is a planned check whose verdict is an error; a project file that cannot be read is an error of
/// the run: what it would have shown is unknown.
pub fn plan(ctx: &GateContext, selection: &Selection) -> anyhow::Result<Vec<PlannedCheck>> {
    let Some(workspace) = ctx.workspace else {
        return Ok(Vec::new());
    };
    let wanted: Vec<&'static Tool> = CATALOGUE
        .iter()
        .copied()
        .filter(|t| selection.check(t.name, t.kind))
        .filter(|t| ctx.config.checks.get(t.name).and_then(|c| c.enabled) != Some(false))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let detections = detect::detect(&workspace.root, &workspace.project_dir)?;
    let chosen: Vec<(&'static Tool, Option<&detect::Detection>)> = wanted
        .into_iter()
        .filter_map(|tool| {
            let detection = detections.iter().find(|d| d.tool == tool);
            let configured = ctx.config.checks.contains_key(tool.name);
            (detection.is_some() || configured).then_some((tool, detection))
        })
        .collect();
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let environment = env::resolve(ctx.local_project_dir);
    let state_dir = ctx.git_common_dir.join("relgate");
    let requests: Vec<commands::Request> = chosen
        .into_iter()
        .map(|(tool, detection)| commands::Request {
            tool,
            detection,
            run: ctx
                .config
                .checks
                .get(tool.name)
                .and_then(|s| s.run.as_deref()),
            environment: &environment,
            workspace,
            state_dir: &state_dir,
            name: ctx.name,
        })
        .collect();
    let found: Vec<_> = requests.iter().map(commands::executable).collect();
    // A version read from `*.dist-info` costs nothing; one asked with `--version` starts a process (ruff
    // from PATH, an entry point outside a distribution): ask them all at once.
    let versions: Vec<Option<String>> = std::thread::scope(|scope| {
        let jobs: Vec<_> = requests
            .iter()
            .zip(&found)
            .map(|(req, exe)| scope.spawn(move || tool_version(req.tool, exe.as_ref().ok()?)))
            .collect();
        jobs.into_iter().map(|j| j.join().ok().flatten()).collect()
    });
    let invocations: Vec<(
        &'static Tool,
        Option<&detect::Detection>,
        commands::Invocation,
    )> = requests
        .iter()
        .zip(found)
        .zip(&versions)
        .map(|((req, exe), version)| {
            let invocation = commands::invocation(req, exe, version.as_deref());
            (req.tool, req.detection, invocation)
        })
        .collect();
    let mut planned = Vec::new();
    for ((tool, detection, invocation), version) in invocations.into_iter().zip(versions) {
        let settings = ctx.config.checks.get(tool.name);
        let run = settings.and_then(|s| s.run.as_deref());
        let mut reason = match detection {
            Some(d) => d.reason(),
            None => format!(
                "{} in {}",
                config_key(ctx.config, tool.name, None),
                config_file(ctx.config)
            ),
        };
        if run.is_some() {
            reason.push_str("; command from ");
            reason.push_str(&config_key(ctx.config, tool.name, Some("run")));
        }
        let identity = invocation
            .executable
            .as_ref()
            .map(env::identity)
            .unwrap_or_default();
        let fingerprint = format!(
            "relgate-quality-1 tool={} version={} argv={:?} {identity}",
            tool.name,
            version.as_deref().unwrap_or("?"),
            invocation.argv,
        );
        let place = place::place(tool, run.is_some(), &invocation.argv);
        planned.push(PlannedCheck {
            name: tool.name.to_owned(),
            kind: tool.kind,
            tool,
            executable: invocation
                .executable
                .as_ref()
                .map(|e| environment.shown(&e.path)),
            argv: invocation.argv,
            cwd: workspace.project_dir.clone(),
            place,
            env: invocation.env,
            timeout: settings
                .and_then(|s| s.timeout)
                .map_or_else(|| ctx.config.check_timeout(), Duration::from_secs_f64),
            required: settings.and_then(|s| s.required).unwrap_or(true),
            reason,
            version,
            environment: environment.describe(),
            fingerprint,
            note: invocation.note,
            unavailable: invocation.not_found.map(|nf| (nf.message, nf.hint)),
            report: invocation.report,
            targets: invocation.targets,
            detected_command: run.is_none(),
            in_place: workspace.in_place,
            state_dir: state_dir.clone(),
            timeout_key: config_key(ctx.config, tool.name, Some("timeout")),
        });
    }
    Ok(planned)
}

/// Run one planned check to its verdict, in `workspace`. Blocking; never panics on the tool's behaviour.
pub fn run_one(check: &PlannedCheck, workspace: &Workspace) -> CheckResult {
    let mut result = CheckResult::new(&check.name, check.kind, Status::Error, "");
    result.command = Some(check.argv.clone());
    result.required = check.required;
    result.reason = Some(check.reason.clone());
    if let Some(note) = &check.note {
        result.reason = Some(format!("{}; {note}", check.reason));
    }
    if let Some((message, hint)) = &check.unavailable {
        result.message.clone_from(message);
        result.details.push(hint.clone());
        return result;
    }
    let scratch = match crate::process::ScratchDir::new("relgate-check-") {
        Ok(dir) => dir,
        Err(e) => {
            result.message = format!(
                "cannot create a temporary directory for {}: {e}",
                check.name
            );
            result.details.push("check that TMPDIR is writable".into());
            return result;
        }
    };
    let mut argv = check.argv.clone();
    let mut env = check.env.clone();
    // A check that runs the project's code gets its own copy of the released content, deleted when it ends.
    let isolated = match check.place {
        Place::Tree => None,
        Place::Isolated => match workspace.isolated(Purpose::Run) {
            Ok(copy) => Some(copy),
            Err(e) => {
                result.message =
                    format!("cannot make an isolated copy of the released content: {e:#}");
                result
                    .details
                    .push("check that TMPDIR is writable and has room".into());
                return result;
            }
        },
    };
    let cwd = isolated
        .as_ref()
        .map_or_else(|| check.cwd.clone(), |copy| copy.project_dir.clone());
    if let Some(copy) = &isolated {
        // A configured script of the project runs from the copy too.
        if let Ok(rel) = Path::new(&argv[0]).strip_prefix(&check.cwd) {
            let moved = copy.project_dir.join(rel);
            if moved.is_file() {
                argv[0] = moved.display().to_string();
            }
        }
        env.extend(copy.env().into_iter().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }));
    }
    let report_path = scratch.path().join("report");
    argv.extend(check.report_args(&report_path.display().to_string()));
    if let Some(prepare) = check.tool.prepare {
        // Only for the tool's own program (a configured `run` may run something else).
        let runs_it = Path::new(&argv[0])
            .file_name()
            .is_some_and(|n| n == check.tool.program);
        if runs_it {
            argv.extend(prepare(&cwd, scratch.path()));
        }
    }
    result.command = Some(argv.clone());
    // Caches keyed by file path: kept warm in relgate's state directory for the working tree; an export's or
    // a copy's paths are new every time, so their caches go with the scratch directory.
    let cache_root = if check.in_place && check.place == Place::Tree {
        check.state_dir.as_path()
    } else {
        scratch.path()
    };
    env.extend(commands::cache_env(cache_root, true));
    let spec = Spec {
        argv: argv.iter().map(OsString::from).collect(),
        cwd: cwd.clone(),
        env: env.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        env_remove: vec!["PYTHONHOME".into()],
        timeout: check.timeout,
        max_output: MAX_OUTPUT,
    };
    let finished = match process::run(&spec) {
        Ok(finished) => finished,
        Err(SpawnError::NotFound(program)) => {
            result.message = format!("{program} disappeared before it could run");
            result.details.push(format!(
                "reinstall {}, then run relgate again",
                check.tool.distribution
            ));
            return result;
        }
        Err(e) => {
            result.message = e.to_string();
            result.details.push(format!(
                "check that {} is a working executable (a virtualenv whose Python was removed cannot start its tools)",
                argv[0]
            ));
            return result;
        }
    };
    let elapsed = finished.elapsed;
    let code = match finished.ended {
        Ended::Exited(code) => code,
        Ended::Signaled(signal) => {
            result.message = format!(
                "{} was killed by {}",
                check.name,
                process::signal_name(signal)
            );
            if signal == libc::SIGKILL {
                result.details.push(
                    "the system may have run out of memory; run the tool alone to see".into(),
                );
            }
            return result.took(elapsed);
        }
        Ended::TimedOut => {
            result.message = format!(
                "{} did not finish within {} and was stopped",
                check.name,
                crate::duration::limit(check.timeout)
            );
            result.details.push(format!(
                "raise the limit: {} = {} (seconds), or `timeout` for every check",
                check.timeout_key,
                (check.timeout.as_secs() * 2).max(60)
            ));
            return result.took(elapsed);
        }
        Ended::Interrupted => {
            result.message = "interrupted before it finished".into();
            return result.took(elapsed);
        }
        Ended::Cancelled => {
            result.status = Status::Skipped;
            result.message = process::cancelled_message();
            return result.took(elapsed);
        }
    };
    let report = if check.report {
        std::fs::read_to_string(&report_path).ok()
    } else {
        None
    };
    let parsed = (check.tool.parse)(&Input {
        output: &finished.output.text,
        project_dir: &cwd,
        kind: check.kind.as_str(),
        report: report.as_deref(),
    });
    let mut result = conclude::conclude(
        result,
        conclude::Exit {
            tool: check.tool,
            code,
            findings: parsed,
            output: &finished.output.text,
            truncated: finished.output.dropped > 0,
            counts: report
                .as_deref()
                .zip(check.tool.report)
                .and_then(|(text, r)| (r.counts)(text)),
            args: &check.targets,
            detected: check.detected_command,
        },
    );
    result.exit_code = Some(code);
    if result.status != Status::Pass {
        result
            .details
            .extend(isolated.as_ref().and_then(Isolated::carried_note));
    }
    if let Some(exe) = &check.executable {
        let version = check
            .version
            .as_deref()
            .map_or_else(String::new, |v| format!("{} {v}, ", check.tool.program));
        result.message = format!("{} ({version}{exe})", result.message);
    }
    result.took(elapsed)
}

/// The version of the tool a check runs: its executable's, or for `python -m TOOL` the distribution
/// installed in the interpreter's virtualenv.
fn tool_version(tool: &Tool, exe: &env::Executable) -> Option<String> {
    if exe.path.file_name().is_some_and(|n| n == tool.program) {
        env::version(exe, tool.distribution)
    } else {
        exe.venv
            .as_deref()
            .and_then(|venv| env::dist_version(venv, tool.distribution))
    }
}

/// `[tool.relgate.checks.NAME] KEY` (or `[checks.NAME]` in relgate.toml), for messages.
fn config_key(config: &Config, name: &str, key: Option<&str>) -> String {
    let table = config.key(&format!("checks.{name}"));
    match key {
        Some(key) => format!("[{table}] {key}"),
        None => format!("[{table}]"),
    }
}

fn config_file(config: &Config) -> &str {
    config.source.as_deref().unwrap_or("pyproject.toml")
}
