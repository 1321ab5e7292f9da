//! The environment the tools run in, and the tools' executables and versions.
//!
//! The virtualenv is the project's, found by `crate::python::venv` (the same for every check); without one,
//! PATH. Executables are run directly from the environment's `bin/`: no manager start-up cost, and no
//! manager that creates or syncs an environment inside the tree (`uv run`, even with `--no-sync` or
//! `--frozen`, creates `.venv`; `poetry run` creates its environment). When a managed project's environment
//! does not exist, the tools that import the project report how to create it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, UNIX_EPOCH};

use regex::Regex;

use crate::process::{self, Ended, Spec};
use crate::python::name;
use crate::python::venv::{self, Manager, Venv};
use crate::tools::Tool;

/// Where the tools come from.
#[derive(Debug, Clone)]
pub struct Environment {
    pub venv: Option<Venv>,
    pub manager: Option<Manager>,
    /// The project's own directory in the user's tree, where relative paths in messages start.
    pub project_dir: PathBuf,
}

/// An executable a check runs, and the virtualenv it belongs to.
#[derive(Debug, Clone)]
pub struct Executable {
    pub path: PathBuf,
    pub venv: Option<PathBuf>,
}

/// Why a tool's executable was not found: the message and the next action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub message: String,
    pub hint: String,
}

/// The environment of the project in `local_project_dir` (the user's tree: exports carry no environment).
pub fn resolve(local_project_dir: &Path) -> Environment {
    let (venv, manager) = venv::find(local_project_dir);
    Environment {
        venv,
        manager,
        project_dir: local_project_dir.to_path_buf(),
    }
}

impl Environment {
    /// The interpreter of the environment, when there is one.
    pub fn python(&self) -> Option<PathBuf> {
        self.venv
            .as_ref()
            .map(|v| v.root.join("bin").join("python"))
            .filter(|p| p.exists())
    }

    /// The environment in a few words, for the report: `.venv`, `the Poetry environment (...)`, `PATH`.
    pub fn describe(&self) -> String {
        let managed = self
            .manager
            .map_or_else(String::new, |m| format!(", a {} project", m.name()));
        match (&self.venv, self.manager) {
            (Some(v), _) => format!("{}{managed}", v.label),
            (None, Some(m)) => format!(
                "PATH (the {} environment does not exist){managed}",
                m.name()
            ),
            (None, None) => "PATH".to_owned(),
        }
    }

    /// The executable of `program`: the environment's `bin/`, else PATH (never PATH for a tool that imports
    /// the project, when the project has an environment or a manager: it would test other code).
    ///
    /// A tool pinned by a pre-commit hook (`pre_commit_rev`) is also looked for in the hook environments
    /// pre-commit installed, at exactly that version, before PATH.
    pub fn find(
        &self,
        program: &str,
        tool: Option<&Tool>,
        pre_commit_rev: Option<&str>,
    ) -> Result<Executable, NotFound> {
        if let Some(venv) = &self.venv {
            let candidate = venv.root.join("bin").join(program);
            if is_executable(&candidate) {
                return Ok(Executable {
                    path: candidate,
                    venv: Some(venv.root.clone()),
                });
            }
        }
        let isolated = tool.is_some_and(|t| t.imports_project)
            && (self.venv.is_some() || self.manager.is_some());
        if let (Some(tool), Some(rev), false) = (tool, pre_commit_rev, isolated) {
            if let Some(found) = pre_commit_env(program, tool, rev) {
                return Ok(found);
            }
        }
        if !isolated {
            if let Ok(path) = which::which(program) {
                let venv = venv_of(&path);
                return Ok(Executable { path, venv });
            }
        }
        Err(self.not_found(program, tool, pre_commit_rev))
    }

