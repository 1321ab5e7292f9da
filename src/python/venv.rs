//! The project's virtualenv: one lookup, used by every check that runs the project's tools (the quality checks,
//! custom checks, the build), so that they all see the same environment.
//!
//! Order: the activated virtualenv (`VIRTUAL_ENV`); uv's `UV_PROJECT_ENVIRONMENT` in a uv project; `.venv/` or
//! `venv/` in the project directory or a parent up to the repository root (a uv workspace keeps one at its
//! root); the environment of the project's manager (`poetry env info --path`, `hatch env find`). relgate never
//! runs `uv run` or `poetry run`: both create an environment inside the project when there is none. The
//! lookup is made once per project directory and remembered: asking Poetry costs a process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use crate::files;
use crate::process::{self, Ended, Spec};
use crate::toml_file::TomlFile;

/// A project manager that owns the project's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Uv,
    Poetry,
    Pdm,
    Hatch,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Uv => "uv",
            Manager::Poetry => "Poetry",
            Manager::Pdm => "PDM",
            Manager::Hatch => "Hatch",
        }
    }

    /// The command that creates the project's environment with its development dependencies.
    pub fn create_command(self) -> &'static str {
        match self {
            Manager::Uv => "uv sync",
            Manager::Poetry => "poetry install",
            Manager::Pdm => "pdm install",
            Manager::Hatch => "hatch env create",
        }
    }

    /// The command that adds a development tool to the project.
    pub fn add_command(self, distribution: &str) -> String {
        match self {
            Manager::Uv => format!("uv add --dev {distribution}"),
            Manager::Poetry => format!("poetry add --group dev {distribution}"),
            Manager::Pdm => format!("pdm add -dG dev {distribution}"),
            Manager::Hatch => {
                format!("add {distribution} to [tool.hatch.envs.default] dependencies")
            }
        }
    }
}

/// A virtualenv and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venv {
    pub root: PathBuf,
    /// How the report names it: `.venv`, `$VIRTUAL_ENV`, `the Poetry environment`...
    pub label: String,
}

/// The virtualenv of the project whose working-tree directory is `local_project_dir` (exports carry no
/// environment), and the manager it is managed by.
pub fn find(local_project_dir: &Path) -> (Option<Venv>, Option<Manager>) {
    type Found = (Option<Venv>, Option<Manager>);
    static FOUND: LazyLock<Mutex<HashMap<PathBuf, Found>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(found) = FOUND
        .lock()
        .ok()
        .and_then(|f| f.get(local_project_dir).cloned())
    {
        return found;
    }
    let manager = manager_of(local_project_dir);
    let found = (lookup(local_project_dir, manager), manager);
    if let Ok(mut f) = FOUND.lock() {
        f.insert(local_project_dir.to_path_buf(), found.clone());
    }
    found
}

impl Venv {
    /// The environment's interpreter, when it has one.
    pub fn python(&self) -> Option<PathBuf> {
        Some(self.root.join("bin").join("python")).filter(|p| p.exists())
    }
}

/// The manager a project is managed by: its lock file, else its configuration table.
pub fn manager_of(dir: &Path) -> Option<Manager> {
    let locks = [
        ("uv.lock", Manager::Uv),
        ("poetry.lock", Manager::Poetry),
        ("pdm.lock", Manager::Pdm),
    ];
    if let Some((_, m)) = locks.iter().find(|(f, _)| dir.join(f).is_file()) {
        return Some(*m);
    }
    let pyproject = files::read_text(dir, Path::new("pyproject.toml"))
        .ok()
        .flatten()
        .and_then(|t| TomlFile::parse("pyproject.toml", t).ok());
    let has = |path: &[&str]| pyproject.as_ref().is_some_and(|p| p.get(path).is_some());
    if has(&["tool", "uv"]) {
        Some(Manager::Uv)
    } else if has(&["tool", "poetry"]) {
        Some(Manager::Poetry)
    } else if pyproject.as_ref().is_some_and(pdm_manages) {
        Some(Manager::Pdm)
    } else if has(&["tool", "hatch", "envs"]) || dir.join("hatch.toml").is_file() {
        Some(Manager::Hatch)
    } else {
        None
    }
}

/// `[tool.pdm]` with settings of PDM the project manager (`dev-dependencies`, `scripts`, `resolution`...), not
/// only of pdm-backend, the build backend (`build`, `version`, and pdm-pep517's `includes`, `package-dir`...): a
/// project that only builds with pdm-backend has no PDM environment to create.
fn pdm_manages(pyproject: &TomlFile) -> bool {
    const BACKEND_ONLY: [&str; 8] = [
        "build",
        "version",
        "includes",
        "excludes",
        "source-includes",
        "package-dir",
        "is-purelib",
        "editable-backend",
    ];
    pyproject
        .get(&["tool", "pdm"])
        .and_then(toml_edit::Item::as_table_like)
        .is_some_and(|pdm| pdm.iter().any(|(key, _)| !BACKEND_ONLY.contains(&key)))
}

