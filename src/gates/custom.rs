//! Custom checks: `[tool.relgate.checks.NAME]` tables with a `run` command for a check relgate does not know
//! (docs, a licence scanner, a project script). The command runs as configured, as an argument vector and never
//! through a shell, in the project's directory of an isolated copy of the released content of its own (it may
//! be a script of the project, and write what it likes: the working tree never sees it); exit 0 passes.
//!
//! The project's virtualenv (found as for every check, see `crate::python::venv`) comes first on the command's
//! `PATH`, as if it were activated, and the copy's import root first on `PYTHONPATH`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cache;
use crate::config::Config;
use crate::env;
use crate::error::hinted;
use crate::gates::{Isolated, Purpose, Workspace, registry};
use crate::outcome::{CheckResult, Kind, Status};
use crate::process::{self, Ended, Spec};
use crate::python::venv;

/// How much output is kept (head and tail); the report shows the tail.
const MAX_OUTPUT: usize = 256 * 1024;
/// Lines of output shown under a failed check.
const EXCERPT_LINES: usize = 30;

/// A configured custom check, validated.
#[derive(Debug, Clone)]
pub struct CustomCheck {
    pub name: String,
    pub kind: Kind,
    pub run: Vec<String>,
    pub timeout: Duration,
    pub required: bool,
    /// Where the timeout comes from, e.g. `tool.relgate.checks.docs.timeout = 30`.
    timeout_source: String,
    /// The key that sets this check's timeout, for the hint after a timeout.
    timeout_key: String,
    /// `pyproject.toml:12`, for messages about the configuration.
    located: String,
}

/// The custom checks of this configuration (enabled ones), in name order; a table that is neither a check relgate
/// knows nor a complete custom check is a configuration error. The tables of the checks relgate knows are
/// validated by `gates::registry`.
pub fn plan(config: &Config) -> anyhow::Result<Vec<CustomCheck>> {
    let mut planned = Vec::new();
    for (name, settings) in &config.checks {
        let located = config.locate_check(name);
        let table = config.key(&format!("checks.{name}"));
        if registry::known_kind(name).is_some() {
            // A built-in check, or a tool whose `run` the quality gate runs itself.
            continue;
        }
        let Some(run) = &settings.run else {
            return Err(hinted(
                format!(
                    "{located}: [{table}] is not a check relgate runs, and it has no `run` command"
                ),
                format!(
                    "relgate's own checks are {}; for a check of your own, give its command and kind: run = [\"tool\", \"arg\"], kind = \"test\"",
                    registry::known_names().join(", ")
                ),
            ));
        };
        if settings.enabled == Some(false) {
            continue;
        }
        let Some(kind) = settings.kind else {
            return Err(hinted(
                format!("{located}: {table}.kind is missing: a custom check needs a kind"),
                format!(
                    "add kind = \"lint\" (or format, type, test, build, publish...) under [{table}]: --only and --skip select checks by kind"
                ),
            ));
        };
        let (timeout, timeout_source) = match (settings.timeout, config.timeout) {
            (Some(t), _) => (t, format!("{table}.timeout = {t}")),
            (None, Some(t)) => (t, format!("{} = {t}", config.key("timeout"))),
            (None, None) => (600.0, "the default".to_owned()),
        };
        planned.push(CustomCheck {
            name: name.clone(),
            kind,
            run: run.clone(),
            timeout: Duration::from_secs_f64(timeout),
            required: settings.required.unwrap_or(true),
            timeout_source,
            timeout_key: format!("{table}.timeout"),
            located,
        });
    }
    Ok(planned)
}

/// Where custom checks find their commands: the project's virtualenv first, then `PATH`.
#[derive(Debug, Clone)]
pub struct ToolEnv {
    venv: Option<PathBuf>,
    path: OsString,
}

impl ToolEnv {
    /// The environment for a project whose working-tree directory is `local_project_dir`.
    pub fn find(local_project_dir: &Path) -> ToolEnv {
        let venv = venv::find(local_project_dir).0.map(|v| v.root);
        let inherited = env::path().unwrap_or_default();
        let path = match &venv {
            Some(venv) => {
                let mut dirs = vec![venv.join("bin")];
                dirs.extend(std::env::split_paths(&inherited));
                std::env::join_paths(dirs).unwrap_or(inherited)
            }
            None => inherited,
        };
        ToolEnv { venv, path }
    }
}

impl CustomCheck {
    /// The command as configured, for the report and for `release-checks`.
    pub fn command(&self) -> String {
        process::display(&self.run)
    }

