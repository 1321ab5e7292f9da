//! The release pipeline on GitHub Actions that `relgate github workflow` writes: what the project needs from
//! it ([`plan`]: how its environment is made, which Python, which tags start it) and the workflow text
//! ([`render`]).
//!
//! Glossary: the *gate* job runs `relgate check` on the tagged commit, in the environment the project's manager
//! creates; the *build* job builds the sdist and wheel once the gate passed; the *publish* job uploads them by
//! trusted publishing (<https://docs.pypi.org/trusted-publishers/>): the index trusts a token that GitHub signs for
//! this repository, workflow file and environment, so no upload token is stored anywhere.

pub mod actions;
mod render;

use std::path::Path;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

pub use self::render::{ENVIRONMENT, publisher_pages, render};
use crate::error::hinted;
use crate::gates::quality;
use crate::github::RepoName;
use crate::python::venv::{self, Manager};
use crate::release::Release;
use crate::toml_file::TomlFile;

/// The Python versions setup-python is asked for, newest first: the newest that `requires-python` admits.
const PYTHONS: &[&str] = &["3.14", "3.13", "3.12", "3.11", "3.10", "3.9"];

/// What starts the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Trigger {
    /// Pushing a release tag (the one relgate's pre-push hook gates).
    Tag,
    /// Publishing a release on GitHub (its tag is the release tag).
    Release,
}

/// How the gate job creates the project's environment, as the project does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// `uv sync`, `--locked` when the project has a uv.lock.
    Uv {
        locked: bool,
    },
    Poetry,
    Hatch,
    Pdm,
    /// A `.venv` made with `python -m venv`, then `pip install` of the project and its development tools.
    Pip(PipInstall),
}

/// What `pip install` gets in a project without a manager.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipInstall {
    /// The project itself, editable (it declares a build backend or has a setup.py).
    pub project: bool,
    /// Development extras of `[project.optional-dependencies]` (`dev`, `test`...).
    pub extras: Vec<String>,
    /// `[dependency-groups]` (PEP 735; `pip install --group`, pip 25.1 and later).
    pub groups: Vec<String>,
    /// Requirements files of development tools (`requirements-dev.txt`...).
    pub files: Vec<String>,
}

/// Which Python setup-python installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Python {
    /// The project's `.python-version` file, relative to the repository root.
    File(String),
    /// A version such as `3.13`, or `3.x` (the newest) when the project says nothing.
    Version(String),
}

/// Everything the workflow text depends on.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The workflow's file name, e.g. `release.yml` (what the trusted publisher registers).
    pub file: String,
    pub trigger: Trigger,
    /// GitHub tag filter patterns for the release tags (`v[0-9]*`).
    pub tag_patterns: Vec<String>,
    /// The project's directory relative to the repository root (`/`-separated), when not at the root.
    pub subdir: Option<String>,
    /// `--tag-format` given on the command line rather than in the project's configuration: the gate needs it.
    pub tag_format: Option<String>,
    /// The project's normalized name on the index.
    pub project: Option<String>,
    pub setup: Setup,
    pub python: Python,
    /// The repository on GitHub (from the `origin` remote), for the trusted publisher's fields.
    pub repository: Option<RepoName>,
    /// The relgate release the gate job installs: this one.
    pub relgate_version: &'static str,
}

/// Decide the workflow for the project `release` opened; `file_stem` names the file (`release`).
pub fn plan(
    release: &Release,
    file_stem: &str,
    trigger: Trigger,
    tag_format: Option<&str>,
) -> anyhow::Result<Plan> {
    let dir = release.project_dir.as_path();
    let pyproject = crate::files::read_text(dir, std::path::Path::new("pyproject.toml"))
        .map_err(crate::files::ReadError::into_anyhow)?
        .map(|text| TomlFile::parse("pyproject.toml", text))
        .transpose()?;
    let subdir = (!release.subdir.as_os_str().is_empty())
        .then(|| release.subdir.to_string_lossy().replace('\\', "/"));
    let declared = release.declared(None)?;
    let project = declared
        .name
        .as_deref()
        .and_then(crate::python::name::normalize)
        .filter(|n: &String| is_simple_name(n));
    let setup = match venv::manager_of(dir) {
        Some(Manager::Uv) => Setup::Uv {
            locked: dir.join("uv.lock").is_file()
                || release.repo.workdir().join("uv.lock").is_file(),
        },
        Some(Manager::Poetry) => Setup::Poetry,
        Some(Manager::Hatch) => Setup::Hatch,
        Some(Manager::Pdm) => Setup::Pdm,
        None => Setup::Pip(pip_install(dir, pyproject.as_ref())),
    };
    let python = if dir.join(".python-version").is_file() {
        Python::File(match &subdir {
            Some(sub) => format!("{sub}/.python-version"),
            None => ".python-version".to_owned(),
        })
    } else {
        Python::Version(newest_python(
            pyproject
                .as_ref()
                .and_then(|p| p.get_str(&["project", "requires-python"])),
        ))
    };
    let repository = release
        .repo
        .remote_url("origin")
        .and_then(|url| RepoName::from_remote(&url, "github.com"));
    Ok(Plan {
        file: format!("{file_stem}.yml"),
        trigger,
        tag_patterns: tag_patterns(release, trigger)?,
        subdir,
        tag_format: tag_format.map(str::to_owned),
        project,
        setup,
        python,
        repository,
        relgate_version: env!("CARGO_PKG_VERSION"),
    })
}

