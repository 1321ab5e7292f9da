//! Where the checks that read the project's files run: in place when the working tree is exactly the released
//! content, else an isolated export of the released commit (or nowhere, when `isolation = "refuse"`).

use crate::config::Isolation;
use crate::gates::Workspace;
use crate::git::{self, CommitId};
use crate::report::{WorkspaceInfo, WorkspaceMode};

use super::{Release, Target};

/// The workspace of a run, as decided.
#[derive(Debug)]
pub struct Prepared {
    /// `None` when the file-based checks must not run (isolation refused, or none selected).
    pub workspace: Option<Workspace>,
    /// What the report says about it.
    pub info: WorkspaceInfo,
    /// The tree the checks see, when it is a commit's content (the record of passes keys on it): the tag's (or
    /// the pinned commit's) tree, or HEAD's when no tag is checked and the working tree is clean.
    pub tree: Option<CommitId>,
}

impl Prepared {
    /// No check reads the project's files: nothing is prepared.
    pub fn none(note: Option<String>) -> Prepared {
        Prepared {
            workspace: None,
            info: WorkspaceInfo {
                mode: WorkspaceMode::None,
                note,
            },
            tree: None,
        }
    }
}

impl Release {
    /// Prepare where the file-based checks of `target` run. A pinned commit (a hook gating a branch push) is
    /// checked for its own content, not the working tree's.
    pub fn workspace(&self, target: &Target) -> anyhow::Result<Prepared> {
        let in_place = |commit: Option<CommitId>| Workspace {
            root: self.repo.workdir().to_path_buf(),
            project_dir: self.project_dir.clone(),
            in_place: true,
            commit,
            _export: None,
        };
        let (commit, label, what_is_exported) = match (&target.tag, target.pinned) {
            (Some(tag), _) => (
                tag.commit,
                format!("tag {} is at {}", tag.name, git::short(tag.commit)),
                "the tag",
            ),
            (None, Some(commit)) => (
                commit,
                format!("the commit gated is {}", git::short(commit)),
                "that commit",
            ),
            (None, None) => {
                let tree = if self.repo.difference_from(target.head)?.is_clean() {
                    Some(self.repo.tree_of(target.head)?)
                } else {
                    None
                };
                return Ok(Prepared {
                    workspace: Some(in_place(tree.map(|_| target.head))),
                    info: WorkspaceInfo {
                        mode: WorkspaceMode::InPlace,
                        note: Some(
                            "no release tag at HEAD: the working tree was checked as it is".into(),
                        ),
                    },
                    tree,
                });
            }
        };
        let tree = self.repo.tree_of(commit)?;
        let difference = self.repo.difference_from(commit)?;
        if difference.is_clean() {
            return Ok(Prepared {
                workspace: Some(in_place(Some(commit))),
                info: WorkspaceInfo {
                    mode: WorkspaceMode::InPlace,
                    note: None,
                },
                tree: Some(tree),
            });
        }
        let what = format!("{label}; {}", difference.describe());
        match self.config.isolation.unwrap_or_default() {
            Isolation::Refuse => Ok(Prepared {
                workspace: None,
                info: WorkspaceInfo {
                    mode: WorkspaceMode::Refused,
                    note: Some(what),
                },
                tree: None,
            }),
            Isolation::Export => {
                let export = crate::process::ScratchDir::new("relgate-export-").map_err(|e| {
                    anyhow::anyhow!("cannot create a temporary directory for the export: {e}")
                })?;
                let subject = target.tag.as_ref().map_or_else(
                    || format!("commit {}", git::short(commit)),
                    |t| format!("tag {}", t.name),
                );
                self.repo.export(commit, export.path(), &subject)?;
                let workspace = Workspace {
                    root: export.path().to_path_buf(),
                    project_dir: export.path().join(&self.subdir),
                    in_place: false,
                    commit: Some(commit),
                    _export: Some(export),
                };
                Ok(Prepared {
                    workspace: Some(workspace),
                    info: WorkspaceInfo {
                        mode: WorkspaceMode::Export,
                        note: Some(format!(
                            "{what}: the checks ran on an isolated export of {what_is_exported}"
                        )),
                    },
                    tree: Some(tree),
                })
            }
        }
    }
}
