//! The build check: build the sdist and wheel the way the release will, outside the project, and confirm that
//! their file names carry exactly the release's version.
//!
//! A dynamic version (a `__version__` file, setuptools-scm, hatch-vcs) is only known once the backend runs;
//! building is the one way to see the version that will be uploaded. The build runs in an isolated copy of
//! the released content of its own (`gates::Workspace::isolated`), exactly as CI checks it out: nothing it
//! writes (`build/`, `*.egg-info`, `dist/`) reaches the working tree or another check.
//!
//! Frontend: the project's virtualenv with `build` installed (`python -m build`), else `uv build`, else a
//! `python3` with `build`. The build runs without isolation (no download, no throwaway environment: seconds
//! faster, and it works offline) only when the interpreter holds everything the build asks for
//! ([`isolation`]); otherwise the frontend creates an isolated environment and installs the requirements from
//! the package index, as CI does.

mod frontend;
mod isolation;

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use pep440_rs::Version;

use self::frontend::uses_vcs_version;
pub use self::frontend::{BuildSystem, Frontend, build_system, find_frontend, identity};
use self::isolation::Decision;
use crate::gates::{GateContext, Purpose, Workspace};
use crate::outcome::{CheckResult, Kind};
use crate::process::{self, Ended, Spec};
use crate::python::dist_file;

pub const CHECK: &str = "build";

/// Build the released project with `frontend` and compare the artifacts' versions with `expected_version`
/// (`None`: no frontend was found, which is an error here).
pub fn check_build_using(
    ctx: &GateContext,
    frontend: Option<Frontend>,
    expected_version: &Version,
    timeout: Duration,
) -> CheckResult {
    let started = Instant::now();
    let Some(workspace) = ctx.workspace else {
        return CheckResult::skipped(
            CHECK,
            Kind::Build,
            "the released content is not available to build",
        );
    };
    let Some(system) = build_system(&workspace.project_dir) else {
        return CheckResult::skipped(
            CHECK,
            Kind::Build,
            "no build backend declared ([build-system] build-backend in pyproject.toml)",
        );
    };
    let Some(frontend) = frontend else {
        return CheckResult::error(
            CHECK,
            Kind::Build,
            "no build frontend found: neither `uv` nor a Python with the `build` package",
        )
        .detail("install one (`pipx install uv`, or `pip install build` in the project's virtualenv), or set [tool.relgate] build = false");
    };
    let mut result = run_build(&Build {
        workspace,
        system: &system,
        frontend: &frontend,
        expected: expected_version,
        timeout,
    })
    .took(started.elapsed());
    let tool = match &frontend {
        Frontend::PythonBuild { python } => python.display().to_string(),
        Frontend::Uv { uv, .. } => uv.display().to_string(),
    };
    result.reason = Some(format!(
        "build backend {} declared; frontend {} ({tool})",
        system.backend,
        frontend.label()
    ));
    result
}

struct Build<'a> {
    workspace: &'a Workspace,
    system: &'a BuildSystem,
    frontend: &'a Frontend,
    expected: &'a Version,
    timeout: Duration,
}