    fn not_found(
        &self,
        program: &str,
        tool: Option<&Tool>,
        pre_commit_rev: Option<&str>,
    ) -> NotFound {
        let dist: &str = match tool {
            Some(t) => t.distribution,
            None => program,
        };
        let off = tool.map_or_else(String::new, |t| {
            format!(
                ", or switch the check off: [tool.relgate.checks.{}] enabled = false",
                t.name
            )
        });
        match (&self.venv, self.manager) {
            (Some(venv), Some(manager)) => NotFound {
                message: format!("{program} is not installed in {}", venv.label),
                hint: format!("install it: {}{off}", manager.add_command(dist)),
            },
            (Some(venv), None) => NotFound {
                message: format!("{program} is not installed in {}", venv.label),
                hint: format!(
                    "install it: {} -m pip install {dist}{off}",
                    self.shown(&venv.root.join("bin").join("python"))
                ),
            },
            (None, Some(manager)) => NotFound {
                message: format!(
                    "the project's {} environment does not exist, so {program} cannot run in it",
                    manager.name()
                ),
                hint: format!("create it: {}{off}", manager.create_command()),
            },
            (None, None) if tool.is_some_and(|t| t.imports_project) => NotFound {
                message: format!(
                    "{program} not found: no virtualenv (.venv, venv, VIRTUAL_ENV) and not on PATH"
                ),
                hint: format!(
                    "create the project's virtualenv with it: python3 -m venv .venv && .venv/bin/python -m pip install -e . {dist}{off}"
                ),
            },
            (None, None) if pre_commit_rev.is_some() => NotFound {
                message: format!(
                    "{program} not found: no virtualenv (.venv, venv, VIRTUAL_ENV), no pre-commit environment with {program} {}, and not on PATH",
                    pre_commit_rev.unwrap_or_default().trim_start_matches('v')
                ),
                hint: format!(
                    "let pre-commit install its hooks (pre-commit install-hooks), or install it: pipx install {dist}{off}"
                ),
            },
            (None, None) => NotFound {
                message: format!(
                    "{program} not found: no virtualenv (.venv, venv, VIRTUAL_ENV) and not on PATH"
                ),
                hint: format!("install it: pipx install {dist} (or uv tool install {dist}){off}"),
            },
        }
    }

    /// A path as the report shows it: relative to the project when inside it.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.project_dir)
            .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
    }

    /// What a tool run in this environment sees as activated: `VIRTUAL_ENV`, and the environment's `bin/`
    /// first on PATH (tests that start `python` get the project's interpreter, as in CI).
    pub fn activation(&self) -> Vec<(String, String)> {
        let Some(venv) = &self.venv else {
            return Vec::new();
        };
        let bin = venv.root.join("bin");
        let path = match crate::env::path() {
            Some(rest) => {
                let mut joined = bin.into_os_string();
                joined.push(":");
                joined.push(rest);
                joined
            }
            None => bin.into_os_string(),
        };
        vec![
            ("VIRTUAL_ENV".into(), venv.root.display().to_string()),
            ("PATH".into(), path.to_string_lossy().into_owned()),
        ]
    }
}

/// What must change for a cached pass of an executable to be invalid: its real path and modification time,
/// and the installed packages of the virtualenv it runs in (the site-packages directories' times change
/// when a package is installed or removed).
pub fn identity(exe: &Executable) -> String {
    let real = exe.path.canonicalize().unwrap_or_else(|_| exe.path.clone());
    let mut out = format!("exe={} mtime={}", real.display(), mtime(&real));
    if let Some(venv) = &exe.venv {
        let python = venv.join("bin").join("python");
        let python = python.canonicalize().unwrap_or(python);
        let _ = write!(out, " python={}", python.display());
        for dir in site_packages(venv) {
            let _ = write!(out, " {}={}", dir.display(), mtime(&dir));
        }
    }
    out
}

/// The tool's version: from the `*.dist-info` directory of its virtualenv (no process: the pre-push hook
/// computes fingerprints on every tag push), else from `PROGRAM --version`.
pub fn version(exe: &Executable, distribution: &str) -> Option<String> {
    if let Some(venv) = &exe.venv {
        if let Some(v) = dist_version(venv, distribution) {
            return Some(v);
        }
    }
    version_from_output(&exe.path)
}

