//! What is being released: the repository, the project directory inside it, its configuration, and the release
//! tag(s) to gate. Shared by `check`, `version` and the hooks.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::ProjectArgs;
use crate::config::Config;
use crate::error::hinted;
use crate::gates::version::ReleaseTag;
use crate::git::{self, CommitId, Repo, TagRef};
use crate::project::{self, Declared, Source, TreeSource, WorkTreeSource};
use crate::tag_format::TagFormat;

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
    pub fn open(args: &ProjectArgs) -> anyhow::Result<Release> {
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

    /// `--tag NAME`, resolved to its commit; a missing tag is a usage error.
    pub fn explicit_tag(&self, name: &str) -> anyhow::Result<ReleaseTag> {
        let Some(tag) = self.repo.find_tag(name)? else {
            return Err(hinted(
                format!("there is no tag named {name:?} in this repository"),
                "list the tags with `git tag --list`, or create it first",
            ));
        };
        let Some(commit) = self.repo.tag_commit(&tag)? else {
            return Err(hinted(
                format!("tag {name:?} does not point at a commit"),
                "release tags must point at the released commit",
            ));
        };
        Ok(ReleaseTag {
            version: self.format.version_of(name),
            name: name.to_owned(),
            commit,
            exists: true,
        })
    }

    /// The release tag `name` on `commit`, whether or not the ref exists (yet) in this repository: a tag being
    /// created (reference-transaction) or pushed from another local ref (`git push origin HEAD:refs/tags/v1`).
    pub fn pinned_tag(&self, name: &str, commit: CommitId) -> ReleaseTag {
        // While `git tag` runs the reference-transaction hook, the tag is not (or not yet here) in the repository.
        let exists = self
            .repo
            .find_tag(name)
            .ok()
            .flatten()
            .is_some_and(|t| self.repo.tag_commit(&t).ok().flatten() == Some(commit));
        ReleaseTag {
            version: self.format.version_of(name),
            name: name.to_owned(),
            commit,
            exists,
        }
    }

    /// The release tags pointing at `commit` (including names that look like release tags but carry an
    /// invalid version, so that the version gate can refuse them), sorted newest first.
    pub fn tags_at(&self, all: &[TagRef], commit: CommitId) -> Vec<ReleaseTag> {
        let candidates: Vec<&TagRef> = all
            .iter()
            .filter(|t| {
                self.format.version_of(&t.name).is_some() || self.format.looks_like_release(&t.name)
            })
            .collect();
        let mut tags: Vec<ReleaseTag> = self
            .repo
            .tags_pointing_at(&candidates, commit)
            .into_iter()
            .map(|t| ReleaseTag {
                name: t.name.clone(),
                commit,
                version: self.format.version_of(&t.name),
                exists: true,
            })
            .collect();
        tags.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        tags
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