    /// What the verdict depends on besides the tree: the command and the identity of its executable. `None`
    /// when the executable is not found (the check then reports it, and nothing is recorded).
    pub fn fingerprint(&self, tools: &ToolEnv) -> Option<String> {
        let program = &self.run[0];
        let executable = if program.contains('/') && Path::new(program).is_relative() {
            // A script in the project: the checked tree already identifies it (and its place differs between
            // the working tree and an export).
            format!("in the project: {program}")
        } else {
            cache::executable_identity(&self.resolve(tools, Path::new("."))?)
        };
        Some(format!(
            "custom\nrun {:?}\nexecutable {executable}\nvenv {:?}",
            self.run, tools.venv
        ))
    }

    /// Run the check in an isolated copy of `workspace`'s released content.
    pub fn run(&self, tools: &ToolEnv, workspace: &Workspace) -> CheckResult {
        let command = self.command();
        let mut result = match workspace.isolated(Purpose::Run) {
            Ok(copy) => {
                let mut result = match self.resolve(tools, &copy.project_dir) {
                    Some(program) => self.execute(program, tools, &copy, &command),
                    None => self.not_found(tools),
                };
                if result.status != Status::Pass {
                    result.details.extend(copy.carried_note());
                }
                result
            }
            Err(e) => CheckResult::error(
                &self.name,
                self.kind,
                format!("cannot make an isolated copy of the released content: {e:#}"),
            )
            .detail("check that TMPDIR is writable and has room"),
        };
        result.command = Some(self.run.clone());
        result.required = self.required;
        result.reason = Some(format!("configured in {}", self.located));
        result
    }

    fn resolve(&self, tools: &ToolEnv, project_dir: &Path) -> Option<PathBuf> {
        let program = &self.run[0];
        if program.contains('/') {
            let path = project_dir.join(program);
            return path.is_file().then_some(path);
        }
        which::which_in(program, Some(&tools.path), project_dir).ok()
    }

    fn execute(
        &self,
        program: PathBuf,
        tools: &ToolEnv,
        copy: &Isolated,
        command: &str,
    ) -> CheckResult {
        let mut argv: Vec<OsString> = vec![program.into_os_string()];
        argv.extend(self.run[1..].iter().map(OsString::from));
        let mut env = vec![("PATH".into(), tools.path.clone())];
        if let Some(venv) = &tools.venv {
            env.push(("VIRTUAL_ENV".into(), venv.clone().into_os_string()));
        }
        env.extend(copy.env());
        let spec = Spec {
            argv,
            cwd: copy.project_dir.clone(),
            env,
            env_remove: Vec::new(),
            timeout: self.timeout,
            max_output: MAX_OUTPUT,
        };
        let finished = match process::run(&spec) {
            Ok(finished) => finished,
            Err(e) => {
                let mut r = CheckResult::error(
                    &self.name,
                    self.kind,
                    format!("cannot run `{command}`: {}", cause(&e)),
                );
                if let process::SpawnError::Io { source, .. } = &e {
                    if source.kind() == std::io::ErrorKind::PermissionDenied {
                        r.details.push(format!(
                            "make it executable (chmod +x {}), or run it through its interpreter in {}.run",
                            self.run[0], self.timeout_key.trim_end_matches(".timeout")
                        ));
                    }
                }
                return r;
            }
        };
        let name = &self.name;
        let result = match finished.ended {
            Ended::Exited(0) => {
                CheckResult::pass(name, self.kind, format!("`{command}` exited with 0"))
            }
            Ended::Exited(code) => {
                let mut r =
                    CheckResult::fail(name, self.kind, format!("`{command}` exited with {code}"));
                r.exit_code = Some(code);
                r.details.push(format!(
                    "run it yourself to see the whole output: {command}"
                ));
                r.details.extend(excerpt(&finished.output));
                r
            }
            Ended::Signaled(signal) => {
                let mut r = CheckResult::error(
                    name,
                    self.kind,
                    format!(
                        "`{command}` was killed by {} (signal {signal})",
                        process::signal_name(signal)
                    ),
                );
                r.details.push(format!("the command crashed or was killed from outside; run it yourself to see why: {command}"));
                r.details.extend(excerpt(&finished.output));
                r
            }
            Ended::TimedOut => {
                let mut r = CheckResult::error(
                    name,
                    self.kind,
                    format!(
                        "`{command}` did not finish within {} ({}) and was stopped",
                        crate::duration::limit(self.timeout),
                        self.timeout_source
                    ),
                );
                r.details.push(format!(
                    "if it needs longer, raise {} in {}; otherwise find out why it hangs: {command}",
                    self.timeout_key,
                    self.located.split(':').next().unwrap_or("pyproject.toml")
                ));
                r.details.extend(excerpt(&finished.output));
                r
            }
            Ended::Interrupted => CheckResult::error(name, self.kind, "interrupted"),
            Ended::Cancelled => CheckResult::skipped(name, self.kind, process::cancelled_message()),
        };
        result.took(finished.elapsed)
    }