/// The version of an installed distribution in a virtualenv, from its `NAME-VERSION.dist-info` directory.
pub fn dist_version(venv: &Path, distribution: &str) -> Option<String> {
    let wanted = name::normalize(distribution)?;
    for dir in site_packages(venv) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".dist-info")) else {
                continue;
            };
            if let Some((dist, version)) = stem.split_once('-') {
                if name::normalize(dist).as_ref() == Some(&wanted) {
                    return Some(version.to_owned());
                }
            }
        }
    }
    None
}

/// Whether a distribution is installed in the virtualenv (e.g. pytest-cov, whose options relgate adds).
pub fn has_distribution(venv: &Path, distribution: &str) -> bool {
    dist_version(venv, distribution).is_some()
}

/// The executable of a hook environment pre-commit installed (`<home>/repoXXXX/py_env-python3.X/bin/`) whose
/// distribution is at the hook's `rev` (`v0.6.0` pins ruff 0.6.0).
fn pre_commit_env(program: &str, tool: &Tool, rev: &str) -> Option<Executable> {
    let home = crate::env::pre_commit_home()?;
    let wanted = rev.trim_start_matches('v');
    let mut repos: Vec<PathBuf> = std::fs::read_dir(&home)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("repo"))
        .map(|e| e.path())
        .collect();
    repos.sort();
    for repo in repos {
        let Ok(envs) = std::fs::read_dir(&repo) else {
            continue;
        };
        for env in envs.flatten() {
            if !env.file_name().to_string_lossy().starts_with("py_env-") {
                continue;
            }
            let root = env.path();
            let candidate = root.join("bin").join(program);
            if is_executable(&candidate)
                && dist_version(&root, tool.distribution).as_deref() == Some(wanted)
            {
                return Some(Executable {
                    path: candidate,
                    venv: Some(root),
                });
            }
        }
    }
    None
}

/// The virtualenv an executable lives in (`VENV/bin/PROGRAM`), following symlinks (pipx and `uv tool`
/// link their tools into ~/.local/bin).
fn venv_of(exe: &Path) -> Option<PathBuf> {
    let real = exe.canonicalize().ok()?;
    [exe.to_path_buf(), real].into_iter().find_map(|p| {
        let root = p.parent()?.parent()?.to_path_buf();
        root.join("pyvenv.cfg").is_file().then_some(root)
    })
}

fn site_packages(venv: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(venv.join("lib")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
        .map(|e| e.path().join("site-packages"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn version_from_output(exe: &Path) -> Option<String> {
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\d+\.\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*)\b").expect("valid regex")
    });
    let finished = process::run(&Spec {
        argv: vec![exe.as_os_str().into(), "--version".into()],
        cwd: std::env::temp_dir(),
        env: vec![("PYTHONDONTWRITEBYTECODE".into(), "1".into())],
        env_remove: Vec::new(),
        timeout: Duration::from_secs(30),
        max_output: 16 * 1024,
    })
    .ok()?;
    if !matches!(finished.ended, Ended::Exited(0)) {
        return None;
    }
    VERSION
        .captures(&finished.output.text)
        .map(|c| c[1].to_owned())
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn mtime(path: &Path) -> String {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or_else(
            || "?".into(),
            |d| format!("{}.{:09}", d.as_secs(), d.subsec_nanos()),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_venv(root: &Path, dists: &[&str]) {
        let sp = root.join("lib/python3.12/site-packages");
        std::fs::create_dir_all(&sp).unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::fs::write(root.join("bin/python"), "").unwrap();
        for d in dists {
            std::fs::create_dir_all(sp.join(format!("{d}.dist-info"))).unwrap();
        }
    }

    #[test]
    fn versions_from_dist_info_names() {
        let dir = tempfile::tempdir().unwrap();
        fake_venv(
            dir.path(),
            &["ruff-0.17.6", "pytest_cov-6.0.0", "Flake8-7.5.0"],
        );
        assert_eq!(dist_version(dir.path(), "ruff").as_deref(), Some("0.17.6"));
        assert_eq!(
            dist_version(dir.path(), "pytest-cov").as_deref(),
            Some("6.0.0")
        );
        assert_eq!(dist_version(dir.path(), "flake8").as_deref(), Some("7.5.0"));
        assert!(!has_distribution(dir.path(), "mypy"));
    }
}