fn run_build(b: &Build) -> CheckResult {
    let copy = match b.workspace.isolated(Purpose::Build) {
        Ok(copy) => copy,
        Err(e) => {
            return CheckResult::error(
                CHECK,
                Kind::Build,
                format!("cannot make an isolated copy of the released content to build: {e:#}"),
            )
            .detail("check that TMPDIR is writable and has room");
        }
    };
    let out_dir = match crate::process::ScratchDir::new("relgate-dist-") {
        Ok(dir) => dir,
        Err(e) => {
            return CheckResult::error(
                CHECK,
                Kind::Build,
                format!("cannot create a directory for the built files: {e}"),
            );
        }
    };
    let out = out_dir.path();
    let project = copy.project_dir.clone();
    let mut env: Vec<(OsString, OsString)> = Vec::new();
    let mut notes = Vec::new();
    if uses_vcs_version(b.system) {
        // The copy becomes a throwaway repository borrowing the real objects and tags, so that the plugin sees
        // the history while git writes nothing into the user's repository (setuptools-scm strips GIT_*
        // variables, so a `gitdir:` link would let `git describe` refresh the user's index). A working tree
        // checked as it is builds on HEAD's history.
        let history = b.workspace.repo().ok().and_then(|repo| {
            let commit = match b.workspace.commit {
                Some(commit) => Some(commit),
                None if b.workspace.in_place => repo.head().ok().flatten(),
                None => None,
            };
            commit.map(|c| (c, repo))
        });
        match history {
            Some((commit, repo)) => {
                if let Err(e) =
                    repo.scratch_repo(commit, copy.root(), Some(&b.expected.to_string()))
                {
                    return CheckResult::error(
                        CHECK,
                        Kind::Build,
                        format!("cannot give the build the git history: {e:#}"),
                    );
                }
            }
            None => {
                env.push((
                    "SETUPTOOLS_SCM_PRETEND_VERSION".into(),
                    b.expected.to_string().into(),
                ));
                notes.push(
                    "the version comes from git, whose history relgate cannot give the build here: built with SETUPTOOLS_SCM_PRETEND_VERSION set to the release's version".to_owned(),
                );
            }
        }
    }
    let decision = isolation::decide(b.frontend.python(), b.system, &project, &env, b.timeout);
    let mut isolated = matches!(decision, Decision::Isolated { .. });
    if let Decision::Isolated { why, .. } = &decision {
        notes.push(format!(
            "built in an isolated environment, as CI does: {why}"
        ));
    }
    let (finished, command, how) = loop {
        let argv = build_argv(b.frontend, &project, out, isolated);
        let command: Vec<String> = argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let how = format!(
            "{}{}",
            b.frontend.label(),
            if isolated { "" } else { " without isolation" }
        );
        let finished = match process::run(&Spec {
            argv,
            cwd: project.clone(),
            env: env.clone(),
            env_remove: vec!["PYTHONPATH".into()],
            timeout: b.timeout,
            max_output: 64 * 1024,
        }) {
            Ok(finished) => finished,
            Err(e) => {
                let mut r =
                    CheckResult::error(CHECK, Kind::Build, format!("cannot run {how}: {e}"));
                r.command = Some(command);
                return r;
            }
        };
        // The frontend checks the requirements itself before it builds (`python -m build --no-isolation`
        // says "Missing dependencies"): when it finds one the interpreter's answer did not show (an extra's
        // dependency), build again in an isolated environment rather than report the maintainer's environment
        // as the project's failure.
        let missing = ["Missing dependencies", "Unmet dependencies"]
            .iter()
            .any(|m| finished.output.text.contains(m));
        if !isolated && missing && matches!(finished.ended, Ended::Exited(code) if code != 0) {
            notes.push(format!(
                "{how} found a build requirement missing in {}; built again in an isolated environment, as CI does",
                b.frontend.python().map_or_else(String::new, |p| p.display().to_string())
            ));
            isolated = true;
            let _ = std::fs::remove_dir_all(out);
            let _ = std::fs::create_dir_all(out);
            continue;
        }
        break (finished, command, how);
    };
    let mut result = match finished.ended {
        Ended::Exited(0) => verdict(out, b.expected, &how, b.frontend),
        Ended::Exited(code) if isolated && could_not_set_up(&finished.output.text) => {
            let mut r = CheckResult::error(
                CHECK,
                Kind::Build,
                format!(
                    "the build could not install its requirements into an isolated environment ({how} exited with {code}): the package index did not give them"
                ),
            );
            r.exit_code = Some(code);
            let missing = match &decision {
                Decision::Isolated { missing, .. } => missing.as_slice(),
                Decision::WithoutIsolation => &[],
            };
            let fix = match b.frontend.python() {
                Some(python) if !missing.is_empty() => format!(
                    "fix: install them into the project's environment, and relgate builds without isolation (offline too): {} -m pip install {}",
                    python.display(),
                    missing.iter().map(|m| crate::shell::quote(m)).collect::<Vec<_>>().join(" ")
                ),
                _ => "fix: check that the package index is reachable (PIP_INDEX_URL, UV_INDEX_URL), or set [tool.relgate] build = false".to_owned(),
            };
            r.details.push(fix);
            r.details.extend(tail(&finished.output.text, 12));
            r
        }
        Ended::Exited(code) => {
            let mut r = CheckResult::fail(
                CHECK,
                Kind::Build,
                match cause(&finished.output.text) {
                    Some(cause) => format!("the build failed ({how} exited with {code}): {cause}"),
                    None => format!("the build failed ({how} exited with {code})"),
                },
            );
            r.exit_code = Some(code);
            r.details.push(format!(
                "fix: run the same build in the project to see the whole output: {}",
                b.frontend.command(isolated)
            ));
            r.details.extend(tail(&finished.output.text, 20));
            r
        }
        Ended::Signaled(signal) => CheckResult::error(
            CHECK,
            Kind::Build,
            format!("{how} was killed by signal {signal}"),
        ),
        Ended::TimedOut => CheckResult::error(
            CHECK,
            Kind::Build,
            format!(
                "{how} did not finish within {}s and was stopped",
                b.timeout.as_secs()
            ),
        ),
        Ended::Interrupted => CheckResult::error(CHECK, Kind::Build, "interrupted"),
        Ended::Cancelled => CheckResult::skipped(
            CHECK,
            Kind::Build,
            "not finished: --fail-fast stopped it after another check failed",
        ),
    };
    result.command = Some(command);
    result.details.extend(notes);
    result
}