fn lookup(dir: &Path, manager: Option<Manager>) -> Option<Venv> {
    if let Some(active) = crate::env::virtual_env() {
        let root = PathBuf::from(active);
        if root.join("bin").join("python").exists() {
            return Some(Venv {
                label: format!("the active virtualenv ($VIRTUAL_ENV = {})", root.display()),
                root,
            });
        }
    }
    if manager == Some(Manager::Uv) {
        if let Some(custom) = crate::env::uv_project_environment() {
            let root = dir.join(custom);
            if is_venv(&root) {
                return Some(Venv {
                    label: format!(
                        "the uv environment ($UV_PROJECT_ENVIRONMENT = {})",
                        root.display()
                    ),
                    root,
                });
            }
        }
    }
    for ancestor in dir.ancestors() {
        for name in [".venv", "venv"] {
            let root = ancestor.join(name);
            if is_venv(&root) {
                let label = root
                    .strip_prefix(dir)
                    .map_or_else(|_| root.display().to_string(), |p| p.display().to_string());
                return Some(Venv { root, label });
            }
        }
        if ancestor.join(".git").exists() {
            break;
        }
    }
    let manager = manager?;
    let (program, args): (&str, &[&str]) = match manager {
        Manager::Poetry => ("poetry", &["env", "info", "--path"]),
        Manager::Hatch => ("hatch", &["env", "find", "default"]),
        Manager::Uv | Manager::Pdm => return None,
    };
    let manager_exe = which::which(program).ok()?;
    let mut command = vec![manager_exe.into_os_string()];
    command.extend(args.iter().map(Into::into));
    let finished = process::run(&Spec {
        argv: command,
        cwd: dir.to_path_buf(),
        env: Vec::new(),
        env_remove: vec!["VIRTUAL_ENV".into()],
        timeout: Duration::from_secs(30),
        max_output: 64 * 1024,
    })
    .ok()?;
    if !matches!(finished.ended, Ended::Exited(0)) {
        return None;
    }
    let root = PathBuf::from(
        finished
            .output
            .text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())?
            .trim(),
    );
    is_venv(&root).then(|| Venv {
        label: format!("the {} environment ({})", manager.name(), root.display()),
        root,
    })
}

fn is_venv(root: &Path) -> bool {
    root.join("pyvenv.cfg").is_file() && root.join("bin").join("python").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_venv(root: &Path) {
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::fs::write(root.join("bin/python"), "").unwrap();
    }

    #[test]
    fn a_project_that_only_builds_with_pdm_backend_is_not_managed_by_pdm() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
        write(
            "[build-system]\nbuild-backend = \"pdm.backend\"\n[tool.pdm.version]\nsource = \"scm\"\n[tool.pdm.build]\nincludes = [\"src\"]\n",
        );
        assert_eq!(manager_of(dir.path()), None);
        write("[tool.pdm]\nversion = {use_scm = true}\npackage-dir = \"src\"\n");
        assert_eq!(manager_of(dir.path()), None);
        write(
            "[tool.pdm.version]\nsource = \"scm\"\n[tool.pdm.dev-dependencies]\ntest = [\"pytest\"]\n",
        );
        assert_eq!(manager_of(dir.path()), Some(Manager::Pdm));
        std::fs::write(dir.path().join("pdm.lock"), "").unwrap();
        write("[tool.pdm.build]\nincludes = []\n");
        assert_eq!(manager_of(dir.path()), Some(Manager::Pdm));
    }

    #[test]
    fn managers_from_lock_files_and_tables() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(manager_of(dir.path()), None);
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.poetry]\nname = 'x'\n",
        )
        .unwrap();
        assert_eq!(manager_of(dir.path()), Some(Manager::Poetry));
        std::fs::write(dir.path().join("uv.lock"), "version = 1\n").unwrap();
        assert_eq!(manager_of(dir.path()), Some(Manager::Uv));
    }

    #[test]
    fn project_venv_found_in_a_parent_up_to_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        fake_venv(&dir.path().join(".venv"));
        let project = dir.path().join("packages/a");
        std::fs::create_dir_all(&project).unwrap();
        // VIRTUAL_ENV of the machine running the tests would win; only check when it is unset.
        if crate::env::virtual_env().is_none() {
            let (venv, _) = find(&project);
            assert_eq!(venv.unwrap().root, dir.path().join(".venv"));
            let outside = tempfile::tempdir().unwrap();
            assert_eq!(lookup(outside.path(), None), None);
        }
    }
}