    fn not_found(&self, tools: &ToolEnv) -> CheckResult {
        let program = &self.run[0];
        let table = self.timeout_key.trim_end_matches(".timeout");
        if program.contains('/') {
            let message = if Path::new(program).is_absolute() {
                format!("`{program}` does not exist")
            } else {
                format!("`{program}` was not found in the project")
            };
            return CheckResult::error(&self.name, self.kind, message).detail(format!(
                "commit the script, or fix {table}.run in {}",
                self.located
            ));
        }
        let message = match &tools.venv {
            Some(venv) => format!(
                "`{program}` was not found in {} or on PATH",
                venv.join("bin").display()
            ),
            None => format!(
                "`{program}` was not found on PATH, and the project has no virtualenv (VIRTUAL_ENV, .venv/ or venv/)"
            ),
        };
        CheckResult::error(&self.name, self.kind, message).detail(format!(
            "install {program} (e.g. into the project's virtualenv), or fix {table}.run in {}",
            self.located
        ))
    }
}

fn cause(e: &process::SpawnError) -> String {
    match e {
        process::SpawnError::NotFound(program) => format!("{program} was not found"),
        process::SpawnError::Io { source, .. } => source.to_string(),
    }
}

/// The last lines of the output, cleaned of colour codes and carriage-return redraws, under a heading.
fn excerpt(output: &process::Captured) -> Vec<String> {
    let text = output.text.trim_end();
    if text.is_empty() {
        return vec!["(no output)".to_owned()];
    }
    let lines: Vec<String> = text
        .lines()
        .map(|l| anstream::adapter::strip_str(l.rsplit('\r').next().unwrap_or(l)).to_string())
        .collect();
    let shown = lines.len().min(EXCERPT_LINES);
    let heading = if output.dropped > 0 {
        format!("output (last {shown} lines of {} bytes):", output.total)
    } else if lines.len() > shown {
        format!("output (last {shown} of {} lines):", lines.len())
    } else {
        "output:".to_owned()
    };
    std::iter::once(heading)
        .chain(
            lines[lines.len() - shown..]
                .iter()
                .map(|l| format!("  {l}")),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), toml).unwrap();
        Config::load(dir.path())
    }

    #[test]
    fn plan_validates_and_resolves_settings() {
        let c = config("[tool.relgate]\ntimeout = 30\n[tool.relgate.checks.docs]\nrun = ['sphinx-build', 'docs', 'out']\nkind = 'build'\n[tool.relgate.checks.lic]\nrun = ['reuse', 'lint']\nkind = 'lint'\ntimeout = 5\nrequired = false\n[tool.relgate.checks.off]\nrun = ['x']\nkind = 'lint'\nenabled = false\n[tool.relgate.checks.build]\ntimeout = 900\n[tool.relgate.checks.mypy]\nrequired = false\n").unwrap();
        let planned = plan(&c).unwrap();
        let got: Vec<(&str, Kind, u64, bool, &str)> = planned
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.kind,
                    p.timeout.as_secs(),
                    p.required,
                    p.timeout_source.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("docs", Kind::Build, 30, true, "tool.relgate.timeout = 30"),
                (
                    "lic",
                    Kind::Lint,
                    5,
                    false,
                    "tool.relgate.checks.lic.timeout = 5"
                ),
            ]
        );
        assert_eq!(planned[0].command(), "sphinx-build docs out");
    }

    #[test]
    fn missing_kind_names_the_key_and_line() {
        let err = plan(
            &config(
                "[project]\nname = 'x'\n\n[tool.relgate.checks.docs]\nrun = ['make', 'docs']\n",
            )
            .unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "pyproject.toml:4: tool.relgate.checks.docs.kind is missing: a custom check needs a kind"
        );
    }

    #[test]
    fn a_table_that_is_neither_known_nor_a_command_is_an_error() {
        let err =
            plan(&config("[tool.relgate.checks.mpyy]\nrequired = false\n").unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pyproject.toml:1: [tool.relgate.checks.mpyy] is not a check relgate runs, and it has no `run` command"
        );
    }

    #[test]
    fn excerpt_keeps_the_tail_clean() {
        let text = (1..=40)
            .map(|i| format!("\u{1b}[31mline {i}\u{1b}[0m"))
            .collect::<Vec<_>>()
            .join("\n");
        let out = process::Captured {
            total: text.len() as u64,
            text,
            dropped: 0,
        };
        let lines = excerpt(&out);
        assert_eq!(lines[0], "output (last 30 of 40 lines):");
        assert_eq!(lines[1], "  line 11");
        assert_eq!(lines.last().unwrap(), "  line 40");
        let progress = process::Captured {
            text: "10%\r50%\r100%\ndone\n".into(),
            dropped: 0,
            total: 19,
        };
        assert_eq!(excerpt(&progress), ["output:", "  100%", "  done"]);
    }
}
