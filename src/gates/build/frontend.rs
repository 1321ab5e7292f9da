//! Which build frontend and interpreter build the project, and what its `[build-system]` declares.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::process::{self, Ended, Spec};
use crate::python::{name, venv};
use crate::toml_file::TomlFile;

/// How the build is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frontend {
    /// `python -m build` with this interpreter.
    PythonBuild { python: PathBuf },
    /// `uv build`, with the project's interpreter when there is one.
    Uv {
        uv: PathBuf,
        python: Option<PathBuf>,
    },
}

impl Frontend {
    pub(super) fn label(&self) -> &'static str {
        match self {
            Frontend::PythonBuild { .. } => "python -m build",
            Frontend::Uv { .. } => "uv build",
        }
    }

    /// The command a user runs in the project to build the same way (with or without isolation).
    pub(super) fn command(&self, isolated: bool) -> String {
        match (self, isolated) {
            (Frontend::PythonBuild { .. }, true) => "python -m build".into(),
            (Frontend::PythonBuild { .. }, false) => "python -m build --no-isolation".into(),
            (Frontend::Uv { .. }, true) => "uv build".into(),
            (Frontend::Uv { .. }, false) => "uv build --no-build-isolation".into(),
        }
    }

    pub(super) fn python(&self) -> Option<&Path> {
        match self {
            Frontend::PythonBuild { python } => Some(python),
            Frontend::Uv { python, .. } => python.as_deref(),
        }
    }
}

/// What `[build-system]` declares; `None` without a backend (a bare setup.py counts as setuptools' legacy
/// backend, which frontends use when `build-backend` is absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    pub backend: String,
    pub requires: Vec<String>,
    /// `backend-path`: directories of the project the backend is imported from (an in-tree backend).
    pub backend_path: Vec<String>,
}

/// The declared build backend of the project in `dir` (a pyproject.toml that cannot be read declares none:
/// the metadata and version checks report it).
pub fn build_system(dir: &Path) -> Option<BuildSystem> {
    let text = crate::files::read_text(dir, Path::new("pyproject.toml"))
        .ok()
        .flatten();
    let file = text.and_then(|t| TomlFile::parse("pyproject.toml", t).ok());
    let backend = file
        .as_ref()
        .and_then(|f| f.get_str(&["build-system", "build-backend"]))
        .map(str::to_owned);
    let requires = file
        .as_ref()
        .map(|f| f.get_strings(&["build-system", "requires"]))
        .unwrap_or_default();
    let backend_path = file
        .as_ref()
        .map(|f| f.get_strings(&["build-system", "backend-path"]))
        .unwrap_or_default();
    match backend {
        Some(backend) => Some(BuildSystem {
            backend,
            requires,
            backend_path,
        }),
        None if dir.join("setup.py").is_file() => Some(BuildSystem {
            backend_path: Vec::new(),
            backend: "setuptools.build_meta:__legacy__".into(),
            requires: if requires.is_empty() {
                vec!["setuptools".into()]
            } else {
                requires
            },
        }),
        None => None,
    }
}

/// The frontend relgate would use, looking first at the project's own virtualenv (in the user's tree).
pub fn find_frontend(local_project_dir: &Path) -> Option<Frontend> {
    let venv_python = project_python(local_project_dir);
    if let Some(python) = &venv_python {
        if has_distributions(python, &["build".to_owned()]) {
            return Some(Frontend::PythonBuild {
                python: python.clone(),
            });
        }
    }
    let uv = venv_python
        .as_ref()
        .and_then(|p| p.parent().map(|bin| bin.join("uv")))
        .filter(|p| p.is_file())
        .or_else(|| which::which("uv").ok());
    if let Some(uv) = uv {
        return Some(Frontend::Uv {
            uv,
            python: venv_python,
        });
    }
    let python = which::which("python3").ok()?;
    has_distributions(&python, &["build".to_owned()]).then_some(Frontend::PythonBuild { python })
}

