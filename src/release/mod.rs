//! What is being released: the repository, the project directory inside it, its configuration, the release
//! tag(s) to gate ([`tags`]) and where their content is checked ([`workspace`]). Shared by `check`, `checks`,
//! `version` and the hooks.

mod tags;
mod workspace;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::Config;
use crate::error::hinted;
use crate::git::{self, CommitId, Repo};
use crate::project::{self, Declared, Source, TreeSource, WorkTreeSource};
use crate::tag_format::TagFormat;

pub use self::tags::Target;
pub use self::workspace::Prepared;

/// Where the project is and how its release tags are named: `--path` and `--tag-format`.
#[derive(Debug, Clone, Default)]
pub struct ProjectDir {
    /// The Python project's directory (default: the nearest one around the current directory).
    pub path: Option<PathBuf>,
    /// How release tags are named, overriding the configuration.
    pub tag_format: Option<String>,
}

pub struct Release {
    pub repo: Repo,
    /// The project directory in the working tree (absolute).
    pub project_dir: PathBuf,
    /// The project directory relative to the repository root (empty at the root).
    pub subdir: PathBuf,
    pub config: Config,
    pub format: TagFormat,
    pub head: Option<CommitId>,
}

impl Release {
    /// Open the repository and configuration for `--path` (default: the current directory).
    pub fn open(project: impl Into<ProjectDir>) -> anyhow::Result<Release> {
        let args: ProjectDir = project.into();
        let requested = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
        let project_dir = requested.canonicalize().map_err(|_| {
            hinted(
                format!("{} does not exist", requested.display()),
                "pass --path the directory that holds the project's pyproject.toml",
            )
        })?;
        if !project_dir.is_dir() {
            return Err(hinted(
                format!("{} is not a directory", requested.display()),
                "pass --path the directory that holds the project's pyproject.toml",
            ));
        }
        let repo = Repo::discover(&project_dir)?;
        let root = repo
            .workdir()
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", repo.workdir().display()))?;
        let project_dir = if args.path.is_none() {
            nearest_project(&project_dir, &root)
        } else {
            project_dir
        };
        let subdir = project_dir
            .strip_prefix(&root)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let config = Config::load(&project_dir)?;
        let format = TagFormat::new(args.tag_format.as_deref(), &config)?;
        let head = repo.head()?;
        Ok(Release {
            repo,
            project_dir,
            subdir,
            config,
            format,
            head,
        })
    }

    /// HEAD's commit, or a usage error in a repository without commits.
    pub fn require_head(&self) -> anyhow::Result<CommitId> {
        self.head.ok_or_else(|| {
            hinted(
                format!(
                    "the repository at {} has no commits yet: there is nothing to release",
                    self.repo.workdir().display()
                ),
                "commit the project, tag the release (git tag v1.0.0), then run relgate check",
            )
        })
    }

    /// What the project declares in `commit` (the tag's tree) or, without one, in the working tree.
    pub fn declared(&self, commit: Option<(CommitId, &str)>) -> anyhow::Result<Declared> {
        match commit {
            Some((id, label)) => {
                let source = TreeSource {
                    repo: &self.repo,
                    commit: id,
                    subdir: self.subdir.clone(),
                    label: format!("{label} ({})", git::short(id)),
                };
                project::declared(&source as &dyn Source, &self.config)
            }
            None => {
                let source = WorkTreeSource {
                    root: (self.project_dir.ancestors())
                        .nth(self.subdir.components().count())
                        .unwrap_or(&self.project_dir)
                        .to_path_buf(),
                    dir: self.project_dir.clone(),
                };
                project::declared(&source as &dyn Source, &self.config)
            }
        }
    }
}

/// Run from a subdirectory (e.g. `src/`), the project is the nearest ancestor up to the repository root that
/// holds a pyproject.toml, setup.cfg or setup.py.
fn nearest_project(start: &Path, root: &Path) -> PathBuf {
    let is_project = |dir: &Path| {
        ["pyproject.toml", "setup.cfg", "setup.py"]
            .iter()
            .any(|f| dir.join(f).is_file())
    };
    let mut dir = start;
    loop {
        if is_project(dir) {
            return dir.to_path_buf();
        }
        if dir == root {
            return start.to_path_buf();
        }
        match dir.parent() {
            Some(parent) if parent.starts_with(root) => dir = parent,
            _ => return start.to_path_buf(),
        }
    }
}