/// Whether an isolated build failed before the backend ran: the frontend could not install the build
/// requirements (no network, no index, no matching version), which says nothing about the project.
fn could_not_set_up(output: &str) -> bool {
    // `python -m build`: pip installing into the isolated environment failed.
    let pip = output.lines().any(|l| {
        l.starts_with("ERROR Command '[")
            && l.contains("'install'")
            && l.contains("returned non-zero exit status")
    });
    // `uv build`.
    let uv = [
        "Failed to resolve requirements from `build-system.requires`",
        "Failed to install requirements from `build-system.requires`",
        "Failed to resolve requirements from `setup.py` build",
        "Failed to install requirements from `setup.py` build",
    ]
    .iter()
    .any(|m| output.contains(m));
    pip || uv
}

fn build_argv(frontend: &Frontend, project: &Path, out: &Path, isolated: bool) -> Vec<OsString> {
    let mut argv: Vec<OsString> = Vec::new();
    match frontend {
        Frontend::PythonBuild { python } => {
            argv.extend([python.as_os_str().into(), "-m".into(), "build".into()]);
            argv.extend([
                "--sdist".into(),
                "--wheel".into(),
                "--outdir".into(),
                out.as_os_str().into(),
            ]);
            if !isolated {
                argv.push("--no-isolation".into());
            }
        }
        Frontend::Uv { uv, python } => {
            argv.extend([
                uv.as_os_str().into(),
                "build".into(),
                "--sdist".into(),
                "--wheel".into(),
            ]);
            argv.extend(["--out-dir".into(), out.as_os_str().into()]);
            if let Some(python) = python {
                argv.extend(["--python".into(), python.as_os_str().into()]);
            }
            if !isolated {
                argv.push("--no-build-isolation".into());
            }
        }
    }
    argv.push(project.as_os_str().into());
    argv
}