/// GitHub's tag filter for each form of the tag format: the prefix, a digit, anything, the suffix
/// (`v{version}` -> `v[0-9]*`), so that other tags starting with `v` do not start a release.
/// <https://docs.github.com/en/actions/reference/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet>
fn tag_patterns(release: &Release, trigger: Trigger) -> anyhow::Result<Vec<String>> {
    let mut patterns = Vec::new();
    for form in release.format.names_for("{version}") {
        let Some((prefix, suffix)) = form.split_once("{version}") else {
            continue;
        };
        // Pattern characters, and what no tag name holds (git check-ref-format): such a form matches nothing.
        let special = |s: &str| {
            s.chars()
                .any(|c| "*?+[]!\\".contains(c) || c.is_whitespace() || c.is_control())
        };
        if special(prefix) || special(suffix) {
            if trigger == Trigger::Release {
                // A published release starts it whatever the tag's name: no filter to write.
                continue;
            }
            return Err(hinted(
                format!(
                    "the tag format {form:?} holds characters that GitHub's tag filters read as patterns (* ? + [ ] ! \\) or that no tag name holds"
                ),
                "start the workflow on published releases instead: relgate github workflow --on release",
            ));
        }
        patterns.push(format!("{prefix}[0-9]*{suffix}"));
    }
    Ok(patterns)
}

/// The project, its development extras, dependency groups and requirements files.
fn pip_install(dir: &Path, pyproject: Option<&TomlFile>) -> PipInstall {
    let keys = |path: &[&str]| -> Vec<String> {
        pyproject
            .and_then(|p| p.get(path))
            .and_then(toml_edit::Item::as_table_like)
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default()
    };
    let extras = keys(&["project", "optional-dependencies"])
        .into_iter()
        .filter(|e| quality::is_development_extra(e) && is_simple_name(e))
        .collect();
    // Every group: relgate counts a tool listed in any group as one the project uses.
    let groups = keys(&["dependency-groups"])
        .into_iter()
        .filter(|g| is_simple_name(g))
        .collect();
    let files = quality::REQUIREMENTS_FILES
        .iter()
        .filter(|f| is_regular_file(&dir.join(f)))
        .map(|f| (*f).to_owned())
        .collect();
    PipInstall {
        project: crate::gates::build::build_system(dir).is_some(),
        extras,
        groups,
        files,
    }
}

/// The newest of [`PYTHONS`] that `requires-python` admits; `3.x` without one (or when none fits).
fn newest_python(requires: Option<&str>) -> String {
    let Some(specifiers) = requires.and_then(|r| VersionSpecifiers::from_str(r).ok()) else {
        return "3.x".to_owned();
    };
    PYTHONS
        .iter()
        .find(|p| Version::from_str(p).is_ok_and(|v| specifiers.iter().all(|s| s.contains(&v))))
        .map_or_else(|| "3.x".to_owned(), |p| (*p).to_owned())
}

/// A name that can go into a command, a URL and YAML as it is: letters, digits, `.`, `_`, `-`.
fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn is_regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_is_the_newest_that_requires_python_admits() {
        assert_eq!(newest_python(None), "3.x");
        assert_eq!(newest_python(Some(">=3.9")), "3.14");
        assert_eq!(newest_python(Some(">=3.9,<3.13")), "3.12");
        assert_eq!(newest_python(Some("~=3.10.0")), "3.10");
        assert_eq!(newest_python(Some("<3")), "3.x");
        assert_eq!(newest_python(Some("not a specifier")), "3.x");
    }

    #[test]
    fn pip_installs_the_project_its_development_extras_groups_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\
                    [project.optional-dependencies]\nsocks = [\"pysocks\"]\ntest = [\"pytest\"]\n\"bad name\" = [\"x\"]\n\
                    [dependency-groups]\nlint = [\"ruff\"]\n";
        std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
        std::fs::write(dir.path().join("requirements-dev.txt"), "mypy\n").unwrap();
        let py = TomlFile::parse("pyproject.toml", text.to_owned()).unwrap();
        assert_eq!(
            pip_install(dir.path(), Some(&py)),
            PipInstall {
                project: true,
                extras: vec!["test".into()],
                groups: vec!["lint".into()],
                files: vec!["requirements-dev.txt".into()],
            }
        );
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(pip_install(empty.path(), None), PipInstall::default());
    }

    #[test]
    fn simple_names_only() {
        assert!(is_simple_name("relgate-demo"));
        assert!(is_simple_name("a.b_c"));
        assert!(!is_simple_name("-x"));
        assert!(!is_simple_name("a b"));
        assert!(!is_simple_name("a\nb"));
        assert!(!is_simple_name(""));
    }
}