/// What would change the choice or behaviour of the frontend, read without running anything: the project's
/// interpreter (and its installed packages), `uv`, `python3` and `twine` on PATH. Part of the build check's
/// fingerprint in the record of passes.
pub fn identity(local_project_dir: &Path) -> String {
    let mut parts = vec![format!(
        "python {}",
        project_python(local_project_dir)
            .as_deref()
            .map_or_else(|| "none".to_owned(), crate::cache::executable_identity)
    )];
    for tool in ["uv", "python3", "twine"] {
        parts.push(format!(
            "{tool} {}",
            which::which(tool)
                .ok()
                .as_deref()
                .map_or_else(|| "none".to_owned(), crate::cache::executable_identity)
        ));
    }
    parts.join("\n")
}

/// Build requirements whose version comes from git: the build must see the history (or be told the version).
pub(super) fn uses_vcs_version(system: &BuildSystem) -> bool {
    requirement_names(&system.requires).iter().any(|n| {
        matches!(
            n.as_str(),
            "setuptools-scm"
                | "hatch-vcs"
                | "versioningit"
                | "poetry-dynamic-versioning"
                | "pdm-backend-scm"
                | "uv-dynamic-versioning"
                | "dunamai"
        )
    })
}

/// Normalized distribution names of requirement strings (`setuptools_scm[toml]>=8` is `setuptools-scm`).
pub(super) fn requirement_names(requires: &[String]) -> Vec<String> {
    requires
        .iter()
        .filter_map(|r| name::requirement_name(r))
        .collect()
}

/// The interpreter of the project's virtualenv (`crate::python::venv`: the one every check uses).
fn project_python(local_project_dir: &Path) -> Option<PathBuf> {
    venv::find(local_project_dir)
        .0
        .and_then(|v| v.python())
        .filter(|p| p.is_file())
}

/// Whether every named distribution is installed for `python` (a ~50 ms interpreter start).
pub(super) fn has_distributions(python: &Path, names: &[String]) -> bool {
    let mut argv: Vec<OsString> = vec![
        python.as_os_str().into(),
        "-c".into(),
        "import sys, importlib.metadata as m\nfor n in sys.argv[1:]: m.distribution(n)".into(),
    ];
    argv.extend(names.iter().map(OsString::from));
    process::run(&Spec {
        argv,
        // The interpreter's own directory: not the project, whose modules could shadow the standard library.
        cwd: python
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf),
        env: Vec::new(),
        env_remove: vec!["PYTHONPATH".into()],
        timeout: Duration::from_secs(30),
        max_output: 4096,
    })
    .is_ok_and(|f| matches!(f.ended, Ended::Exited(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_names_are_normalized() {
        let reqs = vec![
            "setuptools_scm[toml]>=8".to_owned(),
            " hatch-vcs ".to_owned(),
            "Poetry.Core>=1".to_owned(),
        ];
        assert_eq!(
            requirement_names(&reqs),
            ["setuptools-scm", "hatch-vcs", "poetry-core"]
        );
        assert!(uses_vcs_version(&BuildSystem {
            backend: "setuptools.build_meta".into(),
            requires: reqs,
            backend_path: Vec::new(),
        }));
    }

    #[test]
    fn the_build_sees_a_uv_workspace_root_venv() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let venv = dir.path().join(".venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::fs::write(venv.join("bin/python"), "").unwrap();
        let project = dir.path().join("packages/a");
        std::fs::create_dir_all(&project).unwrap();
        // VIRTUAL_ENV of the machine running the tests would win; only check when it is unset.
        if crate::env::virtual_env().is_none() {
            assert_eq!(project_python(&project), Some(venv.join("bin/python")));
        }
    }

    #[test]
    fn backend_from_pyproject_or_setup_py() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(build_system(dir.path()), None);
        std::fs::write(dir.path().join("setup.py"), "").unwrap();
        assert_eq!(
            build_system(dir.path()).unwrap().backend,
            "setuptools.build_meta:__legacy__"
        );
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
        )
        .unwrap();
        assert_eq!(
            build_system(dir.path()),
            Some(BuildSystem {
                backend: "hatchling.build".into(),
                requires: vec!["hatchling".into()],
                backend_path: Vec::new(),
            })
        );
    }
}