/// Compare the built files' versions with the release's, then let twine judge the metadata.
fn verdict(out: &Path, expected: &Version, how: &str, frontend: &Frontend) -> CheckResult {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let sdist = names.iter().find(|n| n.ends_with(".tar.gz"));
    let wheel = names.iter().find(|n| {
        Path::new(n.as_str())
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("whl"))
    });
    let (Some(sdist), Some(wheel)) = (sdist, wheel) else {
        return CheckResult::fail(
            CHECK,
            Kind::Build,
            format!(
                "{how} succeeded but did not produce both an sdist and a wheel (got: {})",
                names.join(", ")
            ),
        );
    };
    let mut wrong = Vec::new();
    for file in [sdist, wheel] {
        match dist_file::parse(file) {
            Some(built) if built.version == *expected => {}
            Some(built) => wrong.push(format!("{file} is version {}", built.version)),
            None => wrong.push(format!("{file} carries no PEP 440 version in its name")),
        }
    }
    if !wrong.is_empty() {
        return CheckResult::fail(
            CHECK,
            Kind::Build,
            format!("the built version is not the release's {expected}: {}", wrong.join("; ")),
        )
        .detail("the backend computes the version at build time: check its version source (e.g. [tool.hatch.version] path, setuptools-scm configuration) against the tag");
    }
    let twine = twine_check(out, &[sdist, wheel], frontend);
    let built = format!("built {sdist} and {wheel} with {how}");
    match twine {
        Twine::Passed => {
            CheckResult::pass(CHECK, Kind::Build, format!("{built}; twine check passed"))
        }
        Twine::Missing => CheckResult::pass(CHECK, Kind::Build, built)
            .detail("twine not found: the metadata was not checked with `twine check`"),
        Twine::Failed(lines) => {
            let mut r = CheckResult::fail(
                CHECK,
                Kind::Build,
                format!(
                    "{built}, but `twine check` rejects them: the index would refuse the upload"
                ),
            );
            r.details.extend(lines);
            r
        }
        Twine::Error(why) => CheckResult::pass(CHECK, Kind::Build, built)
            .detail(format!("twine check could not run: {why}")),
    }
}

enum Twine {
    Passed,
    Missing,
    Failed(Vec<String>),
    Error(String),
}

fn twine_check(out: &Path, files: &[&String], frontend: &Frontend) -> Twine {
    let beside = frontend
        .python()
        .and_then(Path::parent)
        .map(|bin| bin.join("twine"))
        .filter(|p| p.is_file());
    let Some(twine) = beside.or_else(|| which::which("twine").ok()) else {
        return Twine::Missing;
    };
    let mut argv: Vec<OsString> = vec![twine.into_os_string(), "check".into()];
    argv.extend(files.iter().map(|f| out.join(f).into_os_string()));
    match process::run(&Spec {
        argv,
        cwd: out.to_path_buf(),
        env: vec![("NO_COLOR".into(), "1".into())],
        env_remove: Vec::new(),
        timeout: Duration::from_secs(120),
        max_output: 32 * 1024,
    }) {
        Ok(f) if matches!(f.ended, Ended::Exited(0)) => Twine::Passed,
        Ok(f) if matches!(f.ended, Ended::Exited(_)) => Twine::Failed(tail(&f.output.text, 12)),
        Ok(_) => Twine::Error("it was stopped".into()),
        Err(e) => Twine::Error(e.to_string()),
    }
}

/// The line that says why a Python build failed: the last exception line (`ValueError: ...`), else the
/// frontend's last `ERROR` line.
fn cause(output: &str) -> Option<String> {
    let lines: Vec<&str> = output.lines().map(str::trim).collect();
    let exception = lines.iter().rev().find(|l| {
        l.split_once(": ").is_some_and(|(head, _)| {
            !head.is_empty()
                && !head.contains(' ')
                && (head.ends_with("Error") || head.ends_with("Exception"))
        })
    });
    exception
        .or_else(|| lines.iter().rev().find(|l| l.starts_with("ERROR ")))
        .map(|l| (*l).to_owned())
}

fn tail(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  {l}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cause_is_the_last_exception_line() {
        let output = "  File \"x.py\", line 3\nValueError: Can't parse version from tag 'v1.0.0'\nTIP pass --env-dir\nERROR Backend subprocess exited\n";
        assert_eq!(
            cause(output).as_deref(),
            Some("ValueError: Can't parse version from tag 'v1.0.0'")
        );
        assert_eq!(
            cause("ERROR Missing dependencies:\n\twheel\n").as_deref(),
            Some("ERROR Missing dependencies:")
        );
        assert_eq!(cause("all good\n"), None);
    }
}
